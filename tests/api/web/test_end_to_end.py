"""The whole review in a browser on the demo data: an analyst opens the demo trio from the worklist,
filters its variants, classifies one with the ACMG panel, tags it for the report, previews the report,
submits it and signs out; the director signs in, approves with the password and downloads the final PDF.

Sign-out locks the case, so this test has a demo workspace of its own (the package's shared demo trio stays
open for the other screens' tests).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.web.conftest import DemoSite, serious_violations, serve_demo, sign_in

TRIO = "Demo trio (synthetic, not human)"


@pytest.fixture(scope="module")
def own_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    with serve_demo(tmp_path_factory.mktemp("web-e2e")) as site:
        yield site


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def test_analyst_interprets_and_reports_director_signs_out(browser: Any, own_site: DemoSite) -> None:
    context = browser.new_context(base_url=own_site.url, viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        # the analyst opens the demo trio from the worklist and filters its variants by a gene
        sign_in(page, own_site, "analyst")
        page.get_by_role("link", name=TRIO).click()
        page.get_by_role("heading", name=TRIO, level=1).wait_for()
        page.get_by_role("link", name="Variants", exact=True).click()
        table = page.get_by_role("table", name="Variants")
        rows = table.locator("tbody tr")
        total = rows.count()
        assert total > 1
        gene = rows.first.locator("td").first.inner_text().strip()
        page.get_by_label("Gene").fill(gene)
        page.get_by_role("button", name="Apply").click()
        deadline = time.time() + 15
        while True:  # htmx swaps the rows in place
            genes = [r.strip() for r in table.locator("tbody tr td:first-child").all_inner_texts()]
            if (genes and all(g == gene for g in genes)) or time.time() > deadline:
                break
            time.sleep(0.1)
        assert genes and all(g == gene for g in genes)
        # opens the variant, classifies it with the ACMG panel and tags it for the report
        table.locator("tbody tr").first.get_by_role("link").first.click()
        page.get_by_role("table", name="ACMG criteria").wait_for()
        page.get_by_label("PS3 state").select_option("met")
        page.get_by_label("PS3 strength").select_option("MODERATE")
        page.get_by_label("PS3 reason").fill("functional study in the family")
        page.get_by_label("Classification", exact=True).select_option("Likely pathogenic")
        page.get_by_role("button", name="Save criteria").click()
        page.get_by_role("status").filter(has_text="ACMG criteria and classification saved.").wait_for()
        page.get_by_role("radio", name="Most likely").check()
        page.get_by_label("Report as").select_option("PRIMARY_FINDING")
        page.get_by_role("button", name="Save interpretation").click()
        page.get_by_role("status").filter(has_text="Interpretation saved.").wait_for()
        assert serious_violations(page) == []
        # builds the report: the variant is listed, the preview is a PDF naming it
        page.goto(f"/cases/{own_site.case_id}/report")
        page.get_by_role("heading", name="Report", exact=True).wait_for()
        assert gene in page.locator("main").inner_text()
        preview = page.request.get(page.get_by_role("link", name="Preview report").get_attribute("href"))
        assert preview.status == 200 and preview.headers["content-type"] == "application/pdf"
        assert gene in _pdf_text(preview.body())
        page.get_by_label("Move the case to").select_option(index=0)
        page.get_by_role("button", name="Change status").click()
        page.get_by_role("heading", name="Report", exact=True).wait_for()
        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("heading", name="Sign in to Vardesk").wait_for()

        # the director approves with the password and downloads the final report
        sign_in(page, own_site, "director")
        page.goto(f"/cases/{own_site.case_id}/report")
        page.get_by_label("Password").fill(own_site.passwords["director"])
        page.get_by_role("button", name="Approve report").click()
        download = page.get_by_role("link", name="Download final report")
        download.wait_for()
        final = page.request.get(download.get_attribute("href"))
        assert final.status == 200 and final.headers["content-type"] == "application/pdf"
        text = _pdf_text(final.body())
        assert gene in text and "Likely pathogenic" in text
        assert serious_violations(page) == []
        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("heading", name="Sign in to Vardesk").wait_for()
    finally:
        context.close()
