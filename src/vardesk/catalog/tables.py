"""Catalog tables (SQLAlchemy Core) and their mapping onto the domain dataclasses.

The domain stays free of SQLAlchemy: dataclasses are mapped imperatively here. Alembic migrations under
``catalog/migrations`` create exactly these tables; a test checks they agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import registry
from sqlalchemy.types import TypeDecorator

from vardesk.domain import analyses as analyses_domain
from vardesk.domain import cases as cases_domain
from vardesk.domain import matrices as matrices_domain
from vardesk.domain import models
from vardesk.domain import providers as providers_domain
from vardesk.domain import web_sessions as web_sessions_domain
from vardesk.domain import webhooks as webhooks_domain
from vardesk.domain.acmg import ManualCriterion
from vardesk.domain.enums import Affected, GenomeState, JobState, Role, Sex, ShareRole, VariantTag

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the catalog; use UTC-aware datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class ManualCriteriaJSON(TypeDecorator):
    """Reviewer criteria: JSON ``{code, strength, by, at, comment}`` entries ↔ :class:`ManualCriterion`
    (labels such as ``PM2_Supporting``, as rows held them before revision 0008, read too)."""

    impl, cache_ok = JSON, True

    def process_bind_param(self, value: list[Any] | None, dialect: Any) -> list[Any]:
        return [e.to_dict() if isinstance(e, ManualCriterion) else e for e in value or []]

    def process_result_value(self, value: list[Any] | None, dialect: Any) -> list[ManualCriterion]:
        return [ManualCriterion.from_stored(v) for v in value or []]


def _ts(name: str, nullable: bool = False) -> Column:
    return Column(name, UTCDateTime(), nullable=nullable)


def _enum(enum_cls: type, name: str) -> Enum:
    return Enum(
        enum_cls, name=name, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e]
    )


workspaces = Table(
    "workspaces",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(255), nullable=False),
    _ts("created_at"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("email", String(320), nullable=False),
    Column("login", String(128), nullable=False, unique=True),
    Column("name", String(255), nullable=False, default=""),
    Column("role", _enum(Role, "role"), nullable=False),
    Column("password_hash", String(255)),
    Column("active", Boolean, nullable=False, default=True),
    _ts("created_at"),
    UniqueConstraint("workspace_id", "email", name="uq_users_workspace_email"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("login", String(64), nullable=False, unique=True),
    Column("secret_hash", String(255), nullable=False),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("description", String(255), nullable=False, default=""),
    _ts("created_at"),
    _ts("last_used_at", True),
    _ts("revoked_at", True),
)

projects = Table(
    "projects",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("code", String(128), nullable=False),
    Column("name", String(255), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("owner_id", ForeignKey("users.id"), nullable=False),
    Column("organism_scientific_name", String(255), nullable=False, default=""),
    Column("organism_common_name", String(255), nullable=False, default=""),
    Column("assembly", String(32), nullable=False, default=""),
    Column("share_role", _enum(ShareRole, "share_role"), nullable=False),
    Column("attributes", JSON, nullable=False, default=dict),
    _ts("created_at"),
    _ts("modified_at"),
    UniqueConstraint("workspace_id", "code", name="uq_projects_workspace_code"),
)

studies = Table(
    "studies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("code", String(128), nullable=False),
    Column("name", String(255), nullable=False),
    Column("alias", String(128), nullable=False, default=""),
    Column("description", Text, nullable=False, default=""),
    Column("type", String(64), nullable=False, default="CASE_CONTROL"),
    Column("is_default", Boolean, nullable=False, default=False),
    Column("attributes", JSON, nullable=False, default=dict),
    _ts("created_at"),
    _ts("modified_at"),
    UniqueConstraint("project_id", "code", name="uq_studies_project_code"),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("code", String(128), nullable=False, unique=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("project_id", ForeignKey("projects.id", ondelete="SET NULL")),
    Column("study_id", ForeignKey("studies.id", ondelete="SET NULL")),
    Column("tool", String(128), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("params", JSON, nullable=False, default=dict),
    Column("state", _enum(JobState, "job_state"), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("max_attempts", Integer, nullable=False, default=2),
    Column("progress", Float, nullable=False, default=0.0),
    Column("progress_message", Text, nullable=False, default=""),
    Column("result", JSON),
    Column("error", Text),
    Column("worker_id", String(128)),
    Column("cancel_requested", Boolean, nullable=False, default=False),
    Column("created_by", ForeignKey("users.id", ondelete="SET NULL")),
    _ts("heartbeat_at", True),
    _ts("created_at"),
    _ts("started_at", True),
    _ts("finished_at", True),
    Index("ix_jobs_state_created", "state", "created_at"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    _ts("at"),
    Column("workspace_id", Integer),
    Column("user_id", Integer),
    Column("action", String(64), nullable=False),
    Column("entity_type", String(64), nullable=False, default=""),
    Column("entity_id", String(128), nullable=False, default=""),
    Column("outcome", String(32), nullable=False, default="ok"),
    Column("details", JSON, nullable=False, default=dict),
    Column("request_id", String(64), nullable=False, default=""),
    Index("ix_audit_log_workspace_at", "workspace_id", "at"),
)

auth_failures = Table(
    "auth_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("login", String(320), nullable=False),
    # the caller's address ("unknown" when the server could not tell), for throttling per address
    Column("source", String(64), nullable=False, default="", server_default=""),
    _ts("at"),
    Index("ix_auth_failures_login_at", "login", "at"),
    Index("ix_auth_failures_source_at", "source", "at"),
    Index("ix_auth_failures_at", "at"),
)

# an upload being moved into the store: recorded (committed) before the blob lands under ``uploads/`` and
# deleted in the transaction that records the file, so a crash in between leaves a row naming the blob
upload_intents = Table(
    "upload_intents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("file_uuid", String(36), nullable=False),
    Column("blob_prefix", String(255), nullable=False),
    Column("owner", String(255), nullable=False),  # the process tag of the uploader (or the sweeper)
    _ts("at"),
)

files = Table(
    "files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("study_id", ForeignKey("studies.id", ondelete="CASCADE"), nullable=False),
    Column("code", String(512), nullable=False),
    Column("name", String(255), nullable=False),
    Column("path", String(1024), nullable=False),
    Column("blob_key", String(512), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("md5", String(32), nullable=False, default=""),
    Column("sha256", String(64), nullable=False, default=""),
    Column("format", String(32), nullable=False, default="VCF"),
    Column("compression", String(16), nullable=False, default="plain"),
    Column("vcf_version", String(16), nullable=False, default=""),
    Column("build", String(16), nullable=False, default=""),
    Column("samples", JSON, nullable=False, default=list),
    Column("records", BigInteger, nullable=False, default=0),
    Column("gvcf", Boolean, nullable=False, default=False),
    Column("state", _enum(GenomeState, "genome_state"), nullable=False),
    Column("state_reason", Text, nullable=False, default=""),
    Column("description", Text, nullable=False, default=""),
    Column("attributes", JSON, nullable=False, default=dict),
    Column("created_by", ForeignKey("users.id", ondelete="SET NULL")),
    _ts("created_at"),
    _ts("modified_at"),
    UniqueConstraint("study_id", "code", name="uq_files_study_code"),
    Index("uq_files_study_path", "study_id", "path", unique=True),
)

individuals = Table(
    "individuals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("study_id", ForeignKey("studies.id", ondelete="CASCADE"), nullable=False),
    Column("code", String(128), nullable=False),
    Column("name", String(255), nullable=False, default=""),
    Column("sex", _enum(Sex, "sex"), nullable=False),
    Column("affected", _enum(Affected, "affected"), nullable=False),
    Column("father_id", ForeignKey("individuals.id", ondelete="SET NULL")),
    Column("mother_id", ForeignKey("individuals.id", ondelete="SET NULL")),
    Column("date_of_birth", String(32), nullable=False, default=""),
    Column("ethnicity", String(128), nullable=False, default=""),
    Column("phenotypes", JSON, nullable=False, default=list),
    Column("disorders", JSON, nullable=False, default=list),
    Column("attributes", JSON, nullable=False, default=dict),
    _ts("created_at"),
    _ts("modified_at"),
    UniqueConstraint("study_id", "code", name="uq_individuals_study_code"),
)

genomes = Table(
    "genomes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("study_id", ForeignKey("studies.id", ondelete="CASCADE"), nullable=False),
    Column("file_id", ForeignKey("files.id", ondelete="CASCADE"), nullable=False),
    Column("code", String(128), nullable=False),
    Column("sample_name", String(255), nullable=False),
    Column("sample_index", Integer, nullable=False),
    Column("label", String(255), nullable=False, default=""),
    Column("individual_id", ForeignKey("individuals.id", ondelete="SET NULL")),
    Column("state", _enum(GenomeState, "genome_state"), nullable=False),
    Column("state_reason", Text, nullable=False, default=""),
    Column("build", String(16), nullable=False, default=""),
    Column("genotypes_key", String(512), nullable=False, default=""),
    Column("coverage_key", String(512), nullable=False, default=""),
    Column("variants", BigInteger, nullable=False, default=0),
    Column("called", BigInteger, nullable=False, default=0),
    Column("annotation_bundle", String(128), nullable=False, default=""),
    Column("annotation_version", String(64), nullable=False, default=""),
    Column("annotation_info", JSON),
    Column("somatic", Boolean, nullable=False, default=False),
    Column("attributes", JSON, nullable=False, default=dict),
    _ts("created_at"),
    _ts("modified_at"),
    UniqueConstraint("study_id", "code", name="uq_genomes_study_code"),
    Index("ix_genomes_file", "file_id"),
)

families = Table(
    "families",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("study_id", ForeignKey("studies.id", ondelete="CASCADE"), nullable=False),
    Column("code", String(128), nullable=False),
    Column("name", String(255), nullable=False, default=""),
    Column("description", Text, nullable=False, default=""),
    Column("attributes", JSON, nullable=False, default=dict),
    _ts("created_at"),
    _ts("modified_at"),
    UniqueConstraint("study_id", "code", name="uq_families_study_code"),
)

family_members = Table(
    "family_members",
    metadata,
    Column("family_id", ForeignKey("families.id", ondelete="CASCADE"), primary_key=True),
    Column("individual_id", ForeignKey("individuals.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
)

panels = Table(
    "panels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("methodology", Text, nullable=False, default=""),
    Column("limitations", Text, nullable=False, default=""),
    Column("fda_disclosure", Text, nullable=False, default=""),
    Column("test_code", String(64), nullable=False, default=""),
    Column("version", String(32), nullable=False, default="1"),
    Column("genes", JSON, nullable=False, default=list),
    Column("regions", JSON, nullable=False, default=list),
    Column("created_by", ForeignKey("users.id", ondelete="SET NULL")),
    _ts("created_at"),
    _ts("modified_at"),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("study_id", ForeignKey("studies.id", ondelete="CASCADE"), nullable=False),
    Column("code", String(128), nullable=False),
    Column("type", _enum(cases_domain.CaseType, "case_type"), nullable=False),
    Column("title", String(255), nullable=False, default=""),
    Column("status", String(64), nullable=False),
    Column("status_reason", Text, nullable=False, default=""),
    Column("accession_id", String(128), nullable=False, default=""),
    Column("external_ids", JSON, nullable=False, default=dict),
    Column("panel_id", ForeignKey("panels.id", ondelete="SET NULL")),
    Column("filter_preset", JSON, nullable=False, default=dict),
    Column("assay_type", String(128), nullable=False, default=""),
    Column("hpo_terms", JSON, nullable=False, default=list),
    Column("patient_fields", JSON, nullable=False, default=dict),
    Column("qc_data", JSON, nullable=False, default=dict),
    Column("dates", JSON, nullable=False, default=dict),
    Column("version", Integer, nullable=False, default=1),
    Column("analysis_run", Integer, nullable=False, default=0),
    Column("annotation_sources", JSON, nullable=False, default=list),
    Column("analysis_result", String(32), nullable=False, default=""),
    Column("analysis_result_reason", Text, nullable=False, default=""),
    Column("created_by", ForeignKey("users.id", ondelete="SET NULL")),
    Column("last_interpreter_id", ForeignKey("users.id", ondelete="SET NULL")),
    Column("approved_by", ForeignKey("users.id", ondelete="SET NULL")),
    _ts("report_approved_date", True),
    Column("amends_case_id", ForeignKey("cases.id", ondelete="SET NULL")),
    _ts("created_at"),
    _ts("modified_at"),
    UniqueConstraint("study_id", "code", name="uq_cases_study_code"),
)

case_members = Table(
    "case_members",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("relation", String(32), nullable=False),
    Column("sex", _enum(Sex, "sex"), nullable=False),
    Column("affected", _enum(Affected, "affected"), nullable=False),
    Column("label", String(255), nullable=False, default=""),
    Column("genome_id", ForeignKey("genomes.id", ondelete="SET NULL")),
    Column("individual_id", ForeignKey("individuals.id", ondelete="SET NULL")),
    Index("ix_case_members_case", "case_id"),
)

case_events = Table(
    "case_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("action", String(64), nullable=False),
    Column("user_id", ForeignKey("users.id", ondelete="SET NULL")),
    Column("changes", JSON, nullable=False, default=dict),
    _ts("at"),
    Index("ix_case_events_case", "case_id"),
)

report_variants = Table(
    "report_variants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("run", Integer, nullable=False),
    Column("key", BigInteger, nullable=False),
    Column("chrom", String(64), nullable=False),
    Column("pos", Integer, nullable=False),
    Column("ref", Text, nullable=False),
    Column("alt", Text, nullable=False),
    Column("gene", String(64), nullable=False, default=""),
    Column("transcript", String(64), nullable=False, default=""),
    Column("hgvs_c", Text, nullable=False, default=""),
    Column("hgvs_p", Text, nullable=False, default=""),
    Column("consequence", String(64), nullable=False, default=""),
    Column("rsid", String(64), nullable=False, default=""),
    Column("qual", Float),
    Column("genotypes", JSON, nullable=False, default=list),
    Column("gnomad_af", Float),
    Column("clinvar", JSON, nullable=False, default=dict),
    Column("inheritance_modes", JSON, nullable=False, default=list),
    Column("annotation_source", String(160), nullable=False, default=""),
    Column("status", _enum(cases_domain.VariantStatus, "variant_status"), nullable=False),
    Column("to_report", _enum(cases_domain.ToReport, "to_report"), nullable=False),
    Column("tag", _enum(VariantTag, "variant_tag"), nullable=False, default=VariantTag.NONE),
    Column("classification", String(64), nullable=False, default=""),
    Column("criteria", ManualCriteriaJSON(), nullable=False, default=list),
    Column("interpretation", Text, nullable=False, default=""),
    Column("internal_notes", Text, nullable=False, default=""),
    Column("acmg", JSON, nullable=False, default=dict),
    Column("active", Boolean, nullable=False, default=True),
    _ts("created_at"),
    _ts("modified_at"),
    Index("ix_report_variants_case", "case_id", "key"),
)

variant_events = Table(
    "variant_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("report_variant_id", ForeignKey("report_variants.id", ondelete="CASCADE"), nullable=False),
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", ForeignKey("users.id", ondelete="SET NULL")),
    Column("field", String(64), nullable=False),
    Column("old", JSON),
    Column("new", JSON),
    _ts("at"),
    Index("ix_variant_events_variant", "report_variant_id"),
)

workspace_configs = Table(
    "workspace_configs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("review_statuses", JSON, nullable=False, default=list),
    Column("patient_fields", JSON, nullable=False, default=list),
    _ts("modified_at"),
)

assay_types = Table(
    "assay_types",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("qc_fields", JSON, nullable=False, default=list),
    _ts("created_at"),
    UniqueConstraint("workspace_id", "name", name="uq_assay_types_workspace_name"),
)

condition_genes = Table(
    "condition_genes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("gene", String(64), nullable=False),
    Column("condition", String(512), nullable=False),
    Column("cui", String(64), nullable=False, default=""),
    Column("inheritance", String(128), nullable=False, default=""),
    Column("prevalence", String(128), nullable=False, default=""),
    Column("penetrance", String(128), nullable=False, default=""),
    Column("age_of_onset", String(128), nullable=False, default=""),
    Column("pmids", JSON, nullable=False, default=list),
    Column("notes", Text, nullable=False, default=""),
    _ts("created_at"),
    Index("ix_condition_genes_workspace_gene", "workspace_id", "gene"),
)

secondary_analysis_jobs = Table(
    "secondary_analysis_jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("accession_id", String(128), nullable=False),
    Column(
        "status", _enum(cases_domain.SecondaryAnalysisStatus, "secondary_analysis_status"), nullable=False
    ),
    Column("created_by", ForeignKey("users.id", ondelete="SET NULL")),
    _ts("created_at"),
    _ts("modified_at"),
    Index("ix_secondary_analysis_jobs_workspace_accession", "workspace_id", "accession_id"),
)

gene_analyses = Table(
    "gene_analyses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("study_id", ForeignKey("studies.id", ondelete="CASCADE"), nullable=False),
    Column("case_id", ForeignKey("cases.id", ondelete="CASCADE")),
    Column("run", Integer, nullable=False, default=0),
    Column("parent_id", ForeignKey("gene_analyses.id", ondelete="SET NULL")),
    Column("kind", String(64), nullable=False),
    Column("members", JSON, nullable=False, default=list),
    Column("hpo_terms", JSON, nullable=False, default=list),
    Column("status", String(32), nullable=False),
    Column("status_reason", Text, nullable=False, default=""),
    Column("job_id", ForeignKey("jobs.id", ondelete="SET NULL")),
    Column("genes", JSON, nullable=False, default=list),
    Column("variants", JSON, nullable=False, default=list),
    Column("summary", JSON, nullable=False, default=dict),
    Column("created_by", ForeignKey("users.id", ondelete="SET NULL")),
    _ts("created_at"),
    _ts("modified_at"),
    Index("ix_gene_analyses_case", "case_id", "run"),
    Index("ix_gene_analyses_workspace", "workspace_id"),
)

bundle_enablements = Table(
    "bundle_enablements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("bundle_id", String(128), nullable=False),
    Column("build", String(16), nullable=False),
    Column("scope", String(16), nullable=False),  # installed | workspace | default
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE")),
    Column("synthetic", Boolean, nullable=False, default=False),
    Column("actor", String(255), nullable=False, default=""),
    Column("user_id", ForeignKey("users.id", ondelete="SET NULL")),
    _ts("at"),
    Index("ix_bundle_enablements_bundle", "bundle_id"),
)

storage_providers = Table(
    "storage_providers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("scheme", _enum(providers_domain.ProviderScheme, "provider_scheme"), nullable=False),
    Column("root", Text, nullable=False),
    Column("endpoint_url", Text, nullable=False, default=""),
    Column("created_by", ForeignKey("users.id", ondelete="SET NULL")),
    _ts("created_at"),
    UniqueConstraint("workspace_id", "name", name="uq_storage_providers_workspace_name"),
)

webhooks = Table(
    "webhooks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("url", Text, nullable=False),
    Column("secret", String(128), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    _ts("created_at"),
    Index("ix_webhooks_workspace", "workspace_id"),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("webhook_id", ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("event", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("state", _enum(webhooks_domain.DeliveryState, "delivery_state"), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_status", Integer),
    Column("last_error", Text, nullable=False, default=""),
    _ts("created_at"),
    _ts("delivered_at", nullable=True),
    Index("ix_webhook_deliveries_workspace", "workspace_id"),
)

# a browser session of the web application: the SHA-256 of the cookie's token, never the token
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    _ts("created_at"),
    _ts("last_seen_at"),
    _ts("expires_at"),
    Index("ix_web_sessions_expires_at", "expires_at"),
)

genotype_matrices = Table(
    "genotype_matrices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("workspace_id", ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("study_id", ForeignKey("studies.id", ondelete="CASCADE"), nullable=False),
    Column("case_id", ForeignKey("cases.id", ondelete="SET NULL")),
    Column("members_key", String(512), nullable=False),
    Column("genome_ids", JSON, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("layout", Integer, nullable=False),
    Column("blob_key", Text, nullable=False),
    Column("rows", Integer, nullable=False, default=0),
    Column("info", JSON, nullable=False),
    _ts("built_at"),
    UniqueConstraint("study_id", "members_key", name="uq_genotype_matrices_study_members"),
)

mapper_registry = registry(metadata=metadata)
_MAPPED = False


def map_domain() -> None:
    """Map the domain dataclasses onto the tables (idempotent)."""
    global _MAPPED
    if _MAPPED:
        return
    for cls, table in (
        (models.Workspace, workspaces),
        (models.User, users),
        (models.ApiKey, api_keys),
        (models.Project, projects),
        (models.Study, studies),
        (models.Job, jobs),
        (models.AuditEntry, audit_log),
        (models.VcfFile, files),
        (models.Genome, genomes),
        (models.Individual, individuals),
        (models.Family, families),
        (cases_domain.Panel, panels),
        (cases_domain.Case, cases),
        (cases_domain.CaseMember, case_members),
        (cases_domain.CaseEvent, case_events),
        (cases_domain.ReportVariant, report_variants),
        (cases_domain.VariantEvent, variant_events),
        (cases_domain.WorkspaceConfig, workspace_configs),
        (cases_domain.AssayType, assay_types),
        (cases_domain.ConditionGene, condition_genes),
        (cases_domain.SecondaryAnalysisJob, secondary_analysis_jobs),
        (analyses_domain.GeneAnalysis, gene_analyses),
        (models.BundleEnablement, bundle_enablements),
        (providers_domain.StorageProvider, storage_providers),
        (webhooks_domain.Webhook, webhooks),
        (webhooks_domain.WebhookDelivery, webhook_deliveries),
        (web_sessions_domain.WebSession, web_sessions),
        (matrices_domain.GenotypeMatrix, genotype_matrices),
    ):
        mapper_registry.map_imperatively(cls, table)
    _MAPPED = True
