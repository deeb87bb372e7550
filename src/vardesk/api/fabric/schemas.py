"""Pydantic models of the Fabric face's representations (contract §3) and request bodies, for the OpenAPI
document only.

The routes render plain dicts (``render.py``, the ``routes_*`` helpers) and read bodies raw, decoded by
endpoint (contract §1.4), so nothing here validates a request or a response on the wire. A response model
names every key its renderer always writes, as required, with ``None`` where the renderer can write null;
a body model names the keys the route reads (every key is optional: the scripts send nulls for options
not given, and the route answers 400/422 naming what is missing).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from vardesk.domain.cases import SecondaryAnalysisStatus, ToReport, VariantStatus
from vardesk.domain.enums import ShareRole

Stamp = str | None  # naive ISO 8601 in the configured zone ("2014-12-02T00:12:10")
UtcStamp = str | None  # FE3: ISO 8601 with the offset ("2023-09-30T20:05:23+00:00")


class _Out(BaseModel):
    """A representation: the keys listed are always present; a renderer may add others."""

    model_config = ConfigDict(extra="allow")


class _Body(BaseModel):
    model_config = ConfigDict(extra="allow")


def _example(**values: Any) -> ConfigDict:
    return ConfigDict(extra="allow", json_schema_extra={"examples": [values]})


# -- errors -------------------------------------------------------------------------------------------
class FabricError(BaseModel):
    """Every error of the face (§1.5): the message names the problem."""

    description: str


# -- projects and genomes (§3.1, §3.2) ------------------------------------------------------------------
class FabricProject(_Out):
    id: int
    name: str
    description: str
    share_role: ShareRole
    workspace_id: int
    created_by: int
    created_on: Stamp


class FabricGenome(_Out):
    genome_id: int
    id: int
    genome_label: str
    name: str
    external_id: str | None
    genome_sex: str = Field(description="male, female or unspecified as uploaded")
    project_id: int
    assembly_version: str = Field(description="hg19 (GRCh37) or b38 (GRCh38)")
    size: str = Field(description='the size of the uploaded file, as Fabric prints it ("1.8 kB")')
    genome_status: Literal["UPLOADED", "ANNOTATING", "ANNOTATED", "FAILED"]
    status_reason: str | None
    upload_date: Stamp
    uploaded_by: int | None
    report_count: int | None
    is_upgraded: bool
    sample_name: str
    checksum: str | None = Field(description="MD5 of the uploaded file")
    bam_file: str | None


class DeletedGenome(BaseModel):
    id: int
    genome_id: int
    deleted: bool


# -- clinical reports (§3.3) -----------------------------------------------------------------------------
class ReportMember(BaseModel):
    genome_id: int | None
    sex: Literal["m", "f", "u"]
    affected: bool | None
    relationship: str = Field(description="proband, mother, father, sibling, child or other")
    label: str | None


class ClinicalReport(_Out):
    id: int
    type: Literal["clinical_report"]
    workspace_id: int
    project_id: int
    created_by: int
    created_on: Stamp
    test_type: str = Field(description="the report_type given at creation (panel, Trio, …)")
    status: str = Field(description="WAITING FOR SAMPLE, WAITING, READY TO REVIEW, … or a custom status")
    status_reason: str | None
    accession_id: str
    panel_id: int | None
    filter_id: int | None
    filter_name: None
    assay_type_id: None
    disease_id: str | None
    genome_id: int | None = Field(description="the proband's genome")
    proband_sex: Literal["m", "f", "u"]
    mother_genome_id: int | None
    father_genome_id: int | None
    sibling_genome_id: int | None
    sibling_sex: Literal["m", "f", "u"] | None
    sibling_affected: bool | None
    duo_relation_genome_id: int | None
    duo_relation: str | None
    duo_affected: bool | None
    members: list[ReportMember] | None = Field(description="flexible families only, the proband first")
    hpo_terms: list[str] | None
    phevor_terms: None
    variant_report_id: int | None = Field(description="the proband's genome: its annotated variants")
    vaast_report_id: int | None
    include_cosmic: bool
    score_indels: bool
    background: str | None = Field(description="FULL, as given")
    version: int
    sample_collected_date: str | None
    sample_received_date: str | None
    report_approved_date: Stamp
    approved_by: int | None
    pipeline_version: str
    patient_dict: dict[str, Any] = Field(
        description="first_name, last_name, sex, ethnicity, dob_month/dob_day/dob_year, … when set"
    )


class AcmgEvidence(BaseModel):
    code: str
    label: str
    strength: str
    direction: str
    source: Literal["manual", "automatic"]
    by: str | None
    at: str | None
    comment: str | None
    explanation: str | None
    overrides: str | None


class Genotype(BaseModel):
    member: str = Field(description="the label of the case member the call belongs to")
    gt: str | None
    zygosity: int | None = Field(description="0 reference, 1 het, 2 hom, 3 hemizygous, -1 no call")
    dp: int | None
    gq: float | None
    ad: list[int | None] | None


class _Locus(_Out):
    chromosome: str = Field(description="chr-prefixed (chrM for MT)")
    start_on_chrom: int = Field(description="1-based")
    end_on_chrom: int = Field(description="1-based inclusive")
    ref: str
    alt: str


class ReportVariant(_Locus):
    """§3.4: the proband's call (first member) in ``genotype`` … ``allele_depths``."""

    id: int
    report_id: int
    rsid: str | None
    quality: float | None
    genotype: str | None
    zygosity: Literal["reference", "heterozygous", "homozygous", "hemizygous", "no call"] | None
    genotype_quality: float | None
    read_depth: int | None
    allele_depths: list[int | None] | None
    gene_symbol: str | None
    transcript: str | None
    hgvs_c: str | None
    hgvs_p: str | None
    effect: str | None = Field(description="SO term of the worst consequence")
    gnomad_af: float | None
    clinvar_significance: Any
    inheritance_mode: str | None = Field(description="the modes found, comma-separated")
    inheritance_modes: list[str]
    classification: str | None
    criteria: list[str]
    acmg_evidence: list[AcmgEvidence]
    suggested_classification: dict[str, Any] | None
    status: VariantStatus
    to_report: ToReport
    internal_notes: str | None = Field(description="one note per line")
    genotypes: list[Genotype]
    active: bool = Field(description="false once a later analysis run no longer finds it")


