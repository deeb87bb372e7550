"""bcftools' csq test suite through bundles and the consequence pipeline, held to bcftools' own results.

The combinations are the ones bcftools' ``test/test.pl`` (``test_csq_real``) runs on ``test/csq``: for
every ``E*/<name>.vcf`` with ``<name>.txt`` it runs ``bcftools csq -f <dir>.fa -g <dir>.gff`` (default,
haplotype-aware mode) and compares with ``<name>.txt``; with ``<name>.txt-l`` it also runs ``csq -l``
(local mode) and compares with ``<name>.txt-l``. The output compared is, for sites-only VCFs, ``sort-csq |
query -f'%POS\\t%REF\\t%ALT\\t%EXP\\n%POS\\t%REF\\t%ALT\\t%BCSQ\\n\\n'`` and, for VCFs with samples,
``query -f'[%POS\\t%REF\\t%ALT\\t%TBCSQ\\n]\\n'`` (per sample, one column per haplotype).

Each combination is checked two ways, for Vardesk (a bundle per case directory, ``run_csq`` with
``local`` as the mode; sample VCFs one haplotype at a time) and for pysam's bcftools run directly:

* harness: the output text equals the expected file, exactly as bcftools' harness compares it;
* EXP: every record's BCSQ equals its ``INFO/EXP`` (items as a set, no BCSQ as ``.``), on the
  combinations whose VCF carries ``INFO/EXP``.

Vardesk must match at least as many combinations as bcftools itself, on both checks; misses are printed
with their reasons. ``*.cmd`` scripts (options such as ``-B``, ``-b``, ``-C``, ``-i``, ``--phase m``)
and the ``ascii-art.txt`` drawings are not part of this test.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from vardesk.annotate.bundle import Bundle, build_bundle, load_bundle
from vardesk.annotate.consequences import parse_bcsq, run_csq
from vardesk.annotate.keys import with_keys

_CHILD = (
    "import sys\n"
    "from pysam import bcftools\n"
    "getattr(bcftools, sys.argv[1])(*sys.argv[2:], catch_stdout=False)\n"
)


@dataclass(frozen=True)
class Combo:
    vcf: Path
    local: bool
    expected: Path

    @property
    def name(self) -> str:
        return f"{self.vcf.parent.name}/{self.vcf.name}" + (" -l" if self.local else "")

    @property
    def case(self) -> Path:
        return self.vcf.parent


@dataclass
class Record:
    chrom: str
    pos: int
    ref: str
    alt: str
    exp: str | None
    gts: list[str]


@dataclass
class Outcome:
    text: str  # what bcftools' harness compares with the expected file
    exp_misses: list[str] = field(default_factory=list)  # records whose BCSQ differs from INFO/EXP
    bcsq: dict[int, str] = field(default_factory=dict)  # record index -> sorted BCSQ ("." when none)


def harness_combos(root: Path) -> list[Combo]:
    """(VCF, mode, expected file) exactly as bcftools' ``test_csq_real`` enumerates them."""
    combos = []
    for d in sorted(root.iterdir()):
        if not d.is_dir() or not d.name.startswith("E"):
            continue
        for vcf in sorted(d.glob("*.vcf")):
            for suffix, local in ((".txt", False), (".txt-l", True)):
                expected = vcf.with_suffix(suffix)
                if expected.exists():
                    combos.append(Combo(vcf, local, expected))
    return combos


def read_vcf(path: Path) -> tuple[list[str], list[Record]]:
    samples: list[str] = []
    recs = []
    for line in path.read_text().splitlines():
        if line.startswith("#CHROM"):
            samples = line.split("\t")[9:]
        if not line or line.startswith("#"):
            continue
        f = line.split("\t")
        exp = next((kv[4:] for kv in f[7].split(";") if kv.startswith("EXP=")), None)
        recs.append(Record(f[0], int(f[1]), f[3], f[4], exp, f[9:]))
    return samples, recs


