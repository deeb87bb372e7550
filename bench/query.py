"""Variant query benchmark: family queries through the native API of a real server, at concurrency 1 and 20.

    python bench/query.py [--records 1000000] [--seed 0] [--rounds 1] [--requests 10] [--no-giab]

1. Builds, once, a synthetic trio VCF (``vardesk.synthetic.vcf``: HG002 child, HG003 father, HG004 mother,
   ~0.5 % de novo alleles) of ``--records`` records and gives it a deterministic bcftools-style ``BCSQ``
   annotation (about 3 % protein-altering records in ~200 kb "genes"), cached under ``--cache``
   (default ``/tmp/vardesk-bench-query``) with a multi-allelic-split copy for the truth; the GIAB
   Ashkenazi trio (``/work/shared/testdata`` or ``VARDESK_TESTDATA``, real BCSQ) is used as it is.
2. Starts ``vardesk serve`` on a fresh data directory, creates a workspace, an analyst and one project per
   trio, uploads both VCFs and waits until every sample is READY (the index time: upload → READY).
3. Runs each query (de novo protein-altering, AR homozygous, het sides of protein-altering variants, VCF
   export of het loss-of-function variants) once to warm up and read its row count, then ``--requests``
   times one after the other (c=1) and ``--rounds`` × 20 at once (c=20), sampling the server's RSS (its
   whole process tree, from /proc) every 100 ms. Any status other than 200, or a connection error, is
   counted as an error.
4. Beside each query: the same filter as a ``bcftools view -i`` expression over the split VCF (the count
   truth) and a hand-written DuckDB query over the server's own genotype and annotation Parquet files
   (the physical-limit reference, one persistent connection, 2 threads).

The machine is shared: figures are noisy; compare runs made back to back. The last lines are
machine-readable, one per dataset and query.
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import requests

from machine import machine  # bench/machine.py, beside this script

HERE = Path(__file__).resolve().parent
SRC = Path(os.environ.get("VARDESK_BENCH_SRC", HERE.parent / "src"))
sys.path.insert(0, str(SRC))

from vardesk.synthetic.vcf import BgzfWriter, generate_vcf  # noqa: E402

TESTDATA = Path(os.environ.get("VARDESK_TESTDATA", "/work/shared/testdata"))
GIAB = TESTDATA / "giab-trio-grch37" / "ashk-trio.vcf.gz"
EMAIL, PASSWORD = "analyst@bench.example", "a correct horse battery staple for queries"
API = "/api/v2"
BCSQ_HEADER = (
    '##INFO=<ID=BCSQ,Number=.,Type=String,Description="Local consequence annotation from BCFtools/csq. '
    "Format: '[*]consequence|gene|transcript|biotype[|strand|amino_acid_change|dna_change]' or, for "
    "consequences of variants split across multiple sites, a pointer to the record storing the "
    "consequences '@position'. '*' prefix indicates a consequence downstream from a stop\">"
)
PROTEIN_ALTERING = r"\|".join(  # bcftools regular expressions are basic: alternation is \|
    "missense stop_gained frameshift splice_donor splice_acceptor stop_lost start_lost inframe_ "
    "protein_altering".split()
)
LOF = r"\|".join("stop_gained frameshift splice_donor splice_acceptor stop_lost start_lost".split())
# name → (native parameters, bcftools -i expression over child/father/mother, export?)
QUERIES: dict[str, tuple[dict[str, str], str, bool]] = {
    "de_novo_protein_altering": (
        {"genotype": "HG002:0/1;HG003:0/0;HG004:0/0", "ct": "protein_altering"},
        f'GT[0]="het" && GT[1]="RR" && GT[2]="RR" && INFO/BCSQ~"{PROTEIN_ALTERING}"',
        False,
    ),
    "ar_homozygous": (
        {"genotype": "HG002:1/1;HG003:0/1;HG004:0/1"},
        'GT[0]="AA" && GT[1]="het" && GT[2]="het"',
        False,
    ),
    "het_sides_protein_altering": (
        {"genotype": "HG002:0/1", "ct": "protein_altering", "includeSample": "HG002,HG003,HG004"},
        f'GT[0]="het" && INFO/BCSQ~"{PROTEIN_ALTERING}"',
        False,
    ),
    "vcf_export_het_lof": (
        {"genotype": "HG002:0/1", "ct": "loss_of_function", "format": "VCF"},
        f'GT[0]="het" && INFO/BCSQ~"{LOF}"',
        True,
    ),
    # the case analysis' default preset (rare, protein-altering or splice) with the compound heterozygous
    # mode as a filter; its truth is the case analysis' own result on the same trio (no bcftools expression)
    "comphet_case_preset": (
        {
            "clinicalAnalysis": "TRIO",
            "familySegregation": "COMPOUND_HETEROZYGOUS",
            "ct": "protein_altering,splice_region_variant",
            "populationFrequencyAlt": "gnomad:ALL<0.01",
        },
        "",
        False,
    ),
}


# --- data --------------------------------------------------------------------------------------------


def _bcsq(chrom: str, pos: int) -> str | None:
    """A deterministic consequence for a record (about 3 % protein-altering, 17 % intronic)."""
    h = zlib.crc32(f"{chrom}:{pos}".encode()) % 1000
    gene = f"SYN{chrom.removeprefix('chr')}_{pos // 200_000}"
    tx = f"ENSTSYN{chrom.removeprefix('chr')}{pos // 200_000:05d}"
    if h < 20:
        kind = "missense|{g}|{t}|protein_coding|+|10A>10T|{p}A>T"
    elif h < 25:
        kind = "stop_gained|{g}|{t}|protein_coding|+|10Q>10*|{p}C>T"
    elif h < 28:
        kind = "frameshift|{g}|{t}|protein_coding|+|10A|{p}del"
    elif h < 30:
        kind = "splice_donor|{g}|{t}|protein_coding"
    elif h < 200:
        kind = "intron|{g}|{t}|protein_coding"
    else:
        return None
    return kind.format(g=gene, t=tx, p=pos)


def synthetic_trio(cache: Path, records: int, seed: int) -> tuple[Path, Path]:
    """(annotated VCF, its multi-allelic-split copy), built once."""
    vcf = cache / f"syn-trio-{records}-s{seed}.bcsq.vcf.gz"
    split = cache / f"syn-trio-{records}-s{seed}.bcsq.split.vcf.gz"
    if not vcf.exists():
        raw = cache / f"syn-trio-{records}-s{seed}.vcf.gz"
        if not raw.exists():
            generate_vcf(
                raw.with_suffix(".part"), records=records, seed=seed, samples=("HG002", "HG003", "HG004")
            )
            raw.with_suffix(".part").rename(raw)
        part = vcf.with_suffix(".part")
        with gzip.open(raw, "rt") as src, BgzfWriter(part) as out:
            chunk: list[str] = []
            for line in src:
                if line.startswith("##"):
                    if not line.startswith("##INFO"):
                        chunk.append(line)
                    continue
                if line.startswith("#"):
                    chunk.append(BCSQ_HEADER + "\n" + line)
                    continue
                f = line.split("\t", 8)
                ann = _bcsq(f[0], int(f[1]))
                f[7] = f"BCSQ={ann}" if ann else "."
                chunk.append("\t".join(f))
                if len(chunk) >= 20_000:
                    out.write("".join(chunk).encode())
                    chunk = []
            out.write("".join(chunk).encode())
        part.rename(vcf)
    if not split.exists():
        bcftools("norm", ["-m-", "-Oz", "-o", str(split.with_suffix(".part")), str(vcf)])
        split.with_suffix(".part").rename(split)
    return vcf, split


def giab_split(cache: Path) -> Path:
    split = cache / "ashk-trio.split.vcf.gz"
    if not split.exists():
        bcftools("norm", ["-m-", "-Oz", "-o", str(split.with_suffix(".part")), str(GIAB)])
        split.with_suffix(".part").rename(split)
    return split


_CHILD = (
    "import sys\nfrom pysam import bcftools\n"
    "if '-o' in sys.argv: getattr(bcftools, sys.argv[1])(*sys.argv[2:], catch_stdout=False)\n"
    "else: print(getattr(bcftools, sys.argv[1])(*sys.argv[2:]), end='')\n"
)


def bcftools(command: str, args: list[str]) -> str:
    """pysam's bundled bcftools in a child process (it keeps state between calls); its stdout."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, command, *args], check=True, capture_output=True, text=True
    )
    return out.stdout


