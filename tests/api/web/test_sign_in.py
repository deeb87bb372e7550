"""Signing in and out of the web application in a real browser, and what protects the session."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.api.web.conftest import DemoSite, screenshot, serious_violations, sign_in


def test_sign_in_page_is_accessible_and_refuses_a_wrong_password(page: Any, demo_site: DemoSite) -> None:
    page.goto("/")
    assert page.title() == "Sign in — Vardesk"
    assert serious_violations(page) == []
    screenshot(page, "sign-in")
    page.get_by_label("Email").fill(demo_site.emails["analyst"])
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text() == "Incorrect email or password."
    # the email is kept, the password is not
    assert page.get_by_label("Email").input_value() == demo_site.emails["analyst"]
    assert page.get_by_label("Password").input_value() == ""
    assert serious_violations(page) == []


def test_analyst_signs_in_sees_the_worklist_and_signs_out(page: Any, demo_site: DemoSite) -> None:
    sign_in(page, demo_site, "analyst")
    assert page.url.endswith("/cases")
    assert page.title() == "Cases — Vardesk"
    cookie = next(c for c in page.context.cookies() if c["name"] == "vardesk_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    link = page.get_by_role("link", name="Demo trio (synthetic, not human)")
    assert re.fullmatch(r"/cases/\d+", link.get_attribute("href") or "")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in to Vardesk").wait_for()
    assert page.get_by_role("status").filter(has_text="You are signed out.").count() == 1
    # the session is gone on the server: the old cookie no longer opens a page
    r = httpx.get(demo_site.url + "/cases", cookies={"vardesk_session": cookie["value"]})
    assert r.status_code == 303 and r.headers["location"].startswith("/?")
    page.goto("/cases")
    assert page.get_by_role("heading", name="Sign in to Vardesk").count() == 1


def test_a_page_asked_for_before_signing_in_opens_after_it(page: Any, demo_site: DemoSite) -> None:
    page.goto(f"/cases/{demo_site.case_id}")
    assert page.get_by_role("heading", name="Sign in to Vardesk").count() == 1
    page.get_by_label("Email").fill(demo_site.emails["viewer"])
    page.get_by_label("Password").fill(demo_site.passwords["viewer"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/cases/{demo_site.case_id}")
    assert page.title() == "Case — Vardesk"  # never the case title: it may name the patient


def test_forms_without_the_csrf_token_are_refused(demo_site: DemoSite) -> None:
    with httpx.Client(base_url=demo_site.url) as client:
        form = client.get("/")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        # the sign-in form needs the token of the cookie it came with
        bad = client.post(
            "/sign-in",
            data={
                "email": demo_site.emails["analyst"],
                "password": demo_site.passwords["analyst"],
                "csrf_token": "x",
            },
        )
        assert bad.status_code == 403 and "vardesk_session" not in bad.cookies
        ok = client.post(
            "/sign-in",
            data={
                "email": demo_site.emails["analyst"],
                "password": demo_site.passwords["analyst"],
                "csrf_token": token,
            },
        )
        assert ok.status_code == 303 and ok.headers["location"] == "/cases"
        assert client.get("/cases").status_code == 200
        # a signed-in browser's form without its token changes nothing
        refused = client.post("/sign-out")
        assert refused.status_code == 403 and "did not come from this application" in refused.text
        assert client.get("/cases").status_code == 200
        session_csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/cases").text).group(1)  # type: ignore[union-attr]
        assert client.post("/sign-out", headers={"X-CSRF-Token": session_csrf}).status_code == 303
        assert client.get("/cases").status_code == 303


def test_api_keys_do_not_sign_in_to_the_application(demo_site: DemoSite) -> None:
    key = demo_site.services.admin.create_api_key("demo", demo_site.emails["analyst"], description="web test")
    with httpx.Client(base_url=demo_site.url) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text).group(1)  # type: ignore[union-attr]
        r = client.post("/sign-in", data={"email": key.login, "password": key.password, "csrf_token": token})
        assert r.status_code == 401 and "Incorrect email or password." in r.text


def test_pages_carry_a_csp_without_inline_script_and_no_store(demo_site: DemoSite) -> None:
    r = httpx.get(demo_site.url + "/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert r.headers["cache-control"] == "no-store"
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", r.text, re.DOTALL)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts)
    assert ' style="' not in r.text and " on" not in re.sub(r"<[^>]*>", "", "")  # no style attributes
    for ref in re.findall(r'(?:src|href)="(/static/web/[^"]+)"', r.text):
        asset = httpx.get(demo_site.url + ref)
        assert asset.status_code == 200 and len(asset.content) > 100, ref
