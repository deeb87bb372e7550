"""Storage providers (§1.2, §2.11), samples, phenotypes and the organisation's users."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from vardesk.api.emedgene import openapi_docs as od
from vardesk.api.emedgene import render
from vardesk.api.emedgene import schemas as S
from vardesk.api.emedgene.common import home, page, paging, require_actor, route
from vardesk.api.http.deps import get_services
from vardesk.api.http.responses import JSON
from vardesk.domain.access import Actor

router = APIRouter(redirect_slashes=False)
ActorDep = Annotated[Actor, Depends(require_actor)]


@route(
    router, "GET", "/api/storage", od.op("The storage providers", S.EmedgeneStoragePage, query=od.paging(100))
)
def storages(request: Request, actor: ActorDep) -> JSON:
    offset, size = paging(request, 100)
    hits = [render.provider(p) for p in get_services(request).storage_providers.list(actor)]
    return JSON(page(hits, offset, size))


@route(router, "GET", "/api/storage/{storage_id}", od.op("A storage provider", S.EmedgeneStorage))
def storage(storage_id: str, request: Request, actor: ActorDep) -> JSON:
    return JSON(render.provider(get_services(request).storage_providers.get(actor, storage_id)))


@route(
    router,
    "GET",
    "/api/storage/{storage_id}/fs/list",
    od.op("A folder of a storage provider", S.EmedgeneListing, query=(*od.paging(100), od.PATH)),
)
def storage_list(storage_id: str, request: Request, actor: ActorDep) -> JSON:
    offset, size = paging(request, 100)
    path = request.query_params.get("path", "")
    result = get_services(request).storage_providers.listing(actor, storage_id, path, offset, size)
    return JSON(render.listing(result))


@route(
    router,
    "GET",
    "/api/sample",
    od.op("Samples of the cases by name", S.EmedgeneSamplePage, query=(*od.paging(10), od.QUERY, od.EXACT)),
)
def samples(request: Request, actor: ActorDep) -> JSON:
    """Samples of the face's cases by name (``exact_match=true``: the whole name): their genomes, and
    the empty samples still waiting for files (``id`` null); ``note`` is the newest case the sample is in."""
    services = get_services(request)
    offset, size = paging(request, 10)
    query = request.query_params.get("query", "").strip()
    exact = request.query_params.get("exact_match", "").strip().lower() == "true"
    study = home(services, actor)
    hits: dict[str, dict[str, object]] = {}
    if study is not None:
        for view in services.cases.search(actor, study, {}):
            patients = render.record(view).get("patients") or {}
            nodes = [patients.get(k) for k in ("proband", "mother", "father")] + list(
                patients.get("other") or []
            )
            pending = {
                str(n.get("id")): str(n.get("fastq_sample") or n.get("pending_sample_name") or "")
                for n in nodes
                if isinstance(n, dict)
            }
            for m, g in view.members:
                name = g.sample_name if g is not None else pending.get(m.label, "")
                if not name or (query and (name != query if exact else query.lower() not in name.lower())):
                    continue
                key = f"genome:{g.id}" if g is not None else f"pending:{view.case.code}:{m.position}"
                hits[key] = {
                    "id": g.id if g is not None else None,
                    "name": name,
                    "status": g.state.value.lower() if g is not None else "pending",
                    "note": view.case.code,
                }
    return JSON(page(list(hits.values()), offset, size))


@route(
    router,
    "GET",
    "/api/phenotype",
    od.op(
        "HPO phenotypes by id or name", S.EmedgenePhenotypePage, query=(*od.paging(20), od.PHENOTYPE_QUERY)
    ),
)
def phenotypes(request: Request, actor: ActorDep) -> JSON:
    offset, size = paging(request, 20)
    query = request.query_params.get("query", "")
    found = get_services(request).phenotypes.search(query, limit=offset + size)
    hits = [
        {"id": "phenotypes/EMG_PHENOTYPE_" + h.id[3:], "hpo_id": h.id, "name": h.name, "match": h.match}
        for h in found
    ]
    return JSON(page(hits, offset, size))


@route(
    router,
    "GET",
    "/api/organization/users",
    od.op("The users of the organization", S.EmedgeneUserPage, query=od.paging(100)),
)
def users(request: Request, actor: ActorDep) -> JSON:
    offset, size = paging(request, 100)
    hits = [
        {
            "id": u.id,
            "email": u.email,
            "name": u.name,
            "organization_id": u.workspace_id,
            "role": u.role.value,
        }
        for u in get_services(request).admin.colleagues(actor)
    ]
    return JSON(page(hits, offset, size))
