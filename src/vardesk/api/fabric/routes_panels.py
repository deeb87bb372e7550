"""Fabric panels (contract §5.8: E31–E35)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from vardesk.api.fabric import bodies as B
from vardesk.api.fabric import openapi_docs as od
from vardesk.api.fabric import render
from vardesk.api.fabric import schemas as S
from vardesk.api.fabric.common import JSON, clean_text, json_object, objects, page, query, route
from vardesk.api.http.deps import CatalogId, get_services, require_actor
from vardesk.app.cases.panels import PANEL_TEXT_FIELDS
from vardesk.app.composition import Services
from vardesk.domain.access import Actor
from vardesk.domain.errors import Invalid

router = APIRouter()


@route(
    router,
    ["GET"],
    "/panels/",
    od.op("E31 Search the panels", od.objects(S.FabricPanel), query=od.PANEL_SEARCH),
)
def panels_list(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    """E31: ``name``/``description`` case-insensitive substrings, ``test_code`` exact."""
    name, desc, code = (query(request, k) for k in ("name", "description", "test_code"))
    panels = [
        p
        for p in services.panels.list(actor)
        if (not name or name.lower() in p.name.lower())
        and (not desc or desc.lower() in p.description.lower())
        and (not code or code == p.test_code)
    ]
    return objects([render.panel(request, p) for p in page(request, panels)])


@route(
    router,
    ["POST"],
    "/panels/",
    od.op(
        "E32 Create a panel", od.json_of(S.FabricPanel), body=od.json_body(B.FabricPanelCreate, required=True)
    ),
)
async def panels_create(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    """E32: the six text keys; name and description are required."""
    body = await json_object(request)
    data = {k: clean_text(body.get(k)) for k in PANEL_TEXT_FIELDS if k != "version"}
    if not data["name"] or not data["description"]:
        raise Invalid("a panel needs a name and a description")
    panel, _ = await run_in_threadpool(services.panels.create, actor, data)
    return JSON(render.panel(request, panel))


@route(router, ["GET"], "/panels/{panel_id}", od.op("A panel", od.json_of(S.FabricPanel)))
def panels_get(
    request: Request,
    panel_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    return JSON(render.panel(request, services.panels.get(actor, panel_id)))


@route(
    router,
    ["PUT"],
    "/panels/{panel_id}",
    od.op("E33 Update a panel", od.json_of(S.FabricPanel), body=od.json_body(B.FabricPanelUpdate)),
)
async def panels_update(
    request: Request,
    panel_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    """E33 (post_panel.py --i): the six text keys, always all sent; ``null`` leaves a field unchanged."""
    body = await json_object(request)
    data = {k: body.get(k) for k in PANEL_TEXT_FIELDS}
    panel = await run_in_threadpool(services.panels.update, actor, panel_id, data)
    return JSON(render.panel(request, panel))


@route(router, ["GET"], "/panels/{panel_id}/regions", od.op("E34 A panel's genes", od.array(S.PanelRegion)))
def panel_regions(
    panel_id: CatalogId, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    """E34: a JSON list with one element per gene."""
    panel = services.panels.get(actor, panel_id)
    return JSON([{"symbol": g, "panel_id": panel.id} for g in panel.genes])


@route(
    router,
    ["POST"],
    "/panels/{panel_id}/regions",
    od.op("E35 Add genes to a panel", od.json_of(S.RegionsAdded), body=od.json_body(B.RegionsBody)),
)
async def panel_add_regions(
    request: Request,
    panel_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    """E35: ``{"gene_symbols": "BRCA1, BRCA2"}`` → added / already_added / not_found / ambiguous."""
    body = await json_object(request)
    raw = body.get("gene_symbols") or ""
    symbols = raw if isinstance(raw, list) else str(raw).split(",")
    queries = [str(s).strip() for s in symbols if str(s).strip()]
    result = await run_in_threadpool(services.panels.add_genes, actor, panel_id, queries)
    return JSON(
        {
            "added": result.added,
            "already_added": result.already_added,
            "not_found": result.not_found,
            "ambiguous": {a["query"]: a["candidates"] for a in result.ambiguous},
        }
    )
