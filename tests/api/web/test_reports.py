"""A case's report in the browser: the preview PDF, the director's sign-out (password, four eyes), the final
PDF and an amendment.

Signing out locks a case, so these tests work on a case of their own (the demo trio's samples in a second
case, made through the core's services), never on the demo trio the other web tests read and edit.
"""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest

from tests.api.web.conftest import (
    DemoSite,
    _actor_of,
    _wait_for_jobs,
    screenshot,
    serious_violations,
    sign_in,
)
from vardesk.app.commands import SetReportVariant

STUDY = "demo@demo:default"


@pytest.fixture(scope="module")
def report_case(demo_site: DemoSite) -> tuple[int, str]:
    """A trio case with one variant to report (a primary finding, classified by the analyst): its id, gene."""
    services = demo_site.services
    analyst = _actor_of(services, demo_site.emails["analyst"])
    view = services.cases.create(
        analyst,
        STUDY,
        {
            "id": "REPORT-TRIO",
            "type": "trio",
            "title": "Report trio (synthetic)",
            "members": [
                {"relation": "PROBAND", "sample": "PROBAND", "sex": "FEMALE", "affected": "AFFECTED"},
                {"relation": "FATHER", "sample": "FATHER", "sex": "MALE", "affected": "UNAFFECTED"},
                {"relation": "MOTHER", "sample": "MOTHER", "sex": "FEMALE", "affected": "UNAFFECTED"},
            ],
        },
    )
    case_id = view.case.id or 0
    _wait_for_jobs(services)
    variant = next(v for v in services.interpretation.variants(analyst, str(case_id)) if v.gene)
    services.interpretation.set_report_variant(
        analyst,
        SetReportVariant(
            case=str(case_id),
            variant=variant.id or 0,
            to_report="PRIMARY_FINDING",
            classification="PATHOGENIC",
        ),
    )
    return case_id, variant.gene


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def _post(page: Any, path: str, form: dict[str, str]) -> Any:
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    return page.request.post(path, form={"csrf_token": token or "", **form}, max_redirects=0)


def test_analyst_previews_the_report_and_cannot_approve_it(
    page: Any, demo_site: DemoSite, report_case: tuple[int, str]
) -> None:
    case_id, gene = report_case
    sign_in(page, demo_site, "analyst")
    page.goto(f"/cases/{case_id}")
    page.get_by_role("link", name="Report", exact=True).click()
    page.get_by_role("heading", name="Report", exact=True).wait_for()
    assert page.title() == "Report — Vardesk"
    table = page.get_by_role("table", name="Variants to report")
    assert gene in table.inner_text()
    assert page.get_by_role("button", name="Approve report").count() == 0  # not a director
    assert serious_violations(page) == []

    href = page.get_by_role("link", name="Preview report").get_attribute("href")
    assert href == f"/cases/{case_id}/report/preview.pdf"
    r = page.request.get(href)
    assert r.status == 200 and r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == f'attachment; filename="report-preview-{case_id}.pdf"'
    assert r.headers["cache-control"] == "no-store"
    text = _pdf_text(r.body())
    assert "REPORT-TRIO" in text and gene in text

    # the analyst submits the case for approval
    page.get_by_label("Move the case to").select_option("WAITING FOR APPROVAL")
    page.get_by_role("button", name="Change status").click()
    page.get_by_role("heading", name="Report", exact=True).wait_for()
    assert page.locator(".status").first.inner_text() == "WAITING FOR APPROVAL"

    # the core refuses an analyst's approval, and the page says why
    r = _post(page, f"/cases/{case_id}/report/approve", {"password": demo_site.passwords["analyst"]})
    assert r.status == 403 and "needs the director role" in r.text()
    assert 'role="alert"' in r.text()
    # nothing approved: there is no final report
    r = page.request.get(f"/cases/{case_id}/report/final.pdf")
    assert r.status == 422 and "no approved report" in r.text()


def test_director_signs_out_downloads_the_final_report_and_amends_it(
    page: Any, demo_site: DemoSite, report_case: tuple[int, str]
) -> None:
    case_id, gene = report_case
    sign_in(page, demo_site, "director")
    page.goto(f"/cases/{case_id}/report")
    password = page.get_by_label("Password")
    password.fill("not-the-password")
    page.get_by_role("button", name="Approve report").click()
    assert page.get_by_role("alert").inner_text() == "The password is not correct"
    assert (
        demo_site.services.cases.get(
            _actor_of(demo_site.services, demo_site.emails["director"]), str(case_id)
        ).case.status
        != "APPROVED"
    )

    page.goto(f"/cases/{case_id}/report")
    page.get_by_label("Password").fill(demo_site.passwords["director"])
    page.get_by_role("button", name="Approve report").click()
    page.get_by_role("heading", name="Approved versions").wait_for()
    assert page.locator(".status").first.inner_text() == "APPROVED"
    assert page.get_by_role("button", name="Approve report").count() == 0
    assert serious_violations(page) == []
    screenshot(page, "report")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download final report").click()
    assert download.value.suggested_filename == f"report-final-{case_id}.pdf"
    text = _pdf_text(open(download.value.path(), "rb").read())
    assert "REPORT-TRIO" in text and gene in text
    assert page.request.get(f"/cases/{case_id}/report/final.pdf?version={case_id}").status == 200
    assert page.request.get(f"/cases/{case_id}/report/final.pdf?version=x").status == 400

    page.get_by_label("Reason for the amendment").fill("corrected the variant's description")
    page.get_by_role("button", name="Amend").click()
    page.wait_for_url(re.compile(r"/cases/\d+/report$"))
    new_id = int(page.url.rsplit("/", 2)[-2])
    assert new_id != case_id
    director = _actor_of(demo_site.services, demo_site.emails["director"])
    versions = demo_site.services.cases.versions(director, str(new_id))
    assert [v.case.id for v in versions][0] == case_id and versions[-1].case.id == new_id
    assert versions[-1].case.status != "APPROVED"
    # the amendment is open for work: it can be approved again, and the first version still downloads
    assert page.get_by_role("button", name="Approve report").count() == 1
    assert page.request.get(f"/cases/{new_id}/report/final.pdf?version={case_id}").status == 200
