"""PP4: the patient's phenotype is highly specific for the gene."""

from __future__ import annotations

from collections.abc import Mapping

from vardesk.analysis.acmg.config import AcmgConfig
from vardesk.analysis.acmg.inputs import VariantEvidenceInput
from vardesk.analysis.acmg.model import Evidence, met, not_evaluable, not_met


def assign_pp4(inp: VariantEvidenceInput, cfg: AcmgConfig, done: Mapping[str, Evidence]) -> Evidence:
    ph = inp.phenotype
    if ph is None:
        return not_evaluable("PP4", "no phenotype match for the gene")
    thresholds = {"min_score": cfg.pp4_min_score}
    src = {ph.method or "phenotype match": ph.version or "unknown version"}
    terms = f" (matched: {', '.join(ph.matched_terms)})" if ph.matched_terms else ""
    if ph.highly_specific:
        return met(
            "PP4",
            f"phenotype flagged highly specific for the gene{terms}",
            thresholds=thresholds,
            sources=src,
        )
    if ph.score >= cfg.pp4_min_score:
        return met(
            "PP4",
            f"phenotype match {ph.score:g} >= {cfg.pp4_min_score:g}{terms}",
            thresholds=thresholds,
            sources=src,
        )
    return not_met(
        "PP4", f"phenotype match {ph.score:g} < {cfg.pp4_min_score:g}", thresholds=thresholds, sources=src
    )
