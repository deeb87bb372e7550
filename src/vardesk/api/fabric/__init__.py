"""The Fabric Genomics (Opal / Omicia FE2 and FE3) compatible face: contracts/fabric.md. :func:`face` is
its registration with the host, at the configured ``fabric_prefix``."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, FastAPI
from starlette.responses import Response

from vardesk.api.fabric import (
    openapi_docs,
    routes_analysis,
    routes_cases,
    routes_config,
    routes_panels,
    routes_projects,
    routes_reports,
    routes_variants,
)
from vardesk.api.fabric.common import fabric_renderer, fabric_status
from vardesk.api.http.faces import ErrorShape, Face, Mount
from vardesk.api.http.responses import JSON
from vardesk.config import Settings

FABRIC_ROUTERS = (
    routes_projects.router,
    routes_reports.router,
    routes_variants.router,
    routes_panels.router,
    routes_config.router,
    routes_analysis.router,
    routes_cases.router,
)


def build_router() -> APIRouter:
    """Every Fabric route, in both slash forms, never redirecting."""
    router = APIRouter(redirect_slashes=False)
    for sub in FABRIC_ROUTERS:
        router.include_router(sub)
    return router


def face(settings: Settings) -> Face:
    prefix = settings.fabric_prefix.rstrip("/")

    def install(app: FastAPI, links: Mapping[str, str]) -> None:
        @app.api_route(prefix, methods=["HEAD", "GET"], include_in_schema=False)
        def fabric_root() -> Response:
            return JSON(
                {"application": "Vardesk", "face": "Fabric Genomics-compatible API", "prefix": prefix}
            )

        openapi_docs.install(app)

    # In the OpenAPI document under the Fabric tag: the routes declare their parameters, bodies and
    # responses (openapi_docs.py), while still reading raw bodies by endpoint (contract §1.4).
    return Face(
        name="fabric",
        mounts=(Mount(prefix, build_router()),),
        errors=(ErrorShape(prefix, fabric_renderer, fabric_status),),
        links={"fabric": prefix},
        description=f"Fabric Genomics-compatible API (FE2 and FE3 case containers) at {prefix}, tag "
        f"{openapi_docs.TAG}, HTTP Basic with an API key.",
        install=install,
    )


__all__ = ["FABRIC_ROUTERS", "build_router", "fabric_renderer", "fabric_status", "face"]
