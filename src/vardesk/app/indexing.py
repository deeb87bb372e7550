"""Indexing an uploaded file: ingest its genotypes into the variant store, then annotate them.

``index_files`` queues a ``variant-index`` job; the job runs :func:`run_variant_index` in the executor.
File and genome states follow UPLOADED → VALIDATING → ANNOTATING → READY | FAILED (reason kept).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from vardesk.app.annotation import AnnotationService
from vardesk.app.context import ServiceContext, audit
from vardesk.app.files import FileService
from vardesk.app.inhouse import InhouseFrequencies
from vardesk.app.jobs import JobService
from vardesk.app.matrices import GenotypeMatrices
from vardesk.app.projects import ProjectService
from vardesk.domain.access import Actor
from vardesk.domain.enums import GenomeState
from vardesk.domain.errors import Conflict, Invalid, VardeskError, error_text
from vardesk.domain.models import Job, VcfFile
from vardesk.ingest.pipeline import ingest_vcf
from vardesk.jobs.context import JobContext
from vardesk.storage.blobs import BlobStore

if TYPE_CHECKING:
    from vardesk.app.cases.case_analysis import CandidateService
    from vardesk.app.cases.gene_analyses import AnalysisService
    from vardesk.app.cases.records import CaseRecords

log = logging.getLogger("vardesk.indexing")
TOOL = "variant-index"
# A file's share of an indexing job's progress: reading it (bytes of the input consumed), then
# annotating it in ANNOTATION_STEPS steps (the messages vardesk.annotate.engine reports).
READING_SHARE = 0.4
ANNOTATION_STEPS = 7


class IndexService:
    def __init__(
        self,
        ctx: ServiceContext,
        projects: ProjectService,
        files: FileService,
        jobs: JobService,
        annotation: AnnotationService,
    ) -> None:
        self.ctx = ctx
        self.projects = projects
        self.files = files
        self.jobs = jobs
        self.annotation = annotation

    def index_files(
        self, actor: Actor, study_ref: str, file_refs: list[str], *, annotate: bool = True
    ) -> tuple[Job, str]:
        """Queue one job that indexes the given files of a study; returns the job and the study's fqn."""
        if not file_refs:
            raise Invalid("the file parameter is required")
        with self.ctx.uow() as uow:
            study = self.projects.study_for_write(uow, actor, study_ref)
            ids = []
            for ref in file_refs:
                vcf = self.files.find(uow, actor, study, ref)
                if vcf.state in (GenomeState.VALIDATING, GenomeState.ANNOTATING):
                    raise Conflict(f"file {vcf.code} is already being indexed")
                ids.append(vcf.id)
            job = self.jobs.submit(
                uow,
                actor,
                TOOL,
                {"files": ids, "annotate": bool(annotate)},
                study=study,
                description=f"index {len(ids)} file(s)",
            )
            uow.commit()
        self.jobs.notify()
        return job, study.fqn

    def reannotate(self, actor: Actor, build: str) -> list[Job]:
        """Queue re-annotation jobs (one per project) for this workspace's files of ``build`` annotated with
        anything but the bundle the workspace uses now (enabled for it, or the server default)."""
        with self.ctx.uow() as uow:
            by_study: dict[int, list[int]] = {}
            for file_id in self.annotation.outdated_files(build, actor.workspace_id):
                vcf = uow.files.get(file_id)
                if vcf is not None and vcf.workspace_id == actor.workspace_id:
                    by_study.setdefault(vcf.study_id, []).append(file_id)
            jobs = []
            for study_id, ids in by_study.items():
                study = self.projects.study_by_id(uow, actor, study_id)
                jobs.append(
                    self.jobs.submit(
                        uow,
                        actor,
                        REANNOTATE,
                        {"files": ids},
                        study=study,
                        description=f"re-annotate {len(ids)} file(s)",
                    )
                )
            uow.commit()
        self.jobs.notify()
        return jobs

    # -- state ---------------------------------------------------------------------------------------
    def set_state(
        self,
        file_id: int,
        state: GenomeState,
        reason: str = "",
        genome_fields: dict[int, dict[str, Any]] | None = None,
    ) -> None:
        """Move a file and its genomes to ``state``; ``genome_fields`` sets values per sample index."""
        with self.ctx.uow() as uow:
            vcf = uow.files.get(file_id)
            if vcf is None:
                return
            now = self.ctx.clock()
            vcf.state, vcf.state_reason, vcf.modified_at = state, reason, now
            for g in uow.genomes.of_file(file_id):
                g.state, g.state_reason, g.modified_at = state, reason, now
                for key, value in (genome_fields or {}).get(g.sample_index, {}).items():
                    setattr(g, key, value)
            uow.commit()


REANNOTATE = "reannotate"


