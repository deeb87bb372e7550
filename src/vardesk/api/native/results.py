"""Pydantic models of the native API's result objects and of the RestResponse envelope, for OpenAPI only.

Each result model names the fields every such object has (OpenCGA's data models have more, and Vardesk
adds its own under ``attributes``); a test checks them against real responses.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class _Result(BaseModel):
    model_config = ConfigDict(extra="allow")


class Status(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str


class Event(BaseModel):
    """An ERROR event makes the response 400 (403 for a permission problem, 401 for credentials)."""

    type: str = Field(description="ERROR, WARNING or INFO")
    code: int = 0
    id: str = Field(description="the exception's name, or the id an info request could not find")
    name: str
    message: str
    description: str


class OpenCGAResult(BaseModel, Generic[T]):
    time: int = Field(description="milliseconds")
    events: list[Event]
    numResults: int
    results: list[T]
    numTotalResults: int
    numMatches: int = Field(description="total matches when count=true, else -1")
    numInserted: int
    numUpdated: int
    numDeleted: int
    numErrors: int
    attributes: dict[str, Any]
    federationNode: dict[str, Any]
    resultType: str | None = None


class RestResponse(BaseModel, Generic[T]):
    """OpenCGA's response envelope: the objects are in ``responses[0].results``."""

    apiVersion: str
    time: int
    events: list[Event]
    params: dict[str, str] = Field(description="the query and path parameters of the request (no sid)")
    type: str
    responses: list[OpenCGAResult[T]]


class About(_Result):
    Program: str
    Version: str
    Description: str


class Token(_Result):
    token: str = Field(description="send as Authorization: Bearer <token> (or ?sid=)")
    refreshToken: str = Field(description="POST users/login {refreshToken} for a new pair")
    expiresIn: int = Field(description="seconds")


class Study(_Result):
    id: str
    uuid: str
    name: str
    alias: str
    fqn: str = Field(description="organization@project:study")
    description: str
    type: Status
    creationDate: str | None
    modificationDate: str | None
    attributes: dict[str, Any]


class Project(_Result):
    id: str
    uuid: str
    name: str
    fqn: str = Field(description="organization@project")
    description: str
    organism: dict[str, Any]
    shareRole: str
    studies: list[Study]
    creationDate: str | None
    attributes: dict[str, Any]


class User(_Result):
    id: str = Field(description="login")
    name: str
    email: str
    organization: str = Field(description="the workspace code")
    account: dict[str, Any] = Field(description="type: the role")
    projects: list[Project] = Field(description="filled only for your own account")


class Job(_Result):
    id: str
    uuid: str
    tool: Status
    study: dict[str, Any]
    params: dict[str, Any]
    creationDate: str | None
    internal: dict[str, Any] = Field(description="status.id: PENDING, QUEUED, RUNNING, DONE, ERROR, ABORTED")
    execution: dict[str, Any]
    attributes: dict[str, Any] = Field(description="progress, progressMessage, attempts, result, error")


class File(_Result):
    id: str = Field(description="made by the server (file_ and 20 hex digits); never the file's name")
    uuid: str
    name: str = Field(description="the uploaded file's name (metadata, may be PHI)")
    format: str
    path: str = Field(description="relativeFilePath + name, as uploaded (metadata, may be PHI)")
    size: int
    checksum: str = Field(description="SHA-256")
    sampleIds: list[str]
    internal: dict[str, Any]
    attributes: dict[str, Any]


class Sample(_Result):
    id: str
    uuid: str
    individualId: str
    fileIds: list[str]
    somatic: bool
    attributes: dict[str, Any]


class Individual(_Result):
    id: str
    uuid: str
    name: str
    father: dict[str, Any]
    mother: dict[str, Any]
    familyIds: list[str]
    sex: Status
    phenotypes: list[dict[str, Any]]
    disorders: list[dict[str, Any]]
    samples: list[dict[str, Any]]
    attributes: dict[str, Any] = Field(description="affected: AFFECTED, UNAFFECTED or UNKNOWN")


class Family(_Result):
    id: str
    uuid: str
    name: str
    description: str
    members: list[Individual]
    expectedSize: int
    attributes: dict[str, Any]


