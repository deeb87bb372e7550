"""Native API: cases (OpenCGA clinical analyses), their interpretation, reports, panels."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from vardesk.api.http.deps import get_services, json_body, require_actor
from vardesk.api.native import openapi_docs as od
from vardesk.api.native import render, render_cases, schemas
from vardesk.api.native.common import info_response, search_response, write_response
from vardesk.api.native.envelope import JSON, Options, envelope, parse_bool, result
from vardesk.app.cases.confirmation import apply_confirmation_file
from vardesk.app.cases.prioritisation import DEFAULT_PAGE as RANKING_PAGE
from vardesk.app.commands import ApproveReport, CreateCase, SetReportVariant
from vardesk.app.composition import Services
from vardesk.app.exports import CaseVariants, ExportCommand
from vardesk.domain.access import Actor
from vardesk.domain.errors import Invalid, VardeskError
from vardesk.domain.ids import ascii_int, parse_id
from vardesk.domain.refs import split_ids

router = APIRouter()
PDF = "application/pdf"
_RENAME = {
    "caseType": "type",
    "hpoTerms": "hpo_terms",
    "patientFields": "patient_fields",
    "qcData": "qc_data",
    "accessionId": "accession_id",
    "panelId": "panel_id",
    "filterPreset": "filter_preset",
    "assayType": "assay_type",
    "externalIds": "external_ids",
    "description": "title",
    "toReport": "to_report",
    "internalNotes": "internal_notes",
    "clinicalSignificance": "classification",  # how a finding shows its classification
}
_OPENCGA_TYPE = {"SINGLE": "exome", "CANCER": "somatic_panel"}
# a panel's fields as the panel is shown (its description is its own, not a case title)
_PANEL_RENAME = {"fdaDisclosure": "fda_disclosure", "testCode": "test_code"}


def core_fields(body: dict[str, Any]) -> dict[str, Any]:
    """OpenCGA and Vardesk spellings → the core's field names."""
    data = {_RENAME.get(k, k): v for k, v in body.items()}
    if isinstance(data.get("type"), str) and data["type"].upper() in _OPENCGA_TYPE and "caseType" not in body:
        data["type"] = _OPENCGA_TYPE[data["type"].upper()]
    if "members" not in data and isinstance(body.get("proband"), dict):
        samples = body["proband"].get("samples") or []
        first = samples[0] if isinstance(samples, list) and samples else None
        data["members"] = [
            {
                "relation": "PROBAND",
                "label": body["proband"].get("id", ""),
                "sample": first.get("id") if isinstance(first, dict) else first,
            }
        ]
    panels = body.get("panels")
    if "panel_id" not in data and isinstance(panels, list) and panels:
        data["panel_id"] = panels[0].get("id") if isinstance(panels[0], dict) else panels[0]
    data.pop("panels", None)
    data.pop("proband", None)
    return data


def _study(request: Request) -> str | None:
    return request.query_params.get("study")


