"""Running the HTTP server."""

from __future__ import annotations

import os
import socket
import ssl
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import uvicorn

from vardesk.app.composition import Services
from vardesk.config import ENV_PREFIX, Settings
from vardesk.domain.errors import Conflict, Invalid
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


def _readable(what: str, path: str) -> None:
    file = Path(path)
    if not file.exists():
        raise Invalid(f"{what} {path} does not exist")
    if not file.is_file():
        raise Invalid(f"{what} {path} is not a file")
    try:
        with file.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise Invalid(f"{what} {path} cannot be read: {exc.strerror or exc}") from None


def _encrypted() -> bytes:
    raise Invalid("is encrypted; give an unencrypted PEM key")


def check_tls(settings: Settings) -> None:
    """:class:`Invalid` naming what is wrong with the TLS settings (a missing, unreadable or malformed
    certificate or key, a key that does not match the certificate, a redirect port without TLS or equal
    to the HTTPS port), before anything listens: uvicorn's own failure would be a traceback."""
    cert, key = settings.tls_cert, settings.tls_key
    if bool(cert) != bool(key):
        given, missing = ("--tls-cert", "--tls-key") if cert else ("--tls-key", "--tls-cert")
        raise Invalid(f"{given} needs {missing} (VARDESK_TLS_CERT and VARDESK_TLS_KEY go together)")
    if settings.redirect_port and not cert:
        raise Invalid("--redirect-port needs --tls-cert and --tls-key: it redirects to the HTTPS server")
    if settings.redirect_port and settings.redirect_port == settings.port:
        raise Invalid(f"the redirect port {settings.redirect_port} is the HTTPS port; give another port")
    if not cert:
        return
    _readable("TLS certificate", cert)
    _readable("TLS key", key)
    try:
        ssl.create_default_context(cafile=cert)  # the certificate file alone: does it hold a certificate?
    except ssl.SSLError:
        raise Invalid(f"TLS certificate {cert} holds no PEM certificate") from None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(cert, key, password=_encrypted)
    except Invalid as exc:
        raise Invalid(f"TLS key {key} {exc}") from None
    except ssl.SSLError as exc:
        if exc.reason == "KEY_VALUES_MISMATCH":
            raise Invalid(f"TLS key {key} does not match the certificate {cert}") from None
        raise Invalid(f"TLS key {key} holds no PEM private key for {cert}") from None


def _listen_options(settings: Settings) -> dict[str, Any]:
    """What every HTTP(S) listener of the server shares: TLS, and which proxies are believed."""
    proxies = settings.trusted_proxies.strip()
    return {
        # X-Forwarded-For decides the address logins are throttled by: believed only from listed proxies
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": proxies or None,
        "ssl_certfile": settings.tls_cert or None,
        "ssl_keyfile": settings.tls_key or None,
    }


# What the command line may have given beyond the environment and the TOML file: the worker processes
# read their settings from the environment, so these are put there for them.
_PASSED_ON = ("host", "port", "emedgene_port", "tls_cert", "tls_key", "redirect_port", "data_dir")


def _serve_processes(settings: Settings) -> int:
    """``serve_workers`` worker processes under uvicorn's supervisor (restarted when one dies), all
    accepting on the same listening sockets: the main port and the Emedgene port, if any, served by each
    process (:func:`vardesk.api.app.worker_app`). The plain-HTTP redirect, which needs no services, runs
    in a thread of this supervising process."""
    from uvicorn.supervisors import Multiprocess

    for name in _PASSED_ON:
        value = getattr(settings, name)
        key = ENV_PREFIX + name.upper()
        if value not in ("", 0, None):
            os.environ[key] = str(value)
        else:
            os.environ.pop(key, None)
    config = uvicorn.Config(
        "vardesk.api.app:worker_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.serve_workers,
        log_config=None,
        access_log=False,
        **_listen_options(settings),
    )
    sockets = [config.bind_socket()]
    if settings.emedgene_port:
        sockets.append(_bind(settings.host, settings.emedgene_port, config.backlog))
    redirect = _redirect_server(settings, settings.port) if settings.redirect_port else None
    thread = threading.Thread(target=redirect.run, name="https-redirect", daemon=True) if redirect else None
    if thread:
        thread.start()
    try:
        Multiprocess(config, sockets=sockets).run()
    finally:
        for sock in sockets:
            sock.close()
        if redirect and thread:
            redirect.should_exit = True
            thread.join(timeout=10)
    return 0


