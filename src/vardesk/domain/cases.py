"""Cases (clinical reports): types, statuses, the status machine and the entities of interpretation.

Pure: no I/O. The services persist these dataclasses and call the rules below on every change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from vardesk.domain.acmg import ManualCriterion, labels
from vardesk.domain.enums import Affected, Relation, Role, Sex, VariantTag
from vardesk.domain.errors import Conflict, Forbidden, Invalid, NotFound, Unprocessable
from vardesk.domain.ids import ascii_int
from vardesk.domain.models import new_uuid, utcnow


class CaseType(StrEnum):
    PANEL = "panel"
    SOMATIC_PANEL = "somatic_panel"
    PANEL_TRIO = "panel_trio"
    EXOME = "exome"
    DUO = "duo"
    TRIO = "trio"
    QUAD = "quad"
    QUINTET = "quintet"  # flexible family: proband + up to 4 relatives


# The relatives each case type implies, in order; a case is created with a slot for each (genome or not),
# so it waits for every genome. A quintet (flexible family) starts with the proband alone.
TYPE_RELATIONS: dict[CaseType, tuple[str, ...]] = {
    CaseType.PANEL: ("PROBAND",),
    CaseType.SOMATIC_PANEL: ("PROBAND",),
    CaseType.EXOME: ("PROBAND",),
    CaseType.PANEL_TRIO: ("PROBAND", "MOTHER", "FATHER"),
    CaseType.TRIO: ("PROBAND", "MOTHER", "FATHER"),
    CaseType.DUO: ("PROBAND", "OTHER"),
    CaseType.QUAD: ("PROBAND", "MOTHER", "FATHER", "SIBLING"),
    CaseType.QUINTET: ("PROBAND",),
}
RELATION_SEX = {"MOTHER": "FEMALE", "FATHER": "MALE"}


def default_members(case_type: CaseType) -> list[dict[str, Any]]:
    """Empty member slots for a new case of ``case_type``."""
    return [
        {"relation": r, "genome_id": None, "sex": RELATION_SEX.get(r, "")} for r in TYPE_RELATIONS[case_type]
    ]


MAX_MEMBERS = {
    CaseType.PANEL: 1,
    CaseType.SOMATIC_PANEL: 2,
    CaseType.PANEL_TRIO: 3,
    CaseType.EXOME: 1,
    CaseType.DUO: 2,
    CaseType.TRIO: 3,
    CaseType.QUAD: 4,
    CaseType.QUINTET: 5,
}


WAITING_FOR_SAMPLE = "WAITING FOR SAMPLE"
WAITING = "WAITING"
READY_TO_REVIEW = "READY TO REVIEW"
APPROVED = "APPROVED"
FAILED = "FAILED"
# What the last analysis could see: NOT_INTERPRETABLE when a member genome has no annotation or the
# panel's genes are not in it (a negative result would then be made on no data).
INTERPRETABLE = "INTERPRETABLE"
NOT_INTERPRETABLE = "NOT_INTERPRETABLE"
DEFAULT_REVIEW_STATUSES = ("READY FOR INTERPRETATION", "WAITING FOR APPROVAL")
SYSTEM_STATUSES = (WAITING_FOR_SAMPLE, WAITING, READY_TO_REVIEW, APPROVED, FAILED)


class VariantStatus(StrEnum):
    PENDING = "PENDING"
    REVIEWED = "REVIEWED"
    CONFIRMED = "CONFIRMED"
    FAILED_CONFIRMATION = "FAILED_CONFIRMATION"


class ToReport(StrEnum):
    PRIMARY_FINDING = "PRIMARY_FINDING"
    SECONDARY_FINDING = "SECONDARY_FINDING"
    DO_NOT_REPORT = "DO_NOT_REPORT"


@dataclass(eq=False)
class Case:
    workspace_id: int
    project_id: int
    study_id: int
    code: str
    type: CaseType
    created_by: int
    title: str = ""
    status: str = WAITING_FOR_SAMPLE
    status_reason: str = ""
    accession_id: str = ""
    external_ids: dict[str, Any] = field(default_factory=dict)
    panel_id: int | None = None
    filter_preset: dict[str, Any] = field(default_factory=dict)
    assay_type: str = ""
    hpo_terms: list[dict[str, Any]] = field(default_factory=list)
    patient_fields: dict[str, Any] = field(default_factory=dict)
    qc_data: dict[str, Any] = field(default_factory=dict)
    dates: dict[str, Any] = field(default_factory=dict)
    version: int = 1
    analysis_run: int = 0
    annotation_sources: list[str] = field(default_factory=list)
    analysis_result: str = ""  # "" (none yet), INTERPRETABLE or NOT_INTERPRETABLE
    analysis_result_reason: str = ""
    last_interpreter_id: int | None = None
    approved_by: int | None = None
    report_approved_date: datetime | None = None
    amends_case_id: int | None = None
    id: int | None = None
    uuid: str = field(default_factory=new_uuid)
    created_at: datetime = field(default_factory=utcnow)
    modified_at: datetime = field(default_factory=utcnow)


@dataclass(eq=False)
class CaseMember:
    case_id: int
    position: int
    relation: str
    sex: Sex = Sex.UNKNOWN
    affected: Affected = Affected.UNKNOWN
    label: str = ""
    genome_id: int | None = None
    individual_id: int | None = None
    id: int | None = None


@dataclass(eq=False)
class CaseEvent:
    """One append-only entry of a case's history."""

    case_id: int
    version: int
    action: str
    user_id: int | None
    changes: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    at: datetime = field(default_factory=utcnow)


