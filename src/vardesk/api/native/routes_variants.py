"""Native API: analysis/variant/query with OpenCGA's filter parameters."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from vardesk.api.http.deps import get_services, require_actor
from vardesk.api.native import openapi_docs as od
from vardesk.api.native import render, render_variants
from vardesk.api.native.envelope import JSON, Options, apply_include_exclude, envelope, parse_bool, result
from vardesk.app.composition import Services
from vardesk.app.exports import ExportCommand, StudyVariants, export_format
from vardesk.app.variants import VariantSearch
from vardesk.domain.access import Actor
from vardesk.domain.errors import Invalid
from vardesk.domain.ids import ascii_int
from vardesk.domain.variant_key import canonical_chrom

router = APIRouter()
GT_ALIASES = {
    "HOM_REF": [0],
    "HET": [1],
    "HET_REF": [1],
    "HET_ALT": [1],
    "HOM_ALT": [2],
    "MISS": [-1],
    "HET_MISS": [1],
}
CT_ALIASES = {
    "loss_of_function": [
        "transcript_ablation",
        "splice_acceptor_variant",
        "splice_donor_variant",
        "stop_gained",
        "frameshift_variant",
        "stop_lost",
        "start_lost",
        "transcript_amplification",
    ],
    "protein_altering": [
        "transcript_ablation",
        "splice_acceptor_variant",
        "splice_donor_variant",
        "stop_gained",
        "frameshift_variant",
        "stop_lost",
        "start_lost",
        "transcript_amplification",
        "inframe_insertion",
        "inframe_deletion",
        "missense_variant",
        "protein_altering_variant",
    ],
}
_AF = re.compile(r"^(?:[^:]+:)?[^<>=]+(<=|<)([0-9.eE-]+)$")
_SCORE = re.compile(r"^([A-Za-z_]+)\s*(<=|>=|<|>)\s*([0-9.eE+-]+)$")
# OpenCGA's score sources → the annotation columns (functionalScore, proteinSubstitution)
FUNCTIONAL_SCORES = {"cadd_scaled": "cadd_phred", "spliceai": "spliceai_max"}
SUBSTITUTION_SCORES = {"revel": "revel", "alphamissense": "alphamissense"}


def score_filters(param: str, text: str, sources: dict[str, str]) -> list[list[tuple[str, str, float]]]:
    """``cadd_scaled>20,spliceai>=0.2;…`` → groups of (column, operator, value): ``,`` is OR, ``;`` AND."""
    groups = []
    for group in filter(None, (g.strip() for g in text.split(";"))):
        alternatives = []
        for clause in filter(None, (c.strip() for c in group.split(","))):
            m = _SCORE.match(clause)
            if not m or m.group(1).lower() not in sources:
                raise Invalid(
                    f"{param} {clause!r}: use SOURCE<op>number with a source of {', '.join(sources)} "
                    "and one of < <= > >="
                )
            try:
                value = float(m.group(3))
            except ValueError:
                raise Invalid(f"{param} {clause!r}: {m.group(3)!r} is not a number") from None
            alternatives.append((sources[m.group(1).lower()], m.group(2), value))
        groups.append(alternatives)
    return groups


def zygosities(gt: str) -> list[int]:
    """OpenCGA genotype filters → zygosity codes (unphased genotypes also match phased ones)."""
    if gt.upper() in GT_ALIASES:
        return GT_ALIASES[gt.upper()]
    alleles = re.split(r"[/|]", gt)
    if any(a not in ("0", "1", ".") for a in alleles):
        raise Invalid(
            f"genotype {gt!r} is not understood: use 0/0, 0/1, 1/1, ./., 1 or HOM_REF, HET, HOM_ALT"
        )
    if "." in alleles:
        return [-1]
    alt = alleles.count("1")
    if len(alleles) == 1:
        return [3] if alt else [0]
    return [0] if alt == 0 else [1] if alt < len(alleles) else [2]


def parse_search(request: Request, opts: Options) -> VariantSearch:
    q = request.query_params
    s = VariantSearch(skip=opts.skip, limit=opts.limit, count=opts.count)
    if q.get("region"):
        s.regions = [r for r in q["region"].split(",") if r]
    for vid in filter(None, (q.get("id") or "").split(",")):
        parts = vid.split(":")
        if len(parts) != 4 or ascii_int(parts[1]) is None:
            raise Invalid(f"variant id {vid!r} must be chrom:pos:ref:alt")
        s.ids.append((canonical_chrom(parts[0]), int(parts[1]), parts[2], parts[3]))
    s.genes = [g for g in (q.get("gene") or q.get("xref") or "").split(",") if g]
    for ct in filter(None, (q.get("ct") or "").split(",")):
        s.consequences += CT_ALIASES.get(ct, [ct])
    if q.get("populationFrequencyAlt"):
        values = []
        for clause in q["populationFrequencyAlt"].split(","):
            m = _AF.match(clause.strip())
            if not m:
                raise Invalid(f"populationFrequencyAlt {clause!r}: use STUDY:POPULATION<number")
            values.append(float(m.group(2)))
        s.max_af = min(values)
    if q.get("functionalScore"):
        s.scores += score_filters("functionalScore", q["functionalScore"], FUNCTIONAL_SCORES)
    if q.get("proteinSubstitution"):
        s.scores += score_filters("proteinSubstitution", q["proteinSubstitution"], SUBSTITUTION_SCORES)
    if q.get("clinicalSignificance"):
        s.clinvar = [c.strip() for c in q["clinicalSignificance"].split(",") if c.strip()]
    if (q.get("filter") or "").upper() == "PASS":
        s.pass_only = True
    if q.get("qual"):
        m = re.match(r"^>=?([0-9.]+)$", q["qual"])
        if not m:
            raise Invalid("qual must look like >30")
        s.min_qual = float(m.group(1))
    for clause in filter(None, (q.get("genotype") or "").split(";")):
        sample, _, gts = clause.partition(":")
        if not gts:
            raise Invalid(f"genotype filter {clause!r} must be sample:gt[,gt]")
        s.genotypes[sample] = sorted({z for gt in gts.split(",") for z in zygosities(gt)})
    for clause in filter(None, (q.get("sample") or "").replace(";", ",").split(",")):
        sample, _, gts = clause.partition(":")
        if gts:
            s.genotypes[sample] = sorted({z for gt in gts.split(",") for z in zygosities(gt)})
        else:
            s.samples_any.append(sample)
    if q.get("clinicalAnalysis"):
        s.case = q["clinicalAnalysis"]
    s.segregation = [m for m in (q.get("familySegregation") or "").split(",") if m.strip()]
    if s.segregation and not s.case:
        raise Invalid("familySegregation needs the family: give clinicalAnalysis (a case of the study)")
    inc = q.get("includeSample")
    if inc:
        s.include_samples = ["*"] if inc.lower() == "all" else [] if inc.lower() == "none" else inc.split(",")
    return s


@router.get(
    "/analysis/variant/query",
    tags=["variants"],
    summary="Query variants of a study (region, gene, ct, populationFrequencyAlt, genotype, sample…)",
    openapi_extra=od.op(
        [
            *od.VARIANT_FILTERS,
            od.INCLUDE,
            od.EXCLUDE,
            od.limit(1000),
            od.SKIP,
            od.COUNT,
            od.q("summary", "leave out per-sample data", "boolean", default=False),
        ],
        result="Variant",
    ),
)
def variant_query(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    opts = Options.from_request(request, default_limit=1000)
    study = request.query_params.get("study")
    if not study:
        raise Invalid("the study parameter is required")
    summary = parse_bool(request.query_params.get("summary", "false"), "summary")
    page = services.variants.search(actor, study, parse_search(request, opts))
    docs = [render_variants.variant(h, page, summary=summary) for h in page.hits]
    attrs = {"numSamples": len(page.samples), "source": "variant_index"}
    return envelope(
        request, [result(apply_include_exclude(docs, opts), num_matches=page.num_matches, attributes=attrs)]
    )


def _export_request(request: Request) -> tuple[str, VariantSearch, str]:
    """The study, the search and the format an export request asks for."""
    opts = Options.from_request(request, default_limit=0)
    study = request.query_params.get("study")
    if not study:
        raise Invalid("the study parameter is required")
    fmt = export_format(request.query_params.get("format"))
    search = parse_search(request, opts)
    search.limit = opts.limit or None  # uncapped unless a limit is asked for
    return study, search, fmt


_EXPORT_QUERY = [*od.VARIANT_FILTERS, od.limit(0, "; 0: every match"), od.SKIP, od.FORMAT_TABLE]


def _attachment(body: Any, media_type: str, filename: str) -> Response:
    return StreamingResponse(
        body, media_type=media_type, headers={"Content-Disposition": f"attachment; filename={filename}"}
    )


@router.get(
    "/analysis/variant/export",
    tags=["variants"],
    summary="Stream every variant matching the query filters as VCF, CSV or JSON (?format=)",
    openapi_extra=od.op(_EXPORT_QUERY, binary="the matching variants, attachment variants.{format}"),
)
def variant_export(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> Response:
    study, search, fmt = _export_request(request)
    export = services.exports(actor, ExportCommand(StudyVariants(study, search), fmt))
    return _attachment(export.body, export.media_type, export.filename)


@router.post(
    "/analysis/variant/export/run",
    tags=["variants"],
    summary="Export the matching variants as a job; download the file from export/download?job= once DONE",
    openapi_extra=od.op(_EXPORT_QUERY, result="Job"),
)
def variant_export_run(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    study, search, fmt = _export_request(request)
    job = services.exports.submit(actor, study, search, fmt)
    fqn = services.projects.study_fqn(actor, job.study_id) if job.study_id else None
    return envelope(request, [result([render.job(job, fqn)], num_matches=1, inserted=1)])


@router.get(
    "/analysis/variant/export/download",
    tags=["variants"],
    summary="The file an export/run job made; 503 with Retry-After while it runs",
    openapi_extra=od.op(
        [od.q("job", "the export job's id", required=True)],
        binary="the exported variants, attachment variants.{format}",
    ),
)
def variant_export_download(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> Response:
    job = request.query_params.get("job") or ""
    if not job:
        raise Invalid("give the export job's id as ?job=")
    exported = services.exports.exported(actor, job)
    response = _attachment(exported.body, exported.media_type, exported.filename)
    response.headers["Content-Length"] = str(exported.size)
    return response
