"""Contract §1.1: login (v2, legacy, API keys), the token in every header form clients send, expiry, errors;
the mounting rules (both slash forms, ``//api``)."""

from __future__ import annotations

import json

import requests

from tests.conformance.emedgene.conftest import CLI_HEADERS, call, url
from tests.conftest import LiveServer
from tests.world import World
from vardesk.domain.enums import Role


def _token(server: LiveServer, world: World) -> str:
    m = world.member("lab-a", Role.ANALYST)
    r = requests.post(
        url(server, "/api/auth/v2/api_login/"), json={"username": m.email, "password": m.password}, timeout=30
    )
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["token_type"] == "bearer" and doc["access_token"]
    return doc["access_token"]


def test_v2_login_token_in_every_header_form(server: LiveServer, world: World) -> None:
    token = _token(server, world)
    for headers in (
        {"Authorization": f"Bearer {token}"},  # token_type.capitalize()
        {"Authorization": f"bearer {token}"},  # token_type verbatim
        {"Authorization": f"BEARER {token}"},
        {"Emgauthorization": f"Bearer {token}"},  # the batch CLI with -t
        {"Authorization": "", "Emgauthorization": f"Bearer {token}"},
        {"Emgauthorization": f"Bearer Bearer {token}"},  # a -t value that kept its prefix
    ):
        r = call(server, "GET", "/api/test", {**CLI_HEADERS, **headers})
        assert r.status_code == 200, (headers.keys(), r.text)
        assert r.headers["content-type"] == "application/json"
        assert {"hits", "total"} <= set(r.json())


def test_legacy_login_header_used_as_is(server: LiveServer, world: World) -> None:
    m = world.member("lab-a", Role.DIRECTOR)
    r = requests.post(
        url(server, "/api/auth/api_login/"),
        data=json.dumps({"username": m.email, "password": m.password}),
        timeout=30,
    )
    assert r.status_code == 200, r.text
    header = r.json()["Authorization"]
    assert header.startswith("Bearer ")
    assert call(server, "GET", "/api/test/", {"Authorization": header}).status_code == 200


def test_api_key_login_and_empty_authorization_header(server: LiveServer, world: World) -> None:
    m = world.member("lab-a", Role.ANALYST)
    r = requests.post(
        url(server, "/api/auth/v2/api_login"),
        json={"username": m.api_login, "password": m.api_secret},
        headers={**CLI_HEADERS, "Authorization": ""},  # the CLI sends an empty one before it has a token
        timeout=30,
    )
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    assert call(server, "GET", "/api/storage", {"Authorization": f"Bearer {token}"}).status_code == 200


def test_errors_are_message_json(server: LiveServer, world: World) -> None:
    m = world.member("lab-a", Role.ANALYST)
    r = requests.post(
        url(server, "/api/auth/v2/api_login/"), json={"username": m.email, "password": "wrong"}, timeout=30
    )
    assert r.status_code == 401 and "incorrect" in r.json()["message"]
    r = requests.post(url(server, "/api/auth/v2/api_login/"), data=b"{not json", timeout=30)
    assert r.status_code == 400 and "JSON" in r.json()["message"]
    r = call(server, "GET", "/api/test", None)
    assert r.status_code == 401 and r.json()["message"]
    r = call(server, "GET", "/api/test", {"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401 and r.json()["message"] == "invalid token"
    r = call(server, "GET", "/api/no_such_thing", {"Authorization": "Bearer x"})
    assert r.status_code == 404 and r.json()["message"]


def test_expired_token_is_403(server: LiveServer, world: World) -> None:
    services = server.services
    m = world.member("lab-a", Role.ANALYST)
    with services.ctx.uow() as uow:
        user = uow.users.get(m.actor.user_id)
        assert user is not None
        uuid = user.uuid
    expired = services.ctx.signer.issue(uuid, m.actor.workspace_id, "access", ttl=-60)
    r = call(server, "GET", "/api/test", {"Authorization": f"Bearer {expired}"})
    assert r.status_code == 403, r.text
    assert "expired" in r.json()["message"]


def test_slash_forms_and_double_slash(server: LiveServer, world: World) -> None:
    headers = {"Authorization": f"Bearer {_token(server, world)}"}
    for path in ("/api/test", "/api/test/", "//api/test", "//api/storage/"):
        r = call(server, "GET", path, headers)
        assert r.status_code == 200, (path, r.status_code, r.text)
    r = requests.get(server.url + "/emedgene", timeout=30)
    assert r.status_code == 200 and r.json()["prefix"] == "/emedgene"
