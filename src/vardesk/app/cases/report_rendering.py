"""Rendering a case's report PDF as a job (``report.render``), cached by the case's content version.

:class:`RenderReport` (a case and a kind, preview or final) gives the blob key of the rendered PDF. A
preview is kept under the digest of everything it prints (the content version): an unchanged case is
served as rendered, a changed one is rendered again. The final PDF is rendered once, when the case is
approved, and kept as signed (one file per report version). Requests that need the PDF now wait for the
job a bounded time (``report_wait_seconds``, then 503); a process that runs no executor renders in the
request's own thread, still through the job queue, so a job is never run twice."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from vardesk import __version__
from vardesk.app.cases.service import CaseView
from vardesk.app.context import ServiceContext, audit
from vardesk.app.jobs import JobService, new_job_code
from vardesk.domain import cases as dc
from vardesk.domain.access import Actor
from vardesk.domain.enums import JobState
from vardesk.domain.errors import Invalid, JobFailed, NotFound, Unavailable, Unprocessable
from vardesk.domain.models import Job
from vardesk.jobs.context import JobContext
from vardesk.reports import model as rm
from vardesk.reports.pdf import render_pdf
from vardesk.storage.blobs import BlobStore

log = logging.getLogger("vardesk.reports")

RENDER_TOOL = "report.render"


class ReportKind(StrEnum):
    PREVIEW = "preview"
    FINAL = "final"

    @classmethod
    def parse(cls, value: Any) -> ReportKind:
        try:
            return cls(str(value or "").strip().lower())
        except ValueError:
            raise Invalid(f"unknown report kind {value!r}; use preview or final") from None


@dataclass(frozen=True)
class RenderReport:
    """Render the ``kind`` PDF of case ``case_id`` (its catalog id)."""

    case_id: int
    kind: ReportKind

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> RenderReport:
        try:
            case_id = int(params["case"])
        except (KeyError, TypeError, ValueError):
            raise Invalid("a report.render job needs the case's numeric id as its 'case'") from None
        return cls(case_id, ReportKind.parse(params.get("kind")))


@dataclass(frozen=True)
class RenderedReport:
    blob_key: str
    content_version: str


@dataclass(frozen=True)
class _Plan:
    view: CaseView
    blob_key: str
    content_version: str
    document: rm.ReportDocument | None  # None for a final already rendered


def _digest(document: rm.ReportDocument) -> str:
    """The content version of a preview: what it prints, and the code that prints it."""
    return hashlib.sha256(f"{__version__}\n{document!r}".encode()).hexdigest()[:32]


class ReportRendering:
    """``run_if_idle(job_id)`` runs a queued job in the calling thread when no executor of this process takes
    jobs up (the CLI, a server started without jobs), so a request never waits for nothing."""

    def __init__(
        self,
        ctx: ServiceContext,
        reports: Any,
        store: BlobStore,
        jobs: JobService,
        run_if_idle: Callable[[int], None],
    ) -> None:
        self.ctx = ctx
        self.reports = reports
        self.store = store
        self.jobs = jobs
        self.run_if_idle = run_if_idle

    # -- the use case (what the job runs) --------------------------------------------------------------
    def _plan(self, actor: Actor, ref: str, kind: ReportKind, study_ref: str | None) -> _Plan:
        view, variants, names = self.reports._load(actor, ref, study_ref)
        case = view.case
        if kind is ReportKind.PREVIEW:
            if case.status == dc.APPROVED:
                raise Unprocessable("the case is approved: download the final report instead of a preview")
            if case.status in (dc.WAITING_FOR_SAMPLE, dc.WAITING):
                raise Unprocessable(
                    f"no preview yet: the case is {case.status!r} (genomes or analysis still pending)"
                )
            if case.status == dc.FAILED:
                raise Unprocessable(f"no preview: the case failed ({case.status_reason})")
            document = self.reports.document(view, variants, rm.ReportStatus.PREVIEW, names)
            version = _digest(document)
            return _Plan(view, f"reports/{case.uuid}/preview-{version}.pdf", version, document)
        if case.status != dc.APPROVED:
            raise Unprocessable(
                f"the final report exists only once the case is approved; it is {case.status!r}"
            )
        key = f"reports/{case.uuid}/final-v{case.version}.pdf"
        if self.store.exists(key):  # rendered once, then served as stored (what was signed)
            return _Plan(view, key, f"v{case.version}", None)
        status = rm.ReportStatus.AMENDED if case.amends_case_id else rm.ReportStatus.FINAL
        return _Plan(view, key, f"v{case.version}", self.reports.document(view, variants, status, names))

    def execute(self, command: RenderReport, actor: Actor, ctx: JobContext | None = None) -> RenderedReport:
        """Render (or find already rendered) the PDF ``command`` names; its blob key."""
        plan = self._plan(actor, str(command.case_id), command.kind, None)
        store = self.store
        if plan.document is not None and not store.exists(plan.blob_key):
            if ctx is not None:
                ctx.progress(10, "rendering: the PDF", force=True)
            pdf = render_pdf(plan.document)
            store.put_bytes(plan.blob_key, pdf)
            self._drop_old_previews(plan, actor, command.kind)
        return RenderedReport(plan.blob_key, plan.content_version)

    def _drop_old_previews(self, plan: _Plan, actor: Actor, kind: ReportKind) -> None:
        """A preview of content that has since changed is patient data nobody will read again: keep only
        the newest preview of a case, and none once its final report exists.

        Only a render of the case as it is now cleans up: a render that finishes after the case changed
        (a job re-run after a crash, or a slow one overtaken by the render of newer content) would
        otherwise delete the newer preview another job has just handed out."""
        if kind is ReportKind.PREVIEW:
            try:
                current = self._plan(actor, str(plan.view.case.id), kind, None).blob_key
            except Unprocessable:  # approved or reset meanwhile: the next render decides
                return
            if current != plan.blob_key:
                return
        folder = f"reports/{plan.view.case.uuid}/"
        for key in self.store.list(folder):
            if key != plan.blob_key and key.rsplit("/", 1)[-1].startswith("preview-"):
                self.store.delete(key)

    # -- submitting and waiting -------------------------------------------------------------------------
    def submit(self, actor: Actor, ref: str, kind: ReportKind, study_ref: str | None = None) -> Job:
        """Queue the render of a case's PDF (or join the one already queued for the same content); the
        case's state is checked now, so a PDF that cannot exist is refused at once."""
        plan = self._plan(actor, ref, kind, study_ref)
        return self._job_for(actor, plan, kind)

    def queue_final(self, actor: Actor, view: CaseView) -> None:
        """Render the final PDF of a case just approved, in the background."""
        try:
            self._job_for(
                actor, self._plan(actor, str(view.case.id), ReportKind.FINAL, None), ReportKind.FINAL
            )
        except Exception:  # the approval stands; the PDF is rendered when first downloaded
            log.warning("the final report could not be queued", exc_info=True, extra={"case": view.case.id})

    def _job_for(self, actor: Actor, plan: _Plan, kind: ReportKind) -> Job:
        view = plan.view
        params = {"case": view.case.id, "kind": kind.value, "version": plan.content_version}
        with self.ctx.uow() as uow:
            for job in uow.jobs.unfinished(RENDER_TOOL, view.study.study.id):
                if job.params == params:
                    return job
            job = uow.jobs.add(
                Job(
                    workspace_id=view.case.workspace_id,
                    tool=RENDER_TOOL,
                    code=new_job_code(RENDER_TOOL, self.ctx),
                    params=params,
                    created_by=actor.user_id,
                    project_id=view.study.project.id,
                    study_id=view.study.study.id,
                    description=f"{kind.value} report of case {view.case.id}",
                    max_attempts=self.ctx.settings.job_max_attempts,
                )
            )
            uow.commit()
        self.jobs.notify()
        return job

    def render_and_wait(
        self,
        actor: Actor,
        ref: str,
        kind: ReportKind,
        study_ref: str | None = None,
        timeout: float | None = None,
    ) -> bytes:
        """The PDF now: served as rendered when the case is unchanged, else rendered by a job this request
        waits for (at most ``timeout``, by default ``report_wait_seconds``; then :class:`Unavailable`)."""
        plan = self._plan(actor, ref, kind, study_ref)
        store = self.store
        key = plan.blob_key
        if not store.exists(key):
            job = self._job_for(actor, plan, kind)
            key = self._wait(job, kind, self.ctx.settings.report_wait_seconds if timeout is None else timeout)
        self._audit(actor, plan.view, f"report_{kind.value}")
        return store.read_bytes(key)

    def _wait(self, job: Job, kind: ReportKind, timeout: float) -> str:
        self.run_if_idle(job.id or 0)
        deadline = time.monotonic() + timeout
        delay = 0.05
        while True:
            with self.ctx.uow() as uow:
                current = uow.jobs.get(job.id or 0)
            if current is None:
                raise NotFound(f"job {job.code} no longer exists")
            if current.state is JobState.DONE:
                return str((current.result or {})["blob"])
            if current.state.finished:
                raise JobFailed(
                    f"rendering the {kind.value} report failed (job {current.code}): "
                    f"{current.error or current.state.value}"
                )
            if time.monotonic() >= deadline:
                raise Unavailable(
                    f"the {kind.value} report is still being rendered (job {current.code}); "
                    "ask again in a little while",
                    retry_after=10,
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.5)

    def rendered(
        self, actor: Actor, ref: str, job_ref: str, study_ref: str | None = None
    ) -> tuple[CaseView, ReportKind, bytes]:
        """The PDF a finished render job made of case ``ref``, for someone who may read the case."""
        view = self.reports.cases.get(actor, ref, study_ref)
        ((_, found),) = self.jobs.get_jobs(actor, [job_ref])
        if isinstance(found, Exception):
            raise found
        if found.tool != RENDER_TOOL:
            raise Invalid(f"job {found.code} is not a report render ({found.tool})")
        command = RenderReport.from_params(found.params)
        if command.case_id != view.case.id:
            raise Invalid(f"job {found.code} rendered another case's report, not {ref}")
        state = found.state.value
        if found.state is not JobState.DONE:
            if found.state.finished:
                raise JobFailed(f"job {found.code} did not render the report: {found.error or state}")
            raise Unavailable(f"job {found.code} is {state}; download the PDF once it is DONE", retry_after=5)
        key = str((found.result or {}).get("blob") or "")
        if not key or not self.store.exists(key):
            raise NotFound(f"the PDF of job {found.code} is no longer kept; render the report again")
        self._audit(actor, view, f"report_{command.kind.value}")
        return view, command.kind, self.store.read_bytes(key)

    def _audit(self, actor: Actor, view: CaseView, action: str) -> None:
        with self.ctx.uow() as uow:
            audit(uow, action, actor=actor, entity_type="case", entity_id=view.case.id)
            uow.commit()


def run_report_render(
    ctx: JobContext, *, rendering: ReportRendering, actor_of: Callable[[int], Actor]
) -> dict[str, Any]:
    """The ``report.render`` job (bound to its collaborators in :mod:`vardesk.app.composition`)."""
    command = RenderReport.from_params(ctx.params)
    if ctx.created_by is None:
        raise Invalid("a report render needs the user who asked for it")
    actor = actor_of(ctx.created_by)
    rendered = rendering.execute(command, actor, ctx)
    return {
        "blob": rendered.blob_key,
        "content_version": rendered.content_version,
        "case": command.case_id,
        "kind": command.kind.value,
    }
