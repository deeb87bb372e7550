"""PM1 (hotspot / domain BED; PP3 + PM1 at most Strong, Pejaver et al. 2022 AJHG 109:2163,
"Recommendations"), BP3 (Richards 2015) and the retired PP5 / BP6 (Biesecker & Harrison 2018)."""

from __future__ import annotations

from tests.analysis.acmg.builders import variant_input
from vardesk.analysis.acmg import DEFAULT_CONFIG, Status, Strength, assess
from vardesk.analysis.acmg.inputs import RegionHit
from vardesk.analysis.acmg.model import met
from vardesk.analysis.acmg.regions import assign_bp3, assign_bp6, assign_pm1, assign_pp5

HOT = (RegionHit("GENE1 kinase domain", "hotspots.bed (lab-2024-01)"),)


def test_pm1_in_a_listed_region_is_moderate_and_names_its_source() -> None:
    e = assign_pm1(variant_input("missense_variant", regions=HOT), DEFAULT_CONFIG, {})
    assert (e.status, e.strength) == (Status.MET, Strength.MODERATE)
    assert "kinase domain" in e.explanation
    assert e.data_sources == {"hotspots": "hotspots.bed (lab-2024-01)"}


def test_pm1_without_region_data_is_not_evaluable_and_outside_is_not_met() -> None:
    assert assign_pm1(variant_input("missense_variant"), DEFAULT_CONFIG, {}).status is Status.NOT_EVALUABLE
    assert (
        assign_pm1(variant_input("missense_variant", regions=()), DEFAULT_CONFIG, {}).status is Status.NOT_MET
    )
    assert assign_pm1(variant_input("stop_gained", regions=HOT), DEFAULT_CONFIG, {}).status is Status.NOT_MET


def test_pp3_and_pm1_together_are_capped_at_four_points() -> None:
    inp = variant_input("missense_variant", regions=HOT)
    strong = {"PP3": met("PP3", "REVEL 0.95", Strength.STRONG)}
    assert assign_pm1(inp, DEFAULT_CONFIG, strong).status is Status.NOT_MET  # 4 + anything > 4
    moderate = {"PP3": met("PP3", "REVEL 0.8", Strength.MODERATE)}
    assert assign_pm1(inp, DEFAULT_CONFIG, moderate).strength is Strength.MODERATE  # 2 + 2 = 4
    # through assess: REVEL 0.95 → PP3_Strong, PM1 dropped: 4 points from the two, not 6
    from tests.analysis.acmg.builders import scores

    a = assess(variant_input("missense_variant", regions=HOT, scores=scores(revel=0.95, spliceai=0.0)))
    assert a.evidence_for("PP3").strength is Strength.STRONG
    assert not a.evidence_for("PM1").met


def test_bp3_needs_repeat_annotation_and_no_domain() -> None:
    rep = variant_input("inframe_deletion", tc={"in_repeat_region": True}, regions=())
    assert assign_bp3(rep, DEFAULT_CONFIG, {}).met
    unknown = variant_input("inframe_deletion")
    assert assign_bp3(unknown, DEFAULT_CONFIG, {}).status is Status.NOT_EVALUABLE
    in_domain = variant_input("inframe_deletion", tc={"in_repeat_region": True}, regions=HOT)
    assert assign_bp3(in_domain, DEFAULT_CONFIG, {}).status is Status.NOT_MET


def test_pp5_and_bp6_never_fire() -> None:
    inp = variant_input("missense_variant")
    assert assign_pp5(inp, DEFAULT_CONFIG, {}).status is Status.NOT_MET
    assert assign_bp6(inp, DEFAULT_CONFIG, {}).status is Status.NOT_MET
