"""The schema gate: schemathesis runs every operation of the committed OpenAPI document against a real
server on loopback, seeded with a real case, and requires no 5xx and no response outside the document
(status code, content type, body schema)."""

from __future__ import annotations

import base64
import os
import shutil
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
import schemathesis
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig

from tests.api.phi_world import API, CASE, SLICE, STUDY, Scenario, prepare, run
from tests.conftest import REPO, LiveServer
from vardesk.app.composition import Services
from vardesk.domain.enums import Role

DOCUMENT = REPO / "openapi.json"
# CI's bounded run: 12 generated examples per operation (positive and negative), a fixed seed, no
# coverage phase (its boundary values add some 50 requests per operation). A deeper run, by hand:
# VARDESK_SCHEMAGATE_EXAMPLES=40 VARDESK_SCHEMAGATE_COVERAGE=1 python -m pytest tests/api/test_schemathesis.py
MAX_EXAMPLES = int(os.environ.get("VARDESK_SCHEMAGATE_EXAMPLES", "12"))
COVERAGE = os.environ.get("VARDESK_SCHEMAGATE_COVERAGE") == "1"
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20261204,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "mode": "all"},
        "phases": {"coverage": {"enabled": COVERAGE}, "stateful": {"enabled": False}},
    }
)
SCHEMA = schemathesis.openapi.from_path(DOCUMENT, config=CONFIG)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ROLES = (Role.ADMIN, Role.ANALYST, Role.VIEWER)


@dataclass
class Gate:
    scenario: Scenario
    known: dict[str, str]  # a documented parameter name → a real value of the seeded world
    emedgene: dict[str, str]  # the same for the Emedgene operations (their names mean other things)
    requests: int = 0
    answered: dict[str, set[int]] = field(default_factory=dict)  # operation → the statuses it answered

    def known_for(self, path: str) -> dict[str, str]:
        return {**self.known, **self.emedgene} if path.startswith("/emedgene") else self.known

    def bearer(self, role: Role) -> str:
        """A fresh access token for the role's user: an operation that logs out, changes a password or
        disables a key cannot take the credential of the next one."""
        member = self.scenario.world.member("lab-a", role)
        services = self.scenario.server.services
        with services.ctx.uow() as uow:
            user = uow.users.get(member.actor.user_id)
            assert user is not None
        return services.ctx.signer.issue(user.uuid, member.actor.workspace_id, "access")

    def credentials(self, role: Role, path: str) -> dict[str, str]:
        """How the operation's own clients authenticate: the Fabric face's scripts send the role's API key
        with HTTP Basic; every other operation gets a fresh bearer token."""
        if path.startswith("/fabric"):
            login, secret = self.scenario.world.member("lab-a", role).basic
            token = base64.b64encode(f"{login}:{secret}".encode()).decode()
            return {"Authorization": f"Basic {token}"}
        return {"Authorization": f"Bearer {self.bearer(role)}"}


# search operations whose first result gives a real id for the path parameters named after them
SEARCHES = {
    "files": "/files/search",
    "samples": "/samples/search",
    "individuals": "/individuals/search",
    "families": "/families/search",
    "jobs": "/jobs/search",
    "panels": "/panels/search",
}


def known_values(sc: Scenario) -> dict[str, str]:
    """Real values of the seeded world for the parameter names the document uses (native and Fabric);
    a parameter not named here keeps its generated values."""
    world, services = sc.world, sc.server.services
    known = {
        "study": STUDY,
        "studies": STUDY,
        "project": STUDY.split(":")[0],
        "projects": STUDY.split(":")[0],
        "case": CASE,
        "cases": CASE,
        "interpretations": f"{CASE}.1",
        "users": world.member("lab-a", Role.ANALYST).email,
        "report_id": str(sc.report_id),
        "variant_report_id": sc.variant_id,
    }
    for name, path in SEARCHES.items():
        r = sc.call("GET", API + path, params={"study": STUDY})
        assert r.status_code == 200, r.text
        found = r.json()["responses"][0]["results"]
        if found:
            known[name] = known[name.rstrip("s")] = str(found[0]["id"])
    r = sc.call("GET", API + f"/analysis/clinical/interpretation/{CASE}.1/info", params={"study": STUDY})
    known["variant"] = r.json()["responses"][0]["results"][0]["primaryFindings"][0]["id"]
    with services.ctx.uow() as uow:
        workspace = world.member("lab-a", Role.ADMIN).actor.workspace_id
        project = uow.projects.by_code(workspace, STUDY.split(":")[0])
        genomes = uow.genomes.ready_in_workspace(workspace)
        assert project is not None and genomes
        known["project_id"], known["genome_id"] = str(project.id), str(genomes[0].id)
    return known


