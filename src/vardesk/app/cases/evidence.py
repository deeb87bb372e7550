"""What a reviewer reads about one report variant beyond its snapshot: the in-silico scores and population
columns of the stored annotation row, and the other cases (and genomes) of the workspace carrying it.

Both are read for the actor's workspace only, from the studies the actor may read, and audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from vardesk.app.annotation import AnnotationService
from vardesk.app.cases.interpretation import InterpretationService
from vardesk.app.cases.records import CaseRecords
from vardesk.app.context import ServiceContext, audit
from vardesk.domain.access import Actor
from vardesk.domain.cases import ReportVariant
from vardesk.domain.errors import Forbidden, NotFound
from vardesk.domain.models import Genome
from vardesk.storage.blobs import BlobStore

# (annotation column, label) of the scores shown when the stored row has them, in this order
SCORES = (
    ("revel", "REVEL"),
    ("cadd_phred", "CADD (phred)"),
    ("spliceai_max", "SpliceAI (max delta)"),
    ("alphamissense", "AlphaMissense"),
    ("gnomad_af", "gnomAD AF"),
    ("gnomad_af_grpmax", "gnomAD AF (grpmax)"),
    ("gnomad_nhomalt", "gnomAD homozygotes (nhomalt)"),
)
ZYGOSITY = {1: "heterozygous", 2: "homozygous", 3: "hemizygous"}


@dataclass(frozen=True)
class Score:
    column: str
    label: str
    value: float | int | None  # None: not in this variant's annotation


@dataclass(frozen=True)
class Observation:
    genome_id: int
    genome: str  # the genome's code (its sample id in the study)
    gt: str
    zygosity: str
    case_id: int | None = None  # None: a genome of no case
    case_code: str = ""
    member: str = ""  # the member's relation in that case


@dataclass(frozen=True)
class VariantEvidence:
    variant: ReportVariant
    scores: list[Score]
    observations: list[Observation] = field(default_factory=list)
    genomes_searched: int = 0  # the workspace's READY genomes the actor may read


def _annotation_row(directories: list[Path], key: int) -> dict[str, Any]:
    """The first stored annotation row of ``key`` with the score columns its part has."""
    wanted = [c for c, _ in SCORES]
    for directory in directories:
        parts = sorted(directory.rglob("*.parquet")) if directory.is_dir() else [directory]
        parts = [p for p in parts if p.is_file()]
        for part in parts:
            names = set(pq.read_schema(part).names)
            columns = [c for c in wanted if c in names]
            if "key" not in names or not columns:
                continue
            table = pq.read_table(part, columns=["key", *columns], filters=[("key", "=", key)])
            if table.num_rows:
                return {c: table.column(c)[0].as_py() for c in columns}
    return {}


class VariantEvidenceService:
    def __init__(
        self,
        ctx: ServiceContext,
        records: CaseRecords,
        interpretation: InterpretationService,
        annotation: AnnotationService,
        store: BlobStore,
    ) -> None:
        self.ctx = ctx
        self.records = records
        self.interpretation = interpretation
        self.annotation = annotation
        self.store = store

    def evidence(self, actor: Actor, case_ref: str, variant_ref: int | str) -> VariantEvidence:
        rv = self.interpretation.variant(actor, case_ref, variant_ref)
        with self.ctx.uow() as uow:
            study, case = self.records.find(uow, actor, case_ref)
            own = {m.genome_id for m in uow.case_members.of_case(case.id or 0) if m.genome_id}
            case_genomes = [g for gid in own if (g := uow.genomes.get(gid)) is not None]
            others: list[Genome] = []
            readable: dict[int, bool] = {}
            for g in uow.genomes.ready_in_workspace(actor.workspace_id):
                if not g.genotypes_key:
                    continue
                if g.study_id not in readable:
                    try:
                        self.records.projects.study_by_id(uow, actor, g.study_id)
                        readable[g.study_id] = True
                    except (NotFound, Forbidden):
                        readable[g.study_id] = False
                if readable[g.study_id]:
                    others.append(g)
            audit(
                uow,
                "variant_evidence_read",
                actor=actor,
                entity_type="case",
                entity_id=case.id,
                details={"report_variant": rv.id, "genomes": len(others)},  # ids and counts only
            )
            uow.commit()
        with self.annotation.annotations(case_genomes) as directories:
            row = _annotation_row(list(directories), rv.key)
        if "gnomad_af" not in row and rv.gnomad_af is not None:
            row["gnomad_af"] = rv.gnomad_af  # the snapshot's, where the stored row has none
        scores = [Score(c, label, row.get(c)) for c, label in SCORES]
        carriers = self._carriers(others, rv.key)
        observations: list[Observation] = []
        with self.ctx.uow() as uow:
            for g, (gt, zyg) in carriers:
                cases = [
                    c
                    for c in uow.cases.with_genome(g.id or 0)
                    if c.workspace_id == actor.workspace_id and c.id != case.id and readable.get(c.study_id)
                ]
                if not cases and g.id not in own:
                    observations.append(Observation(g.id or 0, g.code, gt, zyg))
                for c in cases:
                    members = [m for m in uow.case_members.of_case(c.id or 0) if m.genome_id == g.id]
                    member = members[0].relation if members else ""
                    observations.append(Observation(g.id or 0, g.code, gt, zyg, c.id, c.code, member))
        return VariantEvidence(rv, scores, observations, len(others))

    def _carriers(self, genomes: list[Genome], key: int) -> list[tuple[Genome, tuple[str, str]]]:
        found: list[tuple[Genome, tuple[str, str]]] = []
        if not genomes:
            return found
        with self.store.materialise_many([g.genotypes_key for g in genomes]) as paths:
            for g, path in zip(genomes, paths, strict=True):
                table = pq.read_table(path, columns=["key", "gt", "zygosity"], filters=[("key", "=", key)])
                for gt, zyg in zip(
                    table.column("gt").to_pylist(), table.column("zygosity").to_pylist(), strict=True
                ):
                    if zyg in ZYGOSITY:
                        found.append((g, (gt or "", ZYGOSITY[zyg])))
                        break
        return found
