"""The plain-HTTP listener beside an HTTPS server: every request gets 302 to the same path and query on
the HTTPS origin (what ``http://`` clients of the Fabric API expect of port 80)."""

from __future__ import annotations

import re
from typing import Any

Scope = dict[str, Any]
# A host name or IPv4 address, or a bracketed IPv6 address, with an optional port: anything else in the
# Host header (or none) is replaced by the server's own host.
_HOST = re.compile(r"^(?P<name>[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")


class HttpsRedirect:
    """ASGI app answering every HTTP request with ``302 Found`` to ``https://<host>[:port]<path>?<query>``.

    The host is the request's Host header without its port (else ``default_host``); the port is the
    HTTPS port, left out when it is 443. The path keeps its percent-encoding and the query string is kept
    as sent. The body says nothing beyond the new location, and the request body is never read.
    """

    def __init__(self, https_port: int, default_host: str) -> None:
        self.https_port = https_port
        self.default_host = default_host

    def location(self, scope: Scope) -> str:
        raw = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1").strip()
        match = _HOST.match(raw)
        host = match.group("name") if match else self.default_host
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"  # a bare IPv6 default host
        port = "" if self.https_port == 443 else f":{self.https_port}"
        path = (scope.get("raw_path") or scope.get("path", "/").encode("utf-8")).decode("latin-1") or "/"
        query = scope.get("query_string", b"").decode("latin-1")
        return f"https://{host}{port}{path}" + (f"?{query}" if query else "")

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":  # served with lifespan off: no other scope reaches here
            return
        body = b'{"description": "HTTPS only"}'
        await send(
            {
                "type": "http.response.start",
                "status": 302,
                "headers": [
                    (b"location", self.location(scope).encode("latin-1")),
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
