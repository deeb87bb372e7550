from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

import pytest

from tests.world import PASSWORD, build_world
from vardesk.app.composition import Services
from vardesk.app.security import TokenSigner
from vardesk.domain.enums import Role
from vardesk.domain.errors import RateLimited, Unauthenticated


def test_password_and_api_key_logins_give_working_tokens(services: Services) -> None:
    world = build_world(services, ("lab-a",))
    m = world.member("lab-a", Role.ANALYST)
    for name, secret in ((m.email, PASSWORD), (m.email.upper(), PASSWORD), m.basic):
        pair = services.auth.login(name, secret)
        actor = services.auth.authenticate_bearer(pair.token)
        assert (actor.user_id, actor.role) == (m.actor.user_id, Role.ANALYST)
    assert services.auth.authenticate_basic(*m.basic).user_id == m.actor.user_id


def test_refresh_gives_a_new_pair_and_old_tokens_stay_valid(services: Services) -> None:
    world = build_world(services, ("lab-a",))
    m = world.member("lab-a", Role.VIEWER)
    first = services.auth.login(m.email, PASSWORD)
    second = services.auth.refresh(first.refresh_token)
    assert second.token != first.token
    assert services.auth.authenticate_bearer(first.token).user_id == m.actor.user_id
    assert services.auth.authenticate_bearer(second.token).user_id == m.actor.user_id
    with pytest.raises(Unauthenticated, match="refresh token cannot be used as a access"):
        services.auth.authenticate_bearer(first.refresh_token)
    with pytest.raises(Unauthenticated):
        services.auth.refresh(first.token)


def test_expired_and_forged_tokens_are_rejected(services: Services) -> None:
    world = build_world(services, ("lab-a",))
    m = world.member("lab-a", Role.ANALYST)
    user = services.admin.get_user(m.actor, m.email)
    key = services.settings.secret_key
    fresh = TokenSigner(key, access_ttl=60, refresh_ttl=60).issue(user.uuid, m.actor.workspace_id, "access")
    assert services.auth.authenticate_bearer(fresh).user_id == m.actor.user_id
    # Issued two minutes ago with a one-minute lifetime: expired, whatever the machine's speed.
    past = TokenSigner(key, access_ttl=60, refresh_ttl=60, clock=lambda: time.time() - 120)
    token = past.issue(user.uuid, m.actor.workspace_id, "access")
    with pytest.raises(Unauthenticated, match="expired"):
        services.auth.authenticate_bearer(token)
    forged = TokenSigner("another key of at least thirty-two bytes", 3600, 3600).issue(
        user.uuid, m.actor.workspace_id, "access"
    )
    with pytest.raises(Unauthenticated, match="invalid token"):
        services.auth.authenticate_bearer(forged)


def test_wrong_secrets_and_revoked_or_disabled_accounts(services: Services) -> None:
    world = build_world(services, ("lab-a",))
    m = world.member("lab-a", Role.ANALYST)
    with pytest.raises(Unauthenticated):
        services.auth.login(m.email, "wrong password")
    with pytest.raises(Unauthenticated):
        services.auth.authenticate_basic(m.api_login, m.api_secret + "x")
    with pytest.raises(Unauthenticated):
        services.auth.login("nobody@example.org", PASSWORD)
    token = services.auth.login(m.email, PASSWORD).token
    with services.ctx.uow() as uow:
        uow.users.get(m.actor.user_id).active = False  # type: ignore[union-attr]
        uow.commit()
    for call in (
        lambda: services.auth.authenticate_bearer(token),
        lambda: services.auth.authenticate_basic(*m.basic),
        lambda: services.auth.login(m.email, PASSWORD),
    ):
        with pytest.raises(Unauthenticated):
            call()


def test_api_key_secret_is_stored_only_as_argon2(services: Services) -> None:
    world = build_world(services, ("lab-a",))
    m = world.member("lab-a", Role.ANALYST)
    with services.ctx.uow() as uow:
        key = uow.api_keys.by_login(m.api_login)
        user = uow.users.get(m.actor.user_id)
    assert key is not None and user is not None
    assert key.secret_hash.startswith("$argon2") and m.api_secret not in key.secret_hash
    assert user.password_hash and user.password_hash.startswith("$argon2")


