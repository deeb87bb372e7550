"""Contract §1 (global rules) and §5.1–5.2 (projects, genomes) replayed as the FE2 scripts send them."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from tests.conformance.fabric.conftest import call, raw, wait
from tests.conftest import LiveServer
from tests.world import World
from vardesk.domain.enums import Role


@pytest.fixture(scope="module")
def analyst(world: World) -> tuple[str, str]:
    return world.member("lab-a", Role.ANALYST).basic


@pytest.fixture(scope="module")
def project(server: LiveServer, analyst: tuple[str, str]) -> dict:
    # create_project.py: requests.post(url, data={...}) → form-urlencoded
    r = call(
        server,
        "POST",
        "/projects/",
        analyst,
        data={"project_name": "Acceptance P1", "description": "desc", "share_role": "CONTRIBUTOR"},
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    return r.json()


# -- §1 global rules ---------------------------------------------------------------------------------
def test_missing_and_wrong_credentials_are_401_json(server: LiveServer, analyst: tuple[str, str]) -> None:
    r = call(server, "GET", "/projects/", None)
    assert r.status_code == 401 and "description" in r.json()
    r = call(server, "GET", "/projects/", (analyst[0], "wrong"))
    assert r.status_code == 401 and r.json()["description"]


def test_unknown_path_is_404_json(server: LiveServer, analyst: tuple[str, str]) -> None:
    r = call(server, "GET", "/no_such_thing", analyst)
    assert r.status_code == 404 and r.json()["description"]


def test_both_slash_forms_answer_without_redirect(
    server: LiveServer, analyst: tuple[str, str], project: dict
) -> None:
    for path in ("/projects/", "/projects"):
        r = call(server, "GET", path, analyst)
        assert r.status_code == 200, (path, r.status_code)
        assert project["id"] in [p["id"] for p in r.json()["objects"]]
    r = call(server, "POST", "/projects", analyst, data={"project_name": "No slash", "share_role": "NONE"})
    assert r.status_code == 200 and r.json()["share_role"] == "NONE"
    for path in (f"/projects/{project['id']}", f"/projects/{project['id']}/"):
        assert call(server, "GET", path, analyst).json()["name"] == "Acceptance P1"


def test_x_fg_safe_params_header_acts_as_query(server: LiveServer, analyst: tuple[str, str]) -> None:
    r = call(server, "GET", "/projects/?&offset=0", analyst, headers={"X-fg-safe-params": "limit=1"})
    assert r.status_code == 200 and len(r.json()["objects"]) == 1


# -- §5.1 projects --------------------------------------------------------------------------------------
def test_project_create_fields_and_duplicate_names(
    server: LiveServer, analyst: tuple[str, str], project: dict
) -> None:
    assert isinstance(project["id"], int)
    assert project["name"] == "Acceptance P1" and project["description"] == "desc"
    assert project["share_role"] == "CONTRIBUTOR"
    again = call(server, "POST", "/projects/", analyst, data="project_name=Acceptance+P1&description=d2")
    assert again.status_code == 200 and again.json()["id"] != project["id"]


def test_project_errors(server: LiveServer, world: World, analyst: tuple[str, str], project: dict) -> None:
    r = call(server, "POST", "/projects/", analyst, data={"description": "no name"})
    assert r.status_code == 422 and r.json()["description"]
    r = call(server, "POST", "/projects/", analyst, data={"project_name": "x", "share_role": "EVERYONE"})
    assert r.status_code == 400 and "share_role" in r.json()["description"]
    other = world.member("lab-b", Role.ANALYST).basic
    assert call(server, "GET", f"/projects/{project['id']}", other).status_code == 404
    viewer = world.member("lab-a", Role.VIEWER).basic
    assert call(server, "POST", "/projects/", viewer, data={"project_name": "v"}).status_code == 403


# -- §5.2 genomes ---------------------------------------------------------------------------------------
def upload(server: LiveServer, who: tuple[str, str], pid: int, body: bytes, query: str):  # type: ignore[no-untyped-def]
    return call(server, "PUT", f"/projects/{pid}/genomes?{query}", who, **raw(body))


@pytest.mark.parametrize("kind", ["vcf", "vcf.gz", "vcf.bz2"])
def test_upload_raw_body_sniffs_compression(
    server: LiveServer, analyst: tuple[str, str], project: dict, vcf: dict[str, bytes], kind: str
) -> None:
    # upload_genome.py sends no format; the body alone says what it is
    r = upload(
        server,
        analyst,
        project["id"],
        vcf[kind],
        "genome_label=NA12878%20panel&genome_sex=female&external_id=EXT-1&assembly_version=hg19",
    )
    assert r.status_code == 200, r.text
    g = r.json()
    assert isinstance(g["genome_id"], int) and g["id"] == g["genome_id"]
    assert g["genome_label"] == g["name"] == "NA12878 panel"
    assert g["genome_sex"] == "female" and g["external_id"] == "EXT-1"
    assert g["project_id"] == project["id"] and g["assembly_version"] == "hg19"
    assert re.fullmatch(r"\d+\.\d (kB|MB|GB)", g["size"]) and g["genome_status"] in (
        "UPLOADED",
        "ANNOTATING",
        "ANNOTATED",
    )

    def annotated() -> dict | None:
        doc = call(server, "GET", f"/genomes/{g['genome_id']}", analyst).json()
        assert doc["genome_status"] != "FAILED", doc
        return doc if doc["genome_status"] == "ANNOTATED" else None

    assert wait(annotated)["uploaded_by"] == g["uploaded_by"]


def test_upload_quirks_checksum_and_errors(
    server: LiveServer, analyst: tuple[str, str], project: dict, vcf: dict[str, bytes]
) -> None:
    pid = project["id"]
    # upload_genome_to_panel_report.py: "None" + 11 spaces, format given
    r = upload(
        server,
        analyst,
        pid,
        vcf["vcf.gz"],
        "genome_label=Late&genome_sex=male&external_id=None"
        + "%20" * 11
        + "&assembly_version=hg19&format=vcf.gz",
    )
    assert r.status_code == 200 and r.json()["external_id"] in (None, "None")
    good = hashlib.md5(vcf["vcf.gz"]).hexdigest()
    r = upload(server, analyst, pid, vcf["vcf.gz"], f"genome_label=C&genome_sex=male&checksum={good}")
    assert r.status_code == 200 and r.json()["checksum"] == good
    r = upload(server, analyst, pid, vcf["vcf.gz"], "genome_label=C&genome_sex=male&checksum=" + "0" * 32)
    assert r.status_code == 422 and "MD5" in r.json()["description"]
    r = upload(server, analyst, pid, vcf["vcf"], "genome_label=X&genome_sex=male&assembly_version=hg38")
    assert r.status_code == 422 and "hg19" in r.json()["description"]
    r = upload(server, analyst, pid, b"not a vcf\n", "genome_label=X&genome_sex=male&assembly_version=hg19")
    assert r.status_code == 400 and r.json()["description"]
    r = upload(server, analyst, 999999, vcf["vcf"], "genome_label=X&genome_sex=male")
    assert r.status_code == 404 and r.json()["description"]


def test_genome_reads(
    server: LiveServer, analyst: tuple[str, str], project: dict, vcf: dict[str, bytes]
) -> None:
    pid = project["id"]
    gid = upload(server, analyst, pid, vcf["vcf"], "genome_label=Read&genome_sex=male&external_id=").json()[
        "genome_id"
    ]
    for path in (f"/projects/{pid}/genomes", f"/projects/{pid}/genomes/"):
        docs = call(server, "GET", path, analyst).json()["objects"]
        assert gid in [d["id"] for d in docs]
    one = call(server, "GET", f"/projects/{pid}/genomes/{gid}", analyst).json()
    assert one["genome_id"] == gid and one["external_id"] is None and one["report_count"] == 0
    assert {"name", "upload_date", "genome_status", "uploaded_by", "is_upgraded"} <= set(one)
    assert gid in [d["id"] for d in call(server, "GET", "/genomes", analyst).json()["objects"]]
    assert call(server, "GET", f"/genomes/{gid}/", analyst).json()["id"] == gid
    r = call(server, "GET", "/genomes/987654", analyst)
    assert r.status_code == 404 and r.json()["description"]
    auth = base64.b64encode(":".join(analyst).encode()).decode()
    r = call(
        server,
        "GET",
        f"/projects/{pid + 1000}/genomes/{gid}",
        None,
        headers={"Authorization": f"Basic {auth}"},
    )
    assert r.status_code == 404
