"""Rules the report model enforces before anything is rendered."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from tests.reports.sample import sample_document
from vardesk.domain.enums import Classification
from vardesk.reports.model import (
    Finding,
    HpoTerm,
    Patient,
    ReportInfo,
    ReportStatus,
    Zygosity,
)


def test_amended_report_requires_a_reason() -> None:
    with pytest.raises(ValueError, match="reason"):
        ReportInfo("R-1", "ACC-1", ReportStatus.AMENDED, date(2024, 1, 1), version=2, amendment_reason="  ")
    info = ReportInfo(
        "R-1", "ACC-1", ReportStatus.AMENDED, date(2024, 1, 1), version=2, amendment_reason="typo"
    )
    assert info.status.signed and not ReportStatus.PREVIEW.signed


def test_criteria_must_be_acmg_codes() -> None:
    ok = Finding(
        "GJB2", "c.35del", Classification.PATHOGENIC, Zygosity.HOMOZYGOUS, criteria=("PVS1", "PM3_Strong")
    )
    assert ok.criteria == ("PVS1", "PM3_Strong")
    with pytest.raises(ValueError, match="PX1, pathogenic"):
        Finding(
            "GJB2",
            "c.35del",
            Classification.PATHOGENIC,
            Zygosity.HOMOZYGOUS,
            criteria=("PS1", "PX1", "pathogenic"),
        )


def test_hpo_ids_are_checked() -> None:
    assert HpoTerm("HP:0001250", "Seizure").label == "Seizure"
    with pytest.raises(ValueError):
        HpoTerm("HP:1250", "Seizure")


def test_patient_display_name() -> None:
    assert Patient("Ada", "Lind").display_name == "LIND, Ada"
    assert Patient("", "Lind").display_name == "LIND"
    assert Patient("Ada", "").display_name == "Ada"


def test_summary_follows_the_primary_findings() -> None:
    doc = sample_document()
    assert doc.summary == "POSITIVE"
    vus_only = replace(doc, primary_findings=doc.primary_findings[1:])
    assert vus_only.summary == "UNCERTAIN"
    negative = replace(doc, primary_findings=())
    assert negative.summary == "NEGATIVE" and negative.has_findings  # the secondary finding remains
    assert replace(doc, results_summary="POSITIVE (dual diagnosis)").summary == "POSITIVE (dual diagnosis)"


def test_page_size_is_a4_or_letter() -> None:
    with pytest.raises(ValueError, match="page size"):
        sample_document(page_size="Legal")


def _unclassified() -> Finding:
    return Finding(gene="SCN1A", hgvs_c="c.1A>G", classification=None, zygosity=Zygosity.HETEROZYGOUS)


def test_a_draft_shows_an_unclassified_finding_and_never_reads_negative() -> None:
    doc = sample_document(ReportStatus.PREVIEW, primary_findings=(_unclassified(),), results_summary="")
    assert doc.summary == "PENDING CLASSIFICATION" and doc.unclassified == (_unclassified(),)
    assert _unclassified().classification_label == "Not yet classified"
    assert _unclassified().classification_css == "cls-none"


@pytest.mark.parametrize("status", [ReportStatus.FINAL, ReportStatus.AMENDED])
def test_a_signed_report_has_every_finding_classified(status: ReportStatus) -> None:
    with pytest.raises(ValueError, match="classified"):
        sample_document(status, secondary_findings=(_unclassified(),))
