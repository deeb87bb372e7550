"""PS2 / PM6 (ClinGen SVI de novo recommendation v1.1: points 2/1 for a highly specific phenotype,
1/0.5 otherwise; 0.5 supporting, 1 moderate, 2 strong), PM3 (SVI PM3 recommendation 2019, one
proband), PP1 (Jarvik & Browning 2016: 3 / 5 / 7 meioses), BP2 (Richards et al. 2015)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.analysis.acmg.builders import AR, gene, trio, variant_input
from vardesk.analysis.acmg import (
    DEFAULT_CONFIG,
    FamilyData,
    FamilyMember,
    Phase,
    PhasedVariant,
    PhenotypeMatch,
    Relation,
    Status,
    Strength,
)
from vardesk.analysis.acmg.family import assign_bp2, assign_pm3, assign_pm6, assign_pp1, assign_ps2

CFG = DEFAULT_CONFIG


def both(inp):  # type: ignore[no-untyped-def]
    return assign_ps2(inp, CFG, {}), assign_pm6(inp, CFG, {})


def test_confirmed_de_novo_is_ps2_and_assumed_is_pm6() -> None:
    ps2, pm6 = both(variant_input("missense_variant", family=trio()))
    assert (ps2.status, ps2.strength, pm6.status) == (Status.MET, Strength.STRONG, Status.NOT_MET)
    ps2, pm6 = both(variant_input("missense_variant", family=trio(confirmed=None)))
    assert (ps2.status, pm6.status, pm6.strength) == (Status.NOT_MET, Status.MET, Strength.MODERATE)


@pytest.mark.parametrize(
    ("confirmed", "specific", "code", "strength"),
    [
        (True, True, "PS2", Strength.STRONG),  # 2 points
        (True, False, "PS2", Strength.MODERATE),  # 1 point → PS2_Moderate
        (None, True, "PM6", Strength.MODERATE),  # 1 point
        (None, False, "PM6", Strength.SUPPORTING),  # 0.5 point → PM6_Supporting
    ],
)
def test_svi_de_novo_points(confirmed: bool | None, specific: bool, code: str, strength: Strength) -> None:
    ph = PhenotypeMatch(score=0.9, highly_specific=specific)
    inp = variant_input("missense_variant", family=trio(confirmed=confirmed), phenotype=ph)
    e = {"PS2": assign_ps2, "PM6": assign_pm6}[code](inp, CFG, {})
    assert (e.status, e.strength) == (Status.MET, strength)


def test_inherited_or_poorly_covered_parents() -> None:
    ps2, pm6 = both(variant_input("missense_variant", family=trio(mother=1)))
    assert ps2.status is Status.NOT_MET
    ps2, _ = both(variant_input("missense_variant", family=trio(depth=5)))
    assert ps2.status is Status.NOT_EVALUABLE
    no_father = trio(father=-1)
    assert both(variant_input("missense_variant", family=no_father))[0].status is Status.NOT_EVALUABLE
    assert both(variant_input("missense_variant"))[0].status is Status.NOT_EVALUABLE


def test_caller_supplied_de_novo_call_without_genotypes() -> None:
    fam = FamilyData(members=(), parentage_confirmed=True, de_novo=True)
    assert assign_ps2(variant_input("missense_variant", family=fam), CFG, {}).met


def _pm3(*phased: PhasedVariant, proband: int = 1, inheritance=AR):  # type: ignore[no-untyped-def]
    fam = trio(proband=proband, mother=1, father=0, phased_variants=phased)
    return assign_pm3(
        variant_input("missense_variant", family=fam, gene=gene(inheritance=inheritance)), CFG, {}
    )


def test_pm3_points() -> None:
    e = _pm3(PhasedVariant("v2", Phase.TRANS, "Pathogenic"))
    assert (e.status, e.strength) == (Status.MET, Strength.MODERATE)  # 1 point
    assert _pm3(PhasedVariant("v2", Phase.UNKNOWN, "Pathogenic")).strength is Strength.SUPPORTING  # 0.5
    assert _pm3(PhasedVariant("v2", Phase.TRANS, "Likely_pathogenic")).strength is Strength.SUPPORTING  # 0.5
    assert _pm3(PhasedVariant("v2", Phase.TRANS, "Uncertain significance")).status is Status.NOT_MET  # 0.25
    assert _pm3(PhasedVariant("v2", Phase.CIS, "Pathogenic")).status is Status.NOT_MET
    assert _pm3(proband=2).strength is Strength.SUPPORTING  # homozygous, 0.5
    assert _pm3(PhasedVariant("v2", Phase.TRANS, "Pathogenic"), inheritance=frozenset()).status is (
        Status.NOT_EVALUABLE
    )
    dominant = variant_input("missense_variant", family=trio())
    assert assign_pm3(dominant, CFG, {}).status is Status.NOT_MET
    assert assign_pm3(variant_input("missense_variant", gene=gene(inheritance=AR)), CFG, {}).status is (
        Status.NOT_EVALUABLE
    )


@pytest.mark.parametrize(
    ("meioses", "strength"),
    [
        (2, None),
        (3, Strength.SUPPORTING),
        (4, Strength.SUPPORTING),
        (5, Strength.MODERATE),
        (6, Strength.MODERATE),
        (7, Strength.STRONG),
    ],
)
def test_pp1_strength_by_meioses(meioses: int, strength: Strength | None) -> None:
    fam = FamilyData(members=(), informative_meioses=meioses)
    e = assign_pp1(variant_input("missense_variant", family=fam), CFG, {})
    assert (e.strength if e.met else None) == strength


def _pedigree(sib_carrier: bool = True) -> FamilyData:
    """Affected carrier grandmother → affected carrier mother → proband and two affected siblings."""
    gm = FamilyMember("gm", Relation.OTHER, affected=True, zygosity=1)
    mum = FamilyMember("mum", Relation.MOTHER, affected=True, zygosity=1, mother_id="gm")
    dad = FamilyMember("dad", Relation.FATHER, affected=False, zygosity=0)
    kids = [
        FamilyMember("p", Relation.PROBAND, affected=True, zygosity=1, mother_id="mum", father_id="dad"),
        FamilyMember("s1", Relation.SIBLING, affected=True, zygosity=1, mother_id="mum", father_id="dad"),
        FamilyMember(
            "s2",
            Relation.SIBLING,
            affected=True,
            zygosity=1 if sib_carrier else 0,
            mother_id="mum",
            father_id="dad",
        ),
    ]
    return FamilyData(members=(gm, mum, dad, *kids))


def test_pp1_counts_meioses_in_a_pedigree() -> None:
    # gm→mum, mum→p, mum→s1, mum→s2: four co-segregating meioses → supporting
    e = assign_pp1(variant_input("missense_variant", family=_pedigree()), CFG, {})
    assert (e.status, e.strength, e.thresholds["meioses"]) == (Status.MET, Strength.SUPPORTING, 4)
    assert (
        assign_pp1(variant_input("missense_variant", family=_pedigree(False)), CFG, {}).status
        is Status.NOT_MET
    )
    assert assign_pp1(variant_input("missense_variant"), CFG, {}).status is Status.NOT_EVALUABLE


def test_bp2() -> None:
    cis = trio(phased_variants=(PhasedVariant("v2", Phase.CIS, "Pathogenic"),))
    assert assign_bp2(variant_input("missense_variant", family=cis, gene=gene(inheritance=AR)), CFG, {}).met
    trans = trio(phased_variants=(PhasedVariant("v2", Phase.TRANS, "Pathogenic"),))
    full = variant_input("missense_variant", family=trans, gene=gene(fully_penetrant=True))
    assert assign_bp2(full, CFG, {}).met
    assert assign_bp2(replace(full, gene=gene(inheritance=AR, fully_penetrant=True)), CFG, {}).status is (
        Status.NOT_MET
    )
    assert assign_bp2(replace(full, gene=gene()), CFG, {}).status is Status.NOT_EVALUABLE
    assert (
        assign_bp2(variant_input("missense_variant", family=trio()), CFG, {}).status is Status.NOT_EVALUABLE
    )
