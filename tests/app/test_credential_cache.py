"""The per-process cache of verified credentials: a token or API key verified a moment ago is trusted
without a catalog read or argon2 for ``credential_cache_seconds``, then read again; forgetting a user's
credentials takes effect at once; only digests are held."""

from __future__ import annotations

import time

import pytest

from tests.world import PASSWORD, build_world
from vardesk.app.composition import Services
from vardesk.domain.enums import Role
from vardesk.domain.errors import Unauthenticated


def _disable(services: Services, user_id: int) -> None:
    with services.ctx.uow() as uow:
        uow.users.get(user_id).active = False  # type: ignore[union-attr]
        uow.commit()


def test_verified_credentials_are_trusted_for_the_ttl_then_read_again(services: Services) -> None:
    services.auth._verified.ttl = 0.5
    m = build_world(services, ("lab-a",)).member("lab-a", Role.ANALYST)
    token = services.auth.login(m.email, PASSWORD).token
    assert services.auth.authenticate_bearer(token).user_id == m.actor.user_id
    assert services.auth.authenticate_basic(*m.basic).user_id == m.actor.user_id
    with pytest.raises(Unauthenticated):  # a wrong secret is never answered from the cache
        services.auth.authenticate_basic(m.api_login, m.api_secret + "x")
    _disable(services, m.actor.user_id)  # as another process would: this one is not told
    assert services.auth.authenticate_bearer(token).user_id == m.actor.user_id
    assert services.auth.authenticate_basic(*m.basic).user_id == m.actor.user_id
    time.sleep(0.6)
    for call in (
        lambda: services.auth.authenticate_bearer(token),
        lambda: services.auth.authenticate_basic(*m.basic),
    ):
        with pytest.raises(Unauthenticated):
            call()
    keys = list(services.auth._verified._entries)
    assert all(token.encode() not in k and m.api_secret.encode() not in k for k in keys)


def test_forgetting_a_users_credentials_takes_effect_at_once(services: Services) -> None:
    world = build_world(services, ("lab-a",))
    m, other = world.member("lab-a", Role.ANALYST), world.member("lab-a", Role.VIEWER)
    token = services.auth.login(m.email, PASSWORD).token
    assert services.auth.authenticate_bearer(token).user_id == m.actor.user_id
    assert services.auth.authenticate_basic(*other.basic).user_id == other.actor.user_id
    _disable(services, m.actor.user_id)
    services.auth.forget_credentials(m.actor.user_id)
    with pytest.raises(Unauthenticated):
        services.auth.authenticate_bearer(token)
    _disable(services, other.actor.user_id)  # not forgotten: still trusted within the TTL
    assert services.auth.authenticate_basic(*other.basic).user_id == other.actor.user_id


def test_a_zero_ttl_reads_every_time(services: Services) -> None:
    services.auth._verified.ttl = 0
    m = build_world(services, ("lab-a",)).member("lab-a", Role.ANALYST)
    token = services.auth.login(m.email, PASSWORD).token
    assert services.auth.authenticate_bearer(token).user_id == m.actor.user_id
    _disable(services, m.actor.user_id)
    with pytest.raises(Unauthenticated):
        services.auth.authenticate_bearer(token)
    assert not services.auth._verified._entries
