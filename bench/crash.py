"""Crash test: SIGKILL a real server at random moments of uploads, indexing and annotation, restart it, check.

    python bench/crash.py [--kills 20] [--seed 1]

Starts ``vardesk serve`` on a temporary data directory (SQLite catalog, local blob store) with a workspace,
an analyst's API key and a GRCh37 project created beforehand, then ``--kills`` times: drives one random
operation through the native API — an upload of the GIAB trio VCF (``files/upload``), an index job or an
index job with annotation of a freshly uploaded file (``operation/variant/index``) — kills the server with
SIGKILL after a random delay, restarts it and checks, straight in the catalog file and the store directory:
every file row has its blob and every blob under ``uploads/`` has its file row, no job of the dead
process stays RUNNING (the recovery time is restart → every such job re-queued or finished), no scratch
or unfinished write of a dead process is left once the server answers, and ``PRAGMA integrity_check``
is ok. The job lease is 60 s, so a recovery in seconds is the start-up recovery of dead workers, not the
lease. The last line is machine-readable. Loopback only; stops by itself.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

from machine import machine  # bench/machine.py, beside this script

REPO = Path(__file__).resolve().parent.parent
VCF = Path("/work/shared/testdata/giab-trio-grch37/ashk-trio.vcf.gz")
API = "/api/v2"
STUDY = "trio:default"
# the kill comes within this many seconds (of sending an upload; of the job being claimed, for a job)
DELAYS = {"upload": 1.0, "index": 0.4, "annotate": 0.8}


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup(env: dict[str, str]) -> tuple[str, str]:
    """A workspace, an analyst with an API key and a GRCh37 project, made with the services in-process."""
    from vardesk.app.composition import build_services
    from vardesk.config import load_settings
    from vardesk.domain.access import Actor
    from vardesk.domain.enums import Role

    services = build_services(load_settings(env), migrate=True)
    try:
        ws = services.admin.create_workspace("Crash lab", code="crash")
        user, _ = services.admin.create_user(
            "crash", "analyst@crash.example.org", "analyst", password="x" * 16
        )
        key = services.admin.create_api_key("crash", "analyst@crash.example.org")
        actor = Actor(user_id=user.id or 0, workspace_id=ws.id or 0, login=user.login, role=Role.ANALYST)
        services.projects.create_project(actor, {"id": "trio", "organism": {"assembly": "GRCh37"}})
        return key.login, key.password
    finally:
        services.close()


class Server:
    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env, self.port, self.proc = env, port, None
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        cmd = [sys.executable, "-m", "vardesk.cli.main", "serve", "--port", str(self.port)]
        self.proc = subprocess.Popen(cmd, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if requests.get(self.url + "/healthz", timeout=1).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.05)
            if self.proc.poll() is not None:
                raise SystemExit("the server exited while starting")
        raise SystemExit("the server did not start")

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)


def upload(server: Server, auth: tuple[str, str], n: int) -> requests.Response:
    name = f"/home/lab/crash-{n}.vcf.gz"
    form = {
        "study": STUDY,
        "format": "VCF",
        "bioformat": "VARIANT",
        "relativeFilePath": f"d{n}/",
        "parents": "True",
        "renameSamples": "true",
    }
    return requests.post(
        server.url + API + "/files/upload",
        params={"file": name, **form},
        data=form,
        files={"file": (name, VCF.read_bytes(), "application/octet-stream")},
        auth=auth,
        timeout=120,
    )


def index(server: Server, auth: tuple[str, str], file_id: str, annotate: bool) -> requests.Response:
    return requests.post(
        server.url + API + "/operation/variant/index",
        params={"study": STUDY},
        json={"file": file_id, "annotate": annotate},
        auth=auth,
        timeout=60,
    )


def in_background(fn, *args) -> threading.Thread:  # type: ignore[no-untyped-def]
    def run() -> None:
        try:
            fn(*args)
        except requests.RequestException:
            pass  # the server was killed under the request: what this test is about

    th = threading.Thread(target=run, daemon=True)
    th.start()
    return th


def catalog(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)


def running_jobs(db: Path) -> dict[int, str]:
    with catalog(db) as con:
        return dict(con.execute("SELECT id, worker_id FROM jobs WHERE state = 'RUNNING'").fetchall())


def check(db: Path, blobs: Path, server_pid: int) -> dict[str, int]:
    """Lost records (a file row without its blob), orphans (a blob without its row), leftovers (scratch
    or unfinished writes of any process but the running server), and whether the catalog is intact."""
    with catalog(db) as con:
        ok = con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = con.execute("SELECT uuid, blob_key FROM files").fetchall()
    lost = sum(1 for _, key in rows if not (blobs / key).is_file())
    uuids = {u for u, _ in rows}
    uploads = blobs / "uploads"
    orphans = sum(1 for d in (uploads.iterdir() if uploads.is_dir() else []) if d.name not in uuids)
    mine = f"{server_pid}_"
    leftovers = sum(1 for e in (blobs / ".scratch").iterdir() if not e.name.startswith(mine))
    for base, _, names in os.walk(blobs):
        if "/.scratch" in base or "/.locks" in base:
            continue
        leftovers += sum(1 for n in names if n.endswith(".part") and f"~{mine}" not in n)
    return {
        "lost": lost,
        "orphans": orphans,
        "leftovers": leftovers,
        "corrupt": int(not ok),
        "files": len(rows),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="vardesk-crash-") as tmp:
        data = Path(tmp) / "data"
        env = {
            **os.environ,
            "VARDESK_DATA_DIR": str(data),
            "VARDESK_LOG_LEVEL": "WARNING",
            "VARDESK_AUTO_MIGRATE": "true",
            "VARDESK_JOB_HEARTBEAT_SECONDS": "1",
            "VARDESK_JOB_STALE_SECONDS": "60",
            "VARDESK_JOB_POLL_SECONDS": "0.2",
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(REPO / "src"), os.environ.get("PYTHONPATH", "")) if p
            ),
        }
        auth = setup(env)
        db, blobs = data / "vardesk.db", data / "blobs"
        server = Server(env, free_port())
        server.start()
        ops: Counter[str] = Counter()
        totals: Counter[str] = Counter()
        recoveries: list[float] = []
        starts: list[float] = []  # restart → the server answers /healthz
        interrupted_jobs = 0
        for n in range(args.kills):
            op = rnd.choice(list(DELAYS))
            ops[op] += 1
            if op == "upload":
                in_background(upload, server, auth, n)
            else:
                r = upload(server, auth, n)  # the file to index, uploaded whole before the kill window
                if r.status_code != 200:
                    raise SystemExit(f"upload failed: {r.status_code} {r.text[:200]}")
                file_id = r.json()["responses"][0]["results"][0]["id"]
                in_background(index, server, auth, file_id, op == "annotate")
                claimed = time.time() + 10
                while not running_jobs(db) and time.time() < claimed:
                    time.sleep(0.01)
            time.sleep(rnd.uniform(0, DELAYS[op]))
            server.kill()
            dead = running_jobs(db)
            interrupted_jobs += len(dead)
            restarted = time.time()
            server.start()
            starts.append(time.time() - restarted)
            while any(running_jobs(db).get(i) == w for i, w in dead.items()):
                if time.time() - restarted > 120:
                    break
                time.sleep(0.02)
            if dead:
                recoveries.append(time.time() - restarted)
            assert server.proc is not None
            found = check(db, blobs, server.proc.pid)
            for k in ("lost", "orphans", "leftovers", "corrupt"):
                totals[k] += found[k]
            print(
                f"kill {n + 1:2d}: {op:8s} jobs interrupted={len(dead)} "
                + " ".join(f"{k}={v}" for k, v in found.items())
            )
        deadline = time.time() + 300  # let the re-queued jobs finish, then the last look
        while running_jobs(db) and time.time() < deadline:
            time.sleep(0.5)
        with catalog(db) as con:
            states = Counter(s for (s,) in con.execute("SELECT state FROM jobs"))
            why = Counter(e[:70] for (e,) in con.execute("SELECT error FROM jobs WHERE state = 'FAILED'"))
        assert server.proc is not None
        final = check(db, blobs, server.proc.pid)
        server.kill()
    p50 = statistics.median(recoveries) if recoveries else 0.0
    worst = max(recoveries, default=0.0)
    print(f"operations: {dict(ops)}; jobs at the end: {dict(states)}; final check: {final}")
    for reason, count in why.most_common():
        print(f"  FAILED x{count}: {reason}")
    print(
        f"kills={args.kills} interrupted_jobs={interrupted_jobs} corrupt={totals['corrupt']} "
        f"lost={totals['lost']} "
        f"orphans={totals['orphans']} leftovers={totals['leftovers']} recovery_p50_s={p50:.2f} "
        f"recovery_max_s={worst:.2f} start_p50_s={statistics.median(starts):.2f} "
        f"stuck_running={states.get('RUNNING', 0)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
