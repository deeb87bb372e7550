"""Fuzzing native endpoints that decode a body, through a real server on loopback: case creation and
update bodies (OpenCGA and Vardesk spellings), Phenopacket/PED imports and logins answer below 500, with
an ERROR event naming the problem when refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import example, given
from hypothesis import strategies as st

from tests.api.fabric.test_fuzz_bodies import JSON, RAW, SCALARS
from tests.conftest import LiveServer
from tests.fuzzing import fuzz_settings
from tests.interchange.test_fuzz_ped import PED_TEXT
from tests.interchange.test_fuzz_phenopackets import DOCUMENT
from tests.world import build_world
from vardesk.app.composition import Services
from vardesk.domain.enums import Role

API = "/api/v2"
CASE_KEYS = [
    "id", "type", "caseType", "title", "description", "proband", "members", "panels", "panel_id",
    "hpo_terms", "patient_fields", "qc_data", "status", "statusReason", "dates", "filter_preset",
]  # fmt: skip
PROBAND = st.fixed_dictionaries(
    {},
    optional={
        "id": SCALARS,
        "samples": st.one_of(SCALARS, st.lists(st.one_of(SCALARS, st.fixed_dictionaries({"id": SCALARS})))),
    },
)
CASE_BODY = st.dictionaries(st.sampled_from(CASE_KEYS), st.one_of(SCALARS, PROBAND, JSON), max_size=6)


@pytest.fixture(scope="module")
def site(module_services: Services) -> Iterator[dict[str, Any]]:
    world = build_world(module_services, ("lab-a",))
    member = world.member("lab-a", Role.ANALYST)
    module_services.projects.create_project(member.actor, {"id": "fz", "organism": {"assembly": "GRCh37"}})
    module_services.cases.create(member.actor, "fz:default", {"id": "C1", "type": "exome"})
    with LiveServer(module_services, run_jobs=False) as srv:
        yield {"base": srv.url + API, "auth": member.basic, "session": requests.Session()}


def send(site: dict[str, Any], method: str, path: str, body: bytes, **params: str) -> None:
    r = site["session"].request(
        method,
        site["base"] + path,
        params={"study": "fz:default", **params},
        data=body,
        auth=site["auth"],
        timeout=60,
    )
    assert r.status_code < 500, (method, path, r.status_code, r.text[:300])
    if r.status_code >= 400:
        assert r.json()["events"][0]["message"], r.text


ROUTES = st.sampled_from(["/analysis/clinical/create", "/analysis/clinical/C1/update"])


@fuzz_settings(60)
@given(ROUTES, st.one_of(CASE_BODY.map(lambda d: json.dumps(d).encode()), RAW))
@example("/analysis/clinical/create", b'{"proband": {"id": "P", "samples": ["S1"]}}')  # was a 500
@example("/analysis/clinical/create", b'{"proband": {"samples": "S1"}}')  # was a 500
@example("/analysis/clinical/create", b"[" * 100_000)  # was a 500 (RecursionError)
def test_case_bodies_never_make_a_server_error(site: dict[str, Any], path: str, body: bytes) -> None:
    send(site, "POST", path, body)


@fuzz_settings(40)
@given(st.one_of(DOCUMENT.map(lambda d: ("phenopacket", d)), PED_TEXT.map(lambda d: ("ped", d))))
def test_case_imports_never_make_a_server_error(site: dict[str, Any], doc: tuple[str, str]) -> None:
    fmt, text = doc
    send(site, "POST", "/analysis/clinical/import", text.encode("utf-8", "surrogatepass"), format=fmt)
