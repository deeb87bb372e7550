"""Computational criteria: PP3 / BP4 (Pejaver et al. 2022; Walker et al. 2023 for SpliceAI) and BP7.

One missense predictor is used, the first of ``AcmgConfig.tools`` the input carries (REVEL first),
as Pejaver et al. recommend a single tool chosen in advance. SpliceAI (maximum delta score) gives
PP3 at supporting when >= 0.2 and is required to be <= 0.1 for BP4 and BP7 when present. PP3 is not
applied on top of PVS1 (the same mechanism would count twice).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from vardesk.analysis.acmg.config import AcmgConfig, ToolCalibration
from vardesk.analysis.acmg.inputs import InSilicoScore, VariantEvidenceInput
from vardesk.analysis.acmg.model import Evidence, Strength, met, not_evaluable, not_met

MISSENSE_LIKE = ("missense_variant", "inframe_insertion", "inframe_deletion", "protein_altering_variant")
# Variants whose protein effect is a null allele: a low splicing score says nothing about them (no BP4)
NULL_LIKE = (
    "stop_gained",
    "frameshift_variant",
    "splice_donor_variant",
    "splice_acceptor_variant",
    "start_lost",
    "stop_lost",
    "transcript_ablation",
    "exon_loss_variant",
)
SPLICEAI = "SpliceAI"


def _tool(inp: VariantEvidenceInput, cfg: AcmgConfig) -> tuple[ToolCalibration, InSilicoScore] | None:
    for cal in cfg.tools:
        s = inp.score(cal.tool)
        if s is not None:
            return cal, s
    return None


def _band(
    score: float, bands: tuple[tuple[str, float], ...], pathogenic: bool
) -> tuple[Strength, float] | None:
    for name, bound in bands:
        if (score >= bound) if pathogenic else (score <= bound):
            return Strength(name), bound
    return None


def _src(*scores: InSilicoScore | None) -> dict[str, str]:
    return {s.tool: s.version or "unknown version" for s in scores if s is not None}


def _missense(inp: VariantEvidenceInput) -> bool:
    tc = inp.primary()
    return tc is not None and tc.has(*MISSENSE_LIKE)


def assign_pp3(inp: VariantEvidenceInput, cfg: AcmgConfig, done: Mapping[str, Evidence]) -> Evidence:
    pvs1 = done.get("PVS1")
    if pvs1 is not None and pvs1.met:
        return not_met("PP3", "PVS1 applies; PP3 is not added for the same loss-of-function mechanism")
    spl = inp.score(SPLICEAI)
    tool = _tool(inp, cfg) if _missense(inp) else None
    thresholds: dict[str, str | float | int | bool | None] = {"spliceai_min": cfg.spliceai_pp3_min}
    if tool is None and spl is None:
        return not_evaluable("PP3", "no calibrated predictor score for this variant")
    found: list[tuple[Strength, str]] = []
    notes: list[str] = []
    if tool is not None:
        cal, s = tool
        thresholds[f"{cal.tool}_bands"] = ", ".join(f"{n}>={b:g}" for n, b in cal.pathogenic)
        band = _band(s.score, cal.pathogenic, True)
        if band:
            found.append((band[0], f"{cal.tool} {s.score:g} >= {band[1]:g} ({cal.reference})"))
        else:
            notes.append(f"{cal.tool} {s.score:g} below the supporting threshold")
    if spl is not None:
        if spl.score >= cfg.spliceai_pp3_min:
            found.append((Strength.SUPPORTING, f"SpliceAI {spl.score:g} >= {cfg.spliceai_pp3_min:g}"))
        else:
            notes.append(f"SpliceAI {spl.score:g} < {cfg.spliceai_pp3_min:g}")
    src = _src(tool[1] if tool else None, spl)
    if not found:
        return not_met("PP3", "; ".join(notes), thresholds=thresholds, sources=src)
    strength, why = max(found, key=lambda f: f[0].rank)
    return met("PP3", why, strength, thresholds=thresholds, sources=src)


def assign_bp4(inp: VariantEvidenceInput, cfg: AcmgConfig, done: Mapping[str, Evidence]) -> Evidence:
    pp3 = done.get("PP3")
    if pp3 is not None and pp3.met:
        return not_met("BP4", "PP3 applies; BP4 and PP3 are never used together")
    e = _bp4(inp, cfg)
    cap = Strength(cfg.bp4_max_strength)
    if e.met and e.strength.rank > cap.rank:
        return replace(
            e,
            strength=cap,
            explanation=f"{e.explanation}; applied at {cap.value} (BP4 at most {cap.value})",
            thresholds={**e.thresholds, "max_strength": cap.value},
        )
    return e


def _bp4(inp: VariantEvidenceInput, cfg: AcmgConfig) -> Evidence:
    tc = inp.primary()
    if tc is None:
        return not_evaluable("BP4", "no transcript consequence")
    if tc.has(*NULL_LIKE) and not tc.has(*MISSENSE_LIKE):
        return not_met("BP4", f"{', '.join(tc.consequences)}: a predictor cannot argue against a null allele")
    spl = inp.score(SPLICEAI)
    thresholds: dict[str, str | float | int | bool | None] = {"spliceai_max": cfg.spliceai_bp4_max}
    caveats: list[str] = []
    if spl is not None and spl.score > cfg.spliceai_bp4_max:
        return not_met(
            "BP4",
            f"SpliceAI {spl.score:g} > {cfg.spliceai_bp4_max:g}",
            thresholds=thresholds,
            sources=_src(spl),
        )
    if _missense(inp):
        tool = _tool(inp, cfg)
        if tool is None:
            return not_evaluable("BP4", "no calibrated missense predictor score", sources=_src(spl))
        cal, s = tool
        thresholds[f"{cal.tool}_bands"] = ", ".join(f"{n}<={b:g}" for n, b in cal.benign)
        band = _band(s.score, cal.benign, False)
        if spl is None:
            caveats.append("No splicing prediction: an effect on splicing is not excluded.")
        if band is None:
            return not_met(
                "BP4",
                f"{cal.tool} {s.score:g} above the benign thresholds",
                thresholds=thresholds,
                sources=_src(s, spl),
            )
        return met(
            "BP4",
            f"{cal.tool} {s.score:g} <= {band[1]:g} ({cal.reference})",
            band[0],
            thresholds=thresholds,
            sources=_src(s, spl),
            caveats=caveats,
        )
    if spl is None:
        return not_evaluable("BP4", "no splicing prediction for a non-missense variant")
    return met(
        "BP4", f"SpliceAI {spl.score:g} <= {cfg.spliceai_bp4_max:g}", thresholds=thresholds, sources=_src(spl)
    )


_OFFSET = re.compile(r"^[cn]\.[-*]?\d+([+-]\d+)")


def intron_offset(inp: VariantEvidenceInput) -> int | None:
    """Intron offset of the variant on the primary transcript (``c.88+10`` → 10); 0 when exonic."""
    tc = inp.primary()
    if tc is None:
        return None
    if tc.transcript is not None:
        return tc.transcript.cpos(inp.variant.pos).offset
    if tc.hgvs_c:
        m = _OFFSET.match(tc.hgvs_c.split(":")[-1])
        return int(m.group(1)) if m else 0
    return None


def assign_bp7(inp: VariantEvidenceInput, cfg: AcmgConfig, done: Mapping[str, Evidence]) -> Evidence:
    tc = inp.primary()
    thresholds = {
        "spliceai_max": cfg.spliceai_bp4_max,
        "intron_donor_min_offset": cfg.bp7_intron_donor_min_offset,
        "intron_acceptor_min_offset": cfg.bp7_intron_acceptor_min_offset,
    }
    if tc is None:
        return not_evaluable("BP7", "no transcript consequence")
    if tc.has("synonymous_variant"):
        what = "synonymous"
    elif tc.has("intron_variant") and not tc.has("splice_donor_variant", "splice_acceptor_variant"):
        off = intron_offset(inp)
        if off is None:
            return not_evaluable("BP7", "intronic, but the intron position is unknown")
        if not (off >= cfg.bp7_intron_donor_min_offset or off <= -cfg.bp7_intron_acceptor_min_offset):
            return not_met(
                "BP7", f"intronic at offset {off:+d}, within the splice region", thresholds=thresholds
            )
        what = f"intronic at offset {off:+d}"
    else:
        return not_met("BP7", "neither synonymous nor deep intronic")
    spl = inp.score(SPLICEAI)
    if spl is None:
        return not_evaluable("BP7", f"{what}, but no splicing prediction", thresholds=thresholds)
    if spl.score > cfg.spliceai_bp4_max:
        return not_met(
            "BP7",
            f"{what}; SpliceAI {spl.score:g} > {cfg.spliceai_bp4_max:g}",
            thresholds=thresholds,
            sources=_src(spl),
        )
    return met(
        "BP7",
        f"{what}; SpliceAI {spl.score:g} <= {cfg.spliceai_bp4_max:g}",
        thresholds=thresholds,
        sources=_src(spl),
        caveats=["Conservation of the nucleotide is not checked."],
    )
