"""A server killed with SIGKILL while a job runs: after a restart the job ends DONE or FAILED, never
stuck RUNNING, and the dead process's job is taken back as the server starts (not when its lease ends)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from tests.conftest import REPO, free_port
from tests.jobs.test_executor import submit, wait_finished
from tests.world import build_world
from vardesk.app.composition import Services
from vardesk.domain.enums import JobState, Role


def start_server(services: Services, data_dir: Path, port: int, max_attempts: int) -> subprocess.Popen:
    s = services.settings
    env = {
        **os.environ,
        "VARDESK_DATA_DIR": str(data_dir),
        "VARDESK_DATABASE_URL": s.resolved_database_url,
        "VARDESK_SECRET_KEY": s.secret_key,
        "VARDESK_AUTO_MIGRATE": "true",
        "VARDESK_JOB_PLUGINS": "tests.jobs.plugin_tools",
        "VARDESK_JOB_HEARTBEAT_SECONDS": "0.3",
        "VARDESK_JOB_STALE_SECONDS": "5",
        "VARDESK_JOB_POLL_SECONDS": "0.2",
        "VARDESK_JOB_MAX_ATTEMPTS": str(max_attempts),
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "vardesk.cli.main", "serve", "--port", str(port)],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok:
                return proc
        except requests.RequestException:  # not listening yet, or too busy starting to answer
            time.sleep(0.1)
        if proc.poll() is not None:
            raise AssertionError(proc.stderr.read().decode() if proc.stderr else "server exited")
    raise AssertionError("server did not start")


def wait_state(services: Services, code: str, state: JobState, timeout: float = 20) -> None:
    deadline = time.time() + timeout
    while True:
        with services.ctx.uow() as uow:
            job = uow.jobs.by_code(code)
        if job is not None and job.state is state:
            return
        assert time.time() < deadline, f"job never reached {state}"
        time.sleep(0.05)


@pytest.mark.parametrize(("max_attempts", "final"), [(2, JobState.DONE), (1, JobState.FAILED)])
def test_kill_9_during_a_job_then_restart(
    services: Services, tmp_path: Path, max_attempts: int, final: JobState
) -> None:
    actor = build_world(services, ("lab-a",)).member("lab-a", Role.ANALYST).actor
    port = free_port()
    proc = start_server(services, tmp_path / "srv", port, max_attempts)
    try:
        services.ctx.settings = replace(services.settings, job_max_attempts=max_attempts)
        code = submit(services, actor, "test.slow", {"dir": str(tmp_path), "seconds": 60})
        wait_state(services, code, JobState.RUNNING)
        deadline = time.time() + 20
        while not (tmp_path / "attempt-1").exists():  # the tool has really started, not just been claimed
            assert time.time() < deadline, "the first attempt never started"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        with services.ctx.uow() as uow:
            job = uow.jobs.by_code(code)
        assert job is not None and job.state is JobState.RUNNING  # what a crash leaves behind
        proc = start_server(services, tmp_path / "srv", port, max_attempts)
        with services.ctx.uow() as uow:
            job = uow.jobs.by_code(code)
        # the dead process's job was taken back as the server started, not after its 5 s lease
        assert job is not None and (job.state is not JobState.RUNNING or job.attempts == 2)
        job = wait_finished(services, [code], timeout=30)[code]
    finally:
        proc.kill()
        proc.wait(timeout=10)
    assert job.state is final
    if final is JobState.DONE:
        assert job.attempts == 2 and job.result == {"attempt": 2}
        assert (tmp_path / "attempt-1").exists() and (tmp_path / "attempt-2").exists()
    else:
        assert job.attempts == 1 and "server process ended" in (job.error or "")
        assert not (tmp_path / "attempt-2").exists()
