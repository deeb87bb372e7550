"""Page speed of the web application: the worklist, the case page and the first variants page.

    python bench/web_pages.py [--repeat 60] [--database-url URL]

Seeds the demo workspace in a fresh data directory (embedded SQLite unless ``--database-url``), serves
the application with uvicorn on loopback, signs in as the demo analyst through the sign-in form (its CSRF
double-submit cookie included), waits for the demo's jobs, then requests each page ``--repeat`` times one
after another (after two warm-up requests). Latency is measured at the client over loopback, so it is the
server's time plus a fraction of a millisecond. Printed: the machine, then per page p50/p95/max in ms and
the page's size; the last line is JSON with every figure.
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import machine  # noqa: E402
from vardesk.api.app import create_app  # noqa: E402
from vardesk.app.composition import build_services  # noqa: E402
from vardesk.app.demo import SeedDemo  # noqa: E402
from vardesk.config import load_settings  # noqa: E402
from vardesk.domain.enums import JobState  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_jobs(services, timeout: float = 300.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.time() + timeout
    while time.time() < deadline:
        with services.ctx.uow() as uow:
            ws = uow.workspaces.by_code("demo")
            jobs = uow.jobs.search(ws.id or 0, {}, None) if ws is not None else []
        if not [j for j in jobs if j.state in (JobState.QUEUED, JobState.RUNNING)]:
            return
        time.sleep(0.5)
    raise SystemExit("the demo's jobs did not finish")


def _sign_in(base: str, email: str, password: str) -> requests.Session:
    s = requests.Session()
    form = s.get(base + "/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, "no sign-in form"
    r = s.post(
        base + "/sign-in",
        data={"email": email, "password": password, "csrf_token": token.group(1)},
        allow_redirects=False,
    )
    assert r.status_code == 303, f"sign-in answered {r.status_code}"
    return s


def _time(s: requests.Session, url: str, repeat: int) -> dict[str, float]:
    for _ in range(2):
        s.get(url).raise_for_status()
    times = []
    size = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = s.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        r.raise_for_status()
        size = len(r.content)
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
        "max_ms": round(times[-1], 1),
        "bytes": size,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=60)
    ap.add_argument("--database-url", default="")
    args = ap.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="vardesk-web-bench-") as tmp:
        env = {"VARDESK_DATA_DIR": str(Path(tmp) / "data")}
        if args.database_url:
            env["VARDESK_DATABASE_URL"] = args.database_url
        services = build_services(load_settings(env=env))
        seeded = SeedDemo.of(services).run()
        analyst = next(u for u in seeded["users"] if u["role"] == "analyst")
        port = _free_port()
        config = uvicorn.Config(
            create_app(services), host="127.0.0.1", port=port, log_config=None, access_log=False
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_for_jobs(services)
            s = _sign_in(base, analyst["user"], analyst["password"])
            cases = s.get(base + "/cases").text
            case_id = re.search(r'href="/cases/(\d+)">Demo trio', cases)
            assert case_id, "the demo trio is not on the worklist"
            cid = case_id.group(1)
            pages = {"worklist": "/cases", "case page": f"/cases/{cid}", "variants": f"/cases/{cid}/variants"}
            first_variant = re.search(
                rf'href="(/cases/{cid}/variants/\d+)"', s.get(base + pages["variants"]).text
            )
            if first_variant:
                pages["variant page"] = first_variant.group(1)
            figures = {}
            for name, path in pages.items():
                figures[name] = _time(s, base + path, args.repeat)
                f = figures[name]
                print(f"{name:13s} p50 {f['p50_ms']:7.1f} ms  p95 {f['p95_ms']:7.1f} ms  "
                      f"max {f['max_ms']:7.1f} ms  {f['bytes']:8d} bytes")  # fmt: skip
            print(json.dumps({"machine": machine(), "repeat": args.repeat, "pages": figures}))
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            services.close()


if __name__ == "__main__":
    main()
