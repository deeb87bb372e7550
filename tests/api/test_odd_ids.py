"""Every route with path parameters, on both faces, answers odd ids with a 4xx JSON error, never a 5xx."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests

from tests.conftest import LiveServer
from tests.world import PASSWORD, build_world
from vardesk.api import web
from vardesk.app.composition import Services
from vardesk.domain.enums import Role
from vardesk.domain.errors import Invalid
from vardesk.domain.ids import MAX_ID, numeric_id, parse_id

ODD_IDS = [
    "²",
    "٣",
    "99999999999999999999999",
    str(MAX_ID + 1),
    str(2**59),  # within 64 bits, beyond PostgreSQL's INTEGER keys
    "-1",
    "0x10",
    "%00",
    "x" * 300,
    "1.5",
    "%201",
]


def walk(routes: list, prefix: str = "") -> Iterator[tuple[str, list[str]]]:
    """(path template, methods) of every route, through included routers."""
    for r in routes:
        ctx = getattr(r, "include_context", None)
        if ctx is not None:
            yield from walk(r.original_router.routes, prefix + ctx.prefix)
        elif getattr(r, "path", None) is not None:
            yield prefix + r.path, sorted(getattr(r, "methods", None) or [])


def native_error(doc: dict) -> str:
    events = doc["events"] + [e for r in doc["responses"] for e in r["events"]]
    return next(e["message"] for e in events if e["type"] == "ERROR")


@pytest.fixture(scope="module")
def server(module_services: Services) -> Iterator[tuple[LiveServer, tuple[str, str]]]:
    world = build_world(module_services)
    with LiveServer(module_services, run_jobs=False) as srv:
        srv.admin_email = world.member("lab-a", Role.ADMIN).email  # type: ignore[attr-defined]
        yield srv, world.member("lab-a", Role.ADMIN).basic


def is_web(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in web.PREFIXES)


def signed_in(srv: LiveServer, email: str) -> requests.Session:
    browser = requests.Session()
    form = browser.get(srv.url + "/", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    data = {"email": email, "password": PASSWORD, "csrf_token": token}
    assert browser.post(srv.url + "/sign-in", data=data, allow_redirects=False, timeout=30).status_code == 303
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', browser.get(srv.url + "/cases").text)
    browser.headers["X-CSRF-Token"] = csrf.group(1)  # type: ignore[union-attr]
    return browser


def test_parse_id() -> None:
    assert parse_id("42") == 42 and parse_id(7) == 7 and parse_id(str(MAX_ID)) == MAX_ID
    assert MAX_ID == 2**31 - 1  # PostgreSQL's INTEGER, the catalog's primary keys
    for odd in ["²", "٣", "", "-1", "0", " 1", "1.5", "0x10", str(MAX_ID + 1), str(2**59), True, None]:
        assert numeric_id(odd) is None
        with pytest.raises(Invalid, match="is not a valid id"):
            parse_id(odd, "report id")


def test_every_route_answers_odd_ids_with_a_json_4xx(server: tuple[LiveServer, tuple[str, str]]) -> None:
    srv, auth = server
    fabric = srv.services.settings.fabric_prefix.rstrip("/")
    emedgene = srv.services.settings.emedgene_prefix.rstrip("/")
    routes = [
        (path, method)
        for path, methods in walk(srv.server.config.app.routes)
        if "{" in path and not path.startswith("/static")
        for method in methods
        if method in ("GET", "POST", "PUT", "PATCH", "DELETE")
    ]
    faces = {p.split("/")[1] for p, _ in routes}
    assert {"api", "opencga", fabric.strip("/"), emedgene.strip("/"), "cases"} <= faces, faces
    failures = []
    browser = signed_in(srv, srv.admin_email)  # type: ignore[attr-defined]
    for path, method in routes:
        for odd in ODD_IDS:
            concrete = re.sub(r"\{[^}]+\}", odd, path)
            if is_web(path):  # the web application answers with an HTML page that names the problem
                r = browser.request(method, srv.url + concrete, allow_redirects=False, timeout=30)
                html = r.headers.get("content-type", "").startswith("text/html")
                if not (400 <= r.status_code < 500 and html and 'role="alert"' in r.text):
                    failures.append(f"{method} {path} [{odd[:25]}] -> {r.status_code} {r.text[:100]}")
                continue
            r = requests.request(method, srv.url + concrete, auth=auth, timeout=30)
            is_json = r.headers.get("content-type", "").startswith("application/json")
            if not (400 <= r.status_code < 500 and is_json):
                failures.append(f"{method} {path} [{odd[:25]}] -> {r.status_code} {r.text[:100]}")
                continue
            doc = r.json()
            if path.startswith(fabric):
                message = doc["description"]
            elif path.startswith(emedgene):
                message = doc["message"]
            else:
                message = native_error(doc)
            assert message and "internal" not in message, (method, path, odd, message)
    assert not failures, "\n".join(failures[:40])


@pytest.mark.parametrize("odd", ["²", "99999999999999999999999", "-1"])
def test_the_messages_name_the_problem(server: tuple[LiveServer, tuple[str, str]], odd: str) -> None:
    srv, auth = server
    fabric = srv.services.settings.fabric_prefix.rstrip("/")
    r = requests.get(f"{srv.url}{fabric}/reports/{odd}", auth=auth, timeout=30)
    assert r.status_code == 400
    assert r.json()["description"].startswith("report_id: ") and "not a valid id" in r.json()["description"]
    r = requests.get(f"{srv.url}/api/v2/jobs/{odd}/info", auth=auth, timeout=30)
    assert r.status_code == 400
    assert r.json()["responses"][0]["events"][0]["message"] == f"job {odd} not found"
    r = requests.get(f"{srv.url}/api/v2/panels/{odd}/info", auth=auth, timeout=30)
    assert r.status_code == 400 and "panel id" in r.json()["responses"][0]["events"][0]["message"]


@pytest.mark.parametrize("path", ["/api/v2/jobs/search?study=%00", "/fabric/projects?name=a%00b"])
def test_a_nul_in_the_query_is_a_400(server: tuple[LiveServer, tuple[str, str]], path: str) -> None:
    srv, auth = server
    r = requests.get(srv.url + path, auth=auth, timeout=30)
    assert r.status_code == 400 and "NUL character" in r.text, r.text
