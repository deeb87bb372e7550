"""Cases (contract §1.2–1.8): list, read, create (v2 and legacy, with ``dry_run``), participants, and the
results — candidates and the export document."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from vardesk.api.emedgene import openapi_docs as od
from vardesk.api.emedgene import render
from vardesk.api.emedgene import schemas as S
from vardesk.api.emedgene.common import home, page, paging, project, require_actor, route
from vardesk.api.http.deps import get_services, json_body
from vardesk.api.http.responses import JSON
from vardesk.app.cases.emedgene import case_command, core_status, has_labels, label_filter, new_case_name
from vardesk.app.cases.records import CaseView
from vardesk.app.composition import Services
from vardesk.domain.access import Actor
from vardesk.domain.enums import Sex
from vardesk.domain.errors import Invalid, NotFound

router = APIRouter(redirect_slashes=False)
ActorDep = Annotated[Actor, Depends(require_actor)]


def _case(services: Services, actor: Actor, name: str) -> CaseView:
    study = home(services, actor)
    if study is None:
        raise NotFound(f"case {name[:40]!r} not found")
    return services.cases.get(actor, name, study)


def _case_doc(services: Services, actor: Actor, view: CaseView) -> dict[str, Any]:
    panel = services.panels.get(actor, view.case.panel_id) if view.case.panel_id else None
    return render.case(view, panel)


@route(
    router,
    "GET",
    "/api/test",
    od.op("The cases, newest first", S.EmedgeneCasePage, query=(*od.paging(10), od.LABELS, od.LABEL)),
)
def cases(request: Request, actor: ActorDep) -> JSON:
    services = get_services(request)
    offset, size = paging(request, 10)
    wanted = label_filter(request.query_params.getlist("labels") + request.query_params.getlist("label"))
    study = home(services, actor)
    views = services.cases.search(actor, study, {}) if study else []
    views = [v for v in views if has_labels(render.record(v), wanted)]
    views.sort(key=lambda v: v.case.id or 0, reverse=True)  # newest first
    return JSON(page([_case_doc(services, actor, v) for v in views], offset, size))


@route(router, "GET", "/api/test/{name}", od.op("A case", od.PROJECTED, query=(od.TEST_FIELDS,)))
def case(name: str, request: Request, actor: ActorDep) -> JSON:
    """The case; repeated ``test_fields`` keep only those fields (and ``name``). A body is ignored."""
    services = get_services(request)
    doc = _case_doc(services, actor, _case(services, actor, name))
    fields = [f for v in request.query_params.getlist("test_fields") for f in v.split(",") if f.strip()]
    if fields:
        doc = {k: v for k, v in doc.items() if k in fields or k == "name"}
    return JSON(doc)


async def _set_status(name: str, request: Request, actor: Actor) -> JSON:
    """A status change through the core's status machine (webhooks fire on it): ``{"status": …}``
    with an optional ``reason``. Not in the public Emedgene record (contract §1.2); Vardesk's own."""
    services = get_services(request)
    body = await json_body(request)
    unknown = set(body) - {"status", "reason"}
    if unknown:
        raise Invalid(f"unknown field(s): {', '.join(sorted(unknown))[:80]}; send status and reason")
    status = core_status(body.get("status"))
    reason = body.get("reason") or ""
    if not isinstance(reason, str):
        raise Invalid("reason must be text")
    study = home(services, actor)
    if study is None:
        raise NotFound(f"case {name[:40]!r} not found")
    view = await run_in_threadpool(services.cases.set_status, actor, name, status, reason, study)
    doc = _case_doc(services, actor, view)
    return JSON({"name": view.case.code, "status": doc["status"], "status_reason": doc["status_reason"]})


STATUS_DOC = od.op("Change the status of a case", S.EmedgeneStatus, body=od.json_body(S.EmedgeneStatusBody))


@route(router, "PATCH", "/api/test/{name}", STATUS_DOC)
async def set_status(name: str, request: Request, actor: ActorDep) -> JSON:
    return await _set_status(name, request, actor)


@route(router, "PUT", "/api/test/{name}", STATUS_DOC)
async def set_status_put(name: str, request: Request, actor: ActorDep) -> JSON:
    return await _set_status(name, request, actor)


