"""Login flood: a wrong-password flood from one address must slow the attacker, not the server or the user.

    python bench/login_flood.py [--clients 200] [--seconds 30]

Starts a real ``vardesk serve`` (a temporary data directory, a workspace and a user created with the
command line) and, for ``--seconds``, floods ``POST /api/v2/users/login`` with wrong passwords for that
user from ``--clients`` concurrent clients bound to 127.0.0.2, while sampling ``GET /healthz`` from
127.0.0.1 (p50/p95) and the server's RSS (``/proc``). Then the real user logs in from 127.0.0.1 with the
correct password. Loopback only; stops by itself. The last line is machine-readable:
``healthz_p50_ms=… healthz_p95_ms=… rss_growth_mib=… user_login_status=… user_login_ms=…``.
Targets: /healthz p95 < 500 ms during the flood, RSS growth < 300 MiB, the user's login 200 at once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from machine import machine  # bench/machine.py, beside this script

HERE = Path(__file__).resolve().parent
EMAIL = "analyst@flood.example"
PASSWORD = "a correct horse battery staple"
ATTACKER, USER = "127.0.0.2", "127.0.0.1"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))] if ordered else float("nan")


async def flood(base: str, clients: int, seconds: float) -> Counter[str]:
    outcomes: Counter[str] = Counter()
    deadline = time.monotonic() + seconds
    transport = httpx.AsyncHTTPTransport(local_address=ATTACKER)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(transport=transport, limits=limits, timeout=60) as client:

        async def one(i: int) -> None:
            while time.monotonic() < deadline:
                try:
                    r = await client.post(
                        f"{base}/api/v2/users/login", json={"user": EMAIL, "password": f"wrong {i}"}
                    )
                    outcomes[str(r.status_code)] += 1
                    if r.status_code == 429 and "retry-after" not in r.headers:
                        outcomes["429 without Retry-After"] += 1
                except httpx.HTTPError as exc:
                    outcomes[type(exc).__name__] += 1

        await asyncio.gather(*(one(i) for i in range(clients)))
    return outcomes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=30.0)
    args = ap.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="vardesk-flood-") as tmp:
        env = {**os.environ, "VARDESK_DATA_DIR": str(Path(tmp) / "data"), "VARDESK_LOG_LEVEL": "WARNING"}
        src = HERE.parent / "src"
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(src), env.get("PYTHONPATH", "")) if p)
        cli = [sys.executable, "-c", "import sys; from vardesk.cli.main import main; sys.exit(main())"]
        subprocess.run(
            [*cli, "admin", "create-workspace", "Flood lab", "--code", "flood"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            [
                *cli,
                "admin",
                "create-user",
                "--workspace",
                "flood",
                "--email",
                EMAIL,
                "--role",
                "analyst",
                "--password-stdin",
            ],
            input=PASSWORD + "\n",
            text=True,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL)
        try:
            return run(base, server, args)
        finally:
            server.terminate()
            server.wait(timeout=20)


def run(base: str, server: subprocess.Popen[bytes], args: argparse.Namespace) -> int:
    local = httpx.Client(transport=httpx.HTTPTransport(local_address=USER), timeout=60)
    for _ in range(200):
        try:
            if local.get(f"{base}/healthz").status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    else:
        raise SystemExit("the server did not start")
    rss_before = rss_mib(server.pid)
    stop = threading.Event()
    health_ms: list[float] = []
    health_bad = Counter[str]()
    rss: list[float] = []

    def sample_health() -> None:
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                status = local.get(f"{base}/healthz").status_code
                if status != 200:
                    health_bad[str(status)] += 1
            except httpx.HTTPError as exc:
                health_bad[type(exc).__name__] += 1
            health_ms.append((time.perf_counter() - t0) * 1000)
            stop.wait(0.1)

    def sample_rss() -> None:
        while not stop.is_set():
            rss.append(rss_mib(server.pid))
            stop.wait(0.2)

    samplers = [threading.Thread(target=sample_health), threading.Thread(target=sample_rss)]
    for t in samplers:
        t.start()
    started = time.perf_counter()
    outcomes = asyncio.run(flood(base, args.clients, args.seconds))
    flood_s = time.perf_counter() - started
    stop.set()
    for t in samplers:
        t.join()
    t0 = time.perf_counter()
    r = local.post(f"{base}/api/v2/users/login", json={"user": EMAIL, "password": PASSWORD})
    login_ms = (time.perf_counter() - t0) * 1000
    peak = max(rss, default=rss_before)
    p50, p95 = percentile(health_ms, 0.5), percentile(health_ms, 0.95)
    print(
        f"flood: {args.clients} clients from {ATTACKER} for {flood_s:.1f} s, "
        f"{sum(outcomes.values())} requests: {dict(outcomes)}"
    )
    print(
        f"/healthz from {USER}: {len(health_ms)} samples, p50 {p50:.0f} ms, p95 {p95:.0f} ms, "
        f"max {max(health_ms, default=0):.0f} ms, mean {statistics.fmean(health_ms or [0]):.0f} ms, "
        f"failures {dict(health_bad)}"
    )
    print(f"server RSS: {rss_before:.0f} MiB before, peak {peak:.0f} MiB, growth {peak - rss_before:.0f} MiB")
    print(f"real user from {USER} afterwards: {r.status_code} in {login_ms:.0f} ms")
    ok = p95 < 500 and peak - rss_before < 300 and r.status_code == 200
    print(f"targets (p95 < 500 ms, RSS growth < 300 MiB, user 200): {'met' if ok else 'MISSED'}")
    print(
        f"healthz_p50_ms={p50:.0f} healthz_p95_ms={p95:.0f} rss_growth_mib={peak - rss_before:.0f} "
        f"user_login_status={r.status_code} user_login_ms={login_ms:.0f}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
