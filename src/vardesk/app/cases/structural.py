"""Structural variants of a case: the proband's genotype records that describe one.

Vardesk analyses small variants; structural variants are not annotated and never become candidates. An
uploaded VCF may still carry them, and ingestion keeps every record — a symbolic ALT (``<DEL>``,
``<DUP:TANDEM>``, ``<INV>``…) with its ``INFO/END`` as the span, and INFO as a map. This module lists the
records of one genome that are structural: a symbolic ALT, an ``INFO/SVTYPE``, or a sequence-resolved
allele whose length differs from the reference by at least 50 bp (the usual SV threshold).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

SV_MIN_LENGTH = 50


@dataclass(frozen=True)
class StructuralVariant:
    chrom: str
    pos: int
    end: int
    ref: str
    alt: str
    rsid: str | None
    qual: float | None
    filters: list[str]
    gt: str | None
    zygosity: int | None
    dp: int | None
    gq: int | None
    svtype: str | None
    svlen: int | None


def _svtype(alt: str, svtype: str | None, length_change: int) -> str:
    if svtype:
        return svtype
    if alt.startswith("<") and alt.endswith(">"):
        return alt[1:-1].split(":")[0]
    return "INS" if length_change > 0 else "DEL"


def _int(value: str | None) -> int | None:
    try:
        return None if value in (None, "", ".") else int(str(value).split(",")[0])
    except ValueError:
        return None


def read_structural(genotypes: Path) -> list[StructuralVariant]:
    """Every structural record of one genome's genotype Parquet, in key order."""
    con = duckdb.connect()
    try:
        rows = con.execute(
            """
            SELECT chrom, pos, "end", ref, alt, rsid, qual, filters, gt, zygosity, dp, gq,
                   map_extract(info, 'SVTYPE')[1] AS svtype, map_extract(info, 'SVLEN')[1] AS svlen
            FROM read_parquet(?)
            WHERE alt LIKE '<%' OR map_extract(info, 'SVTYPE')[1] IS NOT NULL
               OR abs(length(alt) - length(ref)) >= ?
            ORDER BY key
            """,
            [str(genotypes), SV_MIN_LENGTH],
        ).fetchall()
    finally:
        con.close()
    out = []
    for chrom, pos, end, ref, alt, rsid, qual, filters, gt, zyg, dp, gq, svtype, svlen in rows:
        change = len(alt) - len(ref)
        out.append(
            StructuralVariant(
                chrom=chrom,
                pos=int(pos),
                end=int(end),
                ref=ref,
                alt=alt,
                rsid=rsid,
                qual=None if qual is None else float(qual),
                filters=list(filters or []),
                gt=gt,
                zygosity=zyg,
                dp=dp,
                gq=gq,
                svtype=_svtype(alt, svtype, change),
                svlen=_int(svlen) if svlen is not None else (None if alt.startswith("<") else change),
            )
        )
    return out
