"""The durable job queue every executor works through, and the job-row repository it needs.

A worker (``worker_id``) claims a QUEUED job with a *lease* of ``lease_seconds``: the job is its own while
it keeps renewing the lease with heartbeats. A RUNNING job whose lease ran out (its worker died or hung) is
recovered: re-queued for another attempt, or failed with the reason once it has used ``max_attempts``. Any
executor — the in-process :class:`~vardesk.jobs.executor.LocalExecutor`, the Celery workers of
:mod:`vardesk.jobs.broker` — runs jobs only through these operations, so a job has one owner at a time (a
worker that lost its lease has its heartbeats and its result refused) and is never left RUNNING for ever.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from vardesk.domain.models import Job


@dataclass(frozen=True)
class ClaimedJob:
    """What a worker needs to run one job it holds the lease on."""

    id: int
    code: str
    tool: str
    params: dict[str, Any]
    workspace_id: int
    created_by: int | None
    project_id: int | None
    study_id: int | None
    attempt: int


@dataclass(frozen=True)
class Lease:
    """The answer to a heartbeat: whether the job is still the worker's, and whether to stop."""

    held: bool
    cancel_requested: bool = False


class JobQueue(Protocol):
    def enqueue(self, job: Job) -> Job:
        """Store a QUEUED job row (committed); it runs once a worker claims it."""

    def claim(self, worker_id: str, lease_seconds: float, limit: int) -> list[ClaimedJob]:
        """Up to ``limit`` QUEUED jobs, each now RUNNING for ``worker_id`` alone with a fresh lease."""

    def queued(self, limit: int) -> list[tuple[int, str, str]]:
        """Up to ``limit`` QUEUED jobs, oldest first, as (id, code, tool)."""

    def claim_job(self, job_id: int, worker_id: str, lease_seconds: float) -> ClaimedJob | None:
        """Claim one given QUEUED job (to run it in the caller's thread); None when it is not QUEUED."""

    def heartbeat(
        self,
        job_id: int,
        worker_id: str,
        *,
        progress: float | None = None,
        message: str | None = None,
    ) -> Lease:
        """Renew the lease on a job (and record its progress); learn whether it was cancelled."""

    def complete(self, job_id: int, worker_id: str, result: dict[str, Any]) -> bool:
        """The job is DONE with ``result``; False when the lease was lost and another worker owns it."""

    def fail(self, job_id: int, worker_id: str, error: str, *, cancelled: bool = False) -> bool:
        """The job FAILED (or was CANCELLED) with ``error`` as its reason; False as for :meth:`complete`."""

    def recover_expired(self, lease_seconds: float) -> list[tuple[str, str]]:
        """Re-queue, or fail once out of attempts, RUNNING jobs whose lease (last heartbeat) is older than
        ``lease_seconds``. Returns (job code, new state) pairs."""

    def recover_orphaned(self, is_dead: Callable[[str], bool]) -> list[tuple[str, str]]:
        """:meth:`recover_expired` for RUNNING jobs whose worker ``is_dead`` says is gone, however fresh
        their lease (a worker of a process on this host that no longer runs)."""


class JobRows(Protocol):
    """The catalog's job repository as the queue uses it, inside one unit of work."""

    def add(self, obj: Job) -> Job: ...

    def get(self, id: int) -> Job | None: ...  # noqa: A002

    def next_queued_ids(self, limit: int) -> list[int]: ...

    def claim(self, job_id: int, worker_id: str, now: datetime) -> bool: ...

    def renew(
        self, job_id: int, worker_id: str, now: datetime, progress: float | None, message: str | None
    ) -> tuple[bool, bool]: ...

    def finish(self, job_id: int, worker_id: str, values: dict[str, Any]) -> bool: ...

    def take_back(self, job: Job, values: dict[str, Any]) -> bool: ...

    def stale_running(self, older_than: datetime) -> Sequence[Job]: ...
