"""Contract §1 (global rules) and §5.1–5.2 (projects, genomes: E1–E9) replayed as the FE2 scripts send
them."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re

import pytest

from tests.conformance.fabric.conftest import GIAB, call, raw, wait
from tests.conftest import LiveServer
from tests.world import World
from vardesk.app.inhouse import aggregate_key
from vardesk.domain.enums import GenomeState, Role
from vardesk.variants import inhouse


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


def test_the_same_vcf_uploaded_again_is_a_new_genome(
    server: LiveServer, analyst: tuple[str, str], vcf: dict[str, bytes]
) -> None:
    """§12: the acceptance chains upload one VCF (sample S1/HG002) into one project again and again; each
    upload is a genome of its own, known by its genome_id."""
    pid = call(server, "POST", "/projects/", analyst, data={"project_name": "Again"}).json()["id"]
    ids = []
    for label in ("Kid", "Mom", "Dad"):
        r = upload(server, analyst, pid, vcf["vcf.gz"], f"genome_label={label}&genome_sex=female")
        assert r.status_code == 200, r.text
        assert r.json()["genome_label"] == label
        ids.append(r.json()["genome_id"])
    assert len(set(ids)) == 3
    listed = call(server, "GET", f"/projects/{pid}/genomes", analyst).json()["objects"]
    assert sorted(g["genome_id"] for g in listed) == sorted(ids)


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


def bad_pos(plain: bytes) -> tuple[bytes, int]:
    """The VCF with its first record's POS spoilt, and that record's 1-based line number."""
    lines = plain.split(b"\n")
    first = next(i for i, line in enumerate(lines) if line and not line.startswith(b"#"))
    cols = lines[first].split(b"\t")
    lines[first] = b"\t".join([cols[0], b"abc", *cols[2:]])
    return b"\n".join(lines), first + 1


@pytest.mark.parametrize("kind", ["vcf", "vcf.gz"])
def test_upload_error_names_the_line_as_the_native_face_does(
    server: LiveServer, analyst: tuple[str, str], project: dict, vcf: dict[str, bytes], kind: str
) -> None:
    body, line = bad_pos(vcf["vcf"])
    if kind == "vcf.gz":
        body = gzip.compress(body)
    r = upload(server, analyst, project["id"], body, "genome_label=Bad&genome_sex=male")
    assert r.status_code == 400, r.text
    assert r.json()["description"] == f"line {line}: POS 'abc' is not a number"


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


# -- E8, E9 edit, move and delete genomes ------------------------------------------------------------------
def edit(
    server: LiveServer, who: tuple[str, str] | None, gid: object, name=None, external_id=None, project_id=None
):  # type: ignore[no-untyped-def]
    """edit_genome.py: all three keys, null for options not given, --p as a string; json.dumps, no
    Content-Type."""
    body = json.dumps({"name": name, "external_id": external_id, "project_id": project_id})
    return call(server, "PUT", f"/genomes/{gid}", who, **raw(body.encode()))


def annotated_genome(server: LiveServer, who: tuple[str, str], pid: int, body: bytes, label: str) -> int:
    q = f"genome_label={label}&genome_sex=female&external_id=EXT-7&assembly_version=hg19"
    gid = upload(server, who, pid, body, q).json()["genome_id"]
    wait(
        lambda: call(server, "GET", f"/genomes/{gid}", who).json()["genome_status"] in ("ANNOTATED", "FAILED")
    )
    assert call(server, "GET", f"/genomes/{gid}", who).json()["genome_status"] == "ANNOTATED"
    return gid


@pytest.fixture(scope="module")
def target(server: LiveServer, analyst: tuple[str, str]) -> dict:
    r = call(
        server, "POST", "/projects/", analyst, data={"project_name": "Acceptance 7b", "share_role": "NONE"}
    )
    return r.json()


def test_edit_genome_renames_and_moves_it(
    server: LiveServer, analyst: tuple[str, str], project: dict, target: dict, vcf: dict[str, bytes]
) -> None:
    gid = annotated_genome(server, analyst, project["id"], vcf["vcf.gz"], "Verbose")
    r = edit(server, analyst, gid, name="Renamed", external_id="EXT-7b", project_id=str(target["id"]))
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["project_id"] == target["id"]  # chain 7: jget project_id
    assert doc["id"] == doc["genome_id"] == gid and doc["name"] == doc["genome_label"] == "Renamed"
    assert doc["external_id"] == "EXT-7b" and doc["genome_status"] == "ANNOTATED"
    moved = call(server, "GET", f"/projects/{target['id']}/genomes", analyst).json()["objects"]
    assert [(g["id"], g["name"]) for g in moved] == [(gid, "Renamed")]
    left = call(server, "GET", f"/projects/{project['id']}/genomes", analyst).json()["objects"]
    assert gid not in [g["id"] for g in left]
    assert call(server, "GET", f"/projects/{target['id']}/genomes/{gid}", analyst).status_code == 200
    assert call(server, "GET", f"/projects/{project['id']}/genomes/{gid}", analyst).status_code == 404

    # nothing given: nothing changes; an empty external_id clears it; the slash form works
    same = edit(server, analyst, gid).json()
    assert (same["name"], same["external_id"], same["project_id"]) == ("Renamed", "EXT-7b", target["id"])
    body = b'{"name": null, "external_id": "", "project_id": null}'
    cleared = call(server, "PUT", f"/genomes/{gid}/", analyst, **raw(body)).json()
    assert cleared["external_id"] is None and cleared["name"] == "Renamed"
    back = edit(server, analyst, gid, project_id=project["id"]).json()  # an integer works as well
    assert back["project_id"] == project["id"]


def test_edit_genome_errors_and_isolation(
    server: LiveServer,
    world: World,
    analyst: tuple[str, str],
    project: dict,
    target: dict,
    vcf: dict[str, bytes],
) -> None:
    gid = upload(server, analyst, project["id"], vcf["vcf"], "genome_label=Mine&genome_sex=male").json()[
        "genome_id"
    ]
    r = edit(server, analyst, 987654, name="x")
    assert r.status_code == 404 and r.json()["description"]
    r = edit(server, analyst, gid, project_id="abc")
    assert r.status_code == 400 and "project_id" in r.json()["description"]
    r = edit(server, analyst, gid, project_id="987654")
    assert r.status_code == 404 and r.json()["description"]
    r = edit(server, analyst, gid, name="  ")
    assert r.status_code == 400 and r.json()["description"]
    other = world.member("lab-b", Role.ANALYST).basic
    theirs = call(server, "POST", "/projects/", other, data={"project_name": "Lab B"}).json()["id"]
    r = edit(server, analyst, gid, project_id=str(theirs))  # another lab's project does not exist
    assert r.status_code == 404 and r.json()["description"]
    r = edit(server, other, gid, name="Stolen", project_id=str(theirs))
    assert r.status_code == 404 and r.json()["description"]
    r = call(server, "DELETE", f"/genomes/{gid}", other)
    assert r.status_code == 404 and r.json()["description"]
    viewer = world.member("lab-a", Role.VIEWER).basic
    r = edit(server, viewer, gid, name="Viewed")
    assert r.status_code == 403 and r.json()["description"]
    r = call(server, "DELETE", f"/genomes/{gid}", viewer)
    assert r.status_code == 403 and r.json()["description"]
    doc = call(server, "GET", f"/genomes/{gid}", analyst).json()
    assert doc["name"] == "Mine" and doc["project_id"] == project["id"]


def test_delete_genome(
    server: LiveServer,
    world: World,
    analyst: tuple[str, str],
    project: dict,
    vcf: dict[str, bytes],
) -> None:
    gid = annotated_genome(server, analyst, project["id"], vcf["vcf.gz"], "Doomed")
    services, actor = world.services, world.member("lab-a", Role.ANALYST).actor
    view = services.pedigree.genome_by_id(actor, gid)
    blobs = [services.store.local_path(k) for k in (view.genome.genotypes_key, view.file.blob_key)]
    assert all(p.exists() for p in blobs)
    aggregate = services.store.local_path(aggregate_key(actor.workspace_id))
    # counted in-house once indexed: the aggregate takes a genome in just after it turns ready
    wait(lambda: aggregate.exists() and view.genome.genotypes_key in inhouse.members(aggregate), 30)

    # delete_genome.py: requests.delete, then result.json() whatever the status
    r = call(server, "DELETE", f"/genomes/{gid}", analyst)
    assert r.status_code == 200 and r.json() == {"id": gid, "genome_id": gid, "deleted": True}
    assert not any(p.exists() for p in blobs)
    assert view.genome.genotypes_key not in inhouse.members(aggregate)  # and no longer once deleted
    r = call(server, "GET", f"/genomes/{gid}", analyst)
    assert r.status_code == 404 and r.json()["description"]
    assert gid not in [g["id"] for g in call(server, "GET", "/genomes", analyst).json()["objects"]]
    r = call(server, "DELETE", f"/genomes/{gid}/", analyst)
    assert r.status_code == 404 and r.json()["description"]


def test_genome_in_a_report_is_neither_deleted_nor_moved(
    server: LiveServer,
    world: World,
    analyst: tuple[str, str],
    project: dict,
    target: dict,
    vcf: dict[str, bytes],
) -> None:
    gid = annotated_genome(server, analyst, project["id"], vcf["vcf.gz"], "Reported")
    panel = call(server, "POST", "/panels/", analyst, **raw(b'{"name": "Del", "description": "d"}')).json()
    body = {"report_type": "panel", "proband_genome_id": gid, "filter_id": None, "panel_id": panel["id"],
            "accession_id": "ACC-DEL"}  # fmt: skip
    cr = call(server, "POST", "/reports/", analyst, **raw(json.dumps(body).encode())).json()[
        "clinical_report"
    ]
    r = call(server, "DELETE", f"/genomes/{gid}", analyst)
    assert r.status_code == 422
    assert f"clinical report(s) {cr['id']}" in r.json()["description"]
    r = edit(server, analyst, gid, project_id=str(target["id"]))
    assert r.status_code == 422 and str(cr["id"]) in r.json()["description"]
    doc = call(server, "GET", f"/genomes/{gid}", analyst).json()
    assert doc["project_id"] == project["id"] and doc["report_count"] == 1
    renamed = edit(server, analyst, gid, name="Still reported")  # renaming is harmless
    assert renamed.status_code == 200 and renamed.json()["name"] == "Still reported"
    assert call(server, "GET", f"/reports/{cr['id']}", analyst).json()["genome_id"] == gid

    # a genome whose files a job is still writing waits until it is settled
    services, actor = world.services, world.member("lab-a", Role.ANALYST).actor
    other = annotated_genome(server, analyst, project["id"], vcf["vcf"], "Busy")
    file_id = services.pedigree.genome_by_id(actor, other).genome.file_id
    services.indexing.set_state(file_id, GenomeState.ANNOTATING)
    r = call(server, "DELETE", f"/genomes/{other}", analyst)
    assert r.status_code == 422 and "ANNOTATING" in r.json()["description"]
    services.indexing.set_state(file_id, GenomeState.READY)
    assert call(server, "DELETE", f"/genomes/{other}", analyst).json()["deleted"] is True


def test_genome_of_a_multi_sample_file_is_not_moved_alone(
    server: LiveServer, analyst: tuple[str, str], project: dict, target: dict
) -> None:
    q = "genome_label=Trio&genome_sex=unspecified&assembly_version=hg19"
    first = upload(server, analyst, project["id"], GIAB.read_bytes(), q).json()["genome_id"]
    r = edit(server, analyst, first, project_id=str(target["id"]))
    assert r.status_code == 422 and "without them" in r.json()["description"]
    assert call(server, "GET", f"/genomes/{first}", analyst).json()["project_id"] == project["id"]
