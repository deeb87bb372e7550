from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.world import PASSWORD, build_world
from vardesk.app import security
from vardesk.app.composition import Services
from vardesk.app.security import HashGate, configure_hashing, hash_secret, verify_secret
from vardesk.domain.enums import Role
from vardesk.domain.errors import RateLimited, Unauthenticated


@pytest.fixture
def one_slot() -> Iterator[HashGate]:
    """Every argon2 computation goes through a gate of one slot and no queue."""
    gate = HashGate(1, 0)
    previous = security.set_hash_gate(gate)
    yield gate
    security.set_hash_gate(previous)


def test_a_full_gate_refuses_at_once_and_frees_its_slots() -> None:
    gate = HashGate(1, 0)
    with gate.slot():
        with pytest.raises(RateLimited, match="busy") as refused:
            with gate.slot():
                pass
        assert refused.value.retry_after >= 1
    with gate.slot():  # released, also after the refusal
        pass


def test_a_queued_caller_is_refused_when_its_wait_is_over() -> None:
    gate = HashGate(1, 1, wait_seconds=0)
    with gate.slot():
        with pytest.raises(RateLimited):
            with gate.slot():
                pass
        with pytest.raises(RateLimited):  # the queue place was given back
            with gate.slot():
                pass


def test_logins_are_refused_not_queued_while_hashing_is_saturated(
    services: Services, one_slot: HashGate
) -> None:
    world = build_world(services, ("lab-a",))
    m = world.member("lab-a", Role.ANALYST)
    with one_slot.slot():
        with pytest.raises(RateLimited):
            services.auth.login(m.email, PASSWORD, source="10.0.0.1")
        with pytest.raises(RateLimited):
            services.auth.login("nobody@example.org", "x", source="10.0.0.1")
    with services.ctx.uow() as uow:  # a refusal is no failure of the account
        assert uow.auth_failures.count_since(m.email, services.ctx.clock() - timedelta(hours=1)) == 0
    assert services.auth.login(m.email, PASSWORD, source="10.0.0.1").token


def test_verified_api_keys_are_remembered_by_a_keyed_digest(services: Services, one_slot: HashGate) -> None:
    world = build_world(services, ("lab-a",))
    m = world.member("lab-a", Role.ANALYST)
    assert services.auth.authenticate_basic(*m.basic).user_id == m.actor.user_id
    cache = services.ctx.secret_cache
    keys = list(cache._entries)
    assert len(keys) == 1 and isinstance(keys[0], bytes) and len(keys[0]) == 64
    assert m.api_secret.encode() not in keys[0] and m.api_login.encode() not in keys[0]
    with one_slot.slot():
        # remembered: no argon2 needed, so it passes while hashing is saturated …
        assert services.auth.authenticate_basic(*m.basic).user_id == m.actor.user_id
        # … whereas another secret must be hashed
        with pytest.raises(RateLimited):
            services.auth.authenticate_basic(m.api_login, m.api_secret + "x")
    # the digest is keyed by a per-process salt: the same triple hashes differently elsewhere
    other = security.VerifiedSecretCache(60)
    with services.ctx.uow() as uow:
        stored = uow.api_keys.by_login(m.api_login).secret_hash  # type: ignore[union-attr]
    assert other._digest(m.api_login, m.api_secret, stored) != keys[0]
    assert cache._digest(m.api_login, m.api_secret, stored) == keys[0]
    # a disabled user is refused even while the secret is remembered
    with services.ctx.uow() as uow:
        uow.users.get(m.actor.user_id).active = False  # type: ignore[union-attr]
        uow.commit()
    # what disabling an account does in the process that disables it (others: within the cache TTL)
    services.auth.forget_credentials(m.actor.user_id)
    with pytest.raises(Unauthenticated):
        services.auth.authenticate_basic(*m.basic)


def test_hashes_asking_for_unbounded_cost_are_refused_not_computed() -> None:
    normal = hash_secret("secret")
    params = f"m={security._hasher.memory_cost},t={security._hasher.time_cost},"
    assert params in normal
    huge = normal.replace(params, f"m={security.MAX_MEMORY_KIB * 4},t=1,")  # never computed
    slow = normal.replace(params, f"m=8,t={security.MAX_TIME_COST + 1},")
    assert verify_secret(slow, "secret") is False
    assert verify_secret(huge, "secret") is False
    assert verify_secret(hash_secret("secret"), "secret") is True
    with pytest.raises(ValueError, match="out of bounds"):
        configure_hashing(time_cost=1, memory_kib=security.MAX_MEMORY_KIB + 1)
    with pytest.raises(ValueError, match="out of bounds"):
        configure_hashing(time_cost=security.MAX_TIME_COST + 1, memory_kib=65536)
