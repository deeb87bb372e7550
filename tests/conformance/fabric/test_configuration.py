"""Contract §3.7, §3.9, §3.10, §5.8 and §5.10 replayed as the FE2 scripts send them: assay types
(get_assay_types.py), panel edits (post_panel.py --i), condition genes (upload_condition_genes.py) and
secondary-analysis jobs (create_job.py, find_job.py); chain §12.6 reads ``objects[0].wso_id`` and then
``quality_control_fields`` of that assay type."""

from __future__ import annotations

import json
import re
import uuid

import pytest

from tests.conformance.fabric.conftest import call, raw
from tests.conftest import LiveServer
from tests.world import World
from vardesk.app.cases.configuration import DEFAULT_ASSAY
from vardesk.domain.enums import Role

NAIVE_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


@pytest.fixture(scope="module")
def analyst(world: World) -> tuple[str, str]:
    return world.member("lab-a", Role.ANALYST).basic


@pytest.fixture(scope="module")
def other(world: World) -> tuple[str, str]:
    """Another laboratory's analyst: nothing of lab-a exists for it."""
    return world.member("lab-b", Role.ANALYST).basic


@pytest.fixture(scope="module")
def viewer(world: World) -> tuple[str, str]:
    return world.member("lab-a", Role.VIEWER).basic


# -- E29, E30 assay types ------------------------------------------------------------------------------
def test_assay_types_list_and_one_as_chain_6_reads_them(
    server: LiveServer, world: World, analyst: tuple[str, str]
) -> None:
    r = call(server, "GET", "/assay_types", analyst)  # get_assay_types.py: no trailing slash
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    docs = r.json()["objects"]
    first = docs[0]
    assert isinstance(first["wso_id"], int) and first["id"] == first["wso_id"]
    assert first["workspace_id"] == world.member("lab-a", Role.ANALYST).actor.workspace_id
    name, description, fields = DEFAULT_ASSAY
    assert first["name"] == name and first["description"] == description
    assert first["quality_control_fields"] == fields
    assert NAIVE_ISO.fullmatch(first["created_on"])
    assert call(server, "GET", "/assay_types/", analyst).json()["objects"] == docs

    # get_assay_types.py --assay_type_id $AT (argparse gives a string; the URL is the same)
    one = call(server, "GET", f"/assay_types/{first['wso_id']}", analyst)
    assert one.status_code == 200 and one.json() == first
    assert call(server, "GET", f"/assay_types/{first['wso_id']}/", analyst).json()[
        "quality_control_fields"
    ] == (fields)


def test_assay_type_errors_and_workspace_isolation(
    server: LiveServer, analyst: tuple[str, str], other: tuple[str, str]
) -> None:
    mine = call(server, "GET", "/assay_types", analyst).json()["objects"][0]["wso_id"]
    r = call(server, "GET", "/assay_types/987654", analyst)
    assert r.status_code == 404 and r.json()["description"]
    r = call(server, "GET", "/assay_types/not-a-number", analyst)
    assert r.status_code == 400 and r.json()["description"]
    r = call(server, "GET", f"/assay_types/{mine}", other)
    assert r.status_code == 404 and r.json()["description"]
    theirs = call(server, "GET", "/assay_types", other).json()["objects"]
    assert theirs and mine not in [a["wso_id"] for a in theirs]
    r = call(server, "GET", "/assay_types", None)
    assert r.status_code == 401 and r.json()["description"]


# -- E33 panel edit ------------------------------------------------------------------------------------
def put_panel(server: LiveServer, who: tuple[str, str] | None, panel_id: object, **given: str) -> object:
    """post_panel.py --i: all six keys, null for every option not given; json.dumps, no Content-Type."""
    keys = ("name", "description", "methodology", "limitations", "fda_disclosure", "test_code")
    body = json.dumps({k: given.get(k) for k in keys})
    return call(server, "PUT", f"/panels/{panel_id}", who, **raw(body.encode()))


