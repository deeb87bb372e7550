"""The Emedgene (Illumina) compatible face: contracts/emedgene.md. :func:`face` is its registration with
the host, at the configured ``emedgene_prefix``. Paths answer with and without the trailing slash, and a
doubled slash before ``api`` (clients that join a host ending in ``/``) is the same path."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from vardesk.api.emedgene import openapi_docs, routes_auth, routes_cases, routes_lookups
from vardesk.api.emedgene.common import emedgene_renderer, emedgene_status
from vardesk.api.http.faces import ErrorShape, Face, Mount
from vardesk.api.http.responses import JSON
from vardesk.config import Settings

EMEDGENE_ROUTERS = (routes_auth.router, routes_cases.router, routes_lookups.router)


def build_router() -> APIRouter:
    """Every Emedgene route, in both slash forms, never redirecting."""
    router = APIRouter(redirect_slashes=False)
    for sub in EMEDGENE_ROUTERS:
        router.include_router(sub)
    return router


class DoubleSlash:
    """``<prefix>//api/…`` is served as ``<prefix>/api/…``."""

    def __init__(self, app: Any, prefix: str) -> None:
        self.app = app
        self.doubled = prefix + "//"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.doubled):
            path = scope["path"]
            while path.startswith(self.doubled):
                path = path[: len(self.doubled) - 1] + path[len(self.doubled) :]
            scope = {**scope, "path": path, "raw_path": path.encode("latin-1", "replace")}
        await self.app(scope, receive, send)


def face(settings: Settings) -> Face:
    prefix = settings.emedgene_prefix.rstrip("/")

    def install(app: FastAPI, links: Mapping[str, str]) -> None:
        app.add_middleware(DoubleSlash, prefix=prefix)

        @app.api_route(prefix or "/", methods=["HEAD", "GET"], include_in_schema=False)
        def emedgene_root() -> Response:
            return JSON(
                {"application": "Vardesk", "face": "Emedgene-compatible API", "prefix": prefix or "/"}
            )

        openapi_docs.install(app)

    # In the OpenAPI document under the Emedgene tag: the routes declare their parameters, bodies and
    # responses (openapi_docs.py), while still reading the raw bodies in the clients' several shapes
    # (contract §1.3).
    return Face(
        name="emedgene",
        mounts=(Mount(prefix, build_router()),),
        errors=(ErrorShape(prefix, emedgene_renderer, emedgene_status),),
        links={"emedgene": prefix},
        description=f"Emedgene-compatible API at {prefix or '/'}, tag {openapi_docs.TAG}, a bearer token "
        "from api_login or HTTP Basic with an API key.",
        install=install,
    )


__all__ = ["EMEDGENE_ROUTERS", "build_router", "emedgene_renderer", "emedgene_status", "face"]
