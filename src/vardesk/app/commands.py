"""Typed commands of the main case use cases: what a face asks the application layer to do.

A face translates its wire format into one of these and hands it to the use case (``cases.create_case``,
``cases.approve_report``, ``interpretation.set_report_variant``, ``analyses.launch_analysis``,
``projects.create``). The values are checked once, by the use case, with the same rules and texts whatever
the face; a face checks only its own wire format. Values a client may send in any JSON shape (a sex, an
HPO term list, free-form field maps) are typed ``Any`` or as the mapping they should be and are checked
by the use case.

The dict APIs the use cases had before (``cases.create(actor, study, {...})`` …) stay for the CLI and the
tests; :meth:`as_data` is the bridge, and the ``from_fields`` constructors read the documented field
spellings of those dicts (the native face's bodies use them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vardesk.domain.errors import Invalid

# A report variant field the command leaves as it is (``None`` is a value: it clears a note).
UNCHANGED: Any = type("Unchanged", (), {"__repr__": lambda self: "UNCHANGED"})()


def _shown_sample(member: Mapping[str, Any]) -> Any:
    """The sample of a member written as a case shows it: ``"samples": [{"id": "HG002"}]``."""
    samples = member.get("samples")
    if isinstance(samples, list) and samples:
        first = samples[0]
        return first.get("id") if isinstance(first, dict) else first
    return None


def object_field(value: Any, name: str) -> dict[str, Any]:
    """A body field that holds a JSON object (attributes, qcData, patientFields…): ``{}`` for null or
    empty, a copy of the object, else Invalid naming the field."""
    if not value:
        return {}
    if not isinstance(value, Mapping):
        raise Invalid(f"{name} must be a JSON object; got {type(value).__name__}")
    return dict(value)


@dataclass(frozen=True)
class NewMember:
    """A member of a new case. An empty ``relation`` is PROBAND for the first member, else OTHER;
    ``affected`` None takes the relation's default (a proband is affected)."""

    relation: str = ""
    sex: Any = None  # MALE, FEMALE, UNKNOWN (or {"id": …})
    affected: Any = None
    label: str = ""
    genome: Any = None  # the genome's id, code (sample name) or uuid; None: uploaded later

    @classmethod
    def from_fields(cls, item: Any, position: int) -> NewMember:
        """A member as a case shows it (``relation``, ``sex``, ``affected``, ``label`` or ``id``, and
        ``genome``, ``sample``, ``genome_id`` or ``samples: [{"id"}]``)."""
        if not isinstance(item, Mapping):
            raise Invalid(f"members[{position}] must be an object")
        return cls(
            relation=str(item.get("relation") or ""),
            sex=item.get("sex"),
            affected=(item["affected"] if item["affected"] is not None else "")
            if "affected" in item
            else None,
            label=str(item.get("label") or item.get("id") or ""),
            genome=item.get("genome") or item.get("sample") or item.get("genome_id") or _shown_sample(item),
        )

    def as_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"relation": self.relation, "sex": self.sex, "label": self.label}
        if self.affected is not None:
            data["affected"] = self.affected
        if self.genome not in (None, ""):
            data["genome"] = self.genome
        return data


def _members(value: Any) -> list[Any]:
    if not value:
        return []
    if not isinstance(value, list | tuple):
        raise Invalid("members must be a list of member objects")
    return list(value)


@dataclass(frozen=True)
class CreateCase:
    study: str  # the study's reference (``project:study``, or its fqn)
    type: str = "exome"  # a Vardesk case type, or OpenCGA's SINGLE, CANCER, FAMILY
    code: str | None = None  # None: the workspace's next CASE000123 (a client's number is kept as sent)
    title: str = ""
    accession_id: str = ""
    panel: Any = None  # the panel's id
    hpo_terms: Any = None  # HPO ids or {"id"} objects
    members: Sequence[NewMember] = ()
    patient_fields: Mapping[str, Any] = field(default_factory=dict)
    qc_data: Mapping[str, Any] = field(default_factory=dict)
    external_ids: Mapping[str, Any] = field(default_factory=dict)
    dates: Mapping[str, Any] = field(default_factory=dict)
    filter_preset: Mapping[str, Any] = field(default_factory=dict)
    assay_type: str = ""

    @classmethod
    def from_fields(cls, study: str, data: Mapping[str, Any]) -> CreateCase:
        """The command from a case's field names (``id``/``code``, ``type``, ``title``/``description``,
        ``accession_id``, ``panel``/``panel_id``, ``hpo_terms``, ``members``, the field maps …)."""
        return cls(
            study=study,
            type=data.get("type") or "exome",
            code=data.get("id") or data.get("code") or None,
            title=str(data.get("title") or data.get("description") or ""),
            accession_id=str(data.get("accession_id") or data.get("accessionId") or ""),
            panel=data.get("panel") or data.get("panel_id"),
            hpo_terms=data.get("hpo_terms"),
            members=[NewMember.from_fields(m, i) for i, m in enumerate(_members(data.get("members")))],
            patient_fields=data.get("patient_fields") or {},
            qc_data=data.get("qc_data") or {},
            external_ids=data.get("external_ids") or {},
            dates=data.get("dates") or {},
            filter_preset=data.get("filter_preset") or {},
            assay_type=str(data.get("assay_type") or ""),
        )

    def as_data(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "type": self.type,
            "title": self.title,
            "accession_id": self.accession_id,
            "panel_id": self.panel,
            "hpo_terms": self.hpo_terms,
            "members": [m.as_data() for m in self.members],
            "patient_fields": self.patient_fields,
            "qc_data": self.qc_data,
            "external_ids": self.external_ids,
            "dates": self.dates,
            "filter_preset": self.filter_preset,
            "assay_type": self.assay_type,
        }


