"""Gene ranking in a case's analysis: what is stored per run, what a re-run reports, what ACMG reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from vardesk.analysis.inheritance import Candidate, MemberCall
from vardesk.analysis.pedigree import Member, Pedigree
from vardesk.analysis.prioritise import Family, Genotype, VariantCall, prioritise
from vardesk.app.cases.case_analysis import family_data
from vardesk.app.cases.prioritisation import (
    DEFAULT_PAGE,
    acmg_phenotypes,
    excluded_ids,
    family_terms,
    hpo_ids,
    ranking_doc,
    ranking_page,
    variant_priority,
    what_moved,
)
from vardesk.domain.enums import Affected, Relation, Sex
from vardesk.domain.errors import Invalid

HET, HOM = Genotype(1, "0/1"), Genotype(2, "1/1")


def _solo_calls() -> list[VariantCall]:
    return [
        VariantCall("1", 100, "C", "T", ("FBN1",), "stop_gained", {"proband": HET}, gnomad_af=None),
        VariantCall("2", 200, "G", "A", ("TTN",), "missense_variant", {"proband": HET}, gnomad_af=0.004),
        VariantCall("3", 300, "A", "G", ("CFTR",), "missense_variant", {"proband": HOM}, gnomad_af=0.0001),
    ]


def test_ranking_doc_explains_every_gene() -> None:
    ranked = prioritise(_solo_calls(), Family.solo(), ["HP:0001166", "HP:0001519"])  # arachnodactyly, tall
    docs = ranking_doc(ranked)
    assert [d["rank"] for d in docs] == list(range(1, len(docs) + 1))
    assert docs[0]["gene"] == "FBN1"  # a novel stop-gain in the gene of Marfan syndrome
    for d in docs:
        assert sum(t["value"] for t in d["burden"]["terms"]) == pytest.approx(d["burden"]["score"], abs=1e-3)
        assert d["burden"]["variants"] and d["phenotype"] is not None
    assert {m["term"]["id"] for m in docs[0]["phenotype"]["matched"]} <= {"HP:0001166", "HP:0001519"}
    assert docs[0]["phenotype"]["disease"]["id"].startswith("OMIM:")
    # FBN1's dominant stop-gain is explained by a dominant disease (Marfan syndrome and its relatives)
    assert docs[0]["explanation"]["fit"] == "AGREES" and "AD" in docs[0]["explanation"]["modes"]
    priority = variant_priority(ranked)
    assert priority["FBN1"]["rank"] == 1 and priority["FBN1"]["model"] == "DOMINANT"
    pheno = acmg_phenotypes(ranked, "2025-05-06")
    assert pheno["FBN1"].score == ranked[0].phenotype.score and pheno["FBN1"].version == "2025-05-06"
    assert set(pheno["FBN1"].matched_terms) <= {"HP:0001166", "HP:0001519"}


def test_without_terms_no_phenotype_is_claimed() -> None:
    ranked = prioritise(_solo_calls(), Family.solo(), [])
    assert all(d["phenotype"] is None for d in ranking_doc(ranked))
    assert acmg_phenotypes(ranked, None) == {}


def test_what_moved_reports_rank_changes_in_the_top() -> None:
    before = [{"gene": g, "rank": i} for i, g in enumerate(["A", "B", "C", "D"], 1)]
    after = [{"gene": g, "rank": i} for i, g in enumerate(["C", "A", "B", "E"], 1)]
    moved = what_moved(before, after, top=3)
    assert moved["top_changed"] is True and moved["top"] == "C"
    assert moved["moved"] == [
        {"gene": "C", "from": 3, "to": 1},
        {"gene": "A", "from": 1, "to": 2},
        {"gene": "B", "from": 2, "to": 3},
    ]
    assert what_moved(before, before)["moved"] == [] and what_moved(before, before)["top_changed"] is False
    first = what_moved([], after)
    assert first["top"] == "C" and {m["gene"] for m in first["moved"]} == {"A", "B", "C", "E"}


def test_hpo_ids_keep_observed_terms_once() -> None:
    terms = [
        {"id": "HP:0001250", "name": "Seizure"},
        {"id": "HP:0001263", "excluded": True},
        {"id": "HP:0000252", "status": "NOT_OBSERVED"},
        "HP:0001250",
        "HP:0004322",
    ]
    assert hpo_ids(terms) == ["HP:0001250", "HP:0004322"]
    assert excluded_ids(terms) == ["HP:0001263", "HP:0000252"]


def test_family_terms_are_the_union_of_the_affected_members_terms() -> None:
    proband = [{"id": "HP:0001250"}, {"id": "HP:0001263", "excluded": True}, {"id": "HP:0000252"}]
    sister = [
        {"id": "HP:0001263"},
        {"id": "HP:0004322"},
        {"id": "HP:0000252"},
        {"id": "HP:0002133", "excluded": True},
    ]
    used = family_terms(proband, [sister])
    assert used.observed == ["HP:0001250", "HP:0000252", "HP:0001263", "HP:0004322"]
    # the proband's excluded term is observed in the sister: no longer counted as excluded
    assert used.excluded == ["HP:0002133"]
    assert family_terms(proband).observed == ["HP:0001250", "HP:0000252"]


def test_a_ranking_is_stored_whole_and_read_in_pages() -> None:
    calls = [
        VariantCall("1", 1000 + i, "C", "T", (f"G{i:04d}",), "stop_gained", {"proband": HET}, gnomad_af=None)
        for i in range(620)
    ]
    docs = ranking_doc(prioritise(calls, Family.solo(), []))
    assert len(docs) == 620  # no cap at 500
    page = ranking_page(docs, skip=600, limit=50)
    assert (page.total, page.skip, page.limit) == (620, 600, 50)
    assert [g["rank"] for g in page.genes] == list(range(601, 621))
    assert len(ranking_page(docs).genes) == DEFAULT_PAGE and ranking_page(docs, 700, 5).genes == []
    with pytest.raises(Invalid):
        ranking_page(docs, -1, 5)


def _call(zygosity: int, gt: str, dp: int | None = 30) -> MemberCall:
    return MemberCall(gt=gt, zygosity=zygosity, called=True, dp=dp, gq=60, phased=False, phase_set=None)


def _trio(tmp_path: Path) -> tuple[Pedigree, dict[str, str]]:
    ped = Pedigree(
        members=(
            Member("kid", Sex.FEMALE, Affected.AFFECTED, "dad", "mum", tmp_path / "k.parquet"),
            Member("dad", Sex.MALE, Affected.UNAFFECTED, genotypes=tmp_path / "d.parquet"),
            Member("mum", Sex.FEMALE, Affected.UNAFFECTED, genotypes=tmp_path / "m.parquet"),
        ),
        proband="kid",
    )
    return ped, {"kid": "PROBAND", "dad": "FATHER", "mum": "MOTHER"}


def test_family_data_for_acmg_reads_the_trio(tmp_path: Path) -> None:
    ped, relations = _trio(tmp_path)
    de_novo = Candidate(1, "1", 100, "C", "T", "FBN1", ("FBN1",), {"kid": _call(1, "0/1")}, ())
    fam = family_data(ped, relations, de_novo)
    assert fam is not None and fam.parentage_confirmed is None
    kid, dad, mum = fam.members
    assert (kid.relation, kid.zygosity, kid.affected, kid.depth) == (Relation.PROBAND, 1, True, 30)
    assert (dad.relation, dad.zygosity, dad.affected, dad.depth) == (Relation.FATHER, 0, False, None)
    assert (mum.relation, mum.sex) == (Relation.MOTHER, Sex.FEMALE) and kid.father_id == "dad"
    inherited = Candidate(
        2, "1", 200, "G", "A", "FBN1", ("FBN1",), {"kid": _call(1, "0/1"), "mum": _call(1, "0/1")}, ()
    )
    assert family_data(ped, relations, inherited).members[2].zygosity == 1  # type: ignore[union-attr]
    solo = Pedigree(members=(Member("kid", genotypes=tmp_path / "k.parquet"),), proband="kid")
    assert family_data(solo, {"kid": "PROBAND"}, de_novo) is None  # one genome: no family evidence


def test_family_data_phases_the_probands_other_variants_of_the_gene_for_pm3(tmp_path: Path) -> None:
    # ClinGen SVI PM3 v1.0 (2019), Table 1: in trans with a pathogenic variant 1 point (PM3 moderate);
    # phase from the parents: one variant from each → trans, both from one parent → cis
    ped, relations = _trio(tmp_path)
    het = _call(1, "0/1")
    from_mum = Candidate(1, "7", 100, "C", "T", "CFTR", ("CFTR",), {"kid": het, "mum": het}, ())
    pathogenic = {"clinvar_significance": "Pathogenic", "clinvar_stars": 3}
    from_dad = Candidate(
        2, "7", 200, "G", "A", "CFTR", ("CFTR",), {"kid": het, "dad": het}, (), annotation=pathogenic
    )
    also_mum = Candidate(3, "7", 300, "A", "G", "CFTR", ("CFTR",), {"kid": het, "mum": het}, ())
    other_gene = Candidate(4, "1", 100, "A", "G", "FBN1", ("FBN1",), {"kid": het, "dad": het}, ())
    fam = family_data(ped, relations, from_mum, [from_mum, from_dad, also_mum, other_gene])
    assert fam is not None
    got = {p.variant_id: (p.phase.value, p.classification) for p in fam.phased_variants}
    assert got == {"7-200-G-A": ("trans", "Pathogenic"), "7-300-A-G": ("cis", "Uncertain significance")}
    # without the father sequenced the phase is unknown, never guessed from his absence
    duo = Pedigree(
        members=(
            Member("kid", Sex.FEMALE, Affected.AFFECTED, None, "mum", tmp_path / "k.parquet"),
            Member("mum", Sex.FEMALE, Affected.UNAFFECTED, genotypes=tmp_path / "m.parquet"),
        ),
        proband="kid",
    )
    fam = family_data(duo, {"kid": "PROBAND", "mum": "MOTHER"}, from_mum, [from_mum, from_dad])
    assert fam is not None and [p.phase.value for p in fam.phased_variants] == ["unknown"]