@dataclass(eq=False)
class ReportVariant:
    """A candidate variant of a case, snapshotted with the annotation of the moment it was found."""

    case_id: int
    run: int
    key: int
    chrom: str
    pos: int
    ref: str
    alt: str
    gene: str = ""
    transcript: str = ""
    hgvs_c: str = ""
    hgvs_p: str = ""
    consequence: str = ""
    rsid: str = ""
    qual: float | None = None
    genotypes: list[dict[str, Any]] = field(
        default_factory=list
    )  # per member: label, gt, zygosity, dp, gq, ad
    gnomad_af: float | None = None
    clinvar: dict[str, Any] = field(default_factory=dict)
    inheritance_modes: list[str] = field(default_factory=list)
    annotation_source: str = ""
    status: VariantStatus = VariantStatus.PENDING
    to_report: ToReport = ToReport.DO_NOT_REPORT
    tag: VariantTag = VariantTag.NONE
    classification: str = ""
    criteria: list[ManualCriterion] = field(default_factory=list)  # a reviewer's, with who/when/why
    interpretation: str = ""
    internal_notes: str = ""
    acmg: dict[str, Any] = field(default_factory=dict)
    active: bool = True  # False once a later analysis run no longer finds it
    id: int | None = None
    created_at: datetime = field(default_factory=utcnow)
    modified_at: datetime = field(default_factory=utcnow)

    @property
    def criteria_labels(self) -> list[str]:
        """The reviewer's criteria as the strings clients read (``["PVS1", "PM2_Supporting"]``)."""
        return labels(self.criteria)


def trimmed_alleles(pos: int, ref: str, alt: str) -> tuple[int, int, str, str]:
    """(start, end, reference, alternate) with the VCF padding base removed; empty alleles are '-'
    (OpenCGA's representation of a variant)."""
    if (len(ref) > 1 or len(alt) > 1) and ref[:1] == alt[:1]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    end = pos + len(ref) - 1 if ref else pos - 1
    return pos, end, ref or "-", alt or "-"


def finding_id(rv: ReportVariant) -> str:
    """The identifier a report variant is shown with, ``chrom:start:ref:alt`` (``1:878314:G:C``)."""
    start, _, ref, alt = trimmed_alleles(rv.pos, rv.ref, rv.alt)
    return f"{rv.chrom}:{start}:{ref}:{alt}"


