"""VCF ingest benchmark: synthetic VCF → per-sample Parquet, compared with ``bcftools view -Ou``.

    python bench/ingest.py --records 5000000 [--seed 0] [--trio]

The VCF is generated once and cached under ``bench/out/``. The last line is machine-readable:
``records_per_s=… wall_s=… rss_mb=… ratio_vs_bcftools_view=…``.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from machine import machine  # bench/machine.py, beside this script

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from vardesk.ingest.pipeline import ingest_vcf  # noqa: E402
from vardesk.synthetic.vcf import generate_vcf  # noqa: E402

_VIEW = "import sys; from pysam import bcftools; bcftools.view('-Ou', '-o', '/dev/null', sys.argv[1])"


def bcftools_view_seconds(path: Path) -> float:
    """Wall time of ``bcftools view -Ou -o /dev/null`` (the binary if installed, else pysam's)."""
    binary = shutil.which("bcftools")
    cmd = (
        [binary, "view", "-Ou", "-o", "/dev/null", str(path)]
        if binary
        else [sys.executable, "-c", _VIEW, str(path)]
    )
    started = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--trio", action="store_true")
    args = parser.parse_args()

    out = HERE / "out"
    out.mkdir(exist_ok=True)
    kind = "trio" if args.trio else "single"
    vcf = out / f"synthetic-{kind}-{args.records}-s{args.seed}.vcf.gz"
    if not vcf.exists():
        started = time.perf_counter()
        samples = ("HG002", "HG003", "HG004") if args.trio else ("SAMPLE1",)
        generate_vcf(vcf.with_suffix(".part"), records=args.records, seed=args.seed, samples=samples)
        vcf.with_suffix(".part").rename(vcf)
        print(f"generated {vcf.name} in {time.perf_counter() - started:.1f} s")
    print(f"machine: {machine()}")
    print(f"input: {vcf.name}, {vcf.stat().st_size / 2**20:.1f} MiB")

    view_s = bcftools_view_seconds(vcf)
    print(f"bcftools view -Ou: {view_s:.2f} s ({args.records / view_s:,.0f} records/s)")

    target = out / f"ingest-{kind}-{args.records}"
    shutil.rmtree(target, ignore_errors=True)
    started = time.perf_counter()
    result = ingest_vcf(vcf, target)
    wall = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for s in result.samples:
        size = s.genotypes_path.stat().st_size / 2**20
        print(f"  {s.name}: {s.variants:,} rows, {s.called:,} called, {size:.1f} MiB parquet")
    print(f"ingest: {result.records_read:,} records in {wall:.2f} s, {result.variants_kept:,} variant rows")
    rate = result.records_read / wall
    ratio = wall / view_s
    print(
        f"records_per_s={rate:.0f} wall_s={wall:.2f} rss_mb={rss_mb:.0f} ratio_vs_bcftools_view={ratio:.2f}"
    )


if __name__ == "__main__":
    main()
