"""Contract §1.2–1.5 and §1.8: cases created from bodies in the three shapes the UI sends and the CLI's
shapes, dry runs, the legacy create, reading with test_fields, the list with from/size, participants."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from tests.conformance.emedgene.conftest import call
from tests.conformance.emedgene.ui_bodies import UI_BODIES, ui_body_bytes
from tests.conftest import LiveServer
from tests.world import World
from vardesk.domain.enums import Role

EMG_NAME = re.compile(r"^EMG\d{9}$")


def _count(server: LiveServer, headers: dict[str, str]) -> int:
    r = call(server, "GET", "/api/test", headers, params={"size": 1})
    assert r.status_code == 200, r.text
    return r.json()["total"]


def _minimal(**over: Any) -> dict[str, Any]:
    """The CLI's body for one proband without files (an empty sample)."""
    body = {
        "should_upload": False,
        "sharing_level": 1,
        "test_data": {
            "type": "Exome",
            "sample_type": "vcf",
            "gene_list": {"id": 1, "type": "all", "visible": False},
            "boostGenes": False,
            "selected_preset_set": "Default",
            "sequence_info": {},
            "labels": [12],
            "notes": "free text",
            "extra_data": {"Institution": "GenoMed Solutions"},
            "patients": {
                "proband": {
                    "id": "proband",
                    "relationship": "Test Subject",
                    "gender": "Male",
                    "healthy": False,
                    "pending_sample_name": "S1",
                    "date_of_birth": "2013-06-23",
                    "phenotypes": [{"id": "phenotypes/EMG_PHENOTYPE_0001250"}],
                },
                "other": [],
            },
            "samples": [],
        },
    }
    body["test_data"].update(over)
    return body


@pytest.mark.parametrize("shape", sorted(UI_BODIES))
def test_ui_bodies_dry_run_then_create(server: LiveServer, analyst: dict[str, str], shape: str) -> None:
    raw = ui_body_bytes(shape)
    before = _count(server, analyst)
    r = call(server, "POST", "/api/cases/v2/cases?dry_run=true", analyst, data=raw)
    assert r.status_code == 200, r.text
    assert _count(server, analyst) == before  # a dry run creates nothing
    r = call(server, "POST", "/api/cases/v2/cases?dry_run=false", analyst, data=raw)
    assert r.status_code == 201, r.text
    doc = r.json()
    assert EMG_NAME.match(doc["name"]) and doc["Status"] == "Uploading"
    got = call(server, "GET", f"/api/test/{doc['name']}", analyst).json()
    sent = json.loads(raw)["test_data"]
    assert got["patients"] == sent["patients"]  # the tree as drawn, virtual parents included
    assert got["type"] == "Exome" and got["status"] == "Uploading"
    proband = sent["patients"]["proband"]
    want = ["phenotypes/EMG_PHENOTYPE_" + p["id"].rsplit("_", 1)[1] for p in proband["phenotypes"]]
    assert [p["id"] for p in got["phenotypes"]] == want
    assert _count(server, analyst) == before + 1


def test_minimal_body_fields_round_trip(server: LiveServer, analyst: dict[str, str], world: World) -> None:
    r = call(server, "POST", "/api/cases/v2/cases/", analyst, data=json.dumps(_minimal()))
    assert r.status_code == 201, r.text
    name = r.json()["name"]
    doc = call(server, "GET", f"/api/test/{name}/", analyst).json()
    assert doc["labels"] == [12] and doc["selected_preset_set"] == "Default"
    assert doc["extra_data"] == {"Institution": "GenoMed Solutions"} and doc["sharing_level"] == 1
    assert doc["geneListName"] == "All genes" and doc["genes"] == []
    assert doc["phenotypes"][0]["name"] == "Seizure"
    # the canonical patient facts every face (and the report) reads
    services = server.services
    actor = world.member("lab-a", Role.ANALYST).actor
    view = services.cases.get(actor, name, services.case_intake.home(actor, "emedgene"))
    facts = view.case.patient_fields
    assert facts["Patient DOB"] == "2013-06-23" and facts["Patient Sex"] == "Male"
    assert facts["Institution"] == "GenoMed Solutions"
    assert [(m.relation, m.sex.value, m.affected.value) for m, _ in view.members] == [
        ("PROBAND", "MALE", "AFFECTED")
    ]


