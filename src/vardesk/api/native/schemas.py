"""Pydantic models describing the native API's request bodies and results, for the OpenAPI document only.

The routes read bodies raw (any Content-Type, an empty body is ``{}``, as OpenCGA clients send them), so
these models validate nothing: they document the fields that the routes and services actually read, under
their wire names, and the fields of each result object. Every body model carries an example that the
server accepts (a test posts them).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Body(BaseModel):
    """Unknown fields are ignored unless an operation says otherwise."""

    model_config = ConfigDict(extra="allow")


def _example(**values: Any) -> ConfigDict:
    return ConfigDict(extra="allow", json_schema_extra={"examples": [values]})


# -- request bodies ----------------------------------------------------------------------------------
class LoginBody(_Body):
    """A user password or an API key's login and password; or a refresh token alone."""

    model_config = _example(user="analyst@demo.vardesk.local", password="<password>")
    user: str | None = Field(None, description="user e-mail or login, or an API key's login")
    password: str | None = Field(None, description="the user's password or the API key's password")
    refreshToken: str | None = Field(None, description="a refresh token from an earlier login (alone)")


class Organism(BaseModel):
    scientificName: str | None = Field(None, examples=["Homo sapiens"])
    commonName: str | None = None
    assembly: str | None = Field(None, description="GRCh38 or GRCh37 (hg38/hg19 accepted)")


class ProjectCreate(_Body):
    model_config = _example(
        id="exomes",
        name="Clinical exomes",
        description="Diagnostic exomes",
        organism={"scientificName": "Homo sapiens", "assembly": "GRCh38"},
    )
    id: str | None = Field(None, description="project code; derived from the name when absent")
    name: str | None = None
    description: str | None = None
    organism: Organism | None = None
    shareRole: Literal["VIEWER", "CONTRIBUTOR", "ADMIN"] | None = Field(
        None, description="what every member of the workspace may do in the project (default CONTRIBUTOR)"
    )
    attributes: dict[str, Any] | None = None


class ProjectUpdate(_Body):
    model_config = _example(description="Diagnostic exomes, 2027 onwards")
    name: str | None = None
    description: str | None = None
    organism: Organism | None = None
    shareRole: Literal["VIEWER", "CONTRIBUTOR", "ADMIN"] | None = Field(
        None, description="project administrators only"
    )
    attributes: dict[str, Any] | None = Field(None, description="merged into the existing attributes")


class StudyCreate(_Body):
    model_config = _example(id="germline", name="Germline", description="Germline cases")
    id: str = Field(description="study code, unique in the project")
    name: str | None = None
    alias: str | None = None
    description: str | None = None
    type: str | dict[str, str] | None = Field(None, description="study type, or {id}; default CASE_CONTROL")
    project: str | None = Field(None, description="the project, when not given as ?project=")
    attributes: dict[str, Any] | None = None


class StudyUpdate(_Body):
    model_config = _example(description="Germline cases from 2027")
    name: str | None = None
    alias: str | None = None
    description: str | None = None
    attributes: dict[str, Any] | None = Field(None, description="merged into the existing attributes")


class Ref(BaseModel):
    id: str


class IndividualCreate(_Body):
    model_config = _example(
        id="IND-1",
        name="Proband",
        sex={"id": "FEMALE"},
        affectationStatus="AFFECTED",
        phenotypes=[{"id": "HP:0001250"}],
    )
    id: str = Field(description="individual code, unique in the study")
    name: str | None = None
    sex: str | Ref | None = Field(None, description="MALE, FEMALE or UNKNOWN, or {id}")
    affected: str | None = Field(None, description="AFFECTED, UNAFFECTED or UNKNOWN")
    affectationStatus: str | None = Field(None, description="OpenCGA's spelling of affected")
    father: str | Ref | None = Field(None, description="an individual of the study")
    mother: str | Ref | None = None
    dateOfBirth: str | None = None
    ethnicity: str | Ref | None = None
    phenotypes: list[str | Ref] | None = Field(None, description="HPO terms, checked against the ontology")
    disorders: list[str | dict[str, Any]] | None = None
    attributes: dict[str, Any] | None = None


