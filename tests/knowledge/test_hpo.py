"""HPO validation, hierarchy, annotations and similarity against the ontology hpo3 ships."""

from __future__ import annotations

import re
import threading
from importlib.metadata import PackageNotFoundError, distribution

import pytest

from vardesk.domain.errors import Invalid, NotFound
from vardesk.knowledge.hpo import (
    NOT_AN_HPO_ID,
    HpoOntology,
    HpoTerm,
    check_phenotype_ids,
    hpo_backend,
    hpo_id,
    hpo_number,
    hpo_ontology,
    is_hpo_id,
)

SEIZURE = "HP:0001250"
GDD = "HP:0001263"
# Obsolete in the HPO release hpo3 ships: "Clitoromegaly" was merged into "Clitoral hypertrophy".
OBSOLETE, REPLACEMENT = "HP:0000057", "HP:0008665"
# Obsolete without a replacement ("Abnormality of globe location or size").
OBSOLETE_NO_REPLACEMENT = "HP:0000489"
# Epileptic encephalopathy phenotype of a Dravet syndrome patient.
DRAVET_PATIENT = [SEIZURE, GDD, "HP:0002133", "HP:0011097"]


@pytest.fixture(scope="module")
def hpo() -> HpoOntology:
    return hpo_ontology()


def test_the_pyhpo_import_is_hpo3_not_the_pure_python_package() -> None:
    assert hpo_backend() == "hpo3"
    with pytest.raises(PackageNotFoundError):
        distribution("pyhpo")


def test_provenance_reports_the_hpo_release_and_load_time(hpo: HpoOntology) -> None:
    prov = hpo.provenance()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", prov.hpo_version)
    assert prov.library.startswith("hpo3 ")
    assert 0 < prov.load_seconds < 60
    assert hpo.load() == prov.load_seconds  # loaded once per process


