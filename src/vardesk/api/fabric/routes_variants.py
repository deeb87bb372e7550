"""Fabric report variants (contract §5.6, §7): list / export (JSON, VCF, CSV), the confirmation VCF
round trip, JSON Patch updates and internal notes."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from vardesk.api.deps import get_services, require_actor
from vardesk.api.fabric import render
from vardesk.api.fabric.common import (
    JSON,
    json_object,
    json_patch,
    objects,
    page,
    query,
    query_list,
    route,
    stamp,
    to_int,
)
from vardesk.cases.confirmation import confirmation_rows
from vardesk.cases.interpretation import select_variants
from vardesk.domain.access import Actor
from vardesk.domain.cases import ReportVariant, VariantStatus
from vardesk.domain.errors import Invalid, NotFound
from vardesk.services.container import Services

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


@route(router, ["GET"], "/reports/{report_id}/variants")
def variants_list(
    request: Request,
    report_id: int,
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


@route(router, ["PUT"], "/reports/{report_id}/variants")
async def variants_confirm(
    request: Request,
    report_id: int,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    """E21: a VCF (plain, gzip or bzip2) whose FILTER is CONFIRMED or FAIL per externally checked variant."""
    raw = await request.body()
    if not raw.strip():
        raise Invalid("the request body must be the confirmation VCF")
    rows = await run_in_threadpool(confirmation_rows, raw)
    outcome = await run_in_threadpool(services.interpretation.apply_confirmation, actor, str(report_id), rows)
    confirmed = {(c, p, r, a) for c, p, r, a, f in rows if f.upper() in ("CONFIRMED", "FAIL")}
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


@route(router, ["PATCH", "PUT"], "/reports/{report_id}/variants/{variant_id}")
async def variant_patch(
    request: Request,
    report_id: int,
    variant_id: int,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    """E22: JSON Patch ``replace`` of status, to_report, classification, criteria, interpretation or
    internal_notes; ``[]`` changes nothing and answers the variant."""
    change = await json_patch(request, PATCHABLE)
    if change:
        rv = await run_in_threadpool(
            services.interpretation.update_variant, actor, str(report_id), variant_id, change
        )
    else:
        rv = await run_in_threadpool(_one, services, actor, report_id, variant_id)
    return JSON(render.report_variant(rv))


def _one(services: Services, actor: Actor, report_id: int, variant_id: int) -> ReportVariant:
    for v in services.interpretation.variants(actor, str(report_id), include_inactive=True):
        if v.id == variant_id:
            return v
    raise NotFound(f"report variant {variant_id} not found in report {report_id}")


@route(router, ["GET"], "/reports/{report_id}/variants/{variant_id}")
def variant_get(
    report_id: int,
    variant_id: int,
    actor: Actor = Depends(require_actor),
    services: Services = Depends(get_services),
) -> JSON:
    return JSON(render.report_variant(_one(services, actor, report_id, variant_id)))


@route(router, ["POST"], "/reports/{report_id}/variants/{variant_id}/internal_notes")
async def variant_note(
    request: Request,
    report_id: int,
    variant_id: int,
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
