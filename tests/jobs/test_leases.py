"""Two executors share one catalog: a job whose lease is live belongs to its worker alone; once the lease
has expired (no heartbeat for ``lease_seconds``) another executor claims it for a new attempt."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.jobs.test_executor import submit
from tests.world import build_world
from vardesk.app.composition import Services
from vardesk.domain.enums import JobState, Role
from vardesk.jobs.catalog_queue import CatalogJobQueue

LEASE = 30.0


def test_a_live_lease_cannot_be_claimed_an_expired_one_can(services: Services) -> None:
    actor = build_world(services, ("lab-a",)).member("lab-a", Role.ANALYST).actor
    code = submit(services, actor, "test.count", {"file": "/dev/null"})
    later = timedelta(seconds=0)  # both workers read one clock, moved forward by the test

    def clock():  # type: ignore[no-untyped-def]
        return services.ctx.clock() + later

    first = CatalogJobQueue(services.ctx.uow, clock)
    second = CatalogJobQueue(services.ctx.uow, clock)

    (claimed,) = first.claim("worker-a", LEASE, 5)
    assert claimed.code == code and claimed.attempt == 1
    assert second.claim("worker-b", LEASE, 5) == []  # the lease is live

    later = timedelta(seconds=LEASE / 2)
    assert first.heartbeat(claimed.id, "worker-a", progress=40, message="half way").held
    later = timedelta(seconds=LEASE / 2 + LEASE - 1)  # within the renewed lease
    assert second.claim("worker-b", LEASE, 5) == []

    later = timedelta(seconds=LEASE / 2 + LEASE + 1)  # the lease ran out: worker-a stopped renewing
    (taken,) = second.claim("worker-b", LEASE, 5)
    assert taken.id == claimed.id and taken.attempt == 2
    with services.ctx.uow() as uow:
        job = uow.jobs.by_code(code)
    assert job is not None and job.state is JobState.RUNNING and job.worker_id == "worker-b"

    # the first worker lost its lease: its heartbeat and its result are refused, the new owner's kept
    assert not first.heartbeat(claimed.id, "worker-a").held
    assert first.complete(claimed.id, "worker-a", {"by": "a"}) is False
    assert second.complete(taken.id, "worker-b", {"by": "b"}) is True
    with services.ctx.uow() as uow:
        job = uow.jobs.by_code(code)
    assert job is not None and job.state is JobState.DONE and job.result == {"by": "b"}
    assert job.attempts == 2


def test_cancellation_reaches_the_worker_through_its_heartbeat(services: Services) -> None:
    actor = build_world(services, ("lab-a",)).member("lab-a", Role.ANALYST).actor
    code = submit(services, actor, "test.count", {"file": "/dev/null"})
    queue = CatalogJobQueue(services.ctx.uow, services.ctx.clock)
    (claimed,) = queue.claim("worker-a", LEASE, 1)
    assert not queue.heartbeat(claimed.id, "worker-a").cancel_requested
    services.jobs.cancel(actor, code)
    lease = queue.heartbeat(claimed.id, "worker-a", progress=10, message="step 1")
    assert lease.held and lease.cancel_requested
    assert queue.fail(claimed.id, "worker-a", "cancelled on request", cancelled=True)
    with services.ctx.uow() as uow:
        job = uow.jobs.by_code(code)
    assert job is not None and job.state is JobState.CANCELLED and job.progress == 10


def test_recovery_leaves_a_job_whose_worker_renewed_or_finished_it_after_the_sweep_read_it(
    backend: str, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sweep reads stale RUNNING jobs, then takes each back only if it is still as read: a worker
    that renewed its lease (or completed) in between keeps its job and its result."""
    if backend == "sqlite":
        pytest.skip("SQLite transactions take the write lock first (BEGIN IMMEDIATE): no interleaving")
    from vardesk.catalog.repositories import JobRepository

    actor = build_world(services, ("lab-a",)).member("lab-a", Role.ANALYST).actor
    renewed_code = submit(services, actor, "test.count", {"file": "/dev/null"})
    finished_code = submit(services, actor, "test.count", {"file": "/dev/null"})
    later = timedelta(seconds=0)

    def clock():  # type: ignore[no-untyped-def]
        return services.ctx.clock() + later

    worker = CatalogJobQueue(services.ctx.uow, clock)
    sweeper = CatalogJobQueue(services.ctx.uow, clock)
    claimed = {c.code: c for c in worker.claim("worker-a", LEASE, 5)}
    assert set(claimed) == {renewed_code, finished_code}
    later = timedelta(seconds=LEASE + 5)  # both leases look expired to the sweep
    original = JobRepository.stale_running

    def read_then_worker_acts(self: JobRepository, older_than):  # type: ignore[no-untyped-def]
        rows = original(self, older_than)
        assert {j.code for j in rows} == {renewed_code, finished_code}
        assert worker.heartbeat(claimed[renewed_code].id, "worker-a", progress=50).held
        assert worker.complete(claimed[finished_code].id, "worker-a", {"n": 1})
        return rows

    monkeypatch.setattr(JobRepository, "stale_running", read_then_worker_acts)
    assert sweeper.recover_expired(LEASE) == []
    with services.ctx.uow() as uow:
        renewed, finished = uow.jobs.by_code(renewed_code), uow.jobs.by_code(finished_code)
    assert renewed is not None and renewed.state is JobState.RUNNING and renewed.worker_id == "worker-a"
    assert finished is not None and finished.state is JobState.DONE and finished.result == {"n": 1}

    monkeypatch.setattr(JobRepository, "stale_running", original)
    later = timedelta(seconds=3 * LEASE)  # now the renewed lease has run out too: it is taken back
    assert sweeper.recover_expired(LEASE) == [(renewed_code, "QUEUED")]
