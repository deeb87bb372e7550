"""Jobs on Celery workers over a real Redis: the server submits, two real ``vardesk worker`` processes run
the jobs, the catalog (SQLite and PostgreSQL) stays the source of truth.

A VCF uploaded through the native API is indexed by a worker, never by the server; a message delivered
again for a finished job runs nothing; a job queued with no message is published by a dispatcher; a
worker killed with SIGKILL mid-annotation loses the job to the other worker once its lease (3 s here) has
expired, and the store holds the same Parquet parts as a clean run, none twice, none partial."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import requests

import tests.jobs.plugin_tools  # noqa: F401  (the test tools, for this process's own submissions)
from tests.conftest import REPO, TESTDATA, LiveServer, _backends, fresh_database_url, make_settings
from tests.jobs.conftest import RedisServer
from tests.world import World, build_world
from vardesk.app.composition import Services, _job_queue, build_services
from vardesk.config import Settings
from vardesk.domain.enums import JobState, Role
from vardesk.domain.models import Job, VcfFile
from vardesk.jobs.broker import BrokerExecutor, Publisher

API = "/api/v2"
GIAB = TESTDATA / "giab-trio-grch37" / "ashk-trio.vcf.gz"
READY = "worker process ready"
DROPPED = "job message dropped"


class Worker:
    """``python -m vardesk worker`` in a process group of its own (its pool processes die with it)."""

    def __init__(self, settings: Settings, log: Path) -> None:
        self.log = log
        self.env = {
            **os.environ,
            "VARDESK_DATA_DIR": str(settings.data_dir),
            "VARDESK_DATABASE_URL": settings.resolved_database_url,
            "VARDESK_BROKER_URL": settings.broker_url,
            "VARDESK_AUTO_MIGRATE": "false",
            "VARDESK_JOB_PLUGINS": "tests.jobs.plugin_tools,tests.jobs.slow_index",
            "VARDESK_JOB_HEARTBEAT_SECONDS": str(settings.job_heartbeat_seconds),
            "VARDESK_JOB_STALE_SECONDS": str(settings.job_stale_seconds),
            "VARDESK_LOG_FORMAT": "text",
            "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO), os.environ.get("PYTHONPATH", "")]),
        }
        with log.open("w") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "vardesk", "worker", "--concurrency", "1"],
                env=self.env,
                cwd=REPO,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.time() + timeout
        while READY not in self.text():
            assert self.proc.poll() is None, f"the worker exited:\n{self.text()[-3000:]}"
            assert time.time() < deadline, f"the worker did not start:\n{self.text()[-3000:]}"
            time.sleep(0.05)

    def owns(self, worker_id: str | None) -> bool:
        """Whether a job's worker id names one of this worker's processes."""
        try:
            return os.getpgid(int((worker_id or "x").split("_")[0])) == self.proc.pid
        except (ValueError, ProcessLookupError):
            return False

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        """A warm shutdown (what systemd's stop sends)."""
        if self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass
class Deployment:
    services: Services
    world: World
    server: LiveServer
    workers: list[Worker]

    @property
    def auth(self) -> tuple[str, str]:
        return self.world.member("lab-a", Role.ANALYST).basic

    def job(self, code: str) -> Job:
        with self.services.ctx.uow() as uow:
            job = uow.jobs.by_code(code)
        assert job is not None
        return job

    def wait_finished(self, code: str, timeout: float = 60) -> Job:
        deadline = time.time() + timeout
        while not (job := self.job(code)).state.finished:
            assert time.time() < deadline, f"job {code} still {job.state.value}: {job.progress_message}"
            time.sleep(0.05)
        return job

    def dropped(self) -> int:
        return sum(w.text().count(DROPPED) for w in self.workers)


@pytest.fixture(scope="module", params=_backends())
def deployment(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, redis_server: RedisServer
) -> Iterator[Deployment]:
    tmp = tmp_path_factory.mktemp("broker")
    database = fresh_database_url(request.param, tmp)
    settings = make_settings(tmp / "data", next(database), broker_url=redis_server.new_database())
    services = build_services(settings)
    world = build_world(services, ("lab-a",))
    analyst = world.member("lab-a", Role.ANALYST).actor
    services.projects.create_project(analyst, {"id": "trio", "organism": {"assembly": "GRCh37"}})
    workers = [Worker(services.settings, tmp / f"worker-{n}.log") for n in range(2)]
    try:
        with LiveServer(services) as server:
            for w in workers:
                w.wait_ready()
            yield Deployment(services, world, server, workers)
    finally:
        for w in workers:
            if w.proc.poll() is None:
                os.killpg(w.proc.pid, signal.SIGTERM)  # both at once; stop() waits
        for w in workers:
            w.stop()
        services.close()
        database.close()


def upload_and_index(d: Deployment, folder: str) -> tuple[dict, str]:
    """The GIAB trio VCF uploaded, then its index job (with annotation) submitted: (file, job code)."""
    name = f"/home/lab/{folder}/ashk-trio.vcf.gz"
    form = {"study": "trio:default", "relativeFilePath": f"{folder}/", "parents": "True"}
    form["renameSamples"] = "true"  # the same VCF again: its samples as numbered copies
    r = requests.post(
        d.server.url + API + "/files/upload",
        params={"file": name, **form},
        data={**form, "format": "VCF", "bioformat": "VARIANT"},
        files={"file": (name, GIAB.read_bytes(), "application/octet-stream")},
        auth=d.auth,
        timeout=60,
    )
    assert r.status_code == 200, r.text
    (file,) = r.json()["responses"][0]["results"]
    r = requests.post(
        d.server.url + API + "/operation/variant/index",
        params={"study": "trio:default"},
        json={"file": file["id"], "annotate": True},
        auth=d.auth,
        timeout=30,
    )
    assert r.status_code == 200, r.text
    (job,) = r.json()["responses"][0]["results"]
    return file, job["id"]


def indexed_file(services: Services, job_code: str) -> VcfFile:
    with services.ctx.uow() as uow:
        job = uow.jobs.by_code(job_code)
        assert job is not None
        (file_id,) = job.params["files"]
        vcf = uow.files.get(file_id)
    assert vcf is not None
    return vcf


def stored_parts(services: Services, job_code: str) -> dict[str, int]:
    """Every file the store holds for an index job's genomes and pipeline annotation, with the rows of
    each Parquet part (a partial part would not read); and no unfinished write anywhere in the store."""
    root = Path(services.settings.resolved_storage_url.removeprefix("file://"))
    vcf = indexed_file(services, job_code)
    out: dict[str, int] = {}
    for key in (f"genomes/{vcf.uuid}", f"annotations/vcf-{vcf.uuid}"):
        for path in sorted((root / key).rglob("*")):
            if path.is_file():
                rel = f"{key.split('/')[0]}/{path.relative_to(root / key)}"
                out[rel] = pq.ParquetFile(path).metadata.num_rows if path.suffix == ".parquet" else -1
    unfinished = [p for p in root.rglob("*.part") if ".scratch" not in p.parts]
    assert unfinished == []
    return out


@pytest.fixture(scope="module")
def indexed(deployment: Deployment) -> dict:
    file, code = upload_and_index(deployment, "clean")
    job = deployment.wait_finished(code)
    return {"file": file, "job": job, "parts": stored_parts(deployment.services, code)}


def test_a_vcf_uploaded_through_the_api_is_indexed_by_a_worker(deployment: Deployment, indexed: dict) -> None:
    job: Job = indexed["job"]
    assert job.state is JobState.DONE and job.attempts == 1, job.error
    # run by a pool process of one of the workers, not by the server that took the upload
    assert any(w.owns(job.worker_id) for w in deployment.workers), job.worker_id
    assert not (job.worker_id or "").startswith(f"{os.getpid()}_")
    assert job.result["files"][0]["records_read"] == 9940
    r = requests.get(
        deployment.server.url + API + "/samples/search",
        params={"study": "trio:default"},
        auth=deployment.auth,
        timeout=30,
    )
    samples = r.json()["responses"][0]["results"]
    assert [s["id"] for s in samples] == ["HG002", "HG003", "HG004"]
    assert {s["attributes"]["vardesk"]["state"] for s in samples} == {"READY"}
    parts = indexed["parts"]
    assert sum(1 for k in parts if k.startswith("genomes/genotypes/")) == 3
    assert sum(1 for k in parts if k.startswith("annotations/")) == 1


def test_a_redelivered_message_runs_nothing_again(
    deployment: Deployment, indexed: dict, tmp_path: Path
) -> None:
    d = deployment
    runs = tmp_path / "runs.txt"
    actor = d.world.member("lab-a", Role.ANALYST).actor
    with d.services.ctx.uow() as uow:
        counted = d.services.jobs.submit(uow, actor, "test.count", {"file": str(runs)})
        uow.commit()
    d.services.jobs.notify()
    before = {c: d.wait_finished(c) for c in (counted.code, indexed["job"].code)}
    assert runs.read_text().split() == [counted.code]
    dropped = d.dropped()
    publisher = Publisher(d.services.settings.broker_url, _job_queue, 60)
    try:
        for _ in range(3):  # what a broker's redelivery or a second dispatcher would send
            assert publisher.publish(before[counted.code].id or 0, "test.count", force=True)
            assert publisher.publish(indexed["job"].id, "variant-index", force=True)
    finally:
        publisher.close()
    deadline = time.time() + 30
    while d.dropped() < dropped + 6:  # every message was received and refused by the catalog's claim
        assert time.time() < deadline, (d.dropped() - dropped, [w.text()[-2000:] for w in d.workers])
        time.sleep(0.05)
    assert runs.read_text().split() == [counted.code]
    for code, job in before.items():
        now = d.job(code)
        assert (now.state, now.attempts, now.finished_at, now.result, now.worker_id) == (
            job.state,
            job.attempts,
            job.finished_at,
            job.result,
            job.worker_id,
        )
    assert stored_parts(d.services, indexed["job"].code) == indexed["parts"]


def test_a_job_queued_without_a_message_is_published_and_run(deployment: Deployment, tmp_path: Path) -> None:
    """A job another process queued (the command line, a server that stopped before publishing)."""
    d = deployment
    assert isinstance(d.services.executor, BrokerExecutor) and d.services.executor.is_running()
    runs = tmp_path / "runs.txt"
    actor = d.world.member("lab-a", Role.ANALYST).actor
    with d.services.ctx.uow() as uow:
        job = d.services.jobs.submit(uow, actor, "test.count", {"file": str(runs)})
        uow.commit()  # and no notification: nothing in this process publishes it at once
    done = d.wait_finished(job.code, timeout=30)
    assert done.state is JobState.DONE and runs.read_text().split() == [job.code]
    assert any(w.owns(done.worker_id) for w in d.workers)


def test_a_worker_killed_mid_annotation_loses_the_job_to_the_other(
    deployment: Deployment, indexed: dict
) -> None:
    """Last in this module: it kills one of the two workers."""
    d = deployment
    data_dir = d.services.settings.data_dir
    pause = data_dir / "pause-annotation"
    pause.write_text("")
    try:
        file, code = upload_and_index(d, "killed")
        deadline = time.time() + 60
        while not (data_dir / f"paused-{code}").exists():
            assert d.job(code).state in (JobState.QUEUED, JobState.RUNNING), d.job(code).error
            assert time.time() < deadline, "the index job never reached its annotation"
            time.sleep(0.05)
        running = d.job(code)
        assert running.state is JobState.RUNNING and running.attempts == 1
        assert running.progress_message.startswith("annotating")
        (holder,) = [w for w in d.workers if w.owns(running.worker_id)]
        (other,) = [w for w in d.workers if w is not holder]
        holder.kill()
    finally:
        pause.unlink()
    killed_at = time.time()
    job = d.wait_finished(code, timeout=60)
    assert job.state is JobState.DONE, job.error
    assert job.attempts == 2 and other.owns(job.worker_id)
    # taken over once the lease had run out, not before
    assert job.started_at is not None and time.time() - killed_at >= d.services.settings.job_stale_seconds
    vcf = indexed_file(d.services, code)
    with d.services.ctx.uow() as uow:
        states = {g.state.value for g in uow.genomes.of_file(vcf.id or 0)}
    assert states == {"READY"} and vcf.code == file["id"]
    # the same parts as the clean run of the same VCF, each whole, none twice
    assert stored_parts(d.services, code) == indexed["parts"]