def test_phenotypes_in_all_three_shapes(server: LiveServer, analyst: dict[str, str]) -> None:
    body = _minimal()
    body["test_data"]["patients"]["proband"]["phenotypes"] = [
        {"id": "phenotypes/EMG_PHENOTYPE_0001250", "name": "Seizure", "related": True, "diseasesIds": []},
        {"id": "HP:0001263"},
        {"name": "Microcephaly"},
    ]
    r = call(server, "POST", "/api/cases/v2/cases", analyst, data=json.dumps(body))
    assert r.status_code == 201, r.text
    got = call(
        server, "GET", f"/api/test/{r.json()['name']}", analyst, params={"test_fields": "phenotypes"}
    ).json()
    assert [p["hpo_id"] for p in got["phenotypes"]] == ["HP:0001250", "HP:0001263", "HP:0000252"]
    body["test_data"]["patients"]["proband"]["phenotypes"] = [{"name": "Not a phenotype at all"}]
    before = _count(server, analyst)
    r = call(server, "POST", "/api/cases/v2/cases?dry_run=true", analyst, data=json.dumps(body))
    assert r.status_code == 422 and r.json()["message"].startswith("Unmatched phenotype(s) found")
    assert _count(server, analyst) == before


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"due_date": "2024-02-30"}, "due_date"),
        ({"labels": ["NICU"]}, "labels"),
        ({"gene_list": {"type": "existing"}}, "gene_list.id"),
        ({"gene_list": {"type": "existing", "id": 999999}}, "panel"),
        ({"notes": "x" * 4001}, "notes"),
        ({"patients": {"other": []}}, "proband"),
    ],
)
def test_invalid_bodies_name_the_problem(server: LiveServer, analyst: dict[str, str], change, words) -> None:  # type: ignore[no-untyped-def]
    before = _count(server, analyst)
    r = call(server, "POST", "/api/cases/v2/cases?dry_run=true", analyst, data=json.dumps(_minimal(**change)))
    assert 400 <= r.status_code < 500 and words in r.json()["message"], r.text
    r = call(server, "POST", "/api/cases/v2/cases", analyst, data=json.dumps(_minimal(**change)))
    assert 400 <= r.status_code < 500
    assert _count(server, analyst) == before


def test_bad_gender_and_sharing_level(server: LiveServer, analyst: dict[str, str]) -> None:
    body = _minimal()
    body["test_data"]["patients"]["proband"]["gender"] = "string"
    r = call(server, "POST", "/api/cases/v2/cases", analyst, data=json.dumps(body))
    assert r.status_code == 400 and "gender" in r.json()["message"]
    body = _minimal()
    body["sharing_level"] = 5
    r = call(server, "POST", "/api/cases/v2/cases", analyst, data=json.dumps(body))
    assert r.status_code == 400 and "sharing_level" in r.json()["message"]


def test_legacy_create_and_pending_sequencing(server: LiveServer, analyst: dict[str, str]) -> None:
    body = _minimal()
    body["test_data"]["patients"]["proband"]["pending_sample_name"] = "PENDING-7"
    body["test_data"]["samples"] = [{"fastq": "PENDING-7", "status": "uploaded"}]  # an empty sample [CLI]
    body["should_upload"] = True  # [PY26]: "True will set case into pending-sequencing"
    r = call(server, "POST", "/api/test/", analyst, data=json.dumps(body))
    assert r.status_code == 201, r.text
    name = r.json()["name"]
    r = call(server, "GET", f"/api/test/{name}", analyst, params=[("test_fields", "status")])
    assert r.json() == {"name": name, "status": "Pending sequencing"}
    # the empty sample is found by name with its case (CQGC's get_emg_id reads hits[0].note)
    r = call(server, "GET", "/api/sample/", analyst, params={"query": "PENDING-7", "sampleType": "fastq"})
    assert r.json()["total"] == 1 and r.json()["hits"][0]["note"] == name


def test_get_with_repeated_test_fields_and_a_body(server: LiveServer, analyst: dict[str, str]) -> None:
    name = call(server, "POST", "/api/cases/v2/cases", analyst, data=json.dumps(_minimal())).json()["name"]
    r = call(
        server,
        "GET",
        f"/api/test/{name}/",
        analyst,
        params=[("test_fields", "status"), ("test_fields", "participants"), ("test_fields", "patients")],
        data=json.dumps({"test_fields": ["status"]}),  # [VV-B] sends a JSON body on GET
    )
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"name", "status", "participants", "patients"}


def test_list_pages_with_from_and_size(server: LiveServer, analyst: dict[str, str]) -> None:
    for _ in range(2):
        call(server, "POST", "/api/cases/v2/cases", analyst, data=json.dumps(_minimal()))
    everything = call(server, "GET", "/api/test", analyst, params={"size": 100}).json()
    total = everything["total"]
    assert total >= 2 and len(everything["hits"]) == total
    names = [h["name"] for h in everything["hits"]]
    sixth = call(server, "GET", "/api/test", analyst, params={"from": 1, "size": 1}).json()
    assert sixth["hits"][0]["name"] == names[1] and sixth["from"] == 1 and sixth["size"] == 1
    r = call(server, "GET", "/api/test", analyst, params={"from": "-1"})
    assert r.status_code == 400 and "from" in r.json()["message"]


def test_participants(server: LiveServer, analyst: dict[str, str], world: World) -> None:
    name = call(server, "POST", "/api/cases/v2/cases", analyst, data=json.dumps(_minimal())).json()["name"]
    director = world.member("lab-a", Role.DIRECTOR).email
    r = call(
        server,
        "PUT",
        f"/api/test/{name}/add_participants_on_create/",
        analyst,
        data=json.dumps({"emails": [director]}),
    )
    assert r.status_code == 200, r.text
    got = call(server, "GET", f"/api/test/{name}", analyst, params={"test_fields": "participants"}).json()
    assert [p["email"] for p in got["participants"]] == [director]
    other = world.member("lab-b", Role.DIRECTOR).email
    r = call(
        server,
        "PUT",
        f"/api/test/{name}/add_participants_on_create",
        analyst,
        data=json.dumps({"emails": [other]}),
    )
    assert r.status_code == 400 and "not users" in r.json()["message"]


