"""Pydantic models of the Fabric face's request bodies, for the OpenAPI document only.

The routes decode the raw body by endpoint whatever the Content-Type says (contract §1.4) and coerce
values as the scripts send them (§1.7: integers as strings, booleans as ``"false"``, ``null`` meaning
unchanged), so these models validate nothing: they name the keys each route reads, with the shapes it
accepts. Every key is optional in the schema; a route answers 400 or 422 naming a missing one.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from vardesk.domain.cases import ToReport, VariantStatus
from vardesk.domain.enums import ShareRole

Digits = Annotated[str, Field(pattern=r"^\s*-?[0-9]+\s*$")]
IntLike = int | Digits | None  # an integer, or a string of one ("101"); null = not given
Text = Annotated[str, Field(min_length=1, pattern=r"\S")]  # required text: not blank
BoolLike = bool | str | None  # true/false, "true"/"False", or null
HpoTerms = list[str] | str | None  # a list, a JSON-encoded list, "HP:1,HP:2", "null" or null


class _Body(BaseModel):
    """Unknown keys are ignored."""

    model_config = ConfigDict(extra="allow")


def _example(**values: Any) -> ConfigDict:
    return ConfigDict(extra="allow", json_schema_extra={"examples": [values]})


class ProjectForm(_Body):
    """E2: a form (``project_name=…&description=…&share_role=…``); a JSON object is accepted too."""

    model_config = _example(project_name="Acceptance P1", description="desc", share_role="CONTRIBUTOR")
    project_name: Text = Field(description="the project's name (name is read too)")
    name: str | None = Field(None, description="same as project_name, when project_name is absent")
    description: str | None = None
    share_role: ShareRole | None = Field(None, description="default CONTRIBUTOR")


class GenomeEdit(_Body):
    """E8: every key sent, null = unchanged; an empty external_id clears it."""

    model_config = _example(name="renamed", external_id=None, project_id=None)
    name: str | None = None
    external_id: str | None = None
    project_id: IntLike = Field(None, description="moves the genome to that project of the workspace")


class FabricProband(_Body):
    genome_id: IntLike = None
    sex: str | None = Field(None, description="m/f/u, male/female/unspecified or upper case")


class FabricRelative(FabricProband):
    affected: BoolLike = None
    relationship: Literal["mother", "father", "sibling", "brother", "sister", "child", "other"] | None = None
    label: str | None = None


class _ReportMembers(_Body):
    proband_genome_id: IntLike = Field(None, description="the proband's genome (or genome_id)")
    genome_id: IntLike = Field(None, description="same as proband_genome_id")
    proband_sex: str | None = Field(None, description="m/f/u or male/female/unspecified")
    proband: FabricProband | None = Field(None, description="flexible family: the proband")
    mother_genome_id: IntLike = None
    mother_sex: str | None = None
    mother_affected: BoolLike = None
    father_genome_id: IntLike = None
    father_sex: str | None = None
    father_affected: BoolLike = None
    sibling_genome_id: IntLike = None
    sibling_sex: str | None = None
    sibling_affected: BoolLike = None
    duo_relation_genome_id: IntLike = None
    duo_relation: str | None = Field(None, description="mother, father, sibling, child or other")
    duo_affected: BoolLike = None
    family_1: FabricRelative | None = Field(None, description="flexible family: a relative (also family_2…4)")
    family_2: FabricRelative | None = None
    family_3: FabricRelative | None = None
    family_4: FabricRelative | None = None
    project_id: IntLike = Field(None, description="where a report without genomes lives")
    panel_id: IntLike = None
    filter_id: IntLike = Field(None, description="kept and echoed; null or -1 removes it")
    accession_id: str | None = None
    hpo_terms: HpoTerms = None
    disease_id: str | None = None
    include_cosmic: BoolLike = None
    score_indels: BoolLike = None
    background: str | None = Field(None, description="FULL")
    vaast_report_id: IntLike = None


class ReportCreate(_ReportMembers):
    """E10: every launcher's body; a report without genomes needs a project_id."""

    model_config = _example(
        report_type="panel",
        genome_id=None,
        filter_id=None,
        panel_id=108,
        project_id=101,
        accession_id="ACC-3",
    )
    report_type: Text = Field(
        description="panel, somatic_panel, panel_trio, exome (Solo), Duo, Trio, Quad; with "
        "proband/family_N keys any name (a flexible family)",
    )


