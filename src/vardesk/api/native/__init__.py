"""The native face: Vardesk's REST API in OpenCGA v2 conventions, at /api/v2 and, for pyopencga, under
/opencga. Its routes are in the ``routes_*`` modules; :func:`face` is its registration with the host."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from vardesk.api.http.faces import ErrorShape, Face, Mount
from vardesk.api.http.responses import JSON
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
from vardesk.api.native.envelope import envelope, error_event, result
from vardesk.config import Settings
from vardesk.domain.errors import VardeskError

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


def error_renderer(request: Request, exc: VardeskError, status: int) -> Response:
    """An error as OpenCGA answers it: the envelope with one empty result and an ERROR event."""
    resp = envelope(request, [result([], num_matches=0)], events=[error_event(exc)], status=status)
    if status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="vardesk", Basic realm="vardesk"'
    return resp


def _install(app: FastAPI, links: Mapping[str, str]) -> None:
    app.state.native_prefix = NATIVE_PREFIX

    @app.api_route(OPENCGA_APP, methods=["HEAD", "GET"], include_in_schema=False)
    def opencga_root() -> Response:
        return JSON({"application": "Vardesk", "rest": OPENCGA_PREFIX})

    openapi_docs.install(app)


def face(settings: Settings) -> Face:
    """Every native router at the native prefix (in the OpenAPI document) and again under /opencga."""
    mounts = []
    for router in NATIVE_ROUTERS:
        mounts += [Mount(NATIVE_PREFIX, router), Mount(OPENCGA_PREFIX, router, in_schema=False)]
    return Face(
        name="native",
        mounts=tuple(mounts),
        errors=(ErrorShape(NATIVE_PREFIX, error_renderer), ErrorShape(OPENCGA_PREFIX, error_renderer)),
        links={"native": NATIVE_PREFIX, "opencga": OPENCGA_APP},
        description=f"Native REST API (OpenCGA v2 conventions) at {NATIVE_PREFIX}, also mounted at "
        f"{OPENCGA_PREFIX} for pyopencga.",
        install=_install,
    )


__all__ = ["NATIVE_PREFIX", "NATIVE_ROUTERS", "OPENCGA_APP", "OPENCGA_PREFIX", "error_renderer", "face"]
