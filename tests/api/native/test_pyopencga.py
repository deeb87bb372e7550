"""The real pyopencga 5.0.0 client against a real Vardesk server on loopback."""

from __future__ import annotations

import pytest
from pyopencga.exceptions import OpencgaAuthorisationError
from pyopencga.opencga_client import OpencgaClient
from pyopencga.opencga_config import ClientConfiguration

from tests.conftest import LiveServer
from tests.world import PASSWORD, build_world
from vardesk.app.composition import Services
from vardesk.domain.enums import Role
from vardesk.domain.ids import is_file_code


def client(server: LiveServer) -> OpencgaClient:
    return OpencgaClient(ClientConfiguration({"rest": {"host": f"{server.url}/opencga"}}))


def test_pyopencga_login_refresh_projects_and_studies(services: Services, live_server: LiveServer) -> None:
    world = build_world(services)
    analyst = world.member("lab-a", Role.ANALYST)
    oc = client(live_server)
    oc.login(user=analyst.email, password=PASSWORD)
    first_token = oc.token

    project = oc.projects.create(
        data={
            "id": "demo_proj",
            "name": "Demo project",
            "organism": {"scientificName": "Homo sapiens", "assembly": "GRCh38"},
        },
        include_result=True,
    ).get_result(0)
    assert project["id"] == "demo_proj" and project["fqn"] == "lab-a@demo_proj"
    assert project["organism"]["assembly"] == "GRCh38"

    study = oc.studies.create(
        data={"id": "demo_study", "name": "Demo study"}, project=project["id"], include_result=True
    ).get_result(0)
    assert study["fqn"] == "lab-a@demo_proj:demo_study"

    # The client refreshed its token after each call (auto_refresh): refresh worked, and the first
    # token, still held by other resource clients, stays valid.
    assert oc.projects.token != first_token
    assert oc.studies.token != first_token
    assert oc.users.token == first_token

    found = oc.projects.search()
    assert [p["id"] for p in found.get_results()] == ["demo_proj"]
    studies = oc.studies.search(project="demo_proj", count=True)
    assert sorted(s["id"] for s in studies.get_results()) == ["default", "demo_study"]
    assert studies.get_num_matches() == 2
    info = oc.studies.info(studies=["demo_proj:demo_study", "lab-a@demo_proj:default"]).get_results()
    assert [s["id"] for s in info] == ["demo_study", "default"]

    refreshed = oc.users.login(data={"refreshToken": oc.refresh_token}).get_result(0)
    assert refreshed["token"] and refreshed["refreshToken"]

    # A Basic API key works for pyopencga's login too.
    oc2 = client(live_server)
    oc2.login(user=analyst.api_login, password=analyst.api_secret)
    assert [p["id"] for p in oc2.projects.search().get_results()] == ["demo_proj"]


def test_pyopencga_permission_error_is_403_and_not_retried(
    services: Services, live_server: LiveServer
) -> None:
    world = build_world(services, ("lab-a",))
    viewer = world.member("lab-a", Role.VIEWER)
    oc = client(live_server)
    oc.login(user=viewer.email, password=PASSWORD)
    with pytest.raises(OpencgaAuthorisationError):
        oc.projects.create(data={"id": "nope"})
    assert oc.projects.search().get_results() == []


def test_pyopencga_upload_index_wait_and_query(services: Services, live_server: LiveServer) -> None:
    from tests.conftest import TESTDATA

    world = build_world(services, ("lab-a",))
    analyst = world.member("lab-a", Role.ANALYST)
    oc = client(live_server)
    oc.login(user=analyst.email, password=PASSWORD)
    oc.projects.create(data={"id": "giab", "organism": {"assembly": "GRCh37"}})
    study = oc.studies.create(data={"id": "trio"}, project="giab", include_result=True).get_result(0)
    vcf = TESTDATA / "giab-trio-grch37" / "ashk-trio.vcf.gz"
    uploaded = oc.files.upload(
        file=str(vcf),
        study=study["fqn"],
        format="VCF",
        bioformat="VARIANT",
        relative_file_path="data/",
        parents=True,
    ).get_result(0)
    # the id is the server's own (the file name may be a patient's); the client's name and path are kept
    assert is_file_code(uploaded["id"]), uploaded["id"]
    assert (uploaded["name"], uploaded["path"]) == ("ashk-trio.vcf.gz", "data/ashk-trio.vcf.gz")
    (found,) = oc.files.search(study=study["fqn"], name="ashk-trio.vcf.gz").get_results()
    assert found["id"] == uploaded["id"]
    assert oc.files.info(files=uploaded["id"], study=study["fqn"]).get_result(0)["path"] == uploaded["path"]
    job = oc.operations.index_variant(data={"file": uploaded["id"], "annotate": True}, study=study["fqn"])
    oc.wait_for_job(response=job.get_response(0), retry_seconds=1)
    done = oc.jobs.info(jobs=job.get_result(0)["id"], study=study["fqn"]).get_result(0)
    assert done["internal"]["status"]["id"] == "DONE"
    variants = oc.variants.query(study=study["fqn"], gene="SAMD11", include_sample="all", limit=10)
    results = variants.get_results()
    assert 0 < len(results) <= 10
    for v in results:
        assert "SAMD11" in {ct["geneName"] for ct in v["annotation"]["consequenceTypes"]}
        assert len(v["studies"][0]["samples"]) == 3
    samples = oc.samples.search(study=study["fqn"]).get_results()
    assert [s["id"] for s in samples] == ["HG002", "HG003", "HG004"]
