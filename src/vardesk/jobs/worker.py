"""A Celery worker running Vardesk jobs (``vardesk worker``): the pool processes (prefork, one per unit of
``concurrency``) each open their own catalog and store after the fork, and run a job whose id a message
brings only when they win its catalog lease (:meth:`~vardesk.jobs.executor.LocalExecutor.run_held`), with
heartbeats while it runs. The first pool process also runs a :class:`~vardesk.jobs.broker.Dispatcher`,
so a worker recovers the jobs of a worker that died and publishes them again even when no server runs.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass

from vardesk.jobs.broker import TASK, Dispatcher, Publisher, Route, broker_queue, celery_app, check_queues
from vardesk.jobs.executor import LocalExecutor

log = logging.getLogger("vardesk.jobs")

# What a pool process runs jobs with: an executor that is never started (the broker feeds it), and how
# to close what it opened
ExecutorFactory = Callable[[], tuple[LocalExecutor, Callable[[], None]]]


@dataclass
class _Runtime:
    executor: LocalExecutor
    close: Callable[[], None]
    dispatcher: Dispatcher | None = None
    publisher: Publisher | None = None


@dataclass
class _Worker:
    broker_url: str
    make: ExecutorFactory
    route: Route
    dispatch: bool = True  # whether a pool process runs the dispatcher
    runtime: _Runtime | None = None
    pid: int = 0


_worker: _Worker | None = None  # set by run_worker before the pool forks; each pool process fills runtime


def _runtime() -> _Runtime:
    """This process's runtime, opened on first use (after the fork: nothing is shared with the parent)."""
    w = _worker
    if w is None:
        raise RuntimeError("the Vardesk job task runs only inside `vardesk worker`")
    if w.runtime is None or w.pid != os.getpid():
        executor, close = w.make()
        w.runtime, w.pid = _Runtime(executor, close), os.getpid()
        if w.dispatch and _pool_index() == 0:
            publisher = Publisher(w.broker_url, w.route, executor.lease_seconds)
            dispatcher = Dispatcher(
                executor.queue,
                publisher,
                lease_seconds=executor.lease_seconds,
                interval=executor.heartbeat_seconds,
            )
            dispatcher.start()
            w.runtime.dispatcher, w.runtime.publisher = dispatcher, publisher
        log.info("worker process ready", extra={"worker": executor.worker_id})
    return w.runtime


def _pool_index() -> int:
    try:
        from billiard.process import current_process

        return int(getattr(current_process(), "index", 0) or 0)
    except Exception:
        return 0


def _on_process_init(**_: object) -> None:
    _runtime()


def _on_process_shutdown(**_: object) -> None:
    w = _worker
    if w is None or w.runtime is None or w.pid != os.getpid():
        return
    rt, w.runtime = w.runtime, None
    if rt.dispatcher is not None:
        rt.dispatcher.stop()
    if rt.publisher is not None:
        rt.publisher.close()
    rt.executor.stop(wait=False)
    rt.close()


def run_job(job_id: int) -> str:
    """The task: run job ``job_id`` if it is still QUEUED; a message for any other job is dropped."""
    if _runtime().executor.run_held(int(job_id)):
        return "ran"
    log.info("job message dropped: the job is not queued", extra={"job": int(job_id)})
    return "not queued"


def run_worker(
    broker_url: str,
    make: ExecutorFactory,
    route: Route,
    *,
    queues: list[str],
    concurrency: int,
    log_level: str = "INFO",
) -> int:
    """Run a Celery worker on ``queues`` with ``concurrency`` pool processes until it is stopped (SIGTERM
    or SIGINT: a warm shutdown, the running jobs finish first)."""
    global _worker
    from celery.signals import worker_process_init, worker_process_shutdown

    queues = check_queues(queues)
    _worker = _Worker(broker_url, make, route)
    app = celery_app(broker_url)
    app.task(name=TASK, acks_late=True, ignore_result=True)(run_job)
    worker_process_init.connect(_on_process_init, weak=False)
    worker_process_shutdown.connect(_on_process_shutdown, weak=False)
    argv = [
        "--quiet",  # no banner on standard output
        "worker",
        f"--queues={','.join(broker_queue(q) for q in queues)}",
        f"--concurrency={max(1, concurrency)}",
        "--pool=prefork",
        f"--loglevel={log_level.upper()}",
        f"--hostname=vardesk-{os.getpid()}@{socket.gethostname()}",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    # a line per message received and per task ended says less than the job's own lines
    for name in ("celery.app.trace", "celery.worker.strategy"):
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))
    app.start(argv=argv)
    return 0
