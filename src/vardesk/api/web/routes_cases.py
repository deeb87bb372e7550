"""The worklist (``Cases``) and a case's page."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from vardesk.api.http.deps import CatalogId, get_services
from vardesk.api.web.render import Pages
from vardesk.api.web.session import reader_session
from vardesk.app.web_sessions import SignedIn


def router(pages: Pages) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/cases")
    def worklist(request: Request, session: SignedIn = Depends(reader_session)) -> Response:
        views = get_services(request).cases.search(session.actor, None, {})
        views.sort(key=lambda v: v.case.modified_at, reverse=True)
        return pages.render(request, "cases.html", cases=views)

    @r.get("/cases/{case_id}")
    def case_page(
        request: Request, case_id: CatalogId, session: SignedIn = Depends(reader_session)
    ) -> Response:
        view = get_services(request).cases.get(session.actor, str(case_id))
        return pages.render(request, "case.html", view=view, case=view.case)

    return r
