"""OpenAPI declarations of the Emedgene routes: query parameters, request bodies, responses and errors.

The routes read ``request.query_params`` and raw bodies (contract §1.3), so FastAPI sees neither. Each route
passes ``doc=op(...)``: its summary, its responses (``responses=``, so FastAPI adds no validation error the
face never answers) and ``openapi_extra`` (query parameters, request body), which only add to the
generated document; the wire behaviour is unchanged. :func:`install` adds the models to
``components.schemas``. Only the path form a route is declared with is in the document; the other slash
form is served too.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from vardesk.api.emedgene import schemas

TAG = "Emedgene"
TAG_DOC = {
    "name": TAG,
    "description": "The Emedgene (Illumina)-compatible API that the Emedgene batch CLI and scripts call, "
    "documented at its prefixed mount; `vardesk serve --emedgene-port` serves the same operations at `/` "
    "of a port of its own. A bearer token from api_login (in Authorization or Emgauthorization) or "
    "HTTP Basic with an API key. Every path is also served with the other trailing-slash form, never "
    "redirecting; request bodies are JSON whatever the Content-Type says. Reference: docs/emedgene.md.",
}
REF = "#/components/schemas/{model}"
SECURITY = [{"bearer": []}, {"basic": []}]
ERRORS = {
    "400": "malformed request: bad JSON, a bad number or flag, a missing or wrong key",
    "401": "missing or wrong credentials",
    "403": "an expired token (log in again), or a valid identity without the permission",
    "404": "no such case or provider (another workspace's are missing too)",
    "409": "a conflict with what is stored (a sample already in the study …)",
    "422": "refused by the rules",
}
AUTH_ERRORS = ("400", "401", "403", "404", "422")


def ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def q(name: str, description: str, type_: str = "string", **schema: Any) -> dict[str, Any]:
    """A query parameter; an empty value means "not given"."""
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": type_, **schema},
    }


FROM = q("from", "number of hits to skip", "integer", minimum=0)


def paging(default: int) -> tuple[dict[str, Any], ...]:
    size = q("size", f"maximum number of hits (default {default}, at most 1000)", "integer", minimum=0)
    return FROM, size


def json_of(model: type[BaseModel] | dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": model if isinstance(model, dict) else ref(model)}}


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    return {
        "required": False,
        "description": "JSON whatever the Content-Type says; an empty body is {}",
        "content": json_of(model),
    }


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": json_of(schemas.EmedgeneError)}


def op(
    summary: str,
    ok: type[BaseModel] | dict[str, Any],
    *,
    query: tuple[dict[str, Any], ...] = (),
    body: dict[str, Any] | None = None,
    status: int = 200,
    also: dict[str, dict[str, Any]] | None = None,
    errors: tuple[str, ...] = AUTH_ERRORS,
    auth: bool = True,
) -> dict[str, Any]:
    """The documentation arguments of one Emedgene route (for ``route(..., doc=…)``); ``also``: another
    success status and its response."""
    responses: dict[int | str, dict[str, Any]] = {
        str(status): {"description": summary, "content": json_of(ok)}
    }
    responses.update(also or {})
    for code in errors:
        responses[code] = _error(ERRORS[code])
    responses["default"] = _error("another error (413 too large, 429 rate limited, 503 busy …)")
    extra: dict[str, Any] = {"security": SECURITY if auth else []}
    if query:
        extra["parameters"] = list(query)
    if body is not None:
        extra["requestBody"] = body
    return {
        "summary": summary,
        "responses": responses,
        "openapi_extra": extra,
        "tags": [TAG],
        "status_code": status,
    }


# -- components -------------------------------------------------------------------------------------------
MODELS: tuple[type[BaseModel], ...] = tuple(
    m
    for m in vars(schemas).values()
    if isinstance(m, type)
    and issubclass(m, BaseModel)
    and m.__module__ == schemas.__name__
    and not m.__name__.startswith("_")
)


def components() -> dict[str, Any]:
    """The JSON schemas of every Emedgene body and representation, by name."""
    models = [(m, "validation" if m in schemas.BODIES else "serialization") for m in MODELS]
    _, defs = models_json_schema(models, ref_template=REF)  # type: ignore[arg-type]
    found: dict[str, Any] = defs.get("$defs", {})
    return found


def install(app: FastAPI) -> None:
    """Complete ``app``'s OpenAPI document with the Emedgene models and the tag."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        tags = schema.setdefault("tags", [])
        if TAG_DOC in tags:  # completed already (the document is built once)
            return schema
        known = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, spec in components().items():
            if known.setdefault(name, spec) != spec:
                raise RuntimeError(f"the Emedgene schema {name} would replace another face's")
        tags.append(TAG_DOC)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


# -- the declarations the routes use ------------------------------------------------------------------------
PROJECTED = {
    "anyOf": [
        ref(schemas.EmedgeneCase),
        {
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"type": "string"}},
            "description": "test_fields given: only those fields of EmedgeneCase, and name",
        },
    ]
}
DRY_RUN = q("dry_run", "true: check the body and create nothing (answers 200 with valid)", "boolean")
CREATED = {
    "200": {
        "description": "dry_run=true: the body is valid; nothing was created",
        "content": json_of(schemas.EmedgeneDryRun),
    }
}
CREATE = {"query": (DRY_RUN,), "body": json_body(schemas.EmedgeneCaseBody), "status": 201, "also": CREATED}
LOGIN_ERRORS = ("400", "401")
TEST_FIELDS = {
    "name": "test_fields",
    "in": "query",
    "required": False,
    "description": "keep only these fields (and name); repeatable, or comma-separated",
    "style": "form",
    "explode": True,
    "schema": {"type": "array", "items": {"type": "string"}},
}
PATH = q("path", "the folder inside the provider (default its root)")
QUERY = q("query", "case-insensitive substring of the sample name (empty: every sample)")
EXACT = q("exact_match", "true: query is the whole name", "boolean")
PHENOTYPE_QUERY = q("query", "an HP: id or a part of the term's name")
LABELS = {
    "name": "labels",
    "in": "query",
    "required": False,
    "description": "only the cases carrying one of these label ids; repeatable, or comma-separated",
    "style": "form",
    "explode": True,
    "schema": {"type": "array", "items": {"type": "integer"}},
}
LABEL = {**LABELS, "name": "label", "description": "the same as labels"}