class FamilyMember(IndividualCreate):
    model_config = ConfigDict(extra="allow")


class FamilyCreate(_Body):
    model_config = _example(
        id="FAM-1",
        name="Family 1",
        members=[
            {"id": "FAM1-P", "sex": "MALE", "affected": "AFFECTED", "father": "FAM1-F"},
            {"id": "FAM1-F", "sex": "MALE", "affected": "UNAFFECTED"},
        ],
    )
    id: str = Field(description="family code, unique in the study")
    name: str | None = None
    description: str | None = None
    members: list[FamilyMember] | None = Field(
        None, description="individuals created with the family (existing ones are linked); ?members= too"
    )
    attributes: dict[str, Any] | None = None


class VariantIndexBody(_Body):
    model_config = _example(file="data:trio.vcf.gz", annotate=True)
    file: str | None = Field(None, description="comma-separated file ids (also ?file=)")
    annotate: bool | str | None = Field(True, description="annotate after indexing (default true)")
    study: str | None = Field(None, description="the study, when not given as ?study=")


class CaseMember(BaseModel):
    relation: str | None = Field(None, description="PROBAND (first member's default), FATHER, MOTHER, …")
    sample: str | None = Field(None, description="a sample (genome) of the project: id, uuid or number")
    genome: str | None = Field(None, description="same as sample")
    sex: str | None = Field(None, description="MALE, FEMALE or UNKNOWN")
    affected: str | None = Field(None, description="AFFECTED (proband's default), UNAFFECTED, UNKNOWN")
    label: str | None = None


class Proband(BaseModel):
    id: str | None = None
    samples: list[Ref] | None = None


class _CaseFields(_Body):
    description: str | None = Field(None, description="the case's title (also title)")
    title: str | None = None
    accessionId: str | None = None
    externalIds: dict[str, Any] | None = None
    filterPreset: dict[str, Any] | None = Field(None, description="filters of the candidate analysis")
    assayType: str | None = Field(None, description="an assay type of the workspace (assays/create)")
    hpoTerms: list[str | Ref] | None = Field(None, description="HPO terms, checked against the ontology")
    patientFields: dict[str, Any] | None = Field(None, description="the workspace's patient fields")
    qcData: dict[str, Any] | None = Field(None, description="values of the assay type's QC fields")
    dates: dict[str, Any] | None = None
    panelId: int | str | None = Field(None, description="gene panel id (also panels: [{id}])")
    panels: list[Ref | str] | None = Field(None, description="OpenCGA's form: the first panel is used")
    members: list[CaseMember] | None = None


class CaseCreate(_CaseFields):
    model_config = _example(
        id="CASE-42",
        caseType="exome",
        description="Epileptic encephalopathy",
        members=[{"relation": "PROBAND", "sex": "FEMALE"}],
        patientFields={"Last Name": "Doe"},
    )
    id: str | None = Field(None, description="case code; CASE000001… when absent")
    caseType: str | None = Field(
        None, description="panel, somatic_panel, panel_trio, exome (default), duo, trio, quad, quintet"
    )
    type: str | None = Field(None, description="OpenCGA's type: SINGLE → exome, CANCER → somatic_panel")
    proband: Proband | None = Field(None, description="OpenCGA's form of a one-member case")


class CaseUpdate(_CaseFields):
    model_config = _example(description="Epileptic encephalopathy, re-analysis")
    status: str | Ref | None = Field(
        None, description="move the case: a review status, or {id}; APPROVED approves (four eyes)"
    )
    statusReason: str | None = None


class AmendBody(_Body):
    model_config = _example(reason="Corrected the transcript of the primary finding")
    reason: str = Field(description="why the approved report is amended")