async def _create(request: Request, actor: Actor) -> JSON:
    services = get_services(request)
    flag = request.query_params.get("dry_run", "false").strip().lower()
    if flag not in ("true", "false", ""):
        raise Invalid("dry_run must be true or false")
    dry_run = flag == "true"
    body = await json_body(request)
    command = await run_in_threadpool(
        case_command, body, project(services), services.phenotypes, dry_run=dry_run
    )
    command = replace(command, case=replace(command.case, code=new_case_name()))
    view = await run_in_threadpool(services.case_intake.run, actor, command)
    if view is None:
        return JSON({"dry_run": True, "valid": True, "errors": []})
    doc = _case_doc(services, actor, view)
    return JSON({"name": view.case.code, "Status": doc["status"], **doc}, status_code=201)


@route(router, "POST", "/api/cases/v2/cases", od.op("Create a case (v2)", S.EmedgeneCreatedCase, **od.CREATE))
async def create_case(request: Request, actor: ActorDep) -> JSON:
    return await _create(request, actor)


@route(router, "POST", "/api/test", od.op("Create a case (legacy)", S.EmedgeneCreatedCase, **od.CREATE))
async def create_case_legacy(request: Request, actor: ActorDep) -> JSON:
    return await _create(request, actor)


@route(
    router,
    "PUT",
    "/api/test/{name}/add_participants_on_create",
    od.op(
        "Share a case with users of the organization",
        S.EmedgeneParticipants,
        body=od.json_body(S.EmedgeneParticipantsBody),
    ),
)
async def add_participants(name: str, request: Request, actor: ActorDep) -> JSON:
    """Share the case with users of the workspace, named by e-mail."""
    services = get_services(request)
    body = await json_body(request)
    emails = body.get("emails")
    if not isinstance(emails, list) or not all(isinstance(e, str) for e in emails):
        raise Invalid("emails must be a list of e-mail addresses")
    users = {u.email.lower(): u for u in services.admin.colleagues(actor)}
    unknown = [e for e in emails if e.strip().lower() not in users]
    if unknown:
        raise Invalid(f"{len(unknown)} e-mail address(es) are not users of this organization")
    view = _case(services, actor, name)
    record = render.record(view)
    current = list(record.get("participants") or [])
    for e in emails:
        u = users[e.strip().lower()]
        if all(p.get("id") != u.id for p in current):
            current.append({"id": u.id, "email": u.email})
    record["participants"] = current
    study = home(services, actor)
    updated = services.cases.update(actor, name, {"external_ids": {"emedgene": record}}, study)
    return JSON({"name": updated.case.code, "participants": current})


def _family(view: CaseView) -> tuple[str, set[str], str]:
    """(the proband's name, the male members' names, the build) as the analysis names the members."""
    names = {m.position: m.label or (g.code if g else f"member{m.position}") for m, g in view.members}
    proband = next((names[m.position] for m, _ in view.members if m.relation == "PROBAND"), names.get(0, ""))
    males = {names[m.position] for m, _ in view.members if m.sex is Sex.MALE}
    build = next((g.build for _, g in view.members if g is not None and g.build), "")
    return proband, males, build


def _variants(
    services: Services, actor: Actor, view: CaseView
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The candidates, best-ranked first with compound-heterozygous pairs together, and the pairs."""
    rows = services.interpretation.variants(actor, str(view.case.id))
    rows.sort(key=lambda rv: ((rv.acmg.get("prioritisation") or {}).get("rank") or 10**9, rv.chrom, rv.pos))
    _, males, build = _family(view)
    return render.group_compound_hets(rows, [render.variant(rv, males, build) for rv in rows])


@route(router, "GET", "/api/candidates/{name}", od.op("The candidates of a case", S.EmedgeneCandidates))
def candidates(name: str, request: Request, actor: ActorDep) -> JSON:
    services = get_services(request)
    view = _case(services, actor, name)
    hits, pairs = _variants(services, actor, view)
    return JSON(
        {
            "name": view.case.code,
            "status": render.status(view),
            "total": len(hits),
            "hits": hits,
            "compound_hets": pairs,
        }
    )


@route(router, "GET", "/api/test/{name}/export", od.op("The export document of a case", S.EmedgeneExport))
def export(name: str, request: Request, actor: ActorDep) -> JSON:
    """The export document: the case, and its candidates as both ``hits`` and ``variants``, followed by
    the structural records (CNV/SV) of the proband's genome."""
    services = get_services(request)
    view = _case(services, actor, name)
    hits, pairs = _variants(services, actor, view)
    proband, males, build = _family(view)
    hits += [
        render.structural(sv, proband, proband in males, build)
        for sv in services.interpretation.structural(actor, str(view.case.id))
    ]
    doc = _case_doc(services, actor, view)
    return JSON(
        {
            "name": view.case.code,
            "status": doc["status"],
            "case": doc,
            "total": len(hits),
            "hits": hits,
            "variants": hits,
            "compound_hets": pairs,
        }
    )
