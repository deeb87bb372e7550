"""Prioritisation input from :func:`vardesk.analysis.inheritance.find_candidates` results."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from vardesk.analysis.inheritance import Candidate
from vardesk.analysis.prioritise.model import Genotype, VariantCall

# annotation keys read as in-silico scores when a pre-annotated VCF carried them
IN_SILICO_KEYS = {"revel": "REVEL", "revel_score": "REVEL", "cadd_phred": "CADD", "cadd": "CADD"}


def _float(value: object) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def from_candidates(
    candidates: Iterable[Candidate], *, inhouse_af: Mapping[int, float] | None = None
) -> list[VariantCall]:
    """One :class:`VariantCall` per candidate; ``inhouse_af`` maps variant keys to in-house AF.

    The frequency is gnomAD's ``gnomad_af_grpmax`` when larger than ``gnomad_af`` (the filtering
    allele frequency of the most frequent group).
    """
    out: list[VariantCall] = []
    for c in candidates:
        ann = c.annotation
        afs = [a for a in (_float(ann.get("gnomad_af")), _float(ann.get("gnomad_af_grpmax"))) if a]
        scores = {
            tool: value for key, tool in IN_SILICO_KEYS.items() if (value := _float(ann.get(key))) is not None
        }
        genotypes = {
            name: Genotype(call.zygosity, call.gt, bool(call.phased), call.phase_set)
            for name, call in c.calls.items()
            if call.called  # no row: hom-ref, the VariantCall default
        }
        out.append(
            VariantCall(
                chrom=c.chrom,
                pos=c.pos,
                ref=c.ref,
                alt=c.alt,
                genes=c.genes or ((c.gene,) if c.gene else ()),
                consequence=str(ann.get("consequence") or ""),
                genotypes=genotypes,
                gnomad_af=max(afs) if afs else None,
                inhouse_af=None if inhouse_af is None else inhouse_af.get(c.key),
                in_silico=scores,
                key=c.key,
            )
        )
    return out
