"""Individuals and cases with malformed HPO ids are refused, naming each term; a well-formed id the shipped
ontology does not know (a newer HPO release's) is kept and reported as a WARNING event, never refused."""

from __future__ import annotations

import requests

from tests.conftest import LiveServer
from tests.world import build_world
from vardesk.domain.enums import Role

API = "/api/v2"


def test_bad_hpo_terms_are_named(live_server: LiveServer) -> None:
    world = build_world(live_server.services, ("lab-a",))
    analyst = world.member("lab-a", Role.ANALYST)
    live_server.services.projects.create_project(
        analyst.actor, {"id": "hpo", "organism": {"assembly": "GRCh37"}}
    )
    for i, (terms, text) in enumerate(
        [
            (["HP:1250"], "phenotype 'HP:1250' is not an HPO term id (HP:0000000)"),
            ([{"id": " HP:0001250x"}], "phenotype 'HP:0001250x' is not an HPO term id (HP:0000000)"),
        ]
    ):
        r = requests.post(
            live_server.url + API + "/individuals/create",
            params={"study": "hpo:default"},
            json={"id": f"P{i}", "phenotypes": terms},
            auth=analyst.basic,
            timeout=60,
        )
        assert r.status_code == 400, r.text
        assert r.json()["events"][0]["message"] == text, r.text
    ok = requests.post(  # a valid term is kept, named from the ontology
        live_server.url + API + "/individuals/create",
        params={"study": "hpo:default", "includeResult": "true"},
        json={"id": "P9", "phenotypes": ["HP:0001250"]},
        auth=analyst.basic,
        timeout=60,
    )
    assert ok.status_code == 200, ok.text
    assert [p["id"] for p in ok.json()["responses"][0]["results"][0]["phenotypes"]] == ["HP:0001250"]
    newer = requests.post(  # an id this HPO release lacks: kept, flagged, a warning in the response
        live_server.url + API + "/individuals/create",
        params={"study": "hpo:default", "includeResult": "true"},
        json={"id": "P10", "phenotypes": ["HP:0001250", {"id": "HP:9999999", "name": "newer term"}]},
        auth=analyst.basic,
        timeout=60,
    )
    assert newer.status_code == 200, newer.text
    body = newer.json()
    kept = body["responses"][0]["results"][0]["phenotypes"]
    assert [p["id"] for p in kept] == ["HP:0001250", "HP:9999999"]
    warnings = [e for e in body["events"] if e["type"] == "WARNING"]
    assert len(warnings) == 1 and "HP:9999999" in warnings[0]["message"], body["events"]
    case = requests.post(  # a case too: created (not 400), the term stored, the warning in the events
        live_server.url + API + "/analysis/clinical/create",
        params={"study": "hpo:default", "includeResult": "true"},
        json={
            "id": "C-NEWER",
            "caseType": "exome",
            "hpoTerms": [{"id": "HP:9999999"}, {"id": "HP:0001263", "status": "NOT_OBSERVED"}],
            "members": [{"relation": "PROBAND", "sex": "FEMALE", "affected": "AFFECTED"}],
        },
        auth=analyst.basic,
        timeout=60,
    )
    assert case.status_code == 200, case.text
    assert [e["type"] for e in case.json()["events"]] == ["WARNING"]
    assert "HP:9999999" in case.json()["events"][0]["message"]
