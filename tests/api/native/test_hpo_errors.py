"""Individuals and cases with HPO terms that are malformed or unknown are refused, naming each term."""

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
            (["HP:0001250", "HP:9999999"], "1 invalid HPO term(s): 'HP:9999999': unknown HPO term"),
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