def _info_bcsq(path: Path) -> list[str | None]:
    """INFO/BCSQ per record of a csq output VCF, in file order."""
    out = []
    for line in path.read_text().splitlines():
        if line and not line.startswith("#"):
            info = line.split("\t")[7]
            out.append(next((kv[5:] for kv in info.split(";") if kv.startswith("BCSQ=")), None))
    return out


def _sorted(value: str | None) -> str:
    """sort-csq: the comma-separated items sorted; a missing value prints as ``.``."""
    return ",".join(sorted(value.split(","))) if value else "."


def sites_text(recs: list[Record], bcsq: list[str | None]) -> str:
    return "".join(
        f"{r.pos}\t{r.ref}\t{r.alt}\t{_sorted(r.exp)}\n{r.pos}\t{r.ref}\t{r.alt}\t{_sorted(b)}\n\n"
        for r, b in zip(recs, bcsq, strict=True)
    )


def exp_misses(recs: list[Record], bcsq: list[str | None]) -> list[str]:
    return [
        f"{r.pos} {r.ref}>{r.alt}"
        for r, b in zip(recs, bcsq, strict=True)
        if r.exp is not None and _sorted(r.exp) != _sorted(b)
    ]


def _bcftools(command: str, *args: object) -> None:
    p = subprocess.run([sys.executable, "-c", _CHILD, command, *map(str, args)], capture_output=True)
    assert p.returncode == 0, f"bcftools {command} failed: {p.stderr.decode(errors='replace')[-500:]}"


def run_bcftools(combo: Combo, work: Path) -> Outcome:
    """bcftools 1.24 (pysam) itself, with the harness' command line."""
    d = combo.case
    out = work / "bcftools" / combo.name.replace("/", "__").replace(" ", "")
    out.mkdir(parents=True)
    mode = ["-l"] if combo.local else []
    _bcftools(
        "csq", "-f", d / f"{d.name}.fa", "-g", d / f"{d.name}.gff", *mode, "-o", out / "o.vcf", combo.vcf
    )
    samples, recs = read_vcf(combo.vcf)
    bcsq = _info_bcsq(out / "o.vcf")
    if samples:
        _bcftools("query", "-f", "[%POS\t%REF\t%ALT\t%TBCSQ\n]\n", "-o", out / "q.txt", out / "o.vcf")
        text = (out / "q.txt").read_text()
    else:
        text = sites_text(recs, bcsq)
    return Outcome(text, exp_misses(recs, bcsq), {i: _sorted(b) for i, b in enumerate(bcsq)})


def _haplotypes(gt: str) -> list[int]:
    """Allele index per haplotype (missing as 0); empty for ploidy above 2, which csq skips."""
    alleles = re.split(r"[|/]", gt)
    if len(alleles) > 2:
        return []
    return [int(a) if a.isdigit() else 0 for a in alleles]