class ExtendedReport(ClinicalReport):
    """``?extended=True``: the report with its variants and patient fields."""

    variants: list[ReportVariant]
    patient_fields: list[dict[str, Any]]


class WrappedReport(BaseModel):
    clinical_report: ClinicalReport


class AutomaticAcmg(BaseModel):
    classification: str | None
    criteria: list[str]
    classifications: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    provenance: Any


class AuditEntry(BaseModel):
    id: int | None
    date: Stamp
    user: int | None
    action: str
    field: str
    old: Any
    new: Any


class ScoredVariant(_Locus):
    """E24: the person's classification and criteria when given, else the automatic ACMG/AMP ones;
    ``audit_log`` only with ``audit_log=true``."""

    id: int
    report_variant_id: int
    report_id: int
    gene_symbol: str | None
    hgvs_c: str | None
    hgvs_p: str | None
    effect: str | None
    scoring_status: Literal["scored", "scoring", "classified", "unscored"]
    classification: str | None
    criteria: list[str]
    classification_source: Literal["manual", "automatic"] | None
    acmg_evidence: list[AcmgEvidence]
    suggested_classification: dict[str, Any] | None
    status: VariantStatus
    to_report: ToReport
    automatic: AutomaticAcmg | None
    audit_log: list[AuditEntry] | None = None


class StructuralVariant(_Locus):
    report_id: int
    sv_type: str | None
    sv_length: int | None
    rsid: str | None
    quality: float | None
    filter: str | None
    genotype: str | None
    zygosity: Literal["reference", "heterozygous", "homozygous", "hemizygous", "no call"] | None
    genotype_quality: float | None
    read_depth: int | None
    status: Literal["PENDING"]