def test_concurrent_first_use_loads_once(hpo: HpoOntology) -> None:
    names: list[str] = []
    threads = [threading.Thread(target=lambda: names.append(hpo.term(SEIZURE).name)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert names == ["Seizure"] * 8


def test_validate_terms_resolves_real_ids_with_names(hpo: HpoOntology) -> None:
    terms = hpo.validate_terms([SEIZURE, GDD, SEIZURE])
    assert terms == [HpoTerm(SEIZURE, "Seizure"), HpoTerm(GDD, "Global developmental delay")]
    assert not any(t.replaced for t in terms)
    assert terms[0].as_dict() == {"id": SEIZURE, "name": "Seizure", "source": "HPO"}


def test_obsolete_id_maps_to_its_replacement_and_says_so(hpo: HpoOntology) -> None:
    [term] = hpo.validate_terms([OBSOLETE])
    assert term.id == REPLACEMENT
    assert term.name == "Clitoral hypertrophy"
    assert term.requested == OBSOLETE and term.replaced
    # asking for the old and the new id yields the term once
    assert hpo.validate_terms([OBSOLETE, REPLACEMENT]) == [term]


def test_every_invalid_id_is_listed(hpo: HpoOntology) -> None:
    with pytest.raises(Invalid) as err:
        hpo.validate_terms([SEIZURE, "HP:9999999", "HP:1250", OBSOLETE_NO_REPLACEMENT, "seizure", GDD])
    assert err.value.details["unknown"] == ["HP:9999999", "HP:1250", OBSOLETE_NO_REPLACEMENT, "seizure"]
    reasons = err.value.details["reasons"]
    assert reasons["HP:9999999"] == "unknown HPO term"
    assert "not an HPO term id" in reasons["HP:1250"]
    assert "no replacement" in reasons[OBSOLETE_NO_REPLACEMENT]
    assert "HP:9999999" in err.value.message and "4 invalid" in err.value.message


def test_alternative_ids_resolve_through_a_supplied_map() -> None:
    # hpo3 ships no alt_id lines; HP:0001703 is a well-formed id that is no term in its release
    hpo = HpoOntology(alt_ids={"HP:0001703": SEIZURE})
    [term] = hpo.validate_terms(["HP:0001703"])
    assert term == HpoTerm(SEIZURE, "Seizure", requested="HP:0001703")
    with pytest.raises(Invalid):
        hpo_ontology().validate_terms(["HP:0001703"])


def test_term_hierarchy(hpo: HpoOntology) -> None:
    assert hpo.term(SEIZURE).name == "Seizure"
    with pytest.raises(NotFound):
        hpo.term("HP:9999999")
    ancestors = {t.id for t in hpo.ancestors(SEIZURE)}
    assert {"HP:0000001", "HP:0000118", "HP:0000707", "HP:0012638"} <= ancestors
    assert SEIZURE not in ancestors
    assert [t.id for t in hpo.parents(SEIZURE)] == ["HP:0012638"]
    assert hpo.is_descendant(SEIZURE, "HP:0000707")  # abnormality of the nervous system
    assert not hpo.is_descendant("HP:0000707", SEIZURE)
    assert not hpo.is_descendant(SEIZURE, SEIZURE)
    assert not hpo.is_descendant(SEIZURE, "HP:0000478")  # abnormality of the eye
    assert hpo.is_descendant(OBSOLETE, "HP:0000118")  # through its replacement


def test_gene_annotations(hpo: HpoOntology) -> None:
    scn1a = hpo.gene("SCN1A")
    assert scn1a.entrez_id == 6323 and hpo.gene(6323) == scn1a
    assert scn1a in hpo.genes_for_term(SEIZURE)
    assert scn1a not in hpo.genes_for_term("HP:0000556")  # retinal dystrophy
    terms = {t.id for t in hpo.terms_for_gene("SCN1A")}
    assert SEIZURE in terms or any(hpo.is_descendant(t, SEIZURE) for t in terms)
    with pytest.raises(NotFound):
        hpo.terms_for_gene("NOT-A-GENE")


def test_disease_annotations(hpo: HpoOntology) -> None:
    dravet = hpo.disease("OMIM:607208")
    assert "Dravet" in dravet.name
    assert dravet in hpo.diseases_for_term(SEIZURE)
    assert GDD in {t.id for t in hpo.terms_for_disease("OMIM:607208")}
    assert all(d.id.startswith(("OMIM:", "ORPHA:")) for d in hpo.diseases_for_term(GDD))
    assert any(d.id.startswith("ORPHA:") for d in hpo.diseases_for_term(SEIZURE))
    with pytest.raises(Invalid):
        hpo.disease("MONDO:0100135")
    ranked = hpo.diseases_for_terms(DRAVET_PATIENT, limit=50)
    assert ranked[0][1] == 4 and all(a[1] >= b[1] for a, b in zip(ranked, ranked[1:], strict=False))


@pytest.mark.parametrize("combine", ["query", "funSimAvg", "funSimMax", "BMA"])
def test_seizure_patient_matches_scn1a_better_than_unrelated_genes(hpo: HpoOntology, combine: str) -> None:
    scn1a = hpo.gene_similarity(DRAVET_PATIENT, "SCN1A", combine=combine)  # type: ignore[arg-type]
    for unrelated in ("RHO", "CFTR", "FBN1"):
        other = hpo.gene_similarity(DRAVET_PATIENT, unrelated, combine=combine)  # type: ignore[arg-type]
        assert scn1a.score > other.score * 2, (unrelated, scn1a.score, other.score)
    assert scn1a.hpo_version == hpo.version and scn1a.kind == "gene" and scn1a.method == "resnik"


def test_similarity_reports_the_best_matching_pairs(hpo: HpoOntology) -> None:
    result = hpo.gene_similarity(DRAVET_PATIENT, "SCN1A")
    assert [m.query.id for m in result.matches] != [] and len(result.matches) == len(DRAVET_PATIENT)
    assert {m.query.id for m in result.matches} == set(DRAVET_PATIENT)
    gene_terms = {t.id for t in hpo.terms_for_gene("SCN1A")}
    assert all(m.target.id in gene_terms for m in result.matches)
    assert [m.score for m in result.matches] == sorted((m.score for m in result.matches), reverse=True)
    # the one-sided score is the mean of the best matches
    assert result.score == pytest.approx(sum(m.score for m in result.matches) / len(result.matches))
    # a term the gene is annotated with matches itself
    exact = [m for m in result.matches if m.query.id in gene_terms]
    assert exact and all(m.target.id == m.query.id for m in exact)


def test_set_similarity_and_disease_similarity(hpo: HpoOntology) -> None:
    same = hpo.similarity([SEIZURE, GDD], [SEIZURE, GDD], combine="funSimAvg")
    far = hpo.similarity([SEIZURE, GDD], ["HP:0000556"], combine="funSimAvg")
    assert same.score > far.score
    dravet = hpo.disease_similarity(DRAVET_PATIENT, "OMIM:607208")
    cf = hpo.disease_similarity(DRAVET_PATIENT, "OMIM:219700")  # cystic fibrosis
    assert dravet.kind == "omim" and dravet.score > cf.score
    assert hpo.similarity([SEIZURE], []).score == 0.0
    with pytest.raises(Invalid):
        hpo.similarity(["HP:9999999"], [SEIZURE])
    with pytest.raises(Invalid):
        hpo.similarity([SEIZURE], [GDD], combine="nope")  # type: ignore[arg-type]


def test_hpo_ids_are_read_and_written_in_one_place() -> None:
    assert is_hpo_id(SEIZURE) and hpo_number(SEIZURE) == 1250 and hpo_id(1250) == SEIZURE
    for bad in ("HP:1250", "hp:0001250", "HP:00012500", " HP:0001250", "HP:0001250\n", "HPO:0001250", ""):
        assert not is_hpo_id(bad), bad
        with pytest.raises(Invalid, match=re.escape(NOT_AN_HPO_ID)):
            hpo_number(bad)
    assert check_phenotype_ids([" HP:0001250 ", {"id": GDD, "name": "x"}]) == [SEIZURE, GDD]
    with pytest.raises(Invalid) as err:
        check_phenotype_ids([SEIZURE, {"id": "HP:1"}, "nonsense"])
    assert err.value.message == "phenotype 'HP:1' is not an HPO term id (HP:0000000)"


def test_term_numbers_give_the_annotations_scoring_reads(hpo: HpoOntology) -> None:
    n = hpo_number(SEIZURE)
    assert hpo.term_name(n) == "Seizure"
    assert "SCN1A" in hpo.term_gene_symbols(n)
    assert {g.symbol for g in hpo.genes_for_term(SEIZURE)} == hpo.term_gene_symbols(n)
    dravet = 607208
    assert dravet in hpo.term_omim_ids(n)
    ancestors = hpo.term_ancestor_numbers(n)
    assert ancestors == tuple(sorted(hpo_number(t.id) for t in hpo.ancestors(SEIZURE))) and 1 in ancestors
    genes = dict(hpo.gene_annotations())
    assert n in genes["SCN1A"] or any(hpo.is_descendant(hpo_id(t), SEIZURE) for t in genes["SCN1A"])
    omim = {d: (name, terms) for d, name, terms in hpo.omim_annotations()}
    assert omim[dravet][0] == hpo.disease(f"OMIM:{dravet}").name
    assert {hpo_id(t) for t in omim[dravet][1]} == {t.id for t in hpo.terms_for_disease(f"OMIM:{dravet}")}


def test_resolve_terms_keeps_what_the_release_cannot_use_instead_of_refusing(hpo: HpoOntology) -> None:
    # a real obsolete term of the shipped release, found by reading it (not a hard-coded id)
    import pyhpo

    obsolete = next(t for t in pyhpo.Ontology if t.is_obsolete and t.replaced_by)
    resolved = hpo.resolve_terms([obsolete.id, SEIZURE, "HP:9999999", OBSOLETE_NO_REPLACEMENT])
    first = resolved.terms[0]
    assert first.id == obsolete.replaced_by and first.requested == obsolete.id and first.replaced
    assert [t.id for t in resolved.terms[1:]] == [SEIZURE]
    # a term newer than the release and an obsolete one without a replacement: kept as unknown, with why
    assert resolved.unknown == {
        "HP:9999999": "unknown HPO term",
        OBSOLETE_NO_REPLACEMENT: hpo.resolve_terms([OBSOLETE_NO_REPLACEMENT]).unknown[
            OBSOLETE_NO_REPLACEMENT
        ],
    }
    assert "no replacement" in resolved.unknown[OBSOLETE_NO_REPLACEMENT]
    with pytest.raises(Invalid):  # the strict form still refuses them
        hpo.validate_terms(["HP:9999999"])


def test_hpo3_ships_no_alt_ids_so_an_alternative_id_is_unknown_without_a_map(hpo: HpoOntology) -> None:
    # hpo3 1.5.1 has no alt_id attribute and no hp.obo in its wheel; a supplied map resolves them
    import pyhpo

    assert not hasattr(pyhpo.Ontology.hpo(1250), "alt_id")
    assert hpo.resolve_terms(["HP:0001703"]).unknown == {"HP:0001703": "unknown HPO term"}
    mapped = HpoOntology(alt_ids={"HP:0001703": SEIZURE}).resolve_terms(["HP:0001703"])
    assert mapped.terms == (HpoTerm(SEIZURE, "Seizure", requested="HP:0001703"),) and not mapped.unknown