def run_vardesk(combo: Combo, bundle: Bundle) -> Outcome:
    """Vardesk: the VCF's variants through ``run_csq`` on the case's bundle in the combination's mode."""
    samples, recs = read_vcf(combo.vcf)
    table = with_keys(
        pa.table(
            {
                "chrom": pa.array([r.chrom for r in recs], pa.string()),
                "pos": pa.array([r.pos for r in recs], pa.int32()),
                "ref": [r.ref for r in recs],
                "alt": [r.alt for r in recs],
            }
        )
    )
    keys = table["key"].to_pylist()

    def annotate(rows: list[int]) -> dict[int, str | None]:
        raw = run_csq(table.take(rows), bundle, workers=1, local=combo.local)
        by_key = dict(zip(raw["key"].to_pylist(), raw["bcsq"].to_pylist(), strict=True))
        if bundle.table("transcripts"):
            # the parsed per-transcript rows cover exactly the variants with a consequence
            tx = parse_bcsq(raw, pq.read_table(bundle.table("transcripts")))
            assert set(tx["key"].to_pylist()) == {k for k, b in by_key.items() if b and not b.startswith("@")}
            assert pc.all(pc.is_valid(tx["consequence"])).as_py() in (True, None)
        return {i: by_key.get(keys[i]) for i in rows}

    if not samples:
        got = annotate(list(range(len(recs))))
        bcsq = [got[i] for i in range(len(recs))]
        return Outcome(
            sites_text(recs, bcsq), exp_misses(recs, bcsq), {i: _sorted(b) for i, b in enumerate(bcsq)}
        )
    # one genome's haplotype at a time, as csq does for phased (or haploid) genotypes
    per_hap: dict[tuple[int, int], dict[int, str | None]] = {}
    for s in range(len(samples)):
        for h in range(2):
            rows = [i for i, r in enumerate(recs) if len(hap := _haplotypes(r.gts[s])) > h and hap[h] > 0]
            if rows:
                per_hap[(s, h)] = annotate(rows)
    lines = []
    union: list[set[str]] = [set() for _ in recs]
    for i, r in enumerate(recs):
        for s in range(len(samples)):
            cols = [per_hap.get((s, h), {}).get(i) or "." for h in range(2)]
            union[i].update(c for c in cols if c != ".")
            if any(c != "." for c in cols):
                lines.append(f"{r.pos}\t{r.ref}\t{r.alt}\t" + "\t".join(cols) + "\n")
        lines.append("\n")
    bcsq = [",".join(sorted(",".join(u).split(","))) if u else None for u in union]
    return Outcome("".join(lines), exp_misses(recs, bcsq), {i: _sorted(b) for i, b in enumerate(bcsq)})


def _first_diff(got: str, want: str) -> str:
    for g, w in zip(got.splitlines(), want.splitlines(), strict=False):
        if g != w:
            return f"expected {w!r}, got {g!r}"
    return f"expected {len(want.splitlines())} lines, got {len(got.splitlines())}"


def exp_reason(combo: Combo, rec: Record, got: str, bcftools_same: bool) -> str:
    """Why a record's BCSQ differs from its INFO/EXP."""
    if not bcftools_same:
        return "Vardesk differs from bcftools 1.24 here"
    own = "bcftools 1.24 gives the same, and its harness expects it"
    want = rec.exp or "."
    if "NMD_transcript" in got and "NMD_transcript" not in want:
        return f"{own}: INFO/EXP predates csq's NMD_transcript flag"
    if "start_retained" in got and "start_lost" in want:
        return f"{own}: INFO/EXP says synonymous&start_lost, csq calls this in-frame deletion start_retained"
    if combo.local and ("@" in want or "+" in want):
        return f"{own}: INFO/EXP is the joint haplotype consequence, local mode annotates each record alone"
    return own


