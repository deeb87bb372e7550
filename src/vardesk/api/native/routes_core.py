"""Native API: meta, users (login, info), projects and studies."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from starlette.requests import Request

from vardesk.api.http.deps import client_address, get_services, json_body, require_actor
from vardesk.api.native import openapi_docs as od
from vardesk.api.native import render, schemas
from vardesk.api.native.common import info_response, search_response, write_response
from vardesk.api.native.envelope import JSON, Options, envelope, result
from vardesk.app.commands import CreateProject
from vardesk.app.composition import Services
from vardesk.domain.access import Actor
from vardesk.domain.errors import Invalid, VardeskError
from vardesk.domain.refs import split_ids

router = APIRouter()
ProjectFilters = ("id", "name", "uuid", "fqn", "description", "organization")
StudyFilters = ("id", "name", "uuid", "alias", "fqn", "type")


def _filters(opts: Options, allowed: tuple[str, ...]) -> dict[str, Any]:
    out = {("code" if k == "id" else k): v for k, v in opts.filters.items() if k in allowed and v != ""}
    return out


@router.get(
    "/meta/about",
    tags=["meta"],
    summary="Server program and version (no authentication)",
    openapi_extra=od.op(result="About", auth=False),
)
def meta_about(request: Request) -> JSON:
    return envelope(request, [result([render.about()], num_matches=1)])


@router.get(
    "/meta/ping",
    tags=["meta"],
    summary="Liveness check (no authentication)",
    openapi_extra=od.op(result="str", auth=False),
)
def meta_ping(request: Request) -> JSON:
    return envelope(request, [result(["pong"], num_matches=1)])


@router.post(
    "/users/login",
    tags=["users"],
    summary="Log in with {user, password} (a user password or an API key) or {refreshToken}",
    openapi_extra=od.op(body=schemas.LoginBody, body_required=True, result="Token", auth=False),
)
def users_login(
    request: Request, body: dict = Depends(json_body), services: Services = Depends(get_services)
) -> JSON:
    if body.get("refreshToken"):
        if body.get("user") or body.get("password"):
            raise Invalid("send either user and password, or refreshToken, not both")
        pair = services.auth.refresh(str(body["refreshToken"]))
    else:
        pair = services.auth.login(
            str(body.get("user") or ""), str(body.get("password") or ""), client_address(request)
        )
    doc = {"token": pair.token, "refreshToken": pair.refresh_token, "expiresIn": pair.expires_in}
    return envelope(request, [result([doc], num_matches=1)])


@router.get(
    "/users/{users}/info",
    tags=["users"],
    summary="Accounts by login (yours; any for an admin)",
    openapi_extra=od.op(od.INFO, result="User"),
)
def users_info(
    request: Request,
    users: str,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    opts = Options.from_request(request)
    ws = services.admin.workspace_of(actor)
    found: list[Any] = []
    for ref in split_ids(users):
        try:
            u = services.admin.get_user(actor, ref)
            projects = services.projects.search_projects(actor, {}) if u.id == actor.user_id else []
            found.append((ref, (u, projects)))
        except VardeskError as exc:
            found.append((ref, exc))
    return info_response(request, opts, found, lambda up: render.user(up[0], ws, up[1]))


# -- projects ------------------------------------------------------------------------------------
@router.post(
    "/projects/create",
    tags=["projects"],
    summary="Create a project (and its default study)",
    openapi_extra=od.op(od.WRITE, body=schemas.ProjectCreate, result="Project"),
)
def projects_create(
    request: Request,
    body: dict = Depends(json_body),
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    view = services.projects.create(actor, CreateProject.from_fields(body))
    return write_response(request, Options.from_request(request), render.project(view), created=True)


@router.get(
    "/projects/search",
    tags=["projects"],
    summary="Projects you can read",
    openapi_extra=od.op(
        [
            *od.PAGE,
            od.q("id", "project code"),
            od.q("name", "project name"),
            od.q("uuid", "project uuid"),
            od.q("description", "exact description"),
        ],
        result="Project",
    ),
)
def projects_search(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    opts = Options.from_request(request)
    views = services.projects.search_projects(actor, _filters(opts, ProjectFilters))
    return search_response(request, opts, views, render.project)


@router.get(
    "/projects/{projects}/info",
    tags=["projects"],
    summary="Projects by id (comma-separated, ≤ 100)",
    openapi_extra=od.op(od.INFO, result="Project"),
)
def projects_info(
    request: Request,
    projects: str,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    opts = Options.from_request(request)
    return info_response(
        request, opts, services.projects.get_projects(actor, split_ids(projects)), render.project
    )


@router.post(
    "/projects/{project}/update",
    tags=["projects"],
    summary="Update a project",
    openapi_extra=od.op(od.WRITE, body=schemas.ProjectUpdate, result="Project"),
)
def projects_update(
    request: Request,
    project: str,
    body: dict = Depends(json_body),
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    view = services.projects.update_project(actor, project, body)
    return write_response(request, Options.from_request(request), render.project(view), created=False)


# -- studies -------------------------------------------------------------------------------------
@router.post(
    "/studies/create",
    tags=["studies"],
    summary="Create a study in a project (?project=)",
    openapi_extra=od.op(
        [od.q("project", "the project: [organization@]project (or project in the body)"), *od.WRITE],
        body=schemas.StudyCreate,
        result="Study",
    ),
)
def studies_create(
    request: Request,
    body: dict = Depends(json_body),
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    project = request.query_params.get("project") or body.get("project")
    if not project:
        raise Invalid("the project parameter is required")
    view = services.projects.create_study(actor, str(project), body)
    return write_response(request, Options.from_request(request), render.study(view), created=True)


@router.get(
    "/studies/search",
    tags=["studies"],
    summary="Studies of a project (?project=)",
    openapi_extra=od.op(
        [
            od.PROJECT,
            *od.PAGE,
            *(od.q(k, f"study {k}") for k in ("id", "name", "uuid", "alias", "fqn", "type")),
        ],
        result="Study",
    ),
)
def studies_search(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    opts = Options.from_request(request)
    project = request.query_params.get("project")
    if not project:
        raise Invalid("the project parameter is required")
    views = services.projects.search_studies(actor, project, _filters(opts, StudyFilters))
    return search_response(request, opts, views, render.study)


@router.get(
    "/studies/{studies}/info",
    tags=["studies"],
    summary="Studies by [[org@]project:]study",
    openapi_extra=od.op(od.INFO, result="Study"),
)
def studies_info(
    request: Request,
    studies: str,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    opts = Options.from_request(request)
    return info_response(
        request, opts, services.projects.get_studies(actor, split_ids(studies)), render.study
    )


@router.post(
    "/studies/{study}/update",
    tags=["studies"],
    summary="Update a study",
    openapi_extra=od.op(od.WRITE, body=schemas.StudyUpdate, result="Study"),
)
def studies_update(
    request: Request,
    study: str,
    body: dict = Depends(json_body),
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    view = services.projects.update_study(actor, study, body)
    return write_response(request, Options.from_request(request), render.study(view), created=False)