def bcftools_truth(split: Path, expr: str) -> tuple[int, float]:
    """(records matching ``expr`` in the split VCF, wall seconds) — ``bcftools view -H -i``."""
    started = time.perf_counter()
    text = bcftools("view", ["-H", "-i", expr, str(split)])
    return sum(1 for line in text.splitlines() if line), time.perf_counter() - started


# --- server ------------------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_rss_mib(root: int) -> float:
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    page_kib = os.sysconf("SC_PAGE_SIZE") // 1024
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            stat = Path(f"/proc/{d}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            parents[int(d)] = int(fields[1])
            rss[int(d)] = int(fields[21]) * page_kib
        except (OSError, ValueError, IndexError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parents.items() if pp == p and c not in tree]
        tree.update(kids)
        frontier.extend(kids)
    return sum(rss.get(p, 0) for p in tree) / 1024


class RssSampler:
    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_mib(self.pid))
            self._stop.wait(0.1)

    def __enter__(self) -> RssSampler:
        self.peak = tree_rss_mib(self.pid)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


class Server:
    def __init__(self, data: Path) -> None:
        self.data = data
        self.env = {**os.environ, "VARDESK_DATA_DIR": str(data), "VARDESK_LOG_LEVEL": "WARNING"}
        self.env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p)
        self.cli = [sys.executable, "-c", "import sys; from vardesk.cli.main import main; sys.exit(main())"]
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        run = {"env": self.env, "check": True, "stdout": subprocess.DEVNULL}
        subprocess.run([*self.cli, "admin", "create-workspace", "Bench lab", "--code", "bench"], **run)  # type: ignore[call-overload]
        subprocess.run(
            [*self.cli, "admin", "create-user", "--workspace", "bench", "--email", EMAIL, "--role", "analyst",
             "--password-stdin"],
            input=(PASSWORD + "\n").encode(), **run,
        )  # type: ignore[call-overload]  # fmt: skip
        log = open(self.data.parent / "server.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [*self.cli, "serve", "--port", str(self.port)], env=self.env, stdout=log, stderr=log
        )
        for _ in range(300):
            try:
                if requests.get(self.url + "/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise SystemExit("the server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=60)


