"""Native API: jobs (info, search, kill)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.requests import Request

from vardesk.api.http.deps import get_services, require_actor
from vardesk.api.native import openapi_docs as od
from vardesk.api.native import render
from vardesk.api.native.common import info_response, search_response, write_response
from vardesk.api.native.envelope import JSON, Options
from vardesk.app.composition import Services
from vardesk.domain.access import Actor
from vardesk.domain.models import Job
from vardesk.domain.refs import split_ids

router = APIRouter()


def _renderer(services: Services, actor: Actor):
    cache: dict[int, str] = {}

    def fqn(job: Job) -> str | None:
        if job.study_id is None:
            return None
        if job.study_id not in cache:
            cache[job.study_id] = services.projects.study_fqn(actor, job.study_id)
        return cache[job.study_id]

    return lambda job: render.job(job, fqn(job))


@router.get(
    "/jobs/{jobs}/info",
    tags=["jobs"],
    summary="Jobs by id; internal.status.id is what clients poll",
    openapi_extra=od.op(od.INFO, result="Job"),
)
def jobs_info(
    request: Request,
    jobs: str,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    opts = Options.from_request(request)
    return info_response(
        request, opts, services.jobs.get_jobs(actor, split_ids(jobs)), _renderer(services, actor)
    )


@router.get(
    "/jobs/search",
    tags=["jobs"],
    summary="Jobs you can see (?study=, toolId=, status=)",
    openapi_extra=od.op(
        [
            od.q("study", "only jobs of this study"),
            od.q("toolId", "tool id, e.g. variant-index"),
            od.q("tool", "same as toolId"),
            od.q("internalStatus", "job state"),
            od.q("status", "same as internalStatus"),
            od.q("id", "job id"),
            *od.PAGE,
        ],
        result="Job",
    ),
)
def jobs_search(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    opts = Options.from_request(request)
    q = request.query_params
    study = services.projects.study_view(actor, q["study"]) if q.get("study") else None
    filters = {
        "tool": q.get("toolId") or q.get("tool") or None,
        "state": q.get("internalStatus") or q.get("status") or None,
        "code": q.get("id") or None,
    }
    jobs = services.jobs.search_jobs(actor, filters, study)
    return search_response(request, opts, jobs, _renderer(services, actor))


@router.post(
    "/jobs/{job}/kill",
    tags=["jobs"],
    summary="Cancel a queued or running job",
    openapi_extra=od.op(od.WRITE, result="Job"),
)
def jobs_kill(
    request: Request,
    job: str,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    j = services.jobs.cancel(actor, job)
    return write_response(
        request, Options.from_request(request), _renderer(services, actor)(j), created=False
    )