def _bind(host: str, port: int, backlog: int) -> socket.socket:
    """A listening socket the worker processes inherit (as uvicorn binds its own)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


def _redirect_server(settings: Settings, https_port: int) -> uvicorn.Server:
    from vardesk.api.http.redirect import HttpsRedirect

    config = uvicorn.Config(
        HttpsRedirect(https_port, settings.host),
        host=settings.host,
        port=settings.redirect_port,
        log_config=None,
        access_log=False,
        lifespan="off",
    )
    return uvicorn.Server(config)


def _face_server(services: Services, settings: Settings) -> uvicorn.Server:
    """The second host: the Emedgene face at the root of its own port, same TLS as the main one."""
    from vardesk.api.app import create_face_host

    config = uvicorn.Config(
        create_face_host(services, "emedgene"),
        host=settings.host,
        port=settings.emedgene_port,
        log_config=None,
        access_log=False,
        lifespan="off",
        **_listen_options(settings),
    )
    return uvicorn.Server(config)


def serve(
    services: Services,
    host: str | None = None,
    port: int | None = None,
    emedgene_port: int | None = None,
    workers: int | None = None,
) -> int:
    from vardesk.api.app import create_app

    settings = services.settings
    configure_logging(settings.log_level, settings.log_format)
    settings = replace(
        settings,
        host=host or settings.host,
        port=port or settings.port,
        emedgene_port=emedgene_port or settings.emedgene_port,
        serve_workers=workers or settings.serve_workers,
    )
    if settings.serve_workers < 1:
        raise Invalid(f"--workers must be at least 1, not {settings.serve_workers}")
    host, port = settings.host, settings.port
    check_tls(settings)
    if settings.emedgene_port and settings.emedgene_port in (port, settings.redirect_port):
        raise Invalid(
            f"the Emedgene port {settings.emedgene_port} is already the server's; give another port"
        )
    check_listen(host, port)
    if settings.redirect_port:
        check_listen(host, settings.redirect_port)
    if settings.emedgene_port:
        check_listen(host, settings.emedgene_port)
    scheme = "https" if settings.tls_enabled else "http"
    base = f"{scheme}://{host}:{port}"
    redirect = f", http://{host}:{settings.redirect_port}/ redirects there" if settings.redirect_port else ""
    if settings.emedgene_port:
        redirect += f", the Emedgene API also at {scheme}://{host}:{settings.emedgene_port}/api"
    if settings.serve_workers > 1:
        redirect += f"; {settings.serve_workers} worker processes"
    print(
        f"Vardesk serving on {base}/ (web application {base}/, native API {base}/api/v2, "
        f"API documentation {base}/docs; "
        f"data in {settings.data_dir}{redirect})",
        file=sys.stderr,  # standard output stays the command's JSON (vardesk demo --serve > demo.json)
        flush=True,
    )
    if settings.serve_workers > 1:
        services.close()  # each worker process builds its own
        return _serve_processes(settings)
    app = create_app(services)
    extra = []  # in threads: uvicorn leaves the signal handlers to the main server
    if settings.redirect_port:
        extra.append(("https-redirect", _redirect_server(settings, port)))
    if settings.emedgene_port:
        extra.append(("emedgene-host", _face_server(services, settings)))
    threads = [threading.Thread(target=srv.run, name=name, daemon=True) for name, srv in extra]
    for thread in threads:
        thread.start()
    try:
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
            **_listen_options(settings),
        )
    finally:
        for (_, srv), thread in zip(extra, threads, strict=True):
            srv.should_exit = True
            thread.join(timeout=10)
    return 0