class ConfirmationResult(BaseModel):
    """E21: what the confirmation VCF changed."""

    updated: list[int] = Field(description="report variant ids whose status the file set")
    confirmed: int
    failed: int
    ignored: int
    not_found: list[str] = Field(description='rows no report variant matches ("chr7:87160618:A>C")')


class VariantNote(BaseModel):
    note: str
    report_variant_id: int
    report_id: int
    internal_notes: str
    created_on: Stamp
    created_by: int | None


# -- panels, assay types, condition genes, jobs (§3.6, §3.7, §3.9, §3.10) -------------------------------
class FabricPanel(_Out):
    id: int
    name: str
    description: str
    methodology: str | None
    limitations: str | None
    fda_disclosure: str | None
    test_code: str | None
    version: str | None
    workspace_id: int
    created_by: int
    created_on: Stamp
    gene_count: int


class PanelRegion(BaseModel):
    symbol: str
    panel_id: int


class RegionsAdded(BaseModel):
    added: list[str]
    already_added: list[str]
    not_found: list[str]
    ambiguous: dict[str, list[Any]] = Field(description="query → candidate genes")


class FabricAssayType(_Out):
    id: int
    wso_id: int = Field(description="what get_assay_types.py prints as the id; the same as id")
    workspace_id: int
    name: str
    description: str | None
    quality_control_fields: list[str]
    created_on: Stamp


class FabricConditionGene(_Out):
    id: int
    cui: str | None
    gene_symbol: str
    condition: str | None
    inheritance: str | None
    prevalence: str | None
    penetrance: str | None
    age_of_onset: str | None
    notes: str | None
    pmids: list[str]
    workspace_id: int
    created_on: Stamp


class SecondaryJob(_Out):
    id: int
    uuid: str
    accession_id: str
    status: SecondaryAnalysisStatus
    workspace_id: int
    created_by: int | None
    created_on: Stamp
    modified_on: Stamp


# -- analyses and variant reports (§3.5, §5.9) ----------------------------------------------------------
class AnalysisGene(BaseModel):
    rank: int
    gene_symbol: str
    score: float | None
    burden_score: float | None
    inheritance_model: str | None
    phenotype_score: float | None


class FabricAnalysis(_Out):
    id: int
    report_type: str = Field(description="VAAST Solo Report, VAAST Trio Report, VAAST Quad Report, …")
    report_status: str = Field(description="WAITING, SUBMITTED, RUNNING, COMPLETE or FAILED")
    status_reason: str | None
    run_date: Stamp
    pipeline_version: str
    project_id: int
    genome_id: int | None
    proband_genome_id: int | None
    mother_genome_id: int | None
    father_genome_id: int | None
    sibling_genome_id: int | None
    proband_vaast_report_id: int | None
    hpo_terms: str | None = Field(description="comma-separated HPO ids")
    variant_report_id: int | None
    genes: list[AnalysisGene] = Field(
        description="a page of the ranking: its top 20, or E40's ?limit=&offset= (every gene is kept)"
    )
    gene_count: int = Field(description="genes in the whole ranking")


class DeletedAnalysis(BaseModel):
    id: int
    deleted: bool


class AnalysisVariant(_Locus):
    id: int = Field(description="the variant key")
    rsid: str | None
    quality: float | None
    genotype: str | None
    zygosity: str | None
    genotype_quality: float | None
    read_depth: int | None
    gene_symbol: str | None
    transcript: str | None
    hgvs_c: str | None
    hgvs_p: str | None
    effect: str | None
    gnomad_af: float | None
    clinvar_significance: Any
    inheritance_mode: str | None
    gene_rank: int | None
    gene_score: float | None
    genotypes: list[dict[str, Any]]


class AnalysisExport(BaseModel):
    objects: list[AnalysisVariant] = Field(description="empty for structural variants (small variants only)")
    analysis_id: int
    structural: bool


