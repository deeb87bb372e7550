"""Modes of inheritance: per-model burdens, disease modes and the mode-aware LOGISTIC ranking."""

from __future__ import annotations

import math

import pytest

from vardesk.analysis.prioritise import (
    Family,
    GeneBurden,
    Genotype,
    Model,
    PhenotypeMatch,
    PrioritiseConfig,
    VariantCall,
    combine,
    phenotype_index,
    rank_genes,
    score_genes,
)
from vardesk.analysis.prioritise.modes import allowed_models, modes_of
from vardesk.analysis.prioritise.phenotype import GENE_SHARE, DiseaseMatch
from vardesk.analysis.prioritise.rank import ModeFit, explanations
from vardesk.domain.enums import Inheritance, Sex
from vardesk.knowledge.hpo import DiseaseRef

AD, AR = Inheritance.AUTOSOMAL_DOMINANT, Inheritance.AUTOSOMAL_RECESSIVE
XLD, XLR = Inheritance.X_LINKED_DOMINANT, Inheritance.X_LINKED_RECESSIVE


def test_modes_of_inheritance_terms_and_the_models_they_allow() -> None:
    assert modes_of([6, 118, 1250]) == {AD}  # phenotype terms are ignored
    assert modes_of([7, 1419]) == {AR, XLR}
    assert allowed_models([AR]) == {Model.RECESSIVE_HOMOZYGOUS, Model.COMPOUND_HETEROZYGOUS}
    assert allowed_models([AD]) == {Model.DE_NOVO, Model.DOMINANT}
    assert Model.DOMINANT in allowed_models([XLD])  # type: ignore[operator]
    assert Model.DOMINANT not in allowed_models([XLR])  # type: ignore[operator]
    assert allowed_models([]) is None  # unknown: every model


def test_disease_modes_come_from_the_hpo_annotations() -> None:
    index = phenotype_index()
    assert index.disease_modes(219700) == {AR}  # cystic fibrosis
    assert index.disease_modes(154700) == {AD}  # Marfan syndrome
    m = index.match(["HP:0002110", "HP:0006528", "HP:0001508"], ["CFTR"])["CFTR"]
    assert m.diseases[0].disease.id == "OMIM:219700" and m.diseases[0].modes == {AR}
    assert [d.score for d in m.diseases] == sorted((d.score for d in m.diseases), reverse=True)
    assert len({d.modes for d in m.diseases}) == len(m.diseases)  # one disease per set of modes


def test_burden_keeps_the_best_explanation_of_every_model() -> None:
    def het(pos: int) -> VariantCall:
        return VariantCall("1", pos, "C", "T", ("G",), "stop_gained", {"p": Genotype(1)}, None)

    b = score_genes([het(1), het(2)], Family.solo("p", Sex.FEMALE))["G"]
    one = -math.log(2e-5 * (1 - 1e-5))  # a novel LoF het
    assert b.model is Model.COMPOUND_HETEROZYGOUS
    assert b.score == pytest.approx(2 * one - math.log(2))  # phase not proven in a solo
    assert [x.model for x in b.by_model] == [Model.COMPOUND_HETEROZYGOUS, Model.DOMINANT]
    dominant = b.under({Model.DOMINANT, Model.DE_NOVO})
    assert dominant is not None and dominant.score == pytest.approx(one)
    assert dominant.variants == ("1:1C>T",)
    assert b.under({Model.RECESSIVE_HOMOZYGOUS}) is None
    assert b.under(None) is b


def _burden(gene: str, *options: tuple[Model, float]) -> GeneBurden:
    by_model = tuple(GeneBurden(gene, s, m, (f"{gene}:{m}",), ()) for m, s in options)
    return GeneBurden(gene, by_model[0].score, by_model[0].model, by_model[0].variants, (), by_model)


def _phenotype(gene: str, score: float, *modes: Inheritance) -> PhenotypeMatch:
    d = DiseaseMatch(DiseaseRef(f"OMIM:{len(gene)}", gene), score, frozenset(modes), ())
    return PhenotypeMatch(gene, score, score, score, d.disease, (), (d,))


