"""Submitting and reading durable jobs."""

from __future__ import annotations

import secrets
import string
from typing import Any

from vardesk.app.context import ServiceContext, audit
from vardesk.app.projects import StudyView
from vardesk.catalog.uow import UnitOfWork
from vardesk.domain.access import Actor, can_read_project, can_write_project
from vardesk.domain.enums import JobState, Role
from vardesk.domain.errors import Conflict, Forbidden, Invalid, NotFound, VardeskError
from vardesk.domain.ids import numeric_id
from vardesk.domain.models import Job

_ALNUM = string.ascii_letters + string.digits


def new_job_code(tool: str, ctx: ServiceContext) -> str:
    stamp = ctx.clock().strftime("%Y%m%d%H%M%S")
    return f"{tool}.{stamp}.{''.join(secrets.choice(_ALNUM) for _ in range(6))}"


# the native face shows a FAILED job as ERROR and a CANCELLED one as ABORTED (OpenCGA's names)
SHOWN_JOB_STATES = {"ERROR": "FAILED", "ABORTED": "CANCELLED"}


class JobService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def submit(
        self,
        uow: UnitOfWork,
        actor: Actor,
        tool: str,
        params: dict[str, Any],
        *,
        study: StudyView | None = None,
        description: str = "",
    ) -> Job:
        """Queue a job inside the caller's transaction (it runs once the caller commits)."""
        if not actor.can_write:
            raise Forbidden(f"running {tool} needs the admin, director or analyst role")
        if study is not None and not can_write_project(actor, study.project):
            raise Forbidden(f"permission denied to run jobs in project {study.project.code}")
        job = uow.jobs.add(
            Job(
                workspace_id=actor.workspace_id,
                tool=tool,
                code=new_job_code(tool, self.ctx),
                params=params,
                created_by=actor.user_id,
                project_id=study.project.id if study else None,
                study_id=study.study.id if study else None,
                description=description,
                max_attempts=self.ctx.settings.job_max_attempts,
            )
        )
        audit(uow, "job_submit", actor=actor, entity_type="job", entity_id=job.code, details={"tool": tool})
        return job

    def notify(self) -> None:
        for cb in self.ctx.on_job_submitted:
            cb()

    def _check_read(self, uow: UnitOfWork, actor: Actor, job: Job) -> None:
        if job.workspace_id != actor.workspace_id:
            raise NotFound(f"job {job.code} not found")
        if job.project_id is not None:
            project = uow.projects.get(job.project_id)
            if project is None or not can_read_project(actor, project):
                raise Forbidden(f"permission denied to read job {job.code}")
        elif job.created_by != actor.user_id and actor.role is not Role.ADMIN:
            raise Forbidden(f"permission denied to read job {job.code}")

    def get_jobs(self, actor: Actor, refs: list[str]) -> list[tuple[str, Job | VardeskError]]:
        out: list[tuple[str, Job | VardeskError]] = []
        with self.ctx.uow() as uow:
            for ref in refs:
                job = uow.jobs.by_code(ref)
                if job is None:
                    job = uow.jobs.get(numeric_id(ref)) if numeric_id(ref) is not None else None
                try:
                    if job is None:
                        raise NotFound(f"job {ref} not found")
                    self._check_read(uow, actor, job)
                except VardeskError as exc:
                    out.append((ref, exc))
                    continue
                out.append((ref, job))
        return out

    def search_jobs(self, actor: Actor, filters: dict[str, Any], study: StudyView | None) -> list[Job]:
        with self.ctx.uow() as uow:
            if study is not None:
                filters = {**filters, "study_id": study.study.id}
            state = filters.get("state")
            if state is not None:
                text = str(state).strip().upper()
                text = SHOWN_JOB_STATES.get(text, text)
                try:
                    filters["state"] = JobState(text).value
                except ValueError:
                    allowed = ", ".join([*(s.value for s in JobState), "ERROR", "ABORTED"])
                    raise Invalid(f"unknown job status {state!r}; use one of {allowed}") from None
            jobs = uow.jobs.search(actor.workspace_id, filters, None)
            visible = []
            for job in jobs:
                try:
                    self._check_read(uow, actor, job)
                except VardeskError:
                    continue
                visible.append(job)
        return visible

    def cancel(self, actor: Actor, ref: str) -> Job:
        with self.ctx.uow() as uow:
            job = uow.jobs.by_code(ref)
            if job is None:
                raise NotFound(f"job {ref} not found")
            self._check_read(uow, actor, job)
            if job.created_by != actor.user_id and actor.role is not Role.ADMIN:
                raise Forbidden("only the submitter or an admin may cancel a job")
            if job.state.finished:
                raise Conflict(f"job {job.code} already finished ({job.state.value})")
            if job.state is JobState.QUEUED:
                job.state = JobState.CANCELLED
                job.finished_at = self.ctx.clock()
                job.error = "cancelled on request"
            else:
                job.cancel_requested = True
            audit(uow, "job_cancel", actor=actor, entity_type="job", entity_id=job.code)
            uow.commit()
        return job
