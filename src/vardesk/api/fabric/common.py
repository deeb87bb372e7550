"""What every Fabric route shares: both path forms, body decoding by endpoint, the value coercions the
Fabric client scripts need (contract §1.3–1.7), timestamps and the ``{"description": …}`` errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from vardesk.api.http.deps import reject_nul_json
from vardesk.api.http.errors import status_for
from vardesk.api.http.responses import JSON
from vardesk.domain.errors import (
    Conflict,
    Invalid,
    NotFound,
    Unprocessable,
    VardeskError,
    error_text,
)


def route(router: APIRouter, methods: list[str], path: str) -> Callable[[Callable[..., Any]], Any]:
    """Register ``path`` and ``path + "/"`` (or the reverse) for ``methods``: Fabric scripts use both forms
    and ``requests`` turns a redirected POST into a GET, so there is never a redirect."""
    bare = path.rstrip("/")
    forms = [bare, bare + "/"] if bare else ["/"]

    def decorate(fn: Callable[..., Any]) -> Any:
        for form in forms:
            router.add_api_route(form, fn, methods=methods, include_in_schema=False)
        return fn

    return decorate


# -- errors ----------------------------------------------------------------------------------------
def fabric_status(exc: VardeskError) -> int:
    """§1.5: 400 malformed, 401/403 authentication, 404 missing, 422 refused by the rules — the shared
    mapping except that a missing entity is 404 and a conflict is refused by the rules (422)."""
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Conflict):
        return 422
    return status_for(exc)


def fabric_renderer(request: Request, exc: VardeskError, status: int) -> Response:
    resp = JSON({"description": error_text(exc)}, status_code=status)
    if status == 401:
        resp.headers["WWW-Authenticate"] = 'Basic realm="vardesk"'
    return resp


# -- bodies ----------------------------------------------------------------------------------------
async def json_doc(request: Request) -> Any:
    """The body as JSON whatever the Content-Type says (scripts send none, or form-urlencoded)."""
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Invalid(f"the request body is not valid JSON: {exc}") from None
    return reject_nul_json(doc)


async def json_object(request: Request) -> dict[str, Any]:
    doc = await json_doc(request)
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise Invalid("the request body must be a JSON object")
    return doc


async def json_patch(request: Request, allowed: tuple[str, ...]) -> dict[str, Any]:
    """An RFC 6902 list of ``replace`` operations on top-level paths → {field: value}; ``[]`` is no change."""
    doc = await json_doc(request)
    if doc is None:
        return {}
    if isinstance(doc, dict):
        doc = [doc]
    if not isinstance(doc, list):
        raise Invalid("the request body must be a JSON Patch list")
    out: dict[str, Any] = {}
    for op in doc:
        if not isinstance(op, dict) or str(op.get("op", "")).lower() != "replace":
            raise Unprocessable(f"only 'replace' operations are supported; got {op!r}")
        path = str(op.get("path") or "").strip("/")
        if path not in allowed:
            raise Unprocessable(f"path /{path} cannot be changed; use one of /{', /'.join(allowed)}")
        out[path] = op.get("value")
    return out


async def form_fields(request: Request) -> dict[str, str]:
    """An urlencoded form read from the raw body (a JSON object is accepted too)."""
    raw = (await request.body()).decode("utf-8", errors="replace")
    if raw.lstrip().startswith("{"):
        doc = await json_object(request)
        return {str(k): "" if v is None else str(v) for k, v in doc.items()}
    return dict(parse_qsl(raw, keep_blank_values=True))


# -- coercions (§1.7) --------------------------------------------------------------------------------
def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in ("", "null", "None"))


def to_int(value: Any, what: str) -> int | None:
    if blank(value):
        return None
    if isinstance(value, bool):
        raise Invalid(f"{what} must be an integer; got {value!r}")
    try:
        return int(str(value).strip())
    except ValueError:
        raise Invalid(f"{what} must be an integer; got {value!r}") from None


def to_bool(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("", "null", "none"):
        return None
    return text not in ("false", "0", "no", "f", "n")


def to_sex(value: Any) -> str:
    """m/f/u, male/female/unspecified, MALE/FEMALE/UNSPECIFIED → the core's MALE/FEMALE/UNKNOWN."""
    text = "" if blank(value) else str(value).strip().upper()
    return {"UNSPECIFIED": "UNKNOWN", "UNKNOWN": "UNKNOWN"}.get(text, text)


def to_hpo_ids(value: Any) -> list[str]:
    """A list, a JSON-encoded list, the string "null", a comma-separated string, or null."""
    if blank(value):
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError:
                raise Invalid(f"hpo_terms is not a valid JSON list: {text!r}") from None
        else:
            value = text.split(",")
    if not isinstance(value, list):
        raise Invalid("hpo_terms must be a list of HPO ids")
    return [str(v.get("id") if isinstance(v, dict) else v).strip() for v in value if not blank(v)]


def clean_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


# -- query strings -----------------------------------------------------------------------------------
def query(request: Request, key: str) -> str | None:
    """A query value; empty strings mean "not given"."""
    value = request.query_params.get(key)
    return value if value not in (None, "") else None


def query_list(request: Request, key: str) -> list[str]:
    """Repeated keys and comma-separated values (``status=A&status=B``, ``status=A,B``)."""
    out: list[str] = []
    for value in request.query_params.getlist(key):
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return out


def page(request: Request, items: list[Any]) -> list[Any]:
    offset = to_int(query(request, "offset"), "offset") or 0
    limit = to_int(query(request, "limit"), "limit")
    if offset < 0 or (limit is not None and limit < 0):
        raise Invalid("limit and offset must be positive integers")
    return items[offset : None if limit is None else offset + limit]


def objects(items: list[dict[str, Any]]) -> JSON:
    return JSON({"objects": items})


# -- time --------------------------------------------------------------------------------------------
def stamp(request: Request, value: datetime | None) -> str | None:
    """Naive ISO timestamps in the configured zone (Fabric documents "PST")."""
    if value is None:
        return None
    zone = ZoneInfo(request.app.state.services.settings.fabric_timezone)
    return value.astimezone(zone).replace(tzinfo=None).isoformat(timespec="seconds")
