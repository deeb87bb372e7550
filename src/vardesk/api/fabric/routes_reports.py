"""Fabric clinical reports (contract §5.3–5.5, §5.7): create, search, get, update (attach genomes), patient
fields, QC data, PDFs, status."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from vardesk.api.fabric import bodies as B
from vardesk.api.fabric import members as fm
from vardesk.api.fabric import openapi_docs as od
from vardesk.api.fabric import render
from vardesk.api.fabric import schemas as S
from vardesk.api.fabric.common import (
    JSON,
    blank,
    clean_text,
    json_object,
    json_patch,
    objects,
    page,
    query,
    route,
    to_bool,
    to_hpo_ids,
    to_int,
)
from vardesk.api.http.deps import CatalogId, get_services, require_actor
from vardesk.app.cases.service import CaseView
from vardesk.app.commands import CreateCase, NewMember
from vardesk.app.composition import Services
from vardesk.domain.access import Actor
from vardesk.domain.errors import Invalid, Unprocessable

router = APIRouter()
ORDER_BY = {"run_date": "created_at", "report_type": "type", "report_status": "status"}


def _extended(request: Request) -> bool:
    return bool(to_bool(query(request, "extended")))


def report_doc(request: Request, services: Services, actor: Actor, view: CaseView) -> dict[str, Any]:
    if not _extended(request):
        return render.report(request, view)
    variants = services.interpretation.variants(actor, str(view.case.id))
    return render.report(
        request,
        view,
        variants=[render.report_variant(v) for v in variants],
        patient_fields=render.patient_fields(view.case.patient_fields),
    )


# -- create / update -------------------------------------------------------------------------------------
@route(
    router,
    ["POST"],
    "/reports/",
    od.op(
        "E10 Create a clinical report",
        od.json_of(S.WrappedReport),
        body=od.json_body(B.ReportCreate, required=True),
    ),
)
async def reports_create(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    """E10: every launcher's body; the response wraps the report in ``clinical_report``."""
    body = await json_object(request)
    kind, test_type = fm.case_type(body)
    members = fm.overlay(fm.slots(kind), body)
    project_id = to_int(body.get("project_id"), "project_id")
    if project_id is None:
        ids = fm.genome_ids(members)
        if not ids:
            raise Invalid("a report without genomes needs a project_id")
        genome = await run_in_threadpool(services.pedigree.genome_by_id, actor, ids[0])
        project_id = genome.genome.project_id
    project = await run_in_threadpool(services.projects.project_by_id, actor, project_id)
    command = CreateCase(
        study=project.default_study_fqn,
        type=kind,
        accession_id=clean_text(body.get("accession_id")),
        panel=to_int(body.get("panel_id"), "panel_id"),
        hpo_terms=to_hpo_ids(body.get("hpo_terms")),
        members=[NewMember.from_fields(m, i) for i, m in enumerate(members)],
        external_ids={render.FABRIC: fm.options({**body, "test_type": test_type})},
    )
    view = await run_in_threadpool(services.cases.create_case, actor, command)
    return JSON({"clinical_report": render.report(request, view)})


