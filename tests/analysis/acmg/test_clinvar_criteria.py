"""PS1 / PM5 (Richards et al. 2015; ClinVar precedent P/LP with >= 1 star by default), PP2 / BP1,
protein-change parsing and the residue look-up over ClinVar annotation rows."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.analysis.acmg.builders import gene, variant_input
from vardesk.analysis.acmg import (
    DEFAULT_CONFIG,
    ClinVarResidueFacts,
    ClinVarVariantRef,
    GeneClinVarStats,
    ProteinChange,
    Status,
    clinvar_residue_facts,
    parse_protein_change,
)
from vardesk.analysis.acmg.clinvar_criteria import assign_bp1, assign_pm5, assign_pp2, assign_ps1
from vardesk.analysis.acmg.protein import frameshift_stop

CFG = DEFAULT_CONFIG


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("p.(Arg97Cys)", ProteinChange("R", 97, "C")),
        ("p.Arg97Cys", ProteinChange("R", 97, "C")),
        ("R97C", ProteinChange("R", 97, "C")),
        ("97R>97C", ProteinChange("R", 97, "C")),
        ("p.(Arg97Ter)", ProteinChange("R", 97, "*")),
        ("p.(Leu5=)", ProteinChange("L", 5, "=")),
        ("p.(Arg97ProfsTer23)", None),
        ("p.?", None),
        (None, None),
    ],
)
def test_parse_protein_change(text: str | None, expected: ProteinChange | None) -> None:
    assert parse_protein_change(text) == expected


def test_frameshift_stop_counts_from_the_first_changed_residue() -> None:
    # HGVS: p.Arg97ProfsTer23 — Pro97 is residue 1 of the new frame, the stop is the 23rd: residue 119
    assert frameshift_stop("p.(Arg97ProfsTer23)") == (97, 119)
    assert frameshift_stop("p.Arg97fs*?") == (97, None)


def ref(change: str, sig: str = "Pathogenic", stars: int | None = 2, vid: str = "100") -> ClinVarVariantRef:
    return ClinVarVariantRef(vid, change, sig, stars)


def residue_input(same=(), different=()):  # type: ignore[no-untyped-def]
    return variant_input(
        "missense_variant", clinvar_residue=ClinVarResidueFacts(tuple(same), tuple(different), "2024-05")
    )


def test_ps1_and_pm5() -> None:
    inp = residue_input(same=[ref("R97C")])
    ps1 = assign_ps1(inp, CFG, {})
    assert ps1.met and ps1.data_sources == {"ClinVar": "2024-05"}
    assert assign_pm5(inp, CFG, {"PS1": ps1}).status is Status.NOT_MET
    both = residue_input(same=[ref("R97C")], different=[ref("R97H")])
    assert assign_pm5(both, CFG, {"PS1": assign_ps1(both, CFG, {})}).status is Status.NOT_MET  # PS1 wins
    pm5 = residue_input(different=[ref("R97H", "Likely_pathogenic", 1)])
    assert assign_ps1(pm5, CFG, {}).status is Status.NOT_MET
    assert assign_pm5(pm5, CFG, {"PS1": assign_ps1(pm5, CFG, {})}).met


def test_precedent_needs_plp_and_stars() -> None:
    assert not assign_ps1(residue_input(same=[ref("R97C", stars=0)]), CFG, {}).met
    assert not assign_ps1(residue_input(same=[ref("R97C", "Uncertain_significance")]), CFG, {}).met
    relaxed = replace(CFG, clinvar_min_stars=0)
    assert assign_ps1(residue_input(same=[ref("R97C", stars=0)]), relaxed, {}).met


def test_not_missense_or_no_lookup() -> None:
    assert assign_ps1(variant_input("synonymous_variant"), CFG, {}).status is Status.NOT_MET
    assert assign_ps1(variant_input("missense_variant"), CFG, {}).status is Status.NOT_EVALUABLE
    assert assign_pm5(variant_input("missense_variant"), CFG, {}).status is Status.NOT_EVALUABLE


def test_clinvar_residue_facts_from_annotation_rows() -> None:
    rows = [
        # the variant itself: excluded
        {
            "chrom": "1",
            "pos": 2050,
            "ref": "C",
            "alt": "T",
            "gene_symbol": "GENE1",
            "protein_change": "97R>97C",
            "clinvar_significance": "Pathogenic",
            "clinvar_stars": 2,
            "clinvar_id": "1",
        },
        {
            "chrom": "1",
            "pos": 2051,
            "ref": "G",
            "alt": "T",
            "gene_symbol": "GENE1",
            "hgvs_p": "p.(Arg97Cys)",
            "clinvar_significance": "Likely_pathogenic",
            "clinvar_stars": 1,
            "clinvar_id": "2",
        },
        {
            "chrom": "1",
            "pos": 2050,
            "ref": "C",
            "alt": "A",
            "gene_symbol": "GENE1",
            "protein_change": "R97S",
            "clinvar_significance": "Pathogenic",
            "clinvar_stars": 3,
            "clinvar_id": "3",
        },
        {
            "chrom": "1",
            "pos": 2050,
            "ref": "C",
            "alt": "G",
            "gene_symbol": "GENE1",
            "protein_change": "R97*",
            "clinvar_significance": "Pathogenic",
            "clinvar_stars": 3,
            "clinvar_id": "4",
        },  # nonsense: not missense
        {
            "chrom": "1",
            "pos": 2080,
            "ref": "C",
            "alt": "G",
            "gene_symbol": "GENE1",
            "protein_change": "R98C",
            "clinvar_significance": "Pathogenic",
            "clinvar_stars": 3,
            "clinvar_id": "5",
        },  # other residue
        {
            "chrom": "2",
            "pos": 10,
            "ref": "C",
            "alt": "G",
            "gene_symbol": "OTHER",
            "protein_change": "R97C",
            "clinvar_significance": "Pathogenic",
            "clinvar_stars": 3,
            "clinvar_id": "6",
        },  # other gene
    ]
    facts = clinvar_residue_facts(
        rows,
        gene_symbol="GENE1",
        change=ProteinChange("R", 97, "C"),
        variant=("1", 2050, "C", "T"),
        version="2024-05",
    )
    assert [r.variant_id for r in facts.same_change] == ["2"]
    assert [r.variant_id for r in facts.different_change] == ["3"]
    assert facts.same_change[0].stars == 1


def stats(pm: int, bm: int, pt: int) -> GeneClinVarStats:
    return GeneClinVarStats(
        pathogenic_missense=pm, benign_missense=bm, pathogenic_truncating=pt, version="2024-05"
    )


def test_pp2_and_bp1() -> None:
    missense_gene = variant_input("missense_variant", gene=gene(clinvar_stats=stats(40, 2, 10)))
    assert assign_pp2(missense_gene, CFG, {}).met
    assert assign_bp1(missense_gene, CFG, {}).status is Status.NOT_MET
    many_benign = replace(missense_gene, gene=gene(clinvar_stats=stats(40, 30, 10)))
    assert assign_pp2(many_benign, CFG, {}).status is Status.NOT_MET
    truncating_gene = replace(missense_gene, gene=gene(clinvar_stats=stats(2, 20, 98)))
    assert assign_bp1(truncating_gene, CFG, {}).met
    assert assign_pp2(truncating_gene, CFG, {}).status is Status.NOT_MET
    assert assign_pp2(variant_input("missense_variant"), CFG, {}).status is Status.NOT_EVALUABLE
    assert assign_bp1(
        variant_input("stop_gained", gene=gene(clinvar_stats=stats(2, 20, 98))), CFG, {}
    ).status is (Status.NOT_MET)
