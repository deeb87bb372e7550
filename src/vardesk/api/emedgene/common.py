"""What every Emedgene route shares: the error shape (``{"message": …}``), the statuses the clients expect,
the credentials they send (``Authorization`` or ``Emgauthorization``, any case of ``Bearer``), and where the
face's cases live."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from vardesk.api.http.deps import client_address, get_services
from vardesk.api.http.errors import status_for
from vardesk.api.http.responses import JSON
from vardesk.app.composition import Services
from vardesk.domain.access import Actor
from vardesk.domain.errors import (
    Conflict,
    Invalid,
    NotFound,
    TokenExpired,
    Unauthenticated,
    VardeskError,
    error_text,
)


def route(router: APIRouter, method: str, path: str, doc: dict[str, Any]) -> Callable[[Any], Any]:
    """Register ``path`` and its other trailing-slash form for ``method``, never redirecting (clients
    use both, and a redirected POST becomes a GET). ``doc`` is the route's OpenAPI description
    (``openapi_docs.op``); only ``path`` as written is in the document."""
    bare = path.rstrip("/")

    def decorate(fn: Callable[..., Any]) -> Any:
        for form in (bare, bare + "/"):
            router.add_api_route(
                form,
                fn,
                methods=[method],
                include_in_schema=form == path,
                operation_id=f"emedgene_{fn.__name__}",
                **doc,
            )
        return fn

    return decorate


def emedgene_status(exc: VardeskError) -> int:
    """The shared mapping, except: an expired token is 403 (the clients re-login on it), a missing entity
    404, a conflict 409."""
    if isinstance(exc, TokenExpired):
        return 403
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Conflict):
        return 409
    return status_for(exc)


def emedgene_renderer(request: Request, exc: VardeskError, status: int) -> Response:
    """The CLI prints ``response.data.message``."""
    return JSON({"message": error_text(exc), "error": exc.code}, status_code=status)


def _credentials(request: Request) -> tuple[str, str]:
    """(scheme, value) from ``Authorization``, else ``Emgauthorization`` (the batch CLI's ``-t``); an
    empty header counts as absent. A value without a scheme is taken as a bearer token, and a doubled
    ``Bearer Bearer`` (a client that did not strip the prefix it was given) as one."""
    for name in ("authorization", "emgauthorization"):
        header = request.headers.get(name, "").strip()
        if not header:
            continue
        scheme, _, value = header.partition(" ")
        if not value:
            return "bearer", scheme
        value = value.strip()
        if scheme.lower() == "bearer":
            head, _, rest = value.partition(" ")
            if head.lower() == "bearer" and rest:
                value = rest.strip()
        return scheme.lower(), value
    return "", ""


def require_actor(request: Request) -> Actor:
    services = get_services(request)
    scheme, value = _credentials(request)
    if scheme == "bearer" and value:
        actor = services.auth.authenticate_bearer(value)
    elif scheme == "basic" and value:
        try:
            login, sep, secret = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthenticated("malformed Basic credentials") from None
        if not sep:
            raise Unauthenticated("malformed Basic credentials")
        actor = services.auth.authenticate_basic(login, secret, client_address(request))
    elif scheme:
        raise Unauthenticated("unsupported Authorization scheme; send Authorization: Bearer <access_token>")
    else:
        raise Unauthenticated("authentication required: log in at /api/auth/v2/api_login/ for a token")
    request.state.actor = actor
    return actor


def project(services: Services) -> str:
    """The project of each workspace that holds the cases created through this face."""
    return services.settings.emedgene_project


def home(services: Services, actor: Actor) -> str | None:
    return services.case_intake.home(actor, project(services))


def paging(request: Request, default_size: int = 10, max_size: int = 1000) -> tuple[int, int]:
    """``from`` (0-based offset) and ``size``; a bad number is a 400 naming it."""
    out = []
    for name, default in (("from", 0), ("size", default_size)):
        raw = request.query_params.get(name)
        if raw in (None, ""):
            out.append(default)
            continue
        text = raw.strip()
        if not text.isascii() or not text.isdigit():
            raise Invalid(f"{name} must be a non-negative integer")
        out.append(int(text))
    return out[0], min(out[1], max_size)


def page(items: list[Any], offset: int, size: int) -> dict[str, Any]:
    return {"total": len(items), "from": offset, "size": size, "hits": items[offset : offset + size]}
