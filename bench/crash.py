"""Crash test: SIGKILL a real server at random moments of uploads, indexing, annotation and report rendering,
restart it, check.

    python bench/crash.py [--kills 20] [--seed 1] [--ops upload,index,annotate,report]

Starts ``vardesk serve`` on a temporary data directory (SQLite catalog, local blob store) with a workspace,
an analyst's API key and a GRCh37 project created beforehand, and a case analysed for its report (the GIAB
SAMD11 slice, through the same API), then ``--kills`` times: drives one random operation through the
native API — an upload of the GIAB trio VCF (``files/upload``), an index job or an index job with
annotation of a freshly uploaded file (``operation/variant/index``), or the render of the case's preview
PDF (the case is changed first so the PDF must be rendered again; ``report/render`` → a ``report.render``
job) — kills the server with SIGKILL after a random delay, restarts it and checks, straight in the
catalog file and the store directory: every file row has its blob and every blob under ``uploads/`` has
its file row, every PDF under ``reports/`` is whole (``%PDF-`` … ``%%EOF``), no job of the dead process
stays RUNNING (the recovery time is restart → every such job re-queued or finished), no scratch or
unfinished write of a dead process is left once the server answers, and ``PRAGMA integrity_check`` is ok.
At the end every render job must be DONE and the newest one's PDF downloadable (``report/download``).
The job lease is 60 s, so a recovery in seconds is the start-up recovery of dead workers, not the lease.
The last line is machine-readable. Loopback only; stops by itself.
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
REPORT_VCF = Path("/work/shared/testdata/reference-slices/grch37-SAMD11/ashk_SAMD11.vcf.gz")
API = "/api/v2"
STUDY = "trio:default"
REPORT_STUDY = "rep:default"
CASE = "C1"
# the kill comes within this many seconds (of sending an upload; of the job being claimed, for a job);
# the report's window is the render time measured once before the kills
DELAYS = {"upload": 1.0, "index": 0.4, "annotate": 0.8, "report": 1.0}


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
        for project in ("trio", "rep"):
            services.projects.create_project(actor, {"id": project, "organism": {"assembly": "GRCh37"}})
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
            except (requests.ConnectionError, requests.Timeout):  # not listening yet, or a loaded machine
                time.sleep(0.05)
            if self.proc.poll() is not None:
                raise SystemExit("the server exited while starting")
        raise SystemExit("the server did not start")

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)


def upload(
    server: Server, auth: tuple[str, str], n: int, vcf: Path = VCF, study: str = STUDY
) -> requests.Response:
    name = f"/home/lab/crash-{n}.vcf.gz"
    form = {
        "study": study,
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
        files={"file": (name, vcf.read_bytes(), "application/octet-stream")},
        auth=auth,
        timeout=120,
    )


def index(
    server: Server, auth: tuple[str, str], file_id: str, annotate: bool, study: str = STUDY
) -> requests.Response:
    return requests.post(
        server.url + API + "/operation/variant/index",
        params={"study": study},
        json={"file": file_id, "annotate": annotate},
        auth=auth,
        timeout=60,
    )


def results(r: requests.Response) -> list[dict]:
    if r.status_code != 200:
        raise SystemExit(f"{r.request.method} {r.url} failed: {r.status_code} {r.text[:300]}")
    return r.json()["responses"][0]["results"]


def clinical(server: Server, auth: tuple[str, str], method: str, path: str, **kw) -> requests.Response:  # type: ignore[no-untyped-def]
    params = {"study": REPORT_STUDY, **kw.pop("params", {})}
    url = f"{server.url}{API}/analysis/clinical{path}"
    return requests.request(method, url, params=params, auth=auth, timeout=120, **kw)


def report_case(server: Server, auth: tuple[str, str], db: Path) -> None:
    """Case C1 of HG002 (the SAMD11 slice, indexed), analysed: READY TO REVIEW, so it has a preview."""
    (file,) = results(upload(server, auth, -1, REPORT_VCF, REPORT_STUDY))
    results(index(server, auth, file["id"], False, REPORT_STUDY))
    member = {"relation": "PROBAND", "sample": "HG002", "sex": "MALE", "affected": "AFFECTED"}
    results(
        clinical(server, auth, "POST", "/create", json={"id": CASE, "type": "exome", "members": [member]})
    )
    deadline = time.time() + 300
    while time.time() < deadline:
        (case,) = results(clinical(server, auth, "GET", f"/{CASE}/info"))
        if case["status"]["id"] == "READY TO REVIEW":
            return
        time.sleep(0.5)
    raise SystemExit(f"case {CASE} was never analysed: {case['status']}")


def render(server: Server, auth: tuple[str, str], n: int) -> str:
    """Change the case (a new MRN, printed in the PDF), then queue the render of its preview: the job id."""
    results(clinical(server, auth, "POST", f"/{CASE}/update", json={"patient_fields": {"MRN": f"MRN-{n}"}}))
    (job,) = results(clinical(server, auth, "POST", f"/{CASE}/report/render", params={"kind": "preview"}))
    return str(job["id"])


def job_row(db: Path, code: str) -> tuple[str, str | None] | None:
    with catalog(db) as con:
        return con.execute("SELECT state, worker_id FROM jobs WHERE code = ?", (code,)).fetchone()


def render_time(server: Server, auth: tuple[str, str], db: Path) -> float:
    """Seconds from a render job's claim to DONE (the window the report kills fall in)."""
    code = render(server, auth, 0)
    while (row := job_row(db, code)) is not None and row[0] == "QUEUED":
        time.sleep(0.01)
    started = time.time()
    while (row := job_row(db, code)) is not None and row[0] == "RUNNING":
        time.sleep(0.01)
    if row is None or row[0] != "DONE":
        raise SystemExit(f"the warm-up render did not finish: {row}")
    return time.time() - started


