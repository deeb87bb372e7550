"""Storage providers (§1.2, §2.11), samples, phenotypes and the organisation's users."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from vardesk.api.emedgene import render
from vardesk.api.emedgene.common import home, page, paging, require_actor
from vardesk.api.http.deps import get_services
from vardesk.api.http.responses import JSON
from vardesk.domain.access import Actor

router = APIRouter(redirect_slashes=False)
ActorDep = Annotated[Actor, Depends(require_actor)]


@router.get("/api/storage")
@router.get("/api/storage/")
def storages(request: Request, actor: ActorDep) -> JSON:
    offset, size = paging(request, 100)
    hits = [render.provider(p) for p in get_services(request).storage_providers.list(actor)]
    return JSON(page(hits, offset, size))


@router.get("/api/storage/{storage_id}")
@router.get("/api/storage/{storage_id}/")
def storage(storage_id: str, request: Request, actor: ActorDep) -> JSON:
    return JSON(render.provider(get_services(request).storage_providers.get(actor, storage_id)))


@router.get("/api/storage/{storage_id}/fs/list")
@router.get("/api/storage/{storage_id}/fs/list/")
def storage_list(storage_id: str, request: Request, actor: ActorDep) -> JSON:
    offset, size = paging(request, 100)
    path = request.query_params.get("path", "")
    result = get_services(request).storage_providers.listing(actor, storage_id, path, offset, size)
    return JSON(render.listing(result))


@router.get("/api/sample")
@router.get("/api/sample/")
def samples(request: Request, actor: ActorDep) -> JSON:
    """Genomes of the face's cases by sample name (``exact_match=true``: the whole name); ``note`` is
    the name of the newest case the sample is in."""
    services = get_services(request)
    offset, size = paging(request, 10)
    query = request.query_params.get("query", "").strip()
    exact = request.query_params.get("exact_match", "").strip().lower() == "true"
    study = home(services, actor)
    hits: dict[int, dict[str, object]] = {}
    if study is not None:
        for view in services.cases.search(actor, study, {}):
            for _, g in view.members:
                if g is None or g.id is None:
                    continue
                name = g.sample_name
                if query and (name != query if exact else query.lower() not in name.lower()):
                    continue
                hits[g.id] = {
                    "id": g.id,
                    "name": name,
                    "status": g.state.value.lower(),
                    "note": view.case.code,
                }
    return JSON(page(list(hits.values()), offset, size))


@router.get("/api/phenotype")
@router.get("/api/phenotype/")
def phenotypes(request: Request, actor: ActorDep) -> JSON:
    offset, size = paging(request, 20)
    query = request.query_params.get("query", "")
    found = get_services(request).phenotypes.search(query, limit=offset + size)
    hits = [
        {"id": "phenotypes/EMG_PHENOTYPE_" + h.id[3:], "hpo_id": h.id, "name": h.name, "match": h.match}
        for h in found
    ]
    return JSON(page(hits, offset, size))


@router.get("/api/organization/users")
@router.get("/api/organization/users/")
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
