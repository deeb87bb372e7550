"""The landing page, the offline API documentation and the native API's index: every URL resolves."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import LiveServer, free_port

PAGES = ("/", "/about", "/docs", "/redoc")
ABSOLUTE = re.compile(r"""(?:https?:)?//[^\s"'<>)]+""", re.IGNORECASE)
REFS = re.compile(r"""(?:src|href|spec-url|data-openapi-url)="([^"]*)\"""")


def _external(html: str, server: str) -> list[str]:
    """Absolute or protocol-relative URLs in ``html`` that point anywhere but ``server``."""
    own = urlsplit(server).netloc
    return [u for u in ABSOLUTE.findall(html) if urlsplit(u if ":" in u else "http:" + u).netloc != own]


@pytest.mark.parametrize("page", PAGES)
def test_pages_load_nothing_from_outside_and_every_asset_answers(live_server: LiveServer, page: str) -> None:
    r = httpx.get(live_server.url + page)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert _external(html, live_server.url) == []
    assert "//cdn" not in html
    # no inline script: every <script> has a src and an empty body
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.DOTALL)
    assert all('src="' in attrs and not body.strip() for attrs, body in scripts), scripts
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-eval" not in csp
    refs = REFS.findall(html)
    assert refs, "the page references its assets"
    for ref in refs:
        if ref.startswith("#"):  # a link within the page (skip to content)
            continue
        assert ref.startswith("/"), ref
        asset = httpx.get(live_server.url + ref)
        assert asset.status_code == 200, (page, ref)
        assert len(asset.content) > 0


def test_documentation_assets_are_the_bundled_swagger_ui_and_redoc(live_server: LiveServer) -> None:
    js = httpx.get(live_server.url + "/static/vendor/swagger-ui-bundle.js")
    assert js.headers["content-type"].startswith(("application/javascript", "text/javascript"))
    assert b"SwaggerUIBundle" in js.content and len(js.content) > 500_000
    redoc = httpx.get(live_server.url + "/static/vendor/redoc.standalone.js")
    assert b"Redoc" in redoc.content and len(redoc.content) > 500_000
    assert b"validatorUrl: null" in httpx.get(live_server.url + "/static/swagger-init.js").content
    etag = js.headers["etag"]
    again = httpx.get(
        live_server.url + "/static/vendor/swagger-ui-bundle.js", headers={"If-None-Match": etag}
    )
    assert again.status_code == 304
    missing = httpx.get(live_server.url + "/static/vendor/nope.js")
    assert missing.status_code == 404 and "nope.js" in missing.json()["message"]


def test_landing_page_names_the_server_and_links_every_face(live_server: LiveServer) -> None:
    from vardesk import __version__

    html = httpx.get(live_server.url + "/about").text
    assert "<title>Vardesk</title>" in html and __version__ in html
    links = re.findall(r'<a href="([^"]+)"', html)
    for want in ("/", "/docs", "/redoc", "/openapi.json", "/api/v2", "/opencga", "/fabric", "/healthz"):
        assert want in links
    for link in links:
        assert httpx.get(live_server.url + link, follow_redirects=True).status_code == 200, link
    assert "responses[0].results[0].token" in html


@pytest.mark.parametrize("base", ["/api/v2", "/opencga/webservices/rest/v2"])
def test_api_base_url_answers_an_index_in_the_native_envelope(live_server: LiveServer, base: str) -> None:
    r = httpx.get(live_server.url + base)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    doc = r.json()
    assert doc["apiVersion"] == "v2" and doc["responses"][0]["numResults"] == 1
    index = doc["responses"][0]["results"][0]
    assert index["baseUrl"] == base and index["documentation"]["swaggerUi"] == "/docs"
    assert index["login"]["path"] == f"{base}/users/login"
    assert index["login"]["token"] == "responses[0].results[0].token"
    ops = {(o["method"], o["path"]) for o in index["operations"]}
    assert ("POST", f"{base}/users/login") in ops and ("GET", f"{base}/analysis/variant/query") in ops
    assert all(path.startswith(base + "/") for _, path in ops)
    assert (
        httpx.get(live_server.url + base + "/", follow_redirects=True).json()["responses"] == doc["responses"]
    )


def test_every_url_that_vardesk_demo_prints_answers(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "VARDESK_DATA_DIR": str(tmp_path / "data"),
        "VARDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'catalog.db'}",
        "VARDESK_HASH_TIME_COST": "1",
        "VARDESK_HASH_MEMORY_KIB": "8192",
        "VARDESK_JOB_WORKERS": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "vardesk", "demo", "--serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        text, line = "", ""
        deadline = time.time() + 180
        while line != "}\n" and time.time() < deadline:  # the JSON document's last line
            line = proc.stdout.readline()
            if not line:
                break
            text += line
        info = json.loads(text)
        urls = [info[k] for k in ("url", "home", "docs", "pyopencga")]
        assert info["url"] == f"http://127.0.0.1:{port}/api/v2"
        for _ in range(400):
            try:
                httpx.get(info["home"], timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        for url in urls:
            assert httpx.get(url, timeout=10).status_code == 200, url
        proc.terminate()
        proc.wait(timeout=15)
        # standard output holds the JSON document alone (vardesk demo --serve > demo.json); the serving
        # line goes to standard error
        assert proc.stdout.read().strip() == ""
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
