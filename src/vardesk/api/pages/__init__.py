"""Server-rendered pages: the landing page, Swagger UI at /docs and ReDoc at /redoc, and their assets.

Everything a page references is served by this server from memory: Swagger UI and ReDoc come from the
pinned ``fastapi-offline`` package and Vardesk's own files from ``vardesk/api/static``, all read when the
app is built, so the pages work on a network without internet access and survive a reinstall of the
package under the running server. The pages carry no inline script and no external URL, and a strict
Content-Security-Policy says so to the browser.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from vardesk import __version__
from vardesk.api.http.faces import Face
from vardesk.api.http.responses import JSON
from vardesk.config import Settings
from vardesk.resources import package_bytes

STATIC = "/static"
VENDOR = STATIC + "/vendor"
# Swagger UI injects style attributes and ReDoc <style> elements, and ReDoc's search runs in a worker it
# builds from a blob: URL; nothing is loaded from another origin.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
VENDOR_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png")


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    etag: str


def load_assets() -> dict[str, Asset]:
    """Every static asset by URL path, read now."""
    found = {f"{STATIC}/{name}": data for name, data in package_bytes("vardesk.api", "static").items()}
    vendor = package_bytes("fastapi_offline", "static")
    missing = [n for n in VENDOR_FILES if n not in vendor]
    if missing:
        raise RuntimeError(f"fastapi-offline lacks {', '.join(missing)}: reinstall the pinned version")
    found.update({f"{VENDOR}/{name}": vendor[name] for name in VENDOR_FILES})
    out = {}
    for path, data in found.items():
        media = mimetypes.guess_type(path)[0] or "application/octet-stream"
        if media.startswith("text/") or media in ("application/javascript", "text/javascript"):
            media += "; charset=utf-8"
        out[path] = Asset(data, media, '"' + hashlib.sha256(data).hexdigest()[:32] + '"')
    return out


def _page(title: str, head: str, body: str) -> HTMLResponse:
    html = (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f'<link rel="icon" type="image/png" href="{VENDOR}/favicon.png">\n'
        f"{head}</head>\n<body>\n{body}</body>\n</html>\n"
    )
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": CSP,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-cache",
        },
    )


@dataclass(frozen=True)
class Links:
    native: str
    opencga: str
    fabric: str
    openapi: str = "/openapi.json"
    docs: str = "/docs"
    redoc: str = "/redoc"
    health: str = "/healthz"
    about: str = "/about"
    app: str = "/"


def landing(links: Links) -> HTMLResponse:
    def item(href: str, name: str, what: str) -> str:
        return f'<dt><a href="{escape(href)}">{escape(name)}</a></dt>\n<dd>{what}</dd>\n'

    body = (
        "<main>\n<h1>Vardesk</h1>\n"
        f'<p class="version">Version {escape(__version__)} — clinical genome interpretation server</p>\n'
        "<h2>Web application</h2>\n<dl>\n"
        + item(links.app, "Sign in", "review cases, interpret variants and sign out reports in the browser")
        + "</dl>\n<h2>API documentation</h2>\n<dl>\n"
        + item(links.docs, "Swagger UI", "try the native API in the browser")
        + item(links.redoc, "ReDoc", "the native API reference, for reading")
        + item(links.openapi, "OpenAPI document", "the native API as OpenAPI 3.1 JSON, for code generators")
        + "</dl>\n<h2>API faces</h2>\n<dl>\n"
        + item(
            links.native,
            "Native API",
            f"REST following OpenCGA v2 conventions; log in with <code>POST {escape(links.native)}"
            "/users/login</code>, the token is <code>responses[0].results[0].token</code>",
        )
        + item(links.opencga, "pyopencga base URL", "give this URL to <code>pyopencga</code> as the host")
        + item(links.fabric, "Fabric-compatible API", "for Fabric Genomics clients (not in the OpenAPI)")
        + item(links.health, "Health check", "liveness and catalog connectivity")
        + "</dl>\n</main>\n"
    )
    return _page("Vardesk", f'<link rel="stylesheet" href="{STATIC}/vardesk.css">\n', body)


def swagger_ui(openapi_url: str) -> HTMLResponse:
    head = f'<link rel="stylesheet" href="{VENDOR}/swagger-ui.css">\n'
    body = (
        f'<div id="swagger-ui" data-openapi-url="{escape(openapi_url)}"></div>\n'
        f'<script src="{VENDOR}/swagger-ui-bundle.js"></script>\n'
        f'<script src="{STATIC}/swagger-init.js"></script>\n'
    )
    return _page("Vardesk API — Swagger UI", head, body)


def redoc(openapi_url: str) -> HTMLResponse:
    # the standalone bundle renders every <redoc spec-url=…> element by itself: no inline script
    body = (
        f'<redoc spec-url="{escape(openapi_url)}"></redoc>\n'
        f'<script src="{VENDOR}/redoc.standalone.js"></script>\n'
    )
    return _page("Vardesk API — ReDoc", "", body)


def install(app: FastAPI, links: Links) -> None:
    """Mount the pages and their assets on ``app`` (outside the OpenAPI document)."""
    assets = load_assets()

    @app.api_route(links.about, methods=["GET", "HEAD"], include_in_schema=False)
    def home() -> HTMLResponse:
        return landing(links)

    @app.api_route(links.docs, methods=["GET", "HEAD"], include_in_schema=False)
    def docs() -> HTMLResponse:
        return swagger_ui(links.openapi)

    @app.api_route(links.redoc, methods=["GET", "HEAD"], include_in_schema=False)
    def redoc_page() -> HTMLResponse:
        return redoc(links.openapi)

    @app.api_route(STATIC + "/{path:path}", methods=["GET", "HEAD"], include_in_schema=False)
    def static(request: Request, path: str) -> Response:
        asset = assets.get(f"{STATIC}/{path}")
        if asset is None:
            return JSON({"error": "not_found", "message": f"no static asset {path!r}"}, status_code=404)
        headers = {
            "ETag": asset.etag,
            "Cache-Control": "public, max-age=3600",
            "X-Content-Type-Options": "nosniff",
        }
        if request.headers.get("if-none-match") == asset.etag:
            return Response(status_code=304, headers=headers)
        return Response(asset.body, media_type=asset.media_type, headers=headers)


def face(settings: Settings) -> Face:
    """The pages link to the other faces by the names they publish (``native``, ``opencga``, ``fabric``)."""

    def install_with_links(app: FastAPI, links: Mapping[str, str]) -> None:
        install(
            app,
            Links(
                native=links.get("native", ""),
                opencga=links.get("opencga", ""),
                fabric=links.get("fabric", ""),
            ),
        )

    return Face(name="pages", install=install_with_links)
