"""Body values the catalog cannot store are a 400 naming the problem on every face, on SQLite and on
PostgreSQL (which refuses NUL in text and would have answered 500), and a null text field clears it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.conftest import LiveServer
from tests.world import build_world
from vardesk.app.composition import Services
from vardesk.domain.enums import Role

API = "/api/v2"


@pytest.fixture(scope="module")
def server(module_services: Services) -> Iterator[tuple[LiveServer, tuple[str, str]]]:
    world = build_world(module_services, ("lab-a",))
    analyst = world.member("lab-a", Role.ANALYST)
    module_services.projects.create_project(analyst.actor, {"id": "bodies"})
    with LiveServer(module_services, run_jobs=False) as srv:
        yield srv, analyst.basic


def post(
    server: tuple[LiveServer, tuple[str, str]], path: str, body: Any, **params: str
) -> requests.Response:
    srv, auth = server
    return requests.post(srv.url + API + path, params=params, json=body, auth=auth, timeout=30)


def message(r: requests.Response) -> str:
    doc = r.json()
    return next(e["message"] for e in doc["events"] + doc["responses"][0]["events"] if e["type"] == "ERROR")


def test_a_nul_character_in_a_json_body_is_a_400(server: tuple[LiveServer, tuple[str, str]]) -> None:
    for path, body in [
        ("/projects/bodies/update", {"name": "a\x00b"}),
        ("/projects/bodies/update", {"attributes": {"key\x00": 1}}),
        ("/panels/create", {"name": "panel", "genes": [{"id": "SCN1A\x00"}]}),
    ]:
        r = post(server, path, body)
        assert r.status_code == 400, (path, r.text)
        assert "NUL character" in message(r), path
    srv, auth = server
    r = requests.get(srv.url + API + "/projects/bodies/info", auth=auth, timeout=30)
    assert r.json()["responses"][0]["results"][0]["name"] != "a\x00b"  # nothing was stored
    fabric = srv.services.settings.fabric_prefix.rstrip("/")
    r = requests.put(f"{srv.url}{fabric}/genomes/1", json={"name": "g\x00"}, auth=auth, timeout=30)
    assert r.status_code == 400 and "NUL character" in r.json()["description"], r.text


def test_an_object_field_given_another_type_is_a_400_naming_it(
    server: tuple[LiveServer, tuple[str, str]],
) -> None:
    for path, body, params in [
        ("/studies/bodies:default/update", {"attributes": "AAA"}, {}),
        ("/projects/bodies/update", {"attributes": [1, 2]}, {}),
        ("/analysis/clinical/create", {"id": "BODY1", "qcData": [None, None]}, {"study": "bodies:default"}),
    ]:
        r = post(server, path, body, **params)
        assert r.status_code == 400, (path, r.text)
        assert "must be a JSON object" in message(r), (path, message(r))
    r = post(server, "/analysis/clinical/create", {"id": "BODY1", "title": "t"}, study="bodies:default")
    assert r.status_code == 200, r.text
    r = post(server, "/analysis/clinical/BODY1/update", {"patientFields": "x"}, study="bodies:default")
    assert r.status_code == 400 and "must be a JSON object" in message(r), r.text


def test_a_null_text_field_of_a_case_clears_it(server: tuple[LiveServer, tuple[str, str]]) -> None:
    r = post(server, "/analysis/clinical/create", {"id": "BODY2", "title": "a title"}, study="bodies:default")
    assert r.status_code == 200, r.text
    r = post(
        server,
        "/analysis/clinical/BODY2/update",
        {"title": None, "accessionId": None},
        study="bodies:default",
        includeResult="true",
    )
    assert r.status_code == 200, r.text
    case = r.json()["responses"][0]["results"][0]
    assert case["description"] == "" and case["attributes"]["vardesk"]["accessionId"] == ""
