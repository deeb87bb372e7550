"""Signing in and out, and keeping a session alive from the idle-timeout warning."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from vardesk.api.http.deps import client_address, get_services
from vardesk.api.web.render import Pages
from vardesk.api.web.session import (
    COOKIE,
    CSRF_FIELD,
    SIGN_IN_COOKIE,
    SignInRequired,
    current_session,
    local_path,
    set_cookie,
    sign_in_token,
    writer_session,
)
from vardesk.app.web_sessions import SignedIn
from vardesk.domain.errors import RateLimited, Unauthenticated
from vardesk.domain.web_sessions import same_token

HOME = "/cases"


def router(pages: Pages) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    def sign_in_page(
        request: Request, *, error: str = "", email: str = "", status_code: int = 200, notice: str = ""
    ) -> Response:
        token = sign_in_token(request)
        response = pages.render(
            request,
            "sign_in.html",
            status_code=status_code,
            csrf_token=token,
            error=error,
            notice=notice,
            email=email,
            next_path=local_path(request.query_params.get("next")),
        )
        set_cookie(request, response, SIGN_IN_COOKIE, token, max_age=3600)
        return response

    @r.api_route("/", methods=["GET", "HEAD"])
    def home(request: Request) -> Response:
        try:
            current_session(request)
        except SignInRequired:
            notice = ""
            if request.query_params.get("ended"):
                notice = "Your session ended. Sign in again to continue."
            elif request.query_params.get("signed_out"):
                notice = "You are signed out."
            return sign_in_page(request, notice=notice)
        return RedirectResponse(local_path(request.query_params.get("next")) or HOME, status_code=303)

    @r.post("/sign-in")
    async def sign_in(request: Request) -> Response:
        form = await request.form()
        email = str(form.get("email") or "").strip()
        password = str(form.get("password") or "")
        if not same_token(str(form.get(CSRF_FIELD) or ""), request.cookies.get(SIGN_IN_COOKIE, "")):
            return sign_in_page(
                request, error="The sign-in form expired. Please try again.", email=email, status_code=403
            )
        services = get_services(request)
        try:
            token, session = services.web_sessions.sign_in(email, password, client_address(request))
        except RateLimited as exc:
            return sign_in_page(request, error=exc.message, email=email, status_code=429)
        except Unauthenticated as exc:
            message = exc.message[:1].upper() + exc.message[1:] + "."
            return sign_in_page(request, error=message, email=email, status_code=401)
        target = local_path(str(form.get("next") or "")) or HOME
        response = RedirectResponse(target, status_code=303)
        set_cookie(request, response, COOKIE, token, max_age=services.web_sessions.lifetime_seconds)
        response.delete_cookie(SIGN_IN_COOKIE, path="/")
        return response

    @r.post("/sign-out")
    async def sign_out(request: Request, session: SignedIn = Depends(writer_session)) -> Response:
        get_services(request).web_sessions.sign_out(request.cookies.get(COOKIE, ""))
        response = RedirectResponse("/?signed_out=1", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @r.post("/session/keepalive")
    async def keepalive(request: Request, session: SignedIn = Depends(writer_session)) -> Response:
        get_services(request).web_sessions.touch(request.cookies.get(COOKIE, ""))
        return Response(status_code=204)

    return r
