"""A case's report: its reported variants, preview PDF, director's sign-out, final PDF and amendment."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from vardesk.api.http.deps import CatalogId, get_services
from vardesk.api.web.render import Pages
from vardesk.api.web.session import reader_session, writer_session
from vardesk.app.commands import ApproveReport
from vardesk.app.web_sessions import SignedIn
from vardesk.domain.cases import READY_TO_REVIEW, ToReport
from vardesk.domain.enums import Role
from vardesk.domain.errors import Invalid, NotFound, Unprocessable


def _pdf(data: bytes, filename: str) -> Response:
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def _back(case_id: int) -> RedirectResponse:
    return RedirectResponse(f"/cases/{case_id}/report", status_code=303)


def router(pages: Pages) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/cases/{case_id}/report")
    def report_page(
        request: Request, case_id: CatalogId, session: SignedIn = Depends(reader_session)
    ) -> Response:
        services = get_services(request)
        view = services.cases.get(session.actor, str(case_id))
        variants = services.interpretation.variants(session.actor, str(case_id))
        reported = [v for v in variants if v.to_report is not ToReport.DO_NOT_REPORT]
        versions = services.reports.approved_versions(session.actor, str(case_id))
        review = tuple(services.configuration.get(session.actor).review_statuses)
        reviewable = (READY_TO_REVIEW, *review)  # where people move a case (the core checks the move)
        statuses = [s for s in reviewable if s != view.case.status] if view.case.status in reviewable else []
        return pages.render(
            request,
            "report.html",
            view=view,
            case=view.case,
            reported=reported,
            versions=versions,
            may_approve=session.actor.role is Role.DIRECTOR,
            statuses=statuses if session.actor.role is not Role.VIEWER else [],
        )

    @r.get("/cases/{case_id}/report/preview.pdf")
    def preview(
        request: Request, case_id: CatalogId, session: SignedIn = Depends(reader_session)
    ) -> Response:
        data = get_services(request).reports.preview(session.actor, str(case_id))
        return _pdf(data, f"report-preview-{case_id}.pdf")

    @r.get("/cases/{case_id}/report/final.pdf")
    def final(
        request: Request,
        case_id: CatalogId,
        version: int | None = None,
        session: SignedIn = Depends(reader_session),
    ) -> Response:
        reports = get_services(request).reports
        versions = reports.approved_versions(session.actor, str(case_id))
        if version is None:
            if not versions:
                raise Unprocessable(f"case {case_id} has no approved report yet")  # as the core says it
            chosen = versions[-1]
        else:
            chosen = next((v for v in versions if v.case.id == version), None)
            if chosen is None:
                raise NotFound(f"report {version} is not an approved report of case {case_id}")
        data = reports.final(session.actor, str(chosen.case.id))
        return _pdf(data, f"report-final-{chosen.case.id}.pdf")

    @r.post("/cases/{case_id}/report/status")
    async def status(
        request: Request, case_id: CatalogId, session: SignedIn = Depends(writer_session)
    ) -> Response:
        form = await request.form()
        get_services(request).cases.set_status(session.actor, str(case_id), str(form.get("status") or ""))
        return _back(case_id)

    @r.post("/cases/{case_id}/report/approve")
    async def approve(
        request: Request, case_id: CatalogId, session: SignedIn = Depends(writer_session)
    ) -> Response:
        form = await request.form()
        services = get_services(request)
        source = request.client.host if request.client else None
        services.auth.confirm_password(session.actor, str(form.get("password") or ""), source)
        services.cases.approve_report(session.actor, ApproveReport(str(case_id), None))
        return _back(case_id)

    @r.post("/cases/{case_id}/report/amend")
    async def amend(
        request: Request, case_id: CatalogId, session: SignedIn = Depends(writer_session)
    ) -> Response:
        form = await request.form()
        reason = str(form.get("reason") or "")
        if not reason.strip():
            raise Invalid("an amendment needs a reason")
        view = get_services(request).cases.amend(session.actor, str(case_id), reason)
        return _back(view.case.id or case_id)

    return r