def test_a_single_hit_in_a_gene_of_a_recessive_disease_loses_to_a_dominant_fit() -> None:
    burdens = {"REC": _burden("REC", (Model.DOMINANT, 12.0)), "DOM": _burden("DOM", (Model.DOMINANT, 10.0))}
    phen = {"REC": _phenotype("REC", 0.9, AR), "DOM": _phenotype("DOM", 0.85, AD)}
    ranked = rank_genes(burdens, phen)
    assert [r.gene for r in ranked] == ["DOM", "REC"]
    assert ranked[0].mode is ModeFit.AGREES and ranked[1].mode is ModeFit.CONFLICTS
    assert ranked[1].disease is not None and ranked[1].disease.modes == {AR}
    cfg = PrioritiseConfig()
    z = cfg.intercept + cfg.phenotype_weight * 0.9 + cfg.burden_weight * 12 + cfg.mode_conflict_weight
    assert ranked[1].score == pytest.approx(1 / (1 + math.exp(-z)))
    # without the conflict term the better phenotype and burden win
    blind = rank_genes(burdens, phen, PrioritiseConfig(mode_conflict_weight=0.0))
    assert [r.gene for r in blind] == ["REC", "DOM"]


def test_the_explanation_uses_the_model_the_disease_allows() -> None:
    b = _burden("G", (Model.COMPOUND_HETEROZYGOUS, 20.0), (Model.DOMINANT, 11.0))
    best = explanations(b, _phenotype("G", 0.8, AD), PrioritiseConfig())[0]
    assert best.mode is ModeFit.AGREES and best.burden.model is Model.DOMINANT
    assert best.burden.score == 11.0 and best.burden.variants == ("G:DOMINANT",)
    ranked = rank_genes({"G": b}, {"G": _phenotype("G", 0.8, AD)})
    assert ranked[0].burden.model is Model.DOMINANT  # the burden shown is the one ranked
    # the same gene for a recessive disease: the pair
    rec = explanations(b, _phenotype("G", 0.8, AR), PrioritiseConfig())[0]
    assert rec.mode is ModeFit.AGREES and rec.burden.model is Model.COMPOUND_HETEROZYGOUS
    # no stated mode: any model, flagged unknown
    unknown = explanations(b, _phenotype("G", 0.8), PrioritiseConfig())[0]
    assert unknown.mode is ModeFit.UNKNOWN and unknown.burden.model is Model.COMPOUND_HETEROZYGOUS


def test_biallelic_models_weigh_the_burden_by_their_own_coefficient() -> None:
    cfg = PrioritiseConfig(
        intercept=-1.0, phenotype_weight=2.0, burden_weight=0.5, biallelic_burden_weight=0.25
    )
    one_hit = combine(8.0, 0.5, cfg, model=Model.DE_NOVO)
    two_hits = combine(8.0, 0.5, cfg, model=Model.COMPOUND_HETEROZYGOUS)
    assert one_hit == pytest.approx(1 / (1 + math.exp(-(-1 + 1 + 4))))
    assert two_hits == pytest.approx(1 / (1 + math.exp(-(-1 + 1 + 2))))
    conflict = combine(8.0, 0.5, cfg, ModeFit.CONFLICTS, Model.DE_NOVO)
    assert conflict == pytest.approx(1 / (1 + math.exp(-(-1 + 1 + 4 + cfg.mode_conflict_weight))))


def test_phenotype_of_an_explanation_blends_gene_and_disease_level() -> None:
    d = DiseaseMatch(DiseaseRef("OMIM:1", "x"), 0.6, frozenset({AD}), ())
    p = PhenotypeMatch("G", 0.0, 0.9, 0.6, d.disease, (), (d,))
    cfg = PrioritiseConfig()
    e = explanations(_burden("G", (Model.DOMINANT, 5.0)), p, cfg)[0]
    pheno = GENE_SHARE * 0.9 + (1 - GENE_SHARE) * 0.6
    assert e.score == pytest.approx(combine(5.0, pheno, cfg, ModeFit.AGREES, Model.DOMINANT))