class ReportUpdate(_ReportMembers):
    """E13: null or absent keys leave values unchanged."""

    model_config = _example(proband_genome_id=102, proband_sex="m")
    duo_relation_affected: BoolLike = Field(None, description="same as duo_affected")


class NameValues(RootModel[dict[str, Any]]):
    """E15/E16: field name → value (stored as a string; null stores "")."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"First Name": "Jane", "Last Name": "Roe", "Patient Sex": "Female"}]}
    )


class _Replace(BaseModel):
    op: Literal["replace"]
    value: Any = None


class StatusReplace(_Replace):
    path: Literal["/status"]


class StatusPatch(RootModel[list[StatusReplace]]):
    """E28: RFC 6902 ``replace`` of /status; ``[]`` changes nothing."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [[{"op": "replace", "path": "/status", "value": "READY TO REVIEW"}]]}
    )


class VariantReplace(_Replace):
    path: Literal[
        "/status", "/to_report", "/classification", "/criteria", "/interpretation", "/internal_notes"
    ]
    value: VariantStatus | ToReport | str | list[Any] | None = None


class VariantPatch(RootModel[list[VariantReplace]]):
    """E22: RFC 6902 ``replace`` operations; ``[]`` changes nothing and answers the variant."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [[{"op": "replace", "path": "/status", "value": "CONFIRMED"}]]}
    )


class NoteBody(_Body):
    model_config = _example(note="Sanger confirmed")
    note: str | None = None


class Target(_Body):
    chromosome: str | None = None
    start_on_chrom: IntLike = None
    end_on_chrom: IntLike = None
    ref: str | None = None
    alt: str | None = None
    gene_symbol: str | None = None
    inheritance_mode: str | None = Field(None, description="DOMINANT, RECESSIVE, X_LINKED, DE_NOVO")


class Targets(RootModel[list[Target] | Target]):
    """E27: target variants; a candidate matching any of them is returned."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                [
                    {
                        "chromosome": "chr1",
                        "start_on_chrom": 94512602,
                        "gene_symbol": "ABCA4",
                        "inheritance_mode": "DOMINANT",
                    }
                ]
            ]
        }
    )


class FabricPanelUpdate(_Body):
    """E33: the text keys, always all sent; null leaves a field unchanged."""

    model_config = _example(methodology="NGS", limitations=None, fda_disclosure=None)
    name: str | None = None
    description: str | None = None
    methodology: str | None = None
    limitations: str | None = None
    fda_disclosure: str | None = None
    test_code: str | None = None
    version: str | None = None


class FabricPanelCreate(FabricPanelUpdate):
    """E32: the six text keys; name and description are required."""

    model_config = _example(
        name="Cardio Panel",
        description="desc",
        methodology=None,
        limitations=None,
        fda_disclosure=None,
        test_code="CARD1",
    )
    name: Text  # type: ignore[assignment]
    description: Text  # type: ignore[assignment]


class RegionsBody(_Body):
    model_config = _example(gene_symbols="BRCA1, BRCA2, APOE")
    gene_symbols: str | list[str] | None = Field(None, description="comma-separated symbols, or a list")


class ConditionGeneBody(_Body):
    """E37: one spreadsheet row; ``CUI`` upper case (``cui`` accepted); CUI and gene_symbol required."""

    model_config = _example(
        CUI="C0037050",
        gene_symbol="NCOR1",
        condition="Sick Building Syndrome",
        inheritance=None,
        prevalence="",
        penetrance="",
        notes="5",
        age_of_onset=None,
        pmids=None,
    )
    CUI: Text = Field(description="the condition's UMLS CUI (cui is read too)")
    cui: str | None = Field(None, description="same as CUI, when CUI is absent")
    gene_symbol: Text
    condition: str | None = None
    inheritance: str | None = None
    prevalence: str | None = None
    penetrance: str | None = None
    age_of_onset: str | None = None
    notes: str | None = None
    pmids: list[str | int] | str | None = Field(None, description="PubMed ids: a list or one string")


