"""Workspace configuration, assay types with QC fields, condition genes — through the native API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.conftest import LiveServer
from tests.world import World, build_world
from vardesk.app.composition import Services
from vardesk.domain.enums import Role

API = "/api/v2"


@pytest.fixture(scope="module")
def world(module_services: Services) -> World:
    w = build_world(module_services, ("lab-a",))
    module_services.projects.create_project(w.member("lab-a", Role.ANALYST).actor, {"id": "p"})
    return w


@pytest.fixture(scope="module")
def server(module_services: Services, world: World) -> Iterator[LiveServer]:
    with LiveServer(module_services, run_jobs=False) as srv:
        yield srv


def call(server: LiveServer, method: str, path: str, who: tuple[str, str], **kw: object) -> requests.Response:
    return requests.request(method, server.url + API + path, auth=who, timeout=30, **kw)  # type: ignore[arg-type]


def test_new_workspaces_are_seeded(server: LiveServer, world: World) -> None:
    viewer = world.member("lab-a", Role.VIEWER).basic
    cfg = call(server, "GET", "/analysis/clinical/configuration", viewer).json()["responses"][0]["results"][0]
    assert cfg["reviewStatuses"] == ["READY FOR INTERPRETATION", "WAITING FOR APPROVAL"]
    assert (
        cfg["patientFields"][:3] == ["Last Name", "First Name", "Patient DOB"]
        and len(cfg["patientFields"]) == 12
    )
    assays = call(server, "GET", "/assays/search", viewer).json()["responses"][0]["results"]
    assert [a["name"] for a in assays] == ["Whole exome sequencing"] and "Mean coverage" in assays[0][
        "qcFields"
    ]


def test_review_statuses_are_configurable_and_drive_the_case(server: LiveServer, world: World) -> None:
    admin, analyst = world.member("lab-a", Role.ADMIN).basic, world.member("lab-a", Role.ANALYST).basic
    r = call(
        server,
        "POST",
        "/analysis/clinical/configuration/update",
        analyst,
        json={"reviewStatuses": ["FIRST READ"]},
    )
    assert r.status_code == 403
    r = call(
        server,
        "POST",
        "/analysis/clinical/configuration/update",
        admin,
        json={"reviewStatuses": ["APPROVED"]},
    )
    assert r.status_code == 400 and "system status" in r.json()["events"][0]["message"]
    r = call(
        server,
        "POST",
        "/analysis/clinical/configuration/update?includeResult=true",
        admin,
        json={"reviewStatuses": ["first read", "second read"]},
    )
    assert r.json()["responses"][0]["results"][0]["reviewStatuses"] == ["FIRST READ", "SECOND READ"]
    svc = server.services
    view = svc.cases.create(
        world.member("lab-a", Role.ANALYST).actor, "p:default", {"id": "C1", "type": "exome"}
    )
    with svc.ctx.uow() as uow:
        uow.cases.get(view.case.id).status = "READY TO REVIEW"  # type: ignore[union-attr]
        uow.commit()
    r = call(
        server,
        "POST",
        "/analysis/clinical/C1/update?study=p:default",
        analyst,
        json={"status": {"id": "WAITING FOR APPROVAL"}},
    )  # a default status, not this workspace's
    assert r.status_code == 422 and "Invalid status" in r.json()["events"][0]["message"]
    r = call(
        server,
        "POST",
        "/analysis/clinical/C1/update?study=p:default",
        analyst,
        json={"status": {"id": "WAITING"}},
    )  # only the system moves a case back to WAITING
    assert r.status_code == 400 and "cannot go from" in r.json()["events"][0]["message"]
    r = call(
        server,
        "POST",
        "/analysis/clinical/C1/update?study=p:default&includeResult=true",
        analyst,
        json={"status": {"id": "SECOND READ"}},
    )
    assert r.status_code == 200 and r.json()["responses"][0]["results"][0]["status"]["id"] == "SECOND READ"


def test_qc_data_is_validated_against_the_assay_type(server: LiveServer, world: World) -> None:
    director, analyst = world.member("lab-a", Role.DIRECTOR).basic, world.member("lab-a", Role.ANALYST).basic
    r = call(
        server, "POST", "/assays/create", director, json={"name": "Cardio panel", "qcFields": ["Coverage"]}
    )
    assert r.status_code == 200
    assert call(server, "POST", "/assays/create", analyst, json={"name": "x"}).status_code == 403
    body = {"id": "C2", "caseType": "panel", "assayType": "Cardio panel", "qcData": {"Coverage": "120x"}}
    assert (
        call(server, "POST", "/analysis/clinical/create?study=p:default", analyst, json=body).status_code
        == 200
    )
    r = call(
        server,
        "POST",
        "/analysis/clinical/C2/update?study=p:default",
        analyst,
        json={"qcData": {"Reads": "1M"}},
    )
    assert r.status_code == 400 and "Reads" in r.json()["events"][0]["message"]
    r = call(
        server,
        "POST",
        "/analysis/clinical/create?study=p:default",
        analyst,
        json={"id": "C3", "caseType": "panel", "assayType": "No such assay"},
    )
    assert r.status_code == 400 and "not defined" in r.json()["events"][0]["message"]


def test_condition_genes(server: LiveServer, world: World) -> None:
    analyst, viewer = world.member("lab-a", Role.ANALYST).basic, world.member("lab-a", Role.VIEWER).basic
    row = {
        "gene": "scn1a",
        "condition": "Dravet syndrome",
        "cui": "C0751122",
        "inheritance": "AD",
        "pmids": ["11254444"],
    }
    assert call(server, "POST", "/conditions/create", analyst, json=row).status_code == 200
    assert call(server, "POST", "/conditions/create", viewer, json=row).status_code == 403
    bad = call(server, "POST", "/conditions/create", analyst, json={**row, "pmids": ["PMID:1"]})
    assert bad.status_code == 400
    found = call(server, "GET", "/conditions/search?gene=SCN1A", viewer).json()["responses"][0]["results"]
    assert [(c["gene"], c["condition"], c["pmids"]) for c in found] == [
        ("SCN1A", "Dravet syndrome", ["11254444"])
    ]
