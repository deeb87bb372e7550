"""The Fabric Genomics (Opal / Omicia FE2 and FE3) compatible face: contracts/fabric.md. :func:`face` is
its registration with the host, at the configured ``fabric_prefix``."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, FastAPI
from starlette.responses import Response

from vardesk.api.fabric import (
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


def build_router() -> APIRouter:
    """Every Fabric route, in both slash forms, never redirecting."""
    router = APIRouter(redirect_slashes=False)
    for sub in (
        routes_projects,
        routes_reports,
        routes_variants,
        routes_panels,
        routes_config,
        routes_analysis,
        routes_cases,
    ):
        router.include_router(sub.router)
    return router


def face(settings: Settings) -> Face:
    prefix = settings.fabric_prefix.rstrip("/")

    def install(app: FastAPI, links: Mapping[str, str]) -> None:
        @app.api_route(prefix, methods=["HEAD", "GET"], include_in_schema=False)
        def fabric_root() -> Response:
            return JSON(
                {"application": "Vardesk", "face": "Fabric Genomics-compatible API", "prefix": prefix}
            )

    # The Fabric face reads raw bodies by endpoint (contract §1.4), so a generated schema would misdescribe
    # it; its reference is docs/fabric.md and the Fabric contract.
    return Face(
        name="fabric",
        mounts=(Mount(prefix, build_router(), in_schema=False),),
        errors=(ErrorShape(prefix, fabric_renderer, fabric_status),),
        links={"fabric": prefix},
        install=install,
    )


__all__ = ["build_router", "fabric_renderer", "fabric_status", "face"]
