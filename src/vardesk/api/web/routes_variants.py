"""A case's report variants (filterable, paged table) and one variant's page."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from vardesk.api.http.deps import CatalogId, get_services
from vardesk.api.web.render import Pages
from vardesk.api.web.session import reader_session
from vardesk.app.cases.review import FILTERS, filter_variants, variant_type
from vardesk.app.web_sessions import SignedIn

PAGE_SIZE = 50


def router(pages: Pages) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.get("/cases/{case_id}/variants")
    def variants_page(
        request: Request, case_id: CatalogId, session: SignedIn = Depends(reader_session)
    ) -> Response:
        services = get_services(request)
        view = services.cases.get(session.actor, str(case_id))
        rows = services.interpretation.variants(session.actor, str(case_id))
        filters = {n: str(request.query_params.get(n) or "") for n in FILTERS}
        out = filter_variants(rows, filters)
        try:
            page_no = max(1, int(request.query_params.get("page") or 1))
        except ValueError:
            page_no = 1
        start = (page_no - 1) * PAGE_SIZE
        shown = out.rows[start : start + PAGE_SIZE]
        kept = {n: v for n, v in filters.items() if v}

        def page_url(n: int) -> str:
            return f"/cases/{case_id}/variants?" + urlencode({**kept, "page": n})

        template = "_variants_rows.html" if request.headers.get("hx-request") else "variants.html"
        return pages.render(
            request,
            template,
            case=view.case,
            rows=shown,
            out=out,
            filters=filters,
            page_no=page_no,
            prev_url=page_url(page_no - 1) if page_no > 1 else "",
            next_url=page_url(page_no + 1) if start + PAGE_SIZE < len(out.rows) else "",
            variant_type=variant_type,
            consequences=sorted({v.consequence for v in rows if v.consequence}),
            modes=sorted({m for v in rows for m in v.inheritance_modes}),
            zygosities=sorted(
                {str(g.get("zygosity")) for v in rows for g in v.genotypes if g.get("zygosity")}
            ),
        )

    @r.get("/cases/{case_id}/variants/{variant_id}")
    def variant_page(
        request: Request,
        case_id: CatalogId,
        variant_id: CatalogId,
        session: SignedIn = Depends(reader_session),
    ) -> Response:
        services = get_services(request)
        view = services.cases.get(session.actor, str(case_id))
        evidence = services.evidence.evidence(session.actor, str(case_id), variant_id)
        return pages.render(
            request,
            "variant.html",
            case=view.case,
            v=evidence.variant,
            evidence=evidence,
            variant_type=variant_type,
        )

    return r
