"""``vardesk serve --tls-cert --tls-key [--redirect-port]``: a real server subprocess speaks HTTPS with
Strict-Transport-Security, the redirect port answers 302 to the same path and query on the HTTPS origin,
a plain-HTTP server sends no HSTS, and bad TLS settings stop the command before anything listens."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.certificates import self_signed
from tests.cli.console import assert_clean_failure, vardesk
from tests.conftest import REPO, free_port

HSTS = "max-age=31536000"


@contextmanager
def server(data_dir: Path, args: list[str], probe: str, verify: str | bool = True) -> Iterator[str]:
    """``vardesk serve …args`` on loopback, yielding ``probe`` once its /healthz answers."""
    env = {
        **os.environ,
        "VARDESK_DATA_DIR": str(data_dir),
        "VARDESK_DATABASE_URL": f"sqlite:///{data_dir / 'c.db'}",
        "VARDESK_AUTO_MIGRATE": "true",
        "VARDESK_JOB_WORKERS": "1",
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
        deadline = time.time() + 30
        while True:
            try:
                if requests.get(f"{probe}/healthz", timeout=1, verify=verify).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
            if proc.poll() is not None:
                raise AssertionError(proc.stderr.read() if proc.stderr else "server exited")
            assert time.time() < deadline, "server did not start"
        yield probe
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_https_with_hsts_and_a_redirect_port(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path / "tls")
    port, redirect = free_port(), free_port()
    args = [
        "--port",
        str(port),
        "--tls-cert",
        str(cert),
        "--tls-key",
        str(key),
        "--redirect-port",
        str(redirect),
    ]
    with server(tmp_path / "data", args, f"https://127.0.0.1:{port}", verify=str(cert)) as base:
        r = requests.get(f"{base}/healthz", verify=str(cert), timeout=5)
        assert r.status_code == 200 and r.json()["status"] == "ok"
        assert r.headers["Strict-Transport-Security"] == HSTS
        # an error answer carries it too
        r = requests.get(f"{base}/api/v2/no/such/route", verify=str(cert), timeout=5)
        assert r.status_code == 404 and r.headers["Strict-Transport-Security"] == HSTS
        # the certificate is really checked: a client that does not trust it refuses the connection
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(f"{base}/healthz", timeout=5)
        # plain HTTP on the HTTPS port is not served
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)

        plain = f"http://127.0.0.1:{redirect}"
        r = requests.get(f"{plain}/fabric/reports/12/?extended=True&status=A%20B", allow_redirects=False)
        assert r.status_code == 302
        assert (
            r.headers["Location"] == f"https://127.0.0.1:{port}/fabric/reports/12/?extended=True&status=A%20B"
        )
        assert "Strict-Transport-Security" not in r.headers
        r = requests.post(f"http://localhost:{redirect}/a%2Fb", data=b"x" * 10, allow_redirects=False)
        assert r.status_code == 302 and r.headers["Location"] == f"https://localhost:{port}/a%2Fb"
        # followed, the redirect lands on the HTTPS server (the host name is in the certificate)
        r = requests.get(f"http://localhost:{redirect}/healthz?x=1", verify=str(cert), timeout=5)
        assert r.status_code == 200 and r.url == f"https://localhost:{port}/healthz?x=1"
        assert r.history[0].status_code == 302


def test_plain_http_has_no_hsts(tmp_path: Path) -> None:
    port = free_port()
    with server(tmp_path / "plain", ["--port", str(port)], f"http://127.0.0.1:{port}") as base:
        r = requests.get(f"{base}/healthz", timeout=5)
        assert r.status_code == 200 and "Strict-Transport-Security" not in r.headers
        assert r.headers["X-Content-Type-Options"] == "nosniff"  # the other security headers are there


def test_tls_settings_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = self_signed(tmp_path / "tls")
    monkeypatch.setenv("VARDESK_TLS_CERT", str(cert))
    monkeypatch.setenv("VARDESK_TLS_KEY", str(key))
    port = free_port()
    with server(tmp_path / "data", ["--port", str(port)], f"https://127.0.0.1:{port}", verify=str(cert)):
        r = requests.get(f"https://127.0.0.1:{port}/healthz", verify=str(cert), timeout=5)
        assert r.status_code == 200 and r.headers["Strict-Transport-Security"] == HSTS


def test_bad_tls_settings_stop_before_the_server_starts(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path / "a")
    _, other_key = self_signed(tmp_path / "b")
    _, encrypted = self_signed(tmp_path / "c", password=b"secret")
    port = free_port()
    data = tmp_path / "data"
    cases = [
        (
            ["--tls-cert", str(tmp_path / "none.crt"), "--tls-key", str(key)],
            f"{tmp_path / 'none.crt'} does not exist",
        ),
        (["--tls-cert", str(cert), "--tls-key", str(tmp_path / "none.key")], "TLS key"),
        (["--tls-cert", str(tmp_path), "--tls-key", str(key)], "is not a file"),
        (["--tls-cert", str(key), "--tls-key", str(key)], "holds no PEM certificate"),
        (["--tls-cert", str(cert), "--tls-key", str(cert)], "holds no PEM private key"),
        (["--tls-cert", str(cert), "--tls-key", str(other_key)], f"does not match the certificate {cert}"),
        (["--tls-cert", str(cert), "--tls-key", str(encrypted)], "is encrypted"),
        (["--tls-cert", str(cert)], "--tls-cert needs --tls-key"),
        (["--redirect-port", str(free_port())], "--redirect-port needs --tls-cert"),
        (["--tls-cert", str(cert), "--tls-key", str(key), "--redirect-port", str(port)], "is the HTTPS port"),
    ]
    for args, reason in cases:
        r = vardesk(["serve", "--host", "127.0.0.1", "--port", str(port), *args], data, timeout=60)
        assert_clean_failure(r, reason)
    assert not data.exists()  # refused before the catalog was created
    r = vardesk(["serve", "--tls-cert", str(cert), "--tls-key", str(key), "--redirect-port", "http"], data)
    assert r.returncode == 2 and "not a port number" in r.stderr  # a usage error is argparse's