def find_report_variant(variants: list[ReportVariant], ref: int | str) -> ReportVariant:
    """The report variant of a case that ``ref`` names: its ``reportVariantId`` (a number) or the id it is
    shown with (``1:878314:G:C``; ``chr1`` and the VCF spelling with the padding base are accepted too).
    Active variants win over ones a later analysis run no longer found; two matches are refused."""
    from vardesk.domain.variant_key import canonical_chrom

    text = str(ref).strip()
    if isinstance(ref, int) or ascii_int(text) is not None:
        found = [v for v in variants if v.id == int(text)]
        if not found:
            raise NotFound(f"report variant {text} not found in this case")
        return found[0]
    parts = text.split(":")
    if len(parts) != 4 or ascii_int(parts[1]) is None or not all(parts):
        raise Invalid(
            f"report variant {text!r} is neither a reportVariantId (a number) nor a variant id "
            "chrom:pos:ref:alt (e.g. 1:878314:G:C)"
        )
    chrom, pos, r, a = canonical_chrom(parts[0]), int(parts[1]), parts[2].upper(), parts[3].upper()
    wanted = f"{chrom}:{pos}:{r}:{a}"
    matches = [
        v for v in variants if finding_id(v) == wanted or (v.chrom, v.pos, v.ref, v.alt) == (chrom, pos, r, a)
    ]
    active = [v for v in matches if v.active]
    chosen = active or matches
    if not chosen:
        raise NotFound(f"report variant {text} not found in this case")
    if len(chosen) > 1:
        ids = ", ".join(str(v.id) for v in chosen)
        raise Conflict(
            f"variant id {text} is ambiguous in this case: it names report variants {ids}; "
            "use the reportVariantId (attributes.vardesk.reportVariantId) instead"
        )
    return chosen[0]


@dataclass(eq=False)
class VariantEvent:
    """Scoring audit log: who changed which field of a report variant, when, from what to what."""

    report_variant_id: int
    case_id: int
    user_id: int | None
    field: str
    old: Any = None
    new: Any = None
    id: int | None = None
    at: datetime = field(default_factory=utcnow)


@dataclass(eq=False)
class Panel:
    workspace_id: int
    name: str
    created_by: int
    description: str = ""
    methodology: str = ""
    limitations: str = ""
    fda_disclosure: str = ""
    test_code: str = ""
    version: str = "1"
    genes: list[str] = field(default_factory=list)  # approved HGNC symbols
    regions: list[str] = field(default_factory=list)  # chrom:start-end
    id: int | None = None
    uuid: str = field(default_factory=new_uuid)
    created_at: datetime = field(default_factory=utcnow)
    modified_at: datetime = field(default_factory=utcnow)


# -- rules -----------------------------------------------------------------------------------------


def check_transition(case: Case, target: str, *, review: tuple[str, ...], by_system: bool = False) -> None:
    """Raise unless ``case`` may move to ``target``. Approval has its own rule (:func:`check_approval`).

    The system moves cases forward as work completes (genomes attached → WAITING, candidates computed →
    READY TO REVIEW) and back to WAITING when the analysis must run again; people move a reviewable
    case between the review statuses, and may mark any open case FAILED or retry a FAILED one.
    """
    current = case.status
    if current == APPROVED:
        raise Unprocessable("the case is approved and locked; create an amendment to change it")
    if target == current or target == FAILED:
        return
    reviewable = (READY_TO_REVIEW, *review)
    if by_system:
        allowed = {
            WAITING_FOR_SAMPLE: {WAITING},
            WAITING: {READY_TO_REVIEW, WAITING_FOR_SAMPLE},
            FAILED: {WAITING, WAITING_FOR_SAMPLE, READY_TO_REVIEW},
        }.get(current, {WAITING, WAITING_FOR_SAMPLE})
    elif current in reviewable:
        allowed = set(reviewable)
    elif current == FAILED:
        allowed = {WAITING}
    else:
        allowed = set()
    if target == APPROVED:
        raise Conflict("approve a case with the approval action, not a status change")
    if target not in allowed:
        raise Conflict(f"a case cannot go from {current!r} to {target!r}")


def check_approval(case: Case, approver_id: int, approver_role: Role) -> None:
    """Directors approve; never the last interpreter (four eyes); only a case with reviewed results."""
    if approver_role is not Role.DIRECTOR:
        raise Forbidden("approving a report needs the director role")
    if case.status == APPROVED:
        raise Conflict("the case is already approved")
    if case.status in (WAITING_FOR_SAMPLE, WAITING, FAILED):
        raise Conflict(f"a case in status {case.status!r} cannot be approved; it has no reviewed results")
    if case.analysis_result == NOT_INTERPRETABLE:
        raise Unprocessable(
            "the case's analysis is not interpretable and cannot be signed out: "
            + (case.analysis_result_reason or "the analysis could not see the genes")
        )
    if case.last_interpreter_id is not None and case.last_interpreter_id == approver_id:
        raise Forbidden("four-eyes rule: the last interpreter of a case cannot approve it")


def unclassified_reported(variants: list[ReportVariant]) -> list[str]:
    """The variants marked for the report that have no classification yet ("GENE c.…"): a preview shows
    them as not yet classified; approval and the signed report need every one classified."""
    return [
        f"{v.gene} {v.hgvs_c}".strip()
        for v in variants
        if v.to_report is not ToReport.DO_NOT_REPORT and not v.classification
    ]


