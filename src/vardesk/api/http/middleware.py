"""ASGI middleware shared by every face: request ids and logging, the X-fg-safe-params header and the
security headers every response carries."""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

from vardesk.logs import reset_request_id, set_request_id

log = logging.getLogger("vardesk.http")
Scope = dict[str, Any]


class SafeParamsMiddleware:
    """On every GET, merge the query parameters carried in ``X-fg-safe-params`` into the query string.

    The header holds a conventional, percent-encoded query (``k=v&k=v``, UTF-8, keys may repeat) so
    that clients can keep PHI out of URLs, bookmarks and proxy logs.
    """

    HEADER = b"x-fg-safe-params"

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            raw = [v for k, v in scope["headers"] if k.lower() == self.HEADER]
            if raw:
                pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
                for value in raw:
                    pairs += parse_qsl(
                        value.decode("utf-8", "replace"), keep_blank_values=True, encoding="utf-8"
                    )
                scope = dict(scope)
                scope["query_string"] = urlencode(pairs, encoding="utf-8").encode("ascii")
        await self.app(scope, receive, send)


class SecurityHeadersMiddleware:
    """Security headers on every response, whichever face or error handler produced it.

    ``nosniff``, ``no-referrer`` and a CSP that forbids framing (``default-src 'none'`` for API answers;
    a response that sets its own CSP, like the HTML pages, keeps it). ``Cache-Control: no-store`` on
    every response to a request that carried credentials (its body may hold PHI), replacing whatever the
    route set; other responses get it unless they set their own (the pages and static assets do).

    With ``hsts`` (the server speaks TLS), ``Strict-Transport-Security: max-age=31536000`` on every
    response too — without ``includeSubDomains``: the server's host name is the laboratory's, its sibling
    hosts are not Vardesk's to pin to HTTPS. Never under plain HTTP, where browsers ignore it anyway.
    """

    CSP = b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    FIXED = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"))
    HSTS = (b"strict-transport-security", b"max-age=31536000")

    def __init__(self, app: Any, hsts: bool = False) -> None:
        self.app = app
        self.fixed = (*self.FIXED, self.HSTS) if hsts else self.FIXED

    @staticmethod
    def _credentialed(scope: Scope) -> bool:
        for k, v in scope["headers"]:
            if k.lower() == b"authorization" or (k.lower() == b"cookie" and b"vardesk_session=" in v):
                return True
        query = scope.get("query_string", b"").decode("latin-1")
        return any(k == "sid" and v for k, v in parse_qsl(query, keep_blank_values=True))

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        credentialed = self._credentialed(scope)

        async def send_wrapper(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if not (credentialed and k.lower() == b"cache-control")
                ]
                present = {k.lower() for k, _ in headers}
                extra = [(k, v) for k, v in self.fixed if k not in present]
                if b"content-security-policy" not in present:
                    extra.append((b"content-security-policy", self.CSP))
                if b"cache-control" not in present:
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = headers + extra
            await send(message)

        await self.app(scope, receive, send_wrapper)


def route_template(scope: Scope) -> str:
    """The matched route as a template with its mount prefix, e.g. ``/api/v2/projects/{projects}/info``."""
    template = getattr(scope.get("route"), "path", None)
    if not template:
        return "<unmatched>"
    concrete = scope.get("path", "").rstrip("/").split("/")
    n = len(template.rstrip("/").split("/")) - 1
    prefix = "/".join(concrete[: len(concrete) - n]) if n else scope.get("path", "")
    return prefix + template


class RequestLogMiddleware:
    """Gives every request an id (``X-Request-ID``, echoed back) and logs one line per request.

    The line holds the method, the route template (``/api/v2/projects/{projects}/info``, never the
    concrete path, which may carry sample names), the status and the duration — never query values,
    headers or bodies.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = (
            incoming if incoming and len(incoming) <= 64 and incoming.isprintable() else secrets.token_hex(8)
        )
        token = set_request_id(rid)
        start = time.perf_counter()
        status = {"code": 500}

        async def send_wrapper(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "route": route_template(scope),
                    "status": status["code"],
                    "duration_ms": round((time.perf_counter() - start) * 1000, 1),
                },
            )
            reset_request_id(token)
