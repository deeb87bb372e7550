"""Does a reference bundle describe the genome a VCF was called on? More than the build label.

Two cheap checks, before a bundle annotates a genome:

* contigs: the genome's variants must lie on contigs the bundle has — none in common, or more than
  :data:`MAX_MISSING_SHARE` of the variants on contigs the bundle lacks, rejects it;
* REF alleles: a deterministic sample (≤ :data:`SAMPLE`) of the variants inside the bundle's sequence is
  read back from the bundle's FASTA; an ``N`` there verifies nothing. No REF base verified, or more than
  :data:`MAX_MISMATCH_SHARE` of the verified ones differing, rejects it.

A synthetic bundle labelled GRCh37 thus never annotates real GRCh37 data: its contigs are short runs of
``N`` and random sequence. The sample is drawn with DuckDB over the distinct variants (5M-record files
cost one scan) and checked with ``pysam.FastaFile`` (≤ 1,000 random reads).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import duckdb
import pyarrow as pa
import pysam

SAMPLE = 1_000
MAX_MISSING_SHARE = 0.10
MAX_MISMATCH_SHARE = 0.01


@dataclass(frozen=True)
class Compatibility:
    ok: bool
    reason: str = ""
    variants: int = 0
    on_missing_contigs: int = 0
    missing_contigs: list[str] = field(default_factory=list)
    sampled: int = 0
    verified: int = 0
    mismatched: int = 0
    examples: list[str] = field(default_factory=list)  # first mismatches, chrom:pos REF/bundle

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check(variants: pa.Table, fasta: str, *, sample: int = SAMPLE) -> Compatibility:
    """Check distinct variants (columns key, chrom, pos, ref) against a bundle's bgzipped FASTA."""
    with pysam.FastaFile(fasta) as fa:
        lengths = dict(zip(fa.references, fa.lengths, strict=True))
        con = duckdb.connect()
        try:
            con.register("v", variants.select(["key", "chrom", "pos", "ref"]))
            con.register("c", pa.table({"name": list(lengths), "len": list(lengths.values())}))
            per_contig = con.execute("SELECT chrom, count(*) FROM v GROUP BY chrom").fetchall()
            picked = con.execute(
                "SELECT v.chrom, v.pos, v.ref FROM v JOIN c ON v.chrom = c.name "
                "WHERE v.pos + length(v.ref) - 1 <= c.len ORDER BY hash(v.key), v.key LIMIT $n",
                {"n": sample},
            ).fetchall()
        finally:
            con.close()
        total = sum(n for _, n in per_contig)
        missing = sorted(chrom for chrom, _ in per_contig if chrom not in lengths)
        on_missing = sum(n for chrom, n in per_contig if chrom not in lengths)
        verified = mismatched = 0
        examples: list[str] = []
        for chrom, pos, ref in picked:
            ref = ref.upper()
            if not ref or set(ref) - set("ACGT"):
                continue
            seq = fa.fetch(chrom, pos - 1, pos - 1 + len(ref)).upper()
            if "N" in seq or len(seq) != len(ref):
                continue
            verified += 1
            if seq != ref:
                mismatched += 1
                if len(examples) < 5:
                    examples.append(f"{chrom}:{pos} {ref}/{seq}")
    stats = {
        "variants": total,
        "on_missing_contigs": on_missing,
        "missing_contigs": missing[:20],
        "sampled": len(picked),
        "verified": verified,
        "mismatched": mismatched,
        "examples": examples,
    }
    if total == 0:
        return Compatibility(ok=True, **stats)  # nothing to annotate, nothing to contradict
    if on_missing == total:
        return Compatibility(
            ok=False,
            reason=f"none of the genome's contigs ({', '.join(missing[:5])}…) are in the bundle",
            **stats,
        )
    if on_missing > MAX_MISSING_SHARE * total:
        return Compatibility(
            ok=False,
            reason=f"{on_missing} of {total} variants lie on contigs the bundle lacks "
            f"({', '.join(missing[:5])})",
            **stats,
        )
    if verified == 0:
        return Compatibility(
            ok=False,
            reason="no REF allele of the genome could be verified against the bundle's sequence "
            f"({len(picked)} sampled variants fall on N or outside it)",
            **stats,
        )
    if mismatched > MAX_MISMATCH_SHARE * verified:
        return Compatibility(
            ok=False,
            reason=f"{mismatched} of {verified} sampled REF alleles differ from the bundle's sequence "
            f"(e.g. {examples[0]}): the genome was not called on this reference",
            **stats,
        )
    return Compatibility(ok=True, **stats)
