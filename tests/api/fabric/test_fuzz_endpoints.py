"""Fuzzing Fabric endpoints through a real server on loopback: any body, under any Content-Type, sent to the
routes that decode one gets a response below 500 — a 4xx with ``{"description": …}`` when refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import example, given
from hypothesis import strategies as st

from tests.api.fabric.test_fuzz_bodies import JSON, RAW, REPORT_BODY
from tests.conftest import LiveServer
from tests.fuzzing import fuzz_settings
from tests.world import build_world
from vardesk.app.composition import Services
from vardesk.domain.enums import Role

ROUTES = [
    ("POST", "/projects/"),
    ("POST", "/reports/"),
    ("PUT", "/reports/{report}"),
    ("POST", "/reports/{report}/patient_fields"),
    ("POST", "/reports/{report}/qc_data"),
    ("PATCH", "/reports/{report}/update_status"),
    ("PUT", "/reports/{report}/variants"),
    ("POST", "/reports/{report}/selectable_variants"),
    ("POST", "/panels/"),
    ("POST", "/analysis/"),
    ("POST", "/variant_reports/{genome}/variants"),
    ("POST", "/case_containers"),
    ("POST", "/condition_genes/"),
    ("PUT", "/projects/{project}/genomes"),
]
CONTENT_TYPES = st.sampled_from(
    [
        None,
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "multipart/form-data; boundary=x",
        "text/plain; charset=latin-1",
        "application/octet-stream",
    ]
)


@pytest.fixture(scope="module")
def site(module_services: Services) -> Iterator[dict[str, Any]]:
    world = build_world(module_services, ("lab-a",))
    who = world.member("lab-a", Role.DIRECTOR).basic
    with LiveServer(module_services, run_jobs=False) as srv:
        base = srv.url + "/fabric"
        project = requests.post(f"{base}/projects/", data={"project_name": "Fuzz"}, auth=who, timeout=30)
        assert project.status_code == 200, project.text
        pid = project.json()["id"]
        report = requests.post(
            f"{base}/reports/", json={"report_type": "panel", "project_id": pid}, auth=who, timeout=30
        )
        assert report.status_code == 200, report.text
        ids = {"project": pid, "report": report.json()["clinical_report"]["id"], "genome": 1}
        yield {"base": base, "auth": who, "ids": ids, "session": requests.Session()}


def send(site: dict[str, Any], route: tuple[str, str], body: bytes, content_type: str | None) -> None:
    method, path = route
    headers = {"Content-Type": content_type} if content_type else {}
    r = site["session"].request(
        method,
        site["base"] + path.format(**site["ids"]),
        data=body,
        headers=headers,
        auth=site["auth"],
        timeout=60,
        allow_redirects=False,
    )
    assert r.status_code < 500, (method, path, r.status_code, r.text[:300])
    if r.status_code >= 400:
        assert r.json()["description"], r.text


@fuzz_settings(60)
@given(
    st.sampled_from(ROUTES),
    st.one_of(
        RAW, REPORT_BODY.map(lambda d: json.dumps(d).encode()), JSON.map(lambda d: json.dumps(d).encode())
    ),
    CONTENT_TYPES,
)
@example(("POST", "/reports/"), b"[" * 100_000, "application/json")  # was a 500 (RecursionError)
@example(("PUT", "/reports/{report}"), b'{"panel_id": 1' + b"0" * 5000 + b"}", None)  # was a 500 (ValueError)
@example(("POST", "/reports/"), b'{"report_type": "panel", "project_id": 99999999999999999999}', None)
def test_fabric_bodies_never_make_a_server_error(
    site: dict[str, Any], route: tuple[str, str], body: bytes, content_type: str | None
) -> None:
    send(site, route, body, content_type)
