"""FastAPI application factory: every face mounted on one core."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from fastapi import Depends, FastAPI
from starlette.requests import Request
from starlette.responses import Response

from vardesk import __version__
from vardesk.api import emedgene, fabric, native, pages, web
from vardesk.api.http.deps import reject_nul
from vardesk.api.http.errors import ErrorRenderers, install_handlers
from vardesk.api.http.faces import Face, register
from vardesk.api.http.middleware import RequestLogMiddleware, SafeParamsMiddleware, SecurityHeadersMiddleware
from vardesk.api.http.responses import JSON
from vardesk.app.composition import Services, build_services
from vardesk.config import Settings, load_settings

# Every face this server offers, registered in this order (a new face: its package and one entry here).
FACES: tuple[Callable[[Settings], Face], ...] = (
    native.face,
    fabric.face,
    emedgene.face,
    web.face,
    pages.face,
)
# Faces a second host can serve at the root of a port of their own (clients that take only a host name),
# with the setting that holds their prefix on the main host
ROOT_FACES: dict[str, tuple[Callable[[Settings], Face], str]] = {
    "emedgene": (emedgene.face, "emedgene_prefix")
}


def create_app(
    services: Services | None = None, settings: Settings | None = None, *, run_jobs: bool = True
) -> FastAPI:
    owns_services = services is None
    if services is None:
        services = build_services(settings or load_settings())
    faces = [make(services.settings) for make in FACES]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if run_jobs:
            services.start_executor()
        try:
            yield
        finally:
            if owns_services:
                services.close()
            elif services.executor is not None:
                services.executor.stop()

    app = FastAPI(
        title="Vardesk",
        version=__version__,
        lifespan=lifespan,
        description=" ".join(
            ["Clinical genome interpretation server.", *(f.description for f in faces if f.description)]
        ),
        default_response_class=JSON,
        dependencies=[Depends(reject_nul)],
        # served by the pages face from bundled assets, not from a CDN
        docs_url=None,
        redoc_url=None,
    )
    _plumb(app, services, faces)

    @app.get("/healthz", tags=["meta"], summary="Liveness and catalog connectivity")
    def healthz() -> JSON:
        with services.ctx.uow() as uow:
            uow.workspaces.list()
        return JSON({"status": "ok", "version": __version__})

    return app


def create_face_host(services: Services, name: str) -> FastAPI:
    """A second host: face ``name`` of :data:`ROOT_FACES` alone, at the root of its own port, over the
    main host's services (the main host runs the jobs and closes the services)."""
    make, prefix_setting = ROOT_FACES[name]
    face = make(replace(services.settings, **{prefix_setting: ""}))
    app = FastAPI(
        title=f"Vardesk ({name})",
        version=__version__,
        default_response_class=JSON,
        dependencies=[Depends(reject_nul)],
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    _plumb(app, services, [face])
    return app


def _plumb(app: FastAPI, services: Services, faces: list[Face]) -> None:
    """What every host has: the services, the middleware, the faces and the error handlers."""
    app.state.services = services

    @app.middleware("http")
    async def _started(request: Request, call_next: Any) -> Response:
        request.state.started = time.perf_counter()
        return await call_next(request)

    app.add_middleware(SafeParamsMiddleware)
    app.add_middleware(RequestLogMiddleware)
    # outside the others: every answer they make carries them
    app.add_middleware(SecurityHeadersMiddleware, hsts=services.settings.tls_enabled)

    renderers = ErrorRenderers()
    register(app, faces, renderers)
    install_handlers(app, renderers)
    app.state.error_renderers = renderers