def run_reannotation(ctx: JobContext, *, annotation: AnnotationService) -> dict[str, Any]:
    """Annotate indexed files again with the bundle their workspace uses for their build."""
    done = []
    files = list(ctx.params.get("files") or [])
    for n, file_id in enumerate(files):
        ctx.progress(100 * n / max(len(files), 1), f"re-annotating file {n + 1} of {len(files)}")
        done.append(annotation.annotate_file(file_id))
    with annotation.ctx.uow() as uow:
        genome_ids = [g.id or 0 for fid in files for g in uow.genomes.of_file(fid)]
    # the families' matrices carry the annotation's filter fields: rebuilt from the new annotation
    matrices = GenotypeMatrices(annotation.ctx, annotation.store, annotation).refresh(genome_ids)
    return {"files": done, "matrices": len(matrices)}


def run_variant_index(
    ctx: JobContext,
    *,
    indexing: IndexService,
    annotation: AnnotationService,
    store: BlobStore,
    cases: CaseRecords,
    candidates: CandidateService,
    analyses: AnalysisService,
    inhouse: InhouseFrequencies | None = None,
) -> dict[str, Any]:
    """Ingest each file into one genotype Parquet per genome, then annotate (when asked and possible);
    then queue the analyses of the cases and gene analyses whose genomes are now all ready."""
    file_ids: list[int] = list(ctx.params.get("files") or [])
    summary: dict[str, Any] = {"files": []}
    for n, file_id in enumerate(file_ids):
        with indexing.ctx.uow() as uow:
            vcf: VcfFile | None = uow.files.get(file_id)
        if vcf is None:
            raise Invalid(f"file {file_id} no longer exists")
        share = 100.0 / len(file_ids)
        base = n * share
        indexing.set_state(file_id, GenomeState.VALIDATING)
        try:
            result, annotated = _index_one(ctx, indexing, annotation, store, vcf, base, share)
        except VardeskError as exc:
            indexing.set_state(file_id, GenomeState.FAILED, error_text(exc))
            raise
        except Exception as exc:
            indexing.set_state(
                file_id, GenomeState.FAILED, f"internal error while indexing ({type(exc).__name__})"
            )
            raise
        indexing.set_state(file_id, GenomeState.READY)
        if inhouse is not None:  # the workspace's in-house counts take the new genomes in
            inhouse.refresh(vcf.workspace_id)
        with indexing.ctx.uow() as uow:
            audit(
                uow,
                "file_index",
                workspace_id=ctx.workspace_id,
                user_id=ctx.created_by,
                entity_type="file",
                entity_id=file_id,
                details={"records": result.records_read, "variants": result.variants_kept},
            )
            uow.commit()
        summary["files"].append(
            {
                "file": vcf.code,
                "records_read": result.records_read,
                "variants": result.variants_kept,
                "build": result.build,
                "seconds": round(result.seconds, 2),
                "samples": len(result.samples),
                "annotation": annotated,
            }
        )
    with indexing.ctx.uow() as uow:
        genome_ids = [g.id or 0 for fid in file_ids for g in uow.genomes.of_file(fid)]
    # the genotype matrices of the families these genomes complete (a multi-sample file, a case whose
    # genomes are now all READY), before the case analyses that read them
    summary["matrices"] = len(GenotypeMatrices(indexing.ctx, store, annotation).refresh(genome_ids))
    summary["case_jobs"] = candidates.schedule_ready(cases.cases_of_genomes(genome_ids))
    summary["analysis_jobs"] = analyses.schedule_ready(genome_ids)
    return summary


def _index_one(
    ctx: JobContext,
    indexing: IndexService,
    annotation: AnnotationService,
    store: BlobStore,
    vcf: VcfFile,
    base: float,
    share: float,
) -> tuple[Any, dict[str, Any]]:
    """Ingest one file into the store (atomically), then annotate it when asked."""
    annotate = bool(ctx.params.get("annotate", True))
    reading = READING_SHARE if annotate else 1.0  # of this file's share of the job's progress
    with store.materialise(vcf.blob_key) as upload, store.scratch() as work:
        result = ingest_vcf(
            upload,
            work / "out",
            expected_build=vcf.build or None,
            progress=ctx.part(base, base + share * reading, "indexing"),
        )
        key = f"genomes/{vcf.uuid}"
        store.delete(key)  # what an interrupted earlier attempt may have left
        store.put_dir(key, work / "out")
    fields = {
        s.index: {
            "genotypes_key": f"{key}/genotypes/{s.index}.parquet",
            "coverage_key": f"{key}/coverage/{s.index}.parquet",
            "variants": s.variants,
            "called": s.called,
            "build": result.build,
        }
        for s in result.samples
    }
    indexing.set_state(
        vcf.id or 0, GenomeState.ANNOTATING if annotate else GenomeState.VALIDATING, genome_fields=fields
    )
    if not annotate:
        return result, {}
    annotating = ctx.part(base + share * reading, base + share, "annotating", force=True)
    annotating(0, f"file {vcf.code}")  # never the client's file name: job messages are shown and kept
    steps = iter(range(1, ANNOTATION_STEPS))
    annotated = annotation.annotate_file(
        # the annotation reports the steps it starts, not a fraction: each one moves the bar a step
        vcf.id or 0,
        progress=lambda _p, m: annotating(100 * next(steps, ANNOTATION_STEPS - 1) / ANNOTATION_STEPS, m),
    )
    annotating(100, f"file {vcf.code} annotated")
    return result, annotated
