from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest

import tests.jobs.plugin_tools  # noqa: F401  (registers the test tools)
from tests.world import build_world
from vardesk.app.composition import Services
from vardesk.domain.enums import JobState, Role
from vardesk.domain.models import Job
from vardesk.jobs.catalog_queue import CatalogJobQueue
from vardesk.jobs.executor import recover_stale_jobs


def submit(services: Services, actor, tool: str, params: dict) -> str:  # type: ignore[no-untyped-def]
    with services.ctx.uow() as uow:
        job = services.jobs.submit(uow, actor, tool, params)
        uow.commit()
    return job.code


def wait_finished(services: Services, codes: list[str], timeout: float = 30) -> dict[str, Job]:
    deadline = time.time() + timeout
    while True:
        with services.ctx.uow() as uow:
            jobs = {c: uow.jobs.by_code(c) for c in codes}
        if all(j is not None and j.state.finished for j in jobs.values()):
            return jobs  # type: ignore[return-value]
        if time.time() > deadline:
            raise AssertionError({c: j.state for c, j in jobs.items() if j})
        time.sleep(0.05)


def test_two_executors_never_run_a_job_twice(services: Services, tmp_path: Path) -> None:
    actor = build_world(services, ("lab-a",)).member("lab-a", Role.ANALYST).actor
    out = tmp_path / "runs.txt"
    codes = [submit(services, actor, "test.count", {"file": str(out), "seconds": 0.02}) for _ in range(24)]
    executors = [services.local_executor() for _ in range(2)]
    for ex in executors:
        ex.start()
    try:
        jobs = wait_finished(services, codes)
    finally:
        for ex in executors:
            ex.stop()
    assert all(j.state is JobState.DONE and j.attempts == 1 for j in jobs.values())
    lines = out.read_text().split()
    assert sorted(lines) == sorted(codes)  # each job exactly once
    assert {j.worker_id for j in jobs.values()} <= {ex.worker_id for ex in executors}


def test_failure_progress_and_result_are_recorded(services: Services, tmp_path: Path) -> None:
    actor = build_world(services, ("lab-a",)).member("lab-a", Role.ANALYST).actor
    ok = submit(services, actor, "test.slow", {"dir": str(tmp_path), "seconds": 0.2})
    bad = submit(services, actor, "test.fail", {})
    unknown = submit(services, actor, "no.such.tool", {})
    services.start_executor()
    jobs = wait_finished(services, [ok, bad, unknown])
    assert jobs[ok].state is JobState.DONE and jobs[ok].progress == 100 and jobs[ok].result == {"attempt": 1}
    assert jobs[bad].state is JobState.FAILED and jobs[bad].error == "the input file has no samples"
    assert jobs[unknown].state is JobState.FAILED and "no tool 'no.such.tool'" in (jobs[unknown].error or "")


def test_cancel_queued_and_running_jobs(services: Services, tmp_path: Path) -> None:
    actor = build_world(services, ("lab-a",)).member("lab-a", Role.ANALYST).actor
    queued = submit(services, actor, "test.slow", {"dir": str(tmp_path / "q"), "seconds": 5})
    services.jobs.cancel(actor, queued)
    running = submit(services, actor, "test.slow", {"dir": str(tmp_path), "seconds": 20})
    services.start_executor()
    deadline = time.time() + 10
    while services.jobs.get_jobs(actor, [running])[0][1].state is not JobState.RUNNING:  # type: ignore[union-attr]
        assert time.time() < deadline
        time.sleep(0.05)
    services.jobs.cancel(actor, running)
    jobs = wait_finished(services, [queued, running], timeout=10)
    assert jobs[queued].state is JobState.CANCELLED and jobs[queued].attempts == 0
    assert jobs[running].state is JobState.CANCELLED


@pytest.mark.parametrize(("attempts_used", "expected"), [(1, JobState.QUEUED), (2, JobState.FAILED)])
def test_stale_running_jobs_are_requeued_then_failed(
    services: Services, attempts_used: int, expected: JobState
) -> None:
    actor = build_world(services, ("lab-a",)).member("lab-a", Role.ANALYST).actor
    code = submit(services, actor, "test.count", {"file": "/dev/null"})
    long_ago = services.ctx.clock() - timedelta(minutes=5)
    with services.ctx.uow() as uow:
        job = uow.jobs.by_code(code)
        assert job is not None
        job.state, job.attempts, job.worker_id, job.heartbeat_at = (
            JobState.RUNNING,
            attempts_used,
            "gone:1",
            long_ago,
        )
        uow.commit()
    queue = CatalogJobQueue(services.ctx.uow, services.ctx.clock)
    lease = services.settings.job_stale_seconds
    assert recover_stale_jobs(queue, lease) == [(code, expected.value)]
    with services.ctx.uow() as uow:
        job = uow.jobs.by_code(code)
    assert job is not None and job.state is expected
    if expected is JobState.FAILED:
        assert "no heartbeat" in (job.error or "") and "2 attempt(s)" in (job.error or "")
    assert recover_stale_jobs(queue, lease) == []  # a fresh heartbeat is left alone