class Variant(_Result):
    id: str = Field(description="chrom:start:ref:alt (OpenCGA alleles)")
    names: list[str]
    chromosome: str
    start: int
    end: int
    reference: str
    alternate: str
    type: str
    studies: list[dict[str, Any]] = Field(description="per-sample genotypes and file data")
    annotation: dict[str, Any] | None = Field(
        None, description="consequence types, HGVS, gene, frequencies; absent when not annotated"
    )


class Case(_Result):
    id: str
    uuid: str
    description: str
    type: str = Field(description="OpenCGA's type: SINGLE, FAMILY, CANCER…")
    proband: dict[str, Any] | None
    family: dict[str, Any]
    panels: list[dict[str, Any]]
    locked: bool
    interpretation: dict[str, Any]
    creationDate: str | None
    version: int
    status: dict[str, Any] = Field(description="id: the case's review status")
    attributes: dict[str, Any] = Field(description="Vardesk's case type, patient fields, QC, dates…")


class Finding(_Result):
    id: str
    chromosome: str
    start: int
    end: int
    reference: str
    alternate: str
    type: str
    status: str
    evidences: list[dict[str, Any]]
    attributes: dict[str, Any] = Field(
        description="vardesk: report-variant id, classification, notes…; acmgEvidence (the met ACMG/AMP "
        "criteria: code, label, strength, direction, source manual|automatic, by, at, comment, overrides) "
        "and suggestedClassification (the classifiers over them: classification, system, rule, criteria, "
        "points, classifications)"
    )


class Interpretation(_Result):
    id: str = Field(description="{case}.1")
    clinicalAnalysisId: str
    primaryFindings: list[Finding]
    secondaryFindings: list[Finding]
    locked: bool
    stats: dict[str, Any]
    version: int


class CaseEvent(_Result):
    version: int
    action: str
    userId: int | None
    date: str | None
    changes: dict[str, Any]


class VariantEvent(_Result):
    field: str
    old: Any
    new: Any
    userId: int | None
    date: str | None


class Ranking(_Result):
    id: str
    clinicalAnalysisId: str
    run: int
    method: str | None
    hpoTerms: list[Any]
    numGenes: int
    date: str | None
    genes: list[dict[str, Any]] = Field(description="ranked genes with scores, explaining disease, mode fit")


class ConfirmationOutcome(_Result):
    confirmed: int
    failed: int


class Panel(_Result):
    id: str
    uuid: str
    name: str
    description: str
    genes: list[dict[str, Any]]
    regions: list[dict[str, Any]]
    version: str
    attributes: dict[str, Any]
    geneResult: dict[str, Any] | None = Field(None, description="create/update: genes added, unknown…")


class ClinicalConfiguration(_Result):
    reviewStatuses: list[Any]
    patientFields: list[str]
    modificationDate: str | None


class AssayType(_Result):
    id: str
    name: str
    description: str
    qcFields: list[str]


class ConditionGene(_Result):
    id: str
    gene: str
    condition: str
    cui: str
    inheritance: str
    pmids: list[str]


class Webhook(_Result):
    id: str
    url: str
    active: bool
    creationDate: str | None
    secret: str | None = Field(
        None, description="the HMAC-SHA256 key, only in the answer to create (shown once)"
    )


class WebhookDelivery(_Result):
    id: str
    webhook: str
    event: str
    payload: dict[str, Any] = Field(description="the JSON body POSTed (the case's id, code and statuses)")
    state: str = Field(description="PENDING, DELIVERED or FAILED")
    attempts: int
    lastStatus: int | None = Field(description="the receiver's HTTP status of the last attempt")
    lastError: str
    creationDate: str | None
    deliveryDate: str | None


class ApiIndex(_Result):
    program: str
    version: str
    apiVersion: str
    baseUrl: str
    documentation: dict[str, str]
    login: dict[str, Any] = Field(description="how to log in and where the token is in the response")
    operations: list[dict[str, str]]


RESULTS: dict[str, type[Any]] = {
    m.__name__: m
    for m in (
        About,
        Token,
        Study,
        Project,
        User,
        Job,
        File,
        Sample,
        Individual,
        Family,
        Variant,
        Case,
        Finding,
        Interpretation,
        CaseEvent,
        VariantEvent,
        Ranking,
        ConfirmationOutcome,
        Panel,
        ClinicalConfiguration,
        AssayType,
        ConditionGene,
        Webhook,
        WebhookDelivery,
        ApiIndex,
    )
}
RESULTS["str"] = str
