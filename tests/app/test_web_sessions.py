"""Browser sessions of the web application: created by a person's password, ended by signing out, by
idleness and at their absolute expiry; the catalog keeps only the token's hash."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.world import PASSWORD, build_world
from vardesk.app.composition import Services
from vardesk.domain.enums import Role
from vardesk.domain.errors import RateLimited, Unauthenticated
from vardesk.domain.web_sessions import token_hash


def _later(services: Services, **delta: float) -> None:
    at = services.ctx.clock() + timedelta(**delta)
    services.ctx.clock = lambda: at


def test_sign_in_keeps_only_the_token_hash_and_resolves_the_user(services: Services) -> None:
    world = build_world(services, ("lab-a",))
    m = world.member("lab-a", Role.ANALYST)
    token, session = services.web_sessions.sign_in(m.email, PASSWORD, "10.0.0.1")
    assert session.actor.user_id == m.actor.user_id and session.actor.via == "session"
    with services.ctx.uow() as uow:
        row = uow.web_sessions.by_token_hash(token_hash(token))
        assert row is not None and row.token_hash != token and token not in row.csrf_token
        assert [e.details for e in uow.audit.search(action="login")] == [{"via": "session"}]
    again = services.web_sessions.resolve(token)
    assert again.actor.user_id == m.actor.user_id and again.csrf_token == session.csrf_token
    with pytest.raises(Unauthenticated):
        services.web_sessions.resolve(token + "x")


def test_api_keys_and_wrong_passwords_do_not_sign_in_and_failures_are_throttled(services: Services) -> None:
    services.ctx.settings = replace(services.settings, login_max_failures=3)
    world = build_world(services, ("lab-a",))
    m = world.member("lab-a", Role.VIEWER)
    with pytest.raises(Unauthenticated):
        services.web_sessions.sign_in(m.api_login, m.basic[1], "10.0.0.2")
    for _ in range(3):
        with pytest.raises(Unauthenticated):
            services.web_sessions.sign_in(m.email, "wrong", "10.0.0.2")
    with pytest.raises(RateLimited):
        services.web_sessions.sign_in(m.email, PASSWORD, "10.0.0.2")
    assert services.web_sessions.sign_in(m.email, PASSWORD, "10.0.0.3")[0]


def test_idle_sessions_end_and_requests_keep_them_alive(services: Services) -> None:
    services.ctx.settings = replace(services.settings, web_idle_minutes=15, web_session_hours=1)
    world = build_world(services, ("lab-a",))
    m = world.member("lab-a", Role.ANALYST)
    token, _ = services.web_sessions.sign_in(m.email, PASSWORD)
    for _ in range(4):  # a request every 14 minutes keeps the session going …
        _later(services, minutes=14)
        services.web_sessions.resolve(token)
    # … up to its absolute expiry, an hour after signing in
    _later(services, minutes=5)
    with pytest.raises(Unauthenticated, match="ended"):
        services.web_sessions.resolve(token)
    token2, _ = services.web_sessions.sign_in(m.email, PASSWORD)
    _later(services, minutes=10)
    services.web_sessions.touch(token2)
    _later(services, minutes=14)
    services.web_sessions.resolve(token2)  # the keep-alive restarted the idle time
    _later(services, minutes=16)
    with pytest.raises(Unauthenticated):
        services.web_sessions.resolve(token2)
    with services.ctx.uow() as uow:  # an ended session is deleted when it is seen
        assert uow.web_sessions.by_token_hash(token_hash(token2)) is None


def test_sign_out_ends_the_session_and_is_audited(services: Services) -> None:
    world = build_world(services, ("lab-a",))
    m = world.member("lab-a", Role.DIRECTOR)
    token, _ = services.web_sessions.sign_in(m.email, PASSWORD)
    services.web_sessions.sign_out(token)
    services.web_sessions.sign_out(token)  # twice: nothing more happens
    with pytest.raises(Unauthenticated):
        services.web_sessions.resolve(token)
    with services.ctx.uow() as uow:
        assert len(uow.audit.search(action="logout")) == 1


def test_a_disabled_user_loses_the_session(services: Services) -> None:
    world = build_world(services, ("lab-a",))
    m = world.member("lab-a", Role.ANALYST)
    token, _ = services.web_sessions.sign_in(m.email, PASSWORD)
    with services.ctx.uow() as uow:
        user = uow.users.get(m.actor.user_id)
        assert user is not None
        user.active = False
        uow.commit()
    with pytest.raises(Unauthenticated, match="disabled"):
        services.web_sessions.resolve(token)


def test_confirm_password_checks_the_signed_in_user_again(services: Services) -> None:
    world = build_world(services, ("lab-a",))
    m = world.member("lab-a", Role.DIRECTOR)
    services.auth.confirm_password(m.actor, PASSWORD)
    with pytest.raises(Unauthenticated, match="not correct"):
        services.auth.confirm_password(m.actor, "wrong")
    with services.ctx.uow() as uow:
        assert [e.outcome for e in uow.audit.search(action="password_confirmation")] == ["failed"]