@pytest.fixture(scope="module")
def panel(server: LiveServer, analyst: tuple[str, str]) -> dict:
    body = json.dumps({"name": "Hearing 6", "description": "hearing loss", "methodology": "NGS",
                       "limitations": "none", "fda_disclosure": "LDT", "test_code": "HL-6"})  # fmt: skip
    r = call(server, "POST", "/panels/", analyst, **raw(body.encode()))
    assert r.status_code == 200, r.text
    return r.json()


def test_panel_put_changes_given_keys_and_leaves_nulls(
    server: LiveServer, analyst: tuple[str, str], panel: dict
) -> None:
    r = put_panel(server, analyst, panel["id"], name="Hearing 6 v2", description="hearing loss v2")
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["id"] == panel["id"]
    assert doc["name"] == "Hearing 6 v2" and doc["description"] == "hearing loss v2"
    assert (doc["methodology"], doc["limitations"], doc["fda_disclosure"], doc["test_code"]) == (
        "NGS",
        "none",
        "LDT",
        "HL-6",
    )
    # then --g "GJB2, SLC26A4" (E35) on the same id, and get_panels.py --n finds the new name
    r = call(
        server, "POST", f"/panels/{panel['id']}/regions", analyst, **raw(b'{"gene_symbols": "GJB2, SLC26A4"}')
    )
    assert r.json()["added"] == ["GJB2", "SLC26A4"]
    found = call(server, "GET", "/panels/?name=Hearing 6 v2&", analyst).json()["objects"]
    assert [p["id"] for p in found] == [panel["id"]]
    regions = call(server, "GET", f"/panels/{panel['id']}/regions", analyst).json()
    assert [g["symbol"] for g in regions] == ["GJB2", "SLC26A4"]
    # the slash form, one key, the rest untouched
    r = call(server, "PUT", f"/panels/{panel['id']}/", analyst, **raw(b'{"test_code": "HL-6b"}'))
    assert r.status_code == 200 and r.json()["test_code"] == "HL-6b" and r.json()["name"] == "Hearing 6 v2"


def test_panel_put_errors_and_isolation(
    server: LiveServer,
    analyst: tuple[str, str],
    other: tuple[str, str],
    viewer: tuple[str, str],
    panel: dict,
) -> None:
    r = put_panel(server, analyst, 987654, name="x")
    assert r.status_code == 404 and r.json()["description"]  # post_panel.py prints it
    r = put_panel(server, analyst, panel["id"], name="")
    assert r.status_code == 400 and "name" in r.json()["description"]
    r = call(server, "PUT", f"/panels/{panel['id']}", analyst, **raw(b"{not json"))
    assert r.status_code == 400 and r.json()["description"]
    r = put_panel(server, other, panel["id"], name="Stolen")
    assert r.status_code == 404 and r.json()["description"]
    r = put_panel(server, viewer, panel["id"], name="Viewed")
    assert r.status_code == 403 and r.json()["description"]
    assert call(server, "GET", f"/panels/{panel['id']}", analyst).json()["name"] not in (
        "",
        "Stolen",
        "Viewed",
    )


# -- E36, E37 condition genes ---------------------------------------------------------------------------
def row(cui: str | None, gene: str, condition: str, **cells: str | None) -> dict:
    """The payload upload_condition_genes.py builds from one CSV row ("NULL" cells → None)."""
    keys = ("inheritance", "prevalence", "penetrance", "notes", "age_of_onset", "pmids")
    return {"CUI": cui, "gene_symbol": gene, "condition": condition, **{k: cells.get(k) for k in keys}}


def post_condition(server: LiveServer, who: tuple[str, str], payload: dict):  # type: ignore[no-untyped-def]
    # requests.post(url, json=payload) → Content-Type: application/json
    return call(server, "POST", "/condition_genes/", who, json=payload)


def check_first(server: LiveServer, who: tuple[str, str], cui: str, gene: str) -> list[dict]:
    r = call(server, "GET", f"/condition_genes/?cui={cui}&gene_symbol={gene}", who)
    assert r.status_code == 200
    return r.json()["objects"]