class VariantReportVariant(_Locus):
    """An annotated variant of one genome (a variant report's id is the genome's id)."""

    id: int = Field(description="the variant key")
    variant_report_id: int
    rsid: str | None
    quality: float | None
    filters: list[str] | None = Field(description="the VCF FILTER values of the call")
    genotype: str | None
    zygosity: str | None
    genotype_quality: float | None
    read_depth: int | None
    allele_depths: list[int | None] | None
    gene_symbol: str | None
    transcript: str | None
    hgvs_c: str | None
    hgvs_p: str | None
    effect: str | None
    impact: str | None
    gnomad_af: float | None
    clinvar_significance: Any
    inhouse_carriers: int | None = Field(
        description="carriers in the in-house database, when the bundle has one"
    )


class VariantReportPage(BaseModel):
    objects: list[VariantReportVariant]
    offset: int
    limit: int


# -- FE3 case containers (§6) -------------------------------------------------------------------------
class UploadUrl(BaseModel):
    url: str = Field(description="absolute: POST the member's genome there (F3)")
    member_id: int


class CaseContainerCreated(BaseModel):
    urls: list[UploadUrl] = Field(description="one per member, in the order of the request's members")
    case_container_id: int


class AuditUser(BaseModel):
    id: int
    firstname: str
    lastname: str


class Audit(BaseModel):
    date: UtcStamp
    user: AuditUser | None


class AnalysisSummary(BaseModel):
    status: str
    runs: int
    annotation: list[str]
    result: str | None
    result_reason: str | None


class ContainerAnalysis(BaseModel):
    id: int
    analysis_type: Literal["WGS", "PANEL", "MT_PANEL"]
    hpo_terms: list[str]
    test_id: int | None


class MemberGenome(BaseModel):
    id: int
    genome_name: str
    sample_name: str
    assembly_version: str
    status: Literal["UPLOADED", "ANNOTATING", "ANNOTATED", "FAILED"]
    sequencing_platform: str | None


class ContainerMember(BaseModel):
    id: int
    accession: str
    relationship: str
    sex: Literal["MALE", "FEMALE", "UNSPECIFIED"]
    affected: bool | None
    phi: dict[str, dict[str, Any]] | None
    genome: MemberGenome | None


class ContainerReport(BaseModel):
    id: int
    version: int
    status: Literal["FINAL", "AMENDED"]
    approved_date: UtcStamp


class CaseContainer(_Out):
    id: int
    status: str
    due_date: Any = Field(description="as given at creation (F1 due_date), else null")
    created_audit: Audit
    modified_audit: Audit | None
    analysis_summary: AnalysisSummary | None
    analyses: list[ContainerAnalysis]
    assembly_version: str | None
    sequencing_platform: str | None
    members: list[ContainerMember]
    reports: list[ContainerReport] = Field(description="the approved versions: the original, amendments")


class MemberGenomeUploaded(BaseModel):
    genome_id: int
    genome_name: str
    assembly_version: str
    member_id: int
    case_container_id: int


class TextField(BaseModel):
    label: str
    body: str


class ContainerReportDocument(_Out):
    """F4: everything the PDF shows (the report document), with Fabric's ``text_fields``."""

    laboratory: dict[str, Any]
    report: dict[str, Any]
    patient: dict[str, Any]
    specimen: dict[str, Any]
    physician: dict[str, Any] | None
    test: dict[str, Any]
    primary_findings: list[dict[str, Any]]
    secondary_findings: list[dict[str, Any]]
    secondary_findings_analysed: bool
    qc: list[dict[str, Any]]
    comments: str
    signatures: list[dict[str, Any]]
    disclaimer: str
    no_findings_statement: str
    not_interpretable_reason: str
    not_interpretable_statement: str
    synthetic_banner: str
    annotation_sources: list[str]
    page_size: str
    extra: dict[str, Any]
    case_container_id: int
    report_id: int
    version: int
    status: str
    approved_date: UtcStamp
    results_summary: str
    text_fields: list[TextField]


class DownloadLink(BaseModel):
    download_url: str = Field(description="a URL of this server, signed; no credentials needed")
    expires_in: int = Field(description="seconds")
