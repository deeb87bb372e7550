"""PVS1 against the ClinGen SVI decision tree (Abou Tayoun et al. 2018, Hum Mutat 39:1517, Figure 1).

The transcript is described in ``builders.five_exon_transcript``: 165 residues, a stop codon at
residue <= 100 is more than 50 nt upstream of the last exon-exon junction (NMD), from residue 101
on it escapes NMD.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.analysis.acmg.builders import consequence, five_exon_transcript, gene, variant_input
from vardesk.analysis.acmg import DEFAULT_CONFIG, GeneClinVarStats, Status, Strength, VariantCoordinates
from vardesk.analysis.acmg.inputs import DosageFacts, GeneConstraintFacts
from vardesk.analysis.acmg.null_variant import assign_pvs1


def pvs1(inp):  # type: ignore[no-untyped-def]
    return assign_pvs1(inp, DEFAULT_CONFIG, {})


@pytest.mark.parametrize(
    ("hgvs_p", "strength"),
    [
        ("p.(Arg50Ter)", Strength.VERY_STRONG),  # NMD predicted → PVS1
        ("p.(Arg100Ter)", Strength.VERY_STRONG),  # 51 nt upstream of the junction: still NMD
        ("p.(Arg101Ter)", Strength.STRONG),  # escapes NMD, 65/165 residues lost (> 10 %) → PVS1_Strong
        ("p.(Arg160Ter)", Strength.MODERATE),  # last exon, 6/165 residues lost (<= 10 %) → PVS1_Moderate
    ],
)
def test_nonsense_strength_follows_nmd_and_fraction_removed(hgvs_p: str, strength: Strength) -> None:
    e = pvs1(variant_input("stop_gained", tc={"hgvs_p": hgvs_p}))
    assert e.status is Status.MET
    assert e.strength is strength


def test_frameshift_nmd_is_decided_at_the_new_stop_codon() -> None:
    # first changed residue 40, stop at 44: NMD
    assert pvs1(variant_input("frameshift_variant", tc={"hgvs_p": "p.(Gly40AlafsTer5)"})).strength is (
        Strength.VERY_STRONG
    )
    # first changed residue 95 (would be NMD) but the new stop is residue 104: escapes NMD;
    # residues 95-165 altered = 43 % > 10 % → strong
    e = pvs1(variant_input("frameshift_variant", tc={"hgvs_p": "p.(Gly95AlafsTer10)"}))
    assert (e.status, e.strength) == (Status.MET, Strength.STRONG)


def test_escaping_variant_in_a_critical_region_is_strong() -> None:
    inp = variant_input(
        "stop_gained", tc={"hgvs_p": "p.(Arg160Ter)"}, gene=gene(critical_regions=((158, 165),))
    )
    e = pvs1(inp)
    assert e.strength is Strength.STRONG
    assert "critical region" in e.explanation


def test_lof_mechanism_unknown_caps_pvs1_at_supporting_and_false_is_not_met() -> None:
    # Abou Tayoun 2018, Fig. 1 first box: PVS1 only where LoF is a known mechanism. Unknown → at most
    # Supporting (project choice, docs/acmg.md), so it cannot move a variant out of VUS on its own.
    unknown = variant_input("stop_gained", tc={"hgvs_p": "p.(Arg50Ter)"}, gene=gene(lof_mechanism=None))
    e = pvs1(unknown)
    assert (e.status, e.strength) == (Status.MET, Strength.SUPPORTING)
    assert e.thresholds["lof_mechanism"] == "unknown" and e.thresholds["max_strength"] == "SUPPORTING"
    assert any("unknown" in c for c in e.caveats)
    assert pvs1(replace(unknown, gene=None)).strength is Strength.SUPPORTING
    no = variant_input("stop_gained", tc={"hgvs_p": "p.(Arg50Ter)"}, gene=gene(lof_mechanism=False))
    assert pvs1(no).status is Status.NOT_MET


HI3 = DosageFacts(3, 0, "ClinGen_gene_curation_list_GRCh38.tsv (2024-01-07)")


def test_clingen_haploinsufficiency_3_establishes_the_mechanism() -> None:
    # ClinGen dosage: HI score 3 = sufficient evidence for haploinsufficiency → the full tree
    inp = variant_input(
        "stop_gained", tc={"hgvs_p": "p.(Arg50Ter)"}, gene=gene(lof_mechanism=None, dosage=HI3)
    )
    e = pvs1(inp)
    assert e.strength is Strength.VERY_STRONG
    assert e.thresholds["lof_mechanism"] == "established"
    assert e.data_sources["ClinGen dosage"] == HI3.source


def test_clinvar_truncating_count_establishes_the_mechanism() -> None:
    stats = GeneClinVarStats(
        pathogenic_missense=0, benign_missense=0, pathogenic_truncating=5, version="2024-05"
    )
    inp = variant_input(
        "stop_gained", tc={"hgvs_p": "p.(Arg50Ter)"}, gene=gene(lof_mechanism=None, clinvar_stats=stats)
    )
    assert pvs1(inp).strength is Strength.VERY_STRONG
    fewer = replace(stats, pathogenic_truncating=4)
    inp = replace(inp, gene=gene(lof_mechanism=None, clinvar_stats=fewer))
    assert pvs1(inp).strength is Strength.SUPPORTING


@pytest.mark.parametrize(
    ("constraint", "strength"),
    [
        (GeneConstraintFacts(pli=0.2, loeuf=0.30, source="gnomAD v4.1"), Strength.MODERATE),  # LOEUF < 0.35
        (GeneConstraintFacts(pli=0.95, loeuf=0.60, source="gnomAD v4.1"), Strength.MODERATE),  # pLI >= 0.9
        (GeneConstraintFacts(pli=0.5, loeuf=0.35, source="gnomAD v4.1"), Strength.SUPPORTING),  # neither
        (GeneConstraintFacts(pli=None, loeuf=None, source="gnomAD v4.1"), Strength.SUPPORTING),
    ],
)
def test_constraint_alone_is_a_supporting_signal_capped_at_moderate(constraint, strength) -> None:  # type: ignore[no-untyped-def]
    # gnomAD LOEUF < 0.35 (Karczewski 2020) / pLI >= 0.9 (Lek 2016): intolerance, not a disease mechanism
    inp = variant_input(
        "stop_gained", tc={"hgvs_p": "p.(Arg50Ter)"}, gene=gene(lof_mechanism=None, constraint=constraint)
    )
    assert pvs1(inp).strength is strength


def test_cap_never_raises_a_weaker_branch() -> None:
    # last exon, 6/165 residues lost → Moderate in the tree; a Moderate cap leaves it Moderate
    c = GeneConstraintFacts(pli=1.0, loeuf=0.1, source="gnomAD v4.1")
    inp = variant_input(
        "stop_gained", tc={"hgvs_p": "p.(Arg160Ter)"}, gene=gene(lof_mechanism=None, constraint=c)
    )
    assert pvs1(inp).strength is Strength.MODERATE


def test_not_a_null_variant_and_irrelevant_exon_are_not_met() -> None:
    assert pvs1(variant_input("missense_variant")).status is Status.NOT_MET
    e = pvs1(
        variant_input("stop_gained", tc={"hgvs_p": "p.(Arg50Ter)", "exon_in_relevant_transcripts": False})
    )
    assert e.status is Status.NOT_MET


def test_no_transcript_model_is_not_evaluable() -> None:
    e = pvs1(variant_input("stop_gained", tc={"hgvs_p": "p.(Arg50Ter)", "transcript": None}))
    assert e.status is Status.NOT_EVALUABLE


@pytest.mark.parametrize(
    ("pos", "strength"),
    [
        (
            2101,
            Strength.VERY_STRONG,
        ),  # c.149+2: skipping exon 2 (100 coding nt) shifts the frame upstream → NMD
        (3099, Strength.STRONG),  # c.248+1: exon 3 (99 nt) skipped in frame, 20 % of the protein > 10 %
        (3998, Strength.STRONG),  # c.249-2: exon 4 (penultimate) skipped out of frame, escapes NMD, 50 % lost
    ],
)
def test_canonical_splice_sites(pos: int, strength: Strength) -> None:
    term = "splice_donor_variant" if pos in (2101, 3099) else "splice_acceptor_variant"
    e = pvs1(variant_input(term, pos=pos))
    assert (e.status, e.strength) == (Status.MET, strength)


def test_in_frame_skipping_of_a_small_exon_is_moderate() -> None:
    tx = five_exon_transcript(third_exon_end=3029)  # exon 3: 30 coding nt of 426 (7 %)
    e = pvs1(variant_input("splice_donor_variant", pos=3031, tc={"transcript": tx}))
    assert (e.status, e.strength) == (Status.MET, Strength.MODERATE)


def test_start_loss_branch() -> None:
    assert pvs1(variant_input("start_lost")).strength is Strength.SUPPORTING
    upstream = variant_input("start_lost", gene=gene(pathogenic_upstream_of_alternative_start=True))
    assert pvs1(upstream).strength is Strength.MODERATE
    alt = variant_input("start_lost", tc={"alternative_start_in_other_transcript": True})
    assert pvs1(alt).status is Status.NOT_MET


def test_deletions() -> None:
    whole = variant_input("transcript_ablation")
    assert pvs1(whole).strength is Strength.VERY_STRONG
    exon3 = replace(
        variant_input("exon_loss_variant"), variant=VariantCoordinates("1", 2950, "N", "<DEL>", end=3150)
    )
    e = pvs1(exon3)  # exon 3 deleted in frame: 99/495 = 20 % → strong
    assert (e.status, e.strength) == (Status.MET, Strength.STRONG)
    exon2 = replace(exon3, variant=VariantCoordinates("1", 1950, "N", "<DEL>", end=2150))
    assert pvs1(exon2).strength is Strength.VERY_STRONG  # out of frame upstream of the penultimate exon
    everything = replace(exon3, variant=VariantCoordinates("1", 900, "N", "<DEL>", end=6000))
    assert pvs1(everything).strength is Strength.VERY_STRONG


def test_records_rule_thresholds_and_lof_source() -> None:
    e = pvs1(variant_input("stop_gained", tc={"hgvs_p": "p.(Arg101Ter)"}))
    assert e.label == "PVS1_Strong"
    assert e.thresholds["min_fraction_removed"] == 0.10
    assert e.data_sources["lof_mechanism"] == "ClinGen HI 3"
    assert "loss of function" in e.rule


def test_consequence_helper_names_the_transcript() -> None:
    assert consequence("stop_gained").transcript_id.startswith("ENST")
