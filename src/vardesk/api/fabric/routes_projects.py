"""Fabric projects and genomes (contract §5.1–5.2: E1–E9)."""

from __future__ import annotations

import re
import uuid

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from vardesk.api.fabric import bodies as B
from vardesk.api.fabric import openapi_docs as od
from vardesk.api.fabric import render
from vardesk.api.fabric import schemas as S
from vardesk.api.fabric.common import (
    JSON,
    clean_text,
    form_fields,
    json_object,
    objects,
    page,
    query,
    route,
    to_int,
)
from vardesk.api.http.deps import CatalogId, get_services, require_actor
from vardesk.app.commands import CreateProject
from vardesk.app.composition import Services
from vardesk.app.genomes import ByteSource, ImportGenomeCommand
from vardesk.app.samples import GenomeView
from vardesk.domain.access import Actor
from vardesk.domain.errors import NotFound, TooLarge, Unprocessable, VardeskError

router = APIRouter()
FE2_ASSEMBLIES = {"hg19", "grch37", "b37"}
UPLOAD_SEX = {"male", "female", "unspecified"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


# -- projects ----------------------------------------------------------------------------------------
@route(
    router, ["GET"], "/projects/", od.op("E1 List the projects", od.objects(S.FabricProject), query=od.PAGE)
)
def projects_list(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    views = services.projects.search_projects(actor, {})
    return objects([render.project(request, v) for v in page(request, views)])


@route(
    router,
    ["POST"],
    "/projects/",
    od.op("E2 Create a project", od.json_of(S.FabricProject), body=od.PROJECT_FORM),
)
async def projects_create(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    form = await form_fields(request)
    command = CreateProject(
        name=clean_text(form.get("project_name") or form.get("name")),
        description=form.get("description") or "",
        share_role=form.get("share_role") or "CONTRIBUTOR",
        auto_code=True,
    )
    if not command.name:
        raise Unprocessable("project_name is required")
    view = await run_in_threadpool(services.projects.create, actor, command)
    return JSON(render.project(request, view))


@route(router, ["GET"], "/projects/{project_id}", od.op("A project", od.json_of(S.FabricProject)))
def projects_get(
    request: Request,
    project_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    return JSON(render.project(request, services.projects.project_by_id(actor, project_id)))


# -- genomes ------------------------------------------------------------------------------------------
def genome_doc(request: Request, services: Services, view: GenomeView) -> dict:
    count = len(services.cases.cases_of_genomes([view.genome.id or 0]))
    return render.genome(request, view, report_count=count)


@route(
    router,
    ["PUT", "POST"],
    "/projects/{project_id}/genomes",
    od.op(
        "E3 Upload a genome (the raw VCF)",
        od.json_of(S.FabricGenome),
        query=od.UPLOAD,
        body=od.VCF_UPLOAD,
        extra_errors=od.TOO_LARGE,
    ),
)
async def genomes_upload(
    request: Request,
    project_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    """E3: the raw body is the VCF (plain, gzip or bzip2, told apart by its bytes); metadata in the query."""
    limit = services.settings.max_upload_bytes
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        raise TooLarge(f"the upload exceeds the maximum size of {limit} bytes")
    assembly = query(request, "assembly_version") or "hg19"
    if assembly.strip().lower() not in FE2_ASSEMBLIES:
        raise Unprocessable(f"assembly_version {assembly!r} is not supported; FE2 genomes are hg19")
    sex = (query(request, "genome_sex") or "unspecified").strip().lower()
    if sex not in UPLOAD_SEX:
        raise Unprocessable(f"genome_sex must be one of male, female, unspecified; got {sex!r}")
    label = clean_text(query(request, "genome_label")) or "genome"
    external_id = clean_text(query(request, "external_id")) or None
    attributes = {"sex": sex, "external_id": external_id, "bam_file": query(request, "bam_file")}
    project = await run_in_threadpool(services.projects.project_by_id, actor, project_id)
    study = project.default_study_fqn
    name = f"{_UNSAFE.sub('_', label)[:100] or 'genome'}.vcf"
    imported = await services.import_genome.run_async(
        ImportGenomeCommand(
            actor=actor,
            study=study,
            source=ByteSource(request.stream(), name),
            folder=f"fabric/{uuid.uuid4().hex}/",  # every upload is a new file: genomes go by id
            expected_md5=query(request, "checksum"),
            build="GRCh37",
            label=label,
            genome_attributes=attributes,
            rename_duplicates=True,  # the contract uploads one VCF again and again: genomes go by id
        )
    )
    first = await run_in_threadpool(services.pedigree.genome_by_id, actor, imported.genome_ids[0])
    return JSON(render.genome(request, first, report_count=0))


@route(
    router,
    ["GET"],
    "/projects/{project_id}/genomes",
    od.op("E4 The genomes of a project", od.objects(S.FabricGenome), query=od.PAGE),
)
def genomes_of_project(
    request: Request,
    project_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    study = services.projects.project_by_id(actor, project_id).default_study_fqn
    views = services.pedigree.search_genomes(actor, study, {})
    return objects([genome_doc(request, services, v) for v in page(request, views)])


@route(
    router,
    ["GET"],
    "/projects/{project_id}/genomes/{genome_id}",
    od.op("E5 A genome of a project", od.json_of(S.FabricGenome)),
)
def genome_of_project(
    request: Request,
    project_id: CatalogId,
    genome_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    view = services.pedigree.genome_by_id(actor, genome_id)
    if view.genome.project_id != project_id:
        raise NotFound(f"genome {genome_id} not found in project {project_id}")
    return JSON(genome_doc(request, services, view))


@route(
    router,
    ["GET"],
    "/genomes",
    od.op(
        "E6 Every readable genome",
        od.objects(S.FabricGenome),
        query=(od.q("project_id", "only this project's genomes", "integer"), *od.PAGE),
    ),
)
def genomes_list(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    """E6: every readable genome of the workspace (the default study of each readable project)."""
    docs = []
    project_id = to_int(query(request, "project_id"), "project_id")
    for project in services.projects.search_projects(actor, {}):
        if project_id is not None and project.project.id != project_id:
            continue
        try:
            views = services.pedigree.search_genomes(actor, project.default_study_fqn, {})
        except VardeskError:
            continue
        docs.extend(genome_doc(request, services, v) for v in views)
    return objects(page(request, docs))


@route(router, ["GET"], "/genomes/{genome_id}", od.op("E7 A genome", od.json_of(S.FabricGenome)))
def genomes_get(
    request: Request,
    genome_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    return JSON(genome_doc(request, services, services.pedigree.genome_by_id(actor, genome_id)))


@route(
    router,
    ["PUT"],
    "/genomes/{genome_id}",
    od.op("E8 Edit or move a genome", od.json_of(S.FabricGenome), body=od.json_body(B.GenomeEdit)),
)
async def genomes_edit(
    request: Request,
    genome_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    """E8 (edit_genome.py): ``name``, ``external_id``, ``project_id`` (a string moves the genome to that
    project); every key is always sent, ``null`` meaning unchanged; an empty ``external_id`` clears it."""
    body = await json_object(request)
    data: dict = {"label": body.get("name"), "project_id": to_int(body.get("project_id"), "project_id")}
    if body.get("external_id") is not None:
        data["attributes"] = {"external_id": clean_text(body["external_id"]) or None}
    await run_in_threadpool(services.files.update_genome, actor, genome_id, data)
    view = await run_in_threadpool(services.pedigree.genome_by_id, actor, genome_id)
    return JSON(await run_in_threadpool(genome_doc, request, services, view))


@route(router, ["DELETE"], "/genomes/{genome_id}", od.op("E9 Delete a genome", od.json_of(S.DeletedGenome)))
async def genomes_delete(
    genome_id: CatalogId, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    """E9 (delete_genome.py): a JSON answer, never 204; a genome a report uses is refused (422)."""
    g = await run_in_threadpool(services.files.delete_genome, actor, genome_id)
    return JSON({"id": g.id, "genome_id": g.id, "deleted": True})
