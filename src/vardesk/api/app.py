"""FastAPI application factory: every face mounted on one core."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from fastapi import Depends, FastAPI

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
    services: Services | None = None,
    settings: Settings | None = None,
    *,
    run_jobs: bool = True,
    owns_services: bool | None = None,
) -> FastAPI:
    """The main host. It closes the services at shutdown when it built them (or ``owns_services``)."""
    owns_services = services is None if owns_services is None else owns_services
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


def worker_app() -> Any:
    """The app of one ``vardesk serve --workers N`` process (uvicorn's factory, called in each process).

    The settings are read from the environment, where the supervising process put the command line's
    options; the services (catalog pool, DuckDB, job executor) are this process's own, the catalog having
    been migrated by the supervisor. With an Emedgene port the process serves both listening sockets and
    answers each connection with the host of the port it came in on.
    """
    from vardesk.logs import configure_logging

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    services = build_services(settings, migrate=False)
    main = create_app(services, owns_services=True)
    if not services.settings.emedgene_port:
        return main
    return PortHosts(main, {services.settings.emedgene_port: create_face_host(services, "emedgene")})


class PortHosts:
    """One ASGI app over several listening sockets: each connection goes to the host of its local port,
    the main host otherwise; lifespan events go to the main host (which runs the jobs and owns the
    services)."""

    def __init__(self, main: Any, by_port: dict[int, Any]) -> None:
        self.main = main
        self.by_port = by_port

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        server = scope.get("server") if scope["type"] != "lifespan" else None
        host = self.by_port.get(server[1]) if server else None
        await (host or self.main)(scope, receive, send)


class StartedAt:
    """Notes when the request came in (``request.state.started``, the envelopes' ``time``): a plain ASGI
    middleware, cheaper per request than an ``@app.middleware`` function."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope.setdefault("state", {})["started"] = time.perf_counter()
        await self.app(scope, receive, send)


def _plumb(app: FastAPI, services: Services, faces: list[Face]) -> None:
    """What every host has: the services, the middleware, the faces and the error handlers."""
    app.state.services = services
    app.add_middleware(StartedAt)
    app.add_middleware(SafeParamsMiddleware)
    app.add_middleware(RequestLogMiddleware)
    # outside the others: every answer they make carries them
    app.add_middleware(SecurityHeadersMiddleware, hsts=services.settings.tls_enabled)

    renderers = ErrorRenderers()
    register(app, faces, renderers)
    install_handlers(app, renderers)
    app.state.error_renderers = renderers
