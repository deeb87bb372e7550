"""The broker side of the Celery executor, in this process, over a real Redis and a real catalog: which
executor a configuration gets, where each job type's message goes, that a job is published once per lease
period however many dispatchers look at it, and that a job whose lease expired is published again."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
import redis

import tests.jobs.plugin_tools  # noqa: F401  (registers the test tools)
from tests.jobs.conftest import RedisServer
from tests.jobs.test_executor import submit
from tests.world import build_world
from vardesk.app.composition import JOB_QUEUES, Services, _job_queue
from vardesk.cli.main import main
from vardesk.domain.enums import JobState, Role
from vardesk.domain.errors import Invalid
from vardesk.jobs.broker import BrokerExecutor, Dispatcher, Publisher, check_broker_url, shown_url
from vardesk.jobs.catalog_queue import CatalogJobQueue
from vardesk.jobs.executor import LocalExecutor

LEASE = 30.0


def messages(client: redis.Redis, queue: str) -> list[int]:
    """The job ids waiting in a worker queue (kombu keeps a Redis list per queue)."""
    out = []
    for raw in client.lrange(f"vardesk.{queue}", 0, -1):
        body = json.loads(raw)
        assert body["headers"]["task"] == "vardesk.run_job"
        args = json.loads(base64.b64decode(body["body"]))[0]
        out.append(args[0])
    return out


@pytest.fixture
def broker(redis_server: RedisServer) -> tuple[str, redis.Redis]:
    url = redis_server.new_database()
    return url, redis.Redis.from_url(url)


def test_without_a_broker_the_executor_is_in_process(services: Services) -> None:
    services.start_executor()
    assert isinstance(services.executor, LocalExecutor) and services.executor.is_running()


def test_with_a_broker_the_server_publishes_and_runs_nothing(
    services: Services, broker: tuple[str, redis.Redis]
) -> None:
    url, client = broker
    services.ctx.settings = services.settings = replace(services.settings, broker_url=url)
    actor = build_world(services, ("lab-a",)).member("lab-a", Role.ANALYST).actor
    services.start_executor()
    assert isinstance(services.executor, BrokerExecutor) and services.executor.is_running()
    code = submit(services, actor, "test.count", {"file": "/dev/null"})
    services.jobs.notify()
    with services.ctx.uow() as uow:
        job = uow.jobs.by_code(code)
    assert job is not None
    for _ in range(100):
        if messages(client, "ingest"):
            break
        time.sleep(0.02)
    assert messages(client, "ingest") == [job.id]
    time.sleep(0.5)  # several dispatcher passes (every 0.1 s here): still one message
    assert messages(client, "ingest") == [job.id]
    with services.ctx.uow() as uow:
        job = uow.jobs.by_code(code)
    assert job is not None and job.state is JobState.QUEUED and job.attempts == 0
    # run_if_idle leaves the job to the workers: this process runs none
    services.run_if_idle(job.id or 0)
    with services.ctx.uow() as uow:
        assert uow.jobs.by_code(code).state is JobState.QUEUED  # type: ignore[union-attr]


def test_each_job_type_has_its_queue(broker: tuple[str, redis.Redis]) -> None:
    url, client = broker
    publisher = Publisher(url, _job_queue, LEASE)
    try:
        for n, tool in enumerate([*JOB_QUEUES, "some.plugin.tool"], start=1):
            assert publisher.publish(n, tool)
    finally:
        publisher.close()
    tools = [*JOB_QUEUES, "some.plugin.tool"]
    expected: dict[str, list[int]] = {"ingest": [], "reports": [], "light": []}
    for n, tool in enumerate(tools, start=1):
        expected[JOB_QUEUES.get(tool, "ingest")].append(n)
    assert expected["reports"] and expected["light"] == [tools.index("webhook-delivery") + 1]
    got = {q: sorted(messages(client, q)) for q in expected}
    assert got == expected


def test_dispatchers_publish_a_job_once_per_lease_and_again_when_its_lease_expired(
    services: Services, broker: tuple[str, redis.Redis]
) -> None:
    url, client = broker
    actor = build_world(services, ("lab-a",)).member("lab-a", Role.ANALYST).actor
    later = timedelta(0)
    queue = CatalogJobQueue(services.ctx.uow, lambda: services.ctx.clock() + later)
    publishers = [Publisher(url, _job_queue, LEASE) for _ in range(2)]
    dispatchers = [Dispatcher(queue, p, lease_seconds=LEASE, interval=1) for p in publishers]
    try:
        codes = [submit(services, actor, "test.count", {"file": "/dev/null"}) for _ in range(3)]
        # two processes' dispatchers, several passes each: every queued job once
        sent = [d.run_once() for d in dispatchers for _ in range(3)]
        assert sum(sent) == 3 and sent[0] == 3
        with services.ctx.uow() as uow:
            ids = sorted(uow.jobs.by_code(c).id for c in codes)  # type: ignore[union-attr]
        assert sorted(messages(client, "ingest")) == ids
        # a worker claims the first, then dies: no heartbeat for longer than the lease
        claimed = queue.claim_job(ids[0], "worker-that-dies", LEASE)
        assert claimed is not None
        client.delete("vardesk.ingest")  # the broker forgot every message (a restart without persistence)
        later = timedelta(seconds=LEASE + 1)
        assert dispatchers[1].run_once() == 1  # the recovered job at once, the others not yet
        assert messages(client, "ingest") == [ids[0]]
        with services.ctx.uow() as uow:
            job = uow.jobs.get(ids[0])
        assert job is not None and job.state is JobState.QUEUED and job.attempts == 1
    finally:
        for p in publishers:
            p.close()


def test_broker_urls() -> None:
    assert check_broker_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    assert check_broker_url("rediss://cache.example.org:6380/1")
    with pytest.raises(Invalid, match="scheme 'amqp' is not supported"):
        check_broker_url("amqp://guest@localhost//")
    assert shown_url("redis://:s3cret@cache:6379/0") == "redis://:***@cache:6379/0"
    assert "s3cret" not in shown_url("redis://vardesk:s3cret@cache/2")


def test_the_worker_command_needs_a_broker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VARDESK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("VARDESK_BROKER_URL", raising=False)
    assert main(["worker"]) == 1
    assert "vardesk worker needs a broker: set VARDESK_BROKER_URL" in capsys.readouterr().err
    monkeypatch.setenv("VARDESK_BROKER_URL", "amqp://guest@localhost//")
    assert main(["worker", "--concurrency", "1"]) == 1
    assert "scheme 'amqp' is not supported" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["worker", "--queues", "ingest,bogus"])
    assert exit_.value.code == 2
    assert "unknown queue(s) bogus; use ingest, reports, light" in capsys.readouterr().err