def test_csq_suite_matches_bcftools(testdata: Path, tmp_path: Path) -> None:
    root = testdata / "csq-suite"
    combos = harness_combos(root)
    n_default = sum(not c.local for c in combos)
    n_local = sum(c.local for c in combos)
    with_exp = [c for c in combos if "EXP=" in c.vcf.read_text()]
    # bcftools' suite as shipped with 1.24: 72 .txt and 30 .txt-l expectations on 72 VCFs
    assert (n_default, n_local) == (72, 30), (n_default, n_local)

    bundles: dict[Path, Bundle] = {}
    locks: dict[Path, threading.Lock] = {c.case: threading.Lock() for c in combos}

    def bundle_of(case: Path) -> Bundle:
        with locks[case]:
            if case not in bundles:
                out = tmp_path / "bundles" / case.name
                build_bundle(
                    build="test", gff3=case / f"{case.name}.gff", fasta=case / f"{case.name}.fa", out=out
                )
                bundles[case] = load_bundle(out)
            return bundles[case]

    def check(combo: Combo) -> tuple[Outcome, Outcome]:
        return run_bcftools(combo, tmp_path), run_vardesk(combo, bundle_of(combo.case))

    with ThreadPoolExecutor(4) as ex:
        results = dict(zip(combos, ex.map(check, combos), strict=True))

    misses: list[str] = []
    counts = {}
    for label, pick in (("bcftools", 0), ("vardesk", 1)):
        counts[(label, "harness")] = sum(results[c][pick].text == c.expected.read_text() for c in combos)
        counts[(label, "exp")] = sum(not results[c][pick].exp_misses for c in with_exp)

    for c in combos:
        ref, got = results[c]
        want = c.expected.read_text()
        if got.text != want:
            why = "bcftools 1.24 misses it too" if ref.text != want else "Vardesk differs from bcftools 1.24"
            misses.append(f"MISS harness {c.name} vs {c.expected.name}: {why}; {_first_diff(got.text, want)}")
        if c in with_exp and got.exp_misses:
            _, recs = read_vcf(c.vcf)
            bad = [(i, r) for i, r in enumerate(recs) if f"{r.pos} {r.ref}>{r.alt}" in got.exp_misses]
            reasons = sorted({exp_reason(c, r, got.bcsq[i], got.bcsq[i] == ref.bcsq[i]) for i, r in bad})
            i, r = bad[0]
            misses.append(
                f"MISS EXP {c.name}: {len(bad)}/{len(recs)} records "
                f"({', '.join(str(r.pos) for _, r in bad)}); "
                + "; ".join(reasons)
                + f"\n    e.g. {r.pos} {r.ref}>{r.alt}\n      EXP  {_sorted(r.exp)}\n      BCSQ {got.bcsq[i]}"
            )
    for line in misses:
        print(line)
    total, total_exp = len(combos), len(with_exp)
    print(
        f"csq suite: {total} combinations ({n_default} default mode vs .txt, {n_local} local mode vs .txt-l) "
        f"on {len({c.vcf for c in combos})} VCFs in {len({c.case for c in combos})} cases"
    )
    print(
        f"  harness (output == expected file): Vardesk {counts[('vardesk', 'harness')]}/{total}, "
        f"bcftools 1.24 {counts[('bcftools', 'harness')]}/{total}"
    )
    print(
        f"  INFO/EXP (BCSQ == EXP per record): Vardesk {counts[('vardesk', 'exp')]}/{total_exp}, "
        f"bcftools 1.24 {counts[('bcftools', 'exp')]}/{total_exp}"
    )
    assert counts[("vardesk", "harness")] >= counts[("bcftools", "harness")]
    assert counts[("vardesk", "exp")] >= counts[("bcftools", "exp")]
    # and no combination is missed that bcftools itself gets right
    assert not [c.name for c in combos if results[c][1].text != c.expected.read_text() == results[c][0].text]
    assert not [c.name for c in with_exp if results[c][1].exp_misses and not results[c][0].exp_misses]


@pytest.mark.parametrize("local", [True, False])
def test_abca10_frameshift_and_stop_gained(testdata: Path, tmp_path: Path, local: bool, vcf_records) -> None:
    d = testdata / "reference-slices" / "grch38-ABCA10"
    build_bundle(
        build="GRCh38",
        gff3=d / "ABCA10.grch38.gff3",
        fasta=d / "grch38_chr17_abca10.fa.gz",
        out=tmp_path / "b",
    )
    bundle = load_bundle(tmp_path / "b")
    table, _ = vcf_records(d / "abca10_tests.vcf")
    raw = run_csq(table, bundle, local=local)
    got = {
        (p, r, a): b
        for p, r, a, b in zip(
            table["pos"].to_pylist(),
            table["ref"].to_pylist(),
            table["alt"].to_pylist(),
            [
                dict(zip(raw["key"].to_pylist(), raw["bcsq"].to_pylist(), strict=True))[k]
                for k in table["key"].to_pylist()
            ],
            strict=True,
        )
    }
    deletion = got[(69193976, "AAT", "A")].split("|")[0]
    insertion = got[(69154324, "C", "CACCTGGAA")]
    if local:
        assert "frameshift|ABCA10" in insertion
        # each variant on its own: both indels shift the frame
        assert deletion == "frameshift"
    else:
        # as one haplotype (how the case is written) the deletion ends in a stop
        assert deletion == "stop_gained&frameshift"
        assert got[(69155824, "G", "C")] == "@69193976"
        assert "@69193976" in insertion
