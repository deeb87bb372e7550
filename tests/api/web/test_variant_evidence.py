"""A variant's page: the stored annotation's in-silico scores (or "not available") and the other cases
of the workspace carrying the variant, linked by their ids."""

from __future__ import annotations

from typing import Any

from tests.api.web.conftest import DemoSite, _actor_of, screenshot, serious_violations, sign_in
from vardesk.app.cases.evidence import SCORES


def _solo_case(site: DemoSite) -> int:
    """A second case of the workspace on the trio's father genome (made once per demo site)."""
    actor = _actor_of(site.services, site.emails["analyst"])
    with site.services.ctx.uow() as uow:
        trio = uow.cases.get(site.case_id)
        solo = [c for c in uow.cases.in_studies([trio.study_id]) if c.code == "DEMO-SOLO"]  # type: ignore[union-attr]
    if solo:
        return solo[0].id or 0
    made = site.services.cases.create(
        actor,
        "demo:default",
        {
            "id": "DEMO-SOLO",
            "type": "exome",
            "title": "Demo father alone (synthetic)",
            "members": [{"relation": "PROBAND", "sample": "FATHER", "sex": "MALE", "affected": "AFFECTED"}],
        },
    )
    return made.case.id or 0


def _father_carries(g: dict[str, Any]) -> bool:
    gt = str(g.get("gt") or "").replace("|", "/")
    member = str(g.get("member") or g.get("label") or "").upper()
    return member == "FATHER" and any(a not in ("0", ".") for a in gt.split("/"))


def test_scores_and_observations_in_other_cases(page: Any, demo_site: DemoSite) -> None:
    solo = _solo_case(demo_site)
    actor = _actor_of(demo_site.services, demo_site.emails["analyst"])
    rows = demo_site.services.interpretation.variants(actor, str(demo_site.case_id))
    carried = next(v for v in rows if any(_father_carries(g) for g in v.genotypes))
    evidence = demo_site.services.evidence.evidence(actor, str(demo_site.case_id), carried.id or 0)
    assert [s.column for s in evidence.scores] == [c for c, _ in SCORES]
    # the shared demo site may hold other tests' cases on the same genomes: the new case is among them
    mine = [o for o in evidence.observations if o.case_id == solo]
    assert len(mine) == 1 and mine[0].genome == "FATHER" and mine[0].gt
    assert str(demo_site.case_id) not in {str(o.case_id) for o in evidence.observations}  # not itself
    with demo_site.services.ctx.uow() as uow:
        assert uow.audit.search(actor.workspace_id, "variant_evidence_read")

    sign_in(page, demo_site, "analyst")
    page.goto(f"/cases/{demo_site.case_id}/variants/{carried.id}")
    scores = page.get_by_role("table", name="In-silico scores")
    assert scores.locator("tbody tr").count() == len(SCORES)
    text = scores.inner_text()
    assert "REVEL" in text and "CADD" in text
    for i, s in enumerate(evidence.scores):
        shown = scores.locator("tbody tr").nth(i).inner_text()
        assert s.label in shown and (("not available" in shown) == (s.value is None)), shown
    observed = page.get_by_role("table", name="Observations in other cases")
    link = observed.get_by_role("link", name="DEMO-SOLO")
    assert link.get_attribute("href") == f"/cases/{solo}"
    assert "FATHER" in observed.inner_text()
    assert serious_violations(page) == []
    screenshot(page, "variant-evidence")