def test_condition_genes_upload_then_check(server: LiveServer, analyst: tuple[str, str]) -> None:
    # rows of the shipped condition_genes.csv.gz, as the script turns them into payloads
    rows = [
        row("C0037050", "NCOR1", "Sick Building Syndrome", prevalence="", penetrance="", notes="5"),
        row("C1861848", "SDHB", "PARAGANGLIOMAS 4", inheritance="Autosomal dominant inheritance",
            prevalence="1-9 / 1 000 000", age_of_onset="Childhood", notes="", penetrance="It is mine"),
        row("C0183089", "RYR2", "saw (device)", prevalence="", notes="", penetrance=""),
        row("C0049719", "RYR2", "SRTP", prevalence="", notes="", penetrance="", pmids="12345, 67890"),
    ]  # fmt: skip
    for payload in rows:
        r = post_condition(server, analyst, payload)
        assert r.status_code == 200, r.text  # the script logs "Created condition-gene" only on 200
    first = post_condition(server, analyst, rows[0]).json()
    assert isinstance(first["id"], int)
    assert (first["cui"], first["gene_symbol"], first["condition"]) == (
        "C0037050",
        "NCOR1",
        "Sick Building Syndrome",
    )
    assert first["notes"] == "5" and first["inheritance"] is None and first["pmids"] == []

    # --check skips a row only when more than one match exists: one match per (CUI, gene) here,
    # and posting a row again updates it instead of adding a second
    assert [d["id"] for d in check_first(server, analyst, "C0037050", "NCOR1")] == [first["id"]]
    sdhb = check_first(server, analyst, "C1861848", "SDHB")
    assert len(sdhb) == 1 and sdhb[0]["penetrance"] == "It is mine" and sdhb[0]["age_of_onset"] == "Childhood"
    assert [d["condition"] for d in check_first(server, analyst, "c0049719", "ryr2")] == ["SRTP"]
    assert check_first(server, analyst, "C0049719", "RYR2")[0]["pmids"] == ["12345", "67890"]
    by_gene = call(server, "GET", "/condition_genes?gene_symbol=RYR2", analyst).json()["objects"]
    assert sorted(d["cui"] for d in by_gene) == ["C0049719", "C0183089"]
    assert check_first(server, analyst, "C0000000", "NCOR1") == []

    changed = post_condition(server, analyst, {**rows[0], "notes": "6"})
    assert changed.status_code == 200 and changed.json()["id"] == first["id"]
    assert [d["notes"] for d in check_first(server, analyst, "C0037050", "NCOR1")] == ["6"]


def test_condition_gene_errors_and_isolation(
    server: LiveServer, analyst: tuple[str, str], other: tuple[str, str], viewer: tuple[str, str]
) -> None:
    r = post_condition(server, analyst, row(None, "BRCA1", "Breast Adenosis"))
    assert r.status_code == 422 and "CUI" in r.json()["description"]
    r = post_condition(server, analyst, row("C0085750", "", "Breast Adenosis"))
    assert r.status_code == 422 and "gene_symbol" in r.json()["description"]
    r = post_condition(server, analyst, row("C0085750", "BRCA1", ""))
    assert r.status_code == 400 and "condition" in r.json()["description"]
    r = post_condition(server, analyst, row("C0085750", "BRCA1", "Breast Adenosis", pmids="PMID:1"))
    assert r.status_code == 400 and "PMID" in r.json()["description"]
    r = post_condition(server, viewer, row("C0085750", "BRCA1", "Breast Adenosis"))
    assert r.status_code == 403 and r.json()["description"]
    assert check_first(server, analyst, "C0085750", "BRCA1") == []

    assert post_condition(server, analyst, row("C0011135", "PCSK9", "Defecation")).status_code == 200
    assert check_first(server, other, "C0011135", "PCSK9") == []
    assert post_condition(server, other, row("C0011135", "PCSK9", "Defecation")).status_code == 200
    mine, theirs = (
        check_first(server, analyst, "C0011135", "PCSK9"),
        check_first(server, other, "C0011135", "PCSK9"),
    )
    assert len(mine) == len(theirs) == 1 and mine[0]["id"] != theirs[0]["id"]
    assert mine[0]["workspace_id"] != theirs[0]["workspace_id"]


