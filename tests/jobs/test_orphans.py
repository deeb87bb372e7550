"""A job left RUNNING by a server process of this host that died is recovered as soon as an executor starts,
however fresh its lease; a job of a worker on another host waits for its lease to expire."""

from __future__ import annotations

import pytest

from tests.jobs.test_executor import submit
from tests.storage.test_sweep import dead_tag
from tests.world import build_world
from vardesk.app.composition import Services
from vardesk.domain.enums import JobState, Role
from vardesk.domain.models import Job
from vardesk.jobs.catalog_queue import CatalogJobQueue
from vardesk.jobs.executor import new_worker_id, worker_is_dead


def running_as(services: Services, code: str, worker_id: str, attempts: int = 1) -> None:
    """The job RUNNING for ``worker_id`` with a heartbeat just now (a live lease)."""
    with services.ctx.uow() as uow:
        job = uow.jobs.by_code(code)
        assert job is not None
        job.state, job.attempts, job.worker_id = JobState.RUNNING, attempts, worker_id
        job.heartbeat_at = services.ctx.clock()
        uow.commit()


def job(services: Services, code: str) -> Job:
    with services.ctx.uow() as uow:
        found = uow.jobs.by_code(code)
    assert found is not None
    return found


def test_worker_ids_name_their_process() -> None:
    assert not worker_is_dead(new_worker_id())
    assert worker_is_dead(f"{dead_tag()}:abc123")
    assert not worker_is_dead("0_1.2_another-host:abc123")  # another host's process is not judged
    assert not worker_is_dead("old-style:123:abc")  # naming no process: left to its lease


def test_a_dead_local_workers_job_is_recovered_at_start_up_another_hosts_is_not(services: Services) -> None:
    actor = build_world(services, ("lab-a",)).member("lab-a", Role.ANALYST).actor
    dead, foreign = dead_tag(), "0_1.2_another-host"
    orphan = submit(services, actor, "test.count", {"file": "/dev/null"})
    abroad = submit(services, actor, "test.count", {"file": "/dev/null"})
    running_as(services, orphan, f"{dead}:aaaaaa")
    running_as(services, abroad, f"{foreign}:bbbbbb")

    executor = services.local_executor()
    executor.start()  # the recovery runs before the first claim
    executor.stop()
    recovered = job(services, orphan)
    assert recovered.worker_id != f"{dead}:aaaaaa"
    assert recovered.state in (JobState.QUEUED, JobState.RUNNING, JobState.DONE)
    if recovered.state is JobState.QUEUED:
        assert "server process ended" in (recovered.progress_message or "")
    left = job(services, abroad)
    assert left.state is JobState.RUNNING and left.worker_id == f"{foreign}:bbbbbb"  # its lease is live


@pytest.mark.parametrize(("attempts_used", "expected"), [(1, JobState.QUEUED), (2, JobState.FAILED)])
def test_recovery_of_a_dead_worker_keeps_max_attempts(
    services: Services, attempts_used: int, expected: JobState
) -> None:
    actor = build_world(services, ("lab-a",)).member("lab-a", Role.ANALYST).actor
    code = submit(services, actor, "test.count", {"file": "/dev/null"})
    running_as(services, code, f"{dead_tag()}:cccccc", attempts_used)
    queue = CatalogJobQueue(services.ctx.uow, services.ctx.clock)
    assert queue.recover_orphaned(worker_is_dead) == [(code, expected.value)]
    after = job(services, code)
    assert after.state is expected and after.worker_id is None or expected is JobState.FAILED
    if expected is JobState.FAILED:
        assert "server process ended" in (after.error or "") and "2 attempt(s)" in (after.error or "")
    assert queue.recover_orphaned(worker_is_dead) == []
