"""The OpenCGA RestResponse / OpenCGAResult envelope, query options and include/exclude."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from vardesk import __version__
from vardesk.api.http.responses import JSON
from vardesk.domain.errors import Invalid, VardeskError, error_text
from vardesk.domain.ids import shown

DEFAULT_LIMIT = 10
MAX_LIMIT = 5000
MAX_SKIP = 2**31 - 1  # OpenCGA's skip is a Java int; the variant store's OFFSET holds 64 bits
OPTION_NAMES = frozenset(
    {
        "include",
        "exclude",
        "limit",
        "skip",
        "count",
        "sort",
        "order",
        "includeResult",
        "silent",
        "sid",
        "flattenAnnotations",
        "lazy",
        "timeout",
        "facet",
    }
)
FEDERATION_NODE = {"id": "primary", "uri": "", "commit": "", "version": f"vardesk-{__version__}"}
_EXC_PREFIX = "org.vardesk."
__all__ = ["JSON", "Options", "apply_include_exclude", "envelope", "error_event", "parse_bool", "result"]


def parse_bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    s = str(value).strip().lower()
    if s in ("true", "1", "yes"):
        return True
    if s in ("false", "0", "no", ""):
        return False
    raise Invalid(f"{name} must be true or false; got {value!r}")


@dataclass
class Options:
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    limit: int = DEFAULT_LIMIT
    skip: int = 0
    count: bool = False
    include_result: bool = False
    silent: bool = False
    filters: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_request(cls, request: Request, default_limit: int = DEFAULT_LIMIT) -> Options:
        q = request.query_params
        opts = cls(limit=default_limit)
        if q.get("include"):
            opts.include = [p.strip() for p in q["include"].split(",") if p.strip()]
        if q.get("exclude"):
            opts.exclude = [p.strip() for p in q["exclude"].split(",") if p.strip()]
        if q.get("limit") not in (None, ""):
            try:
                opts.limit = int(q["limit"])
            except ValueError:
                raise Invalid(f"limit must be an integer; got {q['limit']!r}") from None
            if opts.limit < 0 or opts.limit > MAX_LIMIT:
                raise Invalid(f"limit must be between 0 and {MAX_LIMIT}; got {opts.limit}")
        if q.get("skip") not in (None, ""):
            try:
                opts.skip = max(int(q["skip"]), 0)
            except ValueError:
                raise Invalid(f"skip must be an integer; got {q['skip']!r}") from None
            if opts.skip > MAX_SKIP:
                raise Invalid(f"skip must be between 0 and {MAX_SKIP}; got {shown(q['skip'])}")
        opts.count = parse_bool(q.get("count", "false"), "count")
        opts.include_result = parse_bool(q.get("includeResult", "false"), "includeResult")
        opts.silent = parse_bool(q.get("silent", "false"), "silent")
        opts.filters = {k: v for k, v in q.items() if k not in OPTION_NAMES and k not in ("study", "project")}
        return opts


def _project_paths(obj: Any, paths: list[list[str]], keep: bool) -> Any:
    """Keep (include) or drop (exclude) whole JSON paths; lists are traversed transparently."""
    if isinstance(obj, list):
        return [_project_paths(o, paths, keep) for o in obj]
    if not isinstance(obj, dict):
        return obj
    heads: dict[str, list[list[str]]] = {}
    for p in paths:
        heads.setdefault(p[0], []).append(p[1:])
    out: dict[str, Any] = {}
    for key, value in obj.items():
        rests = heads.get(key)
        if keep:
            if rests is None:
                continue
            out[key] = (
                value if any(not r for r in rests) else _project_paths(value, [r for r in rests if r], True)
            )
        else:
            if rests is None:
                out[key] = value
            elif any(not r for r in rests):
                continue
            else:
                out[key] = _project_paths(value, [r for r in rests if r], False)
    return out


def apply_include_exclude(results: list[Any], opts: Options) -> list[Any]:
    if opts.include:
        results = [_project_paths(r, [p.split(".") for p in opts.include], True) for r in results]
    if opts.exclude:
        results = [_project_paths(r, [p.split(".") for p in opts.exclude], False) for r in results]
    return results


def error_event(exc: VardeskError | Exception, entry_id: str | None = None) -> dict[str, Any]:
    name = type(exc).__name__
    message = error_text(exc) if isinstance(exc, VardeskError) else str(exc)
    ev = {
        "type": "ERROR",
        "code": 0,
        "id": _EXC_PREFIX + name,
        "name": name,
        "message": message,
        "description": message,
    }
    if entry_id is not None:
        ev["id"] = entry_id
    return ev


def result(
    results: list[Any],
    *,
    num_matches: int = -1,
    events: list[dict] | None = None,
    result_type: str | None = None,
    inserted: int = 0,
    updated: int = 0,
    deleted: int = 0,
    errors: int = 0,
    attributes: dict | None = None,
    elapsed_ms: int = 0,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "time": elapsed_ms,
        "events": events or [],
        "numResults": len(results),
        "results": results,
        "numTotalResults": num_matches,
        "numMatches": num_matches,
        "numInserted": inserted,
        "numUpdated": updated,
        "numDeleted": deleted,
        "numErrors": errors,
        "attributes": attributes or {},
        "federationNode": FEDERATION_NODE,
    }
    if result_type:
        doc["resultType"] = result_type
    return doc


def echo_params(request: Request) -> dict[str, str]:
    params = {k: v for k, v in request.query_params.items() if k != "sid"}
    for k, v in request.path_params.items():
        if k != "apiVersion":
            params[k] = str(v)
    return params


def envelope(
    request: Request,
    responses: list[dict[str, Any]],
    *,
    events: list[dict] | None = None,
    status: int | None = None,
) -> JSON:
    """Wrap results. An ERROR event turns a success into 400, as in OpenCGA, except that a permission
    problem is 403 and never 401 (a client that logs in again on 401 must not loop on it)."""
    started = getattr(request.state, "started", None)
    elapsed = int((time.perf_counter() - started) * 1000) if started else 0
    body = {
        "apiVersion": request.path_params.get("apiVersion", "v2"),
        "time": elapsed,
        "events": events or [],
        "params": echo_params(request),
        "type": "QUERY",
        "responses": responses,
    }
    if status is None:
        status = 200
        all_events = list(events or []) + [e for r in responses for e in r.get("events", [])]
        errors = [e for e in all_events if e.get("type") == "ERROR"]
        if errors:
            names = {e.get("name") for e in errors}
            status = 401 if "Unauthenticated" in names else 403 if "Forbidden" in names else 400
    return JSON(body, status_code=status)
