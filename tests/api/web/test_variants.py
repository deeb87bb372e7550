"""A case's variants in the browser: the filterable table, keyboard navigation and a variant's page."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.api.web.conftest import DemoSite, screenshot, serious_violations, sign_in


def _rows(page: Any) -> Any:
    return page.get_by_role("table", name="Variants").locator("tbody tr[data-href]")


def test_variants_table_filters_and_keyboard(page: Any, demo_site: DemoSite) -> None:
    sign_in(page, demo_site, "analyst")
    page.goto(f"/cases/{demo_site.case_id}")
    page.get_by_role("link", name="Variants", exact=True).click()
    page.get_by_role("heading", name="Variants").wait_for()
    assert page.title() == "Variants — Vardesk"
    total = _rows(page).count()
    assert total > 1
    counts = page.locator("#variant-counts").inner_text()
    assert counts.startswith(f"{total} of {total} variants")
    assert serious_violations(page) == []
    screenshot(page, "variants")
    # a gene filter narrows the rows (htmx swaps the table) and shows its own count
    gene = _rows(page).first.locator("td").first.inner_text()
    page.get_by_label("Gene").fill(gene)
    page.get_by_role("button", name="Apply").click()
    page.locator("#variant-counts", has_text="gene alone").wait_for()
    narrowed = _rows(page).count()
    assert 1 <= narrowed < total
    assert (
        f"{narrowed} of {total} variants · gene alone: {narrowed}"
        in page.locator("#variant-counts").inner_text()
    )
    # a hidden column stays hidden after a reload
    page.get_by_label("ClinVar").uncheck()
    assert page.get_by_role("columnheader", name="ClinVar").is_hidden()
    page.reload()
    assert page.get_by_role("columnheader", name="ClinVar").is_hidden()
    # keyboard: j selects the first row, j the next, k back; Enter opens it
    page.goto(f"/cases/{demo_site.case_id}/variants")
    page.locator("h1").click()
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert _rows(page).nth(1).get_attribute("aria-selected") == "true"
    page.keyboard.press("k")
    first = _rows(page).nth(0)
    assert (
        first.get_attribute("aria-selected") == "true"
        and _rows(page).nth(1).get_attribute("aria-selected") == "false"
    )
    href = first.get_attribute("data-href") or ""
    page.keyboard.press("Enter")
    page.wait_for_url("**" + href)
    assert re.fullmatch(rf"/cases/{demo_site.case_id}/variants/\d+", href)
    assert page.title() == "Variant — Vardesk"
    for name in ("Transcripts", "Population", "ClinVar", "In-silico scores", "Genotypes", "Interpretation"):
        assert page.get_by_role("heading", name=name, exact=True).count() == 1, name
    genotypes = page.get_by_role("table", name="Genotypes").locator("tbody tr")
    assert genotypes.count() >= 1 and genotypes.first.locator("td").nth(1).inner_text().strip()
    assert serious_violations(page) == []
    screenshot(page, "variant")


def test_a_foreign_variant_id_is_an_html_404(page: Any, demo_site: DemoSite) -> None:
    sign_in(page, demo_site, "analyst")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    for path in (f"/cases/{demo_site.case_id}/variants/999999", "/cases/999999/variants"):
        r = httpx.get(demo_site.url + path, cookies=cookies)
        assert r.status_code == 404, (path, r.text[-600:])
        assert r.headers["content-type"].startswith("text/html"), path
        assert 'role="alert"' in r.text


def test_filters_and_paging_work_without_javascript(page: Any, demo_site: DemoSite) -> None:
    sign_in(page, demo_site, "analyst")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    base = f"{demo_site.url}/cases/{demo_site.case_id}/variants"
    everything = httpx.get(base, cookies=cookies).text
    total = everything.count("<tr tabindex")
    assert total > 1 and "<h1>Variants</h1>" in everything
    none = httpx.get(base, params={"gene": "NO-SUCH-GENE"}, cookies=cookies).text
    assert "No variants match." in none and f"0 of {total} variants · gene alone: 0" in none
    later = httpx.get(base, params={"page": "2", "type": "SNV"}, cookies=cookies).text
    assert "Page 2" in later and f"/cases/{demo_site.case_id}/variants?type=SNV&amp;page=1" in later
    fragment = httpx.get(base, params={"page": "x"}, cookies=cookies, headers={"HX-Request": "true"}).text
    assert fragment.startswith('<div id="variant-rows">') and "Page 1" in fragment