class JobBody(_Body):
    model_config = _example(accession_id="ACC-JOB")
    accession_id: Text = Field(description="at most 128 characters", max_length=128)


class AnalysisLaunch(_Body):
    """E38: launch_analysis.py's body."""

    model_config = _example(
        report_type="VAAST Solo Report", proband_genome_id=102, proband_sex="f", hpo_terms="HP:0001250"
    )
    report_type: Literal["VAAST Solo Report", "VAAST Trio Report", "VAAST Quad Report", "Phevor Report"]
    proband_genome_id: IntLike = None
    proband_sex: str | None = None
    proband_affected: BoolLike = None
    mother_genome_id: IntLike = None
    mother_sex: str | None = None
    mother_affected: BoolLike = None
    father_genome_id: IntLike = None
    father_sex: str | None = None
    father_affected: BoolLike = None
    sibling_genome_id: IntLike = None
    sibling_sex: str | None = None
    sibling_affected: BoolLike = None
    hpo_terms: HpoTerms = None
    proband_vaast_report_id: IntLike = Field(None, description="Phevor: the VAAST analysis it re-ranks")


class AnalysisExportBody(_Body):
    """E42/E43: export_analysis.py's whole namespace; one of filter_id, panel_id, gene_set_id is set."""

    model_config = _example(filter_id=7, panel_id=None, gene_set_id=None, format="JSON", limit=10, offset=0)
    filter_id: IntLike = None
    panel_id: IntLike = None
    gene_set_id: IntLike = None
    format: Literal["JSON", "VCF", "CSV", "json", "vcf", "csv"] | None = Field(
        None, description="default JSON"
    )
    limit: IntLike = None
    offset: IntLike = None


class Position(_Body):
    chromosome: str
    start_on_chrom: int | str
    end_on_chrom: IntLike = None


class Positions(RootModel[list[Position]]):
    """E46: target positions (1-based inclusive)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [[{"chromosome": "chr1", "start_on_chrom": 1635004, "end_on_chrom": 1635004}]]
        }
    )


class ContainerMemberBody(_Body):
    accession: str | None = None
    sex: str | None = Field(None, description="MALE, FEMALE or UNSPECIFIED (m/f/u accepted)")
    affected: BoolLike = None
    relationship: str | None = Field(None, description="PROBAND (the first member's default), MOTHER, …")
    phi: dict[str, dict[str, Any]] | None = Field(
        None, description="sections patient, sample, order, report, family of PHI keys"
    )


class CaseContainerCreate(_Body):
    """F1: PANEL alone with a test_id and the proband only; WGS needs hpo_terms; relatives only with WGS."""

    model_config = _example(
        analysis_types=["WGS"],
        assembly_version="b38",
        members=[{"accession": "JD1", "sex": "MALE", "affected": True, "relationship": "PROBAND", "phi": {}}],
        hpo_terms=["HP:0001250"],
    )
    analysis_types: list[Literal["WGS", "PANEL", "MT_PANEL"]] | str | None = None
    assembly_version: str | None = Field(None, description="b38 (default) or b37; hg38/hg19 accepted")
    members: list[ContainerMemberBody] | None = Field(None, description="the proband first")
    hpo_terms: HpoTerms = None
    test_id: IntLike = Field(None, description="a panel of the workspace, by id or test code")
    sequencing_platform: str | None = None
    project_id: IntLike = Field(None, description="default: the workspace's Fabric cases project")
    due_date: str | None = None


BODIES: tuple[type[BaseModel], ...] = (
    ProjectForm,
    GenomeEdit,
    ReportCreate,
    ReportUpdate,
    NameValues,
    StatusPatch,
    VariantPatch,
    NoteBody,
    Targets,
    FabricPanelUpdate,
    FabricPanelCreate,
    RegionsBody,
    ConditionGeneBody,
    JobBody,
    AnalysisLaunch,
    AnalysisExportBody,
    Positions,
    CaseContainerCreate,
)
