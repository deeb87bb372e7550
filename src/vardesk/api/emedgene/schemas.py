"""Pydantic models of the Emedgene face's representations and request bodies, for the OpenAPI document only.

The routes render plain dicts (``render.py``, the ``routes_*`` modules) and read bodies raw (contract §1.3:
the clients' several shapes), so nothing here validates a request or a response on the wire. A response
model names as required every key its renderer always writes, with ``None`` where it can write null; keys
the face keeps from the creation body and shows back as sent are typed ``Any``. A body model names the
keys the route reads; every key is optional (the route answers 400 naming what is missing or wrong).
Every name starts with ``Emedgene`` so that no other face's component is replaced.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

AsSent = Any  # kept from the creation body and shown back as the client sent it


class _Out(BaseModel):
    """A representation: the keys listed are always present; a renderer may add others."""

    model_config = ConfigDict(extra="allow")


class _Body(BaseModel):
    """Unknown keys are ignored."""

    model_config = ConfigDict(extra="allow")


def _example(**values: Any) -> ConfigDict:
    return ConfigDict(extra="allow", json_schema_extra={"examples": [values]})


# -- errors and login (§1.1) --------------------------------------------------------------------------------
class EmedgeneError(BaseModel):
    """Every error of the face: ``message`` names the problem (the CLI prints it), ``error`` its kind."""

    message: str
    error: str


class EmedgeneToken(BaseModel):
    access_token: str
    token_type: Literal["bearer"]
    expires_in: int = Field(description="seconds")


class EmedgeneLegacyToken(BaseModel):
    Authorization: str = Field(description='"Bearer <token>", sent back as the Authorization header')
    expires_in: int = Field(description="seconds")


# -- cases (§1.4–1.8) -----------------------------------------------------------------------------------
class EmedgeneCaseSample(BaseModel):
    name: str
    id: int
    member: str = Field(description="the family member's id in the tree, else its relation")
    status: str = Field(description="the genome's state, lower case (ready, failed, …)")
    build: str


class EmedgeneGene(BaseModel):
    name: str


class EmedgeneCasePhenotype(BaseModel):
    id: str = Field(description="phenotypes/EMG_PHENOTYPE_nnnnnnn")
    hpo_id: str
    name: str


class EmedgeneParticipant(_Out):
    id: AsSent
    email: AsSent


class EmedgeneAnalysis(BaseModel):
    run: int = Field(description="the number of analysis runs so far")
    result: Literal["INTERPRETABLE", "NOT_INTERPRETABLE"] | None


class EmedgeneCase(_Out):
    name: str = Field(description="the case's name (EMG + 9 digits for cases created here)")
    id: int
    status: str = Field(
        description="Pending sequencing, Uploading, In progress, Delivered, Finalized, Issue reported, or "
        "a custom review status"
    )
    status_reason: str
    type: AsSent
    sample_type: AsSent
    created: str
    modified: str
    due_date: str | None = Field(description="YYYY-MM-DD")
    labels: AsSent
    selected_preset_set: AsSent
    boostGenes: bool
    analysis_type: AsSent
    sequence_info: AsSent
    sharing_level: AsSent = Field(description="0 or 1")
    incidental_findings: AsSent
    notes: AsSent
    extra_data: AsSent
    gene_list: AsSent
    geneListName: str
    genes: list[EmedgeneGene]
    phenotypes: list[EmedgeneCasePhenotype]
    patients: AsSent = Field(description="the family tree as sent")
    participants: list[EmedgeneParticipant]
    samples: list[EmedgeneCaseSample]
    analysis: EmedgeneAnalysis


class EmedgeneCreatedCase(EmedgeneCase):
    Status: str = Field(description="same as status")


class EmedgeneDryRun(BaseModel):
    dry_run: Literal[True]
    valid: Literal[True]
    errors: list[Any]


class EmedgeneParticipants(BaseModel):
    name: str
    participants: list[EmedgeneParticipant]


class EmedgeneStatus(BaseModel):
    name: str
    status: str
    status_reason: str


class EmedgeneTag(BaseModel):
    value: Literal["in_report", "incidental", "most_likely", "candidate", "not_reviewed"]
    name: str


class EmedgeneTranscript(BaseModel):
    name: str
    hgvs_c: str
    hgvs_p: str


class EmedgeneHgvs(BaseModel):
    c: str
    p: str


class EmedgeneAcmg(BaseModel):
    classification: str
    checked_criteria: list[str]
    reviewed: bool
    system: Any
    points: Any


Zygosity = Literal["REF", "HET", "HOM", "HEMI", "NO_COVERAGE"]


class EmedgeneCompoundHet(BaseModel):
    group: int = Field(description="numbered from 1 within the document")
    gene: str
    variants: list[int | None] = Field(description="ids of the group's variants, in the list's order")


class EmedgeneVariant(_Out):
    id: int | None = Field(description="the report variant's id; null for a structural record")
    tag: EmedgeneTag
    gene_name: str
    Variant_details: str = Field(
        description="chr<chrom>:<pos> <ref>><alt>; for a CNV or SV chr<chrom>:<start>-<end> <length>(kb)"
    )
    chromosome: str
    start: int
    end: int
    ref: str
    alt: str
    variant_type: Literal["SNV", "INDEL", "CNV", "SV"]
    main_effect: str
    transcript: str
    transcripts: list[EmedgeneTranscript]
    hgvs: EmedgeneHgvs
    dbsnp: str
    zygosity: dict[str, Zygosity] = Field(description="per family member")
    inheritance_modes: list[str]
    pathogenicity: str
    acmg: EmedgeneAcmg
    disease: dict[str, Any] | None
    rank: Any
    score: Any
    gnomad_af: float | None
    clinvar: dict[str, Any]
    interpretation: str
    compound_het: EmedgeneCompoundHet | None = Field(description="the compound-heterozygous group, if any")


class EmedgeneCandidates(BaseModel):
    name: str
    status: str
    total: int
    hits: list[EmedgeneVariant]
    compound_hets: list[EmedgeneCompoundHet]


class EmedgeneExport(BaseModel):
    name: str
    status: str
    case: EmedgeneCase
    total: int
    hits: list[EmedgeneVariant]
    variants: list[EmedgeneVariant] = Field(description="the same list as hits")
    compound_hets: list[EmedgeneCompoundHet]


class _Page(BaseModel):
    total: int
    from_: int = Field(alias="from")
    size: int


class EmedgeneCasePage(_Page):
    hits: list[EmedgeneCase]


# -- storage, samples, phenotypes, users (§1.2, §2.11) ----------------------------------------------------
class EmedgeneStorage(_Out):
    id: int
    name: str
    scheme: str
    type: str = Field(description="same as scheme")


class EmedgeneStoragePage(_Page):
    hits: list[EmedgeneStorage]


class EmedgeneResource(BaseModel):
    name: str
    alias: str
    path: str
    type: Literal["directory", "file"]
    size: int


class EmedgeneListing(BaseModel):
    path: str
    total: int
    has_more: bool
    resources: list[EmedgeneResource]


class EmedgeneSample(BaseModel):
    id: int | None = Field(description="the genome; null for a sample still waiting for its files")
    name: str
    status: str = Field(description="the genome's state, lower case, or pending")
    note: str = Field(description="the newest case the sample is in")


class EmedgeneSamplePage(_Page):
    hits: list[EmedgeneSample]


class EmedgenePhenotype(BaseModel):
    id: str
    hpo_id: str
    name: str
    match: Literal["exact", "partial"]


class EmedgenePhenotypePage(_Page):
    hits: list[EmedgenePhenotype]


class EmedgeneUser(BaseModel):
    id: int
    email: str
    name: str
    organization_id: int
    role: str


class EmedgeneUserPage(_Page):
    hits: list[EmedgeneUser]


# -- request bodies ---------------------------------------------------------------------------------------
class EmedgeneLogin(_Body):
    model_config = _example(username="analyst@lab.example", password="secret")
    username: str | None = Field(None, description="a user's e-mail or login, or an API key's login")
    email: str | None = Field(None, description="same as username, when username is absent")
    password: str | None = Field(None, description="the password or the API key's secret")


class EmedgeneSampleFile(_Body):
    path: str | None = Field(None, description="the file in the storage provider (filename is read too)")
    filename: str | None = None
    storage_id: int | str | None = Field(None, description="the provider; default the sample's")
    vcf_column_name: str | None = Field(None, description="the sample's column in the VCF")


class EmedgeneSampleBody(_Body):
    fastq: str | None = Field(None, description="the fastq_sample of the family member it belongs to")
    id: Any = Field(None, description="a genome already on the platform")
    storage_id: int | str | None = None
    sampleFiles: list[EmedgeneSampleFile] | None = None


class EmedgenePatient(_Body):
    id: Any = Field(None, description="the node's id in the tree")
    gender: str | None = Field(None, description="Male, Female or Unknown (or M/F/U)")
    healthy: bool | str | None = None
    date_of_birth: str | None = Field(None, description="YYYY-MM-DD")
    relationship: str | None = Field(None, description="for other: Sibling, …")
    phenotypes: list[Any] | None = Field(
        None, description='{"id": "phenotypes/EMG_PHENOTYPE_0001250"}, an HP: id, or {"name": …}'
    )
    fastq_sample: str | None = Field(None, description="the sample with files")
    pending_sample_name: str | None = Field(None, description="an empty sample, files to come")
    detailed_ethnicity: dict[str, Any] | None = Field(None, description="maternal/paternal lists")


class EmedgenePatients(_Body):
    proband: EmedgenePatient | None = None
    mother: EmedgenePatient | None = None
    father: EmedgenePatient | None = None
    other: list[EmedgenePatient] | None = None


class EmedgeneGeneList(_Body):
    type: str | None = Field(None, description="all, existing or new")
    id: Any = Field(None, description="an existing gene list (panel)")
    name: str | None = None
    genes: list[Any] | None = Field(None, description='symbols or {"name": symbol}')


class EmedgeneTestData(_Body):
    type: AsSent = None
    patients: EmedgenePatients | None = None
    samples: list[EmedgeneSampleBody] | None = None
    notes: str | None = Field(None, description="at most 4000 characters")
    due_date: str | None = Field(None, description="YYYY-MM-DD")
    labels: list[int] | None = None
    boostGenes: bool | str | None = None
    extra_data: dict[str, Any] | str | None = None
    gene_list: EmedgeneGeneList | None = None
    indication_for_testing: str | None = None


class EmedgeneCaseBody(_Body):
    """The case-creation body (contract §1.3); other keys of test_data are kept and shown back."""

    model_config = _example(
        test_data={
            "type": "Exome",
            "patients": {
                "proband": {
                    "id": "proband",
                    "gender": "Female",
                    "pending_sample_name": "S1",
                    "phenotypes": [{"name": "Seizure"}],
                }
            },
            "samples": [],
        }
    )
    test_data: EmedgeneTestData | None = None
    sharing_level: int | None = Field(None, description="0 or 1 (default 1)")
    should_upload: bool | str | None = Field(None, description="files to come: Pending sequencing")


class EmedgeneStatusBody(_Body):
    model_config = _example(status="Finalized")
    status: str = Field(
        description="Delivered, Finalized, Issue reported, In progress / Re-Analysis (back to the analysis) "
        "or one of the workspace's custom review statuses"
    )
    reason: str | None = Field(None, description="why, kept in the case's history")


class EmedgeneParticipantsBody(_Body):
    model_config = _example(emails=["analyst@lab.example"])
    emails: list[str] | None = Field(None, description="users of the organization, by e-mail")


BODIES: tuple[type[BaseModel], ...] = (
    EmedgeneLogin,
    EmedgeneCaseBody,
    EmedgeneParticipantsBody,
    EmedgeneStatusBody,
)
