"""Job executors. The local executor runs jobs in a small thread pool inside the server process.

Any executor claims a QUEUED job with one atomic UPDATE (no double execution across threads,
processes or machines), heartbeats while it runs, and recovers jobs whose worker died: a RUNNING
job whose heartbeat is older than ``job_stale_seconds`` is re-queued, or failed with the reason once
it has used ``max_attempts``. A Celery executor implements the same :class:`Executor` interface.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import update

from vardesk.catalog import tables as t
from vardesk.domain.enums import JobState
from vardesk.domain.errors import VardeskError, error_text
from vardesk.jobs.context import JobCancelled, JobContext
from vardesk.jobs.registry import get_tool
from vardesk.app.context import ServiceContext

log = logging.getLogger("vardesk.jobs")


class Executor(Protocol):
    def start(self) -> None: ...

    def stop(self, wait: bool = True) -> None: ...

    def wake(self) -> None:
        """A job was queued: look for work now rather than at the next poll."""


def recover_stale_jobs(ctx: ServiceContext) -> list[tuple[str, str]]:
    """Re-queue or fail RUNNING jobs whose heartbeat stopped. Returns (job code, new state) pairs."""
    s = ctx.settings
    now = ctx.clock()
    changed: list[tuple[str, str]] = []
    with ctx.uow() as uow:
        for job in uow.jobs.stale_running(now - timedelta(seconds=s.job_stale_seconds)):
            if job.attempts < job.max_attempts:
                job.state = JobState.QUEUED
                job.worker_id = None
                job.progress_message = (
                    f"re-queued: the worker running attempt {job.attempts} stopped sending heartbeats"
                )
            else:
                job.state = JobState.FAILED
                job.finished_at = now
                job.error = (
                    f"the worker stopped while running this job (no heartbeat for "
                    f"{int(s.job_stale_seconds)} s) after {job.attempts} attempt(s)"
                )
            changed.append((job.code, job.state.value))
            log.warning(
                "recovered stale job",
                extra={"job_id": job.code, "state": job.state.value, "attempt": job.attempts},
            )
        uow.commit()
    return changed


class LocalExecutor:
    def __init__(self, ctx: ServiceContext, services: Any) -> None:
        self.ctx = ctx
        self.services = services
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.workers = max(1, ctx.settings.job_workers)
        self._pool: ThreadPoolExecutor | None = None
        self._running: set[int] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        if self._pool is not None:
            return
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

    # -- loops -----------------------------------------------------------------------------------
    def _dispatch_loop(self) -> None:
        poll = self.ctx.settings.job_poll_seconds
        while not self._stop.is_set():
            try:
                recover_stale_jobs(self.ctx)
                self._claim_and_submit()
            except Exception:  # keep dispatching; the database may be briefly unavailable
                log.exception("job dispatch failed")
            self._wake.wait(poll)
            self._wake.clear()

    def _heartbeat_loop(self) -> None:
        every = self.ctx.settings.job_heartbeat_seconds
        while not self._stop.wait(every):
            with self._lock:
                ids = list(self._running)
            if not ids:
                continue
            try:
                with self.ctx.uow() as uow:
                    uow.jobs.heartbeat(ids, self.worker_id, self.ctx.clock())
                    uow.commit()
            except Exception:
                log.exception("job heartbeat failed")

    def _claim_and_submit(self) -> None:
        with self._lock:
            free = self.workers - len(self._running)
        if free <= 0 or self._pool is None:
            return
        with self.ctx.uow() as uow:
            candidates = uow.jobs.next_queued_ids(free * 2)
        for job_id in candidates:
            if free <= 0:
                break
            with self.ctx.uow() as uow:
                won = uow.jobs.claim(job_id, self.worker_id, self.ctx.clock())
                uow.commit()
            if won:
                free -= 1
                with self._lock:
                    self._running.add(job_id)
                self._pool.submit(self._run, job_id)

    # -- running one job ---------------------------------------------------------------------------
    def _run(self, job_id: int) -> None:
        try:
            with self.ctx.uow() as uow:
                job = uow.jobs.get(job_id)
            assert job is not None
            log.info("job started", extra={"job_id": job.code, "tool": job.tool, "attempt": job.attempts})
            fn = get_tool(job.tool)
            if fn is None:
                self._finish(
                    job_id, JobState.FAILED, error=f"no tool {job.tool!r} is installed on this server"
                )
                return
            jctx = JobContext(
                job_id=job_id,
                code=job.code,
                tool=job.tool,
                params=dict(job.params),
                workspace_id=job.workspace_id,
                created_by=job.created_by,
                project_id=job.project_id,
                study_id=job.study_id,
                attempt=job.attempts,
                services=self.services,
                _report=lambda p, m: self._report(job_id, p, m),
            )
            try:
                result = fn(jctx)
            except JobCancelled:
                self._finish(job_id, JobState.CANCELLED, error="cancelled on request")
            except VardeskError as exc:
                self._finish(job_id, JobState.FAILED, error=error_text(exc))
            except Exception as exc:
                log.error("job crashed", extra={"job_id": job.code, "tool": job.tool}, exc_info=True)
                self._finish(
                    job_id,
                    JobState.FAILED,
                    error=f"internal error ({type(exc).__name__}); see the server log",
                )
                del exc
            else:
                self._finish(job_id, JobState.DONE, result=result or {})
        except Exception:
            log.error("job runner failed: %s", traceback.format_exc(limit=3))
        finally:
            with self._lock:
                self._running.discard(job_id)
            self._wake.set()

    def _report(self, job_id: int, percent: float, message: str) -> bool:
        with self.ctx.uow() as uow:
            uow.session.execute(
                update(t.jobs)
                .where(t.jobs.c.id == job_id, t.jobs.c.worker_id == self.worker_id)
                .values(progress=percent, progress_message=message[:500], heartbeat_at=self.ctx.clock())
            )
            job = uow.jobs.get(job_id)
            cancelled = bool(job and job.cancel_requested)
            uow.commit()
        return cancelled

    def _finish(
        self, job_id: int, state: JobState, *, result: dict | None = None, error: str | None = None
    ) -> None:
        now = self.ctx.clock()
        values: dict[str, Any] = {"state": state.value, "finished_at": now, "error": error}
        if state is JobState.DONE:
            values.update(progress=100.0, result=result, progress_message="done")
        with self.ctx.uow() as uow:
            res = uow.session.execute(
                update(t.jobs)
                .where(
                    t.jobs.c.id == job_id,
                    t.jobs.c.worker_id == self.worker_id,
                    t.jobs.c.state == JobState.RUNNING.value,
                )
                .values(**values)
            )
            uow.commit()
        if res.rowcount != 1:
            log.warning("job result discarded: the job was taken over", extra={"job_id": job_id})
        else:
            log.info("job finished", extra={"job_id": job_id, "state": state.value})
