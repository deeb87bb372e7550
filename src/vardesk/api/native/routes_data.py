"""Native API: files (upload, search, info), samples, individuals, families, variant indexing."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.datastructures import UploadFile
from starlette.requests import Request

from vardesk.api.http.deps import get_services, json_body, require_actor
from vardesk.api.native import openapi_docs as od
from vardesk.api.native import render, render_data, schemas
from vardesk.api.native.common import info_response, search_response, write_response
from vardesk.api.native.envelope import JSON, Options, envelope, parse_bool, result
from vardesk.app.composition import Services
from vardesk.app.genomes import ByteSource, ImportGenomeCommand, OnRepeat, UploadDigests
from vardesk.domain.access import Actor
from vardesk.domain.errors import Invalid, TooLarge, Unprocessable
from vardesk.domain.refs import split_ids

router = APIRouter()


def _study(request: Request, body: dict | None = None) -> str:
    study = request.query_params.get("study") or (body or {}).get("study")
    if not study:
        raise Invalid("the study parameter is required")
    return str(study)


def _id_filter(opts: Options) -> dict[str, str]:
    f = dict(opts.filters)
    if "id" in f:
        f["code"] = f.pop("id")
    return f


def _sample_names(text: str | None) -> dict[str, str]:
    """``sampleNames=HG002=HG002-rerun,HG003=HG003-rerun``: the id each sample of the file gets."""
    names: dict[str, str] = {}
    for pair in (text or "").split(","):
        if not pair.strip():
            continue
        sample, sep, new = pair.partition("=")
        if not sep or not sample.strip() or not new.strip():
            raise Invalid(f"sampleNames entries look like <sample in the file>=<sample id>; got {pair!r}")
        names[sample.strip()] = new.strip()
    return names


# -- files ---------------------------------------------------------------------------------------
@router.post(
    "/files/upload",
    tags=["files"],
    summary="Upload a VCF (multipart part 'file'); validated, stored, one sample per column",
    openapi_extra=od.op(od.UPLOAD_FIELDS, content=od.UPLOAD_BODY, result="File"),
)
async def files_upload(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    limit = services.settings.max_upload_bytes
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit + (1 << 20):
        raise TooLarge(f"the upload exceeds the maximum size of {limit} bytes")
    form = await request.form()
    part = form.get("file")
    if not isinstance(part, UploadFile):
        raise Invalid("no file found: send the VCF as a multipart part named 'file'")
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    q = request.query_params
    get = lambda k: fields.get(k) or q.get(k)  # noqa: E731  form fields first, then the query string
    study = get("study")
    if not study:
        raise Invalid("the study parameter is required")
    checksum = (get("checksum") or get("md5") or "").strip().lower()

    def verify(received: UploadDigests) -> None:
        if len(checksum) == 64 and checksum != received.sha256:
            raise Unprocessable(
                f"SHA-256 mismatch: the upload's checksum is {received.sha256}, expected {checksum}"
            )

    command = ImportGenomeCommand(
        actor=actor,
        study=study,
        source=ByteSource(part.file, get("name") or get("fileName") or part.filename or ""),
        folder=get("relativeFilePath"),
        description=get("description") or "",
        expected_md5=checksum if len(checksum) == 32 else None,
        verify=verify,
        build=get("assembly"),
        sample_ids=_sample_names(get("sampleNames")),
        rename_duplicates=parse_bool(get("renameSamples") or False, "renameSamples"),
        index=False,  # indexing is its own call (operation/variant/index)
        on_repeat=OnRepeat.REFUSE,  # OpenCGA refuses a path the study already has
    )
    try:
        imported = await services.import_genome.run_async(command)
    finally:
        await part.close()
    return envelope(request, [result([render_data.file(imported.view)], num_matches=1, inserted=1)])


@router.get(
    "/files/search",
    tags=["files"],
    summary="Files of a study (?study=)",
    openapi_extra=od.op(
        [
            od.STUDY,
            *od.PAGE,
            od.q("id", "file id (file_…, as the upload returned it)"),
            od.q("name", "the uploaded file's name: the way to find a file by name"),
            od.q("path", "the uploaded file's path (relativeFilePath + name)"),
            od.q("uuid", "file uuid"),
            od.q("format", "file format, e.g. VCF"),
            od.q("state", "file state"),
            od.q("sample", "files holding this sample"),
        ],
        result="File",
    ),
)
def files_search(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    opts = Options.from_request(request)
    views = services.files.search_files(actor, _study(request), _id_filter(opts))
    return search_response(request, opts, views, render_data.file)


@router.get(
    "/files/{files}/info",
    tags=["files"],
    summary="Files by id (file_…), uuid or number; never by name (files/search?name=)",
    openapi_extra=od.op([od.STUDY, *od.INFO], result="File"),
)
def files_info(
    request: Request,
    files: str,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    opts = Options.from_request(request)
    found = services.files.get_files(actor, _study(request), split_ids(files))
    return info_response(request, opts, found, render_data.file)


# -- samples (genomes) -----------------------------------------------------------------------------
@router.get(
    "/samples/search",
    tags=["samples"],
    summary="Samples (one per genome) of a study",
    openapi_extra=od.op(
        [
            od.STUDY,
            *od.PAGE,
            od.q("id", "comma-separated sample ids"),
            od.q("individualId", "samples of this individual"),
            od.q("fileIds", "samples of this file"),
        ],
        result="Sample",
    ),
)
def samples_search(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    opts = Options.from_request(request)
    f = _id_filter(opts)
    f["individual"] = f.pop("individualId", None)
    f["file"] = f.pop("fileIds", None)
    views = services.pedigree.search_genomes(actor, _study(request), f)
    return search_response(request, opts, views, render_data.sample)


@router.get(
    "/samples/{samples}/info",
    tags=["samples"],
    summary="Samples by id",
    openapi_extra=od.op([od.STUDY, *od.INFO], result="Sample"),
)
def samples_info(
    request: Request,
    samples: str,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    opts = Options.from_request(request)
    found = services.pedigree.get_genomes(actor, _study(request), split_ids(samples))
    return info_response(request, opts, found, render_data.sample)


# -- individuals -----------------------------------------------------------------------------------
@router.post(
    "/individuals/create",
    tags=["individuals"],
    summary="Create an individual (?samples= to link)",
    openapi_extra=od.op(
        [od.STUDY, od.q("samples", "comma-separated samples to link to the individual"), *od.WRITE],
        body=schemas.IndividualCreate,
        body_required=True,
        result="Individual",
    ),
)
def individuals_create(
    request: Request,
    body: dict = Depends(json_body),
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    samples = [s for s in (request.query_params.get("samples") or "").split(",") if s]
    view = services.pedigree.create_individual(actor, _study(request), body, samples)
    return write_response(
        request,
        Options.from_request(request),
        render_data.individual(view),
        created=True,
        warnings=view.warnings,
    )


@router.get(
    "/individuals/search",
    tags=["individuals"],
    summary="Individuals of a study",
    openapi_extra=od.op(
        [
            od.STUDY,
            *od.PAGE,
            od.q("id", "comma-separated individual ids"),
            od.q("sex", "MALE, FEMALE or UNKNOWN"),
            od.q("samples", "comma-separated samples"),
        ],
        result="Individual",
    ),
)
def individuals_search(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    opts = Options.from_request(request)
    views = services.pedigree.search_individuals(actor, _study(request), _id_filter(opts))
    return search_response(request, opts, views, render_data.individual)


@router.get(
    "/individuals/{individuals}/info",
    tags=["individuals"],
    summary="Individuals by id",
    openapi_extra=od.op([od.STUDY, *od.INFO], result="Individual"),
)
def individuals_info(
    request: Request,
    individuals: str,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    opts = Options.from_request(request)
    found = services.pedigree.get_individuals(actor, _study(request), split_ids(individuals))
    return info_response(request, opts, found, render_data.individual)


# -- families --------------------------------------------------------------------------------------
@router.post(
    "/families/create",
    tags=["families"],
    summary="Create a family; member objects are created",
    openapi_extra=od.op(
        [od.STUDY, od.q("members", "comma-separated existing individuals to add"), *od.WRITE],
        body=schemas.FamilyCreate,
        body_required=True,
        result="Family",
    ),
)
def families_create(
    request: Request,
    body: dict = Depends(json_body),
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    members = [m for m in (request.query_params.get("members") or "").split(",") if m]
    view = services.pedigree.create_family(actor, _study(request), body, members)
    return write_response(request, Options.from_request(request), render_data.family(view), created=True)


@router.get(
    "/families/search",
    tags=["families"],
    summary="Families of a study",
    openapi_extra=od.op(
        [
            od.STUDY,
            *od.PAGE,
            od.q("id", "comma-separated family ids"),
            od.q("members", "comma-separated individuals"),
        ],
        result="Family",
    ),
)
def families_search(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    opts = Options.from_request(request)
    views = services.pedigree.search_families(actor, _study(request), _id_filter(opts))
    return search_response(request, opts, views, render_data.family)


@router.get(
    "/families/{families}/info",
    tags=["families"],
    summary="Families by id",
    openapi_extra=od.op([od.STUDY, *od.INFO], result="Family"),
)
def families_info(
    request: Request,
    families: str,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    opts = Options.from_request(request)
    found = services.pedigree.get_families(actor, _study(request), split_ids(families))
    return info_response(request, opts, found, render_data.family)


# -- indexing --------------------------------------------------------------------------------------
@router.post(
    "/operation/variant/index",
    tags=["variants"],
    summary="Index uploaded files ({file, annotate}) as a job; poll jobs/{id}/info",
    openapi_extra=od.op(
        [
            od.q("study", "the study (or study in the body)"),
            od.q("file", "comma-separated file ids (or file in the body)"),
        ],
        body=schemas.VariantIndexBody,
        result="Job",
    ),
)
def variant_index(
    request: Request,
    body: dict = Depends(json_body),
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    files = [f for f in str(body.get("file") or request.query_params.get("file") or "").split(",") if f]
    annotate = parse_bool(body.get("annotate", True), "annotate")
    job, fqn = services.indexing.index_files(actor, _study(request, body), files, annotate=annotate)
    return envelope(request, [result([render.job(job, fqn)], num_matches=1, inserted=1)])
