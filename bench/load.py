"""Load: ``vardesk serve --workers N`` under ``wrk`` on the case info and report endpoints.

    python bench/load.py [--workers 2] [--seconds 30] [--connections 200] [--backend postgres,sqlite]
                         [--postgres postgresql+psycopg://vardesk:vardesk@127.0.0.1:5432/vardesk_load]

For each backend (PostgreSQL at ``--postgres``, whose database must exist and may be empty; the embedded
SQLite default) a data directory under ``bench/out/load-<backend>`` gets the demo workspace (``vardesk
demo``, once; ``--fresh`` to redo it), then ``vardesk serve --workers N`` starts on loopback, the demo's
variant index job is awaited, and Debian's ``wrk -t2 -cC -dDs --latency`` (``apt-get install -y wrk``)
runs against

- ``GET /api/v2/analysis/clinical/DEMO-TRIO/info?study=demo@demo:default`` (the case with its findings)
- ``GET /api/v2/analysis/clinical/DEMO-TRIO/report/preview?study=…`` (its preview PDF, rendered once
  by the first request and served as rendered afterwards)

with a Bearer token of the demo API key. Printed per run: requests/s, p50/p99 latency, errors (socket
errors, timeouts — wrk's 2 s — and non-2xx answers), the peak RSS of the server's processes, the machine
and ``uptime`` before and after (the machine may be shared: the load average says by how much). The
last line is JSON with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import machine  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
STUDY = "demo@demo:default"
ENDPOINTS = {
    "info": f"/api/v2/analysis/clinical/DEMO-TRIO/info?study={STUDY}",
    "report": f"/api/v2/analysis/clinical/DEMO-TRIO/report/preview?study={STUDY}",
}
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _env(backend: str, data_dir: Path, postgres: str) -> dict[str, str]:
    env = {
        **os.environ,
        "VARDESK_DATA_DIR": str(data_dir),
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("VARDESK_DATABASE_URL", None)
    if backend == "postgres":
        env["VARDESK_DATABASE_URL"] = postgres
    return env


def _vardesk(*args: str, env: dict[str, str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vardesk", *args], env=env, text=True, check=True, **kw)


def prepare(backend: str, postgres: str, fresh: bool) -> tuple[Path, dict]:
    """The backend's data directory with the demo workspace, and the demo's credentials."""
    data_dir = OUT / f"load-{backend}"
    demo_file = data_dir.parent / f"load-{backend}-demo.json"
    if fresh and data_dir.exists():
        shutil.rmtree(data_dir)
    if not demo_file.exists() or not data_dir.exists():
        env = _env(backend, data_dir, postgres)
        if backend == "postgres":
            _vardesk("db", "upgrade", env=env, capture_output=True)
        demo = _vardesk("demo", env=env, capture_output=True)
        demo_file.write_text(demo.stdout)
    return data_dir, json.loads(demo_file.read_text())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tree_rss_mib(pid: int) -> float:
    """Resident memory of ``pid`` and its descendants, MiB."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total / 1024


class Server:
    def __init__(self, backend: str, data_dir: Path, postgres: str, workers: int) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = (OUT / f"load-{backend}-serve.log").open("w")
        args = [sys.executable, "-m", "vardesk", "serve", "--port", str(self.port), "--workers", str(workers)]
        self.proc = subprocess.Popen(
            args, env=_env(backend, data_dir, postgres), stdout=subprocess.DEVNULL, stderr=self.log
        )
        self.peak_rss = 0.0
        self._stop = threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while not self._stop.wait(0.5):
            self.peak_rss = max(self.peak_rss, _tree_rss_mib(self.proc.pid))

    def wait_healthy(self) -> None:
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"the server exited; see {self.log.name}")
            try:
                if requests.get(self.base + "/healthz", timeout=2).ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.3)
        raise SystemExit("the server did not start")

    def stop(self) -> None:
        self._stop.set()
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def token(base: str, demo: dict) -> str:
    key = demo["api_key"]
    r = requests.post(
        base + "/api/v2/users/login", json={"user": key["login"], "password": key["password"]}, timeout=30
    )
    r.raise_for_status()
    return r.json()["responses"][0]["results"][0]["token"]


def ready(base: str, bearer: str) -> None:
    """Once the demo's index job has run, the case answers and its preview PDF is rendered."""
    headers = {"Authorization": f"Bearer {bearer}"}
    deadline = time.time() + 300
    for name, path in ENDPOINTS.items():
        while True:
            r = requests.get(base + path, headers=headers, timeout=150)
            if r.ok and (name == "report" or r.json()["responses"][0]["results"]):
                break
            if time.time() > deadline:
                raise SystemExit(f"{path} not ready: {r.status_code} {r.text[:300]}")
            time.sleep(1)


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(m.group(1)) * UNITS[m.group(2)]


def wrk(url: str, bearer: str, threads: int, connections: int, seconds: int) -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-H"]
    out = subprocess.run(
        [*cmd, f"Authorization: Bearer {bearer}", url], capture_output=True, text=True, check=True
    ).stdout
    found = {
        "req_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": _ms(re.search(r"\s50%\s+(\S+)", out).group(1)),  # type: ignore[union-attr]
        "p99_ms": _ms(re.search(r"\s99%\s+(\S+)", out).group(1)),  # type: ignore[union-attr]
    }
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    found["socket_errors"] = sum(int(sock.group(i)) for i in (1, 2, 3)) if sock else 0
    found["timeouts"] = int(sock.group(4)) if sock else 0
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    found["non_2xx"] = int(non2xx.group(1)) if non2xx else 0
    if found["timeouts"] >= found["requests"]:  # wrk leaves timed-out requests out of its latencies
        found["p50_ms"] = found["p99_ms"] = float("nan")
    return found


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seconds", type=int, default=30)
    p.add_argument("--connections", type=int, default=200)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--backend", default="postgres,sqlite")
    p.add_argument("--endpoints", default="info,report")
    p.add_argument("--postgres", default="postgresql+psycopg://vardesk:vardesk@127.0.0.1:5432/vardesk_load")
    p.add_argument("--fresh", action="store_true", help="seed the demo again")
    args = p.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}")
    results: list[dict] = []
    for backend in args.backend.split(","):
        data_dir, demo = prepare(backend, args.postgres, args.fresh)
        server = Server(backend, data_dir, args.postgres, args.workers)
        try:
            server.wait_healthy()
            bearer = token(server.base, demo)
            ready(server.base, bearer)
            for name in args.endpoints.split(","):
                before = uptime()
                run = wrk(server.base + ENDPOINTS[name], bearer, args.threads, args.connections, args.seconds)
                run |= {"backend": backend, "endpoint": name, "workers": args.workers}
                run |= {"uptime_before": before, "uptime_after": uptime(), "peak_rss_mib": server.peak_rss}
                results.append(run)
                errors = run["socket_errors"] + run["timeouts"] + run["non_2xx"]
                print(
                    f"{backend:8} {name:6} workers={args.workers} c={args.connections} {args.seconds}s: "
                    f"{run['req_per_s']:8.1f} req/s  p50 {run['p50_ms']:7.1f} ms  "
                    f"p99 {run['p99_ms']:7.1f} ms  "
                    f"errors {errors} (socket {run['socket_errors']}, timeouts {run['timeouts']}, "
                    f"non-2xx {run['non_2xx']})  server RSS peak {server.peak_rss:.0f} MiB",
                    flush=True,
                )
                print(f"         load: {run['uptime_after']}", flush=True)
        finally:
            server.stop()
    print(json.dumps({"machine": machine(), "runs": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
