"""Celery workers under load and under a kill: a real ``vardesk serve`` with a Redis broker, two real
``vardesk worker`` processes, a real catalog (SQLite by default, ``--database-url`` for PostgreSQL).

    python bench/workers.py [--uploads 50] [--workers 2] [--records 100000] [--database-url URL]

1. **Load**: ``--uploads`` clients at once each upload the GIAB trio VCF (3 genomes, 9,940 records, ~1 MB)
   through the native API (``files/upload``, its samples named per upload, or numbered copies with
   ``--rename-samples``) and submit its index job with annotation
   (``operation/variant/index``). Checked in the catalog and the store once every job has ended: every
   upload answered 200, every index job DONE, every genome READY with its genotype Parquet in the store
   (``lost`` counts what is not), nothing left in the broker's queues; the server's and the workers' RSS
   are sampled every 100 ms from ``/proc`` (the workers' summed over their process groups).
2. **Kill**: a synthetic genome of ``--records`` records on the demo-scale synthetic (NOT HUMAN) bundle,
   whose annotation (bcftools csq, lookups) takes seconds, is uploaded and indexed; once the job reports
   its annotation stage, the worker holding it is killed with SIGKILL (its whole process group). Another
   worker must finish it once the lease (``--lease`` s) has expired: attempt 2, DONE, and the store holds
   each genome's Parquet once, the bundle's annotation parts whole and no variant in two parts, no
   unfinished write.

The bench starts its own redis-server on a free loopback port. The last line is machine-readable. Timings
on a shared 2-core machine vary with other load.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow.parquet as pq
import requests
import sqlalchemy as sa

from machine import machine  # bench/machine.py, beside this script

REPO = Path(__file__).resolve().parent.parent
VCF = Path("/work/shared/testdata/giab-trio-grch37/ashk-trio.vcf.gz")
API = "/api/v2"
PASSWORD = "bench-password-123"
TRIO = ("HG002", "HG003", "HG004")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def group_rss_kib(pgid: int) -> int:
    total = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid:
                    total += rss_kib(int(entry.name))
            except OSError:
                continue
    return total


class Sampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.server_pid = 0
        self.worker_pgids: list[int] = []
        self.server_peak = 0
        self.worker_peaks: dict[int, int] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.1):
            if self.server_pid:
                self.server_peak = max(self.server_peak, rss_kib(self.server_pid))
            for g in self.worker_pgids:
                self.worker_peaks[g] = max(self.worker_peaks.get(g, 0), group_rss_kib(g))


def setup(env: dict[str, str], work: Path, records: int) -> tuple[tuple[str, str], Path, str]:
    """A workspace with an analyst's API key, a GRCh37 project (the GIAB trio) and a GRCh38 project whose
    workspace has the demo-scale synthetic bundle enabled; a synthetic genome on that bundle."""
    sys.path.insert(0, str(REPO / "src"))
    from vardesk.app.composition import build_services
    from vardesk.config import load_settings
    from vardesk.domain.access import Actor
    from vardesk.domain.enums import Role
    from vardesk.synthetic.bundle import build_demo_bundle
    from vardesk.synthetic.vcf import generate_vcf

    services = build_services(load_settings(env), migrate=True)
    try:
        ws = services.admin.create_workspace("Demo lab (synthetic bundle allowed)", code="demo")
        user, _ = services.admin.create_user("demo", "analyst@demo.example.org", "analyst", password=PASSWORD)
        key = services.admin.create_api_key("demo", "analyst@demo.example.org")
        actor = Actor(user_id=user.id or 0, workspace_id=ws.id or 0, login=user.login, role=Role.ANALYST)
        services.projects.create_project(actor, {"id": "trio", "organism": {"assembly": "GRCh37"}})
        services.projects.create_project(actor, {"id": "syn", "organism": {"assembly": "GRCh38"}})
        bundle_dir = build_demo_bundle(work / "bundle", seed=0, scale="demo", build="GRCh38")
        bundle = services.annotation.install(bundle_dir, workspace="demo", actor="demo")
        genome = work / "synthetic.vcf.gz"
        fasta = bundle_dir.parent / "sources" / "reference.fa.gz"
        generate_vcf(genome, records=records, seed=7, build="GRCh38", fasta=fasta)
        return (key.login, key.password), genome, bundle.id
    finally:
        services.close()


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def wait_for(what: str, ok, timeout: float = 120) -> None:  # type: ignore[no-untyped-def]
    deadline = time.time() + timeout
    while not ok():
        if time.time() > deadline:
            raise SystemExit(f"{what}: timed out")
        time.sleep(0.1)


RETRIES: list[str] = []  # 429 answers (the server's admission limits), retried after Retry-After


def post(url: str, **kw) -> requests.Response:  # type: ignore[no-untyped-def]
    """A POST that honours 429 + Retry-After as a well-behaved client does (counted in RETRIES)."""
    for _ in range(20):
        r = requests.post(url, **kw)
        if r.status_code != 429:
            return r
        RETRIES.append(url.split("?")[0].rsplit("/", 2)[-2])
        time.sleep(float(r.headers.get("Retry-After", "1")))
    return r


def upload(url: str, auth: tuple[str, str], data: bytes, study: str, n: int, names: str = "") -> dict:
    """Upload and submit the index job; the samples get ``names`` (sampleNames) or numbered copies."""
    name = f"/home/lab/run-{n}/genome.vcf.gz"
    form = {"study": study, "relativeFilePath": f"run-{n}/", "parents": "True"}
    form.update({"sampleNames": names} if names else {"renameSamples": "true"})
    r = post(
        url + API + "/files/upload",
        params={"file": name, **form},
        data={**form, "format": "VCF", "bioformat": "VARIANT"},
        files={"file": (name, data, "application/octet-stream")},
        auth=auth,
        timeout=600,
    )
    r.raise_for_status()
    (file,) = r.json()["responses"][0]["results"]
    r = post(
        url + API + "/operation/variant/index",
        params={"study": study},
        json={"file": file["id"], "annotate": True},
        auth=auth,
        timeout=600,
    )
    r.raise_for_status()
    (job,) = r.json()["responses"][0]["results"]
    return {"file": file["id"], "job": job["id"]}


def owner_group(worker_id: str | None) -> int | None:
    try:
        return os.getpgid(int((worker_id or "x").split("_")[0]))
    except (ValueError, OSError):
        return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--uploads", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--records", type=int, default=100_000, help="records of the genome killed mid-annotation"
    )
    ap.add_argument("--lease", type=float, default=10.0, help="job lease seconds (heartbeat: a fifth)")
    ap.add_argument("--database-url", default="", help="default: SQLite in the temporary data directory")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument(
        "--rename-samples",
        action="store_true",
        help="upload the trio as numbered copies (renameSamples) rather than named per upload (sampleNames)",
    )
    args = ap.parse_args()
    redis_bin = shutil.which("redis-server")
    if redis_bin is None:
        raise SystemExit("redis-server is not installed (apt-get install redis-server)")
    print(machine(), flush=True)
    work = Path(tempfile.mkdtemp(prefix="vardesk-workers-"))
    procs: list[subprocess.Popen] = []
    sampler = Sampler()
    try:
        redis_port, port = free_port(), free_port()
        procs.append(
            start(
                [
                    redis_bin,
                    "--port",
                    str(redis_port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(work),
                ],
                dict(os.environ),
                work / "redis.log",
            )
        )
        data_dir = work / "data"
        database_url = args.database_url or f"sqlite:///{data_dir / 'vardesk.db'}"
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]),
            "VARDESK_DATA_DIR": str(data_dir),
            "VARDESK_DATABASE_URL": database_url,
            "VARDESK_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
            "VARDESK_SECRET_KEY": "bench-" + "x" * 40,
            "VARDESK_AUTO_MIGRATE": "true",
            "VARDESK_JOB_STALE_SECONDS": str(args.lease),
            "VARDESK_JOB_HEARTBEAT_SECONDS": str(args.lease / 5),
            "VARDESK_LOG_LEVEL": "WARNING",
        }
        t = time.time()
        auth, genome, bundle_id = setup(env, work, args.records)
        print(f"setup (catalog, bundle, {args.records:,}-record genome): {time.time() - t:.1f} s", flush=True)
        server = start(
            [sys.executable, "-m", "vardesk", "serve", "--port", str(port)], env, work / "serve.log"
        )
        procs.append(server)
        env_w = {**env, "VARDESK_LOG_LEVEL": "INFO", "VARDESK_AUTO_MIGRATE": "false"}
        workers = [
            start(
                [sys.executable, "-m", "vardesk", "worker", "--concurrency", "1"], env_w, work / f"w{n}.log"
            )
            for n in range(args.workers)
        ]
        procs.extend(workers)
        url = f"http://127.0.0.1:{port}"

        def healthy() -> bool:
            try:
                return requests.get(url + "/healthz", timeout=2).ok
            except requests.RequestException:
                return False

        wait_for("the server", healthy)
        for n, _ in enumerate(workers):
            wait_for(f"worker {n}", lambda n=n: "worker process ready" in (work / f"w{n}.log").read_text())
        sampler.server_pid = server.pid
        sampler.worker_pgids = [w.pid for w in workers]
        sampler.start()
        engine = sa.create_engine(database_url)
        blobs = data_dir / "blobs"

        # -- 1. concurrent uploads ---------------------------------------------------------------------
        data = VCF.read_bytes()
        latencies: list[float] = []
        errors: list[str] = []

        def one(n: int) -> dict | None:
            t0 = time.time()
            try:
                names = "" if args.rename_samples else ",".join(f"{s}={s}-r{n}" for s in TRIO)
                out = upload(url, auth, data, "trio:default", n, names)
            except requests.RequestException as exc:
                errors.append(f"{type(exc).__name__}: {str(exc)[:200]}")
                return None
            latencies.append(time.time() - t0)
            return out

        # one request first: the API key's verification (argon2) is then cached, as on a running server
        requests.get(url + API + "/users/" + auth[0] + "/info", auth=auth, timeout=60)
        t0 = time.time()
        with ThreadPoolExecutor(args.uploads) as pool:
            submitted = [r for r in pool.map(one, range(args.uploads)) if r is not None]
        accepted = time.time() - t0

        def ended() -> bool:
            with engine.connect() as c:
                return not c.execute(
                    sa.text("SELECT count(*) FROM jobs WHERE state IN ('QUEUED', 'RUNNING')")
                ).scalar()

        wait_for("the index jobs", ended, timeout=3600)
        wall = time.time() - t0
        with engine.connect() as c:
            jobs = dict(c.execute(sa.text("SELECT state, count(*) FROM jobs GROUP BY state")).fetchall())
            files = c.execute(sa.text("SELECT count(*) FROM files")).scalar()
            genomes = c.execute(sa.text("SELECT state, genotypes_key FROM genomes")).fetchall()
        ready = sum(1 for state, _ in genomes if state == "READY")
        lost = sum(1 for state, key in genomes if state != "READY" or not (blobs / key).is_file())
        lost += args.uploads - len(submitted) + (args.uploads - (files or 0))
        import redis

        client = redis.Redis(port=redis_port)
        left = sum(client.llen(f"vardesk.{q}") for q in ("ingest", "reports", "light"))
        lat = sorted(latencies) or [0.0]
        print(
            f"load: {args.uploads} concurrent uploads + index jobs with {args.workers} workers: "
            f"{len(submitted)} accepted in {accepted:.1f} s (upload+submit p50 "
            f"{statistics.median(lat):.2f} s, "
            f"max {lat[-1]:.2f} s), all ended after {wall:.1f} s; jobs {jobs}; genomes READY {ready}/"
            f"{3 * args.uploads}; errors {len(errors)}; lost {lost}; messages left in the broker {left}; "
            f"429 answers retried {len(RETRIES)}",
            flush=True,
        )
        for e in errors[:5]:
            print("  error:", e)
        load_peak = sampler.server_peak

        # -- 2. kill -9 of a worker mid-annotation -----------------------------------------------------
        (file_row,) = [upload(url, auth, genome.read_bytes(), "syn:default", 10_000)]
        code = file_row["job"]
        kill: dict[str, object] = {}

        def state() -> tuple[str, str, str | None, int]:
            with engine.connect() as c:
                row = c.execute(
                    sa.text("SELECT state, progress_message, worker_id, attempts FROM jobs WHERE code = :c"),
                    {"c": code},
                ).one()
            return row[0], row[1] or "", row[2], row[3]

        wait_for("the annotation stage", lambda: state()[1].startswith("annotating"), timeout=600)
        st, message, worker_id, attempt = state()
        holder = owner_group(worker_id)
        if st != "RUNNING" or holder not in sampler.worker_pgids:
            raise SystemExit(f"the job is not running on a worker: {st} {worker_id}")
        os.killpg(holder, signal.SIGKILL)
        killed_at = time.time()
        kill.update(message=message, attempt=attempt)
        wait_for("the killed job", lambda: state()[0] not in ("QUEUED", "RUNNING"), timeout=900)
        recovered = time.time() - killed_at
        st, message, worker_id, attempt = state()
        finisher = owner_group(worker_id)
        with engine.connect() as c:
            uuid = c.execute(
                sa.text("SELECT f.uuid FROM files f JOIN jobs j ON j.code = :c WHERE f.code = :f"),
                {"c": code, "f": file_row["file"]},
            ).scalar()
            keys = [
                r[0]
                for r in c.execute(
                    sa.text(
                        "SELECT g.genotypes_key FROM genomes g JOIN files f ON f.id = g.file_id "
                        "WHERE f.uuid = :u"
                    ),
                    {"u": uuid},
                ).fetchall()
            ]
        parts = sorted((blobs / "annotations" / bundle_id).glob("*.parquet"))
        seen: set[int] = set()
        duplicated = 0
        for part in parts:
            part_keys = set(pq.read_table(part, columns=["key"]).column("key").to_pylist())
            duplicated += len(part_keys & seen)
            seen |= part_keys
        genome_files = sorted(
            p.relative_to(blobs / "genomes" / uuid).as_posix()
            for p in (blobs / "genomes" / uuid).rglob("*")
            if p.is_file()
        )
        unfinished = [p for p in blobs.rglob("*.part") if ".scratch" not in p.parts]
        whole = all(pq.ParquetFile(blobs / k).metadata.num_rows > 0 for k in keys)
        ok_kill = (
            st == "DONE"
            and attempt == 2
            and finisher in sampler.worker_pgids
            and finisher != holder
            and duplicated == 0
            and not unfinished
            and whole
        )
        print(
            f"kill -9 mid-annotation ({kill['message']!r}, attempt {kill['attempt']}): the other worker "
            f"finished it {recovered:.1f} s later (lease {args.lease:.0f} s): {st}, attempt {attempt}; "
            f"genome files {genome_files}; annotation parts {len(parts)}, "
            f"variants in two parts {duplicated}; "
            f"unfinished writes {len(unfinished)}",
            flush=True,
        )
        sampler.stop.set()
        worker_peak = max(sampler.worker_peaks.values() or [0])
        print(
            f"peak RSS: server {load_peak / 1024:.0f} MiB during the load "
            f"({sampler.server_peak / 1024:.0f} MiB "
            f"overall); a worker (process group) {worker_peak / 1024:.0f} MiB",
            flush=True,
        )
        ok_load = not errors and lost == 0 and jobs.get("DONE", 0) >= args.uploads and left == 0
        print(
            f"uploads={args.uploads} workers={args.workers} errors={len(errors)} lost={lost} "
            f"retried_429={len(RETRIES)} "
            f"genomes_ready={ready} wall_s={wall:.1f} server_rss_peak_mb={load_peak / 1024:.0f} "
            f"kill_recovered_s={recovered:.1f} kill_ok={int(ok_kill)} ok={int(ok_load and ok_kill)}"
        )
    finally:
        sampler.stop.set()
        for p in reversed(procs):
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
