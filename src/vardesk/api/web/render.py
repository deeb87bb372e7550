"""Rendering the web application's pages: Jinja2 templates read into memory, the headers every page carries.

Templates autoescape everything; a page never holds inline script or style attributes, so the
Content-Security-Policy forbids both. Page titles name the screen, never a patient, a case title or a
sample: the browser's history and tab strip are visible to whoever stands behind the user.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jinja2 import DictLoader, Environment, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from vardesk import __version__
from vardesk.resources import package_bytes, package_texts

STATIC = "/static/web"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    etag: str


def load_assets() -> dict[str, Asset]:
    """The web application's own and vendored assets by URL path, read now."""
    out = {}
    for name, data in package_bytes("vardesk.api.web", "static").items():
        path = f"{STATIC}/{name}"
        media = mimetypes.guess_type(path)[0] or "application/octet-stream"
        if media.startswith("text/") or media in ("application/javascript", "text/javascript"):
            media += "; charset=utf-8"
        out[path] = Asset(data, media, '"' + hashlib.sha256(data).hexdigest()[:32] + '"')
    return out


def _date(value: Any, fmt: str = "%Y-%m-%d") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return value.strftime(fmt)
    return str(value)[:10]


def _datetime(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return "" if value is None else str(value)


def build_environment() -> Environment:
    env = Environment(
        loader=DictLoader(package_texts("vardesk.api.web", "templates")),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = _date
    env.filters["datetime"] = _datetime
    env.globals.update(static=STATIC, version=__version__)
    return env


class Pages:
    """The template environment and the assets of one app."""

    def __init__(self) -> None:
        self.env = build_environment()
        self.assets = load_assets()

    def asset_url(self, name: str) -> str:
        """An asset's URL with its content hash, so a new release is never served from a stale cache."""
        path = f"{STATIC}/{name}"
        asset = self.assets[path]
        return f"{path}?v={asset.etag.strip(chr(34))[:12]}"

    def render(
        self,
        request: Request,
        template: str,
        *,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
        **context: Any,
    ) -> HTMLResponse:
        session = getattr(request.state, "web_session", None)
        html = self.env.get_template(template).render(
            request=request,
            session=session,
            asset=self.asset_url,
            fragment=bool(request.headers.get("hx-request")),
            **context,
        )
        return HTMLResponse(html, status_code=status_code, headers={**PAGE_HEADERS, **(headers or {})})

    def serve_asset(self, request: Request, path: str) -> Response | None:
        asset = self.assets.get(f"{STATIC}/{path}")
        if asset is None:
            return None
        headers = {
            "ETag": asset.etag,
            "Cache-Control": "public, max-age=86400",
            "X-Content-Type-Options": "nosniff",
        }
        if request.headers.get("if-none-match") == asset.etag:
            return Response(status_code=304, headers=headers)
        return Response(asset.body, media_type=asset.media_type, headers=headers)
