"""Fabric report variants (contract §5.6, §7): list / export (JSON, VCF, CSV), the confirmation VCF
round trip, JSON Patch updates and internal notes."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from vardesk.api.fabric import bodies as B
from vardesk.api.fabric import openapi_docs as od
from vardesk.api.fabric import render
from vardesk.api.fabric import schemas as S
from vardesk.api.fabric.common import (
    JSON,
    clean_text,
    json_doc,
    json_object,
    json_patch,
    objects,
    page,
    query,
    query_list,
    route,
    stamp,
    to_bool,
    to_int,
)
from vardesk.api.http.deps import CatalogId, get_services, require_actor
from vardesk.app.cases.confirmation import apply_confirmation_file
from vardesk.app.cases.interpretation import SCORING_STATUSES, match_targets, select_variants
from vardesk.app.cases.structural import StructuralVariant
from vardesk.app.commands import SetReportVariant
from vardesk.app.composition import Services
from vardesk.domain.access import Actor
from vardesk.domain.cases import ReportVariant, VariantStatus
from vardesk.domain.errors import Invalid, NotFound
from vardesk.domain.variant_key import canonical_chrom

router = APIRouter()
PATCHABLE = ("status", "to_report", "classification", "criteria", "interpretation", "internal_notes")
CSV_COLUMNS = (
    "id",
    "chromosome",
    "start_on_chrom",
    "end_on_chrom",
    "ref",
    "alt",
    "genotype",
    "gene_symbol",
    "hgvs_c",
    "hgvs_p",
    "effect",
    "classification",
    "status",
    "to_report",
)
VCF_HEADER = (
    "##fileformat=VCFv4.2\n"
    "##fileDate={date}\n"
    "##source=Omicia Opal\n"
    "##reference={build}\n"
    '##FILTER=<ID=FAIL,Description="Failed external confirmation">\n'
    '##FILTER=<ID=CONFIRMED,Description="Passed external confirmation">\n'
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype Quality">\n'
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allele Depth">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tSAMPLE\n"
)
SV_VCF_HEADER = (
    "##fileformat=VCFv4.2\n"
    "##fileDate={date}\n"
    "##source=Vardesk (Fabric face)\n"
    "##reference={build}\n"
    '##INFO=<ID=END,Number=1,Type=Integer,Description="End position of the variant">\n'
    '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type of structural variant">\n'
    '##INFO=<ID=SVLEN,Number=.,Type=Integer,Description="Length difference between ALT and REF">\n'
    '##ALT=<ID=DEL,Description="Deletion">\n'
    '##ALT=<ID=DUP,Description="Duplication">\n'
    '##ALT=<ID=INV,Description="Inversion">\n'
    '##ALT=<ID=INS,Description="Insertion">\n'
    '##ALT=<ID=CNV,Description="Copy number variation">\n'
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tSAMPLE\n"
)
TARGET_TEXT = ("chromosome", "ref", "alt", "gene_symbol", "inheritance_mode")
CONFIRMATION_FILTER = {VariantStatus.CONFIRMED: "CONFIRMED", VariantStatus.FAILED_CONFIRMATION: "FAIL"}


def _selected(request: Request, variants: list[ReportVariant]) -> list[ReportVariant]:
    return select_variants(
        variants,
        statuses=query_list(request, "status"),
        to_report=query_list(request, "to_report"),
        chrom=query(request, "chrom") or query(request, "chromosome"),
        start=to_int(query(request, "start_on_chrom"), "start_on_chrom"),
        end=to_int(query(request, "end_on_chrom"), "end_on_chrom"),
        alt=query(request, "alt"),
    )


def _vcf(report_id: int, variants: list[ReportVariant]) -> str:
    out = [VCF_HEADER.format(date=datetime.now(UTC).strftime("%Y%m%d"), build="GRCh37")]
    for v in variants:
        doc = render.report_variant(v)
        ad = doc["allele_depths"]
        sample = ":".join(
            (
                doc["genotype"] or "./.",
                "." if doc["genotype_quality"] is None else str(doc["genotype_quality"]),
                ",".join("." if a is None else str(a) for a in ad) if ad else ".,.",
            )
        )
        qual = "." if v.qual is None else f"{v.qual:g}"
        flt = CONFIRMATION_FILTER.get(v.status, ".")
        cols = (doc["chromosome"], v.pos, v.rsid or ".", v.ref, v.alt, qual, flt, ".", "GT:GQ:AD", sample)
        out.append("\t".join(str(c) for c in cols) + "\n")
    return "".join(out)


def _csv(variants: list[ReportVariant]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for v in variants:
        writer.writerow(render.report_variant(v))
    return buf.getvalue()


@route(
    router,
    ["GET"],
    "/reports/{report_id}/variants",
    od.op(
        "E20 Report variants (JSON, VCF or CSV)",
        {**od.objects(S.ReportVariant), **od.VCF, **od.CSV},
        query=od.VARIANT_FILTERS,
        headers=od.ATTACHMENT,
    ),
)
def variants_list(
    request: Request,
    report_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> Response:
    """E20: filters ``status``/``to_report`` (repeatable), ``chrom``, ``start_on_chrom``, ``end_on_chrom``,
    ``alt``; ``format`` VCF or CSV (else JSON ``objects``); ``limit``/``offset``."""
    variants = page(request, _selected(request, services.interpretation.variants(actor, str(report_id))))
    fmt = (query(request, "format") or "JSON").upper()
    if fmt == "VCF":
        return Response(
            _vcf(report_id, variants),
            media_type="text/plain",
            headers={"Content-Disposition": f"attachment; filename=report_{report_id}_variants.vcf"},
        )
    if fmt == "CSV":
        return Response(
            _csv(variants),
            media_type="text/csv",
            headers={"Content-Disposition": f"attachment; filename=report_{report_id}_variants.csv"},
        )
    if fmt != "JSON":
        raise Invalid(f"format must be JSON, VCF or CSV; got {fmt!r}")
    return objects([render.report_variant(v) for v in variants])


@route(
    router,
    ["PUT"],
    "/reports/{report_id}/variants",
    od.op(
        "E21 Upload the confirmation VCF",
        od.json_of(S.ConfirmationResult),
        query=(od.VCF_FORMAT,),
        body=od.CONFIRMATION,
    ),
)
async def variants_confirm(
    request: Request,
    report_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    """E21: a VCF (plain, gzip or bzip2) whose FILTER is CONFIRMED or FAIL per externally checked variant."""
    raw = await request.body()
    if not raw.strip():
        raise Invalid("the request body must be the confirmation VCF")
    confirmation = await run_in_threadpool(
        apply_confirmation_file, services.interpretation, actor, str(report_id), raw
    )
    outcome = confirmation.outcome
    confirmed = {(c, p, r, a) for c, p, r, a, f in confirmation.rows if f.upper() in ("CONFIRMED", "FAIL")}
    current = await run_in_threadpool(services.interpretation.variants, actor, str(report_id))
    updated = [v.id for v in current if (v.chrom, v.pos, v.ref, v.alt) in confirmed]
    return JSON(
        {
            "updated": updated,
            "confirmed": outcome["confirmed"],
            "failed": outcome["failed"],
            "ignored": outcome["ignored"],
            "not_found": [_location(u) for u in outcome["unmatched"]],
        }
    )


def _location(key: str) -> str:
    chrom, pos, ref, alt = key.split(":", 3)
    return f"chr{chrom}:{pos}:{ref}>{alt}"


# -- scoring, structural and selectable variants (E24–E27) -----------------------------------------------
# E24 is registered before /variants/{variant_id} so that "scored" is never taken for a variant id.
@route(
    router,
    ["GET"],
    "/reports/{report_id}/variants/scored",
    od.op("E24 Scored variants", od.objects(S.ScoredVariant), query=od.SCORED),
)
def variants_scored(
    request: Request,
    report_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    """E24: ``scoring_status`` filter (scored, scoring, classified, unscored), ``audit_log=true``."""
    wanted = {s.lower() for s in query_list(request, "scoring_status")}
    unknown = wanted - set(SCORING_STATUSES)
    if unknown:
        raise Invalid(f"scoring_status must be one of {', '.join(SCORING_STATUSES)}; got {sorted(unknown)}")
    with_log = bool(to_bool(query(request, "audit_log")))
    rows = [r for r in services.interpretation.scored(actor, str(report_id)) if not wanted or r[1] in wanted]
    return objects(
        [
            render.scored_variant(request, rv, st, events if with_log else None)
            for rv, st, events in page(request, rows)
        ]
    )


@route(
    router,
    ["GET"],
    "/reports/{report_id}/structural_variants",
    od.op(
        "E25 Structural variants (JSON or VCF)",
        {**od.objects(S.StructuralVariant), **od.VCF},
        query=od.SV_FILTERS,
        headers=od.ATTACHMENT,
    ),
)
def structural_variants(
    request: Request,
    report_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> Response:
    """E25: the proband's structural records (symbolic ALT, SVTYPE, or ≥ 50 bp length change); filters
    ``status`` (repeatable), ``chrom``, ``start_on_chrom``, ``end_on_chrom``; ``format=VCF`` or JSON."""
    statuses = {s.upper() for s in query_list(request, "status")}
    unknown = statuses - {v.value for v in VariantStatus}
    if unknown:
        raise Invalid(
            f"status must be one of {', '.join(v.value for v in VariantStatus)}; got {sorted(unknown)}"
        )
    chrom = query(request, "chrom") or query(request, "chromosome")
    start = to_int(query(request, "start_on_chrom"), "start_on_chrom")
    end = to_int(query(request, "end_on_chrom"), "end_on_chrom")
    want = canonical_chrom(chrom) if chrom else None
    svs = [
        sv
        for sv in services.interpretation.structural(actor, str(report_id))
        if (not statuses or render.SV_STATUS in statuses)
        and (want is None or sv.chrom == want)
        and (start is None or sv.end >= start)
        and (end is None or sv.pos <= end)
    ]
    svs = page(request, svs)
    fmt = (query(request, "format") or "JSON").upper()
    if fmt == "VCF":
        return Response(
            _sv_vcf(svs),
            media_type="text/plain",
            headers={
                "Content-Disposition": f"attachment; filename=report_{report_id}_structural_variants.vcf"
            },
        )
    if fmt != "JSON":
        raise Invalid(f"format must be JSON or VCF; got {fmt!r}")
    return objects([render.structural_variant(report_id, sv) for sv in svs])


def _sv_vcf(svs: list[StructuralVariant]) -> str:
    out = [SV_VCF_HEADER.format(date=datetime.now(UTC).strftime("%Y%m%d"), build="GRCh37")]
    for sv in svs:
        info = f"END={sv.end};SVTYPE={sv.svtype}" + ("" if sv.svlen is None else f";SVLEN={sv.svlen}")
        qual = "." if sv.qual is None else f"{sv.qual:g}"
        flt = ";".join(sv.filters) or "."
        cols = (
            render.chrom_name(sv.chrom),
            sv.pos,
            sv.rsid or ".",
            sv.ref,
            sv.alt,
            qual,
            flt,
            info,
            "GT",
            sv.gt or "./.",
        )
        out.append("\t".join(str(c) for c in cols) + "\n")
    return "".join(out)


@route(
    router,
    ["GET"],
    "/reports/{report_id}/selectable_variants",
    od.op(
        "E26 Download the candidate variants (VCF or JSON)",
        {**od.VCF, **od.objects(S.ReportVariant)},
        query=(od.formats("VCF", "JSON", default="VCF"), *od.PAGE),
        headers=od.ATTACHMENT,
    ),
)
def selectable_download(
    request: Request,
    report_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> Response:
    """E26: every candidate of the case analysis, as a VCF file (``format=vcf``, the default) or JSON;
    ``limit``/``offset``."""
    variants = page(request, services.interpretation.variants(actor, str(report_id)))
    fmt = (query(request, "format") or "VCF").upper()
    if fmt == "JSON":
        return objects([render.report_variant(v) for v in variants])
    if fmt != "VCF":
        raise Invalid(f"format must be VCF or JSON; got {fmt!r}")
    return Response(
        _vcf(report_id, variants),
        media_type="text/plain",
        headers={"Content-Disposition": f"attachment; filename=report_{report_id}_selectable_variants.vcf"},
    )


@route(
    router,
    ["POST"],
    "/reports/{report_id}/selectable_variants",
    od.op(
        "E27 Candidate variants matching targets", od.objects(S.ReportVariant), body=od.json_body(B.Targets)
    ),
)
async def selectable_by_targets(
    request: Request,
    report_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    """E27: a JSON list of targets (``chromosome``, ``start_on_chrom``, ``end_on_chrom``, ``ref``, ``alt``,
    ``gene_symbol``, ``inheritance_mode``) → the candidates matching any of them; no body → all."""
    doc = await json_doc(request)
    variants = await run_in_threadpool(services.interpretation.variants, actor, str(report_id))
    if doc is not None:
        variants = match_targets(variants, _targets(doc))
    return objects([render.report_variant(v) for v in variants])


def _targets(doc: Any) -> list[dict[str, Any]]:
    items = [doc] if isinstance(doc, dict) else doc
    if not isinstance(items, list) or not all(isinstance(t, dict) for t in items):
        raise Invalid("the request body must be a JSON list of target variants")
    return [
        {
            **{k: clean_text(t.get(k)) or None for k in TARGET_TEXT},
            "start_on_chrom": to_int(t.get("start_on_chrom"), "start_on_chrom"),
            "end_on_chrom": to_int(t.get("end_on_chrom"), "end_on_chrom"),
        }
        for t in items
    ]


@route(
    router,
    ["PATCH", "PUT"],
    "/reports/{report_id}/variants/{variant_id}",
    od.op("E22 Update a report variant", od.json_of(S.ReportVariant), body=od.patch_body(B.VariantPatch)),
)
async def variant_patch(
    request: Request,
    report_id: CatalogId,
    variant_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    """E22: JSON Patch ``replace`` of status, to_report, classification, criteria, interpretation or
    internal_notes; ``[]`` changes nothing and answers the variant."""
    change = await json_patch(request, PATCHABLE)
    if change:
        command = SetReportVariant.from_fields(str(report_id), variant_id, change)
        rv = await run_in_threadpool(services.interpretation.set_report_variant, actor, command)
    else:
        rv = await run_in_threadpool(_one, services, actor, report_id, variant_id)
    return JSON(render.report_variant(rv))


def _one(services: Services, actor: Actor, report_id: int, variant_id: int) -> ReportVariant:
    for v in services.interpretation.variants(actor, str(report_id), include_inactive=True):
        if v.id == variant_id:
            return v
    raise NotFound(f"report variant {variant_id} not found in report {report_id}")


@route(
    router,
    ["GET"],
    "/reports/{report_id}/variants/{variant_id}",
    od.op("A report variant", od.json_of(S.ReportVariant)),
)
def variant_get(
    report_id: CatalogId,
    variant_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    return JSON(render.report_variant(_one(services, actor, report_id, variant_id)))


@route(
    router,
    ["POST"],
    "/reports/{report_id}/variants/{variant_id}/internal_notes",
    od.op("E23 Add an internal note", od.json_of(S.VariantNote), body=od.json_body(B.NoteBody)),
)
async def variant_note(
    request: Request,
    report_id: CatalogId,
    variant_id: CatalogId,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    """E23: ``{"note": …}`` appended to the variant's internal notes."""
    body = await json_object(request)
    note = str(body.get("note") or "")
    rv = await run_in_threadpool(services.interpretation.add_note, actor, str(report_id), variant_id, note)
    return JSON(
        {
            "note": note.strip(),
            "report_variant_id": rv.id,
            "report_id": report_id,
            "internal_notes": rv.internal_notes,
            "created_on": stamp(request, rv.modified_at),
            "created_by": actor.user_id,
        }
    )
