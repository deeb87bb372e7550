"""Helpers shared by the native routes: search pagination and multi-id info results."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from starlette.requests import Request

from vardesk.api.native.envelope import JSON, Options, apply_include_exclude, envelope, error_event, result
from vardesk.domain.errors import VardeskError

T = TypeVar("T")


def search_response(request: Request, opts: Options, items: Sequence[T], render: Callable[[T], dict]) -> JSON:
    """Page ``items`` with skip/limit; numMatches is the total only when ``count=true`` (else -1)."""
    page = items[opts.skip : opts.skip + opts.limit] if opts.limit else []
    docs = apply_include_exclude([render(i) for i in page], opts)
    return envelope(request, [result(docs, num_matches=len(items) if opts.count else -1)])


def info_response(
    request: Request, opts: Options, found: list[tuple[str, T | VardeskError]], render: Callable[[T], dict]
) -> JSON:
    """One result holding every found entity in the order asked; a missing one is an ERROR event
    (or, with ``silent=true``, a WARNING) on that result."""
    docs: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for ref, item in found:
        if isinstance(item, VardeskError):
            ev = error_event(item, entry_id=ref)
            if opts.silent:
                ev["type"] = "WARNING"
            events.append(ev)
        else:
            docs.append(render(item))
    docs = apply_include_exclude(docs, opts)
    errors = sum(1 for e in events if e["type"] == "ERROR")
    return envelope(request, [result(docs, num_matches=len(docs), events=events, errors=errors)])


def warning_events(warnings: list[str]) -> list[dict[str, Any]]:
    """OpenCGA WARNING events (what was accepted but a client should know)."""
    return [{"type": "WARNING", "code": 0, "id": "", "name": "Warning", "message": w} for w in warnings]


def write_response(
    request: Request, opts: Options, doc: dict[str, Any], *, created: bool, warnings: list[str] | None = None
) -> JSON:
    """Creates and updates answer 200; the object is returned when ``includeResult=true``; ``warnings``
    become WARNING events of the response."""
    docs = apply_include_exclude([doc], opts) if opts.include_result else []
    return envelope(
        request,
        [result(docs, num_matches=len(docs), inserted=int(created), updated=int(not created))],
        events=warning_events(warnings or []),
    )