def login(url: str) -> dict[str, str]:
    r = requests.post(url + API + "/users/login", json={"user": EMAIL, "password": PASSWORD}, timeout=60)
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['responses'][0]['results'][0]['token']}"}


def load(server: Server, headers: dict[str, str], project: str, assembly: str, vcf: Path) -> float:
    """Create the project, upload the VCF, wait for every sample READY; seconds from upload to READY."""
    r = requests.post(
        server.url + API + "/projects/create", json={"id": project, "organism": {"assembly": assembly}},
        headers=headers, timeout=60,
    )  # fmt: skip
    r.raise_for_status()
    started = time.perf_counter()
    form = {
        "study": f"{project}:default",
        "format": "VCF",
        "bioformat": "VARIANT",
        "relativeFilePath": "data/",
    }
    with vcf.open("rb") as fh:
        r = requests.post(
            server.url + API + "/files/upload", params={"file": vcf.name, **form}, data=form,
            files={"file": (vcf.name, fh, "application/octet-stream")}, headers=headers, timeout=3600,
        )  # fmt: skip
    r.raise_for_status()
    file_id = r.json()["responses"][0]["results"][0]["id"]
    r = requests.post(
        server.url + API + "/operation/variant/index", params={"study": f"{project}:default"},
        json={"file": file_id, "annotate": True}, headers=headers, timeout=60,
    )  # fmt: skip
    r.raise_for_status()
    while True:
        r = requests.get(
            server.url + API + "/samples/search",
            params={"study": f"{project}:default"},
            headers=headers,
            timeout=60,
        )
        samples = r.json()["responses"][0]["results"]
        states = [s["attributes"]["vardesk"]["state"] for s in samples]
        if states and all(s == "READY" for s in states):
            return time.perf_counter() - started
        if any(s == "FAILED" for s in states):
            raise SystemExit(f"indexing {vcf.name} failed: {samples}")
        time.sleep(0.5)


