"""PM4: protein length changes (in-frame indels outside repeats, stop-loss), never on top of PVS1."""

from __future__ import annotations

from collections.abc import Mapping

from vardesk.analysis.acmg.config import AcmgConfig
from vardesk.analysis.acmg.inputs import VariantEvidenceInput
from vardesk.analysis.acmg.model import Evidence, met, not_evaluable, not_met

LENGTH_CHANGING = ("inframe_insertion", "inframe_deletion", "stop_lost", "feature_elongation")


def assign_pm4(inp: VariantEvidenceInput, cfg: AcmgConfig, done: Mapping[str, Evidence]) -> Evidence:
    tc = inp.primary()
    if tc is None:
        return not_evaluable("PM4", "no transcript consequence")
    terms = [t for t in LENGTH_CHANGING if tc.has(t)]
    if not terms:
        return not_met("PM4", "no in-frame indel or stop-loss")
    pvs1 = done.get("PVS1")
    if pvs1 is not None and pvs1.met:
        return not_met("PM4", "PVS1 applies; PM4 is not added to it")
    if tc.in_repeat_region:
        return not_met("PM4", f"{terms[0]} in a repeat region (see BP3)")
    caveats = [] if tc.in_repeat_region is False else ["Repeat annotation at the site unknown."]
    return met("PM4", f"{terms[0]} on {tc.transcript_id}", caveats=caveats)
