"""Phenotype match (hpo3) and the combined ranking."""

from __future__ import annotations

import pyhpo
import pytest

from vardesk.analysis.inheritance import Candidate, MemberCall
from vardesk.analysis.prioritise import (
    Family,
    Genotype,
    PrioritiseConfig,
    Rule,
    VariantCall,
    combine,
    from_candidates,
    phenotype_index,
    prioritise,
)
from vardesk.knowledge.hpo import hpo_ontology

SEIZURES = ["HP:0001250", "HP:0002133", "HP:0001263"]  # seizure, status epilepticus, global delay


def test_gene_annotated_to_the_terms_beats_an_unrelated_gene() -> None:
    m = phenotype_index().match(SEIZURES, ["SCN1A", "TYR"])
    assert m["SCN1A"].score > m["TYR"].score
    assert m["SCN1A"].gene_score == pytest.approx(1.0)  # all three terms annotate SCN1A
    shown = {t.query.id: t.shared.id for t in m["SCN1A"].matches}
    assert shown == {t: t for t in SEIZURES}
    assert m["SCN1A"].disease is not None and m["SCN1A"].disease.id.startswith("OMIM:")


def test_gene_score_is_hpo3_resnik_per_term_over_each_terms_own_information_content() -> None:
    hpo_ontology().load()
    for gene in ("TYR", "FBN1"):
        got = phenotype_index().match(SEIZURES, [gene])[gene].gene_score
        reference = hpo_ontology().gene_similarity(SEIZURES, gene, method="resnik", combine="query")
        own = {t: pyhpo.Ontology.hpo(int(t[3:])).information_content.gene for t in SEIZURES}
        expected = sum(m.score / own[m.query.id] for m in reference.matches) / len(SEIZURES)
        assert got == pytest.approx(expected, rel=1e-2)  # hpo3 keeps IC in float32


def test_unknown_gene_has_zero_phenotype_score() -> None:
    m = phenotype_index().match(SEIZURES, ["NOT_A_GENE"])
    assert m["NOT_A_GENE"].score == 0.0 and m["NOT_A_GENE"].matches == ()


def _case() -> list[VariantCall]:
    def v(gene: str, pos: int, csq: str) -> VariantCall:
        return VariantCall("1", pos, "C", "T", (gene,), csq, {"p": Genotype(1)}, 1e-4)

    # same burden for every gene: the phenotype decides; TYR and OCA2 tie on it
    return [v("TYR", 1, "stop_gained"), v("SCN1A", 2, "stop_gained"), v("OCA2", 3, "stop_gained")]


def test_combined_ranking_uses_the_phenotype_and_is_deterministic() -> None:
    fam = Family.solo("p")
    first = prioritise(_case(), fam, SEIZURES)
    assert first[0].gene == "SCN1A"
    assert [r.rank for r in first] == [1, 2, 3]
    again = prioritise(list(reversed(_case())), fam, SEIZURES)
    assert [(r.gene, r.score) for r in again] == [(r.gene, r.score) for r in first]
    burden_only = prioritise(_case(), fam)
    assert [r.gene for r in burden_only] == ["OCA2", "SCN1A", "TYR"]  # equal burden: by symbol
    fused = prioritise(_case(), fam, SEIZURES, PrioritiseConfig(rule=Rule.RANK_FUSION))
    assert fused[0].gene == "SCN1A"


def test_logistic_combination_by_hand() -> None:
    cfg = PrioritiseConfig(intercept=-1.0, phenotype_weight=2.0, burden_weight=0.5, burden_cap=10.0)
    assert combine(4.0, 0.5, cfg) == pytest.approx(1 / (1 + 2.718281828459045 ** -(-1 + 1 + 2)))
    assert combine(50.0, 0.0, cfg) == pytest.approx(1 / (1 + 2.718281828459045 ** -(-1 + 5)))  # capped
    assert combine(-3.0, None, cfg) == 0.0


def test_from_candidates_reads_calls_and_annotation() -> None:
    calls = {
        "kid": MemberCall("0/1", 1, True, 30, 99, False, None),
        "dad": MemberCall(None, 0, False, None, None, None, None),
        "mum": MemberCall("./.", -1, True, 0, 0, False, None),
    }
    c = Candidate(
        7,
        "2",
        100,
        "G",
        "A",
        "SCN1A",
        ("SCN1A",),
        calls,
        (),
        annotation={"consequence": "missense", "gnomad_af": 1e-4, "gnomad_af_grpmax": 3e-4, "revel": "0.8"},
    )
    (v,) = from_candidates([c], inhouse_af={7: 0.01})
    assert v.genotype("kid").zygosity == 1
    assert v.genotype("dad").zygosity == 0 and "dad" not in v.genotypes
    assert v.genotype("mum").zygosity == -1
    assert v.gnomad_af == pytest.approx(3e-4) and v.inhouse_af == 0.01
    assert v.in_silico == {"REVEL": 0.8} and v.key == 7


def test_unknown_terms_are_left_out_of_the_match_never_refused() -> None:
    with_unknown = phenotype_index().match([*SEIZURES, "HP:9999999"], ["SCN1A", "TYR"])
    plain = phenotype_index().match(SEIZURES, ["SCN1A", "TYR"])
    assert with_unknown["SCN1A"].score == pytest.approx(plain["SCN1A"].score)
    assert with_unknown["TYR"].score == pytest.approx(plain["TYR"].score)


def test_an_excluded_term_the_gene_is_annotated_with_lowers_its_match_moderately() -> None:
    # albinism-type terms excluded: TYR (oculocutaneous albinism) is annotated with them, SCN1A is not
    excluded = ["HP:0001022"]  # Albinism
    assert "TYR" in hpo_ontology().term_gene_symbols(1022)
    assert "SCN1A" not in hpo_ontology().term_gene_symbols(1022)
    terms = ["HP:0000486", "HP:0000639"]  # strabismus, nystagmus: both genes' diseases have eye signs
    plain = phenotype_index().match(terms, ["SCN1A", "TYR"])
    negated = phenotype_index().match(terms, ["SCN1A", "TYR"], excluded)
    assert negated["SCN1A"].score == pytest.approx(plain["SCN1A"].score)  # not annotated: untouched
    assert negated["SCN1A"].excluded == ()
    assert negated["TYR"].score < plain["TYR"].score
    assert [t.id for t in negated["TYR"].excluded] == excluded
    # moderate: at most half of one observed term's share per level, never below 0
    assert plain["TYR"].score - negated["TYR"].score <= 0.5 / len(terms) + 1e-9
    assert negated["TYR"].score >= 0
    # an excluded term also observed is ignored
    both = phenotype_index().match([*terms, "HP:0001022"], ["TYR"], excluded)
    assert both["TYR"].excluded == ()