class CriterionEntry(BaseModel):
    """A reviewer's criterion with why it applies; who and when are recorded by the server."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"code": "PS3", "strength": "moderate", "comment": "RNA assay"}]},
    )
    code: str = Field(
        description="PVS1, PS1-PS4, PM1-PM6, PP1-PP5, BA1, BS1-BS4, BP1-BP7 (a strength may follow)"
    )
    strength: str | None = Field(
        None, description="stand-alone, very strong, strong, moderate or supporting; default the code's own"
    )
    comment: str | None = Field(None, description="why the criterion applies")


class FindingUpdate(BaseModel):
    """Unknown fields are refused."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"status": "REVIEWED", "toReport": "PRIMARY_FINDING", "criteria": ["PVS1", "PM2"]}]
        },
    )
    status: Literal["PENDING", "REVIEWED", "CONFIRMED", "FAILED_CONFIRMATION"] | None = None
    toReport: Literal["PRIMARY_FINDING", "SECONDARY_FINDING", "DO_NOT_REPORT"] | None = None
    classification: str | None = Field(
        None, description="Pathogenic, Likely pathogenic, Uncertain significance, Likely benign, Benign"
    )
    criteria: list[str | CriterionEntry] | None = Field(
        None,
        description="the reviewer's ACMG/AMP criteria (they replace the recorded ones): each a criterion as "
        "written (PVS1, PM2_Supporting, PM2_P, PVS1 (strong)) or {code, strength, comment}; strengths follow "
        "the ClinGen SVI rules (PM2 at most moderate, BA1 only stand-alone …)",
    )
    interpretation: str | None = None
    internalNotes: str | None = None
    id: str | None = Field(None, description="ignored")


class PanelCreate(_Body):
    model_config = _example(name="Epilepsy panel", genes=["SCN1A", "KCNQ2", {"id": "STXBP1"}], version="1")
    name: str = Field(description="the panel's name (required)")
    description: str | None = None
    genes: list[str | Ref] | None = Field(None, description="by symbol, HGNC id or alias")
    regions: list[str] | None = None
    methodology: str | None = None
    limitations: str | None = None
    fda_disclosure: str | None = None
    test_code: str | None = Field(None, description="orderable test id")
    version: str | None = Field(None, description="default 1")


class PanelUpdate(_Body):
    model_config = _example(genes=["CDKL5"])
    genes: list[str] | None = Field(None, description="genes to add (or remove)")
    remove: bool | str | None = Field(False, description="remove the genes instead of adding them")


class ConfigurationUpdate(_Body):
    model_config = _example(patientFields=["Last Name", "First Name", "Patient DOB", "Accession ID"])
    reviewStatuses: list[str] | None = None
    patientFields: list[str] | None = Field(None, description="unique names")


class AssayCreate(_Body):
    model_config = _example(name="WES v3", description="Exome capture v3", qcFields=["Mean depth"])
    name: str
    description: str | None = None
    qcFields: list[str] | None = Field(None, description="names of the QC values a case records")


class ConditionCreate(_Body):
    model_config = _example(gene="SCN1A", condition="Dravet syndrome", inheritance="AD", pmids=["29130405"])
    gene: str
    condition: str
    cui: str | None = Field(None, description="UMLS concept id")
    inheritance: str | None = None
    prevalence: str | None = None
    penetrance: str | None = None
    ageOfOnset: str | None = None
    pmids: list[str] | str | None = Field(
        None, description="a list, or one string separated by , ; or spaces"
    )


class WebhookCreate(_Body):
    url: str = Field(description="http(s) URL POSTed a signed JSON body on every case status change")
    secret: str | None = Field(None, description="the HMAC-SHA256 key (default: generated, returned once)")


BODIES: tuple[type[BaseModel], ...] = (
    LoginBody,
    WebhookCreate,
    ProjectCreate,
    ProjectUpdate,
    StudyCreate,
    StudyUpdate,
    IndividualCreate,
    FamilyCreate,
    VariantIndexBody,
    CaseCreate,
    CaseUpdate,
    AmendBody,
    FindingUpdate,
    PanelCreate,
    PanelUpdate,
    ConfigurationUpdate,
    AssayCreate,
    ConditionCreate,
)