def emedgene_values(sc: Scenario, tmp: Path) -> dict[str, str]:
    """A storage provider holding a run folder with the GIAB SAMD11 slice, and an Emedgene case of its
    HG002 sample, analysed: the values of the Emedgene operations' path parameters."""
    services = sc.server.services
    analyst = sc.world.member("lab-a", Role.ANALYST)
    runs = tmp / "runs"
    (runs / "run1").mkdir(parents=True)
    shutil.copy(SLICE / "ashk_SAMD11.vcf.gz", runs / "run1" / "trio.vcf.gz")
    provider = services.storage_providers.add_local(analyst.actor.workspace_id, "Runs", runs)
    with services.ctx.uow() as uow:
        user = uow.users.get(analyst.actor.user_id)
        assert user is not None
    token = services.ctx.signer.issue(user.uuid, analyst.actor.workspace_id, "access")
    headers = {"Authorization": f"Bearer {token}"}
    proband = {"id": "proband", "gender": "Male", "fastq_sample": "HG002", "phenotypes": []}
    vcf = {"path": "/run1/trio.vcf.gz", "storage_id": provider.id, "vcf_column_name": "HG002"}
    sample = {"fastq": "HG002", "sampleFiles": [vcf]}
    body = {"test_data": {"patients": {"proband": proband}, "samples": [sample]}}
    r = requests.post(sc.server.url + "/emedgene/api/cases/v2/cases", json=body, headers=headers, timeout=60)
    assert r.status_code == 201, r.text
    name = r.json()["name"]
    deadline = time.monotonic() + 120
    while (
        status := requests.get(
            sc.server.url + f"/emedgene/api/test/{name}", headers=headers, timeout=60
        ).json()["status"]
    ) != "Delivered":
        assert time.monotonic() < deadline and status in ("Uploading", "In progress"), status
        time.sleep(0.25)
    return {"name": name, "storage_id": str(provider.id), "path": "/run1"}


@pytest.fixture(scope="module")
def gate(module_services: Services, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gate]:
    tmp = tmp_path_factory.mktemp("schemagate")
    started = time.monotonic()
    world = prepare(module_services, tmp)
    with LiveServer(module_services) as srv:
        sc = run(srv, world, tmp)
        g = Gate(sc, known_values(sc), emedgene_values(sc, tmp))
        seeded = time.monotonic()
        yield g
        print(
            f"\nschema gate: {len(SCHEMA)} operations, {g.requests} requests, seeding "
            f"{seeded - started:.1f} s, operations {time.monotonic() - seeded:.1f} s"
        )


def _pick(case: schemathesis.Case) -> tuple[bool, Role]:
    """Derived from the generated case, so a run is repeatable: whether the case's ids are replaced with
    the seeded world's real ones (else it keeps the generated, mostly unknown ones), and who calls."""
    h = zlib.crc32(repr((case.path_parameters, case.query, case.body)).encode())
    return h % 2 == 0, ROLES[(h // 2) % len(ROLES)]


@SCHEMA.parametrize()
def test_operation_conforms(case: schemathesis.Case, gate: Gate) -> None:
    real, role = _pick(case)
    if real:
        known = gate.known_for(case.operation.path)
        for location in (case.path_parameters, case.query):
            if location is None:
                continue
            for name in list(location):
                if name in known:
                    location[name] = known[name]
    headers = gate.credentials(role, case.operation.path)
    gate.requests += 1
    response = case.call(base_url=gate.scenario.server.url, headers=headers, timeout=60)
    gate.answered.setdefault(case.operation.label, set()).add(response.status_code)
    case.validate_response(response, checks=CHECKS, headers=headers)


def test_the_gate_reached_the_operations(gate: Gate) -> None:
    """Runs after the operations: the seeded ids and credentials must have taken most operations past
    authentication and lookup, or the gate would be checking error envelopes only."""
    assert set(gate.answered) == {op.label for op in _operations()}
    succeeded = sorted(label for label, statuses in gate.answered.items() if any(s < 300 for s in statuses))
    never = {label: sorted(gate.answered[label]) for label in sorted(set(gate.answered) - set(succeeded))}
    print(f"\nschema gate: {len(succeeded)} of {len(gate.answered)} operations answered 2xx; not: {never}")
    assert len(succeeded) >= 0.6 * len(gate.answered), sorted(set(gate.answered) - set(succeeded))


def _operations() -> list[schemathesis.APIOperation]:
    return [result.ok() for result in SCHEMA.get_all_operations()]
