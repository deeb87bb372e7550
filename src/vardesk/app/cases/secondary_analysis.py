"""Secondary-analysis jobs: the request a lab's LIMS files for an accession before sequencing data exist.

Vardesk does not run secondary analysis (alignment, variant calling). A job is the durable ticket the LIMS
creates and the external pipeline quotes by its ``uuid``; the genome the pipeline produces is uploaded
later like any other. The record is workspace-scoped and never deleted (it is part of the lab's trail).
"""

from __future__ import annotations

from typing import Any

from vardesk.app.context import ServiceContext, audit
from vardesk.domain.access import Actor, require_role
from vardesk.domain.cases import SecondaryAnalysisJob
from vardesk.domain.enums import Role
from vardesk.domain.errors import NotFound, Unprocessable
from vardesk.domain.ids import ascii_int

ACCESSION_MAX = 128


class SecondaryAnalysisService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def create(self, actor: Actor, data: dict[str, Any]) -> SecondaryAnalysisJob:
        require_role(actor, Role.ADMIN, Role.DIRECTOR, Role.ANALYST, action="requesting secondary analysis")
        raw = data.get("accession_id")
        accession = "" if raw is None else str(raw).strip()
        if not accession:
            raise Unprocessable("a secondary-analysis job needs an accession_id")
        if len(accession) > ACCESSION_MAX:
            raise Unprocessable(f"accession_id is longer than {ACCESSION_MAX} characters")
        with self.ctx.uow() as uow:
            now = self.ctx.clock()
            job = uow.secondary_analysis_jobs.add(
                SecondaryAnalysisJob(
                    workspace_id=actor.workspace_id,
                    accession_id=accession,
                    created_by=actor.user_id,
                    created_at=now,
                    modified_at=now,
                )
            )
            audit(
                uow,
                "secondary_analysis_create",
                actor=actor,
                entity_type="secondary_analysis_job",
                entity_id=job.id or 0,
            )
            uow.commit()
        return job

    def search(
        self, actor: Actor, *, uuid: str | None = None, accession_id: str | None = None
    ) -> list[SecondaryAnalysisJob]:
        """The workspace's jobs, oldest first; another workspace's uuid matches nothing."""
        with self.ctx.uow() as uow:
            return list(uow.secondary_analysis_jobs.search(actor.workspace_id, uuid, accession_id))

    def get(self, actor: Actor, ref: str) -> SecondaryAnalysisJob:
        """One job by numeric id or uuid."""
        with self.ctx.uow() as uow:
            if ascii_int(ref) is not None:
                job = uow.secondary_analysis_jobs.get(ascii_int(ref))
            else:
                found = uow.secondary_analysis_jobs.search(actor.workspace_id, uuid=ref)
                job = found[0] if found else None
        if job is None or job.workspace_id != actor.workspace_id:
            raise NotFound(f"secondary-analysis job {ref!r} not found")
        return job
