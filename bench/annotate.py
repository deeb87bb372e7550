"""Annotation benchmark: synthetic VCF → ingest → distinct keyed variants → annotation Parquet.

    python bench/annotate.py --records 5000000 [--seed 0] [--workers 2]

Builds (once, cached under ``bench/out/``) the bench-scale synthetic NOT HUMAN bundle and an
N-record single-sample VCF drawn against its FASTA, then measures, each in a fresh child process:

* end to end: VCF ingest (``vardesk.ingest.pipeline.ingest_vcf``, normalised against the FASTA),
  distinct variant keys, consequences (bcftools csq), HGVS, gnomAD and ClinVar joins, annotation
  Parquet written;
* ``bcftools csq -p a`` alone on the same VCF, FASTA and GFF3;
* gnomAD lookups: 1,000,000 keys against the bundle's gnomAD table.

The last line is machine-readable:
``records_per_s=… wall_s=… rss_mb=… ratio_vs_bcftools_csq=…`` (rss: peak of the summed RSS of the
end-to-end child and all its descendants, sampled from /proc every 100 ms, in MiB).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from machine import machine  # bench/machine.py, beside this script

if TYPE_CHECKING:
    from vardesk.annotate.bundle import Bundle

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

OUT = HERE / "out"


def peak_rss_mb() -> float:
    """Peak RSS of this process plus the largest waited-for child (kernel reports KiB).

    An upper bound: a child's high-water mark starts at its parent's RSS when it is forked.
    """
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (me + kids) / 1024


def _tree_rss_kib(root: int) -> int:
    """Current RSS of ``root`` and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                stat = fh.read()
            fields = stat[stat.rindex(")") + 2 :].split()
            parents[int(d)] = int(fields[1])
            rss[int(d)] = int(fields[21]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
        except (OSError, ValueError, IndexError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parents.items() if pp == p and c not in tree]
        tree.update(kids)
        frontier.extend(kids)
    return sum(rss.get(p, 0) for p in tree)


class TreeRss:
    """Samples the RSS of this process tree every ``interval`` seconds (~3 ms a sample).

    ``peak_mb`` is the maximum; ``stage_peaks`` the maximum while each ``stage`` label was set.
    """

    def __init__(self, interval: float = 0.1) -> None:
        self.peak_kib = 0
        self.stage = "start"
        self.stage_peaks: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    def _run(self, interval: float) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            now = _tree_rss_kib(me)
            self.peak_kib = max(self.peak_kib, now)
            self.stage_peaks[self.stage] = max(self.stage_peaks.get(self.stage, 0), now)
            self._stop.wait(interval)

    def __enter__(self) -> TreeRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return self.peak_kib / 1024


def make_vcf(path: Path, *, records: int, seed: int, fasta: Path) -> None:
    """The N-record VCF against ``fasta`` (the ingest branch's deterministic generator)."""
    from vardesk.synthetic.vcf import generate_vcf

    tmp = path.with_name(path.name + ".part")
    generate_vcf(tmp, records=records, seed=seed, fasta=fasta, build="GRCh38")
    tmp.rename(path)


def prepare(records: int, seed: int) -> tuple[Path, Path]:
    """(bundle dir, VCF), building what is not cached yet."""
    from vardesk.synthetic.bundle import build_demo_bundle

    OUT.mkdir(exist_ok=True)
    (OUT / ".gitignore").write_text("*\n")
    started = time.perf_counter()
    bundle = build_demo_bundle(OUT / "bundle-bench-s0", seed=0, scale="bench")
    if time.perf_counter() - started > 5:
        print(f"built bench bundle in {time.perf_counter() - started:.0f} s")
    vcf = OUT / f"annotate-{records}-s{seed}.vcf.gz"
    if not vcf.exists():
        started = time.perf_counter()
        make_vcf(vcf, records=records, seed=seed, fasta=bundle.parent / "sources" / "reference.fa.gz")
        print(f"generated {vcf.name} in {time.perf_counter() - started:.1f} s")
    return bundle, vcf


# ----------------------------------------------------------------------------- child stages
def stage_pipeline(bundle_dir: Path, vcf: Path, work: Path, workers: int | None) -> dict[str, object]:
    from vardesk.annotate.bundle import load_bundle

    bundle = load_bundle(bundle_dir)
    shutil.rmtree(work, ignore_errors=True)
    with TreeRss() as sampler:
        out = _pipeline(bundle, vcf, work, workers, sampler)
    out["rss_mb"] = sampler.peak_mb
    out["stage_rss_mb"] = {k: round(v / 1024) for k, v in sampler.stage_peaks.items()}
    out["rusage_mb"] = peak_rss_mb()
    return out


def _pipeline(
    bundle: Bundle, vcf: Path, work: Path, workers: int | None, sampler: TreeRss
) -> dict[str, object]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from vardesk.annotate.engine import annotate_variants
    from vardesk.ingest.pipeline import ingest_vcf

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    sampler.stage = "ingest"
    result = ingest_vcf(vcf, work / "genome", expected_build="GRCh38", reference_fasta=bundle.fasta)
    timings["ingest"] = time.perf_counter() - t0
    t = time.perf_counter()
    sampler.stage = "distinct_keys"
    # one sample: its genotype file is sorted by key; keep the first row of each key
    cols = ["key", "chrom", "pos", "ref", "alt"]
    variants = pq.read_table(result.samples[0].genotypes_path, columns=cols)
    keys = variants["key"].to_numpy()
    if len(keys) > 1 and not (keys[1:] >= keys[:-1]).all():
        variants = variants.sort_by("key")
        keys = variants["key"].to_numpy()
    if len(keys) > 1:
        variants = variants.filter(pa.array(np.r_[True, keys[1:] != keys[:-1]]))
    pa.default_memory_pool().release_unused()  # hand the ingest's freed buffers back
    timings["distinct_keys"] = time.perf_counter() - t
    stats = annotate_variants(
        variants,
        bundle,
        work / "annotations" / "part-000000.parquet",
        workers=workers,
        progress=lambda msg: setattr(sampler, "stage", "annotate." + msg.split(":")[0].split()[0]),
    )
    for k, v in stats.timings.items():
        timings[f"annotate.{k}"] = v
    wall = time.perf_counter() - t0
    return {
        "records": result.records_read,
        "variant_rows": result.variants_kept,
        "distinct": len(variants),
        "annotated": stats.annotated,
        "with_consequence": stats.with_consequence,
        "gnomad_hits": stats.gnomad_hits,
        "clinvar_hits": stats.clinvar_hits,
        "timings": timings,
        "wall": wall,
    }


def stage_csq(bundle_dir: Path, vcf: Path) -> dict[str, object]:
    from vardesk.annotate.tools import bcftools_popen, check

    src = bundle_dir.parent / "sources"
    t = time.perf_counter()
    proc = bcftools_popen(
        "csq",
        ["-f", src / "reference.fa.gz", "-g", src / "genes.gff3.gz", "-p", "a", "--force",
         "-Ou", "-o", "/dev/null", vcf],
    )  # fmt: skip
    check(proc, "csq")
    return {"wall": time.perf_counter() - t, "rss_mb": peak_rss_mb()}


def stage_lookup(bundle_dir: Path, n: int) -> dict[str, object]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from vardesk.annotate.lookups import lookup_gnomad

    table = bundle_dir / "gnomad.parquet"
    keys = pq.read_table(table, columns=["key"])["key"].to_numpy()
    rng = np.random.default_rng(1)
    hits = rng.choice(keys, size=int(n * 0.8), replace=False)
    misses = rng.choice(keys, size=n - len(hits)) ^ (1 << 22)  # other alleles at known positions
    q = pa.array(np.sort(np.concatenate([hits, misses])), pa.int64())
    lookup_gnomad(q[:1000], table)  # warm the file cache
    t = time.perf_counter()
    out = lookup_gnomad(q, table)
    return {"wall": time.perf_counter() - t, "keys": n, "table_rows": len(keys), "found": len(out)}


def run_child(stage: str, *args: str) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, __file__, "--stage", stage, *args], check=True, capture_output=True, text=True
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=0, help="csq/HGVS processes (0: one per core)")
    parser.add_argument("--lookup-keys", type=int, default=1_000_000)
    parser.add_argument("--stage", choices=["pipeline", "csq", "lookup"], help=argparse.SUPPRESS)
    parser.add_argument("--bundle", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--vcf", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.stage == "pipeline":
        work = OUT / f"annotate-work-{args.records}"
        print(json.dumps(stage_pipeline(args.bundle, args.vcf, work, args.workers or None)))
        return
    if args.stage == "csq":
        print(json.dumps(stage_csq(args.bundle, args.vcf)))
        return
    if args.stage == "lookup":
        print(json.dumps(stage_lookup(args.bundle, args.lookup_keys)))
        return

    bundle, vcf = prepare(args.records, args.seed)
    manifest = json.loads((bundle / "manifest.json").read_text())
    gff, stats = manifest["stats"]["gff"], manifest["stats"]
    print(f"machine: {machine()}")
    print(
        f"bundle: {manifest['id']} — {len(manifest['contigs'])} contigs, "
        f"{gff['genes']} genes, {gff['transcripts']} transcripts, "
        f"{stats['gnomad']['rows']:,} gnomAD rows, {stats['clinvar']['rows']:,} ClinVar rows"
    )
    print(f"input: {vcf.name}, {vcf.stat().st_size / 2**20:.1f} MiB")
    common = ["--bundle", str(bundle), "--vcf", str(vcf), "--records", str(args.records)]
    csq = run_child("csq", *common)
    print(f"bcftools csq -p a alone: {csq['wall']:.2f} s ({args.records / csq['wall']:,.0f} records/s)")
    pipe = run_child("pipeline", *common, "--workers", str(args.workers))
    print(
        f"end to end: {pipe['records']:,} records → {pipe['variant_rows']:,} variant rows → "
        f"{pipe['distinct']:,} distinct keys; {pipe['with_consequence']:,} with a consequence, "
        f"{pipe['gnomad_hits']:,} gnomAD hits, {pipe['clinvar_hits']:,} ClinVar hits"
    )
    print(f"  peak RSS: process tree {pipe['rss_mb']:.0f} MiB (getrusage self + largest child: "
          f"{pipe['rusage_mb']:.0f} MiB, an upper bound); by stage: {pipe['stage_rss_mb']}")  # fmt: skip
    for name, seconds in pipe["timings"].items():  # type: ignore[union-attr]
        print(f"  {name:<24} {seconds:7.2f} s")
    look = run_child("lookup", "--bundle", str(bundle), "--lookup-keys", str(args.lookup_keys))
    print(
        f"gnomAD lookup: {look['keys']:,} keys against {look['table_rows']:,} rows → "
        f"{look['found']:,} found in {look['wall']:.3f} s"
    )
    wall = float(pipe["wall"])  # type: ignore[arg-type]
    print(
        f"records_per_s={args.records / wall:.0f} wall_s={wall:.2f} rss_mb={float(pipe['rss_mb']):.0f} "
        f"ratio_vs_bcftools_csq={wall / float(csq['wall']):.2f}"  # type: ignore[arg-type]
    )


if __name__ == "__main__":
    main()
