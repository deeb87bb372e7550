"""Gene analyses: a ranked gene list (burden + phenotype) over a set of genomes.

Two kinds share one record. A *case ranking* is written by every run of a case's analysis (``case_id``
set, ``kind`` ``CASE``); a *stand-alone analysis* is launched on genomes alone (Fabric's VAAST Solo /
Trio / Quad and Phevor reports) and runs as a ``gene-analysis`` job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vardesk.domain.errors import Invalid
from vardesk.domain.models import new_uuid, utcnow

CASE = "CASE"
SOLO = "VAAST Solo Report"
TRIO = "VAAST Trio Report"
QUAD = "VAAST Quad Report"
PHEVOR = "Phevor Report"
KINDS = (CASE, SOLO, TRIO, QUAD, PHEVOR)

WAITING, SUBMITTED, RUNNING, COMPLETE, FAILED = "WAITING", "SUBMITTED", "RUNNING", "COMPLETE", "FAILED"
STATUSES = (WAITING, SUBMITTED, RUNNING, COMPLETE, FAILED)

# the members each stand-alone kind needs, by relation
REQUIRED: dict[str, tuple[str, ...]] = {
    SOLO: ("PROBAND",),
    TRIO: ("PROBAND", "MOTHER", "FATHER"),
    QUAD: ("PROBAND", "MOTHER", "FATHER", "SIBLING"),
    PHEVOR: (),
}


@dataclass(eq=False)
class GeneAnalysis:
    """Members are ``{"relation", "genome_id", "sex", "affected", "label"}`` dicts, the proband first.

    ``genes`` is the ranked gene list (see :func:`vardesk.app.cases.prioritisation.ranking_doc`),
    ``variants`` the variants behind it (stand-alone analyses, for export), ``summary`` counts, source
    versions and, for a case's re-run, what moved.
    """

    workspace_id: int
    project_id: int
    study_id: int
    kind: str
    created_by: int
    case_id: int | None = None
    run: int = 0
    parent_id: int | None = None  # Phevor: the VAAST analysis whose variants it re-ranks
    members: list[dict[str, Any]] = field(default_factory=list)
    hpo_terms: list[str] = field(default_factory=list)
    status: str = WAITING
    status_reason: str = ""
    job_id: int | None = None
    genes: list[dict[str, Any]] = field(default_factory=list)
    variants: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    uuid: str = field(default_factory=new_uuid)
    created_at: datetime = field(default_factory=utcnow)
    modified_at: datetime = field(default_factory=utcnow)

    @property
    def genome_ids(self) -> list[int]:
        return [int(m["genome_id"]) for m in self.members if m.get("genome_id")]

    @property
    def proband_genome_id(self) -> int | None:
        return next((int(m["genome_id"]) for m in self.members if m.get("relation") == "PROBAND"), None)


_PARENT_SEX = {"MOTHER": "FEMALE", "FATHER": "MALE"}


def with_defaults(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the relation implies when not given: the proband is affected, a mother female, a father male."""
    out = []
    for m in members:
        m = dict(m)
        if m.get("relation") == "PROBAND":
            m["affected"] = "AFFECTED"
        if m.get("sex") in (None, "", "UNKNOWN") and m.get("relation") in _PARENT_SEX:
            m["sex"] = _PARENT_SEX[m["relation"]]
        out.append(m)
    return out


def check_members(kind: str, members: list[dict[str, Any]], parent: GeneAnalysis | None = None) -> None:
    """The members a stand-alone analysis of ``kind`` needs are all there, each genome once."""
    if kind not in KINDS or kind == CASE:
        raise Invalid(f"unknown analysis type {kind!r}; expected one of {', '.join(KINDS[1:])}")
    relations = [m["relation"] for m in members]
    missing = [r for r in REQUIRED[kind] if r not in relations]
    if missing:
        raise Invalid(f"a {kind} needs a genome for: {', '.join(r.lower() for r in missing)}")
    ids = [m["genome_id"] for m in members]
    if len(set(ids)) != len(ids):
        raise Invalid("the same genome is given for two members")
    if kind == PHEVOR:
        if parent is None:
            raise Invalid("a Phevor Report needs proband_vaast_report_id: the VAAST analysis to re-rank")
        if parent.status != COMPLETE:
            raise Invalid(f"analysis {parent.id} is {parent.status}, not COMPLETE")


def check_deletable(analysis: GeneAnalysis) -> None:
    if analysis.case_id is not None:
        raise Invalid("a case's ranking is part of the case's history and cannot be deleted")
