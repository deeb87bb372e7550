"""Criteria read from regions of the protein and retired criteria.

* PM1 — in a mutational hotspot or critical functional domain without benign variation (Richards 2015),
  from the hotspot / domain BED an administrator adds to the bundle; missense and in-frame changes only.
  PP3 and PM1 together are capped at Strong, 4 points (Pejaver et al. 2022, AJHG 109:2163,
  "Recommendations"): PM1 is lowered to Supporting, or not applied, when PP3 already uses the points.
* BP3 — in-frame indel in a repetitive region without known function (Richards 2015): needs the repeat
  annotation of the consequence; not in a hotspot / domain.
* PP5 / BP6 — reputable source without the evidence: retired by the ClinGen SVI (Biesecker & Harrison
  2018, Genet Med 20:1687); never applied automatically.
"""

from __future__ import annotations

from collections.abc import Mapping

from vardesk.analysis.acmg.classifiers import POINTS
from vardesk.analysis.acmg.config import AcmgConfig
from vardesk.analysis.acmg.inputs import VariantEvidenceInput
from vardesk.analysis.acmg.model import Evidence, Strength, met, not_evaluable, not_met

PROTEIN_CHANGING = ("missense_variant", "inframe_insertion", "inframe_deletion", "protein_altering_variant")
INFRAME = ("inframe_insertion", "inframe_deletion")


def _gate(code: str, inp: VariantEvidenceInput, terms: tuple[str, ...], what: str) -> Evidence | None:
    tc = inp.primary()
    if tc is None:
        return not_evaluable(code, "no transcript consequence")
    if not tc.has(*terms):
        return not_met(code, f"not {what}")
    return None


def assign_pm1(inp: VariantEvidenceInput, cfg: AcmgConfig, done: Mapping[str, Evidence]) -> Evidence:
    early = _gate("PM1", inp, PROTEIN_CHANGING, "a missense or in-frame change")
    if early is not None:
        return early
    if inp.regions is None:
        return not_evaluable("PM1", "no hotspot / functional-domain data for the site")
    if not inp.regions:
        return not_met("PM1", "not in a listed hotspot or critical functional domain")
    names = "; ".join(r.name for r in inp.regions)
    src = {"hotspots": ", ".join(sorted({r.source for r in inp.regions}))}
    pp3 = done.get("PP3")
    used = POINTS[pp3.strength] if pp3 is not None and pp3.met else 0
    room = cfg.pp3_pm1_max_points - used
    thresholds = {"pp3_pm1_max_points": cfg.pp3_pm1_max_points, "pp3_points": used}
    for strength in (Strength.MODERATE, Strength.SUPPORTING):
        if POINTS[strength] <= room:
            capped = "" if strength is Strength.MODERATE else f"; lowered: PP3 has {used} points"
            return met("PM1", f"in {names}{capped}", strength, thresholds=thresholds, sources=src)
    return not_met(
        "PM1",
        f"in {names}, but PP3 already has {used} points (PP3 + PM1 at most {cfg.pp3_pm1_max_points})",
        thresholds=thresholds,
        sources=src,
    )


def assign_bp3(inp: VariantEvidenceInput, cfg: AcmgConfig, done: Mapping[str, Evidence]) -> Evidence:
    early = _gate("BP3", inp, INFRAME, "an in-frame insertion or deletion")
    if early is not None:
        return early
    tc = inp.primary()
    assert tc is not None
    if inp.regions:
        return not_met("BP3", "in a listed hotspot / functional domain")
    if tc.in_repeat_region is None:
        return not_evaluable("BP3", "repeat annotation at the site unknown")
    if not tc.in_repeat_region:
        return not_met("BP3", "not in a repeat region")
    caveats = (
        []
        if inp.regions is not None
        else ["No functional-domain data: a function of the repeat is not excluded."]
    )
    return met("BP3", f"in-frame indel in a repeat region on {tc.transcript_id}", caveats=caveats)


def _retired(code: str) -> Evidence:
    return not_met(
        code,
        "retired by the ClinGen SVI (Biesecker & Harrison 2018): the evidence behind another source's "
        "assertion is assessed directly instead",
    )


def assign_pp5(inp: VariantEvidenceInput, cfg: AcmgConfig, done: Mapping[str, Evidence]) -> Evidence:
    return _retired("PP5")


def assign_bp6(inp: VariantEvidenceInput, cfg: AcmgConfig, done: Mapping[str, Evidence]) -> Evidence:
    return _retired("BP6")
