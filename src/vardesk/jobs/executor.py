"""Job executors. The local executor runs jobs in a small thread pool inside the server process.

An executor runs jobs only through a :class:`~vardesk.jobs.queue.JobQueue`: it claims QUEUED jobs with a
lease, renews the lease with heartbeats while they run (reporting progress and learning about
cancellation), and completes or fails them; the queue recovers jobs whose worker died. What an executor
needs — the queue, how to find the handler of a job's tool, what handlers receive, its settings — it is
given, so a distributed executor (Celery) implements the same :class:`Executor` without callers changing.
"""

from __future__ import annotations

import logging
import secrets
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from vardesk import processes
from vardesk.domain.errors import VardeskError, error_text
from vardesk.domain.models import Job
from vardesk.jobs.context import JobCancelled, JobContext
from vardesk.jobs.queue import ClaimedJob, JobQueue
from vardesk.jobs.registry import ToolFn

log = logging.getLogger("vardesk.jobs")

HandlerLookup = Callable[[str], ToolFn | None]


class Executor(Protocol):
    def enqueue(self, job: Job) -> Job:
        """Store a job to run (outside any caller's transaction)."""

    def start(self) -> None: ...

    def stop(self, wait: bool = True) -> None: ...

    def wake(self) -> None:
        """A job was queued: look for work now rather than at the next poll."""

    def is_running(self) -> bool:
        """Whether queued jobs are being taken up (a distributed executor: whether it is connected)."""


def new_worker_id() -> str:
    """``<pid>_<start>_<host>:<token>``: the process (see :mod:`vardesk.processes`), so a job of a
    worker that died on this host is recovered at once, and a token telling executors of one process apart."""
    return f"{processes.tag()}:{secrets.token_hex(3)}"


def worker_is_dead(worker_id: str) -> bool:
    """Whether the process a worker id names ran on this host and no longer runs (never for other hosts',
    nor for ids naming no process)."""
    owner = processes.parse_tag(worker_id.rpartition(":")[0])
    return owner is not None and processes.is_dead(owner)


def recover_stale_jobs(queue: JobQueue, lease_seconds: float) -> list[tuple[str, str]]:
    """Re-queue or fail RUNNING jobs whose heartbeat stopped. Returns (job code, new state) pairs."""
    return queue.recover_expired(lease_seconds)