@dataclass(frozen=True)
class ApproveReport:
    """Sign out a case's report (a director, not its interpreter: four eyes)."""

    case: str
    study: str | None = None


REPORT_VARIANT_FIELDS = (
    "status",
    "to_report",
    "tag",
    "classification",
    "criteria",
    "interpretation",
    "internal_notes",
)


@dataclass(frozen=True)
class SetReportVariant:
    """Change a report variant's interpretation; every field left UNCHANGED stays as it is."""

    case: str
    variant: int | str  # the report variant's id, or its chrom:pos:ref:alt
    study: str | None = None
    status: Any = UNCHANGED
    to_report: Any = UNCHANGED
    tag: Any = UNCHANGED
    classification: Any = UNCHANGED
    criteria: Any = UNCHANGED
    interpretation: Any = UNCHANGED
    internal_notes: Any = UNCHANGED
    # fields the client sent that a report variant does not have: the use case refuses them by name
    unknown: tuple[str, ...] = ()

    @classmethod
    def from_fields(
        cls, case: str, variant: int | str, data: Mapping[str, Any], study: str | None = None
    ) -> SetReportVariant:
        known = {k: data[k] for k in REPORT_VARIANT_FIELDS if k in data}
        unknown = tuple(k for k in data if k not in REPORT_VARIANT_FIELDS and k != "id")
        return cls(case=case, variant=variant, study=study, unknown=unknown, **known)

    def as_data(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in REPORT_VARIANT_FIELDS if getattr(self, k) is not UNCHANGED}
        return data | {k: None for k in self.unknown}


@dataclass(frozen=True)
class AnalysisMember:
    relation: str  # PROBAND, MOTHER, FATHER, SIBLING
    genome_id: int
    sex: str = "UNKNOWN"
    affected: str = "UNKNOWN"
    label: str = ""

    def as_data(self) -> dict[str, Any]:
        return {
            "relation": self.relation,
            "genome_id": self.genome_id,
            "sex": self.sex,
            "affected": self.affected,
            "label": self.label,
        }


@dataclass(frozen=True)
class LaunchAnalysis:
    """A stand-alone gene analysis (VAAST Solo / Trio / Quad, Phevor) of genomes."""

    kind: str
    members: Sequence[AnalysisMember] = ()
    hpo_terms: Any = None
    parent_id: int | None = None  # the analysis a Phevor report re-ranks

    def as_data(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "members": [m.as_data() for m in self.members],
            "hpo_terms": self.hpo_terms,
            "parent_id": self.parent_id,
        }


@dataclass(frozen=True)
class CreateProject:
    """A project and its default study. An empty ``code`` is refused unless ``auto_code``, which derives
    a unique one from the name (for faces whose clients know only numeric ids and names)."""

    code: str = ""
    name: str = ""  # empty: the code
    description: str = ""
    organism: Any = None  # {"scientificName", "commonName", "assembly"}
    share_role: Any = "CONTRIBUTOR"
    attributes: Any = None
    auto_code: bool = False

    @classmethod
    def from_fields(cls, data: Mapping[str, Any]) -> CreateProject:
        """The command from a project's field names (``id``/``code``, ``name``, ``description``,
        ``organism``, ``shareRole``/``share_role``, ``attributes``)."""
        return cls(
            code=str(data.get("id") or data.get("code") or ""),
            name=str(data.get("name") or ""),
            description=str(data.get("description") or ""),
            organism=data.get("organism"),
            share_role=data.get("shareRole", data.get("share_role", "CONTRIBUTOR")),
            attributes=data.get("attributes"),
        )

    def as_data(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "description": self.description,
            "organism": self.organism,
            "share_role": self.share_role,
            "attributes": self.attributes,
        }