def whole_pdf(path: Path) -> bool:
    return whole_bytes(path.read_bytes())


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
    reports = blobs / "reports"
    torn = sum(1 for p in (reports.rglob("*.pdf") if reports.is_dir() else []) if not whole_pdf(p))
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
        "torn_pdfs": torn,
        "files": len(rows),
    }


def last_report(server: Server, auth: tuple[str, str], db: Path, codes: list[str]) -> dict[str, object]:
    """How the render jobs of the kills ended, and whether the case's report recovered: the newest job's
    PDF downloads whole when that job is DONE, and the preview asked for now comes back whole."""
    if not codes:
        return {}
    deadline = time.time() + 120
    while any((job_row(db, c) or ("?",))[0] in ("QUEUED", "RUNNING") for c in codes):
        if time.time() > deadline:
            break
        time.sleep(0.2)
    with catalog(db) as con:
        rows = {
            c: con.execute("SELECT state, error FROM jobs WHERE code = ?", (c,)).fetchone() for c in codes
        }
    # a job whose every attempt was under a kill fails once its attempts are used (job_max_attempts)
    killed = sum(1 for s, e in rows.values() if s == "FAILED" and "worker stopped" in (e or ""))
    out: dict[str, object] = {
        "done": sum(1 for s, _ in rows.values() if s == "DONE"),
        "failed_killed_every_attempt": killed,
        "not_done_other": sum(1 for s, e in rows.values() if s != "DONE") - killed,
    }
    if rows[codes[-1]][0] == "DONE":
        r = clinical(server, auth, "GET", f"/{CASE}/report/download", params={"job": codes[-1]})
        out["newest_download_ok"] = r.status_code == 200 and whole_bytes(r.content)
    r = clinical(server, auth, "GET", f"/{CASE}/report/preview")
    out["preview_ok"] = r.status_code == 200 and whole_bytes(r.content)
    if not out["preview_ok"]:
        out["preview"] = f"{r.status_code} {r.text[:200]}"
    return out


def whole_bytes(data: bytes) -> bool:
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ops", default=",".join(DELAYS), help="the operations to kill, comma separated")
    args = ap.parse_args()
    chosen = [op for op in args.ops.split(",") if op]
    if not chosen or set(chosen) - set(DELAYS):
        raise SystemExit(f"--ops takes some of {', '.join(DELAYS)}")
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
        delays = dict(DELAYS)
        if "report" in chosen:
            report_case(server, auth, db)
            delays["report"] = render_time(server, auth, db)
            print(f"report: case {CASE} ready; one preview render takes {delays['report']:.2f} s")
        render_jobs: list[str] = []
        ops: Counter[str] = Counter()
        totals: Counter[str] = Counter()
        recoveries: list[float] = []
        starts: list[float] = []  # restart → the server answers /healthz
        interrupted_jobs = 0
        for n in range(args.kills):
            op = rnd.choice(chosen)
            ops[op] += 1
            if op == "upload":
                in_background(upload, server, auth, n)
            elif op == "report":
                code = render(server, auth, n + 1)
                render_jobs.append(code)
                claimed = time.time() + 10
                while (row := job_row(db, code)) and row[0] == "QUEUED" and time.time() < claimed:
                    time.sleep(0.01)
            else:
                r = upload(server, auth, n)  # the file to index, uploaded whole before the kill window
                if r.status_code != 200:
                    raise SystemExit(f"upload failed: {r.status_code} {r.text[:200]}")
                file_id = r.json()["responses"][0]["results"][0]["id"]
                in_background(index, server, auth, file_id, op == "annotate")
                claimed = time.time() + 10
                while not running_jobs(db) and time.time() < claimed:
                    time.sleep(0.01)
            time.sleep(rnd.uniform(0, delays[op]))
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
            for k in ("lost", "orphans", "leftovers", "corrupt", "torn_pdfs"):
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
        report = last_report(server, auth, db, render_jobs)
        server.kill()
    p50 = statistics.median(recoveries) if recoveries else 0.0
    worst = max(recoveries, default=0.0)
    print(f"operations: {dict(ops)}; jobs at the end: {dict(states)}; final check: {final}")
    if render_jobs:
        print(f"report: {report}")
    for reason, count in why.most_common():
        print(f"  FAILED x{count}: {reason}")
    print(
        f"kills={args.kills} interrupted_jobs={interrupted_jobs} corrupt={totals['corrupt']} "
        f"lost={totals['lost']} torn_pdfs={totals['torn_pdfs']} "
        f"orphans={totals['orphans']} leftovers={totals['leftovers']} recovery_p50_s={p50:.2f} "
        f"recovery_max_s={worst:.2f} start_p50_s={statistics.median(starts):.2f} "
        f"stuck_running={states.get('RUNNING', 0)} "
        f"render_jobs={len(render_jobs)} render_done={report.get('done', 0)} "
        f"render_failed_killed_every_attempt={report.get('failed_killed_every_attempt', 0)} "
        f"render_not_done_other={report.get('not_done_other', 0)} "
        f"report_preview_ok={int(bool(report.get('preview_ok', not render_jobs)))}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