def create_case(server: Server, headers: dict[str, str], project: str) -> int | None:
    """A trio case (HG002 affected son, unaffected parents); waits for its analysis and returns how many
    of its candidates are compound heterozygous (None when the server has no inheritance filters)."""
    members = [
        {"relation": "PROBAND", "sample": "HG002", "sex": "MALE", "affected": "AFFECTED"},
        {"relation": "FATHER", "sample": "HG003", "sex": "MALE", "affected": "UNAFFECTED"},
        {"relation": "MOTHER", "sample": "HG004", "sex": "FEMALE", "affected": "UNAFFECTED"},
    ]
    r = requests.post(
        server.url + API + f"/analysis/clinical/create?study={project}:default",
        json={"id": "TRIO", "caseType": "trio", "members": members}, headers=headers, timeout=60,
    )  # fmt: skip
    r.raise_for_status()
    deadline = time.time() + 900
    while time.time() < deadline:
        r = requests.get(server.url + API + f"/analysis/clinical/TRIO/info?study={project}:default",
                         headers=headers, timeout=60)  # fmt: skip
        results = r.json()["responses"][0]["results"] if r.ok else []
        if not results:  # an error answer: say what it was (a busy server is asked again)
            print(f"case info: HTTP {r.status_code} {r.text[:300]}", flush=True)
            if r.status_code in (429, 503):
                time.sleep(float(r.headers.get("Retry-After", "1")))
                continue
            raise SystemExit("the case could not be read")
        status = results[0]["status"]["id"]
        if status == "FAILED":
            raise SystemExit("the case analysis failed")
        if status == "READY TO REVIEW":
            break
        time.sleep(1)
    else:
        return None
    path = f"/analysis/clinical/interpretation/TRIO.1/info?study={project}:default"
    r = requests.get(server.url + API + path, headers=headers, timeout=120)
    findings = r.json()["responses"][0]["results"][0]["primaryFindings"]
    return sum(1 for f in findings if "COMPOUND_HETEROZYGOUS" in f["evidences"][0]["modeOfInheritances"])


# --- queries -----------------------------------------------------------------------------------------


def one(url: str, headers: dict[str, str], project: str, name: str) -> tuple[float, int, str]:
    """(seconds, rows, outcome) of one request of query ``name``."""
    params, _, export = QUERIES[name]
    started = time.perf_counter()
    try:
        if export:
            query = {"study": f"{project}:default", **params}
            r = requests.get(
                url + API + "/analysis/variant/export", params=query, headers=headers, timeout=600
            )
            rows = sum(1 for line in r.text.splitlines() if line and not line.startswith("#"))
        else:
            query = {"study": f"{project}:default", "count": "true", "limit": "100", **params}
            r = requests.get(
                url + API + "/analysis/variant/query", params=query, headers=headers, timeout=600
            )
            rows = r.json()["responses"][0]["numMatches"] if r.status_code == 200 else -1
        outcome = str(r.status_code)
    except requests.RequestException as exc:
        rows, outcome = -1, type(exc).__name__
    return time.perf_counter() - started, rows, outcome


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))] if ordered else float("nan")


