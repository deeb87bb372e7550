"""OpenAPI declarations of the Fabric routes: query parameters, request bodies, responses and errors.

The routes read ``request.query_params`` and raw bodies decoded by endpoint (contract §1.4), so FastAPI
sees neither. Each route passes ``doc=op(...)``: its summary, its responses (``responses=``, so FastAPI adds
no validation error the face never answers) and ``openapi_extra`` (query parameters, request body), which
only add to the generated document; the wire behaviour is unchanged. :func:`install` adds the models to
``components.schemas``. Only the path form a route is declared with is in the document; the other slash
form is served too (§1.3).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.responses import Response

from vardesk.api.fabric import bodies, schemas
from vardesk.domain.cases import ToReport, VariantStatus

TAG = "Fabric"
TAG_DOC = {
    "name": TAG,
    "description": "The Fabric Genomics-compatible API (FE2 and the FE3 case containers) that the public "
    "omicia_api_examples scripts call; HTTP Basic with an API key. Every path is also served with the "
    "other trailing-slash form, never redirecting; bodies are decoded by endpoint whatever the "
    "Content-Type says. Reference: docs/fabric.md.",
}
REF = "#/components/schemas/{model}"
SECURITY = [{"basic": []}]
BASIC = {"type": "http", "scheme": "basic", "description": "an API key's login and password"}
ERRORS = {
    "400": "malformed request: bad JSON, a bad integer or enum value, a missing key",
    "401": "missing or wrong credentials",
    "403": "a valid identity without the permission",
    "404": "no such entity (another workspace's entities are missing too)",
    "422": "refused by the rules (an approved report, a PDF in the wrong state, an invalid status …)",
}
AUTH_ERRORS = ("400", "401", "403", "404", "422")
BINARY = {"type": "string", "format": "binary"}
ATTACHMENT = {
    "Content-Disposition": {
        "description": "attachment; filename=<name> (no quotes, no spaces)",
        "schema": {"type": "string"},
    }
}


def ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def q(
    name: str,
    description: str,
    type_: str = "string",
    *,
    enum: list[str] | None = None,
    required: bool = False,
    **schema: Any,
) -> dict[str, Any]:
    """A query parameter; empty values mean "not given"."""
    s: dict[str, Any] = {"type": type_, **schema}
    if enum:
        s["enum"] = enum
    return {"name": name, "in": "query", "required": required, "description": description, "schema": s}


def q_list(name: str, description: str, values: list[str]) -> dict[str, Any]:
    """A repeatable filter (``status=A&status=B``; ``status=A,B`` works too)."""
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "style": "form",
        "explode": True,
        "schema": {"type": "array", "items": {"type": "string", "enum": values}},
    }


def formats(*names: str, default: str) -> dict[str, Any]:
    values = [*names, *(n.lower() for n in names)]
    return q("format", f"output format, case-insensitive (default {default})", enum=values)


LIMIT = q("limit", "maximum number of objects", "integer", minimum=0)
OFFSET = q("offset", "number of objects to skip", "integer", minimum=0)
PAGE = (LIMIT, OFFSET)
CHROM = q("chrom", "chromosome, with or without chr (1…22, X, Y, M)")
CHROMOSOME = q("chromosome", "same as chrom")
START = q("start_on_chrom", "variants ending at or after this 1-based position", "integer")
END = q("end_on_chrom", "variants starting at or before this 1-based position", "integer")
STATUS = q_list("status", "report-variant statuses (any of)", [s.value for s in VariantStatus])
TO_REPORT = q_list("to_report", "reporting decisions (any of)", [t.value for t in ToReport])
EXTENDED = q("extended", "add the report's variants and patient fields", "boolean")


# -- responses ------------------------------------------------------------------------------------------
def json_of(schema: dict[str, Any] | type[BaseModel]) -> dict[str, Any]:
    return {"application/json": {"schema": schema if isinstance(schema, dict) else ref(schema)}}


def objects(model: type[BaseModel]) -> dict[str, Any]:
    """``{"objects": [model…]}``."""
    return json_of(
        {
            "type": "object",
            "required": ["objects"],
            "properties": {"objects": {"type": "array", "items": ref(model)}},
        }
    )


def array(model: type[BaseModel]) -> dict[str, Any]:
    return json_of({"type": "array", "items": ref(model)})


PAIRS = json_of(
    {
        "type": "array",
        "description": 'one-pair objects: [{"First Name": "Jane"}, …]',
        "items": {"type": "object", "minProperties": 1, "maxProperties": 1},
    }
)
PDF = {"application/pdf": {"schema": BINARY}}
VCF = {"text/plain": {"schema": {"type": "string", "description": "a VCF (format=VCF)"}}}
CSV = {"text/csv": {"schema": {"type": "string", "description": "CSV with a header line (format=CSV)"}}}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": json_of(schemas.FabricError)}


# -- request bodies -------------------------------------------------------------------------------------
def json_body(model: type[BaseModel], *, required: bool = False) -> dict[str, Any]:
    return {
        "required": required,
        "description": "JSON whatever the Content-Type says (scripts send none); an empty body is {}",
        "content": json_of(model),
    }


PATCH_BODY = "JSON Patch (the scripts send application/json-patch+json; any Content-Type is read)"


def patch_body(model: type[BaseModel]) -> dict[str, Any]:
    return {
        "required": False,
        "description": PATCH_BODY,
        "content": {"application/json-patch+json": {"schema": ref(model)}},
    }


def raw_body(description: str, media: str = "application/octet-stream") -> dict[str, Any]:
    schema = BINARY if media == "application/octet-stream" else {"type": "string"}
    return {"required": True, "description": description, "content": {media: {"schema": schema}}}


def op(
    summary: str,
    ok: dict[str, Any],
    *,
    query: tuple[dict[str, Any], ...] | list[dict[str, Any]] = (),
    body: dict[str, Any] | None = None,
    status: int = 200,
    ok_text: str = "",
    headers: dict[str, Any] | None = None,
    errors: tuple[str, ...] = AUTH_ERRORS,
    extra_errors: dict[str, str] | None = None,
    auth: bool = True,
) -> dict[str, Any]:
    """The documentation arguments of one Fabric route (for ``route(..., doc=…)``)."""
    success: dict[str, Any] = {"description": ok_text or summary, "content": ok}
    if headers:
        success["headers"] = headers
    responses: dict[int | str, dict[str, Any]] = {str(status): success}
    for code in errors:
        responses[code] = _error(ERRORS[code])
    for code, text in (extra_errors or {}).items():
        responses[code] = _error(text)
    responses["default"] = _error("another error (413 too large, 429 rate limited, 503 busy …)")
    extra: dict[str, Any] = {}
    if query:
        extra["parameters"] = list(query)
    if body is not None:
        extra["requestBody"] = body
    extra["security"] = SECURITY if auth else []
    doc = {"summary": summary, "responses": responses, "openapi_extra": extra, "tags": [TAG]}
    doc["status_code"] = status
    if "application/json" not in ok:  # a file: no JSON alternative in the document
        doc["response_class"] = Response
    return doc


# -- components -------------------------------------------------------------------------------------------
RESPONSES: tuple[type[BaseModel], ...] = tuple(
    m
    for m in vars(schemas).values()
    if isinstance(m, type)
    and issubclass(m, BaseModel)
    and m.__module__ == schemas.__name__
    and not m.__name__.startswith("_")
)


def components() -> dict[str, Any]:
    """The JSON schemas of every Fabric body and representation, by name."""
    models = [(m, "validation") for m in bodies.BODIES] + [(m, "serialization") for m in RESPONSES]
    _, defs = models_json_schema(models, ref_template=REF)  # type: ignore[arg-type]
    return defs.get("$defs", {})


def install(app: FastAPI) -> None:
    """Complete ``app``'s OpenAPI document with the Fabric models, the Basic scheme and the tag."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        tags = schema.setdefault("tags", [])
        if TAG_DOC in tags:  # completed already (the document is built once)
            return schema
        comps = schema.setdefault("components", {})
        known = comps.setdefault("schemas", {})
        for name, spec in components().items():
            if known.setdefault(name, spec) != spec:
                raise RuntimeError(f"the Fabric schema {name} would replace another face's")
        comps.setdefault("securitySchemes", {}).setdefault("basic", BASIC)
        tags.append(TAG_DOC)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


