"""A report variant's interpretation: the reviewer's tag, status, reporting and text; the ACMG/AMP criteria
over the automatic evidence with the class the server computes; the variant's history.

A fragment loaded by htmx into the variant page; asked for without ``HX-Request`` it is a page of its own.
Every change goes through :meth:`InterpretationService.update_variant`, so each field is audited.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from vardesk.api.http.deps import CatalogId, get_services
from vardesk.api.web.render import Pages
from vardesk.api.web.session import reader_session, writer_session
from vardesk.app.cases.acmg_evidence import combined
from vardesk.app.web_sessions import SignedIn
from vardesk.domain.acmg import CRITERIA, CRITERION_ORDER, Strength
from vardesk.domain.cases import ReportVariant, ToReport, VariantStatus
from vardesk.domain.enums import Classification, Role, VariantTag
from vardesk.domain.errors import Invalid, Unprocessable

STATES = (("met", "Met"), ("not_met", "Not met"), ("not_assessed", "Not assessed"))


def _variant(request: Request, session: SignedIn, case_id: int, variant_id: int) -> ReportVariant:
    return get_services(request).interpretation.variant(session.actor, str(case_id), variant_id)


def _automatic(rv: ReportVariant) -> dict[str, dict[str, Any]]:
    auto = (rv.acmg or {}).get("automatic") or {}
    return {str(e.get("criterion")): e for e in auto.get("evidence") or [] if isinstance(e, dict)}


def _rows(rv: ReportVariant) -> list[dict[str, Any]]:
    """Every criterion in Richards order: the state shown, its strength, the automatic evidence under it."""
    c = combined(rv)
    shown = {e.criterion: e for e in c.evidence} if c else {}
    auto = _automatic(rv)
    manual = {m.code: m for m in rv.criteria}
    rows = []
    for code in CRITERION_ORDER:
        info = CRITERIA[code]
        e = shown.get(code)
        state = "not_assessed"
        if e is not None and e.met:
            state = "met"
        elif e is not None and e.status.value == "NOT_MET":
            state = "not_met"
        rows.append(
            {
                "code": code,
                "rule": info.rule,
                "state": state,
                "strength": e.strength.value if e is not None and e.met else info.default_strength.value,
                "allowed": [(s.value, s.words) for s in info.allowed],
                "auto": auto.get(code),
                "manual": manual.get(code),
            }
        )
    return rows


def _context(request: Request, session: SignedIn, case_id: int, rv: ReportVariant) -> dict[str, Any]:
    services = get_services(request)
    c = combined(rv)
    return {
        "case_id": case_id,
        "rv": rv,
        "tags": [(t.value, t.label) for t in VariantTag],
        "statuses": [s.value for s in VariantStatus],
        "reports": [r.value for r in ToReport],
        "classes": [c.value for c in Classification],
        "states": STATES,
        "rows": _rows(rv),
        "suggested": c.suggested.to_dict() if c else None,
        "history": services.interpretation.history(session.actor, str(case_id), rv.id or 0),
        "can_write": session.actor.role is not Role.VIEWER,
        "saved": "",
        "problem": "",
    }


def _page(pages: Pages, request: Request, context: dict[str, Any], status_code: int = 200) -> Response:
    return pages.render(request, "_interpretation.html", status_code=status_code, **context)


def _criteria(form: Any, rv: ReportVariant) -> list[dict[str, Any]]:
    """The reviewer's criteria from the form; an override of the automatic evidence needs a reason."""
    auto = _automatic(rv)
    manual = {m.code: m for m in rv.criteria}
    out = []
    for code in CRITERION_ORDER:
        state = str(form.get(f"{code}_state") or "not_assessed")
        strength = str(form.get(f"{code}_strength") or CRITERIA[code].default_strength.value)
        reason = str(form.get(f"{code}_reason") or "").strip()
        a = auto.get(code) or {}
        auto_met = a.get("status") == "MET"
        was = manual.get(code)
        if state == "met":
            same_as_auto = auto_met and a.get("strength") == strength
            if same_as_auto and was is None:
                continue  # the automatic evidence stands
            kept = was is not None and was.strength.value == strength
            if not same_as_auto and not reason and not (kept and was and was.comment):
                raise _Problem(f"{code}: give a reason for setting it apart from the automatic evidence")
            out.append({"code": code, "strength": Strength(strength).value, "comment": reason or None})
        elif auto_met and was is None:
            raise _Problem(
                f"{code}: the automatic evidence is met; it cannot be set aside here (record a reviewer's "
                "criterion at another strength instead)"
            )
    return out


class _Problem(Exception):
    pass


def router(pages: Pages) -> APIRouter:
    r = APIRouter(include_in_schema=False)
    path = "/cases/{case_id}/variants/{variant_id}"

    @r.get(path + "/interpretation")
    def interpretation(
        request: Request,
        case_id: CatalogId,
        variant_id: CatalogId,
        session: SignedIn = Depends(reader_session),
    ) -> Response:
        rv = _variant(request, session, case_id, variant_id)
        return _page(pages, request, _context(request, session, case_id, rv))

    @r.post(path + "/interpretation")
    async def save_interpretation(
        request: Request,
        case_id: CatalogId,
        variant_id: CatalogId,
        session: SignedIn = Depends(writer_session),
    ) -> Response:
        form = await request.form()
        services = get_services(request)
        data = {
            "tag": str(form.get("tag") or "none"),
            "status": str(form.get("status") or VariantStatus.PENDING.value),
            "to_report": str(form.get("to_report") or ToReport.DO_NOT_REPORT.value),
            "interpretation": str(form.get("interpretation") or ""),
        }
        try:
            services.interpretation.update_variant(session.actor, str(case_id), variant_id, data)
            note = str(form.get("note") or "").strip()
            if note:
                services.interpretation.add_note(session.actor, str(case_id), variant_id, note)
        except (Invalid, Unprocessable) as exc:
            rv = _variant(request, session, case_id, variant_id)
            ctx = _context(request, session, case_id, rv) | {"problem": exc.message}
            return _page(pages, request, ctx, status_code=422)
        rv = _variant(request, session, case_id, variant_id)
        return _page(
            pages, request, _context(request, session, case_id, rv) | {"saved": "Interpretation saved."}
        )

    @r.post(path + "/acmg")
    async def save_acmg(
        request: Request,
        case_id: CatalogId,
        variant_id: CatalogId,
        session: SignedIn = Depends(writer_session),
    ) -> Response:
        form = await request.form()
        services = get_services(request)
        rv = _variant(request, session, case_id, variant_id)
        try:
            criteria = _criteria(form, rv)
            services.interpretation.update_variant(
                session.actor,
                str(case_id),
                variant_id,
                {"criteria": criteria, "classification": str(form.get("classification") or "")},
            )
        except (_Problem, Invalid, Unprocessable) as exc:
            message = str(exc) if isinstance(exc, _Problem) else exc.message
            ctx = _context(request, session, case_id, rv) | {"problem": message}
            return _page(pages, request, ctx, status_code=422)
        rv = _variant(request, session, case_id, variant_id)
        return _page(
            pages,
            request,
            _context(request, session, case_id, rv) | {"saved": "ACMG criteria and classification saved."},
        )

    return r
