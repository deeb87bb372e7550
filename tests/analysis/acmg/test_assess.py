"""assess(): every criterion, both classifiers, manual evidence, JSON output, history, PM4, PP4."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from tests.analysis.acmg.builders import gene, gnomad, scores, trio, variant_input
from vardesk.analysis.acmg import (
    CRITERIA,
    DEFAULT_CONFIG,
    Classification,
    ManualEvidence,
    PhenotypeMatch,
    PopulationData,
    Provenance,
    Source,
    Status,
    Strength,
    assess,
    current,
    input_from_annotation,
    record_computed,
    record_override,
    with_manual,
)
from vardesk.analysis.acmg.model import met
from vardesk.analysis.acmg.phenotype import assign_pp4
from vardesk.analysis.acmg.protein_length import assign_pm4


def nonsense_de_novo():  # type: ignore[no-untyped-def]
    return variant_input(
        "stop_gained",
        tc={"hgvs_p": "p.(Arg50Ter)"},
        population=PopulationData(found=False, version="4.1"),
        family=trio(),
        provenance=Provenance("demo", "1", "4.1", "2024-05"),
    )


def test_assess_runs_every_criterion_and_both_classifiers() -> None:
    a = assess(nonsense_de_novo())
    assert [e.criterion for e in a.evidence] == list(CRITERIA)
    labels = [e.label for e in a.met]
    assert labels == ["PVS1", "PS2", "PM2_Supporting"]
    # PVS1 + PS2 → Pathogenic (i)(a); 8 + 4 + 1 = 13 points
    assert a.result("ACMG/AMP 2015").classification is Classification.PATHOGENIC
    pts = a.result("ClinGen SVI points")
    assert (pts.classification, pts.points) == (Classification.PATHOGENIC, 13)
    assert a.evidence_for("PS3").status is Status.NOT_EVALUABLE  # manual-only criterion
    assert a.evidence_for("PP3").status is Status.NOT_MET  # not added on top of PVS1
    assert (
        a.evidence_for("BP4").status is Status.NOT_MET
    )  # a nonsense variant: no predictor argues against it
    assert a.evidence_for("PP5").status is Status.NOT_MET  # retired (Biesecker & Harrison 2018)


def test_assessment_is_json_serialisable_and_deterministic() -> None:
    a, b = assess(nonsense_de_novo()), assess(nonsense_de_novo())
    text = json.dumps(a.to_dict(), sort_keys=True)
    assert text == json.dumps(b.to_dict(), sort_keys=True)
    d = json.loads(text)
    assert d["provenance"]["gnomad_version"] == "4.1"
    assert d["config"]["pm2_dominant_max_af"] == 0.0001
    pm2 = next(e for e in d["evidence"] if e["criterion"] == "PM2")
    assert pm2["label"] == "PM2_Supporting" and pm2["data_sources"] == {"gnomAD": "4.1"}


def test_manual_evidence_overrides_and_keeps_the_automatic_result() -> None:
    inp = with_manual(
        nonsense_de_novo(),
        ManualEvidence(
            "PS3", "STRONG", "knock-in mouse recapitulates the phenotype", by="ana", at="2025-01-02"
        ),
        ManualEvidence("PM2", None, "founder variant seen in our cohort", met=False, by="ana"),
    )
    a = assess(inp)
    ps3, pm2 = a.evidence_for("PS3"), a.evidence_for("PM2")
    assert (ps3.status, ps3.source, ps3.by) == (Status.MET, Source.MANUAL, "ana")
    assert pm2.status is Status.NOT_MET and pm2.automatic is not None and pm2.automatic.met
    assert a.result("ClinGen SVI points").points == 8 + 4 + 4
    assert json.loads(json.dumps(a.to_dict()))["evidence"][6]["automatic"]["status"] == "MET"


def test_manual_evidence_needs_a_reason() -> None:
    with pytest.raises(ValueError):
        ManualEvidence("PS3", "STRONG", "  ")


def test_override_history_is_append_only_and_keeps_the_computed_class() -> None:
    a = assess(nonsense_de_novo())
    h1 = record_computed((), a.result("ClinGen SVI points"), by="system", at="2025-01-01T00:00:00Z")
    h2 = record_override(
        h1, Classification.LIKELY_PATHOGENIC, reason="mosaic parent", by="dr", at="2025-01-02"
    )
    assert len(h1) == 1 and len(h2) == 2 and h2[0] is h1[0]
    now = current(h2)
    assert now is not None
    assert (now.classification, now.computed, now.is_override) == (
        Classification.LIKELY_PATHOGENIC,
        Classification.PATHOGENIC,
        True,
    )
    assert now.to_dict()["reason"] == "mosaic parent"
    with pytest.raises(ValueError):
        record_override(h2, Classification.BENIGN, reason="", by="dr", at="2025-01-03")


def test_pm4() -> None:
    cfg = DEFAULT_CONFIG
    e = assign_pm4(variant_input("inframe_deletion"), cfg, {})
    assert e.met and e.caveats
    assert assign_pm4(variant_input("stop_lost", tc={"in_repeat_region": False}), cfg, {}).caveats == ()
    assert assign_pm4(variant_input("inframe_insertion", tc={"in_repeat_region": True}), cfg, {}).status is (
        Status.NOT_MET
    )
    assert (
        assign_pm4(variant_input("inframe_deletion"), cfg, {"PVS1": met("PVS1", "x")}).status
        is Status.NOT_MET
    )
    assert assign_pm4(variant_input("missense_variant"), cfg, {}).status is Status.NOT_MET
    assert assign_pm4(variant_input(), cfg, {}).status is Status.NOT_EVALUABLE


def test_pp4() -> None:
    cfg = DEFAULT_CONFIG
    assert assign_pp4(variant_input("missense_variant"), cfg, {}).status is Status.NOT_EVALUABLE
    hi = variant_input(
        "missense_variant", phenotype=PhenotypeMatch(0.85, ("HP:0001250",), None, "hpo3", "2024")
    )
    e = assign_pp4(hi, cfg, {})
    assert e.met and e.data_sources == {"hpo3": "2024"}
    low = replace(hi, phenotype=PhenotypeMatch(0.3))
    assert assign_pp4(low, cfg, {}).status is Status.NOT_MET
    assert assign_pp4(replace(hi, phenotype=PhenotypeMatch(0.3, highly_specific=True)), cfg, {}).met


def test_benign_missense_assessment() -> None:
    inp = variant_input(
        "missense_variant",
        population=gnomad(af=0.03, faf95=0.02, nhomalt=40),
        scores=scores(revel=0.1, spliceai=0.0),
    )
    a = assess(inp)
    assert [e.label for e in a.met] == ["BS1", "BP4_Moderate"]
    assert a.result("ACMG/AMP 2015").classification is Classification.LIKELY_BENIGN
    assert a.result("ClinGen SVI points").points == -6


def test_input_from_an_annotation_row() -> None:
    row = {
        "key": 1,
        "chrom": "1",
        "pos": 2050,
        "ref": "C",
        "alt": "T",
        "gene_symbol": "GENE1",
        "gene_id": "G1",
        "consequence": "missense_variant",
        "transcript_id": "ENST00000000001.1",
        "hgvs_c": "c.149C>T",
        "hgvs_p": "p.(Arg50Cys)",
        "transcripts": [
            {
                "transcript_id": "ENST00000000002.1",
                "consequences": ["intron_variant"],
                "canonical": False,
                "mane": False,
            },
            {
                "transcript_id": "ENST00000000001.1",
                "consequences": ["missense_variant"],
                "hgvs_c": "c.149C>T",
                "hgvs_p": "p.(Arg50Cys)",
                "protein_change": "50R>50C",
                "canonical": True,
                "mane": True,
            },
        ],
        "gnomad_af": None,
        "gnomad_ac": None,
        "gnomad_an": None,
        "gnomad_nhomalt": None,
        "gnomad_af_grpmax": None,
        "gnomad_faf95": None,
        "bundle_id": "b",
        "bundle_version": "3",
    }
    inp = input_from_annotation(row, gnomad_version="4.1", clinvar_version="2024-05", gene=gene())
    tc = inp.primary()
    assert tc is not None and tc.transcript_id == "ENST00000000001.1"
    assert (tc.protein_position, tc.ref_aa, tc.alt_aa) == (50, "R", "C")
    assert inp.population == PopulationData(found=False, version="4.1")
    a = assess(inp)
    assert a.evidence_for("PM2").met
    assert a.provenance == {
        "bundle_id": "b",
        "bundle_version": "3",
        "gnomad_version": "4.1",
        "clinvar_version": "2024-05",
    }
    no_gnomad = input_from_annotation(row)
    assert no_gnomad.population is None
    assert assess(no_gnomad).evidence_for("PM2").status is Status.NOT_EVALUABLE


def test_strength_values_round_trip() -> None:
    assert Strength("VERY_STRONG").suffix == "VeryStrong"