@route(
    router,
    ["PUT"],
    "/reports/{report_id}",
    od.op(
        "E13 Update a report (attach genomes)", od.json_of(S.WrappedReport), body=od.json_body(B.ReportUpdate)
    ),
)
async def reports_update(
    request: Request,
    report_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    """E13: attach genomes (and change options); null or absent keys leave values unchanged."""
    body = await json_object(request)
    current = await run_in_threadpool(services.cases.get, actor, str(report_id))
    data: dict[str, Any] = {}
    old_members = fm.from_view(current.members)
    new_members = fm.overlay(old_members, body)
    if new_members != old_members:
        data["members"] = new_members
    if not blank(body.get("hpo_terms")):
        data["hpo_terms"] = to_hpo_ids(body.get("hpo_terms"))
    if not blank(body.get("accession_id")):
        data["accession_id"] = clean_text(body["accession_id"])
    if not blank(body.get("panel_id")):
        data["panel_id"] = to_int(body["panel_id"], "panel_id")
    old_opts = dict(current.case.external_ids.get(render.FABRIC) or {})
    new_opts = fm.options(body, old_opts)
    if new_opts != old_opts:
        data["external_ids"] = {render.FABRIC: new_opts}
    view = await run_in_threadpool(services.cases.update, actor, str(report_id), data)
    return JSON({"clinical_report": render.report(request, view)})


# -- read -----------------------------------------------------------------------------------------------
@route(
    router,
    ["GET"],
    "/reports/",
    od.op("E11 Search the clinical reports", od.objects(S.ClinicalReport), query=od.REPORT_SEARCH),
)
def reports_search(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    """E11: accession and external id / genome name are substrings, genome id any member's."""
    filters: dict[str, Any] = {"status": query(request, "report_status")}
    rtype = query(request, "report_type")
    if rtype:
        filters["type"] = fm.case_type({"report_type": rtype})[0]
    views = services.cases.search(
        actor,
        None,
        filters,
        accession_contains=query(request, "accession_id"),
        genome_id=to_int(query(request, "genome_id"), "genome_id"),
        genome_label_contains=query(request, "genome_name"),
        genome_external_id_contains=query(request, "external_id"),
    )
    order = ORDER_BY.get(query(request, "order_by") or "run_date")
    if order is None:
        raise Invalid(f"order_by must be one of {', '.join(ORDER_BY)}")
    views.sort(key=lambda v: (str(getattr(v.case, order)), v.case.id or 0), reverse=order == "created_at")
    return objects([render.report(request, v) for v in page(request, views)])


@route(
    router,
    ["GET"],
    "/reports/{report_id}",
    od.op("E12 A clinical report", od.REPORT_OR_EXTENDED, query=(od.EXTENDED,)),
)
def reports_get(
    request: Request,
    report_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    """E12: the bare report; ``?extended=True`` adds its variants and patient fields."""
    view = services.cases.get(actor, str(report_id))
    return JSON(report_doc(request, services, actor, view))


# -- patient fields and QC data ---------------------------------------------------------------------------
def _pairs(values: dict[str, Any], defaults: tuple[str, ...] = ()) -> JSON:
    merged = {**{k: "" for k in defaults}, **values}
    return JSON(render.patient_fields(merged))


@route(router, ["GET"], "/reports/{report_id}/patient_fields", od.op("E14 Patient fields", od.PAIRS))
def patient_fields_get(
    report_id: CatalogId, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    """E14: every field the workspace defines (``""`` when unset), then any other stored field."""
    fields = services.configuration.get(actor).patient_fields
    return _pairs(services.cases.get(actor, str(report_id)).case.patient_fields, fields)


async def _merge(request: Request, services: Services, actor: Actor, report_id: int, key: str) -> CaseView:
    body = await json_object(request)
    values = {str(k): "" if v is None else str(v) for k, v in body.items()}
    return await run_in_threadpool(services.cases.update, actor, str(report_id), {key: values})


@route(
    router,
    ["POST"],
    "/reports/{report_id}/patient_fields",
    od.op("E15 Set patient fields", od.PAIRS, body=od.json_body(B.NameValues)),
)
async def patient_fields_post(
    request: Request,
    report_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    """E15: merge the posted name → value pairs; answer the full list."""
    view = await _merge(request, services, actor, report_id, "patient_fields")
    return _pairs(view.case.patient_fields, services.configuration.get(actor).patient_fields)


@route(router, ["GET"], "/reports/{report_id}/qc_data", od.op("E17 QC data", od.PAIRS))
def qc_data_get(
    report_id: CatalogId, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    return _pairs(services.cases.get(actor, str(report_id)).case.qc_data)


@route(
    router,
    ["POST"],
    "/reports/{report_id}/qc_data",
    od.op("E16 Set QC data", od.PAIRS, body=od.json_body(B.NameValues)),
)
async def qc_data_post(
    request: Request,
    report_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    view = await _merge(request, services, actor, report_id, "qc_data")
    return _pairs(view.case.qc_data)


# -- PDFs ------------------------------------------------------------------------------------------------
def _pdf(data: bytes, filename: str) -> Response:
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


@route(
    router,
    ["GET"],
    "/reports/{report_id}/pdf_preview",
    od.op("E18 Draft PDF", od.PDF, headers=od.ATTACHMENT, extra_errors=od.BUSY),
)
async def pdf_preview(
    report_id: CatalogId, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> Response:
    """E18: 422 once approved, or while waiting for genomes or analysis; rendered by a job this request
    waits for (``report_wait_seconds``, then 503 with Retry-After), or served as rendered."""
    pdf = await run_in_threadpool(services.reports.render_and_wait, actor, str(report_id), "preview")
    return _pdf(pdf, f"report_{report_id}_preview.pdf")


@route(
    router,
    ["GET"],
    "/reports/{report_id}/pdf_report",
    od.op("E19 Final PDF", od.PDF, headers=od.ATTACHMENT, extra_errors=od.BUSY),
)
async def pdf_report(
    report_id: CatalogId, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> Response:
    """E19: 422 until approved; the PDF rendered once at approval, as signed."""
    pdf = await run_in_threadpool(services.reports.render_and_wait, actor, str(report_id), "final")
    return _pdf(pdf, f"report_{report_id}.pdf")


# -- status ----------------------------------------------------------------------------------------------
@route(
    router,
    ["PATCH", "PUT"],
    "/reports/{report_id}/update_status",
    od.op("E28 Set the report status", od.json_of(S.ClinicalReport), body=od.patch_body(B.StatusPatch)),
)
async def update_status(
    request: Request,
    report_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    """E28: ``[{"op": "replace", "path": "/status", "value": …}]``; an unknown status is 422 naming it."""
    change = await json_patch(request, ("status",))
    if "status" not in change:
        view = await run_in_threadpool(services.cases.get, actor, str(report_id))
    else:
        value = change["status"]
        if blank(value) or not isinstance(value, str):
            raise Unprocessable(f"Invalid status: {value}")
        view = await run_in_threadpool(services.cases.set_status, actor, str(report_id), value)
    return JSON(render.report(request, view))