def measure(server: Server, headers: dict[str, str], project: str, name: str, n1: int, rounds: int) -> dict:
    _, rows, outcome = one(server.url, headers, project, name)  # warm-up and row count
    res = {"rows": rows, "warm": outcome}
    seq = [one(server.url, headers, project, name) for _ in range(n1)]
    res["c1"] = [s for s, _, _ in seq]
    errors = [o for _, _, o in seq if o != "200"]
    with RssSampler(server.proc.pid) as rss, ThreadPoolExecutor(20) as pool:  # type: ignore[union-attr]
        par = list(pool.map(lambda _: one(server.url, headers, project, name), range(20 * rounds)))
    res["c20"] = [s for s, _, _ in par]
    errors += [o for _, _, o in par if o != "200"]
    res["rss"] = rss.peak
    res["errors"] = errors
    res["rows_ok"] = all(r == rows for _, r, o in par + seq if o == "200")
    return res


def reference_sql(name: str, g: list[str], ann: list[str]) -> str:
    """A hand-written DuckDB query over the stored files (child, father, mother genotypes; annotation)."""
    pa_terms = (
        "['missense_variant','stop_gained','frameshift_variant','splice_donor_variant','splice_acceptor_variant',"
        "'stop_lost','start_lost','inframe_insertion','inframe_deletion','protein_altering_variant']"
    )
    lof = (
        "['stop_gained','frameshift_variant','splice_donor_variant','splice_acceptor_variant',"
        "'stop_lost','start_lost']"
    )
    cons = "flatten(list_transform(a.transcripts, lambda t: t.consequences))"
    child = f"read_parquet('{g[0]}')"
    anns = f"read_parquet({ann!r}, union_by_name = true)"
    carriers = "(SELECT key FROM read_parquet('{}') WHERE zygosity <> 0)"
    if name == "de_novo_protein_altering":
        return (
            f"SELECT count(*) FROM {child} p JOIN {anns} a USING (key) WHERE p.zygosity = 1 "
            f"AND list_has_any({cons}, {pa_terms}) AND p.key NOT IN {carriers.format(g[1])} "
            f"AND p.key NOT IN {carriers.format(g[2])}"
        )
    if name == "ar_homozygous":
        het = "(SELECT key FROM read_parquet('{}') WHERE zygosity = 1)"
        return (
            f"SELECT count(*) FROM {child} p WHERE p.zygosity = 2 AND p.key IN {het.format(g[1])} "
            f"AND p.key IN {het.format(g[2])}"
        )
    terms = lof if name == "vcf_export_het_lof" else pa_terms
    return (
        f"SELECT count(*) FROM {child} p JOIN {anns} a USING (key) WHERE p.zygosity = 1 "
        f"AND list_has_any({cons}, {terms})"
    )


def stored_files(data: Path, project_file: str) -> tuple[list[str], list[str]]:
    """The genotype Parquet files (sample order) and annotation parts of the first or last uploaded file."""
    genos = sorted(data.rglob("genotypes/*.parquet"))
    by_dir: dict[Path, list[Path]] = {}
    for p in genos:
        by_dir.setdefault(p.parent.parent, []).append(p)
    dirs = sorted(by_dir, key=lambda d: d.stat().st_mtime)
    wanted = dirs[0] if project_file == "first" else dirs[-1]
    g = [str(p) for p in sorted(by_dir[wanted], key=lambda p: int(p.stem))]
    ann = [str(p) for p in data.rglob(f"annotations/vcf-{wanted.name}/*.parquet")]
    if not ann:
        ann = [str(p) for p in data.rglob("annotations/vcf-*/*.parquet") if wanted.name in str(p)]
    return g, ann