class LocalExecutor:
    def __init__(
        self,
        queue: JobQueue,
        handlers: HandlerLookup,
        handler_services: Any = None,
        *,
        workers: int = 2,
        lease_seconds: float = 60.0,
        heartbeat_seconds: float = 5.0,
        poll_seconds: float = 0.5,
        worker_id: str | None = None,
    ) -> None:
        self.queue = queue
        self.handlers = handlers
        self.services = handler_services  # what a handler reaches through ``JobContext.services``
        self.worker_id = worker_id or new_worker_id()
        self.workers = max(1, workers)
        self.lease_seconds = lease_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.poll_seconds = poll_seconds
        self._pool: ThreadPoolExecutor | None = None
        self._running: set[int] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def enqueue(self, job: Job) -> Job:
        job = self.queue.enqueue(job)
        self.wake()
        return job

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        if self._pool is not None:
            return
        # a job left RUNNING by a process of this host that died is taken back now, not when its lease ends
        self.queue.recover_orphaned(worker_is_dead)
        self._stop.clear()
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="vardesk-job")
        for target, name in (
            (self._dispatch_loop, "vardesk-dispatch"),
            (self._heartbeat_loop, "vardesk-heartbeat"),
        ):
            th = threading.Thread(target=target, name=name, daemon=True)
            th.start()
            self._threads.append(th)

    def stop(self, wait: bool = True) -> None:
        self._stop.set()
        self._wake.set()
        for th in self._threads:
            th.join(timeout=5)
        self._threads.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=True)
            self._pool = None

    def wake(self) -> None:
        self._wake.set()

    def is_running(self) -> bool:
        return self._pool is not None

    def run_now(self, job_id: int) -> bool:
        """Claim one QUEUED job and run it in the calling thread (a process that runs no executor loop,
        e.g. the command line, doing one job it needs now). False when the job was not QUEUED."""
        job = self.queue.claim_job(job_id, self.worker_id, self.lease_seconds)
        if job is None:
            return False
        self.run_claimed(job)
        return True

    def run_held(self, job_id: int) -> bool:
        """Claim one given QUEUED job and run it in the calling thread, renewing its lease from a
        heartbeat thread while it runs (a worker of a distributed executor, handed the job's id by its
        broker). False when the job was not QUEUED: a duplicate or redelivered message, a finished or
        cancelled job, or one another worker holds."""
        job = self.queue.claim_job(job_id, self.worker_id, self.lease_seconds)
        if job is None:
            return False
        with self._lock:
            self._running.add(job.id)
            if not any(th.name == "vardesk-heartbeat" and th.is_alive() for th in self._threads):
                self._stop.clear()
                th = threading.Thread(target=self._heartbeat_loop, name="vardesk-heartbeat", daemon=True)
                th.start()
                self._threads.append(th)
        try:
            self.run_claimed(job)
        finally:
            with self._lock:
                self._running.discard(job.id)
        return True

    # -- loops -----------------------------------------------------------------------------------
    def _dispatch_loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._claim_and_submit()
            except Exception:  # keep dispatching; the database may be briefly unavailable
                log.exception("job dispatch failed")
            self._wake.wait(self.poll_seconds)
            self._wake.clear()

    def _heartbeat_loop(self) -> None:
        while not self._stop.wait(self.heartbeat_seconds):
            with self._lock:
                ids = list(self._running)
            for job_id in ids:
                try:
                    self.queue.heartbeat(job_id, self.worker_id)
                except Exception:
                    log.exception("job heartbeat failed")

    def _claim_and_submit(self) -> None:
        with self._lock:
            free = self.workers - len(self._running)
        if free <= 0 or self._pool is None:
            return
        for job in self.queue.claim(self.worker_id, self.lease_seconds, free):
            with self._lock:
                self._running.add(job.id)
            self._pool.submit(self._run, job)

    # -- running one job ---------------------------------------------------------------------------
    def _run(self, job: ClaimedJob) -> None:
        try:
            self.run_claimed(job)
        except Exception:
            log.error("job runner failed: %s", traceback.format_exc(limit=3))
        finally:
            with self._lock:
                self._running.discard(job.id)
            self._wake.set()

    def run_claimed(self, job: ClaimedJob) -> None:
        """Run one job this worker holds the lease on, in the calling thread, and record how it ended."""
        log.info("job started", extra={"job_id": job.code, "tool": job.tool, "attempt": job.attempt})
        fn = self.handlers(job.tool)
        if fn is None:
            self._end(job, self.queue.fail, f"no tool {job.tool!r} is installed on this server")
            return
        jctx = JobContext(
            job_id=job.id,
            code=job.code,
            tool=job.tool,
            params=dict(job.params),
            workspace_id=job.workspace_id,
            created_by=job.created_by,
            project_id=job.project_id,
            study_id=job.study_id,
            attempt=job.attempt,
            services=self.services,
            _report=lambda p, m: self._report(job.id, p, m),
        )
        try:
            result = fn(jctx)
        except JobCancelled:
            self._end(job, lambda i, w, e: self.queue.fail(i, w, e, cancelled=True), "cancelled on request")
        except VardeskError as exc:
            self._end(job, self.queue.fail, error_text(exc))
        except Exception as exc:
            log.error("job crashed", extra={"job_id": job.code, "tool": job.tool}, exc_info=True)
            self._end(job, self.queue.fail, f"internal error ({type(exc).__name__}); see the server log")
            del exc
        else:
            self._end(job, self.queue.complete, result or {})

    def _report(self, job_id: int, percent: float, message: str) -> bool:
        lease = self.queue.heartbeat(job_id, self.worker_id, progress=percent, message=message)
        return lease.cancel_requested

    def _end(self, job: ClaimedJob, how: Callable[[int, str, Any], bool], outcome: Any) -> None:
        if how(job.id, self.worker_id, outcome):
            log.info("job finished", extra={"job_id": job.code})
        else:
            log.warning("job result discarded: the job was taken over", extra={"job_id": job.code})