# -- the declarations the routes use ------------------------------------------------------------------------
BUSY = {"503": "the PDF or the analysis is not ready within the wait; retry after Retry-After seconds"}
TOO_LARGE = {"413": "the upload exceeds the server's maximum size"}
_REPORT_TYPES = ["panel", "somatic_panel", "panel_trio", "exome", "Solo", "Duo", "Trio", "Quad", "Quintet"]
REPORT_SEARCH = (
    q("accession_id", "substring of the accession id"),
    q("genome_id", "reports with this genome as any member", "integer"),
    q("external_id", "substring of a member genome's external id"),
    q("genome_name", "substring of a member genome's label"),
    q("report_status", "exact status, e.g. READY TO REVIEW"),
    q(
        "report_type",
        "report type, case-insensitive",
        enum=_REPORT_TYPES + [t.lower() for t in _REPORT_TYPES[4:]],
    ),
    q("order_by", "sort key (run_date: newest first)", enum=["run_date", "report_type", "report_status"]),
    *PAGE,
)
REPORT_OR_EXTENDED = json_of(
    {
        "anyOf": [ref(schemas.ClinicalReport), ref(schemas.ExtendedReport)],
        "description": "extended=True: the extended form",
    }
)
VARIANT_FILTERS = (
    STATUS,
    TO_REPORT,
    CHROM,
    CHROMOSOME,
    START,
    END,
    q("alt", "alternate allele, case-insensitive"),
    formats("JSON", "VCF", "CSV", default="JSON"),
    *PAGE,
)
SV_FILTERS = (STATUS, CHROM, CHROMOSOME, START, END, formats("JSON", "VCF", default="JSON"), *PAGE)
SCORED = (
    q_list(
        "scoring_status",
        "scoring statuses (any of), case-insensitive",
        ["scored", "scoring", "classified", "unscored"],
    ),
    q("audit_log", "add each variant's scoring audit log", "boolean"),
    *PAGE,
)
VCF_FORMAT = q("format", "compression hint only: the bytes are sniffed", enum=["vcf", "vcf.gz", "vcf.bz2"])
CONFIRMATION = raw_body(
    "the report's variants as a VCF (plain, gzip or bzip2) with FILTER CONFIRMED or FAIL per externally "
    "checked variant; scripts send no Content-Type"
)
UPLOAD = (
    q("genome_label", "the genome's label (default genome)"),
    q("genome_sex", "case-insensitive (default unspecified)", enum=["male", "female", "unspecified"]),
    q(
        "assembly_version",
        "FE2 genomes are GRCh37; case-insensitive (default hg19)",
        enum=["hg19", "GRCh37", "b37"],
    ),
    q("external_id", "free text, not unique; blank = none"),
    VCF_FORMAT,
    q("checksum", "hex MD5 of the body; a mismatch is refused"),
    q("bam_file", "a link to the BAM, stored and echoed"),
)
VCF_UPLOAD = raw_body(
    "the VCF itself (plain, gzip or bzip2, told apart by its bytes); scripts send no Content-Type"
)
PROJECT_FORM = {
    "required": False,
    "description": "a form as create_project.py posts it; a JSON object is read too",
    "content": {
        "application/x-www-form-urlencoded": {"schema": ref(bodies.ProjectForm)},
        "application/json": {"schema": ref(bodies.ProjectForm)},
    },
}
PANEL_SEARCH = (
    q("name", "case-insensitive substring"),
    q("description", "case-insensitive substring"),
    q("test_code", "exact"),
    *PAGE,
)
CONDITION_SEARCH = (q("gene_symbol", "exact, case-insensitive"), q("cui", "exact, case-insensitive"), *PAGE)
JOB_SEARCH = (q("uuid", "the job's uuid"), q("accession_id", "the job's accession id"), *PAGE)
EXPORT = {**json_of(schemas.AnalysisExport), **VCF, **CSV}
VARIANT_REPORT = (
    q("offset", "number of variants to skip", "integer"),
    q("limit", "maximum number of variants (default 100)", "integer"),
    q("location", "a 1-based inclusive interval: chr1:1635004-1635004"),
)
BED_OR_POSITIONS = {
    "required": True,
    "description": "a BED file as the raw body (scripts label it application/x-www-form-urlencoded), or a "
    "JSON list of positions",
    "content": {
        "text/plain": {"schema": {"type": "string", "description": "BED: chrom<TAB>start<TAB>end, 0-based"}},
        "application/json": {"schema": ref(bodies.Positions)},
    },
}
_TEXT = {"type": "string"}
MEMBER_UPLOAD = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["genome_file"],
                "properties": {
                    "genome_file": {**BINARY, "description": "the VCF (.vcf or .vcf.gz)"},
                    "genome_name": {**_TEXT, "description": "the genome's label (default the file name)"},
                    "assembly_version": {**_TEXT, "description": "b38 or b37 (default the case's)"},
                    "checksum": {**_TEXT, "description": "MD5 or SHA-256 of the file; a mismatch is refused"},
                    "sequencing_platform": {**_TEXT, "description": "e.g. ONT (default the case's)"},
                },
            }
        }
    },
}
TOKEN = q("token", "the signature from F5", required=True)
DOWNLOAD = op(
    "The final PDF by a signed URL (F5)",
    PDF,
    query=(TOKEN,),
    headers=ATTACHMENT,
    errors=("400", "403", "404", "422"),
    auth=False,
    extra_errors=BUSY,
)
