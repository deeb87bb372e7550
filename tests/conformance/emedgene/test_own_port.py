"""The second host (contract §1.1: clients that take only a host name call ``https://{host}/api/…``): the
Emedgene face alone at the root of its own port, over the same services as the main host."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import requests
import uvicorn

from tests.conformance.emedgene.conftest import CLI_HEADERS, call
from tests.conftest import LiveServer, free_port
from tests.world import World
from vardesk.api.app import create_face_host
from vardesk.domain.enums import Role


@pytest.fixture(scope="module")
def own_port(server: LiveServer) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(
        create_face_host(server.services, "emedgene"),
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
        lifespan="off",
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not srv.started:
        assert time.time() < deadline and thread.is_alive(), "the second host did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def test_the_face_at_the_root_of_its_port(
    own_port: str, server: LiveServer, analyst: dict[str, str], world: World
) -> None:
    m = world.member("lab-a", Role.ANALYST)
    r = requests.post(
        f"{own_port}/api/auth/v2/api_login/",
        json={"username": m.email, "password": m.password},
        headers=CLI_HEADERS,
        timeout=30,
    )
    assert r.status_code == 200, r.text
    headers = {**CLI_HEADERS, "Authorization": f"Bearer {r.json()['access_token']}"}
    body = {
        "test_data": {
            "type": "Exome",
            "patients": {"proband": {"id": "proband", "relationship": "Test Subject", "gender": "Male"}},
        }
    }
    name = call(server, "POST", "/api/cases/v2/cases", analyst, json=body).json()["name"]
    for path in ("/api/test", "/api/test/", "//api/test"):
        r = requests.get(f"{own_port}{path}", headers=headers, params={"size": 100}, timeout=30)
        assert r.status_code == 200, (path, r.text)
        assert name in [h["name"] for h in r.json()["hits"]]
    r = requests.get(
        f"{own_port}/api/test/{name}", headers=headers, params={"test_fields": "status"}, timeout=30
    )
    assert r.json() == {"name": name, "status": "Uploading"}
    r = requests.get(f"{own_port}/api/test/EMG000000000", headers=headers, timeout=30)
    assert r.status_code == 404 and r.json()["message"]
    r = requests.get(f"{own_port}/api/v2/meta/about", timeout=30)  # the other faces are not on this port
    assert r.status_code == 404 and r.json()["message"] == "no such endpoint"
    assert requests.get(f"{own_port}/", timeout=30).json()["face"] == "Emedgene-compatible API"
    assert r.headers["x-content-type-options"] == "nosniff"  # the same plumbing as the main host
