"""The app behind TLS: Strict-Transport-Security on every answer and https Fabric URLs (an app served over
real TLS by uvicorn on loopback); none of it without TLS; where the plain-HTTP redirect points."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import requests
import uvicorn

from tests.certificates import self_signed
from tests.conftest import LiveServer, free_port
from tests.world import build_world
from vardesk.api.http.redirect import HttpsRedirect
from vardesk.app.composition import Services
from vardesk.domain.enums import Role

NEW_CASE = {
    "members": [{"accession": "s1", "affected": True, "phi": {}, "relationship": "PROBAND", "sex": "MALE"}],
    "hpo_terms": ["HP:0000118"],
    "assembly_version": "b38",
    "analysis_types": ["WGS"],
}


@pytest.fixture
def tls_server(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, Path]]:
    """(base URL, CA certificate) of the app served over HTTPS with its settings saying so."""
    from vardesk.api.app import create_app

    cert, key = self_signed(tmp_path / "tls")
    monkeypatch.setattr(
        services, "settings", replace(services.settings, tls_cert=str(cert), tls_key=str(key))
    )
    port = free_port()
    config = uvicorn.Config(
        create_app(services, run_jobs=False),
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
        lifespan="on",
        ssl_certfile=str(cert),
        ssl_keyfile=str(key),
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not srv.started:
        assert time.time() < deadline and thread.is_alive(), "TLS server did not start"
        time.sleep(0.02)
    yield f"https://127.0.0.1:{port}", cert
    srv.should_exit = True
    thread.join(timeout=10)


def test_hsts_and_https_fabric_urls_under_tls(services: Services, tls_server: tuple[str, Path]) -> None:
    base, ca = tls_server
    analyst = build_world(services, ("lab-a",)).member("lab-a", Role.ANALYST).basic
    r = requests.get(f"{base}/healthz", verify=str(ca), timeout=10)
    assert r.status_code == 200 and r.headers["Strict-Transport-Security"] == "max-age=31536000"
    r = requests.get(f"{base}/fabric/projects/", verify=str(ca), timeout=10)  # an error answer too
    assert r.status_code == 401 and r.headers["Strict-Transport-Security"] == "max-age=31536000"
    # the FE3 upload URLs the server hands out name the HTTPS origin when no public URL is set
    r = requests.post(
        f"{base}/fabric/case_containers", auth=analyst, data=json.dumps(NEW_CASE), verify=str(ca), timeout=60
    )
    assert r.status_code == 200, r.text
    url = r.json()["urls"][0]["url"]
    assert url.startswith(f"{base}/fabric/case_containers/{r.json()['case_container_id']}/members/")


def test_no_hsts_without_tls(live_server: LiveServer) -> None:
    r = requests.get(f"{live_server.url}/healthz", timeout=10)
    assert r.status_code == 200 and "Strict-Transport-Security" not in r.headers
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def scope(host: bytes | None, raw_path: bytes, query: bytes = b"") -> dict:
    headers = [(b"host", host)] if host is not None else []
    return {
        "type": "http",
        "headers": headers,
        "path": raw_path.decode(),
        "raw_path": raw_path,
        "query_string": query,
    }


@pytest.mark.parametrize(
    ("host", "path", "query", "location"),
    [
        (b"lab.example.org", b"/fabric/reports/1/", b"extended=True&&x=", "https://lab.example.org:8443/fabric/reports/1/?extended=True&&x="),
        (b"lab.example.org:80", b"/a%20b", b"", "https://lab.example.org:8443/a%20b"),
        (b"[::1]:8080", b"/", b"q=%C3%A9", "https://[::1]:8443/?q=%C3%A9"),
        # a missing or odd Host header is not echoed: the server's own host is used
        (None, b"/x", b"", "https://127.0.0.1:8443/x"),
        (b"evil.org/path?", b"/x", b"", "https://127.0.0.1:8443/x"),
        (b"a b", b"/x", b"", "https://127.0.0.1:8443/x"),
    ],
)  # fmt: skip
def test_redirect_location(host: bytes | None, path: bytes, query: bytes, location: str) -> None:
    assert HttpsRedirect(8443, "127.0.0.1").location(scope(host, path, query)) == location


def test_redirect_to_port_443_leaves_the_port_out() -> None:
    assert HttpsRedirect(443, "::1").location(scope(None, b"/p")) == "https://[::1]/p"
    assert (
        HttpsRedirect(443, "h").location(scope(b"lab.example.org:80", b"/p")) == "https://lab.example.org/p"
    )
