"""Jobs carried by a Celery broker (Redis) to worker processes, possibly on other machines.

The catalog's job row stays the source of truth; the broker is transport only. A message carries nothing
but a job's id: the worker that receives it claims the job through the catalog's lease
(:meth:`~vardesk.jobs.queue.JobQueue.claim_job`) and runs it only when that claim succeeds, so a
duplicate or redelivered message is harmless (the job is no longer QUEUED). A message that is lost — a
worker killed while it held one, a broker that forgot it — costs only time: a :class:`Dispatcher`
(in every ``vardesk serve`` with a broker and in every worker) recovers expired leases and publishes
again every QUEUED job that has not been published within a lease period.

Publication marks (``vardesk:published:<job id>`` in Redis, expiring after the lease) keep the
dispatchers of many processes from publishing one job more than once per lease period.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from vardesk.domain.enums import JobState
from vardesk.domain.errors import Invalid
from vardesk.domain.models import Job
from vardesk.jobs.executor import worker_is_dead
from vardesk.jobs.queue import JobQueue

log = logging.getLogger("vardesk.jobs")

TASK = "vardesk.run_job"
# The worker queues by name (``vardesk worker --queues``): CPU-heavy ingest, annotation, indexing and
# analyses; report rendering and exports; light jobs such as webhook deliveries
QUEUES = ("ingest", "reports", "light")
DEFAULT_QUEUE = "ingest"  # a job type no route names (a plugin's)
SCAN_LIMIT = 500  # QUEUED jobs a dispatcher looks at per pass, oldest first
SCHEMES = ("redis", "rediss")

Route = Callable[[str], str]  # job tool → queue name (one of QUEUES)


def broker_queue(name: str) -> str:
    """The broker's name for a worker queue (a Redis list)."""
    return f"vardesk.{name}"


def check_broker_url(url: str) -> str:
    """``url`` when it names a Redis broker; :class:`Invalid` naming the problem otherwise."""
    scheme = urlsplit(url).scheme
    if scheme not in SCHEMES:
        raise Invalid(
            f"broker URL scheme {scheme!r} is not supported; give redis://host:port/db (or rediss:// for TLS)"
        )
    return url


def shown_url(url: str) -> str:
    """The broker URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def check_queues(names: list[str]) -> list[str]:
    unknown = [n for n in names if n not in QUEUES]
    if unknown or not names:
        raise Invalid(f"unknown worker queue(s) {', '.join(unknown) or '(none)'}; use {', '.join(QUEUES)}")
    return list(dict.fromkeys(names))


@cache
def celery_app(broker_url: str) -> Any:
    """The Celery application of this process for ``broker_url`` (one per broker, made once)."""
    from celery import Celery  # only a process that uses a broker imports Celery

    app = Celery("vardesk", broker=check_broker_url(broker_url), set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        # the message is acknowledged once its job has ended: a worker that dies holding one lets the broker
        # deliver it again (harmless, the claim refuses it); the lease sweep is what recovers the job
        task_acks_late=True,
        worker_prefetch_multiplier=1,  # a worker holds no more messages than it runs jobs
        task_default_queue=broker_queue(DEFAULT_QUEUE),
        task_create_missing_queues=True,
        broker_connection_retry_on_startup=True,
        # logs go through Vardesk's own handler (JSON, no PHI); a pool process needs time to open the
        # catalog and the store before it reports itself ready
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        worker_proc_alive_timeout=120.0,
        worker_send_task_events=False,
        worker_enable_remote_control=False,
        broker_transport_options={"visibility_timeout": 3600},
    )
    return app


class Publisher:
    """Sends job ids to their worker queues, at most once per ``republish_seconds`` per job across every
    process sharing the broker (unless forced)."""

    def __init__(self, broker_url: str, route: Route, republish_seconds: float) -> None:
        import redis  # celery[redis]'s client

        self.app = celery_app(broker_url)
        self.route = route
        self.republish_ms = max(100, int(republish_seconds * 1000))
        self._redis = redis.Redis.from_url(broker_url, socket_timeout=10, socket_connect_timeout=10)

    def queue_of(self, tool: str) -> str:
        name = self.route(tool)
        return name if name in QUEUES else DEFAULT_QUEUE

    def publish(self, job_id: int, tool: str, *, force: bool = False) -> bool:
        """Send job ``job_id``'s message unless it was sent within the republish period (``force``: send
        anyway). True when a message was sent."""
        mark = f"vardesk:published:{job_id}"
        if not self._redis.set(mark, "1", nx=not force, px=self.republish_ms):
            return False
        queue = broker_queue(self.queue_of(tool))
        try:
            self.app.send_task(TASK, args=[job_id], queue=queue, routing_key=queue)
        except Exception:
            self._redis.delete(mark)
            raise
        return True

    def close(self) -> None:
        self._redis.close()


class Dispatcher:
    """One pass (:meth:`run_once`) or a thread of passes: recover jobs whose lease expired, then publish
    the QUEUED jobs not published within the lease period (the recovered ones at once)."""

    def __init__(
        self, queue: JobQueue, publisher: Publisher, *, lease_seconds: float, interval: float
    ) -> None:
        self.queue = queue
        self.publisher = publisher
        self.lease_seconds = lease_seconds
        self.interval = interval
        self._seen: dict[int, float] = {}  # job id → when this process last published or saw it published
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        """Returns how many messages were sent."""
        expired = self.queue.recover_expired(self.lease_seconds)
        recovered = {code for code, state in expired if state == JobState.QUEUED.value}
        now = time.monotonic()
        sent = 0
        queued = self.queue.queued(SCAN_LIMIT)
        for job_id, code, tool in queued:
            again = code in recovered
            if not again and now - self._seen.get(job_id, float("-inf")) < self.lease_seconds:
                continue
            if self.publisher.publish(job_id, tool, force=again):
                sent += 1
            self._seen[job_id] = now
        current = {job_id for job_id, _, _ in queued}
        for job_id in [j for j, t in self._seen.items() if j not in current and now - t > self.lease_seconds]:
            del self._seen[job_id]
        return sent

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        # a job left RUNNING by a process of this host that died is taken back now, not when its lease ends
        try:
            self.queue.recover_orphaned(worker_is_dead)
        except Exception:
            log.exception("recovering the jobs of stopped processes failed")
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="vardesk-dispatch", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # keep going; the catalog or the broker may be briefly unavailable
                log.exception("job dispatch to the broker failed")
            self._wake.wait(self.interval)
            self._wake.clear()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()


class BrokerExecutor:
    """The executor of a process that submits jobs to the broker and runs none itself (``vardesk serve``
    with ``broker_url`` set): a new job is published at once, and the dispatcher's passes publish what
    other processes queued and what lost its worker."""

    def __init__(
        self, queue: JobQueue, publisher: Publisher, *, lease_seconds: float, poll_seconds: float
    ) -> None:
        self.queue = queue
        self.publisher = publisher
        self.dispatcher = Dispatcher(queue, publisher, lease_seconds=lease_seconds, interval=poll_seconds)

    def enqueue(self, job: Job) -> Job:
        job = self.queue.enqueue(job)
        self.wake()
        return job

    def start(self) -> None:
        self.dispatcher.start()

    def stop(self, wait: bool = True) -> None:
        self.dispatcher.stop()
        self.publisher.close()

    def wake(self) -> None:
        self.dispatcher.wake()

    def is_running(self) -> bool:
        return self.dispatcher.is_running()
