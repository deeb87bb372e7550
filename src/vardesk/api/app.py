"""FastAPI application factory: every face mounted on one core."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from starlette.requests import Request
from starlette.responses import Response

from vardesk import __version__
from vardesk.api.http.deps import reject_nul
from vardesk.api.http.errors import ErrorRenderers, install_handlers, native_renderer
from vardesk.api.fabric import build_router as fabric_router
from vardesk.api.fabric import fabric_renderer, fabric_status
from vardesk.api.http.middleware import RequestLogMiddleware, SafeParamsMiddleware, SecurityHeadersMiddleware
from vardesk.api.native import (
    openapi_docs,
    routes_clinical,
    routes_config,
    routes_core,
    routes_data,
    routes_index,
    routes_jobs,
    routes_variants,
)
from vardesk.api.native.envelope import JSON
from vardesk.api.pages import Links
from vardesk.api.pages import install as install_pages
from vardesk.config import Settings, load_settings
from vardesk.app.composition import Services, build_services

NATIVE_PREFIX = "/api/v2"
OPENCGA_APP = "/opencga"
OPENCGA_PREFIX = OPENCGA_APP + "/webservices/rest/v2"
NATIVE_ROUTERS = (
    routes_index.router,
    routes_core.router,
    routes_jobs.router,
    routes_data.router,
    routes_variants.router,
    routes_config.router,  # before routes_clinical: /analysis/clinical/configuration is not a case id
    routes_clinical.router,
)


def create_app(
    services: Services | None = None, settings: Settings | None = None, *, run_jobs: bool = True
) -> FastAPI:
    owns_services = services is None
    if services is None:
        services = build_services(settings or load_settings())

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
        description="Clinical genome interpretation server. Native REST API (OpenCGA v2 conventions) at "
        f"{NATIVE_PREFIX}, also mounted at {OPENCGA_PREFIX} for pyopencga.",
        default_response_class=JSON,
        dependencies=[Depends(reject_nul)],
        # served by vardesk.api.pages from bundled assets, not from a CDN
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = services
    app.state.native_prefix = NATIVE_PREFIX

    @app.middleware("http")
    async def _started(request: Request, call_next: Any) -> Response:
        request.state.started = time.perf_counter()
        return await call_next(request)

    app.add_middleware(SafeParamsMiddleware)
    app.add_middleware(RequestLogMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)  # outside the others: every answer they make carries them

    renderers = ErrorRenderers()
    renderers.register(NATIVE_PREFIX, native_renderer)
    renderers.register(OPENCGA_PREFIX, native_renderer)
    fabric_prefix = services.settings.fabric_prefix.rstrip("/")
    renderers.register(fabric_prefix, fabric_renderer, fabric_status)
    install_handlers(app, renderers)
    app.state.error_renderers = renderers

    for router in NATIVE_ROUTERS:
        app.include_router(router, prefix=NATIVE_PREFIX)
        app.include_router(router, prefix=OPENCGA_PREFIX, include_in_schema=False)

    @app.api_route(fabric_prefix, methods=["HEAD", "GET"], include_in_schema=False)
    def fabric_root() -> Response:
        return JSON(
            {"application": "Vardesk", "face": "Fabric Genomics-compatible API", "prefix": fabric_prefix}
        )

    # The Fabric face reads raw bodies by endpoint (contract §1.4), so a generated schema would misdescribe
    # it; its reference is docs/fabric.md and the Fabric contract.
    app.include_router(fabric_router(), prefix=fabric_prefix, include_in_schema=False)

    @app.api_route(OPENCGA_APP, methods=["HEAD", "GET"], include_in_schema=False)
    def opencga_root() -> Response:
        return JSON({"application": "Vardesk", "rest": OPENCGA_PREFIX})

    install_pages(app, Links(native=NATIVE_PREFIX, opencga=OPENCGA_APP, fabric=fabric_prefix))
    openapi_docs.install(app)

    @app.get("/healthz", tags=["meta"], summary="Liveness and catalog connectivity")
    def healthz() -> JSON:
        with services.ctx.uow() as uow:
            uow.workspaces.list()
        return JSON({"status": "ok", "version": __version__})

    return app
