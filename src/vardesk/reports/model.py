"""The content of a signed clinical genomic report, as plain data.

Everything a laboratory's report shows is here and nothing else: the case layer builds a
:class:`ReportDocument` from the catalog (patient fields, panel, interpretations, approval) and the
renderers in this package turn it into a PDF. No I/O, no framework: the model can be built and checked in
a unit test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from vardesk.domain.enums import Classification, Sex
from vardesk.knowledge.hpo import is_hpo_id

NO_REPORTABLE_VARIANTS = (
    "No reportable variants were identified. No pathogenic or likely pathogenic variants, nor variants of "
    "uncertain significance, related to the indication for testing were detected in the genes analysed."
)
NO_SECONDARY_FINDINGS = "No reportable secondary findings were identified."
NOT_CLASSIFIED = "Not yet classified"
PENDING_CLASSIFICATION = "PENDING CLASSIFICATION"
NOT_INTERPRETABLE = "NOT INTERPRETABLE"
NOT_INTERPRETABLE_STATEMENT = (
    "The analysis could not be interpreted, so this report makes no statement about the presence or absence "
    "of variants in the genes analysed."
)

# ACMG/AMP 2015 evidence codes, optionally with a strength modifier (ClinGen SVI: PM2_Supporting).
_CRITERION = re.compile(r"^(PVS|PS|PM|PP|BA|BS|BP)[1-9](_[A-Za-z][A-Za-z-]*)?$")


class ReportStatus(StrEnum):
    """Which version of the report this is: a draft, the signed report, or a signed correction of it."""

    PREVIEW = "PREVIEW"
    FINAL = "FINAL"
    AMENDED = "AMENDED"

    @property
    def signed(self) -> bool:
        return self is not ReportStatus.PREVIEW


# The style of each ACMG/AMP tier (the tiers' values are the wording reports print).
CLASSIFICATION_CSS = {
    Classification.PATHOGENIC: "cls-p",
    Classification.LIKELY_PATHOGENIC: "cls-lp",
    Classification.UNCERTAIN_SIGNIFICANCE: "cls-vus",
    Classification.LIKELY_BENIGN: "cls-lb",
    Classification.BENIGN: "cls-b",
}


class Zygosity(StrEnum):
    HETEROZYGOUS = "Heterozygous"
    HOMOZYGOUS = "Homozygous"
    HEMIZYGOUS = "Hemizygous"
    COMPOUND_HETEROZYGOUS = "Compound heterozygous"
    HETEROPLASMIC = "Heteroplasmic"
    HOMOPLASMIC = "Homoplasmic"
    MOSAIC = "Mosaic"


class Confirmation(StrEnum):
    """Orthogonal confirmation of a finding (Fabric's REVIEWED / CONFIRMED / FAILED_CONFIRMATION)."""

    NOT_REQUIRED = "Not required"
    PENDING = "Pending"
    CONFIRMED = "Confirmed"
    FAILED = "Failed confirmation"


@dataclass(frozen=True)
class Accreditation:
    """One accreditation or licence printed under the laboratory's name, e.g. ("CLIA", "05D2145789")."""

    authority: str
    identifier: str


@dataclass(frozen=True)
class Laboratory:
    name: str
    address_lines: tuple[str, ...] = ()
    accreditations: tuple[Accreditation, ...] = ()
    director: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    logo_path: Path | None = None


@dataclass(frozen=True)
class ReportInfo:
    """Identity and history of this report version."""

    report_id: str
    accession: str
    status: ReportStatus
    report_date: date
    version: int = 1
    created: datetime | None = None
    approved: datetime | None = None
    amendment_reason: str = ""

    def __post_init__(self) -> None:
        if self.status is ReportStatus.AMENDED and not self.amendment_reason.strip():
            raise ValueError("an amended report must state the reason for the amendment")
        if self.version < 1:
            raise ValueError("report version starts at 1")


@dataclass(frozen=True)
class Patient:
    first_name: str
    last_name: str
    date_of_birth: date | None = None
    sex: Sex = Sex.UNKNOWN
    mrn: str = ""
    ethnicity: str = ""

    @property
    def display_name(self) -> str:
        """``LAST, First`` as laboratory reports print it; whichever part is known when one is missing."""
        last, first = self.last_name.strip(), self.first_name.strip()
        if last and first:
            return f"{last.upper()}, {first}"
        return last.upper() or first


@dataclass(frozen=True)
class Specimen:
    type: str = ""
    sample_id: str = ""
    collected: date | None = None
    received: date | None = None


@dataclass(frozen=True)
class Physician:
    name: str
    institution: str = ""
    contact: str = ""


@dataclass(frozen=True)
class HpoTerm:
    id: str
    label: str

    def __post_init__(self) -> None:
        if not is_hpo_id(self.id):
            raise ValueError(f"not an HPO term id: {self.id!r}")


@dataclass(frozen=True)
class TestInfo:
    """The ordered test: assay, panel, why it was ordered, and the assay's fixed texts."""

    __test__ = False  # not a pytest test class despite the name

    name: str
    code: str = ""
    panel_name: str = ""
    panel_version: str = ""
    genes_count: int | None = None
    indication: str = ""
    hpo_terms: tuple[HpoTerm, ...] = ()
    methodology: str = ""
    limitations: str = ""


@dataclass(frozen=True)
class Finding:
    """One reported variant with its interpretation."""

    gene: str
    hgvs_c: str
    classification: Classification | None  # None: not yet classified (a draft only; never signed)
    zygosity: Zygosity
    transcript: str = ""
    hgvs_p: str = ""
    genomic: str = ""  # e.g. "chr17:43094464 G>A (GRCh38)"
    inheritance: str = ""  # e.g. "AD", "AR", "XL"
    condition: str = ""
    criteria: tuple[str, ...] = ()
    interpretation: str = ""
    confirmation: Confirmation = Confirmation.NOT_REQUIRED
    confirmation_method: str = ""

    def __post_init__(self) -> None:
        bad = [c for c in self.criteria if not _CRITERION.match(c)]
        if bad:
            raise ValueError(f"not ACMG/AMP criteria codes: {', '.join(bad)}")

    @property
    def classification_label(self) -> str:
        return self.classification.value if self.classification else NOT_CLASSIFIED

    @property
    def classification_css(self) -> str:
        return CLASSIFICATION_CSS[self.classification] if self.classification else "cls-none"


@dataclass(frozen=True)
class QcMetric:
    label: str
    value: str
    passed: bool | None = None  # None: no threshold for this metric


@dataclass(frozen=True)
class Signature:
    role: str  # e.g. "Interpreted by", "Approved by (Laboratory Director)"
    name: str
    credentials: str = ""
    signed_on: date | None = None


@dataclass(frozen=True)
class ReportDocument:
    """Everything one rendered report shows, in the order it shows it."""

    laboratory: Laboratory
    report: ReportInfo
    patient: Patient
    specimen: Specimen
    physician: Physician | None
    test: TestInfo
    primary_findings: tuple[Finding, ...] = ()
    secondary_findings: tuple[Finding, ...] = ()
    secondary_findings_analysed: bool = False
    qc: tuple[QcMetric, ...] = ()
    comments: str = ""
    signatures: tuple[Signature, ...] = ()
    disclaimer: str = ""
    no_findings_statement: str = NO_REPORTABLE_VARIANTS
    results_summary: str = ""  # one-line headline; derived from the findings when empty
    # the analysis could not see the genes (a member genome not annotated, panel genes not in the
    # annotation): the headline is NOT INTERPRETABLE with this reason, never NEGATIVE
    not_interpretable_reason: str = ""
    not_interpretable_statement: str = NOT_INTERPRETABLE_STATEMENT
    synthetic_banner: str = (
        ""  # set when synthetic (NOT HUMAN) reference data was used: printed on every page
    )
    annotation_sources: tuple[str, ...] = ()  # one line per analysed genome: where its annotation came from
    page_size: str = "A4"  # "A4" or "Letter"
    extra: dict[str, str] = field(default_factory=dict, compare=False)  # lab-defined patient fields

    def __post_init__(self) -> None:
        if self.page_size not in ("A4", "Letter"):
            raise ValueError(f"page size must be A4 or Letter, not {self.page_size!r}")
        if self.report.status.signed and self.unclassified:
            raise ValueError("a signed report needs every reported variant classified")

    @property
    def has_findings(self) -> bool:
        return bool(self.primary_findings or self.secondary_findings)

    @property
    def unclassified(self) -> tuple[Finding, ...]:
        """Reported variants not yet classified: a draft shows them as such; a signed report has none."""
        return tuple(
            f for f in (*self.primary_findings, *self.secondary_findings) if f.classification is None
        )

    @property
    def summary(self) -> str:
        """The headline result: NOT INTERPRETABLE when the analysis could not see the genes; else given, or
        POSITIVE / PENDING CLASSIFICATION (a draft) / UNCERTAIN / NEGATIVE from the primary findings."""
        if self.not_interpretable_reason:
            return NOT_INTERPRETABLE
        if self.results_summary:
            return self.results_summary
        tiers = {f.classification for f in self.primary_findings}
        if tiers & {Classification.PATHOGENIC, Classification.LIKELY_PATHOGENIC}:
            return "POSITIVE"
        if None in tiers:  # never NEGATIVE while a primary finding awaits its classification
            return PENDING_CLASSIFICATION
        if Classification.UNCERTAIN_SIGNIFICANCE in tiers:
            return "UNCERTAIN"
        return "NEGATIVE"
