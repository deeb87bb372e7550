"""Criteria read from ClinVar: PS1 / PM5 (same residue) and PP2 / BP1 (gene-level statistics)."""

from __future__ import annotations

from collections.abc import Mapping

from vardesk.analysis.acmg.config import AcmgConfig
from vardesk.analysis.acmg.inputs import ClinVarVariantRef, VariantEvidenceInput
from vardesk.analysis.acmg.model import Evidence, Thresholds, met, not_evaluable, not_met
from vardesk.analysis.acmg.protein import is_pathogenic_or_likely

MISSENSE = "missense_variant"


def _is_missense(inp: VariantEvidenceInput) -> bool | None:
    tc = inp.primary()
    return None if tc is None else tc.has(MISSENSE)


def _qualifying(refs: tuple[ClinVarVariantRef, ...], cfg: AcmgConfig) -> list[ClinVarVariantRef]:
    return [
        r
        for r in refs
        if is_pathogenic_or_likely(r.significance)
        and r.stars is not None
        and r.stars >= cfg.clinvar_min_stars
    ]


def _describe(refs: list[ClinVarVariantRef]) -> str:
    return ", ".join(f"{r.protein_change} ({r.variant_id}, {r.significance}, {r.stars}★)" for r in refs)


def _residue(code: str, inp: VariantEvidenceInput, cfg: AcmgConfig) -> Evidence | None:
    """The shared NOT_MET / NOT_EVALUABLE outcomes of PS1 and PM5, else None."""
    missense = _is_missense(inp)
    if missense is None:
        return not_evaluable(code, "no transcript consequence")
    if not missense:
        return not_met(code, "not a missense variant")
    if inp.clinvar_residue is None:
        return not_evaluable(code, "no ClinVar look-up at this residue")
    return None


def _sources(inp: VariantEvidenceInput) -> dict[str, str]:
    version = (inp.clinvar_residue.version if inp.clinvar_residue else None) or inp.provenance.clinvar_version
    return {"ClinVar": version or "unknown version"}


def assign_ps1(inp: VariantEvidenceInput, cfg: AcmgConfig, done: Mapping[str, Evidence]) -> Evidence:
    early = _residue("PS1", inp, cfg)
    if early is not None:
        return early
    assert inp.clinvar_residue is not None
    thresholds: Thresholds = {"min_stars": cfg.clinvar_min_stars, "significance": "P/LP"}
    hits = _qualifying(inp.clinvar_residue.same_change, cfg)
    if not hits:
        return not_met(
            "PS1",
            "no P/LP ClinVar variant with the same amino-acid change",
            thresholds=thresholds,
            sources=_sources(inp),
        )
    return met(
        "PS1",
        f"same amino-acid change as {_describe(hits)}",
        thresholds=thresholds,
        sources=_sources(inp),
        caveats=["An effect of either nucleotide change on splicing is not excluded here."],
    )


def assign_pm5(inp: VariantEvidenceInput, cfg: AcmgConfig, done: Mapping[str, Evidence]) -> Evidence:
    early = _residue("PM5", inp, cfg)
    if early is not None:
        return early
    assert inp.clinvar_residue is not None
    thresholds: Thresholds = {"min_stars": cfg.clinvar_min_stars, "significance": "P/LP"}
    ps1 = done.get("PS1")
    if ps1 is not None and ps1.met:
        return not_met("PM5", "PS1 applies (same amino-acid change); PM5 is not used with it")
    hits = _qualifying(inp.clinvar_residue.different_change, cfg)
    if not hits:
        return not_met(
            "PM5",
            "no P/LP ClinVar missense with another change at this residue",
            thresholds=thresholds,
            sources=_sources(inp),
        )
    return met(
        "PM5",
        f"different missense change at a residue with {_describe(hits)}",
        thresholds=thresholds,
        sources=_sources(inp),
    )


def _gene_stats(code: str, inp: VariantEvidenceInput) -> Evidence | None:
    missense = _is_missense(inp)
    if missense is None:
        return not_evaluable(code, "no transcript consequence")
    if not missense:
        return not_met(code, "not a missense variant")
    if inp.gene is None or inp.gene.clinvar_stats is None:
        return not_evaluable(code, "no ClinVar statistics for the gene")
    return None


def assign_pp2(inp: VariantEvidenceInput, cfg: AcmgConfig, done: Mapping[str, Evidence]) -> Evidence:
    early = _gene_stats("PP2", inp)
    if early is not None:
        return early
    assert inp.gene is not None and inp.gene.clinvar_stats is not None
    st = inp.gene.clinvar_stats
    src = {"ClinVar": st.version or inp.provenance.clinvar_version or "unknown version"}
    thresholds = {
        "min_pathogenic_missense": cfg.pp2_min_pathogenic_missense,
        "min_missense_share": cfg.pp2_min_missense_share,
        "max_benign_missense_share": cfg.pp2_max_benign_missense_share,
    }
    share = st.pathogenic_missense / st.pathogenic_all if st.pathogenic_all else 0.0
    classified = st.pathogenic_missense + st.benign_missense
    benign_share = st.benign_missense / classified if classified else 0.0
    facts = (
        f"{st.pathogenic_missense} P/LP missense ({share:.0%} of {st.pathogenic_all} P/LP), "
        f"{st.benign_missense} B/LB missense ({benign_share:.0%} of classified missense)"
    )
    ok = (
        st.pathogenic_missense >= cfg.pp2_min_pathogenic_missense
        and share >= cfg.pp2_min_missense_share
        and benign_share <= cfg.pp2_max_benign_missense_share
    )
    if ok:
        return met("PP2", facts, thresholds=thresholds, sources=src)
    return not_met("PP2", facts, thresholds=thresholds, sources=src)


def assign_bp1(inp: VariantEvidenceInput, cfg: AcmgConfig, done: Mapping[str, Evidence]) -> Evidence:
    early = _gene_stats("BP1", inp)
    if early is not None:
        return early
    assert inp.gene is not None and inp.gene.clinvar_stats is not None
    st = inp.gene.clinvar_stats
    src = {"ClinVar": st.version or inp.provenance.clinvar_version or "unknown version"}
    thresholds = {
        "min_pathogenic": cfg.bp1_min_pathogenic,
        "min_truncating_share": cfg.bp1_min_truncating_share,
    }
    share = st.pathogenic_truncating / st.pathogenic_all if st.pathogenic_all else 0.0
    facts = f"{st.pathogenic_truncating} of {st.pathogenic_all} P/LP variants are truncating ({share:.0%})"
    if st.pathogenic_all >= cfg.bp1_min_pathogenic and share >= cfg.bp1_min_truncating_share:
        return met("BP1", facts, thresholds=thresholds, sources=src)
    return not_met("BP1", facts, thresholds=thresholds, sources=src)
