"""Fabric analyses and variant reports (contract §5.9: E38–E46).

``/analysis`` launches a stand-alone gene analysis (VAAST Solo / Trio / Quad, Phevor) on genomes; the
core ranks genes by burden and phenotype (docs/prioritisation.md). A *variant report* is the annotated
variant set of one genome, so its id is the genome's id (a report's ``variant_report_id`` is its
proband genome).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse

from vardesk.api.fabric import bodies as B
from vardesk.api.fabric import openapi_docs as od
from vardesk.api.fabric import schemas as S
from vardesk.api.fabric.common import (
    JSON,
    blank,
    json_doc,
    json_object,
    objects,
    page,
    query,
    route,
    stamp,
    to_bool,
    to_hpo_ids,
    to_int,
    to_sex,
)
from vardesk.api.fabric.render import ZYGOSITY, chrom_name
from vardesk.api.http.deps import CatalogId, VariantKeyId, get_services, require_actor
from vardesk.app.cases.prioritisation import RankingPage, ranking_page
from vardesk.app.commands import AnalysisMember, LaunchAnalysis
from vardesk.app.composition import Services
from vardesk.app.variants import VariantHit, VariantSearch
from vardesk.domain import analyses as da
from vardesk.domain.access import Actor
from vardesk.domain.analyses import GeneAnalysis
from vardesk.domain.errors import Invalid, NotFound
from vardesk.domain.variant_key import decode

router = APIRouter()
EXPORT_WAIT_SECONDS = 30.0  # an export right after the launch waits for a quick analysis to finish
_SLOTS = (("proband", "PROBAND"), ("mother", "MOTHER"), ("father", "FATHER"), ("sibling", "SIBLING"))
EXPORT_COLUMNS = (
    "chromosome",
    "start_on_chrom",
    "end_on_chrom",
    "ref",
    "alt",
    "rsid",
    "gene_symbol",
    "transcript",
    "hgvs_c",
    "hgvs_p",
    "effect",
    "gnomad_af",
    "clinvar_significance",
    "inheritance_mode",
    "gene_rank",
    "gene_score",
)


TOP_GENES = 20  # genes an analysis shows unless E40 asks for another page (?limit=&offset=)


def analysis_doc(request: Request, a: GeneAnalysis, genes: RankingPage | None = None) -> dict[str, Any]:
    """§3.5 plus the members, HPO terms and a page of the ranking (its top by default); ``gene_count``
    counts the whole ranking."""
    genes = genes or ranking_page(a.genes, 0, TOP_GENES)
    by_relation = {m["relation"]: m.get("genome_id") for m in a.members}
    return {
        "id": a.id,
        "report_type": a.kind,
        "report_status": a.status,
        "status_reason": a.status_reason or None,
        "run_date": stamp(request, a.modified_at if a.status == da.COMPLETE else a.created_at),
        "pipeline_version": (a.summary or {}).get("method") or "Vardesk gene prioritisation",
        "project_id": a.project_id,
        "genome_id": a.proband_genome_id,
        "proband_genome_id": by_relation.get("PROBAND"),
        "mother_genome_id": by_relation.get("MOTHER"),
        "father_genome_id": by_relation.get("FATHER"),
        "sibling_genome_id": by_relation.get("SIBLING"),
        "proband_vaast_report_id": a.parent_id,
        "hpo_terms": ",".join(a.hpo_terms) or None,
        "variant_report_id": a.proband_genome_id,
        "genes": [
            {
                "rank": g["rank"],
                "gene_symbol": g["gene"],
                "score": g["score"],
                "burden_score": g["burden"]["score"],
                "inheritance_model": g["burden"]["model"],
                "phenotype_score": None if g["phenotype"] is None else g["phenotype"]["score"],
            }
            for g in genes.genes
        ],
        "gene_count": genes.total,
    }


@route(
    router,
    ["POST"],
    "/analysis/",
    od.op(
        "E38 Launch a VAAST or Phevor analysis",
        od.json_of(S.FabricAnalysis),
        body=od.json_body(B.AnalysisLaunch, required=True),
    ),
)
async def analysis_launch(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    """E38: launch_analysis.py's body (no Content-Type; ``hpo_terms`` a comma-separated string)."""
    body = await json_object(request)
    members: list[AnalysisMember] = []
    for slot, relation in _SLOTS:
        gid = to_int(body.get(f"{slot}_genome_id"), f"{slot}_genome_id")
        if gid is None:
            continue
        sex = to_sex(body.get(f"{slot}_sex")) or "UNKNOWN"
        affected = to_bool(body.get(f"{slot}_affected"))
        members.append(
            AnalysisMember(
                relation=relation,
                genome_id=gid,
                sex={"M": "MALE", "F": "FEMALE"}.get(sex, sex),
                affected="UNKNOWN" if affected is None else ("AFFECTED" if affected else "UNAFFECTED"),
                label=slot,
            )
        )
    command = LaunchAnalysis(
        kind=str(body.get("report_type") or "").strip(),
        members=members,
        hpo_terms=to_hpo_ids(body.get("hpo_terms")),
        parent_id=to_int(body.get("proband_vaast_report_id"), "proband_vaast_report_id"),
    )
    a = await run_in_threadpool(services.analyses.launch_analysis, actor, command)
    return JSON(analysis_doc(request, a))


