"""PP3 / BP4 / BP7.

Expected strengths: Pejaver et al. 2022 (AJHG 109:2163) Table 2 — REVEL PP3 supporting [0.644,
0.773), moderate [0.773, 0.932), strong >= 0.932; BP4 supporting (0.183, 0.290], moderate (0.016,
0.183], strong (0.003, 0.016], very strong <= 0.003; CADD PP3 supporting [25.3, 28.1), moderate
>= 28.1; BP4 supporting (17.3, 22.7], moderate (0.15, 17.3], strong <= 0.15. SpliceAI: Walker et
al. 2023 (AJHG 110:1046), PP3 >= 0.2, BP4/BP7 <= 0.1. BP7 intronic at or beyond +7 / -21.
"""

from __future__ import annotations

import pytest

from tests.analysis.acmg.builders import scores, variant_input
from vardesk.analysis.acmg import DEFAULT_CONFIG, Status, Strength
from vardesk.analysis.acmg.computational import assign_bp4, assign_bp7, assign_pp3
from vardesk.analysis.acmg.model import met

S = Strength


@pytest.mark.parametrize(
    ("revel", "pp3", "bp4"),
    [
        (0.95, S.STRONG, None),
        (0.932, S.STRONG, None),
        (0.931, S.MODERATE, None),
        (0.773, S.MODERATE, None),
        (0.70, S.SUPPORTING, None),
        (0.644, S.SUPPORTING, None),
        (0.50, None, None),
        (0.291, None, None),
        (0.290, None, S.SUPPORTING),
        (0.184, None, S.SUPPORTING),
        (0.183, None, S.MODERATE),
        (0.05, None, S.MODERATE),
        (0.016, None, S.STRONG),
        (0.004, None, S.STRONG),
        (0.003, None, S.STRONG),  # the very strong band, applied at Strong (BP4 at most Strong)
    ],
)
def test_revel_table(revel: float, pp3: Strength | None, bp4: Strength | None) -> None:
    inp = variant_input("missense_variant", scores=scores(revel=revel, spliceai=0.0))
    p, b = assign_pp3(inp, DEFAULT_CONFIG, {}), assign_bp4(inp, DEFAULT_CONFIG, {})
    assert (p.strength if p.met else None) == pp3
    assert (b.strength if b.met else None) == bp4
    assert p.status is not Status.NOT_EVALUABLE and b.status is not Status.NOT_EVALUABLE
    assert p.data_sources["REVEL"] == "v1"


@pytest.mark.parametrize(
    ("cadd", "pp3", "bp4"),
    [
        (30.0, S.MODERATE, None),
        (26.0, S.SUPPORTING, None),
        (24.0, None, None),
        (20.0, None, S.SUPPORTING),
        (10.0, None, S.MODERATE),
        (0.1, None, S.STRONG),
    ],
)
def test_cadd_used_when_no_revel(cadd: float, pp3: Strength | None, bp4: Strength | None) -> None:
    inp = variant_input("missense_variant", scores=scores(cadd=cadd, spliceai=0.0))
    p, b = assign_pp3(inp, DEFAULT_CONFIG, {}), assign_bp4(inp, DEFAULT_CONFIG, {})
    assert (p.strength if p.met else None) == pp3
    assert (b.strength if b.met else None) == bp4


def test_no_scores_is_not_evaluable() -> None:
    inp = variant_input("missense_variant")
    assert assign_pp3(inp, DEFAULT_CONFIG, {}).status is Status.NOT_EVALUABLE
    assert assign_bp4(inp, DEFAULT_CONFIG, {}).status is Status.NOT_EVALUABLE


def test_spliceai_for_pp3_and_bp4() -> None:
    intronic = variant_input("intron_variant", tc={"hgvs_c": "c.149+30A>G"}, scores=scores(spliceai=0.5))
    assert assign_pp3(intronic, DEFAULT_CONFIG, {}).strength is S.SUPPORTING
    assert assign_bp4(intronic, DEFAULT_CONFIG, {}).status is Status.NOT_MET
    quiet = variant_input("intron_variant", scores=scores(spliceai=0.05))
    assert assign_bp4(quiet, DEFAULT_CONFIG, {}).status is Status.MET
    assert assign_pp3(quiet, DEFAULT_CONFIG, {}).status is Status.NOT_MET
    # missense predicted benign but splice-disrupting: BP4 is not applied, PP3 is (splicing)
    mixed = variant_input("missense_variant", scores=scores(revel=0.1, spliceai=0.3))
    assert assign_bp4(mixed, DEFAULT_CONFIG, {}).status is Status.NOT_MET
    assert assign_pp3(mixed, DEFAULT_CONFIG, {}).strength is S.SUPPORTING


def test_missense_bp4_without_splice_prediction_carries_a_caveat() -> None:
    e = assign_bp4(variant_input("missense_variant", scores=scores(revel=0.1)), DEFAULT_CONFIG, {})
    assert e.met and any("splicing" in c for c in e.caveats)


