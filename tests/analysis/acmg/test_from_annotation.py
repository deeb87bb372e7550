"""ACMG inputs from annotation rows: the frequencies and scores a lab's pipeline wrote into its VCF."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.annotate.test_preannotated import INFO_SCORED, VEP_SCORED
from vardesk.analysis.acmg import input_from_annotation
from vardesk.annotate.preannotated import read_preannotated

GIAB_BCSQ = (
    Path(__file__).resolve().parents[3].parent / "shared" / "testdata" / "giab-trio-grch37" / "with-bcsq.vcf"
)


def _rows(tmp_path: Path, text: str) -> dict[tuple[int, str], dict]:
    p = tmp_path / "in.vcf"
    p.write_text(text)
    return {(r["pos"], r["alt"]): r for r in read_preannotated(p).to_pylist()}


def test_pipeline_frequencies_and_scores_fill_the_input_with_their_fields(tmp_path: Path) -> None:
    rows = _rows(tmp_path, VEP_SCORED)
    inp = input_from_annotation(rows[(117530975, "A")], build="GRCh38")
    pop = inp.population
    assert pop is not None and pop.found
    assert pop.af == pytest.approx(0.0012) and pop.af_grpmax == pytest.approx(0.002) and pop.nhomalt == 5
    assert pop.version == "pipeline VCF" and "CSQ field gnomADe_AF" in pop.source
    scores = {s.tool: s.score for s in inp.scores}
    assert scores == pytest.approx({"REVEL": 0.7, "CADD": 24.1, "SpliceAI": 0.03, "AlphaMissense": 0.9127})
    assert inp.score("revel") is not None  # the assigners' lookup, by tool name
    prov = inp.provenance.to_dict()
    assert prov["REVEL"] == "pipeline VCF CSQ field REVEL"
    assert prov["SpliceAI"].startswith("pipeline VCF CSQ field SpliceAI_pred_DS_AG")
    assert prov["gnomad_af"] == "pipeline VCF CSQ field gnomADg_AF, CSQ field gnomADe_AF"
    assert inp.primary() is not None and inp.primary().is_mane_select


def test_a_site_the_pipeline_found_no_frequency_for_is_absent_not_unknown(tmp_path: Path) -> None:
    rows = _rows(tmp_path, VEP_SCORED)
    stop = input_from_annotation(rows[(117530975, "T")])
    # the pipeline looked gnomAD up (its header declares the fields) and found no frequency for the allele
    assert stop.population is not None and stop.population.found is False
    assert {s.tool for s in stop.scores} == {"CADD", "SpliceAI"}
    assert "REVEL" not in stop.provenance.to_dict()


def test_info_fields_per_allele(tmp_path: Path) -> None:
    rows = _rows(tmp_path, INFO_SCORED)
    common = input_from_annotation(rows[(43045712, "G")])
    assert common.population is not None and common.population.af_grpmax == pytest.approx(0.25)
    assert common.population.nhomalt == 150
    assert common.provenance.to_dict()["gnomad_af_grpmax"] == "pipeline VCF INFO field AF_grpmax"
    assert {s.tool: s.score for s in common.scores} == pytest.approx({"SpliceAI": 0.02})
    rare = input_from_annotation(rows[(43045712, "T")])
    assert {s.tool: s.score for s in rare.scores} == pytest.approx({"SpliceAI": 0.8, "CADD": 29.5})


def test_no_pipeline_frequency_field_is_not_evaluable_and_a_bundle_version_wins(tmp_path: Path) -> None:
    if not GIAB_BCSQ.exists():
        pytest.skip("test data not found")
    row = read_preannotated(GIAB_BCSQ).to_pylist()[0]
    inp = input_from_annotation(row, build="GRCh37")
    assert inp.population is None and inp.scores == ()  # BCSQ carries no frequency: nothing claimed
    # a bundle's gnomAD (a version given) is the source, whatever the row's pipeline fields
    bundle_row = {**_rows(tmp_path, VEP_SCORED)[(117530975, "A")], "pipeline_fields": None}
    pop = input_from_annotation(bundle_row, gnomad_version="4.1").population
    assert pop is not None and (pop.source, pop.version) == ("gnomAD", "4.1")
