"""The worklist (``Cases``) and a case's page: members and pedigree, phenotypes, ranked genes, history."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from vardesk.api.http.deps import CatalogId, get_services
from vardesk.api.web.pedigree import draw
from vardesk.api.web.render import Pages
from vardesk.api.web.session import reader_session, writer_session
from vardesk.app.cases.records import CaseView
from vardesk.app.web_sessions import SignedIn
from vardesk.domain.cases import APPROVED
from vardesk.domain.errors import Invalid

SORTS = {
    "changed": lambda v: v.case.modified_at,
    "created": lambda v: v.case.created_at,
    "status": lambda v: v.case.status,
    "type": lambda v: v.case.type.value,
    "due": lambda v: str(v.case.dates.get("due") or "9999"),
}
RANKED_SHOWN = 25


def _due(view: CaseView) -> date | None:
    raw = view.case.dates.get("due")
    try:
        return date.fromisoformat(str(raw)[:10]) if raw else None
    except ValueError:
        return None


def _overdue(view: CaseView, today: date) -> bool:
    due = _due(view)
    return due is not None and due < today and view.case.status != APPROVED


def _members_of(view: CaseView) -> list[Any]:
    return [m for m, _ in view.members]


def router(pages: Pages) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/cases")
    def worklist(request: Request, session: SignedIn = Depends(reader_session)) -> Response:
        q = request.query_params
        views = get_services(request).cases.search(session.actor, None, {})
        today = datetime.now(UTC).date()
        counts = Counter(v.case.status for v in views)
        overdue = sum(1 for v in views if _overdue(v, today))
        statuses = sorted(counts)
        types = sorted({v.case.type.value for v in views})
        status, kind = q.get("status") or "", q.get("type") or ""
        shown = [
            v
            for v in views
            if (not status or v.case.status == status) and (not kind or v.case.type.value == kind)
        ]
        sort = q.get("sort") or "changed"
        if sort not in SORTS:
            raise Invalid(f"sort must be one of {', '.join(SORTS)}")
        shown.sort(key=SORTS[sort], reverse=sort in ("changed", "created"))
        return pages.render(
            request,
            "cases.html",
            cases=shown,
            total=len(views),
            counts=[(s, counts[s]) for s in statuses],
            overdue=overdue,
            statuses=statuses,
            types=types,
            chosen={"status": status, "type": kind, "sort": sort},
            sorts=list(SORTS),
            yield_months=get_services(request).cases.diagnostic_yield(views),
            today=today,
            is_overdue=_overdue,
        )

    def _case_page(request: Request, session: SignedIn, case_id: int, **extra: Any) -> Response:
        services = get_services(request)
        view, runs = services.analyses.case_ranking(session.actor, str(case_id), None)
        history = services.cases.history(session.actor, str(case_id))
        latest = runs[-1] if runs else None
        return pages.render(
            request,
            "case.html",
            view=view,
            case=view.case,
            pedigree=draw(_members_of(view)),
            run=latest,
            genes=(latest.genes[:RANKED_SHOWN] if latest else []),
            gene_count=(len(latest.genes) if latest else 0),
            history=list(reversed(history))[:30],
            **extra,
        )

    @r.get("/cases/{case_id}")
    def case_page(
        request: Request, case_id: CatalogId, session: SignedIn = Depends(reader_session)
    ) -> Response:
        saved = request.query_params.get("saved")
        if saved == "phenotypes":
            return _case_page(request, session, case_id, flash="Phenotypes saved; the analysis runs again.")
        return _case_page(request, session, case_id)

    @r.post("/cases/{case_id}/phenotypes/suggest")
    async def suggest(
        request: Request, case_id: CatalogId, session: SignedIn = Depends(writer_session)
    ) -> Response:
        """HPO terms matching what the user typed (sent in the body, so it stays out of URLs and logs)."""
        form = await request.form()
        text = str(form.get("term") or "").strip()
        hits = get_services(request).phenotypes.search(text, limit=12) if len(text) >= 2 else []
        return pages.render(request, "_hpo_options.html", hits=hits)

    @r.post("/cases/{case_id}/phenotypes")
    async def change_phenotypes(
        request: Request, case_id: CatalogId, session: SignedIn = Depends(writer_session)
    ) -> Response:
        form = await request.form()
        services = get_services(request)
        view = services.cases.get(session.actor, str(case_id))
        current = [t["id"] for t in view.case.hpo_terms]
        remove, add = str(form.get("remove") or ""), str(form.get("term") or "").strip()
        if remove:
            wanted = [t for t in current if t != remove]
        elif add:
            term = add.split(" ", 1)[0].strip().upper()  # "HP:0001250 Seizure" from the suggestions
            found = services.phenotypes.search(term if term.startswith("HP:") else add, limit=1)
            if not found:
                raise Invalid(f"no HPO term matches {add!r}")
            wanted = current + [found[0].id] if found[0].id not in current else current
        else:
            raise Invalid("name an HPO term to add or remove")
        services.cases.update(session.actor, str(case_id), {"hpo_terms": wanted})
        # after a POST, a GET (a reload never sends the form again)
        return RedirectResponse(f"/cases/{case_id}?saved=phenotypes#phenotypes", status_code=303)

    return r
