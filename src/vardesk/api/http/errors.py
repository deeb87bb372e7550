"""Turning errors into responses. Each face's registration (:mod:`vardesk.api.http.faces`) names the URL
prefixes whose errors it renders and how; outside them an error is plain JSON."""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Callable

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match

from vardesk.api.http.responses import JSON
from vardesk.domain.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    TooLarge,
    Unauthenticated,
    Unavailable,
    Unprocessable,
    VardeskError,
    error_text,
)

log = logging.getLogger("vardesk.api")
Renderer = Callable[[Request, VardeskError, int], Response]
StatusFor = Callable[[VardeskError], int]


def status_for(exc: VardeskError) -> int:
    if isinstance(exc, Unauthenticated):
        return 401
    if isinstance(exc, Forbidden):
        return 403
    if isinstance(exc, TooLarge):
        return 413
    if isinstance(exc, RateLimited):
        return 429
    if isinstance(exc, Unavailable):
        return 503
    if isinstance(exc, Unprocessable):
        return 422
    if isinstance(exc, (Invalid, NotFound, Conflict)):
        return 400
    return 500


def plain_renderer(request: Request, exc: VardeskError, status: int) -> Response:
    return JSON({"error": exc.code, "message": error_text(exc)}, status_code=status)


def server_roots(request: Request) -> list[str]:
    """Directories of this server that an error message must never reveal."""
    roots = {tempfile.gettempdir(), "/tmp", "/var/tmp"}
    services = getattr(request.app.state, "services", None)
    if services is not None:
        data = services.settings.data_dir
        roots |= {str(data), str(data.resolve())}
        store = getattr(services, "store", None)
        if store is not None:
            roots |= set(store.local_roots())
    return sorted((r.rstrip("/") for r in roots if r and r != "/"), key=len, reverse=True)


def without_server_paths(message: str, roots: list[str]) -> str:
    """``message`` with every path under ``roots`` cut to its last component (``/srv/vardesk/blobs/x/
    upload`` → ``upload``): a library's error text (htslib, OSError) often names the file it failed on."""

    def last(m: re.Match[str]) -> str:
        rest = m.group(1).strip("/")
        return rest.rsplit("/", 1)[-1] if rest else "the server's directory"

    for root in roots:
        message = re.sub(
            re.escape(root) + r"((?:/[^\s'\"`,;()\[\]<>]*)?)(?![^/\s'\"`,;()\[\]<>])", last, message
        )
    return message


class ErrorRenderers:
    """Longest matching prefix wins; outside every face, a plain JSON error."""

    def __init__(self) -> None:
        self._by_prefix: list[tuple[str, Renderer, StatusFor]] = []

    def register(self, prefix: str, renderer: Renderer, status: StatusFor = status_for) -> None:
        self._by_prefix.append((prefix.rstrip("/"), renderer, status))
        self._by_prefix.sort(key=lambda x: -len(x[0]))

    def render(self, request: Request, exc: VardeskError, status: int | None = None) -> Response:
        exc.message = without_server_paths(exc.message, server_roots(request))
        path = request.url.path
        for prefix, renderer, status_fn in self._by_prefix:
            if path == prefix or path.startswith(prefix + "/"):
                return renderer(request, exc, status if status is not None else status_fn(exc))
        return plain_renderer(request, exc, status if status is not None else status_for(exc))


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> str:
    """The methods some route answers at this path, for the ``Allow`` header of a 405 (RFC 9110 §15.5.6).

    Starlette's own header names only the first route that matched the path, while one Fabric path is
    often several routes (GET, PUT and DELETE on a genome), so every route is asked."""
    routes = request.app.router.routes
    allowed = []
    for method in _METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in routes):
            allowed.append(method)
    return ", ".join(allowed)


def install_handlers(app, renderers: ErrorRenderers) -> None:  # type: ignore[no-untyped-def]
    @app.exception_handler(VardeskError)
    async def _domain(request: Request, exc: VardeskError) -> Response:
        resp = renderers.render(request, exc)
        if isinstance(exc, (RateLimited, Unavailable)):
            resp.headers["Retry-After"] = str(exc.retry_after)
        return resp

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        message = "no such endpoint" if exc.status_code == 404 else str(exc.detail)
        allow = allowed_methods(request) if exc.status_code == 405 else ""
        if allow:
            message = f"{request.method} is not allowed here; use {allow}"
        resp = renderers.render(request, Invalid(message), exc.status_code)
        for key, value in (exc.headers or {}).items():
            resp.headers.setdefault(key, value)
        if allow:
            resp.headers["Allow"] = allow
        return resp

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
            parts.append(f"{loc}: {err.get('msg')}" if loc else str(err.get("msg")))
        return renderers.render(request, Invalid("; ".join(parts) or "invalid request"), 400)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.error("unhandled error", exc_info=exc)
        return renderers.render(request, VardeskError("internal server error; see the server log"), 500)
