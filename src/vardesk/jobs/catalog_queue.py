"""The job queue kept in the catalog's ``jobs`` table, one short transaction per operation.

A claim is one atomic UPDATE of a QUEUED row (no double execution across threads, processes or machines);
a lease lasts ``lease_seconds`` after the last heartbeat, and every worker of one deployment uses the same
length (``job_stale_seconds``)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, Protocol

from vardesk.domain.enums import JobState
from vardesk.domain.models import Job
from vardesk.jobs.queue import ClaimedJob, JobRows, Lease

log = logging.getLogger("vardesk.jobs")


class _UnitOfWork(Protocol):
    jobs: JobRows

    def commit(self) -> None: ...

    def __enter__(self) -> _UnitOfWork: ...

    def __exit__(self, *exc: object) -> None: ...


class CatalogJobQueue:
    def __init__(self, uow: Callable[[], Any], clock: Callable[[], datetime]) -> None:
        self._uow = uow
        self._clock = clock

    @contextmanager
    def _tx(self) -> Iterator[_UnitOfWork]:
        with self._uow() as uow:
            yield uow
            uow.commit()

    def enqueue(self, job: Job) -> Job:
        job.state = JobState.QUEUED
        with self._tx() as uow:
            uow.jobs.add(job)
        return job

    def claim(self, worker_id: str, lease_seconds: float, limit: int) -> list[ClaimedJob]:
        """Expired leases are recovered first, so a job whose worker died is claimable again here."""
        self.recover_expired(lease_seconds)
        if limit <= 0:
            return []
        with self._uow() as uow:
            candidates = uow.jobs.next_queued_ids(limit * 2)
        claimed: list[ClaimedJob] = []
        for job_id in candidates:
            if len(claimed) >= limit:
                break
            job = self._claim(job_id, worker_id)
            if job is not None:
                claimed.append(job)
        return claimed

    def queued(self, limit: int) -> list[tuple[int, str, str]]:
        """The oldest QUEUED jobs as (id, code, tool), for an executor that hands them to a broker."""
        with self._uow() as uow:
            ids = uow.jobs.next_queued_ids(limit)
            jobs = [uow.jobs.get(job_id) for job_id in ids]
            return [(job.id or 0, job.code, job.tool) for job in jobs if job is not None]

    def claim_job(self, job_id: int, worker_id: str, lease_seconds: float) -> ClaimedJob | None:
        self.recover_expired(lease_seconds)
        return self._claim(job_id, worker_id)

    def _claim(self, job_id: int, worker_id: str) -> ClaimedJob | None:
        with self._tx() as uow:
            if not uow.jobs.claim(job_id, worker_id, self._clock()):
                return None
            job = uow.jobs.get(job_id)
            assert job is not None
            return ClaimedJob(
                id=job_id,
                code=job.code,
                tool=job.tool,
                params=dict(job.params),
                workspace_id=job.workspace_id,
                created_by=job.created_by,
                project_id=job.project_id,
                study_id=job.study_id,
                attempt=job.attempts,
            )

    def heartbeat(
        self,
        job_id: int,
        worker_id: str,
        *,
        progress: float | None = None,
        message: str | None = None,
    ) -> Lease:
        with self._tx() as uow:
            held, cancel = uow.jobs.renew(job_id, worker_id, self._clock(), progress, message)
        return Lease(held=held, cancel_requested=cancel)

    def complete(self, job_id: int, worker_id: str, result: dict[str, Any]) -> bool:
        return self._finish(
            job_id,
            worker_id,
            {
                "state": JobState.DONE.value,
                "error": None,
                "result": result,
                "progress": 100.0,
                "progress_message": "done",
            },
        )

    def fail(self, job_id: int, worker_id: str, error: str, *, cancelled: bool = False) -> bool:
        state = JobState.CANCELLED if cancelled else JobState.FAILED
        return self._finish(job_id, worker_id, {"state": state.value, "error": error})

    def _finish(self, job_id: int, worker_id: str, values: dict[str, Any]) -> bool:
        with self._tx() as uow:
            return uow.jobs.finish(job_id, worker_id, {**values, "finished_at": self._clock()})

    def recover_expired(self, lease_seconds: float) -> list[tuple[str, str]]:
        now = self._clock()
        with self._tx() as uow:
            stale = uow.jobs.stale_running(now - timedelta(seconds=lease_seconds))
            why = f"no heartbeat for {int(lease_seconds)} s"
            return [r for job in stale if (r := self._recover(uow, job, now, why))]

    def recover_orphaned(self, is_dead: Callable[[str], bool]) -> list[tuple[str, str]]:
        now = self._clock()
        with self._tx() as uow:
            running = uow.jobs.stale_running(now + timedelta(days=36500))  # every RUNNING job
            dead = [job for job in running if job.worker_id and is_dead(job.worker_id)]
            return [r for job in dead if (r := self._recover(uow, job, now, "its server process ended"))]

    @staticmethod
    def _recover(uow: _UnitOfWork, job: Job, now: datetime, why: str) -> tuple[str, str] | None:
        """Re-queue a job whose worker is gone, or fail it once it has used its attempts; None when the
        job changed since it was read (its worker renewed the lease or finished it): it stays as it is."""
        if job.attempts < job.max_attempts:
            values: dict[str, Any] = {
                "state": JobState.QUEUED.value,
                "worker_id": None,
                "progress_message": f"re-queued: the worker running attempt {job.attempts} stopped ({why})",
            }
        else:
            values = {
                "state": JobState.FAILED.value,
                "finished_at": now,
                "error": f"the worker stopped while running this job ({why}) after {job.attempts} attempt(s)",
            }
        if not uow.jobs.take_back(job, values):
            return None
        state = values["state"]
        log.warning(
            "recovered stale job", extra={"job_id": job.code, "state": state, "attempt": job.attempts}
        )
        return job.code, state
