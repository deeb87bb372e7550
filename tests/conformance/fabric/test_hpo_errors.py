"""A report launched with malformed HPO ids is refused, naming each term; a well-formed id the shipped
ontology does not know (a newer HPO release's) is accepted and kept."""

from __future__ import annotations

import json

import pytest

from tests.conformance.fabric.conftest import call, raw
from tests.conftest import LiveServer
from tests.world import World
from vardesk.domain.enums import Role

NO_GENOMES = dict.fromkeys(
    (
        "mother_genome_id",
        "father_genome_id",
        "proband_genome_id",
        "sibling_genome_id",
        "duo_relation_genome_id",
    )
)


@pytest.fixture(scope="module")
def analyst(world: World) -> tuple[str, str]:
    return world.member("lab-a", Role.ANALYST).basic


def test_bad_hpo_terms_are_named(server: LiveServer, analyst: tuple[str, str]) -> None:
    pid = call(server, "POST", "/projects/", analyst, data={"project_name": "HPO"}).json()["id"]
    body = {
        "report_type": "Trio",
        **NO_GENOMES,
        "proband_sex": None,
        "background": "FULL",
        "project_id": str(pid),
    }
    for terms, text in [
        (["HP:1250"], "phenotype 'HP:1250' is not an HPO term id (HP:0000000)"),
        (["HP:0001250", "HP:00012500"], "phenotype 'HP:00012500' is not an HPO term id (HP:0000000)"),
    ]:
        launch = {**body, "accession_id": "ACC-HPO", "hpo_terms": json.dumps(terms)}
        r = call(server, "POST", "/reports/", analyst, **raw(json.dumps(launch).encode()))
        assert r.status_code == 400, r.text
        assert r.json() == {"description": text}
    launch = {**body, "accession_id": "ACC-HPO", "hpo_terms": json.dumps(["HP:0001250", "HP:9999999"])}
    ok = call(server, "POST", "/reports/", analyst, **raw(json.dumps(launch).encode()))
    assert ok.status_code == 200, ok.text
    assert ok.json()["clinical_report"]["hpo_terms"] == ["HP:0001250", "HP:9999999"]
