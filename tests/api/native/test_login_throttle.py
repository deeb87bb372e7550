"""Login throttling over real HTTP: the flooding address gets 429 with Retry-After, the user at another
address logs in; disabling a user revokes its tokens and API keys at once."""

from __future__ import annotations

import httpx

from tests.conftest import LiveServer
from tests.world import PASSWORD, build_world
from vardesk.app.composition import Services
from vardesk.domain.enums import Role

API = "/api/v2"
ATTACKER, USER = "127.0.0.2", "127.0.0.1"


def client(address: str) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30)


def test_a_flooding_address_is_throttled_and_the_user_elsewhere_logs_in(
    services: Services, live_server: LiveServer
) -> None:
    m = build_world(services, ("lab-a",)).member("lab-a", Role.ANALYST)
    login = live_server.url + API + "/users/login"
    with client(ATTACKER) as attacker, client(USER) as user:
        statuses = []
        for i in range(12):
            # a forged X-Forwarded-For from an untrusted peer changes nothing
            r = attacker.post(
                login, json={"user": m.email, "password": "bad"}, headers={"X-Forwarded-For": f"10.9.9.{i}"}
            )
            statuses.append(r.status_code)
        assert statuses == [401] * 10 + [429] * 2
        refused = attacker.post(login, json={"user": m.email, "password": PASSWORD})
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert "too many failed logins" in refused.json()["events"][0]["message"]
        ok = user.post(login, json={"user": m.email, "password": PASSWORD})
        assert ok.status_code == 200
        token = ok.json()["responses"][0]["results"][0]["token"]
        info = user.get(
            live_server.url + API + f"/users/{m.email}/info", headers={"Authorization": f"Bearer {token}"}
        )
        assert info.status_code == 200


def test_api_key_guessing_is_throttled_per_address(services: Services, live_server: LiveServer) -> None:
    m = build_world(services, ("lab-a",)).member("lab-a", Role.VIEWER)
    url = live_server.url + API + "/projects/search"
    with client(ATTACKER) as attacker, client(USER) as user:
        statuses = [attacker.get(url, auth=(m.api_login, "guess")).status_code for _ in range(11)]
        assert statuses == [401] * 10 + [429]
        again = attacker.get(url, auth=m.basic)
        assert again.status_code == 429 and int(again.headers["Retry-After"]) >= 1
        assert user.get(url, auth=m.basic).status_code == 200


def test_disabling_a_user_revokes_its_tokens_and_keys_at_once(
    services: Services, live_server: LiveServer
) -> None:
    m = build_world(services, ("lab-a",)).member("lab-a", Role.ANALYST)
    with client(USER) as user:
        r = user.post(live_server.url + API + "/users/login", json={"user": m.email, "password": PASSWORD})
        token = r.json()["responses"][0]["results"][0]["token"]
        url = live_server.url + API + "/projects/search"
        bearer = {"Authorization": f"Bearer {token}"}
        assert user.get(url, headers=bearer).status_code == 200
        assert user.get(url, auth=m.basic).status_code == 200  # now remembered by the API-key cache
        with services.ctx.uow() as uow:
            uow.users.get(m.actor.user_id).active = False  # type: ignore[union-attr]
            uow.commit()
        # what disabling an account does in the process that disables it (others: within the cache TTL)
        services.auth.forget_credentials(m.actor.user_id)
        assert user.get(url, headers=bearer).status_code == 401
        assert user.get(url, auth=m.basic).status_code == 401
        assert user.get(url, params={"sid": token}).status_code == 401
