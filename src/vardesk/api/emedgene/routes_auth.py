"""Login (contract §1.1): v2 ``{access_token, token_type}`` and the legacy ``{"Authorization": …}``. Both
take a user's e-mail (or login) and password, or an API key's login and secret; no credentials header is
read, so an empty ``Authorization:`` sent along does no harm."""

from __future__ import annotations

from fastapi import APIRouter, Request

from vardesk.api.emedgene import openapi_docs as od
from vardesk.api.emedgene import schemas as S
from vardesk.api.emedgene.common import route
from vardesk.api.http.deps import client_address, get_services, json_body
from vardesk.api.http.responses import JSON
from vardesk.app.auth import TokenPair

router = APIRouter(redirect_slashes=False)


async def _login(request: Request) -> TokenPair:
    body = await json_body(request)
    services = get_services(request)
    user = str(body.get("username") or body.get("email") or "")
    password = str(body.get("password") or "")
    return services.auth.login(user, password, client_address(request))


@route(
    router,
    "POST",
    "/api/auth/v2/api_login/",
    od.op(
        "Log in: a bearer token",
        S.EmedgeneToken,
        body=od.json_body(S.EmedgeneLogin),
        errors=od.LOGIN_ERRORS,
        auth=False,
    ),
)
async def login_v2(request: Request) -> JSON:
    pair = await _login(request)
    return JSON({"access_token": pair.token, "token_type": "bearer", "expires_in": pair.expires_in})


@route(
    router,
    "POST",
    "/api/auth/api_login/",
    od.op(
        "Log in (legacy): the Authorization header value",
        S.EmedgeneLegacyToken,
        body=od.json_body(S.EmedgeneLogin),
        errors=od.LOGIN_ERRORS,
        auth=False,
    ),
)
async def login_legacy(request: Request) -> JSON:
    pair = await _login(request)
    return JSON({"Authorization": f"Bearer {pair.token}", "expires_in": pair.expires_in})
