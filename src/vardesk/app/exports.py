"""Exporting variants as files: a case's report variants, or the variants of a study matching a search,
as VCF, CSV or JSON, streamed.

A face turns its request into an :class:`ExportCommand` (what to export and in which format) and streams
the :class:`Export` it gets back: the media type, the file name and the bytes, produced lazily so memory
stays bounded whatever the number of variants. Everything that can fail (access, an unknown case or
study, an unknown format) fails when the use case is called, before the first byte is produced.

A large study export can also run as a ``variant.export`` job (:meth:`ExportVariants.submit`): the job
writes the same bytes into the blob store as the user who asked (whose access is checked again when it
runs) and records the file's media type, name, size and record count; :meth:`ExportVariants.exported`
hands the finished file to someone who may read the job. Export files are patient data: only the newest
``keep`` finished exports of a user are kept, older ones' files are deleted when a new one finishes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from typing import Any

from vardesk.app.cases.interpretation import (
    EXPORT_COLUMNS,
    TABULAR_COLUMNS,
    InterpretationService,
    export_rows,
)
from vardesk.app.context import ServiceContext, audit
from vardesk.app.jobs import JobService, new_job_code
from vardesk.app.projects import ProjectService
from vardesk.app.variants import VariantHit, VariantSearch, VariantService
from vardesk.domain.access import Actor
from vardesk.domain.enums import JobState
from vardesk.domain.errors import Forbidden, Invalid, JobFailed, NotFound, Unavailable
from vardesk.domain.models import Job
from vardesk.interchange.exports import encode, iter_csv, iter_json, iter_vcf
from vardesk.jobs.context import JobContext
from vardesk.storage.blobs import BlobStore

log = logging.getLogger("vardesk.exports")

FORMATS = ("vcf", "csv", "json")
MEDIA_TYPE = "application/octet-stream"  # a download, whatever the format
CONFIRMATION_FILTERS = {"CONFIRMED": "Confirmed by an orthogonal method", "FAIL": "Failed confirmation"}
# the annotation columns of a study export, after the site columns
STUDY_ANNOTATION = (
    "gene_symbol",
    "consequence",
    "transcript_id",
    "hgvs_c",
    "hgvs_p",
    "gnomad_af",
    "clinvar_significance",
)
STUDY_COLUMNS = ("chrom", "pos", "ref", "alt", "id", "qual", "filters", *STUDY_ANNOTATION)
EXPORT_TOOL = "variant.export"
KEEP_EXPORTS = 20  # finished export files kept per user; older ones are deleted
_CHUNK = 1 << 16


@dataclass(frozen=True)
class CaseVariants:
    """The report variants of a case (with each member's genotype)."""

    case: str
    study: str | None = None


@dataclass(frozen=True)
class StudyVariants:
    """Every variant of a study that matches ``search`` (``search.limit`` None: every match)."""

    study: str
    search: VariantSearch


@dataclass(frozen=True)
class ExportCommand:
    what: CaseVariants | StudyVariants
    format: str = "vcf"  # vcf, csv or json, in any case


@dataclass(frozen=True)
class Export:
    media_type: str
    filename: str
    body: Iterator[bytes]


def export_format(value: str | None) -> str:
    fmt = (value or "vcf").lower()
    if fmt not in FORMATS:
        raise Invalid(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    return fmt


def study_row(hit: VariantHit) -> dict[str, Any]:
    """A study variant as an export row: site, annotation and the included samples' values."""
    r = hit.row
    row = {
        "chrom": r["chrom"],
        "pos": r["pos"],
        "ref": r["ref"],
        "alt": r["alt"],
        "id": r.get("rsid") or None,
        "qual": r.get("qual"),
        "filters": r.get("filters") or [],
    }
    row.update({k: r.get(k) for k in STUDY_ANNOTATION if k in r})
    row["samples"] = {s: v for s, v in hit.samples}
    return row


@dataclass(frozen=True)
class ExportJob:
    """What a ``variant.export`` job exports: a study's variants matching a search, in a format."""

    study: str  # the study's fully qualified reference
    search: VariantSearch
    format: str

    def params(self) -> dict[str, Any]:
        search = asdict(self.search)
        search["ids"] = [list(v) for v in search["ids"]]  # as the catalog gives it back (JSON)
        return {"study": self.study, "format": self.format, "search": search}

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> ExportJob:
        study, search = params.get("study"), params.get("search")
        if not isinstance(study, str) or not study or not isinstance(search, dict):
            raise Invalid("a variant.export job needs its 'study' and 'search'")
        known = {f.name for f in fields(VariantSearch)}
        unknown = sorted(set(search) - known)
        if unknown:
            raise Invalid(f"a variant.export job's search has unknown fields: {', '.join(unknown)}")
        values = dict(search)
        values["ids"] = [tuple(v) for v in values.get("ids") or []]
        return cls(study, VariantSearch(**values), export_format(params.get("format")))


@dataclass(frozen=True)
class ExportedFile:
    """The file a finished export job made, streamed from the blob store."""

    job: Job
    media_type: str
    filename: str
    size: int
    body: Iterator[bytes]


def _counted(rows: Iterable[dict[str, Any]], count: list[int]) -> Iterator[dict[str, Any]]:
    for row in rows:
        count[0] += 1
        yield row


class ExportVariants:
    """The variant export use case; one instance serves any number of exports."""

    def __init__(
        self,
        ctx: ServiceContext,
        interpretation: InterpretationService,
        variants: VariantService,
        projects: ProjectService,
        jobs: JobService,
        store: BlobStore,
        keep: int = KEEP_EXPORTS,
    ) -> None:
        self.ctx = ctx
        self.interpretation = interpretation
        self.variants = variants
        self.projects = projects
        self.jobs = jobs
        self.store = store
        self.keep = keep

    def __call__(self, actor: Actor, command: ExportCommand) -> Export:
        what = command.what
        if isinstance(what, CaseVariants):
            return self._case(actor, what, command.format)
        return self._study(actor, what, command.format)

    def _case(self, actor: Actor, what: CaseVariants, fmt: str) -> Export:
        variants = self.interpretation.variants(actor, what.case, study_ref=what.study)
        rows, members = export_rows(variants)
        fmt = export_format(fmt)
        if fmt == "vcf":
            body = iter_vcf(
                rows, samples=members, info=list(EXPORT_COLUMNS), filter_descriptions=CONFIRMATION_FILTERS
            )
        elif fmt == "csv":
            body = iter_csv(rows, columns=TABULAR_COLUMNS)
        else:
            body = iter_json(rows)
        return Export(MEDIA_TYPE, f"{what.case}-variants.{fmt}", encode(body))

    def _study(self, actor: Actor, what: StudyVariants, fmt: str, count: list[int] | None = None) -> Export:
        fmt = export_format(fmt)
        page, hits = self.variants.stream(actor, what.study, what.search)
        rows: Iterable[dict[str, Any]] = (study_row(h) for h in hits)
        if count is not None:
            rows = _counted(rows, count)
        if fmt == "vcf":
            body = iter_vcf(rows, samples=page.samples, info=list(STUDY_ANNOTATION))
        elif fmt == "csv":
            body = iter_csv(rows, columns=STUDY_COLUMNS)  # the header also when nothing matches
        else:
            body = iter_json(rows)
        return Export(MEDIA_TYPE, f"variants.{fmt}", encode(body))

    # -- as a job -------------------------------------------------------------------------------------
    def submit(self, actor: Actor, study_ref: str, search: VariantSearch, fmt: str | None) -> Job:
        """Queue the export of a study's variants matching ``search`` (or join the same export the same
        user already queued); the format and the caller's access are checked now."""
        fmt = export_format(fmt)
        with self.ctx.uow() as uow:
            view = self.projects.resolve_study(uow, actor, study_ref)  # may the caller read it
            params = ExportJob(view.fqn, search, fmt).params()
            for job in uow.jobs.unfinished(EXPORT_TOOL, view.study.id):
                if job.created_by == actor.user_id and job.params == params:
                    return job
            job = uow.jobs.add(
                Job(
                    workspace_id=actor.workspace_id,
                    tool=EXPORT_TOOL,
                    code=new_job_code(EXPORT_TOOL, self.ctx),
                    params=params,
                    created_by=actor.user_id,
                    project_id=view.project.id,
                    study_id=view.study.id,
                    description=f"{fmt} export of variants of study {view.study.code}",
                    max_attempts=self.ctx.settings.job_max_attempts,
                )
            )
            audit(
                uow,
                "job_submit",
                actor=actor,
                entity_type="job",
                entity_id=job.code,
                details={"tool": EXPORT_TOOL},
            )
            uow.commit()
        self.jobs.notify()
        return job

    def execute(self, actor: Actor, command: ExportJob, ctx: JobContext) -> dict[str, Any]:
        """Write the export into the blob store (as ``actor``, whose access is checked again); the job's
        result: where the file is, its media type, name, size and number of records."""
        count = [0]
        export = self._study(actor, StudyVariants(command.study, command.search), command.format, count)
        key = f"exports/{ctx.code}/{export.filename}"
        ctx.progress(1, "exporting: the matching variants", force=True)
        with self.store.scratch() as work:
            path = work / export.filename
            with path.open("wb") as out:
                for block in export.body:
                    out.write(block)
                    ctx.progress(1, f"exporting: {count[0]:,} records")
            size = path.stat().st_size
            self.store.put_file(key, path, move=True)
        self._drop_old_exports(actor)
        return {
            "blob": key,
            "media_type": export.media_type,
            "filename": export.filename,
            "size": size,
            "records": count[0],
            "format": command.format,
        }

    def _drop_old_exports(self, actor: Actor) -> None:
        """Keep the files of the user's newest ``keep`` exports (the one just made among them)."""
        with self.ctx.uow() as uow:
            done = uow.jobs.search(
                actor.workspace_id, {"tool": EXPORT_TOOL, "state": JobState.DONE.value}, None
            )
        mine = [j for j in done if j.created_by == actor.user_id and (j.result or {}).get("blob")]
        older = sorted(mine, key=lambda j: j.id or 0, reverse=True)[max(0, self.keep - 1) :]
        for job in older:  # the file's folder, exports/<job code>
            key = str((job.result or {})["blob"])
            try:
                self.store.delete(key.rsplit("/", 1)[0] if "/" in key else key)
            except Exception:  # the export stands; the next one to finish deletes it again
                log.warning("an old export file could not be deleted", exc_info=True, extra={"job": job.code})

    def exported(self, actor: Actor, job_ref: str) -> ExportedFile:
        """The file a finished export job made, for someone who may read the job's study."""
        ((_, found),) = self.jobs.get_jobs(actor, [job_ref])
        if isinstance(found, Forbidden):
            raise Invalid(f"job {job_ref} is not an export you may download")
        if isinstance(found, Exception):
            raise found
        if found.tool != EXPORT_TOOL:
            raise Invalid(f"job {found.code} is not a variant export ({found.tool})")
        state = found.state.value
        if found.state is not JobState.DONE:
            if found.state.finished:
                raise JobFailed(f"job {found.code} did not export the variants: {found.error or state}")
            raise Unavailable(
                f"job {found.code} is {state}; download the export once it is DONE", retry_after=5
            )
        result = found.result or {}
        key = str(result.get("blob") or "")
        if not key or not self.store.exists(key):
            raise NotFound(
                f"the export of job {found.code} is no longer kept (only a user's newest {self.keep} are); "
                "run the export again"
            )
        with self.ctx.uow() as uow:
            audit(uow, "variant_export_download", actor=actor, entity_type="job", entity_id=found.code)
            uow.commit()
        size = self.store.size(key)
        opened = self.store.open(key)
        handle = opened.__enter__()  # open now: a file deleted meanwhile is still read whole

        def body() -> Iterator[bytes]:
            try:
                while block := handle.read(_CHUNK):
                    yield block
            finally:
                opened.__exit__(None, None, None)

        filename = str(result.get("filename") or key.rsplit("/", 1)[-1])
        return ExportedFile(found, str(result.get("media_type") or MEDIA_TYPE), filename, size, body())


def run_variant_export(
    ctx: JobContext, *, exports: ExportVariants, actor_of: Callable[[int], Actor]
) -> dict[str, Any]:
    """The ``variant.export`` job (bound to its collaborators in :mod:`vardesk.app.composition`)."""
    command = ExportJob.from_params(ctx.params)
    if ctx.created_by is None:
        raise Invalid("a variant export needs the user who asked for it")
    return exports.execute(actor_of(ctx.created_by), command, ctx)
