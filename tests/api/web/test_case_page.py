"""The worklist's overview and filters, and a case's page: pedigree, phenotypes, ranked genes, history."""

from __future__ import annotations

from typing import Any

from tests.api.web.conftest import DemoSite, screenshot, serious_violations, sign_in

TRIO = "Demo trio (synthetic, not human)"


def test_the_worklist_counts_filters_and_sorts(page: Any, demo_site: DemoSite) -> None:
    sign_in(page, demo_site, "analyst")
    overview = page.get_by_role("region", name="Overview")
    assert overview.get_by_text("cases").count() >= 1
    total = int(overview.locator(".tiles li").first.locator(".n").inner_text())
    rows = page.get_by_role("table", name="Cases").locator("tbody tr")
    assert rows.count() == total >= 1
    status = page.get_by_label("Status")
    options = [o for o in status.locator("option").all_inner_texts() if o != "any"]
    assert options  # the statuses the workspace's cases have
    status.select_option(label=options[0])
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/cases?*status=*")
    shown = page.get_by_role("table", name="Cases").locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert shown and all(s.strip().lower() == options[0] for s in shown)
    assert serious_violations(page) == []
    screenshot(page, "cases")


def test_the_case_page_shows_pedigree_ranked_genes_and_history(page: Any, demo_site: DemoSite) -> None:
    sign_in(page, demo_site, "analyst")
    page.get_by_role("link", name=TRIO).click()
    page.get_by_role("heading", name=TRIO, level=1).wait_for()
    pedigree = page.get_by_role("img", name="Pedigree of the case (3 members)")
    assert pedigree.locator("g.ped-member").count() == 3
    assert pedigree.locator("g.ped-affected").count() >= 1  # the proband is affected
    assert pedigree.locator("line.ped-arrow").count() == 1
    genes = page.get_by_role("table", name="Ranked genes")
    ranks = genes.locator("tbody tr td:first-child").all_inner_texts()
    assert ranks and [int(r) for r in ranks] == list(range(1, len(ranks) + 1))
    # the evidence behind each gene: phenotype match, mode fit and burden columns are filled in
    first = genes.locator("tbody tr").first.locator("td").all_inner_texts()
    assert first[2] and first[5]
    assert page.get_by_role("heading", name="History").count() == 1
    assert page.locator("ol.history li").count() >= 1
    assert (
        page.get_by_role("link", name="Variants").get_attribute("href")
        == f"/cases/{demo_site.case_id}/variants"
    )
    assert serious_violations(page) == []
    screenshot(page, "case")


def test_phenotypes_are_added_with_suggestions_and_removed(page: Any, demo_site: DemoSite) -> None:
    sign_in(page, demo_site, "analyst")
    page.goto(f"/cases/{demo_site.case_id}")
    terms = page.locator("#phenotypes ul.terms li")
    before = terms.count()
    box = page.get_by_label("Add an HPO term")
    box.press_sequentially("Microcephal", delay=20)
    page.locator("#hpo-options option").first.wait_for(state="attached")
    values = page.locator("#hpo-options option").evaluate_all("os => os.map(o => o.value)")
    chosen = next(v for v in values if v.endswith(" Microcephaly"))
    box.fill(chosen)
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_role("status").filter(has_text="Phenotypes saved").wait_for()
    assert "HP:0000252" in page.locator("#phenotypes").inner_text()
    actor = demo_site.services.candidates.actor_of(_analyst_id(demo_site))
    stored = demo_site.services.cases.get(actor, str(demo_site.case_id)).case.hpo_terms
    assert "HP:0000252" in [t["id"] for t in stored]
    # an unknown term is refused by name, nothing is changed
    page.get_by_label("Add an HPO term").fill("no such phenotype at all")
    page.get_by_role("button", name="Add", exact=True).click()
    assert "No HPO term matches 'no such phenotype at all'" in page.get_by_role("alert").inner_text()
    page.goto(f"/cases/{demo_site.case_id}")
    page.get_by_role("button", name="Remove Microcephaly").click()
    page.get_by_role("status").filter(has_text="Phenotypes saved").wait_for()
    assert page.locator("#phenotypes ul.terms li").count() == before
    stored = demo_site.services.cases.get(actor, str(demo_site.case_id)).case.hpo_terms
    assert "HP:0000252" not in [t["id"] for t in stored]


def _analyst_id(site: DemoSite) -> int:
    with site.services.ctx.uow() as uow:
        ws = uow.workspaces.by_code("demo")
        return uow.users.by_email(ws.id, site.emails["analyst"]).id  # type: ignore[union-attr]
