# ruff: noqa: E501  (request bodies are replayed verbatim)
"""Contract §6 (F1–F5) replayed as fe3/python/post_new_case.py and fe3/shell/*.sh send them: case
containers with nested PHI, multipart genome uploads (201), the case reaching READY TO REVIEW, the approved
report as JSON and its signed, expiring PDF URL; workspace isolation."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
import uvicorn

from tests.conformance.fabric.conftest import FABRIC, call, raw, wait
from tests.conftest import LiveServer, free_port
from tests.world import World
from vardesk.app.composition import Services
from vardesk.domain.enums import Role

# post_new_case.py for a duo with a PHI file (proband PHI moved into sections, f1 "affected" from the CSV)
PY_BODY = {
    "analysis_types": ["WGS"],
    "assembly_version": "b38",
    "members": [
        {"accession": "JD1", "sex": "MALE", "affected": True, "relationship": "PROBAND",
         "phi": {"patient": {"first_name": "John", "last_name": "Doe", "dob": "2021-01-01"},
                 "sample": {"specimen_type": "Blood"}, "order": {"ordering_physician": "Dr. Med"},
                 "report": {}, "family": {}}},
        {"accession": "mother", "sex": "FEMALE", "affected": "False", "relationship": "MOTHER",
         "phi": {"family": {"dob": "1965-11-30"}}},
    ],
    "hpo_terms": ["HP:0001250"],
}  # fmt: skip
NEW_CASE = '{\n  "members": [\n    {\n      "accession": "uniq_sample_123",\n      "affected": true,\n      "phi": {\n      },\n      "relationship": "PROBAND",\n      "sex": "MALE"\n    }\n  ],\n  "hpo_terms": [\n    "HP:0000118"\n  ],\n  "assembly_version": "b38",\n  "analysis_types": [\n    "WGS"\n  ]\n}'
NEW_PANEL_CASE = '{\n  "members": [\n    {\n      "accession": "uniq_sample_456",\n      "affected": true,\n      "phi": {\n      },\n      "relationship": "PROBAND",\n      "sex": "MALE"\n    }\n  ],\n  "assembly_version": "b38",\n  "analysis_types": [\n    "PANEL"\n  ],\n  "test_id": 460737\n}'
NEW_ONT_CASE = '{\n    "members": [\n\t{\n\t    "accession": "uniq_sample_123",\n\t    "affected": true,\n\t    "phi": {\n\t    },\n\t    "relationship": "PROBAND",\n\t    "sex": "MALE"\n\t}\n    ],\n    "hpo_terms": [\n\t"HP:0000118"\n    ],\n    "sequencing_platform": "ONT",\n    "assembly_version": "b38",\n    "analysis_types": [\n\t"WGS"\n    ]\n}\n'
CURL_FORM = {"Content-Type": "application/x-www-form-urlencoded"}  # curl -d @file (newlines stripped)
PHI = ("John", "Doe", "2021-01-01", "JD1", "Dr. Med")


def curl_body(text: str) -> bytes:
    return text.replace("\n", "").replace("\r", "").encode()


@pytest.fixture(scope="module")
def analyst(world: World) -> tuple[str, str]:
    return world.member("lab-a", Role.ANALYST).basic


def create(server: LiveServer, who: tuple[str, str], body: dict, **kw: object) -> dict:
    """create_case_container(): ``requests.post(url, auth=auth, data=json.dumps(url_payload))``."""
    r = call(server, "POST", "/case_containers", who, data=json.dumps(body), **kw)
    assert r.status_code == 200, r.text  # exactly 200, or the script exits 1
    return r.json()


def upload(url: str, who: tuple[str, str], data: bytes, filename: str, **fields: str) -> requests.Response:
    """upload_genome_to_url(): ``requests.post(url, auth=auth, data=payload, files={"genome_file": f})``."""
    payload = {"assembly_version": "b38", **fields}
    return requests.post(url, auth=who, data=payload, files={"genome_file": (filename, data)}, timeout=60)


def containers(server: LiveServer, who: tuple[str, str]) -> dict[int, dict]:
    r = call(server, "GET", "/case_containers", who)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    return {c["id"]: c for c in r.json()["objects"]}


@pytest.fixture(scope="module")
def duo(server: LiveServer, analyst: tuple[str, str], vcf: dict[str, bytes]) -> dict:
    """post_new_case.py --analysis WGS … --f1_relationship MOTHER --patient_info_file …, then both uploads."""
    created = create(server, analyst, PY_BODY)
    cid, urls = created["case_container_id"], created["urls"]
    before = containers(server, analyst)[cid]
    for u, (name, data) in zip(
        urls, (("JD1 genome", vcf["vcf.gz"]), ("mother genome", vcf["vcf"])), strict=True
    ):
        r = upload(u["url"], analyst, data, "s1.vcf.gz", genome_name=name)
        assert r.status_code == 201, r.text  # exactly 201, or the script reports a failure
    return {"created": created, "before": before, "id": cid}


def ready(server: LiveServer, who: tuple[str, str], cid: int) -> dict:
    def done() -> dict | None:
        c = containers(server, who)[cid]
        assert c["status"] != "FAILED", c
        return c if c["status"] == "READY TO REVIEW" else None

    return wait(done)


# -- F1 ------------------------------------------------------------------------------------------------
def test_create_answers_absolute_upload_urls_in_member_order(server: LiveServer, duo: dict) -> None:
    created, cid = duo["created"], duo["id"]
    assert set(created) == {"urls", "case_container_id"} and isinstance(cid, int)
    members = duo["before"]["members"]
    assert [u["member_id"] for u in created["urls"]] == [m["id"] for m in members]
    assert [m["relationship"] for m in members] == ["PROBAND", "MOTHER"]
    for u in created["urls"]:
        assert u["url"] == f"{server.url}{FABRIC}/case_containers/{cid}/members/{u['member_id']}/genome"


def test_curl_json_labelled_as_a_form(server: LiveServer, analyst: tuple[str, str]) -> None:
    for text in (NEW_CASE, NEW_ONT_CASE):
        r = call(server, "POST", "/case_containers", analyst, data=curl_body(text), headers=CURL_FORM)
        assert r.status_code == 200, r.text
        doc = r.json()
        assert len(doc["urls"]) == 1 and doc["urls"][0]["url"].endswith(
            f"/members/{doc['urls'][0]['member_id']}/genome"
        )
    c = containers(server, analyst)[doc["case_container_id"]]
    assert c["sequencing_platform"] == "ONT" and c["assembly_version"] == "b38"
    assert c["members"][0]["accession"] == "uniq_sample_123" and c["members"][0]["phi"] is None


def test_upload_url_follows_host_header(server: LiveServer, analyst: tuple[str, str]) -> None:
    host = {"Host": "fabric.example.org:8443"}
    created = create(server, analyst, json.loads(NEW_CASE), headers=host)
    assert created["urls"][0]["url"].startswith(f"http://fabric.example.org:8443{FABRIC}/case_containers/")


def test_upload_url_follows_public_url(
    server: LiveServer, analyst: tuple[str, str], module_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    public = replace(module_services.settings, public_url="https://lab.example.org/vardesk/")
    monkeypatch.setattr(module_services, "settings", public)
    created = create(server, analyst, json.loads(NEW_CASE))
    cid, mid = created["case_container_id"], created["urls"][0]["member_id"]
    assert (
        created["urls"][0]["url"]
        == f"https://lab.example.org/vardesk{FABRIC}/case_containers/{cid}/members/{mid}/genome"
    )


@pytest.fixture(scope="module")
def proxied(module_services: Services, server: LiveServer) -> Iterator[str]:
    """The same app behind a proxy that strips the path prefix /gateway (uvicorn --root-path)."""
    from vardesk.api.app import create_app

    port = free_port()
    config = uvicorn.Config(
        create_app(module_services, run_jobs=False), host="127.0.0.1", port=port, root_path="/gateway",
        log_config=None, access_log=False, lifespan="on",
    )  # fmt: skip
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not srv.started:
        assert time.time() < deadline and thread.is_alive(), "proxied server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def test_upload_url_keeps_the_proxy_path_prefix(proxied: str, analyst: tuple[str, str]) -> None:
    r = requests.post(proxied + FABRIC + "/case_containers", auth=analyst, data=NEW_CASE, timeout=60)
    assert r.status_code == 200, r.text
    assert r.json()["urls"][0]["url"].startswith(f"{proxied}/gateway{FABRIC}/case_containers/")


def test_panel_case_needs_a_known_test(server: LiveServer, analyst: tuple[str, str]) -> None:
    body = curl_body(NEW_PANEL_CASE)
    r = call(server, "POST", "/case_containers", analyst, data=body, headers=CURL_FORM)
    assert r.status_code == 404 and "460737" in r.json()["description"]
    panel = {"name": "FE3 test", "description": "d", "methodology": None, "limitations": None,
             "fda_disclosure": None, "test_code": "460737"}  # fmt: skip
    assert call(server, "POST", "/panels/", analyst, **raw(json.dumps(panel).encode())).status_code == 200
    r = call(server, "POST", "/case_containers", analyst, data=body, headers=CURL_FORM)
    assert r.status_code == 200, r.text
    c = containers(server, analyst)[r.json()["case_container_id"]]
    assert c["analyses"] == [{"id": 1, "analysis_type": "PANEL", "hpo_terms": [], "test_id": 460737}]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({**PY_BODY, "analysis_types": ["PANEL", "WGS"], "test_id": 1}, 422, "PANEL"),
        ({**PY_BODY, "analysis_types": ["PANEL"]}, 422, "test_id"),
        ({**PY_BODY, "analysis_types": ["MT_PANEL"], "hpo_terms": None}, 422, "family members"),
        ({**PY_BODY, "hpo_terms": None}, 422, "hpo_terms"),
        ({**PY_BODY, "analysis_types": ["EXOME"]}, 400, "EXOME"),
        ({**PY_BODY, "assembly_version": "hg17"}, 422, "hg17"),
        ({**PY_BODY, "members": []}, 400, "members"),
        ({**PY_BODY, "hpo_terms": ["HP:99999"]}, 400, "HP:99999"),
    ],
)
def test_create_refusals_are_json(
    server: LiveServer, analyst: tuple[str, str], body: dict, status: int, words: str
) -> None:
    r = call(server, "POST", "/case_containers", analyst, data=json.dumps(body))
    assert r.status_code == status and words in r.json()["description"], r.text


def test_create_bad_json_unauthenticated_and_viewer(server: LiveServer, world: World) -> None:
    r = call(server, "POST", "/case_containers", world.member("lab-a", Role.ANALYST).basic, data=b"{not json")
    assert r.status_code == 400 and "JSON" in r.json()["description"]
    r = call(server, "POST", "/case_containers", None, data=json.dumps(PY_BODY))
    assert r.status_code == 401 and r.json()["description"]
    r = call(server, "GET", "/case_containers/", ("nobody", "wrong"))
    assert r.status_code == 401 and r.json()["description"]
    r = call(
        server, "POST", "/case_containers", world.member("lab-a", Role.VIEWER).basic, data=json.dumps(PY_BODY)
    )
    assert r.status_code == 403 and r.json()["description"]


# -- F2 ------------------------------------------------------------------------------------------------
def test_list_fields_before_upload(duo: dict) -> None:
    c = duo["before"]
    assert (
        c["id"] == duo["id"]
        and c["due_date"] is None
        and c["reports"] == []
        and c["status"] == "WAITING FOR SAMPLE"
    )
    assert c["created_audit"]["date"].endswith("+00:00") and isinstance(c["created_audit"]["user"]["id"], int)
    assert set(c["created_audit"]["user"]) == {"id", "firstname", "lastname"}
    assert "modified_audit" in c and c["analysis_summary"] is None
    assert c["analyses"] == [{"id": 1, "analysis_type": "WGS", "hpo_terms": ["HP:0001250"], "test_id": None}]
    proband, mother = c["members"]
    assert (proband["accession"], proband["sex"], proband["affected"], proband["genome"]) == (
        "JD1",
        "MALE",
        True,
        None,
    )
    assert proband["phi"] == {"patient": {"first_name": "John", "last_name": "Doe", "dob": "2021-01-01"},
                              "sample": {"specimen_type": "Blood"}, "order": {"ordering_physician": "Dr. Med"}}  # fmt: skip
    assert (mother["accession"], mother["sex"], mother["affected"]) == (
        "mother",
        "FEMALE",
        False,
    )  # "False" is false
    assert mother["phi"] == {"family": {"dob": "1965-11-30"}} and mother["genome"] is None


def test_phi_lands_in_the_patient_fields(server: LiveServer, analyst: tuple[str, str], duo: dict) -> None:
    pairs = call(server, "GET", f"/reports/{duo['id']}/patient_fields", analyst).json()
    fields = {k: v for pair in pairs for k, v in pair.items()}
    assert fields["First Name"] == "John" and fields["Patient DOB"] == "2021-01-01"
    assert fields["Specimen Type"] == "Blood" and fields["Ordering Physician"] == "Dr. Med"
    assert fields["Mother DOB"] == "1965-11-30"
    patient = call(server, "GET", f"/reports/{duo['id']}", analyst).json()["patient_dict"]
    assert (patient["dob_year"], patient["dob_month"], patient["dob_day"]) == (2021, 1, 1)  # ISO, read


# -- F3 ------------------------------------------------------------------------------------------------
def test_uploads_attach_genomes_and_the_case_gets_ready(
    server: LiveServer, analyst: tuple[str, str], duo: dict
) -> None:
    c = ready(server, analyst, duo["id"])
    for m, name in zip(c["members"], ("JD1 genome", "mother genome"), strict=True):
        assert m["genome"] is not None and m["genome"]["genome_name"] == name
        assert m["genome"]["assembly_version"] == "b37"  # the file says GRCh37; its own build wins
    assert c["analysis_summary"]["runs"] >= 1
    report = call(server, "GET", f"/reports/{duo['id']}", analyst).json()
    assert report["status"] == "READY TO REVIEW" and report["genome_id"] == c["members"][0]["genome"]["id"]


def test_curl_upload_and_response(
    server: LiveServer, analyst: tuple[str, str], vcf: dict[str, bytes]
) -> None:
    created = create(server, analyst, json.loads(NEW_CASE))
    cid, mid = created["case_container_id"], created["urls"][0]["member_id"]
    # curl -F genome_file=@/path/x.vcf.gz -F genome_name=x.vcf.gz -F assembly_version=b38
    r = requests.post(
        server.url + FABRIC + f"/case_containers/{cid}/members/{mid}/genome", auth=analyst, timeout=60,
        files={"genome_file": ("x.vcf.gz", vcf["vcf.gz"], "application/octet-stream"),
               "genome_name": (None, "x.vcf.gz"), "assembly_version": (None, "b38")},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["genome_name"] == "x.vcf.gz" and doc["member_id"] == mid and isinstance(doc["genome_id"], int)
    member = containers(server, analyst)[cid]["members"][0]
    assert member["genome"]["id"] == doc["genome_id"]
    # a second upload to the same member is refused, the genome stays
    r = upload(created["urls"][0]["url"], analyst, vcf["vcf"], "again.vcf", genome_name="again")
    assert r.status_code == 422 and "already has a genome" in r.json()["description"]
    assert containers(server, analyst)[cid]["members"][0]["genome"]["id"] == doc["genome_id"]


def genomes_in_cases_project(server: LiveServer, who: tuple[str, str]) -> int:
    projects = call(server, "GET", "/projects/", who).json()["objects"]
    pid = next(p["id"] for p in projects if p["name"] == "Fabric cases")
    return len(call(server, "GET", f"/projects/{pid}/genomes", who).json()["objects"])


def test_upload_refusals_write_nothing(
    server: LiveServer, analyst: tuple[str, str], vcf: dict[str, bytes]
) -> None:
    created = create(server, analyst, json.loads(NEW_CASE))
    cid, url = created["case_container_id"], created["urls"][0]["url"]
    count = genomes_in_cases_project(server, analyst)
    lines = vcf["vcf"].split(b"\n")
    first = next(i for i, line in enumerate(lines) if line and not line.startswith(b"#"))
    cols = lines[first].split(b"\t")
    lines[first] = b"\t".join([cols[0], b"12x", *cols[2:]])
    r = upload(url, analyst, b"\n".join(lines), "bad.vcf", genome_name="bad")
    assert 400 <= r.status_code < 500, r.text  # worded with its line, exactly as the native face does
    assert r.json()["description"] == f"line {first + 1}: POS '12x' is not a number"
    r = upload(url, analyst, b"this is not a VCF\n", "junk.vcf", genome_name="junk")
    assert 400 <= r.status_code < 500 and r.json()["description"]
    wrong = hashlib.md5(b"other bytes").hexdigest()
    r = upload(url, analyst, vcf["vcf"], "s.vcf", genome_name="s", checksum=wrong)
    assert r.status_code == 422 and "MD5" in r.json()["description"] and wrong in r.json()["description"]
    r = upload(url, analyst, vcf["vcf"], "s.vcf", genome_name="s", checksum=hashlib.sha256(b"x").hexdigest())
    assert r.status_code == 422 and "SHA-256" in r.json()["description"]
    r = requests.post(url, auth=analyst, data={"genome_name": "none", "assembly_version": "b38"}, timeout=60)
    assert r.status_code == 400 and "genome_file" in r.json()["description"]
    r = upload(url, analyst, vcf["vcf"], "s.vcf", genome_name="s", assembly_version="b36")
    assert r.status_code == 422 and "b36" in r.json()["description"]
    r = upload(
        url.replace(f"/members/{created['urls'][0]['member_id']}/", "/members/999999/"),
        analyst,
        vcf["vcf"],
        "s.vcf",
    )
    assert r.status_code == 404 and r.json()["description"]
    assert genomes_in_cases_project(server, analyst) == count
    assert containers(server, analyst)[cid]["members"][0]["genome"] is None
    # a matching MD5 passes; so does a value that is no MD5 / SHA-256 (recorded, not verifiable)
    r = upload(
        url,
        analyst,
        vcf["vcf.gz"],
        "s.vcf.gz",
        genome_name="s",
        checksum=hashlib.md5(vcf["vcf.gz"]).hexdigest().upper(),
    )
    assert r.status_code == 201, r.text
    other = create(server, analyst, json.loads(NEW_CASE))["urls"][0]["url"]
    r = upload(
        other, analyst, vcf["vcf"], "s1.vcf", genome_name="g9", checksum="abc", sequencing_platform="ONT"
    )
    assert r.status_code == 201, r.text


# -- F4 / F5 -------------------------------------------------------------------------------------------
def test_report_and_pdf_url_before_and_after_approval(
    server: LiveServer, analyst: tuple[str, str], duo: dict, world: World, module_services: Services
) -> None:
    cid = duo["id"]
    ready(server, analyst, cid)
    r = call(server, "GET", f"/case_containers/{cid}/report", analyst)
    assert r.status_code == 422 and "no approved report" in r.json()["description"]
    r = call(server, "GET", f"/case_containers/{cid}/report/pdf/{cid}", analyst)
    assert r.status_code == 404 and r.json()["description"]

    director = world.member("lab-a", Role.DIRECTOR)
    module_services.cases.approve(director.actor, str(cid))  # what `vardesk report approve` does
    r = call(server, "GET", f"/case_containers/{cid}/report/", analyst)
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["report_id"] == cid and doc["status"] == "FINAL" and doc["approved_date"].endswith("+00:00")
    first_version = doc["version"]
    labels = {t["label"]: t["body"] for t in doc["text_fields"]}
    assert labels["Results Summary"] == doc["results_summary"] in ("POSITIVE", "UNCERTAIN", "NEGATIVE")
    assert doc["patient"]["first_name"] == "John" and doc["specimen"]["type"] == "Blood"
    assert doc["physician"]["name"] == "Dr. Med" and doc["test"]["hpo_terms"][0]["id"] == "HP:0001250"
    c = containers(server, analyst)[cid]
    assert c["status"] == "APPROVED" and [(x["id"], x["status"]) for x in c["reports"]] == [(cid, "FINAL")]

    # get_report.sh CONTAINER_ID REPORT_ID
    r = call(server, "GET", f"/case_containers/{cid}/report/pdf/{cid}", analyst)
    assert r.status_code == 200, r.text
    url = r.json()["download_url"]
    assert url.startswith(f"{server.url}{FABRIC}/report_downloads/{cid}?token=")
    assert not any(p in url for p in PHI)
    token = parse_qs(urlsplit(url).query)["token"][0]
    pdf = requests.get(url, timeout=60)  # no credentials
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == f"attachment; filename=report_{cid}.pdf"

    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 600 and not any(p in json.dumps(claims) for p in PHI)
    key = module_services.settings.secret_key
    expired = jwt.encode(
        {**claims, "iat": claims["iat"] - 601, "exp": claims["exp"] - 601}, key, algorithm="HS256"
    )
    head, body, sig = token.split(".")
    tampered = ".".join((head, body, sig[:-4] + ("AAAA" if sig[-4:] != "AAAA" else "BBBB")))
    forged = jwt.encode(
        {**claims, "exp": claims["exp"] + 86400}, "not-the-key-but-long-enough-for-hs256!", algorithm="HS256"
    )
    base = f"{server.url}{FABRIC}/report_downloads/{cid}"
    for bad, words in ((expired, "expired"), (tampered, "invalid"), (forged, "invalid"), ("", "invalid")):
        r = requests.get(base, params={"token": bad}, timeout=60)
        assert r.status_code == 403 and words in r.json()["description"], (words, r.text)
        assert "www-authenticate" not in r.headers
    other = create(server, analyst, json.loads(NEW_CASE))["case_container_id"]
    r = requests.get(f"{server.url}{FABRIC}/report_downloads/{other}", params={"token": token}, timeout=60)
    assert r.status_code == 403  # a link names one report
    r = call(server, "GET", "/case_containers", None, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401  # a link is no credential

    # an amendment, once approved, becomes the report F4 returns; the container keeps its id
    amended = module_services.cases.amend(director.actor, str(cid), "corrected specimen type")
    assert call(server, "GET", f"/case_containers/{cid}/report", analyst).json()["report_id"] == cid
    module_services.cases.approve(director.actor, str(amended.case.id))
    doc = call(server, "GET", f"/case_containers/{cid}/report", analyst).json()
    assert (
        doc["report_id"] == amended.case.id and doc["status"] == "AMENDED" and doc["version"] > first_version
    )
    listed = containers(server, analyst)
    assert amended.case.id not in listed
    assert [(x["id"], x["status"]) for x in listed[cid]["reports"]] == [
        (cid, "FINAL"),
        (amended.case.id, "AMENDED"),
    ]
    r = call(server, "GET", f"/case_containers/{cid}/report/pdf/{amended.case.id}", analyst)
    assert requests.get(r.json()["download_url"], timeout=60).content.startswith(b"%PDF")


# -- isolation ------------------------------------------------------------------------------------------
def test_other_workspace_sees_nothing(
    server: LiveServer, world: World, duo: dict, vcf: dict[str, bytes]
) -> None:
    cid = duo["id"]
    mid = duo["created"]["urls"][0]["member_id"]
    b = world.member("lab-b", Role.ANALYST).basic
    assert cid not in containers(server, b)
    for path in (f"/case_containers/{cid}/report", f"/case_containers/{cid}/report/pdf/{cid}"):
        r = call(server, "GET", path, b)
        assert r.status_code == 404 and r.json()["description"], path
    r = upload(
        f"{server.url}{FABRIC}/case_containers/{cid}/members/{mid}/genome",
        b,
        vcf["vcf"],
        "x.vcf",
        genome_name="x",
    )
    assert r.status_code == 404 and r.json()["description"]
    own = create(server, b, json.loads(NEW_CASE))["case_container_id"]
    assert list(containers(server, b)) == [own]
