"""Running the HTTP server."""

from __future__ import annotations

import socket
import sys

import uvicorn

from vardesk.app.composition import Services
from vardesk.domain.errors import Conflict
from vardesk.logs import configure_logging


def check_listen(host: str, port: int) -> None:
    """:class:`Conflict` when ``host:port`` cannot be listened on (in use, no such address), before the
    app is built: the server's own failure would be a log line, not the command line's error."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise Conflict(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise Conflict(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def serve(services: Services, host: str | None = None, port: int | None = None) -> int:
    from vardesk.api.app import create_app

    settings = services.settings
    configure_logging(settings.log_level, settings.log_format)
    host = host or settings.host
    port = port or settings.port
    check_listen(host, port)
    app = create_app(services)
    base = f"http://{host}:{port}"
    print(
        f"Vardesk serving on {base}/ (native API {base}/api/v2, API documentation {base}/docs; "
        f"data in {settings.data_dir})",
        file=sys.stderr,  # standard output stays the command's JSON (vardesk demo --serve > demo.json)
        flush=True,
    )
    proxies = settings.trusted_proxies.strip()
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        # X-Forwarded-For decides the address logins are throttled by: believed only from listed proxies
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
    )
    return 0
