"""A full query gate answers 503 with Retry-After and a JSON body, on a real server; then queries again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import LiveServer, fresh_database_url, make_settings
from tests.world import World, build_world
from vardesk.app.composition import Services, build_services
from vardesk.domain.enums import Role

API = "/api/v2"


@pytest.fixture(scope="module")
def gated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Services, World, LiveServer]]:
    tmp: Path = tmp_path_factory.mktemp("gate")
    gen = fresh_database_url("sqlite", tmp)
    url = next(gen)
    settings = make_settings(tmp / "data", url, query_slots=1, query_queue=0, query_wait_seconds=1.0)
    svc = build_services(settings)
    world = build_world(svc, ("lab-a",))
    svc.projects.create_project(world.member("lab-a", Role.ANALYST).actor, {"id": "trio"})
    with LiveServer(svc) as server:
        yield svc, world, server
    svc.close()
    gen.close()


def test_a_full_gate_is_a_503_with_retry_after_not_a_reset(gated: tuple[Services, World, LiveServer]) -> None:
    svc, world, server = gated
    auth = world.member("lab-a", Role.ANALYST).basic
    params = {"study": "trio:default", "count": "true"}
    with svc.variants.queries.slot():  # another query holds the only slot; no queue
        r = requests.get(server.url + API + "/analysis/variant/query", params=params, auth=auth, timeout=30)
        export = requests.get(
            server.url + API + "/analysis/variant/export", params=params, auth=auth, timeout=30
        )
    assert r.status_code == 503 and int(r.headers["Retry-After"]) >= 1
    body = r.json()
    assert body["events"][0]["type"] == "ERROR" and "try again" in body["events"][0]["message"]
    assert export.status_code == 503 and "Retry-After" in export.headers
    r = requests.get(server.url + API + "/analysis/variant/query", params=params, auth=auth, timeout=30)
    assert r.status_code == 200 and r.json()["responses"][0]["numMatches"] == 0
    assert svc.variants.queries.admitted == 0
