"""Variant severity: the prior that a variant of a consequence class is damaging (0 < w ≤ 1).

Loss-of-function classes weigh 1 (Exomiser's defaults are of the same order); a missense variant
weighs its in-silico score when one is given — REVEL as is, else CADD PHRED / 40 — and 0.5 when none
is; inframe and other protein-altering changes 0.5; splice-region 0.2; synonymous and non-coding
changes close to 0, so they can still be listed but rarely carry a gene.
"""

from __future__ import annotations

from collections.abc import Mapping

from vardesk.domain.so import to_so

WEIGHTS: dict[str, float] = {
    "transcript_ablation": 1.0,
    "splice_acceptor_variant": 0.95,
    "splice_donor_variant": 0.95,
    "stop_gained": 1.0,
    "frameshift_variant": 1.0,
    "stop_lost": 0.85,
    "start_lost": 0.9,
    "transcript_amplification": 0.5,
    "feature_elongation": 0.5,
    "feature_truncation": 0.5,
    "inframe_insertion": 0.5,
    "inframe_deletion": 0.5,
    "missense_variant": 0.5,
    "protein_altering_variant": 0.5,
    "splice_donor_5th_base_variant": 0.3,
    "splice_region_variant": 0.2,
    "splice_donor_region_variant": 0.15,
    "splice_polypyrimidine_tract_variant": 0.1,
    "incomplete_terminal_codon_variant": 0.1,
    "start_retained_variant": 0.05,
    "stop_retained_variant": 0.05,
    "synonymous_variant": 0.02,
}
DEFAULT_WEIGHT = 0.01  # UTR, intronic, non-coding, regulatory, unknown terms
MIN_WEIGHT = 0.01
MISSENSE_LIKE = frozenset({"missense_variant", "protein_altering_variant"})


def in_silico_weight(scores: Mapping[str, float]) -> float | None:
    """The missense weight from in-silico scores (REVEL first, then CADD PHRED), None without any."""
    upper = {k.upper(): v for k, v in scores.items()}
    if upper.get("REVEL") is not None:
        return min(1.0, max(MIN_WEIGHT, float(upper["REVEL"])))
    for name in ("CADD", "CADD_PHRED"):
        if upper.get(name) is not None:
            return min(1.0, max(MIN_WEIGHT, float(upper[name]) / 40.0))
    return None


def severity_weight(consequence: str | None, in_silico: Mapping[str, float] | None = None) -> float:
    """``w`` of the (worst) consequence; several terms joined by ``&`` or ``,`` take the heaviest."""
    terms = [to_so(t) for t in (consequence or "").replace(",", "&").split("&") if t.strip()]
    best = DEFAULT_WEIGHT
    for term in terms:
        w = WEIGHTS.get(term, DEFAULT_WEIGHT)
        if term in MISSENSE_LIKE and in_silico:
            w = in_silico_weight(in_silico) or w
        best = max(best, w)
    return best