@router.post(
    "/analysis/clinical/create",
    tags=["clinical"],
    summary="Create a case (members, panel, HPO terms)",
    openapi_extra=od.op([od.STUDY, *od.WRITE], body=schemas.CaseCreate, result="Case"),
)
def clinical_create(
    request: Request,
    body: dict = Depends(json_body),
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    study = _study(request)
    if not study:
        raise Invalid("the study parameter is required")
    view = services.cases.create_case(actor, CreateCase.from_fields(study, core_fields(body)))
    return write_response(
        request, Options.from_request(request), render_cases.case(view), created=True, warnings=view.warnings
    )


@router.post(
    "/analysis/clinical/import",
    tags=["clinical"],
    summary="Create a case from a GA4GH Phenopacket/Family (JSON) or a PED file (?format=phenopacket|ped)",
    openapi_extra=od.op(od.CASE_IMPORT, content=od.IMPORT_BODY, result="Case"),
)
async def clinical_import(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    q = request.query_params
    study = _study(request)
    if not study:
        raise Invalid("the study parameter is required")
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("the file is not UTF-8 text") from None
    extra = {k: v for k, v in (("id", q.get("id")), ("proband", q.get("proband"))) if v}
    fmt = (q.get("format") or "phenopacket").lower()
    view = await run_in_threadpool(services.exchange.import_case, actor, study, text, fmt, extra)
    return write_response(
        request, Options.from_request(request), render_cases.case(view), created=True, warnings=view.warnings
    )


@router.get(
    "/analysis/clinical/{case}/export",
    tags=["clinical"],
    summary="The case as a GA4GH Phenopacket/Family (JSON) or PED (?format=phenopacket|ped)",
    openapi_extra=od.op(
        [od.STUDY_OPTIONAL, od.FORMAT_EXCHANGE],
        binary="the case as a file, attachment {case}.json or {case}.ped",
    ),
)
def clinical_export(
    request: Request,
    case: str,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> Response:
    fmt = (request.query_params.get("format") or "phenopacket").lower()
    text = services.exchange.export(actor, case, fmt, _study(request))
    suffix = "json" if fmt == "phenopacket" else "ped"
    return Response(
        text.encode(),
        media_type="application/octet-stream",
        headers={"Content-Disposition": f"attachment; filename={case}.{suffix}"},
    )


@router.get(
    "/analysis/clinical/search",
    tags=["clinical"],
    summary="Cases you can read (?study=, status=, type=)",
    openapi_extra=od.op(od.CASE_SEARCH, result="Case"),
)
def clinical_search(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    opts = Options.from_request(request)
    q = request.query_params
    filters = {
        "code": q.get("id") or None,
        "status": q.get("status") or None,
        "type": q.get("caseType") or None,
    }
    views = services.cases.search(actor, _study(request), filters)
    return search_response(request, opts, views, render_cases.case)


@router.get(
    "/analysis/clinical/{cases}/info",
    tags=["clinical"],
    summary="Cases by id, with their findings",
    openapi_extra=od.op([od.STUDY_OPTIONAL, *od.INFO], result="Case"),
)
def clinical_info(
    request: Request,
    cases: str,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    opts = Options.from_request(request)
    found = services.cases.get_many(actor, split_ids(cases), _study(request))
    return info_response(request, opts, found, render_cases.case)


@router.post(
    "/analysis/clinical/{case}/update",
    tags=["clinical"],
    summary="Update a case; status {id} moves it (APPROVED approves, four eyes)",
    openapi_extra=od.op([od.STUDY_OPTIONAL, *od.WRITE], body=schemas.CaseUpdate, result="Case"),
)
def clinical_update(
    request: Request,
    case: str,
    body: dict = Depends(json_body),
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    data = core_fields(body)
    status = data.pop("status", None)
    reason = str(data.pop("statusReason", "") or "")
    view = services.cases.update(actor, case, data, _study(request)) if data else None
    if status:
        sid = status.get("id") if isinstance(status, dict) else status
        view = services.cases.set_status(actor, case, str(sid), reason, _study(request))
    if view is None:
        view = services.cases.get(actor, case, _study(request))
    return write_response(
        request, Options.from_request(request), render_cases.case(view), created=False, warnings=view.warnings
    )


@router.post(
    "/analysis/clinical/{case}/approve",
    tags=["clinical"],
    summary="Approve (director, not the interpreter)",
    openapi_extra=od.op([od.STUDY_OPTIONAL, *od.WRITE], result="Case"),
)
def clinical_approve(
    request: Request,
    case: str,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    view = services.cases.approve_report(actor, ApproveReport(case, _study(request)))
    return write_response(
        request, Options.from_request(request), render_cases.case(view), created=False, warnings=view.warnings
    )


@router.post(
    "/analysis/clinical/{case}/amend",
    tags=["clinical"],
    summary="Amend an approved case ({reason})",
    openapi_extra=od.op(
        [od.STUDY_OPTIONAL, *od.WRITE], body=schemas.AmendBody, body_required=True, result="Case"
    ),
)
def clinical_amend(
    request: Request,
    case: str,
    body: dict = Depends(json_body),
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    view = services.cases.amend(actor, case, str(body.get("reason") or ""), _study(request))
    return write_response(
        request, Options.from_request(request), render_cases.case(view), created=True, warnings=view.warnings
    )


@router.post(
    "/analysis/clinical/{case}/run",
    tags=["clinical"],
    summary="Run the case's analysis again",
    openapi_extra=od.op([od.STUDY_OPTIONAL], result="Job"),
)
def clinical_run(
    request: Request,
    case: str,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    job, fqn = services.candidates.rerun(actor, case, _study(request))
    return envelope(request, [result([render.job(job, fqn)], num_matches=1, inserted=1)])


@router.get(
    "/analysis/clinical/{case}/prioritisation",
    tags=["clinical"],
    summary="The case's ranked genes (burden + phenotype), latest analysis run or ?run=N",
    openapi_extra=od.op(od.RANKING, result="Ranking"),
)
def clinical_prioritisation(
    request: Request,
    case: str,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    opts = Options.from_request(request, default_limit=RANKING_PAGE)
    wanted = request.query_params.get("run")
    if wanted is not None and ascii_int(wanted) is None:
        raise Invalid(f"run must be a positive integer, not {wanted!r}")
    view, run, page = services.analyses.case_ranking_page(
        actor,
        case,
        _study(request),
        run=None if wanted is None else int(wanted),
        skip=opts.skip,
        limit=opts.limit,
    )
    docs = [render_cases.ranking(view, run, page)] if run is not None else []
    return envelope(request, [result(docs, num_matches=page.total)])


@router.get(
    "/analysis/clinical/{case}/history",
    tags=["clinical"],
    summary="The case's append-only history",
    openapi_extra=od.op([od.STUDY_OPTIONAL], result="CaseEvent"),
)
def clinical_history(
    request: Request,
    case: str,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    events = services.cases.history(actor, case, _study(request))
    return envelope(request, [result([render_cases.event(e) for e in events], num_matches=len(events))])


@router.get(
    "/analysis/clinical/interpretation/{interpretations}/info",
    tags=["clinical"],
    summary="Interpretations ({case}.1) with primary and secondary findings",
    openapi_extra=od.op([od.STUDY_OPTIONAL, *od.INFO], result="Interpretation"),
)
def interpretation_info(
    request: Request,
    interpretations: str,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    opts = Options.from_request(request)
    refs = split_ids(interpretations)
    found = services.cases.get_many(actor, [r.rsplit(".", 1)[0] for r in refs], _study(request))

    def render(view: Any) -> dict:
        variants = services.interpretation.variants(actor, view.case.code, study_ref=view.study.fqn)
        return render_cases.interpretation(view, variants)

    return info_response(request, opts, [(r, item) for r, (_, item) in zip(refs, found, strict=True)], render)


@router.post(
    "/analysis/clinical/{case}/variant/{variant}/update",
    tags=["clinical"],
    summary="Interpret a report variant: status, toReport, classification, criteria, notes",
    openapi_extra=od.op(
        [od.STUDY_OPTIONAL, *od.WRITE], body=schemas.FindingUpdate, body_required=True, result="Finding"
    ),
)
def variant_update(
    request: Request,
    case: str,
    variant: str,
    body: dict = Depends(json_body),
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    command = SetReportVariant.from_fields(case, variant, core_fields(body), _study(request))
    rv = services.interpretation.set_report_variant(actor, command)
    return write_response(request, Options.from_request(request), render_cases.finding(rv), created=False)


@router.get(
    "/analysis/clinical/{case}/variant/{variant}/history",
    tags=["clinical"],
    summary="Scoring audit log of a report variant",
    openapi_extra=od.op([od.STUDY_OPTIONAL], result="VariantEvent"),
)
def variant_history(
    request: Request,
    case: str,
    variant: str,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    events = services.interpretation.history(actor, case, variant, study_ref=_study(request))
    return envelope(
        request, [result([render_cases.variant_event(e) for e in events], num_matches=len(events))]
    )


@router.get(
    "/analysis/clinical/{case}/variants/export",
    tags=["clinical"],
    summary="The case's report variants as VCF, CSV or JSON (?format=vcf|csv|json), streamed",
    openapi_extra=od.op(
        [od.STUDY_OPTIONAL, od.FORMAT_TABLE],
        binary="the report variants, attachment {case}-variants.{format}",
    ),
)
def variants_export(
    request: Request,
    case: str,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> Response:
    command = ExportCommand(CaseVariants(case, _study(request)), request.query_params.get("format") or "vcf")
    export = services.exports(actor, command)
    return StreamingResponse(
        export.body,
        media_type=export.media_type,
        headers={"Content-Disposition": f"attachment; filename={export.filename}"},
    )


@router.post(
    "/analysis/clinical/{case}/confirmation",
    tags=["clinical"],
    summary="Upload the exported VCF back with FILTER CONFIRMED or FAIL per variant",
    openapi_extra=od.op([od.STUDY_OPTIONAL], content=od.CONFIRMATION_BODY, result="ConfirmationOutcome"),
)
async def variants_confirmation(
    request: Request,
    case: str,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    body = await request.body()
    if not body.strip():
        raise Invalid("send the confirmation VCF as the request body")
    confirmation = await run_in_threadpool(
        apply_confirmation_file, services.interpretation, actor, case, body, study_ref=_study(request)
    )
    outcome = confirmation.outcome
    return envelope(
        request, [result([outcome], num_matches=1, updated=outcome["confirmed"] + outcome["failed"])]
    )


def _pdf(pdf: bytes, name: str) -> Response:
    return Response(
        pdf,
        media_type=PDF,
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


@router.get(
    "/analysis/clinical/{case}/report/preview",
    tags=["clinical"],
    summary="Preview PDF of a case in review",
    openapi_extra=od.op(
        [od.STUDY_OPTIONAL], binary="the preview PDF, attachment {case}-preview.pdf", media_type=PDF
    ),
)
def report_preview(
    request: Request,
    case: str,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> Response:
    return _pdf(
        services.reports.render_and_wait(actor, case, "preview", _study(request)), f"{case}-preview.pdf"
    )


@router.get(
    "/analysis/clinical/{case}/report/final",
    tags=["clinical"],
    summary="Final PDF of an approved case",
    openapi_extra=od.op(
        [od.STUDY_OPTIONAL], binary="the final PDF, attachment {case}-final.pdf", media_type=PDF
    ),
)
def report_final(
    request: Request,
    case: str,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> Response:
    return _pdf(services.reports.render_and_wait(actor, case, "final", _study(request)), f"{case}-final.pdf")


_KIND = od.q(
    "kind",
    "which PDF: preview (a case in review) or final (approved)",
    default="preview",
    enum=["preview", "final"],
)


@router.post(
    "/analysis/clinical/{case}/report/render",
    tags=["clinical"],
    summary="Render a case's PDF as a job; download it from report/download?job= once DONE",
    openapi_extra=od.op([od.STUDY_OPTIONAL, _KIND], result="Job"),
)
def report_render(
    request: Request,
    case: str,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    kind = request.query_params.get("kind") or "preview"
    job = services.reports.submit_render(actor, case, kind, _study(request))
    fqn = services.projects.study_fqn(actor, job.study_id) if job.study_id else None
    return envelope(request, [result([render.job(job, fqn)], num_matches=1, inserted=1)])


@router.get(
    "/analysis/clinical/{case}/report/download",
    tags=["clinical"],
    summary="The PDF a report/render job made; 503 with Retry-After while it runs",
    openapi_extra=od.op(
        [od.q("job", "the render job's id", required=True), od.STUDY_OPTIONAL],
        binary="the PDF, attachment {case}-preview.pdf or {case}-final.pdf",
        media_type=PDF,
    ),
)
def report_download(
    request: Request,
    case: str,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> Response:
    job = request.query_params.get("job") or ""
    if not job:
        raise Invalid("give the render job's id as ?job=")
    _, kind, pdf = services.reports.rendered(actor, case, job, _study(request))
    return _pdf(pdf, f"{case}-{kind.value}.pdf")


# -- panels --------------------------------------------------------------------------------------
@router.post(
    "/panels/create",
    tags=["panels"],
    summary="Create a gene panel; genes by symbol, id or alias",
    openapi_extra=od.op(body=schemas.PanelCreate, body_required=True, result="Panel"),
)
def panels_create(
    request: Request,
    body: dict = Depends(json_body),
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    genes = [g.get("id") if isinstance(g, dict) else g for g in body.get("genes") or []]
    panel, added = services.panels.create(
        actor, {**{_PANEL_RENAME.get(k, k): v for k, v in body.items()}, "genes": genes}
    )
    doc = render_cases.panel(panel) | {"geneResult": added.__dict__}
    return envelope(request, [result([doc], num_matches=1, inserted=1)])


@router.get(
    "/panels/search",
    tags=["panels"],
    summary="Panels of your workspace",
    openapi_extra=od.op(od.PAGE, result="Panel"),
)
def panels_search(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    return search_response(
        request, Options.from_request(request), services.panels.list(actor), render_cases.panel
    )


@router.get(
    "/panels/{panels}/info",
    tags=["panels"],
    summary="Panels by id",
    openapi_extra=od.op(od.INFO, result="Panel"),
)
def panels_info(
    request: Request,
    panels: str,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    found: list[Any] = []
    for ref in split_ids(panels):
        try:
            found.append((ref, services.panels.get(actor, parse_id(ref, "panel id"))))
        except VardeskError as exc:
            found.append((ref, exc))
    return info_response(request, Options.from_request(request), found, render_cases.panel)


@router.post(
    "/panels/{panel}/update",
    tags=["panels"],
    summary="Add ({genes: [...]}) or remove genes",
    openapi_extra=od.op(body=schemas.PanelUpdate, body_required=True, result="Panel"),
)
def panels_update(
    request: Request,
    panel: int,
    body: dict = Depends(json_body),
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    if parse_bool(body.get("remove", False), "remove"):
        p = services.panels.remove_genes(actor, panel, [str(g) for g in body.get("genes") or []])
        doc = render_cases.panel(p)
    else:
        added = services.panels.add_genes(actor, panel, [str(g) for g in body.get("genes") or []])
        doc = render_cases.panel(services.panels.get(actor, panel)) | {"geneResult": added.__dict__}
    return envelope(request, [result([doc], num_matches=1, updated=1)])
