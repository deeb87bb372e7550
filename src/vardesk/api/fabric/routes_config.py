"""Fabric workspace configuration and secondary analysis (contract §3.7, §3.9, §3.10, §5.8, §5.10):
assay types (E29, E30), condition genes (E36, E37) and secondary-analysis jobs (E47, E48)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from vardesk.api.fabric import bodies as B
from vardesk.api.fabric import openapi_docs as od
from vardesk.api.fabric import schemas as S
from vardesk.api.fabric.common import JSON, blank, json_object, objects, page, query, route, stamp
from vardesk.api.http.deps import CatalogId, get_services, require_actor
from vardesk.app.composition import Services
from vardesk.domain.access import Actor
from vardesk.domain.cases import AssayType, ConditionGene, SecondaryAnalysisJob
from vardesk.domain.errors import Unprocessable

router = APIRouter()
CONDITION_FIELDS = ("condition", "inheritance", "prevalence", "penetrance", "age_of_onset", "notes")


# -- representations ---------------------------------------------------------------------------------
def assay_type(request: Request, a: AssayType) -> dict[str, Any]:
    """§3.7: ``wso_id`` is what get_assay_types.py prints as the id; it is the assay type's id."""
    return {
        "id": a.id,
        "wso_id": a.id,
        "workspace_id": a.workspace_id,
        "name": a.name,
        "description": a.description,
        "quality_control_fields": list(a.qc_fields),
        "created_on": stamp(request, a.created_at),
    }


def condition_gene(request: Request, c: ConditionGene) -> dict[str, Any]:
    return {
        "id": c.id,
        "cui": c.cui or None,
        "gene_symbol": c.gene,
        **{k: getattr(c, k) or None for k in CONDITION_FIELDS},
        "pmids": list(c.pmids),
        "workspace_id": c.workspace_id,
        "created_on": stamp(request, c.created_at),
    }


def job(request: Request, j: SecondaryAnalysisJob) -> dict[str, Any]:
    return {
        "id": j.id,
        "uuid": j.uuid,
        "accession_id": j.accession_id,
        "status": j.status.value,
        "workspace_id": j.workspace_id,
        "created_by": j.created_by,
        "created_on": stamp(request, j.created_at),
        "modified_on": stamp(request, j.modified_at),
    }


# -- assay types -------------------------------------------------------------------------------------
@route(
    router, ["GET"], "/assay_types", od.op("E29 Assay types", od.objects(S.FabricAssayType), query=od.PAGE)
)
def assay_types_list(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    """E29: the workspace's assay types (every workspace is seeded with one)."""
    return objects([assay_type(request, a) for a in page(request, services.configuration.assay_types(actor))])


@route(
    router, ["GET"], "/assay_types/{assay_type_id}", od.op("E30 An assay type", od.json_of(S.FabricAssayType))
)
def assay_types_get(
    request: Request,
    assay_type_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    """E30 (get_assay_types.py --assay_type_id)."""
    return JSON(assay_type(request, services.configuration.assay_type(actor, assay_type_id)))


# -- condition genes ---------------------------------------------------------------------------------
@route(
    router,
    ["GET"],
    "/condition_genes/",
    od.op("E36 Condition genes", od.objects(S.FabricConditionGene), query=od.CONDITION_SEARCH),
)
def condition_genes_list(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    """E36 (upload_condition_genes.py --check): exact ``cui`` and ``gene_symbol``, case-insensitive."""
    rows = services.configuration.condition_genes(
        actor, gene=query(request, "gene_symbol"), cui=query(request, "cui")
    )
    return objects([condition_gene(request, c) for c in page(request, rows)])


@route(
    router,
    ["POST"],
    "/condition_genes/",
    od.op(
        "E37 Record a condition gene",
        od.json_of(S.FabricConditionGene),
        body=od.json_body(B.ConditionGeneBody, required=True),
    ),
)
async def condition_genes_create(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    """E37: one spreadsheet row (``CUI`` upper case in the body). 200 whether the pair is new or was
    already recorded under the same CUI and gene (then it is updated: re-uploading converges)."""
    body = await json_object(request)
    cui = body.get("CUI", body.get("cui"))
    if blank(cui) or blank(body.get("gene_symbol")):
        raise Unprocessable("a condition gene needs a CUI and a gene_symbol")
    data = {k: body.get(k) for k in CONDITION_FIELDS}
    data.update(cui=str(cui).strip(), gene=str(body["gene_symbol"]).strip(), pmids=body.get("pmids"))
    row, _ = await run_in_threadpool(services.configuration.save_condition_gene, actor, data)
    return JSON(condition_gene(request, row))


# -- secondary-analysis jobs -------------------------------------------------------------------------
@route(
    router,
    ["POST"],
    "/jobs",
    od.op(
        "E47 Create a secondary-analysis job",
        od.json_of(S.SecondaryJob),
        body=od.json_body(B.JobBody, required=True),
    ),
)
async def jobs_create(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    """E47 (create_job.py): ``{"accession_id": …}`` → the stored job with its ``uuid``."""
    body = await json_object(request)
    created = await run_in_threadpool(services.secondary_analysis.create, actor, body)
    return JSON(job(request, created))


@route(
    router,
    ["GET"],
    "/jobs",
    od.op("E48 Find secondary-analysis jobs", od.objects(S.SecondaryJob), query=od.JOB_SEARCH),
)
def jobs_find(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    """E48 (find_job.py): ``?uuid=`` → ``{"objects": [job]}``, empty when no job of the workspace has it;
    without ``uuid`` every job of the workspace (``accession_id`` narrows)."""
    rows = services.secondary_analysis.search(
        actor, uuid=query(request, "uuid"), accession_id=query(request, "accession_id")
    )
    return objects([job(request, j) for j in page(request, rows)])


@route(
    router,
    ["GET"],
    "/jobs/{job_ref}",
    od.op("A secondary-analysis job by id or uuid", od.json_of(S.SecondaryJob)),
)
def jobs_get(
    request: Request,
    job_ref: str,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    """One job by id or uuid; 404 when it is not the workspace's."""
    return JSON(job(request, services.secondary_analysis.get(actor, job_ref)))
