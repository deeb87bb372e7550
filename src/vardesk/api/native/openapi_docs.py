"""OpenAPI declarations of the native routes: query parameters, request bodies, result envelopes.

The routes read query parameters from ``request.query_params`` and bodies raw (any Content-Type, empty
bodies allowed, as OpenCGA clients send them), so FastAPI cannot see either. Each route's decorator passes
``openapi_extra=op(...)``, which only adds to the generated document; the wire behaviour is unchanged.
:func:`install` adds the models to ``components.schemas``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, create_model
from pydantic.json_schema import models_json_schema

from vardesk.api.native import results, schemas
from vardesk.api.native.envelope import DEFAULT_LIMIT, MAX_LIMIT, MAX_SKIP

REF = "#/components/schemas/{model}"
_ENVELOPES: dict[str, type[BaseModel]] = {}
SECURITY = [{"bearer": []}, {"basic": []}, {"sid": []}]
SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "the token from users/login"},
    "basic": {"type": "http", "scheme": "basic", "description": "an API key's login and password"},
    "sid": {"type": "apiKey", "in": "query", "name": "sid", "description": "OpenCGA's token parameter"},
}


def q(
    name: str,
    description: str,
    type_: str = "string",
    *,
    default: Any = None,
    required: bool = False,
    enum: list[str] | None = None,
    **schema: Any,
) -> dict[str, Any]:
    """A query parameter."""
    s: dict[str, Any] = {"type": type_, **schema}
    if default is not None:
        s["default"] = default
    if enum:
        s["enum"] = enum
    return {"name": name, "in": "query", "required": required, "description": description, "schema": s}


def limit(default: int = DEFAULT_LIMIT, note: str = "") -> dict[str, Any]:
    return q(
        "limit", f"maximum number of results{note}", "integer", default=default, minimum=0, maximum=MAX_LIMIT
    )


INCLUDE = q("include", "comma-separated field paths to keep in each result (e.g. id,name,studies.id)")
EXCLUDE = q("exclude", "comma-separated field paths to drop from each result")
SKIP = q("skip", "number of results to skip", "integer", default=0, minimum=0, maximum=MAX_SKIP)
COUNT = q("count", "return the total number of matches in numMatches (else -1)", "boolean", default=False)
SILENT = q(
    "silent", "report ids not found as WARNING events instead of ERROR (no 400)", "boolean", default=False
)
INCLUDE_RESULT = q("includeResult", "return the created or updated object", "boolean", default=False)
STUDY = q("study", "the study: [[organization@]project:]study", required=True)
STUDY_OPTIONAL = q("study", "the study ([[organization@]project:]study), to resolve the case id in")
PROJECT = q("project", "the project: [organization@]project", required=True)
ID = q("id", "comma-separated ids")
FORMAT_EXCHANGE = q("format", "file format", default="phenopacket", enum=["phenopacket", "ped"])
FORMAT_TABLE = q("format", "file format", default="vcf", enum=["vcf", "csv", "json"])

PAGE = [INCLUDE, EXCLUDE, limit(), SKIP, COUNT]
INFO = [INCLUDE, EXCLUDE, SILENT]
WRITE = [INCLUDE, EXCLUDE, INCLUDE_RESULT]

VARIANT_FILTERS = [
    STUDY,
    q("region", "comma-separated regions: chrom, chrom:start-end or chrom:pos"),
    q("id", "comma-separated variant ids chrom:pos:ref:alt"),
    q("gene", "comma-separated gene symbols"),
    q("xref", "gene symbols, when gene is not given"),
    q("ct", "comma-separated SO consequence terms, or loss_of_function, protein_altering"),
    q(
        "populationFrequencyAlt",
        "maximum gnomAD allele frequency: STUDY:POPULATION<number[,…]; a variant of unknown frequency stays",
    ),
    q(
        "functionalScore",
        "cadd_scaled or spliceai with < <= > >= and a number (cadd_scaled>20); , is OR, ; is AND; "
        "a variant without the score does not match",
    ),
    q(
        "proteinSubstitution",
        "revel or alphamissense with < <= > >= and a number (revel>0.5); , is OR, ; is AND; "
        "a variant without the score does not match",
    ),
    q("clinicalSignificance", "comma-separated ClinVar significances"),
    q("filter", "PASS keeps variants that passed every VCF filter"),
    q("qual", "minimum QUAL, as >30 or >=30"),
    q("genotype", "sample:gt[,gt][;sample:gt…] with gt 0/0, 0/1, 1/1, ./., 1, HOM_REF, HET, HOM_ALT, MISS"),
    q("sample", "comma-separated samples carrying the variant, or sample:gt[,gt] as in genotype"),
    q("includeSample", "samples whose genotypes are returned: comma-separated, all or none"),
    q("clinicalAnalysis", "a case of the study: query its members' genomes (shown by default)"),
    q(
        "familySegregation",
        "with clinicalAnalysis, comma-separated inheritance modes the variant must fit, as in the case "
        "analysis: DE_NOVO, AUTOSOMAL_DOMINANT, AUTOSOMAL_RECESSIVE, COMPOUND_HETEROZYGOUS, "
        "X_LINKED_RECESSIVE, X_LINKED_DE_NOVO",
    ),
    INCLUDE,
    EXCLUDE,
    SKIP,
    COUNT,
]

CASE_SEARCH = [
    STUDY_OPTIONAL,
    q("id", "case id"),
    q("status", "review status"),
    q("caseType", "case type, e.g. trio"),
    *PAGE,
]
CASE_IMPORT = [
    STUDY,
    FORMAT_EXCHANGE,
    q("id", "case id (default from the file)"),
    q("proband", "the proband's id in a PED file"),
    *WRITE,
]
RANKING = [
    STUDY_OPTIONAL,
    q("run", "analysis run number (default the latest)", "integer", minimum=1),
    limit(note=" (ranked genes; 0: 100)"),
]


_UPLOAD_TEXT = {
    "study": "the study: [[organization@]project:]study (required, form field or query)",
    "name": "file name (default the uploaded file's name)",
    "fileName": "same as name",
    "relativeFilePath": "folder in the study, e.g. data/",
    "description": "free text",
    "checksum": "expected MD5 (32 hex digits) or SHA-256 (64); a mismatch is refused",
    "md5": "same as checksum",
    "assembly": "expected genome build, e.g. GRCh38; a VCF of another build is refused",
    "sampleNames": "the sample id each sample of the file gets in the study, e.g. HG002=HG002-rerun,"
    "HG003=HG003-rerun (a sample id the study already has is otherwise refused)",
    "renameSamples": "true: a sample id the study already has gets a numbered copy (HG002_2) instead of "
    "refusing the file",
}
UPLOAD_FIELDS = [q(k, f"{v} (also a form field)") for k, v in _UPLOAD_TEXT.items()]
UPLOAD_BODY = {
    "multipart/form-data": {
        "schema": {
            "type": "object",
            "required": ["file"],
            "properties": {
                "file": {"type": "string", "format": "binary", "description": "the VCF (.vcf or .vcf.gz)"},
                **{k: {"type": "string", "description": v} for k, v in _UPLOAD_TEXT.items()},
            },
        }
    }
}
IMPORT_BODY = {
    "application/json": {
        "schema": {"type": "object", "description": "a GA4GH Phenopacket or Family (format=phenopacket)"}
    },
    "text/plain": {"schema": {"type": "string", "description": "a PED file (format=ped); UTF-8"}},
}
CONFIRMATION_BODY = {
    "text/plain": {
        "schema": {
            "type": "string",
            "description": "the VCF from variants/export with FILTER CONFIRMED or FAIL per variant",
        }
    }
}


def envelope(result: str) -> type[BaseModel]:
    """The RestResponse model whose results are ``result`` objects (a name in ``results.RESULTS``)."""
    if result not in _ENVELOPES:
        item = results.RESULTS[result]
        name = "Text" if item is str else result
        res = create_model(f"{name}Result", __base__=results.OpenCGAResult[item])  # type: ignore[name-defined]
        _ENVELOPES[result] = create_model(
            f"{name}Response",
            __base__=results.RestResponse[item],  # type: ignore[name-defined]
            responses=(list[res], ...),  # type: ignore[valid-type]
        )
    return _ENVELOPES[result]


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def op(
    query: list[dict[str, Any]] | tuple[dict[str, Any], ...] = (),
    *,
    body: type[BaseModel] | None = None,
    body_required: bool = False,
    content: dict[str, Any] | None = None,
    result: str | None = None,
    binary: str | None = None,
    media_type: str = "application/octet-stream",
    auth: bool = True,
) -> dict[str, Any]:
    """``openapi_extra`` of one operation. ``body`` is a JSON body model (read whatever the
    Content-Type says, an empty body meaning ``{}``); ``content`` a non-JSON body; ``binary`` the
    description of a file download answered instead of a JSON envelope, as ``media_type``."""
    extra: dict[str, Any] = {}
    if query:
        extra["parameters"] = list(query)
    if body is not None:
        extra["requestBody"] = {
            "required": body_required,
            "description": "a JSON object, whatever the Content-Type says; an empty body is {}",
            "content": {"application/json": {"schema": _ref(body)}},
        }
    elif content is not None:
        extra["requestBody"] = {"required": True, "content": content}
    if result is not None:
        extra["responses"] = {
            "200": {
                "description": f"RestResponse; the {result} objects are in responses[0].results",
                "content": {"application/json": {"schema": _ref(envelope(result))}},
            }
        }
    elif binary is not None:
        extra["responses"] = {
            "200": {
                "description": binary,
                "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    extra.setdefault("responses", {})["default"] = {
        "description": "an error: the envelope with an ERROR event naming the problem (400, 401, 403, 404…)",
        "content": {"application/json": {"schema": _ref(envelope("str"))}},
    }
    if auth:
        extra["security"] = SECURITY
    return extra


PRESENT = "x-present-unless-projected"
_PROJECTED = (
    "Every field named in x-present-unless-projected is in each object unless the request's include or "
    "exclude leaves it out."
)


def _defs(models: list[type[BaseModel]]) -> dict[str, Any]:
    _, defs = models_json_schema([(m, "validation") for m in models], ref_template=REF)
    return defs.get("$defs", {})


def components() -> dict[str, Any]:
    """The JSON schemas of every body, result and envelope model, by name.

    include/exclude may drop any field of a result object, nested ones too, so a result model (and every
    model inside one) names its fields under ``x-present-unless-projected`` rather than ``required``.
    """
    defs = _defs([*schemas.BODIES, *(envelope(name) for name in results.RESULTS)])
    items = [m for m in results.RESULTS.values() if isinstance(m, type) and issubclass(m, BaseModel)]
    in_bodies = set(_defs(list(schemas.BODIES)))
    for name in set(_defs(items)) - in_bodies:
        model = defs[name]
        if "required" in model:
            model[PRESENT] = model.pop("required")
            model["description"] = " ".join(filter(None, (model.get("description"), _PROJECTED)))
    return defs


def _drop_empty_json(schema: dict[str, Any]) -> None:
    """A download answers its file's media type only: drop FastAPI's empty JSON alternative."""
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            content = operation.get("responses", {}).get("200", {}).get("content", {})
            if len(content) > 1 and content.get("application/json") == {"schema": {}}:
                del content["application/json"]


def install(app: FastAPI) -> None:
    """Complete ``app``'s OpenAPI document with the models the native operations refer to."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            comps = schema.setdefault("components", {})
            comps.setdefault("schemas", {}).update(components())
            comps["securitySchemes"] = SECURITY_SCHEMES
            _drop_empty_json(schema)
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