def check_classified(variants: list[ReportVariant]) -> None:
    missing = unclassified_reported(variants)
    if missing:
        raise Unprocessable("variants marked for the report have no classification: " + ", ".join(missing))


def check_editable(case: Case) -> None:
    if case.status == APPROVED:
        raise Unprocessable("the case is approved and locked; create an amendment to change it")


def check_members(case_type: CaseType, relations: list[str]) -> None:
    if not relations:
        return
    if relations.count(Relation.PROBAND.value) != 1 and case_type is not CaseType.SOMATIC_PANEL:
        raise Invalid("a case needs exactly one PROBAND member")
    if len(relations) > MAX_MEMBERS[case_type]:
        raise Invalid(
            f"a {case_type.value} case has at most {MAX_MEMBERS[case_type]} members; got {len(relations)}"
        )
    if case_type in (CaseType.TRIO, CaseType.PANEL_TRIO) and not {"FATHER", "MOTHER"} <= set(relations):
        raise Invalid("a trio needs a FATHER and a MOTHER besides the PROBAND")
    for rel in relations:
        if rel not in Relation.__members__:
            raise Invalid(f"unknown relation {rel!r}; use one of {', '.join(Relation.__members__)}")


@dataclass(eq=False)
class WorkspaceConfig:
    """A workspace's case settings: its review statuses and the patient fields its forms show."""

    workspace_id: int
    review_statuses: list[str] = field(default_factory=lambda: list(DEFAULT_REVIEW_STATUSES))
    patient_fields: list[str] = field(default_factory=list)
    id: int | None = None
    modified_at: datetime = field(default_factory=utcnow)


@dataclass(eq=False)
class AssayType:
    workspace_id: int
    name: str
    description: str = ""
    qc_fields: list[str] = field(default_factory=list)
    id: int | None = None
    uuid: str = field(default_factory=new_uuid)
    created_at: datetime = field(default_factory=utcnow)


@dataclass(eq=False)
class ConditionGene:
    """What the lab knows of a gene–condition pair (for reports and the phenotype match)."""

    workspace_id: int
    gene: str
    condition: str
    cui: str = ""
    inheritance: str = ""
    prevalence: str = ""
    penetrance: str = ""
    age_of_onset: str = ""
    pmids: list[str] = field(default_factory=list)
    notes: str = ""
    id: int | None = None
    created_at: datetime = field(default_factory=utcnow)


class SecondaryAnalysisStatus(StrEnum):
    """Where the external pipeline (FASTQ → VCF) stands for a secondary-analysis job."""

    CREATED = "CREATED"
    RUNNING = "RUNNING"
    COMPLETE = "COMPLETE"
    FAILED = "FAILED"


@dataclass(eq=False)
class SecondaryAnalysisJob:
    """A lab's request for secondary analysis of one accession: the ticket the LIMS files and the
    sequencing pipeline quotes by ``uuid``. Vardesk does not align or call variants itself; the genome the
    pipeline produces arrives later as an ordinary upload."""

    workspace_id: int
    accession_id: str
    created_by: int | None = None
    status: SecondaryAnalysisStatus = SecondaryAnalysisStatus.CREATED
    id: int | None = None
    uuid: str = field(default_factory=new_uuid)
    created_at: datetime = field(default_factory=utcnow)
    modified_at: datetime = field(default_factory=utcnow)


def check_review_statuses(statuses: list[str]) -> list[str]:
    cleaned = [s.strip().upper() for s in statuses if s and s.strip()]
    if not cleaned:
        raise Invalid("a workspace needs at least one review status")
    if len(set(cleaned)) != len(cleaned):
        raise Invalid("review statuses must be unique")
    clash = [s for s in cleaned if s in SYSTEM_STATUSES]
    if clash:
        raise Invalid(f"{', '.join(clash)} is a system status and cannot be a review status")
    return cleaned


def check_qc_data(qc: dict[str, Any], assay: AssayType | None) -> None:
    if assay is None or not assay.qc_fields:
        return
    unknown = sorted(set(qc) - set(assay.qc_fields))
    if unknown:
        raise Invalid(
            f"QC field(s) {', '.join(unknown)} are not defined for assay type {assay.name!r} "
            f"(fields: {', '.join(assay.qc_fields)})"
        )
