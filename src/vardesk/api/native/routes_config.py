"""Native API: the workspace's case configuration, assay types and condition genes."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Depends
from starlette.requests import Request

from vardesk.api.http.deps import get_services, json_body, require_actor
from vardesk.api.native import openapi_docs as od
from vardesk.api.native import schemas
from vardesk.api.native.common import search_response, write_response
from vardesk.api.native.envelope import JSON, Options, envelope, result
from vardesk.api.native.render import ts
from vardesk.app.composition import Services
from vardesk.domain.access import Actor
from vardesk.domain.cases import AssayType, ConditionGene, WorkspaceConfig
from vardesk.domain.errors import Invalid, NotFound
from vardesk.domain.ids import ascii_int
from vardesk.domain.webhooks import Webhook, WebhookDelivery

router = APIRouter()


def _config(c: WorkspaceConfig) -> dict[str, Any]:
    return {
        "reviewStatuses": c.review_statuses,
        "patientFields": c.patient_fields,
        "modificationDate": ts(c.modified_at),
    }


def _assay(a: AssayType) -> dict[str, Any]:
    return {
        "id": str(a.id),
        "name": a.name,
        "description": a.description,
        "qcFields": a.qc_fields,
        "creationDate": ts(a.created_at),
    }


def _condition(c: ConditionGene) -> dict[str, Any]:
    return {
        "id": str(c.id),
        "gene": c.gene,
        "condition": c.condition,
        "cui": c.cui,
        "inheritance": c.inheritance,
        "prevalence": c.prevalence,
        "penetrance": c.penetrance,
        "ageOfOnset": c.age_of_onset,
        "pmids": c.pmids,
        "creationDate": ts(c.created_at),
    }


@router.get(
    "/analysis/clinical/configuration",
    tags=["clinical"],
    summary="The workspace's review statuses and patient fields",
    openapi_extra=od.op(result="ClinicalConfiguration"),
)
def configuration_info(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    return envelope(request, [result([_config(services.configuration.get(actor))], num_matches=1)])


@router.post(
    "/analysis/clinical/configuration/update",
    tags=["clinical"],
    summary="Set review statuses and patient fields (admin)",
    openapi_extra=od.op(od.WRITE, body=schemas.ConfigurationUpdate, result="ClinicalConfiguration"),
)
def configuration_update(
    request: Request,
    body: dict = Depends(json_body),
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    data = {
        k: body[c]
        for c, k in (("reviewStatuses", "review_statuses"), ("patientFields", "patient_fields"))
        if c in body
    }
    cfg = services.configuration.update(actor, data)
    return write_response(request, Options.from_request(request), _config(cfg), created=False)


@router.post(
    "/assays/create",
    tags=["clinical"],
    summary="Define an assay type and its QC fields",
    openapi_extra=od.op(od.WRITE, body=schemas.AssayCreate, body_required=True, result="AssayType"),
)
def assays_create(
    request: Request,
    body: dict = Depends(json_body),
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    assay = services.configuration.create_assay_type(
        actor,
        {
            "name": body.get("name"),
            "description": body.get("description"),
            "qc_fields": body.get("qcFields", body.get("qc_fields")),
        },
    )
    return write_response(request, Options.from_request(request), _assay(assay), created=True)


@router.get(
    "/assays/search",
    tags=["clinical"],
    summary="Assay types of your workspace",
    openapi_extra=od.op(od.PAGE, result="AssayType"),
)
def assays_search(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    return search_response(
        request, Options.from_request(request), services.configuration.assay_types(actor), _assay
    )


@router.post(
    "/conditions/create",
    tags=["clinical"],
    summary="Record a condition–gene association",
    openapi_extra=od.op(od.WRITE, body=schemas.ConditionCreate, body_required=True, result="ConditionGene"),
)
def conditions_create(
    request: Request,
    body: dict = Depends(json_body),
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    data = {
        k: body.get(k)
        for k in ("gene", "condition", "cui", "inheritance", "prevalence", "penetrance", "pmids")
    }
    data["age_of_onset"] = body.get("ageOfOnset", body.get("age_of_onset"))
    row = services.configuration.create_condition_gene(actor, data)
    return write_response(request, Options.from_request(request), _condition(row), created=True)


@router.get(
    "/conditions/search",
    tags=["clinical"],
    summary="Condition–gene associations (?gene=)",
    openapi_extra=od.op([od.q("gene", "gene symbol"), *od.PAGE], result="ConditionGene"),
)
def conditions_search(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    rows = services.configuration.condition_genes(actor, request.query_params.get("gene") or None)
    return search_response(request, Options.from_request(request), rows, _condition)


def _webhook(h: Webhook, secret: str | None = None) -> dict[str, Any]:
    doc = {"id": str(h.id), "url": h.url, "active": h.active, "creationDate": ts(h.created_at)}
    return doc | ({"secret": secret} if secret else {})


@router.get(
    "/webhooks/search",
    tags=["clinical"],
    summary="The workspace's webhooks (admin; never their secrets)",
    openapi_extra=od.op(od.PAGE, result="Webhook"),
)
def webhooks_search(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    return search_response(
        request, Options.from_request(request), services.webhooks.hooks_for(actor), _webhook
    )


@router.post(
    "/webhooks/create",
    tags=["clinical"],
    summary="Register a webhook told of case status changes (admin); its secret is returned once",
    openapi_extra=od.op(od.WRITE, body=schemas.WebhookCreate, body_required=True, result="Webhook"),
)
def webhooks_create(
    request: Request,
    body: dict = Depends(json_body),
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    url, secret = body.get("url"), body.get("secret")
    if not isinstance(url, str) or (secret is not None and not isinstance(secret, str)):
        raise Invalid("a webhook needs a url (text) and optionally a secret (text)")
    hook, key = services.webhooks.add_for(actor, url, secret or None)
    opts = Options.from_request(request)
    if not opts.include_result:  # the secret is shown once: always answered
        opts = replace(opts, include_result=True)
    return write_response(request, opts, _webhook(hook, key), created=True)


@router.delete(
    "/webhooks/{webhook}/delete",
    tags=["clinical"],
    summary="Remove a webhook (admin): nothing more is delivered to it; its delivery log stays",
    openapi_extra=od.op(od.WRITE, result="Webhook"),
)
def webhooks_delete(
    webhook: str,
    request: Request,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    hook_id = ascii_int(webhook.strip())
    if hook_id is None:
        raise NotFound(f"webhook {webhook[:20]!r} not found")
    hook = services.webhooks.remove_for(actor, hook_id)
    return envelope(request, [result([_webhook(hook)], num_matches=1, deleted=1)])


def _delivery(d: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": str(d.id),
        "webhook": str(d.webhook_id),
        "event": d.event,
        "payload": d.payload,
        "state": d.state.value,
        "attempts": d.attempts,
        "lastStatus": d.last_status,
        "lastError": d.last_error,
        "creationDate": ts(d.created_at),
        "deliveryDate": ts(d.delivered_at) if d.delivered_at else None,
    }


@router.get(
    "/webhooks/deliveries/search",
    tags=["clinical"],
    summary="The workspace's webhook deliveries of case status changes, newest first",
    openapi_extra=od.op(od.PAGE, result="WebhookDelivery"),
)
def webhook_deliveries(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    rows = services.webhooks.deliveries(actor, limit=5000)
    return search_response(request, Options.from_request(request), rows, _delivery)
