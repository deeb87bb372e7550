"""The case analysis' automatic ACMG assessment reads the frequencies and scores of a pipeline's VCF."""

from __future__ import annotations

from pathlib import Path

from tests.annotate.test_preannotated import VEP_SCORED
from vardesk.annotate.preannotated import read_preannotated
from vardesk.app.cases.case_analysis import automatic_acmg
from vardesk.domain import variant_key
from vardesk.variants.layout import write_annotation
from vardesk.variants.query import annotation_rows


def test_the_stored_pipeline_row_gives_the_assessment_its_scores_and_their_fields(tmp_path: Path) -> None:
    vcf = tmp_path / "patient1.vep.vcf"
    vcf.write_text(VEP_SCORED)
    parts = tmp_path / "annotations"
    parts.mkdir()
    write_annotation(read_preannotated(vcf), parts / "part-000000.parquet")  # as the import stores it
    key = variant_key.encode("7", 117530975, "G", "A")
    row = annotation_rows(parts, [key])[key]
    # no bundle behind the genome: no bundle gnomAD or ClinVar version
    doc = automatic_acmg(row, "GRCh38", None, None)
    prov = doc["provenance"]
    assert prov["REVEL"] == "pipeline VCF CSQ field REVEL"
    assert prov["AlphaMissense"] == "pipeline VCF CSQ field am_pathogenicity"
    assert prov["gnomad_af"] == "pipeline VCF CSQ field gnomADg_AF, CSQ field gnomADe_AF"
    assert doc["classifications"]  # the classifiers ran on the input
    bcsq_like = {
        k: (None if k in ("pipeline_fields", "revel", "alphamissense") else v) for k, v in row.items()
    }
    bcsq_like.update({"cadd_phred": None, "spliceai_max": None, "gnomad_af": None})
    assert "REVEL" not in automatic_acmg(bcsq_like, "GRCh38", None, None)["provenance"]
