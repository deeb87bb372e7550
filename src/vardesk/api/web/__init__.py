"""The web application: case review, interpretation and sign-out in the browser, at ``/``.

Server-rendered Jinja2 pages with htmx, over the same use cases the APIs call (no business logic here);
a browser session per signed-in user (:mod:`vardesk.api.web.session`); every page has a strict CSP
without inline script, and no PHI in a URL or a page title.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from vardesk.api.http.faces import ErrorShape, Face, Mount
from vardesk.api.http.responses import JSON
from vardesk.api.web import routes_auth, routes_cases, routes_interpret, routes_reports, routes_variants
from vardesk.api.web.render import STATIC, Pages
from vardesk.api.web.session import SignInRequired, sign_in_url
from vardesk.config import Settings
from vardesk.domain.errors import NotFound, VardeskError

# The application's URL prefixes (its errors are HTML pages); "/" itself is the sign-in page
PREFIXES = ("/cases", "/sign-in", "/sign-out", "/session", STATIC)


def _error_renderer(pages: Pages):  # type: ignore[no-untyped-def]
    def render(request: Request, exc: VardeskError, status: int) -> Response:
        message = exc.message[:1].upper() + exc.message[1:] if exc.message else "Something went wrong."
        if request.url.path.startswith(STATIC + "/"):
            return JSON({"error": exc.code, "message": exc.message}, status_code=status)
        if isinstance(exc, NotFound):
            status = 404  # a page that is not there, in the browser's terms (the APIs answer 400)
        template = "_error_fragment.html" if request.headers.get("hx-request") else "error.html"
        return pages.render(request, template, status_code=status, status=status, message=message)

    return render


def face(settings: Settings) -> Face:
    pages = Pages()
    renderer = _error_renderer(pages)

    def install(app: FastAPI, links: Mapping[str, str]) -> None:
        @app.exception_handler(SignInRequired)
        async def _sign_in(request: Request, exc: SignInRequired) -> Response:
            target = sign_in_url(exc.next_path, ended=bool(request.cookies.get("vardesk_session")))
            if request.headers.get("hx-request"):
                return Response(status_code=401, headers={"HX-Redirect": target})
            return RedirectResponse(target, status_code=303)

        @app.api_route(STATIC + "/{path:path}", methods=["GET", "HEAD"], include_in_schema=False)
        def static(request: Request, path: str) -> Response:
            found = pages.serve_asset(request, path)
            if found is None:
                return JSON({"error": "not_found", "message": f"no asset {path!r}"}, status_code=404)
            return found

    return Face(
        name="web",
        mounts=(
            Mount("", routes_auth.router(pages), in_schema=False),
            Mount("", routes_cases.router(pages), in_schema=False),
            Mount("", routes_variants.router(pages), in_schema=False),
            Mount("", routes_interpret.router(pages), in_schema=False),
            Mount("", routes_reports.router(pages), in_schema=False),
        ),
        errors=tuple(ErrorShape(prefix, renderer) for prefix in PREFIXES),
        links={"app": "/"},
        install=install,
    )
