"""Security headers on every kind of response, and the Allow header of a 405, on a real server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.conftest import LiveServer
from tests.world import build_world
from vardesk.app.composition import Services
from vardesk.domain.enums import Role


@pytest.fixture(scope="module")
def server(module_services: Services) -> Iterator[tuple[LiveServer, tuple[str, str]]]:
    world = build_world(module_services)
    with LiveServer(module_services, run_jobs=False) as srv:
        yield srv, world.member("lab-a", Role.ANALYST).basic


AUTHED = object()
# (method, path, credentials?, expected status)
REPRESENTATIVE = [
    ("GET", "/api/v2/projects/search", AUTHED, 200),
    ("GET", "/opencga/webservices/rest/v2/jobs/search", AUTHED, 200),
    ("GET", "/fabric/projects", AUTHED, 200),
    ("GET", "/healthz", None, 200),
    ("GET", "/api/v2/projects/search", None, 401),
    ("GET", "/fabric/projects", None, 401),
    ("GET", "/api/v2/no/such/thing", AUTHED, 404),
    ("GET", "/fabric/genomes/12345", AUTHED, 404),
    ("DELETE", "/api/v2/projects/search", AUTHED, 405),
    ("PATCH", "/fabric/genomes/1", AUTHED, 405),
    ("POST", "/fabric/projects/", AUTHED, 422),
    ("GET", "/api/v2/jobs/%C2%B2/info", AUTHED, 400),
]


@pytest.mark.parametrize(("method", "path", "creds", "status"), REPRESENTATIVE)
def test_api_responses_carry_the_security_headers(
    server: tuple[LiveServer, tuple[str, str]], method: str, path: str, creds: object, status: int
) -> None:
    srv, auth = server
    r = requests.request(method, srv.url + path, auth=auth if creds is AUTHED else None, timeout=30)
    assert r.status_code == status, r.text
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/", "/about", "/docs", "/redoc"])
def test_pages_keep_their_own_csp(server: tuple[LiveServer, tuple[str, str]], path: str) -> None:
    srv, auth = server
    r = requests.get(srv.url + path, timeout=30)
    assert r.status_code == 200
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    # the web application's pages are never stored (they hold PHI once signed in); the documentation
    # pages are revalidated
    assert r.headers["Cache-Control"] == ("no-store" if path == "/" else "no-cache")
    # with credentials nothing of the answer may be stored
    assert requests.get(srv.url + path, auth=auth, timeout=30).headers["Cache-Control"] == "no-store"


def test_static_assets_stay_cacheable_without_credentials(server: tuple[LiveServer, tuple[str, str]]) -> None:
    srv, _ = server
    r = requests.get(srv.url + "/static/vendor/favicon.png", timeout=30)
    assert r.status_code == 200
    assert r.headers["Cache-Control"].startswith("public")
    assert r.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/api/v2/projects/search", "GET"),
        ("GET", "/api/v2/projects/create", "POST"),
        ("GET", "/opencga/webservices/rest/v2/jobs/j1/kill", "POST"),
        ("PATCH", "/fabric/genomes/1", "GET, PUT, DELETE"),
        ("PATCH", "/fabric/genomes/1/", "GET, PUT, DELETE"),
        ("DELETE", "/fabric/projects/", "GET, POST"),
        ("PUT", "/", "GET, HEAD"),
        ("POST", "/healthz", "GET"),
    ],
)
def test_405_names_the_allowed_methods(
    server: tuple[LiveServer, tuple[str, str]], method: str, path: str, allow: str
) -> None:
    srv, auth = server
    r = requests.request(method, srv.url + path, auth=auth, timeout=30)
    assert r.status_code == 405
    assert r.headers["Allow"] == allow
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    message = (
        body.get("description") or body.get("message") or body["events"][0]["message"]  # face's error shape
    )
    assert f"use {allow}" in message
