"""Clinical report rendering (PDF) and variant exports (JSON, CSV, VCF).

``vardesk.reports.model`` describes a report's content, ``vardesk.reports.pdf`` renders it, and
``vardesk.interchange.exports`` streams variant rows in each export format.
"""

from vardesk.domain.enums import Classification, Sex
from vardesk.reports.model import (
    Accreditation,
    Confirmation,
    Finding,
    HpoTerm,
    Laboratory,
    Patient,
    Physician,
    QcMetric,
    ReportDocument,
    ReportInfo,
    ReportStatus,
    Signature,
    Specimen,
    TestInfo,
    Zygosity,
)
from vardesk.reports.pdf import render_html, render_pdf

__all__ = [
    "Accreditation",
    "Classification",
    "Confirmation",
    "Finding",
    "HpoTerm",
    "Laboratory",
    "Patient",
    "Physician",
    "QcMetric",
    "ReportDocument",
    "ReportInfo",
    "ReportStatus",
    "Sex",
    "Signature",
    "Specimen",
    "TestInfo",
    "Zygosity",
    "render_html",
    "render_pdf",
]