def test_other_workspace_sees_nothing(
    server: LiveServer, analyst: dict[str, str], stranger: dict[str, str]
) -> None:
    name = call(server, "POST", "/api/cases/v2/cases", analyst, data=json.dumps(_minimal())).json()["name"]
    for path in (f"/api/test/{name}", f"/api/candidates/{name}", f"/api/test/{name}/export"):
        r = call(server, "GET", path, stranger)
        assert r.status_code == 404 and r.json()["message"], path
    assert name not in [
        h["name"] for h in call(server, "GET", "/api/test", stranger, params={"size": 100}).json()["hits"]
    ]


def test_viewer_cannot_create(server: LiveServer, world: World) -> None:
    from tests.conformance.emedgene.conftest import login

    m = world.member("lab-a", Role.VIEWER)
    headers = login(server, m.email, m.password)
    body = copy.deepcopy(_minimal())
    r = call(server, "POST", "/api/cases/v2/cases?dry_run=true", headers, data=json.dumps(body))
    assert r.status_code == 403 and r.json()["message"]


def test_labels_filter_the_case_list(server: LiveServer, analyst: dict[str, str]) -> None:
    nicu = call(server, "POST", "/api/cases/v2/cases", analyst, data=json.dumps(_minimal(labels=[701])))
    picu = call(server, "POST", "/api/cases/v2/cases", analyst, data=json.dumps(_minimal(labels=[702, 703])))
    assert nicu.status_code == picu.status_code == 201
    names = {nicu.json()["name"]: [701], picu.json()["name"]: [702, 703]}

    def listed(params: Any) -> list[str]:
        r = call(server, "GET", "/api/test", analyst, params=params)
        assert r.status_code == 200, r.text
        assert r.json()["total"] == len(r.json()["hits"])
        return [h["name"] for h in r.json()["hits"]]

    assert listed({"labels": "701", "size": 100}) == [nicu.json()["name"]]
    assert sorted(listed([("labels", "701"), ("labels", "703"), ("size", "100")])) == sorted(names)
    assert sorted(listed({"labels": "703,701", "size": 100})) == sorted(names)
    assert listed({"label": "702"}) == [picu.json()["name"]]
    assert listed({"labels": "704"}) == []
    r = call(server, "GET", "/api/test", analyst, params={"labels": "NICU"})
    assert r.status_code == 400 and "labels" in r.json()["message"]


def test_preset_gene_list_mode_and_consent_reach_the_analysis(
    server: LiveServer, analyst: dict[str, str], world: World
) -> None:
    body = _minimal(
        selected_preset_set="high quality",
        incidental_findings="Yes",
        boostGenes=True,
        gene_list={"type": "new", "name": "Marfan", "visible": True, "genes": [{"name": "FBN1"}]},
    )
    r = call(server, "POST", "/api/cases/v2/cases", analyst, data=json.dumps(body))
    assert r.status_code == 201, r.text
    doc = call(server, "GET", f"/api/test/{r.json()['name']}", analyst).json()
    assert doc["preset"] == "High quality" and doc["selected_preset_set"] == "high quality"
    assert doc["gene_list_mode"] == "boosted" and doc["secondary_findings"] is True
    services = server.services
    actor = world.member("lab-a", Role.ANALYST).actor
    case = services.cases.get(actor, doc["name"], services.case_intake.home(actor, "emedgene")).case
    assert case.filter_preset["min_dp"] == 10 and case.filter_preset["pass_only"] is True
    assert case.filter_preset["boost_genes"] is True and case.filter_preset["secondary_findings"] is True
    # a gene list without boost is a virtual panel; no gene list boosts nothing; no opt-in, no findings
    body = _minimal(gene_list={"type": "new", "name": "Marfan 2", "visible": True, "genes": ["FBN1"]})
    doc = call(server, "POST", "/api/cases/v2/cases", analyst, data=json.dumps(body)).json()
    assert doc["gene_list_mode"] == "virtual_panel" and doc["secondary_findings"] is False
    doc = call(
        server, "POST", "/api/cases/v2/cases", analyst, data=json.dumps(_minimal(boostGenes=True))
    ).json()
    assert doc["gene_list_mode"] == "all" and doc["preset"] == "Default"
    before = _count(server, analyst)
    for change, words in (
        ({"selected_preset_set": "PANELS_v1"}, "selected_preset_set"),
        ({"incidental_findings": "perhaps"}, "incidental_findings"),
    ):
        r = call(
            server, "POST", "/api/cases/v2/cases?dry_run=true", analyst, data=json.dumps(_minimal(**change))
        )
        assert r.status_code == 400 and words in r.json()["message"], r.text
    assert _count(server, analyst) == before
