"""The catalog's column lengths are enforced for every face: too long a value is a 422 naming the field
and its limit, on SQLite (which would store it silently) and PostgreSQL (which would fail)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.conftest import LiveServer
from tests.world import build_world
from vardesk.app.composition import Services
from vardesk.catalog import tables as t
from vardesk.domain.enums import Role

PROJECT_NAME = t.projects.c.name.type.length


@pytest.fixture(scope="module")
def server(module_services: Services) -> Iterator[tuple[LiveServer, tuple[str, str]]]:
    world = build_world(module_services, ("lab-a",))
    with LiveServer(module_services, run_jobs=False) as srv:
        yield srv, world.member("lab-a", Role.ANALYST).basic


def test_the_limits_come_from_the_tables() -> None:
    assert PROJECT_NAME == 255


def test_fabric_project_name_longer_than_its_column_is_a_422(
    server: tuple[LiveServer, tuple[str, str]],
) -> None:
    srv, auth = server
    r = requests.post(f"{srv.url}/fabric/projects/", data={"project_name": "P" * 300}, auth=auth, timeout=30)
    assert r.status_code == 422, r.text
    assert r.json() == {"description": "name may be at most 255 characters long; got 300"}
    # nothing was stored, and the limit itself (in characters, not bytes) is fine
    assert all(
        p["name"] != "P" * 300
        for p in requests.get(f"{srv.url}/fabric/projects", auth=auth).json()["objects"]
    )
    r = requests.post(
        f"{srv.url}/fabric/projects/", data={"project_name": "é" * PROJECT_NAME}, auth=auth, timeout=30
    )
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "é" * PROJECT_NAME


def test_native_project_name_longer_than_its_column_is_a_422(
    server: tuple[LiveServer, tuple[str, str]],
) -> None:
    srv, auth = server
    body = {"id": "longname", "name": "n" * (PROJECT_NAME + 1)}
    r = requests.post(f"{srv.url}/api/v2/projects/create", json=body, auth=auth, timeout=30)
    assert r.status_code == 422, r.text
    event = r.json()["events"][0]
    assert event["type"] == "ERROR" and event["message"] == "name may be at most 255 characters long; got 256"
    r = requests.get(f"{srv.url}/api/v2/projects/search", auth=auth, timeout=30)
    assert "longname" not in r.text
    # an update is checked as well as a creation
    assert requests.post(
        f"{srv.url}/api/v2/projects/create", json={"id": "short", "name": "ok"}, auth=auth, timeout=30
    ).ok
    r = requests.post(
        f"{srv.url}/api/v2/projects/short/update", json={"name": "m" * 300}, auth=auth, timeout=30
    )
    assert r.status_code == 422 and "at most 255" in r.text, r.text