# -- E47, E48 secondary-analysis jobs ---------------------------------------------------------------------
def create_job(server: LiveServer, who: tuple[str, str], accession: str | None):  # type: ignore[no-untyped-def]
    # create_job.py: requests.post(url, json={'accession_id': …}); --a omitted → null
    return call(server, "POST", "/jobs", who, json={"accession_id": accession})


def find_job(server: LiveServer, who: tuple[str, str], job_uuid: str | None) -> list[dict]:
    # find_job.py: requests.get(url, params={'uuid': …}); a None value drops the parameter
    r = call(server, "GET", "/jobs", who, params={"uuid": job_uuid})
    assert r.status_code == 200, r.text
    return r.json()["objects"]


def test_job_create_then_find_by_uuid(server: LiveServer, world: World, analyst: tuple[str, str]) -> None:
    r = create_job(server, analyst, "ACC-JOB")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    job = r.json()
    assert str(uuid.UUID(job["uuid"])) == job["uuid"] and isinstance(job["id"], int)
    assert job["accession_id"] == "ACC-JOB" and job["status"] == "CREATED"
    assert NAIVE_ISO.fullmatch(job["created_on"])
    member = world.member("lab-a", Role.ANALYST)
    assert job["created_by"] == member.actor.user_id and job["workspace_id"] == member.actor.workspace_id

    found = find_job(server, analyst, job["uuid"])
    assert found == [job]  # chain 7: jget objects 0 accession_id | grep -x ACC-7
    # stored in the catalog, not in the server's memory
    stored = world.services.secondary_analysis.search(member.actor, uuid=job["uuid"])
    assert [(j.id, j.accession_id, j.status.value) for j in stored] == [(job["id"], "ACC-JOB", "CREATED")]

    again = create_job(server, analyst, "ACC-JOB").json()
    assert again["uuid"] != job["uuid"]  # a re-sequenced accession gets a second job
    by_accession = call(server, "GET", "/jobs?accession_id=ACC-JOB", analyst).json()["objects"]
    assert [j["uuid"] for j in by_accession] == [job["uuid"], again["uuid"]]
    assert {job["uuid"], again["uuid"]} <= {j["uuid"] for j in find_job(server, analyst, None)}
    for ref in (job["id"], job["uuid"]):
        assert call(server, "GET", f"/jobs/{ref}", analyst).json() == job
    assert find_job(server, analyst, str(uuid.uuid4())) == []


def test_job_errors_and_isolation(
    server: LiveServer, analyst: tuple[str, str], other: tuple[str, str], viewer: tuple[str, str]
) -> None:
    r = create_job(server, analyst, None)
    assert r.status_code == 422 and "accession_id" in r.json()["description"]
    r = call(server, "POST", "/jobs/", analyst, json={})
    assert r.status_code == 422 and r.json()["description"]
    r = create_job(server, analyst, "A" * 129)
    assert r.status_code == 422 and r.json()["description"]
    r = create_job(server, viewer, "ACC-VIEW")
    assert r.status_code == 403 and r.json()["description"]

    job = create_job(server, analyst, "ACC-ISO").json()
    assert find_job(server, viewer, job["uuid"])[0]["id"] == job["id"]
    assert find_job(server, other, job["uuid"]) == []
    assert job["uuid"] not in [j["uuid"] for j in find_job(server, other, None)]
    for ref in (job["id"], job["uuid"]):
        r = call(server, "GET", f"/jobs/{ref}", other)
        assert r.status_code == 404 and r.json()["description"]
    r = call(server, "GET", "/jobs/987654", analyst)
    assert r.status_code == 404 and r.json()["description"]