@route(
    router,
    ["GET"],
    "/analysis/",
    od.op(
        "E39 Analyses",
        od.objects(S.FabricAnalysis),
        query=(od.q("genome_id", "analyses including this genome", "integer"), *od.PAGE),
    ),
)
def analysis_list(
    request: Request, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    """E39: newest first; ``genome_id`` keeps the analyses that include that genome."""
    genome_id = to_int(query(request, "genome_id"), "genome_id")
    found = services.analyses.search(actor, genome_id)
    return objects([analysis_doc(request, a) for a in page(request, found)])


@route(
    router,
    ["GET"],
    "/analysis/{analysis_id}",
    od.op(
        "E40 An analysis",
        od.json_of(S.FabricAnalysis),
        query=(
            od.q("limit", "ranked genes to show (default 20)", "integer", minimum=0),
            od.q("offset", "ranked genes to skip", "integer", minimum=0),
        ),
    ),
)
def analysis_get(
    request: Request,
    analysis_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    """E40; ``limit``/``offset`` (Fabric's pagination parameters) page the ranked genes, every one of
    which is stored."""
    offset = to_int(query(request, "offset"), "offset") or 0
    limit = to_int(query(request, "limit"), "limit")
    a = services.analyses.get(actor, analysis_id)
    return JSON(
        analysis_doc(request, a, ranking_page(a.genes, offset, TOP_GENES if limit is None else limit))
    )


@route(
    router,
    ["DELETE"],
    "/analysis/{analysis_id}",
    od.op("E41 Delete an analysis", od.json_of(S.DeletedAnalysis)),
)
def analysis_delete(
    analysis_id: CatalogId, actor: Actor = Depends(require_actor), services: Services = Depends(get_services)
) -> JSON:
    """E41: the script prints the response text."""
    services.analyses.delete(actor, analysis_id)
    return JSON({"id": analysis_id, "deleted": True})


def _export_row(doc: dict[str, Any]) -> dict[str, Any]:
    call = (doc.get("genotypes") or [{}])[0]
    prio = doc.get("prioritisation") or {}
    return {
        "id": doc["key"],
        "chromosome": chrom_name(doc["chrom"]),
        "start_on_chrom": doc["pos"],
        "end_on_chrom": doc["pos"] + max(len(doc["ref"]), 1) - 1,
        "ref": doc["ref"],
        "alt": doc["alt"],
        "rsid": doc.get("rsid") or None,
        "quality": doc.get("qual"),
        "genotype": call.get("gt"),
        "zygosity": ZYGOSITY.get(call.get("zygosity")),  # type: ignore[arg-type]
        "genotype_quality": call.get("gq"),
        "read_depth": call.get("dp"),
        "gene_symbol": doc.get("gene") or None,
        "transcript": doc.get("transcript") or None,
        "hgvs_c": doc.get("hgvs_c") or None,
        "hgvs_p": doc.get("hgvs_p") or None,
        "effect": doc.get("consequence") or None,
        "gnomad_af": doc.get("gnomad_af"),
        "clinvar_significance": (doc.get("clinvar") or {}).get("significance"),
        "inheritance_mode": ",".join(doc.get("inheritance_modes") or []) or None,
        "gene_rank": prio.get("rank"),
        "gene_score": prio.get("score"),
        "genotypes": doc.get("genotypes") or [],
    }


def _vcf(a: GeneAnalysis, rows: list[dict[str, Any]]) -> str:
    build = (a.summary or {}).get("build") or "GRCh37"
    members = [str(g.get("member")) for g in (rows[0]["genotypes"] if rows else [])] or ["PROBAND"]
    out = [
        "##fileformat=VCFv4.2\n",
        f"##source=Vardesk {a.kind} {a.id}\n",
        f"##reference={build}\n",
        '##INFO=<ID=GENE,Number=1,Type=String,Description="Gene symbol">\n',
        '##INFO=<ID=EFFECT,Number=1,Type=String,Description="Consequence (SO term)">\n',
        '##INFO=<ID=RANK,Number=1,Type=Integer,Description="Rank of the gene in the analysis">\n',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(members) + "\n",
    ]
    for r in rows:
        info = ";".join(
            f"{k}={v}"
            for k, v in (("GENE", r["gene_symbol"]), ("EFFECT", r["effect"]), ("RANK", r["gene_rank"]))
            if v not in (None, "")
        )
        calls = {str(g.get("member")): g.get("gt") or "./." for g in r["genotypes"]}
        qual = "." if r["quality"] is None else f"{r['quality']:g}"
        cols = [r["chromosome"], r["start_on_chrom"], r["rsid"] or ".", r["ref"], r["alt"], qual, "."]
        cols += [info or ".", "GT", *(calls.get(m, "0/0") for m in members)]
        out.append("\t".join(str(c) for c in cols) + "\n")
    return "".join(out)


def _csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, EXPORT_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


async def _export(
    request: Request, analysis_id: int, actor: Actor, services: Services, structural: bool
) -> PlainTextResponse:
    """E42/E43: the whole argparse namespace as the body; one of filter/panel/gene-set ids set."""
    body = await json_object(request)
    panel_id = to_int(body.get("panel_id"), "panel_id")
    gene_set = to_int(body.get("gene_set_id"), "gene_set_id")
    filter_id = to_int(body.get("filter_id"), "filter_id")
    if panel_id is None and gene_set is None and filter_id is None:
        raise Invalid("give one of filter_id, panel_id or gene_set_id")
    fmt = str(body.get("format") or "JSON").strip().upper()
    if fmt not in ("JSON", "VCF", "CSV"):
        raise Invalid(f"format must be JSON, VCF or CSV; got {fmt!r}")
    limit = to_int(body.get("limit"), "limit")
    offset = to_int(body.get("offset"), "offset") or 0
    a, docs = await run_in_threadpool(
        services.analyses.variants,
        actor,
        analysis_id,
        panel_id=panel_id if panel_id is not None else gene_set,
        offset=offset,
        limit=limit,
        wait=EXPORT_WAIT_SECONDS,
    )
    rows = [] if structural else [_export_row(d) for d in docs]  # small variants only (docs/fabric.md)
    if fmt == "VCF":
        return PlainTextResponse(_vcf(a, rows), media_type="text/plain")
    if fmt == "CSV":
        return PlainTextResponse(_csv(rows), media_type="text/csv")
    return JSON({"objects": rows, "analysis_id": a.id, "structural": structural})  # type: ignore[return-value]


@route(
    router,
    ["POST"],
    "/analysis/{analysis_id}/variants",
    od.op(
        "E42 Export an analysis' variants",
        od.EXPORT,
        body=od.json_body(B.AnalysisExportBody, required=True),
        extra_errors=od.BUSY,
    ),
)
async def analysis_variants(
    request: Request,
    analysis_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> PlainTextResponse:
    return await _export(request, analysis_id, actor, services, structural=False)


@route(
    router,
    ["POST"],
    "/analysis/{analysis_id}/structural_variants",
    od.op(
        "E43 Export an analysis' structural variants",
        od.EXPORT,
        body=od.json_body(B.AnalysisExportBody, required=True),
        extra_errors=od.BUSY,
    ),
)
async def analysis_structural_variants(
    request: Request,
    analysis_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> PlainTextResponse:
    return await _export(request, analysis_id, actor, services, structural=True)


# -- variant reports (E44–E46) ------------------------------------------------------------------------
def _hit_doc(genome_id: int, hit: VariantHit) -> dict[str, Any]:
    r = hit.row
    values = hit.samples[0][1] if hit.samples else None
    values = values or {}
    ad = [values.get("ad_ref"), values.get("ad_alt")]
    return {
        "id": r["key"],
        "variant_report_id": genome_id,
        "chromosome": chrom_name(r["chrom"]),
        "start_on_chrom": r["pos"],
        "end_on_chrom": r["pos"] + max(len(r["ref"]), 1) - 1,
        "ref": r["ref"],
        "alt": r["alt"],
        "rsid": r.get("rsid") or None,
        "quality": None if (q := values.get("qual", r.get("qual"))) is None else float(f"{q:.7g}"),
        "filters": values.get("filters"),
        "genotype": values.get("gt"),
        "zygosity": ZYGOSITY.get(values.get("zygosity")),  # type: ignore[arg-type]
        "genotype_quality": values.get("gq"),
        "read_depth": values.get("dp"),
        "allele_depths": ad if any(v is not None for v in ad) else None,
        "gene_symbol": r.get("gene_symbol"),
        "transcript": r.get("transcript_id"),
        "hgvs_c": r.get("hgvs_c"),
        "hgvs_p": r.get("hgvs_p"),
        "effect": r.get("consequence"),
        "impact": r.get("impact"),
        "gnomad_af": r.get("gnomad_af"),
        "clinvar_significance": r.get("clinvar_significance"),
        "inhouse_carriers": r.get("inhouse_carriers"),
    }


def _location(text: str) -> str:
    """``chr1:1635004-1635004`` (1-based inclusive) → a core region."""
    chrom, _, span = text.strip().partition(":")
    if not chrom or not span:
        raise Invalid(f"location must look like chr1:1635004-1635004; got {text!r}")
    start, _, end = span.partition("-")
    return f"{chrom}:{start}-{end or start}"


def _bed(text: str) -> list[str]:
    """BED lines (0-based start, end exclusive) → 1-based inclusive regions; headers skipped."""
    regions = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        cols = line.split("\t") if "\t" in line else line.split()
        try:
            chrom, start, end = cols[0], int(cols[1]), int(cols[2])
        except (IndexError, ValueError):
            raise Invalid(f"BED line {n} is not 'chrom<TAB>start<TAB>end': {line[:60]!r}") from None
        if end <= start:
            raise Invalid(f"BED line {n}: end {end} is not after start {start}")
        regions.append(f"{chrom}:{start + 1}-{end}")
    if not regions:
        raise Invalid("the BED body has no intervals")
    return regions


def _targets(doc: Any) -> list[str]:
    if not isinstance(doc, list):
        raise Invalid("target variants must be a JSON list of {chromosome, start_on_chrom, end_on_chrom}")
    regions = []
    for i, t in enumerate(doc):
        if not isinstance(t, dict) or blank(t.get("chromosome")):
            raise Invalid(f"target {i} has no chromosome")
        start = to_int(t.get("start_on_chrom"), "start_on_chrom")
        end = to_int(t.get("end_on_chrom"), "end_on_chrom") or start
        if start is None:
            raise Invalid(f"target {i} has no start_on_chrom")
        regions.append(f"{t['chromosome']}:{start}-{end}")
    return regions


def _variant_report(
    actor: Actor, services: Services, genome_id: int, search: VariantSearch
) -> list[dict[str, Any]]:
    view = services.pedigree.genome_by_id(actor, genome_id)
    search.samples_any = [view.genome.code]
    search.include_samples = [view.genome.code]
    found = services.variants.search(actor, view.study.fqn, search)
    return [_hit_doc(genome_id, h) for h in found.hits]


@route(
    router,
    ["GET"],
    "/variant_reports/{variant_report_id}/variants",
    od.op("E44 A genome's annotated variants", od.json_of(S.VariantReportPage), query=od.VARIANT_REPORT),
)
def variant_report_variants(
    request: Request,
    variant_report_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    """E44: a page (``?&offset=0&limit=10``) or a location (``?location=chr1:1635004-1635004``)."""
    offset = to_int(query(request, "offset"), "offset") or 0
    limit = to_int(query(request, "limit"), "limit")
    location = query(request, "location")
    search = VariantSearch(
        regions=[_location(location)] if location else [],
        skip=max(offset, 0),
        limit=100 if limit is None else max(limit, 0),
    )
    rows = _variant_report(actor, services, variant_report_id, search)
    return JSON({"objects": rows, "offset": offset, "limit": search.limit})


@route(
    router,
    ["GET"],
    "/variant_reports/{variant_report_id}/variants/{variant_id}",
    od.op("E45 One annotated variant", od.json_of(S.VariantReportVariant)),
)
def variant_report_variant(
    variant_report_id: CatalogId,
    variant_id: VariantKeyId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    """E45: one variant by its id (the variant key)."""
    chrom, pos, _, _ = decode(variant_id)
    if chrom is None:
        raise NotFound(f"variant {variant_id} not found")
    search = VariantSearch(regions=[f"{chrom}:{pos}-{pos}"], limit=None)
    rows = [r for r in _variant_report(actor, services, variant_report_id, search) if r["id"] == variant_id]
    if not rows:
        raise NotFound(f"variant {variant_id} not found in variant report {variant_report_id}")
    return JSON(rows[0])


@route(
    router,
    ["POST"],
    "/variant_reports/{variant_report_id}/variants",
    od.op(
        "E46 Annotated variants in BED intervals or at positions",
        od.objects(S.VariantReportVariant),
        body=od.BED_OR_POSITIONS,
    ),
)
async def variant_report_targets(
    request: Request,
    variant_report_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    """E46: a BED file as the raw body (labelled as a form), or a JSON list of target positions."""
    raw = (await request.body()).decode("utf-8", errors="replace")
    if raw.lstrip().startswith(("[", "{", '"')):
        doc = await json_doc(request)
        regions = _targets(doc)
    else:
        regions = _bed(raw)
    search = VariantSearch(regions=regions, limit=None)
    rows = await run_in_threadpool(_variant_report, actor, services, variant_report_id, search)
    return JSON({"objects": rows})
