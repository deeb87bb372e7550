"""Interpreting a report variant in the browser: the reviewer's tag, status and note; ACMG/AMP criteria with
the class the server computes, an override refused without a reason; a viewer reads without forms."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.api.web.conftest import DemoSite, _actor_of, screenshot, serious_violations, sign_in
from vardesk.app.cases.acmg_evidence import combined
from vardesk.domain.enums import VariantTag


def _first(site: DemoSite) -> Any:
    actor = _actor_of(site.services, site.emails["analyst"])
    return site.services.interpretation.variants(actor, str(site.case_id))[0]


def _reload(site: DemoSite, vid: int) -> Any:
    actor = _actor_of(site.services, site.emails["analyst"])
    return next(v for v in site.services.interpretation.variants(actor, str(site.case_id)) if v.id == vid)


def test_analyst_tags_a_variant_and_sets_a_criterion(page: Any, demo_site: DemoSite) -> None:
    rv = _first(demo_site)
    sign_in(page, demo_site, "analyst")
    page.goto(f"/cases/{demo_site.case_id}/variants/{rv.id}/interpretation")
    assert page.title() == "Variant interpretation — Vardesk"
    assert serious_violations(page) == []
    page.get_by_label("Candidate", exact=True).check()
    page.get_by_label("Add a note").fill("segregates with the phenotype")
    page.get_by_role("button", name="Save interpretation").click()
    page.get_by_role("status").filter(has_text="Interpretation saved.").wait_for()
    saved = _reload(demo_site, rv.id)
    assert saved.tag is VariantTag.CANDIDATE
    assert saved.internal_notes.endswith("segregates with the phenotype")
    assert page.get_by_label("Candidate", exact=True).is_checked()
    assert (
        page.get_by_role("list", name="Variant history").filter(has_text="tag: none → candidate").count() == 1
    )

    table = page.get_by_role("table", name="ACMG criteria")
    assert table.get_by_role("row").count() == 1 + 28  # every criterion, PVS1 … BP7
    # PS3 is never met automatically: setting it is an override and needs a reason
    page.get_by_label("PS3 state").select_option("met")
    page.get_by_label("PS3 strength").select_option("MODERATE")
    page.get_by_role("button", name="Save criteria").click()
    page.get_by_role("alert").filter(has_text="PS3: give a reason").wait_for()
    assert _reload(demo_site, rv.id).criteria_labels == rv.criteria_labels  # nothing stored
    page.get_by_label("PS3 state").select_option("met")
    page.get_by_label("PS3 strength").select_option("MODERATE")
    page.get_by_label("PS3 reason").fill("RNA study shows aberrant splicing")
    page.get_by_role("button", name="Save criteria").click()
    page.get_by_role("status").filter(has_text="ACMG criteria and classification saved.").wait_for()
    after = _reload(demo_site, rv.id)
    assert "PS3_Moderate" in after.criteria_labels
    assert next(m for m in after.criteria if m.code == "PS3").comment == "RNA study shows aberrant splicing"
    expected = combined(after).suggested  # type: ignore[union-attr]
    result = page.locator("#acmg-result").inner_text()
    assert expected.classification.value in result
    if expected.points is not None:
        assert f"points: {expected.points}" in result
    assert page.get_by_label("PS3 state").input_value() == "met"
    # the class the reviewer chose is recorded on the variant (pre-filled with the server's suggestion)
    page.get_by_label("Classification", exact=True).select_option("Likely pathogenic")
    page.get_by_role("button", name="Save criteria").click()
    page.locator(".acmg-class").filter(has_text="Likely pathogenic").wait_for()
    assert _reload(demo_site, rv.id).classification == "Likely pathogenic"
    assert serious_violations(page) == []
    screenshot(page, "acmg")


def test_a_viewer_reads_without_forms_and_cannot_post(page: Any, demo_site: DemoSite) -> None:
    rv = _first(demo_site)
    sign_in(page, demo_site, "viewer")
    page.goto(f"/cases/{demo_site.case_id}/variants/{rv.id}/interpretation")
    page.get_by_role("table", name="ACMG criteria").wait_for()
    assert page.get_by_role("button", name="Save interpretation").count() == 0
    assert page.get_by_role("button", name="Save criteria").count() == 0
    cookie = next(c for c in page.context.cookies() if c["name"] == "vardesk_session")
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    r = httpx.post(
        f"{demo_site.url}/cases/{demo_site.case_id}/variants/{rv.id}/interpretation",
        data={"csrf_token": csrf, "tag": "carrier"},
        cookies={"vardesk_session": cookie["value"]},
    )
    assert r.status_code == 403
    assert _reload(demo_site, rv.id).tag is not VariantTag.CARRIER


def test_the_fragment_is_bare_for_htmx(page: Any, demo_site: DemoSite) -> None:
    rv = _first(demo_site)
    sign_in(page, demo_site, "analyst")
    cookie = next(c for c in page.context.cookies() if c["name"] == "vardesk_session")
    r = httpx.get(
        f"{demo_site.url}/cases/{demo_site.case_id}/variants/{rv.id}/interpretation",
        headers={"HX-Request": "true"},
        cookies={"vardesk_session": cookie["value"]},
    )
    assert r.status_code == 200
    assert re.match(r"\s*<section id=\"interpretation\"", r.text)
    assert "<html" not in r.text
