"""Catalog entities as plain dataclasses. The catalog maps them to tables; nothing here does I/O."""

from __future__ import annotations

import uuid as _uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from vardesk.domain.enums import Affected, GenomeState, JobState, Role, Sex, ShareRole


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_uuid() -> str:
    return str(_uuid.uuid4())


@dataclass(eq=False)
class Workspace:
    code: str
    name: str
    id: int | None = None
    uuid: str = field(default_factory=new_uuid)
    created_at: datetime = field(default_factory=utcnow)


@dataclass(eq=False)
class User:
    workspace_id: int
    email: str
    login: str
    role: Role
    name: str = ""
    password_hash: str | None = None
    active: bool = True
    id: int | None = None
    uuid: str = field(default_factory=new_uuid)
    created_at: datetime = field(default_factory=utcnow)


@dataclass(eq=False)
class ApiKey:
    login: str
    secret_hash: str
    user_id: int
    workspace_id: int
    description: str = ""
    id: int | None = None
    created_at: datetime = field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


@dataclass(eq=False)
class Project:
    workspace_id: int
    code: str
    name: str
    owner_id: int
    description: str = ""
    organism_scientific_name: str = ""
    organism_common_name: str = ""
    assembly: str = ""
    share_role: ShareRole = ShareRole.CONTRIBUTOR
    attributes: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    uuid: str = field(default_factory=new_uuid)
    created_at: datetime = field(default_factory=utcnow)
    modified_at: datetime = field(default_factory=utcnow)


@dataclass(eq=False)
class Study:
    project_id: int
    code: str
    name: str
    alias: str = ""
    description: str = ""
    type: str = "CASE_CONTROL"
    is_default: bool = False
    attributes: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    uuid: str = field(default_factory=new_uuid)
    created_at: datetime = field(default_factory=utcnow)
    modified_at: datetime = field(default_factory=utcnow)


@dataclass(eq=False)
class Job:
    workspace_id: int
    tool: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    created_by: int | None = None
    project_id: int | None = None
    study_id: int | None = None
    description: str = ""
    state: JobState = JobState.QUEUED
    attempts: int = 0
    max_attempts: int = 2
    progress: float = 0.0
    progress_message: str = ""
    result: dict[str, Any] | None = None
    error: str | None = None
    worker_id: str | None = None
    heartbeat_at: datetime | None = None
    id: int | None = None
    uuid: str = field(default_factory=new_uuid)
    created_at: datetime = field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    cancel_requested: bool = False


@dataclass(eq=False)
class AuditEntry:
    action: str
    workspace_id: int | None = None
    user_id: int | None = None
    entity_type: str = ""
    entity_id: str = ""
    outcome: str = "ok"
    details: dict[str, Any] = field(default_factory=dict)
    request_id: str = ""
    id: int | None = None
    at: datetime = field(default_factory=utcnow)


@dataclass(eq=False)
class VcfFile:
    """An uploaded variant file, stored as a blob; its samples become genomes."""

    workspace_id: int
    project_id: int
    study_id: int
    code: str  # the file's id (OpenCGA ``id``): made by the server, see domain.ids.new_file_code
    name: str  # the client's file name: metadata (often a patient name), never an id, URL or log value
    path: str  # the client's folder + name (OpenCGA ``path``), unique in the study: metadata like name
    blob_key: str
    size: int
    created_by: int
    md5: str = ""
    sha256: str = ""
    format: str = "VCF"
    compression: str = "plain"
    vcf_version: str = ""
    build: str = ""
    samples: list[str] = field(default_factory=list)
    records: int = 0
    gvcf: bool = False
    state: GenomeState = GenomeState.UPLOADED
    state_reason: str = ""
    description: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    uuid: str = field(default_factory=new_uuid)
    created_at: datetime = field(default_factory=utcnow)
    modified_at: datetime = field(default_factory=utcnow)


@dataclass(eq=False)
class Genome:
    """One sample's calls from one file (OpenCGA sample, Fabric genome, Emedgene sample)."""

    workspace_id: int
    project_id: int
    study_id: int
    file_id: int
    code: str  # unique in the study
    sample_name: str  # the VCF column name
    sample_index: int
    label: str = ""
    individual_id: int | None = None
    state: GenomeState = GenomeState.UPLOADED
    state_reason: str = ""
    build: str = ""
    genotypes_key: str = ""  # blob key of genotypes/<genome>.parquet
    coverage_key: str = ""
    variants: int = 0
    called: int = 0
    annotation_bundle: str = ""
    annotation_version: str = ""
    # how the genome was annotated: source (bundle | pipeline | none), reason, synthetic, checks; see
    # vardesk.domain.annotation_source
    annotation_info: dict[str, Any] | None = None
    somatic: bool = False
    attributes: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    uuid: str = field(default_factory=new_uuid)
    created_at: datetime = field(default_factory=utcnow)
    modified_at: datetime = field(default_factory=utcnow)


@dataclass(eq=False)
class Individual:
    workspace_id: int
    study_id: int
    code: str
    name: str = ""
    sex: Sex = Sex.UNKNOWN
    affected: Affected = Affected.UNKNOWN
    father_id: int | None = None
    mother_id: int | None = None
    date_of_birth: str = ""
    ethnicity: str = ""
    phenotypes: list[dict[str, Any]] = field(default_factory=list)  # [{"id": "HP:…", "name": …}]
    disorders: list[dict[str, Any]] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    uuid: str = field(default_factory=new_uuid)
    created_at: datetime = field(default_factory=utcnow)
    modified_at: datetime = field(default_factory=utcnow)


@dataclass(eq=False)
class Family:
    workspace_id: int
    study_id: int
    code: str
    name: str = ""
    description: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    uuid: str = field(default_factory=new_uuid)
    created_at: datetime = field(default_factory=utcnow)
    modified_at: datetime = field(default_factory=utcnow)


@dataclass(eq=False)
class BundleEnablement:
    """Where an installed reference bundle may be used: ``scope`` is ``installed`` (files on the server,
    usable nowhere yet), ``workspace`` (enabled for ``workspace_id``) or ``default`` (the server default for
    its build). Who did it and when."""

    bundle_id: str
    build: str
    scope: str
    workspace_id: int | None = None
    synthetic: bool = False
    actor: str = ""  # login of the person, or "migration" / "cli"
    user_id: int | None = None
    id: int | None = None
    at: datetime = field(default_factory=utcnow)
