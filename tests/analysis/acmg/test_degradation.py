"""Thin inputs: missing data never produces evidence, and never moves a class towards the opposite side.

The rule is the ACMG/AMP one that absence of evidence is not evidence (Richards 2015, "Evidence
framework"): "not in gnomAD" is evidence only when gnomAD was searched (ClinGen SVI PM2 v1.0, 2020);
a missing predictor is not a benign prediction (Pejaver 2022 applies BP4 only to a computed score).
"""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

import pytest

from tests.analysis.acmg.builders import consequence, gene, gnomad, scores, trio, variant_input
from vardesk.analysis.acmg import Classification, GeneFacts, PopulationData, Status, assess
from vardesk.analysis.acmg.inputs import DosageFacts, VariantEvidenceInput

C = Classification
POPULATION = ("PM2", "BA1", "BS1", "BS2")
PREDICTORS = ("PP3", "BP4", "BP7")


def thin(consequence_term: str, af: float | None) -> VariantEvidenceInput:
    """Consequence, gene symbol and AF only: no HGVS, transcript model, predictors or gene knowledge."""
    pop = None if af is None else gnomad(af=af)
    return VariantEvidenceInput(
        variant=variant_input(consequence_term).variant,
        consequences=(replace(consequence(consequence_term), transcript=None),),
        gene=GeneFacts(symbol="GENE1"),
        population=pop,
    )


TERMS = (
    "missense_variant",
    "stop_gained",
    "frameshift_variant",
    "synonymous_variant",
    "intron_variant",
    "splice_donor_variant",
    "inframe_deletion",
    "start_lost",
)


@pytest.mark.parametrize("term", TERMS)
def test_no_population_data_gives_no_population_criterion(term: str) -> None:
    a = assess(thin(term, None))
    for code in POPULATION:
        assert a.evidence_for(code).status is Status.NOT_EVALUABLE, code


@pytest.mark.parametrize("term", TERMS)
def test_no_predictor_gives_neither_pp3_nor_bp4_nor_bp7(term: str) -> None:
    a = assess(thin(term, 0.00001))
    for code in PREDICTORS:
        assert not a.evidence_for(code).met, code


@pytest.mark.parametrize("term", TERMS)
@pytest.mark.parametrize("af", [None, 0.0, 0.00001, 0.003])
def test_thin_inputs_are_never_classified_benign_or_pathogenic(term: str, af: float | None) -> None:
    # AF 0.003 (0.3 %): above PM2, below BS1 (1 %) and BA1 (5 %) — nothing to say either way
    a = assess(thin(term, af))
    for r in a.classifications:
        assert r.classification is C.UNCERTAIN_SIGNIFICANCE, (r.system, r.rule)


def test_record_without_grpmax_or_af_gives_neither_pm2_nor_ba1() -> None:
    inp = replace(thin("missense_variant", None), population=PopulationData(found=True, version="4.1"))
    a = assess(inp)
    assert a.evidence_for("PM2").status is Status.NOT_EVALUABLE
    assert a.evidence_for("BA1").status is Status.NOT_EVALUABLE
    assert a.evidence_for("BS1").status is Status.NOT_EVALUABLE


def _drop(inp: VariantEvidenceInput, parts: tuple[str, ...]) -> VariantEvidenceInput:
    changes: dict[str, object] = {}
    for p in parts:
        if p == "scores":
            changes["scores"] = ()
        elif p == "population":
            changes["population"] = None
        elif p == "family":
            changes["family"] = None
        elif p == "gene":
            changes["gene"] = GeneFacts(symbol="GENE1")
        elif p == "model":
            changes["consequences"] = tuple(
                replace(c, transcript=None, hgvs_p=None) for c in inp.consequences
            )
    return replace(inp, **changes)


PARTS = ("scores", "population", "family", "gene", "model")
SUBSETS = [s for n in range(1, len(PARTS) + 1) for s in combinations(PARTS, n)]
PATHOGENIC_SIDE = {C.PATHOGENIC, C.LIKELY_PATHOGENIC, C.UNCERTAIN_SIGNIFICANCE}
BENIGN_SIDE = {C.BENIGN, C.LIKELY_BENIGN, C.UNCERTAIN_SIGNIFICANCE}


@pytest.mark.parametrize("parts", SUBSETS)
def test_losing_data_never_moves_a_pathogenic_variant_towards_benign(parts: tuple[str, ...]) -> None:
    # de novo nonsense in a ClinGen HI 3 gene, absent from gnomAD: Pathogenic with everything
    full = variant_input(
        "stop_gained",
        tc={"hgvs_p": "p.(Arg50Ter)"},
        gene=gene(lof_mechanism=None, dosage=DosageFacts(3, 0, "ClinGen 2024-01-07")),
        population=PopulationData(found=False, version="4.1", mean_depth=30.0),
        family=trio(),
        scores=scores(spliceai=0.0),
    )
    assert assess(full).result("ClinGen SVI points").classification is C.PATHOGENIC
    for r in assess(_drop(full, parts)).classifications:
        assert r.classification in PATHOGENIC_SIDE, (parts, r.system, r.rule)


@pytest.mark.parametrize("parts", SUBSETS)
def test_losing_data_never_moves_a_benign_variant_towards_pathogenic(parts: tuple[str, ...]) -> None:
    # common missense (grpmax 2 %) with a benign REVEL score in a dominant gene: Benign-side with everything
    full = variant_input(
        "missense_variant",
        gene=gene(lof_mechanism=None),
        population=gnomad(af=0.015, af_grpmax=0.02, nhomalt=40),
        scores=scores(revel=0.1, spliceai=0.0),
    )
    assert assess(full).result("ClinGen SVI points").classification in {C.LIKELY_BENIGN, C.BENIGN}
    for r in assess(_drop(full, parts)).classifications:
        assert r.classification in BENIGN_SIDE, (parts, r.system, r.rule)
