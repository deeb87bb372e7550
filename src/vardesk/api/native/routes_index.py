"""Native API: the index at the API's base URL, so the URL that ``vardesk demo`` prints answers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request

from vardesk import __version__
from vardesk.api.native import openapi_docs as od
from vardesk.api.native.envelope import JSON, envelope, result

router = APIRouter()


def operations(request: Request, prefix: str) -> list[dict[str, Any]]:
    """The native operations as method, path (under ``prefix``) and summary, from the OpenAPI document."""
    documented = request.app.state.native_prefix
    ops = []
    for path, item in request.app.openapi()["paths"].items():
        if path.startswith(documented + "/"):
            for method, op in item.items():
                ops.append(
                    {
                        "method": method.upper(),
                        "path": prefix + path[len(documented) :],
                        "summary": op.get("summary", ""),
                    }
                )
    return sorted(ops, key=lambda o: (o["path"], o["method"]))


@router.get(
    "",
    tags=["meta"],
    summary="Index of the native API: documentation links, how to log in, every operation",
    openapi_extra=od.op(result="ApiIndex", auth=False),
)
def api_index(request: Request) -> JSON:
    prefix = request.url.path.rstrip("/")
    doc = {
        "program": "Vardesk",
        "version": __version__,
        "apiVersion": "v2",
        "baseUrl": prefix,
        "documentation": {"swaggerUi": "/docs", "redoc": "/redoc", "openapi": "/openapi.json"},
        "login": {
            "method": "POST",
            "path": f"{prefix}/users/login",
            "body": {"user": "<login>", "password": "<password>"},
            "token": "responses[0].results[0].token",
            "use": "Authorization: Bearer <token>, or HTTP Basic with an API key's login and password",
        },
        "operations": operations(request, prefix),
    }
    return envelope(request, [result([doc], num_matches=1)])