def test_login_rate_limit_after_ten_failures_and_audit(services: Services) -> None:
    world = build_world(services, ("lab-a",))
    m = world.member("lab-a", Role.DIRECTOR)
    for _ in range(10):
        with pytest.raises(Unauthenticated):
            services.auth.login(m.email, "bad")
    with pytest.raises(RateLimited):
        services.auth.login(m.email, PASSWORD)  # even the right password is refused now
    other = world.member("lab-a", Role.ANALYST)
    assert services.auth.login(other.email, PASSWORD).token  # other logins are not affected
    # a minute later the account is usable again
    later = services.ctx.clock() + timedelta(seconds=61)
    services.ctx.clock = lambda: later
    assert services.auth.login(m.email, PASSWORD).token
    with services.ctx.uow() as uow:
        entries = uow.audit.search(action="login")
    outcomes = [e.outcome for e in entries]
    assert outcomes.count("failed") == 10 and outcomes.count("ok") == 2
    assert all("bad" not in str(e.details) for e in entries)


def test_rate_limit_is_configurable(services: Services) -> None:
    services.ctx.settings = replace(services.settings, login_max_failures=2)
    world = build_world(services, ("lab-a",))
    m = world.member("lab-a", Role.VIEWER)
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            services.auth.authenticate_basic(m.api_login, "nope")
    with pytest.raises(RateLimited):
        services.auth.authenticate_basic(*m.basic)


def test_failures_from_one_address_do_not_lock_out_the_user_at_another(services: Services) -> None:
    world = build_world(services, ("lab-a",))
    m = world.member("lab-a", Role.ANALYST)
    for _ in range(10):
        with pytest.raises(Unauthenticated):
            services.auth.login(m.email, "bad", source="10.0.0.66")
    with pytest.raises(RateLimited) as refused:
        services.auth.login(m.email, PASSWORD, source="10.0.0.66")
    assert 1 <= refused.value.retry_after <= 60
    assert services.auth.login(m.email, PASSWORD, source="10.0.0.7").token
    with services.ctx.uow() as uow:  # refusals are not written: a flood costs no catalog writes
        assert uow.auth_failures.count_since(m.email, services.ctx.clock() - timedelta(hours=1)) == 10


def test_an_address_failing_on_many_accounts_is_refused_on_every_account(services: Services) -> None:
    services.ctx.settings = replace(services.settings, login_source_max_failures=3)
    world = build_world(services, ("lab-a",))
    a, b = world.member("lab-a", Role.ANALYST), world.member("lab-a", Role.VIEWER)
    for name in ("x@example.org", "y@example.org", a.email):
        with pytest.raises(Unauthenticated):
            services.auth.login(name, "bad", source="10.0.0.66")
    with pytest.raises(RateLimited, match="from this address"):
        services.auth.login(b.email, PASSWORD, source="10.0.0.66")
    with pytest.raises(RateLimited):
        services.auth.authenticate_basic(*b.basic, source="10.0.0.66")
    assert services.auth.authenticate_basic(*b.basic, source="10.0.0.7").user_id == b.actor.user_id


def test_an_account_failing_from_many_addresses_refuses_those_addresses_only(services: Services) -> None:
    services.ctx.settings = replace(services.settings, login_account_max_failures=4)
    world = build_world(services, ("lab-a",))
    m = world.member("lab-a", Role.DIRECTOR)
    for i in range(4):
        with pytest.raises(Unauthenticated):
            services.auth.login(m.email, "bad", source=f"10.0.1.{i}")
    # over the account's threshold: an address that failed on it gets no further attempt …
    with pytest.raises(RateLimited, match="for this account"):
        services.auth.login(m.email, PASSWORD, source="10.0.1.0")
    # … one that did not (the user) logs in, and a typo there costs it one attempt, not the account
    with pytest.raises(Unauthenticated):
        services.auth.login(m.email, "typo", source="10.0.2.1")
    with pytest.raises(RateLimited):
        services.auth.login(m.email, PASSWORD, source="10.0.2.1")
    assert services.auth.login(m.email, PASSWORD, source="10.0.2.2").token
    later = services.ctx.clock() + timedelta(seconds=61)
    services.ctx.clock = lambda: later
    assert services.auth.login(m.email, PASSWORD, source="10.0.1.0").token
