"""The native API follows OpenCGA's REST conventions (contracts/opencga.md §1–2) on a real server."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import requests

from tests.conftest import LiveServer
from tests.world import PASSWORD, World, build_world
from vardesk.app.composition import Services
from vardesk.domain.enums import Role

API = "/api/v2"


@pytest.fixture(scope="module")
def world(module_services: Services) -> World:
    return build_world(module_services)


@pytest.fixture(scope="module")
def server(module_services: Services, world: World) -> Iterator[LiveServer]:
    with LiveServer(module_services, run_jobs=False) as srv:
        yield srv


@pytest.fixture(scope="module")
def token(server: LiveServer, world: World) -> str:
    m = world.member("lab-a", Role.ANALYST)
    r = requests.post(server.url + API + "/users/login", json={"user": m.email, "password": PASSWORD})
    return r.json()["responses"][0]["results"][0]["token"]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_meta_about_is_public_and_has_version(server: LiveServer) -> None:
    r = requests.get(server.url + API + "/meta/about?skip=0&limit=1000")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["apiVersion"] == "v2" and body["type"] == "QUERY" and body["events"] == []
    assert body["params"] == {"skip": "0", "limit": "1000"}
    res = body["responses"][0]
    assert res["numResults"] == 1 and res["results"][0]["Version"].split("-")[0] == "5.0.0"
    assert res["federationNode"]["id"] == "primary"


def test_head_opencga_and_both_mount_points(server: LiveServer) -> None:
    assert requests.head(server.url + "/opencga", timeout=2).status_code == 200
    a = requests.get(server.url + "/opencga/webservices/rest/v2/meta/about").json()
    assert a["responses"][0]["results"][0]["Program"] == "Vardesk"


def test_unauthenticated_is_401_with_json_then_200_after_login(server: LiveServer, token: str) -> None:
    r = requests.get(server.url + API + "/projects/search")
    assert r.status_code == 401 and r.headers["content-type"] == "application/json"
    ev = r.json()["events"][0]
    assert ev["type"] == "ERROR" and ev["name"] == "Unauthenticated" and "authentication" in ev["message"]
    r = requests.get(server.url + API + "/projects/search", headers=auth(token))
    assert r.status_code == 200 and r.json()["responses"][0]["numMatches"] == -1
    bad = requests.get(server.url + API + "/projects/search", headers=auth(token + "x"))
    assert bad.status_code == 401


def test_login_errors(server: LiveServer, world: World) -> None:
    m = world.member("lab-b", Role.VIEWER)
    r = requests.post(server.url + API + "/users/login", json={"user": m.email, "password": "wrong"})
    assert r.status_code == 401 and r.json()["events"][0]["message"] == "incorrect user or password"
    r = requests.post(
        server.url + API + "/users/login", data=b"", headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 401
    r = requests.post(server.url + API + "/users/login", data=b"{not json")
    assert r.status_code == 400 and "not valid JSON" in r.json()["events"][0]["message"]
    r = requests.post(
        server.url + API + "/users/login", json={"user": m.email, "password": PASSWORD, "refreshToken": "x"}
    )
    assert r.status_code == 400


def test_creates_answer_200_accept_empty_bodies_and_include_result(server: LiveServer, token: str) -> None:
    r = requests.post(
        server.url + API + "/projects/create",
        headers=auth(token),
        json={"id": "conv1", "name": "Conventions", "organism": {"assembly": "hg38"}},
    )
    assert r.status_code == 200
    res = r.json()["responses"][0]
    assert res["numInserted"] == 1 and res["results"] == []
    r = requests.post(
        server.url + API + "/projects/create?includeResult=True", headers=auth(token), json={"id": "conv2"}
    ).json()["responses"][0]["results"][0]
    assert r["fqn"] == "lab-a@conv2" and [s["id"] for s in r["studies"]] == ["default"]
    # An empty POST body is accepted; a missing id is then a clear 400.
    r = requests.post(server.url + API + "/projects/conv1/update", headers=auth(token))
    assert r.status_code == 200 and r.json()["responses"][0]["numUpdated"] == 1
    r = requests.post(server.url + API + "/projects/create", headers=auth(token))
    assert r.status_code == 400 and "project id" in r.json()["events"][0]["message"]
    dup = requests.post(server.url + API + "/projects/create", headers=auth(token), json={"id": "conv1"})
    assert dup.status_code == 400 and "already exists" in dup.json()["events"][0]["message"]


def test_limit_skip_count_include_exclude(server: LiveServer, token: str) -> None:
    for i in range(12):
        requests.post(
            server.url + API + "/studies/create?project=lab-a@conv2",
            headers=auth(token),
            json={"id": f"st{i:02d}", "name": f"Study {i}"},
        ).raise_for_status()
    url = server.url + API + "/studies/search?project=conv2"
    default = requests.get(url, headers=auth(token)).json()["responses"][0]
    assert default["numResults"] == 10 and default["numMatches"] == -1  # default limit 10, no count
    page = requests.get(url + "&limit=5&skip=10&count=true", headers=auth(token)).json()["responses"][0]
    assert [s["id"] for s in page["results"]] == ["st09", "st10", "st11"][: page["numResults"]]
    assert page["numMatches"] == 13 and page["numResults"] == 3
    big = requests.get(url + "&limit=1000&skip=0", headers=auth(token)).json()["responses"][0]
    assert big["numResults"] == 13
    inc = requests.get(url + "&include=id,type.id&limit=2", headers=auth(token)).json()["responses"][0]
    assert inc["results"] == [
        {"id": "default", "type": {"id": "CASE_CONTROL"}},
        {"id": "st00", "type": {"id": "CASE_CONTROL"}},
    ]
    exc = requests.get(url + "&exclude=attributes,internal&limit=1", headers=auth(token)).json()
    assert (
        "attributes" not in exc["responses"][0]["results"][0] and "fqn" in exc["responses"][0]["results"][0]
    )
    for bad in ("limit=5001", "limit=-1", "limit=abc", "count=maybe"):
        r = requests.get(url + "&" + bad, headers=auth(token))
        assert r.status_code == 400, bad


def test_ids_keep_order_report_missing_and_limits(server: LiveServer, token: str) -> None:
    url = server.url + API + "/studies/{}/info"
    r = requests.get(url.format("conv2:st03,conv2:st01,conv2:nope"), headers=auth(token))
    assert r.status_code == 400  # partial result, as OpenCGA
    res = r.json()["responses"][0]
    assert [s["id"] for s in res["results"]] == ["st03", "st01"]
    assert res["events"][0]["id"] == "conv2:nope" and res["numErrors"] == 1
    silent = requests.get(url.format("conv2:st03,conv2:nope") + "?silent=true", headers=auth(token))
    assert silent.status_code == 200 and silent.json()["responses"][0]["events"][0]["type"] == "WARNING"
    many = ",".join(f"conv2:x{i}" for i in range(101))
    r = requests.get(url.format(many), headers=auth(token))
    assert r.status_code == 400 and "More than 100" in r.json()["events"][0]["message"]
    r = requests.get(url.format("conv2:st01,conv2:st01"), headers=auth(token))
    assert r.status_code == 400 and "not unique" in r.json()["events"][0]["message"]


def test_unknown_path_is_a_404_envelope(server: LiveServer, token: str) -> None:
    r = requests.get(server.url + API + "/no/such/thing", headers=auth(token))
    assert r.status_code == 404 and r.headers["content-type"] == "application/json"
    assert r.json()["events"][0]["type"] == "ERROR"


def test_x_fg_safe_params_header_merges_into_the_query(server: LiveServer, token: str) -> None:
    hidden = "include=" + quote("id,name") + "&limit=2&project=conv2&include=fqn"
    r = requests.get(
        server.url + API + "/studies/search", headers={**auth(token), "X-fg-safe-params": hidden}
    )
    assert r.status_code == 200
    res = r.json()["responses"][0]
    assert res["numResults"] == 2
    assert set(res["results"][0]) == {"fqn"}  # a repeated key: the last value wins, as in a URL
    # The header's pairs come after the URL's, so they win over the same key in the URL.
    r = requests.get(
        server.url + API + "/studies/search?project=nope&limit=1",
        headers={**auth(token), "X-fg-safe-params": "project=conv2&limit=3"},
    )
    assert r.status_code == 200 and r.json()["responses"][0]["numResults"] == 3
    # Only GETs are rewritten.
    r = requests.post(
        server.url + API + "/studies/create",
        json={"id": "hdr"},
        headers={**auth(token), "X-fg-safe-params": "project=conv2"},
    )
    assert r.status_code == 400 and "project parameter is required" in r.json()["events"][0]["message"]


def test_bearer_sid_and_basic_are_all_accepted(server: LiveServer, world: World, token: str) -> None:
    m = world.member("lab-a", Role.ANALYST)
    assert requests.get(server.url + API + f"/projects/search?sid={token}").status_code == 200
    assert requests.get(server.url + API + "/projects/search", auth=m.basic).status_code == 200
    assert requests.get(server.url + API + "/projects/search", auth=(m.api_login, "nope")).status_code == 401


def test_request_id_echoed_and_logs_hold_no_query_values(
    server: LiveServer, token: str, caplog: pytest.LogCaptureFixture
) -> None:
    secret_name = "Jane-Doe-1970-01-01"
    with caplog.at_level(logging.INFO, logger="vardesk"):
        r = requests.get(
            server.url + API + f"/projects/{secret_name}/info?name={secret_name}",
            headers={**auth(token), "X-Request-ID": "req-123"},
        )
        assert r.headers["x-request-id"] == "req-123"
        # The server logs the request once the response has been sent: wait for the line.
        route = "/api/v2/projects/{projects}/info"
        deadline = time.time() + 5
        while not any(
            getattr(rec, "route", "") == route for rec in caplog.records if rec.name == "vardesk.http"
        ):
            assert time.time() < deadline, "no request log line"
            time.sleep(0.02)
    assert secret_name not in caplog.text