def test_pp3_not_added_to_pvs1() -> None:
    inp = variant_input("stop_gained", scores=scores(spliceai=0.9))
    done = {"PVS1": met("PVS1", "null")}
    assert assign_pp3(inp, DEFAULT_CONFIG, done).status is Status.NOT_MET


@pytest.mark.parametrize(
    ("terms", "hgvs_c", "spliceai", "status"),
    [
        (("synonymous_variant",), "c.150C>T", 0.02, Status.MET),
        (("synonymous_variant",), "c.150C>T", 0.15, Status.NOT_MET),
        (("synonymous_variant",), "c.150C>T", None, Status.NOT_EVALUABLE),
        (("intron_variant",), "c.149+7A>G", 0.01, Status.MET),
        (("intron_variant",), "c.149+6A>G", 0.01, Status.NOT_MET),
        (("intron_variant",), "c.150-21A>G", 0.01, Status.MET),
        (("intron_variant",), "c.150-20A>G", 0.01, Status.NOT_MET),
        (("missense_variant",), "c.150C>A", 0.01, Status.NOT_MET),
    ],
)
def test_bp7(terms: tuple[str, ...], hgvs_c: str, spliceai: float | None, status: Status) -> None:
    sc = scores(spliceai=spliceai) if spliceai is not None else ()
    inp = variant_input(*terms, tc={"hgvs_c": hgvs_c, "transcript": None}, scores=sc)
    assert assign_bp7(inp, DEFAULT_CONFIG, {}).status is status


def test_bp7_reads_the_intron_offset_from_the_transcript_model() -> None:
    inp = variant_input("intron_variant", pos=2130, scores=scores(spliceai=0.0))  # c.149+31
    e = assign_bp7(inp, DEFAULT_CONFIG, {})
    assert e.met and "+31" in e.explanation


@pytest.mark.parametrize(
    ("am", "pp3", "bp4"),
    [
        (0.995, S.STRONG, None),
        (0.990, S.STRONG, None),
        (0.95, S.MODERATE, None),
        (0.906, S.MODERATE, None),
        (0.80, S.SUPPORTING, None),
        (0.792, S.SUPPORTING, None),
        (0.5, None, None),
        (0.169, None, S.SUPPORTING),
        (0.10, None, S.SUPPORTING),
        (0.099, None, S.MODERATE),
    ],
)
def test_alphamissense_bands_when_no_revel(am: float, pp3: Strength | None, bp4: Strength | None) -> None:
    # Bergquist et al. 2025 (Genet Med 27:101402), AlphaMissense calibrated with the Pejaver method
    from vardesk.analysis.acmg import InSilicoScore

    inp = variant_input(
        "missense_variant", scores=(InSilicoScore("AlphaMissense", am, "2023"), *scores(spliceai=0.0))
    )
    p, b = assign_pp3(inp, DEFAULT_CONFIG, {}), assign_bp4(inp, DEFAULT_CONFIG, {"PP3": p_or(inp)})
    assert (p.strength if p.met else None) == pp3
    assert (b.strength if b.met else None) == bp4


def p_or(inp):  # type: ignore[no-untyped-def]
    return assign_pp3(inp, DEFAULT_CONFIG, {})


def test_revel_is_used_before_cadd_and_alphamissense() -> None:
    # Pejaver 2022: one tool chosen in advance; REVEL first, the others only without it
    from vardesk.analysis.acmg import InSilicoScore

    inp = variant_input(
        "missense_variant",
        scores=(*scores(revel=0.5, cadd=30.0), InSilicoScore("AlphaMissense", 0.999, "2023")),
    )
    assert assign_pp3(inp, DEFAULT_CONFIG, {}).status is Status.NOT_MET  # REVEL 0.5: no band
    no_revel = variant_input("missense_variant", scores=scores(cadd=28.1, spliceai=0.0))
    assert assign_pp3(no_revel, DEFAULT_CONFIG, {}).strength is S.MODERATE  # CADD >= 28.1


def test_bp4_never_with_pp3_and_never_for_a_null_variant() -> None:
    inp = variant_input("missense_variant", scores=scores(revel=0.1, spliceai=0.0))
    assert assign_bp4(inp, DEFAULT_CONFIG, {}).met
    fake_pp3 = met("PP3", "test", S.SUPPORTING)
    assert assign_bp4(inp, DEFAULT_CONFIG, {"PP3": fake_pp3}).status is Status.NOT_MET
    # Walker 2023 applies SpliceAI <= 0.1 to the splicing effect only: it says nothing against a stop
    stop = variant_input("stop_gained", scores=scores(spliceai=0.0))
    assert assign_bp4(stop, DEFAULT_CONFIG, {}).status is Status.NOT_MET
    synonymous = variant_input("synonymous_variant", scores=scores(spliceai=0.05))
    assert assign_bp4(synonymous, DEFAULT_CONFIG, {}).met