def reference(name: str, g: list[str], ann: list[str], con: duckdb.DuckDBPyConnection) -> tuple[int, float]:
    sql = reference_sql(name, g, ann)
    con.execute(sql).fetchone()  # warm
    times = []
    for _ in range(5):
        started = time.perf_counter()
        count = con.execute(sql).fetchone()[0]  # type: ignore[index]
        times.append(time.perf_counter() - started)
    return int(count), statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--requests", type=int, default=10, help="sequential requests per query (c=1)")
    ap.add_argument("--rounds", type=int, default=1, help="rounds of 20 concurrent requests per query")
    ap.add_argument("--no-giab", action="store_true")
    ap.add_argument("--no-synthetic", action="store_true")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/vardesk-bench-query"))
    ap.add_argument("--only", default="", help="comma-separated query names")
    args = ap.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()} (shared with other work: figures are noisy)")
    print(f"code: {SRC}")
    datasets: list[tuple[str, str, str, Path, Path]] = []  # label, project, assembly, vcf, split
    if not args.no_giab:
        datasets.append(("giab", "giab", "GRCh37", GIAB, giab_split(args.cache)))
    if not args.no_synthetic:
        started = time.perf_counter()
        vcf, split = synthetic_trio(args.cache, args.records, args.seed)
        print(
            f"synthetic trio: {vcf.name} ({vcf.stat().st_size / 2**20:.0f} MiB) "
            f"ready in {time.perf_counter() - started:.0f} s"
        )
        datasets.append((f"syn3x{args.records // 1_000_000 or args.records}M", "syn", "GRCh38", vcf, split))
    names = [n for n in QUERIES if not args.only or n in args.only.split(",")]
    lines = []
    with tempfile.TemporaryDirectory(prefix="vardesk-bench-query-", dir=args.cache) as tmp:
        server = Server(Path(tmp) / "data")
        server.start()
        try:
            headers = login(server.url)
            con = duckdb.connect()
            con.execute("SET threads = 2")
            for i, (label, project, assembly, vcf, split) in enumerate(datasets):
                with RssSampler(server.proc.pid) as rss:  # type: ignore[union-attr]
                    index_s = load(server, headers, project, assembly, vcf)
                print(
                    f"[{label}] index (upload → READY): {index_s:.1f} s, server RSS peak {rss.peak:.0f} MiB"
                )
                g, ann = stored_files(server.data, "first" if i == 0 else "last")
                case_comphet = None
                if "comphet_case_preset" in names:
                    started = time.perf_counter()
                    case_comphet = create_case(server, headers, project)
                    print(
                        f"[{label}] case analysis: {time.perf_counter() - started:.1f} s, "
                        f"{case_comphet} compound heterozygous candidates"
                    )
                for name in names:
                    if name == "comphet_case_preset":
                        truth, bcf_s, ref_n, ref_s = case_comphet, float("nan"), -1, float("nan")
                    else:
                        truth, bcf_s = bcftools_truth(split, QUERIES[name][1])
                        ref_n, ref_s = reference(name, g, ann, con)
                    m = measure(server, headers, project, name, args.requests, args.rounds)
                    c1p50, c1p95 = pct(m["c1"], 0.5) * 1000, pct(m["c1"], 0.95) * 1000
                    c20p50, c20p95 = pct(m["c20"], 0.5) * 1000, pct(m["c20"], 0.95) * 1000
                    print(
                        f"[{label}] {name}: rows {m['rows']} "
                        f"(bcftools truth {truth}, duckdb reference {ref_n}); "
                        f"c=1 p50 {c1p50:.0f} ms p95 {c1p95:.0f} ms; "
                        f"c=20 p50 {c20p50:.0f} ms p95 {c20p95:.0f} ms; "
                        f"peak RSS {m['rss']:.0f} MiB; errors {len(m['errors'])} {sorted(set(m['errors']))}; "
                        f"bcftools view {bcf_s * 1000:.0f} ms; duckdb reference {ref_s * 1000:.0f} ms"
                    )
                    lines.append(
                        f"dataset={label} query={name} rows={m['rows']} truth={truth} "
                        f"match={m['rows'] == truth} c1_p50_ms={c1p50:.0f} c1_p95_ms={c1p95:.0f} "
                        f"c20_p50_ms={c20p50:.0f} c20_p95_ms={c20p95:.0f} "
                        f"rss_mib={m['rss']:.0f} errors={len(m['errors'])} bcftools_ms={bcf_s * 1000:.0f} "
                        f"duckdb_ms={ref_s * 1000:.0f} index_s={index_s:.1f}"
                    )
        finally:
            server.stop()
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
