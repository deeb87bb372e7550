"""``vardesk serve --workers N``: real server subprocesses on loopback over one catalog.

One server runs two worker processes with HTTPS, the redirect port and the Emedgene port; a second,
single-process server shares its catalog. Failed logins at either count for both: the login throttle is
the catalog's, not a process's memory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.certificates import self_signed
from tests.conftest import REPO, free_port


@contextmanager
def _server(data_dir: Path, args: list[str]) -> Iterator[subprocess.Popen[str]]:
    env = {
        **os.environ,
        "VARDESK_DATA_DIR": str(data_dir),
        "VARDESK_DATABASE_URL": f"sqlite:///{data_dir / 'c.db'}",
        "VARDESK_AUTO_MIGRATE": "true",
        "VARDESK_JOB_WORKERS": "1",
        "VARDESK_HASH_TIME_COST": "1",
        "VARDESK_HASH_MEMORY_KIB": "8192",
        "VARDESK_LOGIN_SOURCE_MAX_FAILURES": "3",
        "VARDESK_LOGIN_MAX_FAILURES": "3",
        "VARDESK_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "vardesk.cli.main", "serve", "--host", "127.0.0.1", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_healthy(proc: subprocess.Popen[str], url: str, verify: str | bool) -> None:
    deadline = time.time() + 60
    while True:
        try:
            if requests.get(f"{url}/healthz", timeout=2, verify=verify).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.2)
        if proc.poll() is not None:
            raise AssertionError(proc.stderr.read() if proc.stderr else "server exited")
        assert time.time() < deadline, "server did not start"


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


@dataclass
class Servers:
    https: str  # the two-process server
    plain: str  # the one-process server over the same catalog
    redirect: int
    emedgene: str
    cert: str
    supervisor: int


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    root = tmp_path_factory.mktemp("workers")
    cert, key = self_signed(root / "tls")
    data = root / "data"
    port, redirect, emedgene, plain = free_port(), free_port(), free_port(), free_port()
    with ExitStack() as stack:
        tls = ["--tls-cert", str(cert), "--tls-key", str(key), "--redirect-port", str(redirect)]
        two = stack.enter_context(
            _server(data, ["--port", str(port), "--workers", "2", "--emedgene-port", str(emedgene), *tls])
        )
        _wait_healthy(two, f"https://127.0.0.1:{port}", str(cert))
        one = stack.enter_context(_server(data, ["--port", str(plain)]))
        _wait_healthy(one, f"http://127.0.0.1:{plain}", False)
        yield Servers(
            https=f"https://127.0.0.1:{port}",
            plain=f"http://127.0.0.1:{plain}",
            redirect=redirect,
            emedgene=f"https://127.0.0.1:{emedgene}",
            cert=str(cert),
            supervisor=two.pid,
        )


def test_two_worker_processes_serve_https_the_redirect_and_the_emedgene_port(servers: Servers) -> None:
    workers = [
        pid
        for pid in _children(servers.supervisor)
        if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    ]
    assert len(workers) == 2
    r = requests.get(f"{servers.https}/healthz", verify=servers.cert, timeout=5)
    assert r.status_code == 200 and r.headers["strict-transport-security"] == "max-age=31536000"
    moved = requests.get(
        f"http://127.0.0.1:{servers.redirect}/api/v2/meta/about?x=1", allow_redirects=False, timeout=5
    )
    assert moved.status_code == 302
    assert moved.headers["location"] == f"{servers.https}/api/v2/meta/about?x=1"
    # the Emedgene face at the root of its own port, over the same TLS; the main port has no /api/test
    face = requests.get(f"{servers.emedgene}/api/test", verify=servers.cert, timeout=5)
    assert face.status_code == 401
    assert requests.get(f"{servers.https}/api/test", verify=servers.cert, timeout=5).status_code == 404


def _login(base: str, verify: str | bool, name: str) -> requests.Response:
    body = {"user": name, "password": "wrong password"}
    return requests.post(f"{base}/api/v2/users/login", json=body, verify=verify, timeout=30)


def test_failed_logins_at_two_processes_are_throttled_together(servers: Servers) -> None:
    # three failures from 127.0.0.1 (the limit per address), spread over both servers and accounts
    assert _login(servers.https, servers.cert, "a@example.org").status_code == 401
    assert _login(servers.plain, False, "b@example.org").status_code == 401
    assert _login(servers.https, servers.cert, "c@example.org").status_code == 401
    for base, verify in ((servers.plain, False), (servers.https, servers.cert)):
        refused = _login(base, verify, "d@example.org")
        assert refused.status_code == 429, refused.text
        assert "from this address" in refused.text
        assert 1 <= int(refused.headers["retry-after"]) <= 60
