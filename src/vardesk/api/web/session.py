"""The browser session of a request: its cookie, the signed-in user and CSRF protection.

The session cookie holds a random token (HttpOnly, SameSite=Lax, Secure when the server speaks TLS, the
path ``/``); the server keeps the session (:class:`~vardesk.app.web_sessions.WebSessions`). Every state-
changing request of the application (a form POST, an htmx request) carries the session's CSRF token, in
the ``csrf_token`` form field or the ``X-CSRF-Token`` header; the sign-in form, made before there is a
session, is protected by a double-submit cookie instead.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request

from vardesk.api.http.deps import get_services
from vardesk.app.web_sessions import SignedIn
from vardesk.domain.errors import Forbidden, Unauthenticated
from vardesk.domain.web_sessions import new_token, same_token

COOKIE = "vardesk_session"
SIGN_IN_COOKIE = "vardesk_signin"  # the sign-in form's double-submit CSRF token
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class SignInRequired(Exception):
    """No live session: a page request is sent to the sign-in page, an htmx request told to go there."""

    def __init__(self, message: str, next_path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.next_path = next_path


def secure_cookies(request: Request) -> bool:
    return bool(get_services(request).settings.tls_enabled) or request.url.scheme == "https"


def set_cookie(request: Request, response, name: str, value: str, max_age: int | None) -> None:  # type: ignore[no-untyped-def]
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        secure=secure_cookies(request),
        samesite="lax",
    )


def local_path(value: str | None) -> str:
    """``value`` if it is a path of this application (``/cases/3``), else "" — never another origin."""
    text = str(value or "")
    if not text.startswith("/") or text.startswith("//") or "\\" in text or any(ord(c) < 32 for c in text):
        return ""
    return text


def current_session(request: Request) -> SignedIn:
    """The request's live session, or :class:`SignInRequired`."""
    cached = getattr(request.state, "web_session", None)
    if cached is not None:
        return cached
    token = request.cookies.get(COOKIE, "")
    try:
        session = get_services(request).web_sessions.resolve(token)
    except Unauthenticated as exc:
        wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        message = exc.message if token else "sign in to continue"
        raise SignInRequired(message, wanted if request.method in ("GET", "HEAD") else "") from None
    request.state.web_session = session
    return session


async def check_csrf(request: Request, session: SignedIn) -> None:
    """A state-changing request must carry the session's CSRF token (header or form field)."""
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            sent = str(form.get(CSRF_FIELD) or "")
    if not same_token(sent, session.csrf_token):
        raise Forbidden("the form has expired or did not come from this application; reload the page")


async def writer_session(request: Request) -> SignedIn:
    """Dependency of every state-changing route: a live session and a valid CSRF token."""
    session = current_session(request)
    await check_csrf(request, session)
    return session


def reader_session(request: Request) -> SignedIn:
    """Dependency of every page: a live session."""
    return current_session(request)


def sign_in_token(request: Request) -> str:
    """The sign-in form's CSRF token: the browser's existing one, or a new one (set by the page)."""
    return request.cookies.get(SIGN_IN_COOKIE) or new_token()


def sign_in_url(next_path: str = "", ended: bool = False) -> str:
    query = []
    if next_path:
        query.append("next=" + quote(next_path, safe="/"))
    if ended:
        query.append("ended=1")
    return "/" + ("?" + "&".join(query) if query else "")
