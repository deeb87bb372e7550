"""Narrowing a case's report variants for review: the filters a reviewer combines, and how many rows each
filter alone leaves (pure functions over :class:`~vardesk.domain.cases.ReportVariant`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from vardesk.domain.cases import ReportVariant

FILTERS = ("type", "consequence", "max_af", "min_qual", "gene", "inheritance", "zygosity")


@dataclass(frozen=True)
class Filtered:
    rows: list[ReportVariant]
    total: int
    counts: dict[str, int]  # filter name -> rows that filter alone leaves (only the filters set)


def variant_type(v: ReportVariant) -> str:
    return "SNV" if len(v.ref) == 1 and len(v.alt) == 1 else "INDEL"


def proband_zygosity(v: ReportVariant) -> str:
    gts = v.genotypes or []
    proband = next((g for g in gts if "proband" in str(g.get("label", "")).lower()), gts[0] if gts else {})
    return str(proband.get("zygosity") or "")


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _predicate(name: str, value: str) -> Callable[[ReportVariant], bool] | None:
    value = value.strip()
    if not value:
        return None
    low = value.lower()
    if name == "type":
        return lambda v: variant_type(v).lower() == low
    if name == "consequence":
        return lambda v: low in v.consequence.lower()
    if name == "gene":
        return lambda v: v.gene.lower() == low
    if name == "inheritance":
        return lambda v: low in {m.lower() for m in v.inheritance_modes}
    if name == "zygosity":
        return lambda v: proband_zygosity(v).lower() == low
    number = _number(value)
    if number is None:
        return None
    if name == "max_af":
        return lambda v: (v.gnomad_af or 0.0) <= number
    if name == "min_qual":
        return lambda v: v.qual is not None and v.qual >= number
    return None


def filter_variants(rows: Sequence[ReportVariant], filters: Mapping[str, str]) -> Filtered:
    """The rows every set filter keeps, the total, and each set filter's count on its own; unknown
    filter names and unreadable numbers are ignored."""
    preds = {n: p for n in FILTERS if (p := _predicate(n, str(filters.get(n) or ""))) is not None}
    kept = [v for v in rows if all(p(v) for p in preds.values())]
    counts = {n: sum(1 for v in rows if p(v)) for n, p in preds.items()}
    return Filtered(rows=kept, total=len(rows), counts=counts)
