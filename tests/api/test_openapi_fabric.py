"""The Fabric face in the OpenAPI document: every route, the parameters and bodies it reads, responses.

The routes read ``request.query_params`` and raw bodies decoded by endpoint (contract §1.4), so the
declarations in ``openapi_docs`` could drift from the code. These tests enumerate the router's routes
against the document, read each route's source for the query parameters and bodies it reads, and
validate real responses of a live server against the documented schemas.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from fastapi.routing import APIRoute

from tests.api.openapi_responses import body_keys, check_response, face_operations, face_routes, schema_refs
from tests.conftest import LiveServer
from tests.world import World, build_world
from vardesk.api.fabric import FABRIC_ROUTERS, bodies, openapi_docs, routes_variants
from vardesk.api.openapi import current_schema
from vardesk.app.composition import Services
from vardesk.domain.enums import Role

PREFIX = "/fabric"
SRC = Path(__file__).resolve().parents[2] / "src" / "vardesk" / "api" / "fabric"
READS = [
    re.compile(r"""\bquery(?:_list)?\(\s*request,\s*"(\w+)"\s*\)"""),
    re.compile(r"""query_params\.get(?:list)?\(\s*"(\w+)"\s*\)"""),
]
BODY_READS = ("json_object(", "json_doc(", "json_patch(", "form_fields(", "request.body()", "request.form()")
BODY_READS += ("request.stream()", "_merge(", "_export(")


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return current_schema()


def fabric_routes() -> list[APIRoute]:
    return face_routes(FABRIC_ROUTERS)


def operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    return face_operations(schema, PREFIX)


def test_every_fabric_route_is_documented_once_in_one_slash_form(schema: dict[str, Any]) -> None:
    routes = fabric_routes()
    by_operation: dict[tuple[str, str], list[APIRoute]] = {}
    for r in routes:
        (method,) = r.methods
        by_operation.setdefault((r.endpoint.__name__, method), []).append(r)
    documented = set()
    for (name, method), forms in by_operation.items():
        assert sorted(f.path.rstrip("/") for f in forms) == [forms[0].path.rstrip("/")] * 2, name
        shown = [f for f in forms if f.include_in_schema]
        assert len(shown) == 1, f"{method} {name}: {len(shown)} forms in the schema"
        path = PREFIX + shown[0].path
        op = schema["paths"][path][method.lower()]
        assert op["tags"] == [openapi_docs.TAG] and op["summary"], (method, path)
        assert op["operationId"].startswith("fabric_" + name), op["operationId"]
        documented.add((method.lower(), path))
    assert set((m, p) for m, p, _ in operations(schema)) == documented  # nothing else under /fabric
    assert len(documented) >= 60
    assert openapi_docs.TAG_DOC in schema["tags"]
    assert schema["components"]["securitySchemes"]["basic"] == {**openapi_docs.BASIC}


def query_read_by(route: APIRoute) -> set[str]:
    code = inspect.getsource(route.endpoint)
    names = {m for rx in READS for m in rx.findall(code)}
    if "page(request" in code:
        names |= {"limit", "offset"}
    if "_extended(request)" in code or "report_doc(request" in code:
        names.add("extended")
    if "_selected(request" in code:
        names |= {m for rx in READS for m in rx.findall(inspect.getsource(routes_variants._selected))}
    return names


def test_every_fabric_operation_documents_the_query_parameters_it_reads(schema: dict[str, Any]) -> None:
    with_params = 0
    for route in fabric_routes():
        if not route.include_in_schema:
            continue
        (method,) = route.methods
        op = schema["paths"][PREFIX + route.path][method.lower()]
        params = op.get("parameters", [])
        documented = {p["name"] for p in params if p["in"] == "query"}
        read = query_read_by(route)
        assert read <= documented, f"{method} {route.path} reads undocumented {sorted(read - documented)}"
        assert {p["name"] for p in params if p["in"] == "path"} == set(re.findall(r"\{(\w+)\}", route.path))
        for p in params:
            assert p["schema"].get("type"), (route.path, p["name"])
            if p["in"] == "query":
                assert p["description"], (route.path, p["name"])
        with_params += bool(read)
    assert with_params >= 18
    variants = schema["paths"][PREFIX + "/reports/{report_id}/variants"]["get"]["parameters"]
    status = next(p for p in variants if p["name"] == "status")
    assert status["explode"] and set(status["schema"]["items"]["enum"]) >= {"REVIEWED", "CONFIRMED"}


def test_every_route_that_reads_a_body_documents_one(schema: dict[str, Any]) -> None:
    comps = schema["components"]["schemas"]
    bodies_seen = 0
    for route in fabric_routes():
        if not route.include_in_schema:
            continue
        (method,) = route.methods
        op = schema["paths"][PREFIX + route.path][method.lower()]
        code = inspect.getsource(route.endpoint)
        reads = any(marker in code for marker in BODY_READS)
        assert reads == ("requestBody" in op), f"{method} {route.path}"
        bodies_seen += reads
        for media in op.get("requestBody", {}).get("content", {}).values():
            ref = media["schema"].get("$ref")
            assert ref is None or ref.rsplit("/", 1)[1] in comps, ref
    assert bodies_seen >= 25


def test_every_response_has_a_real_schema(schema: dict[str, Any]) -> None:
    comps = schema["components"]["schemas"]
    for method, path, op in operations(schema):
        responses = op["responses"]
        ok = [code for code in responses if code.startswith("2")]
        assert len(ok) == 1, (method, path, ok)
        assert {"400", "404", "default"} <= set(responses), (method, path)
        for code, resp in responses.items():
            assert resp["content"], (method, path, code)
            for media, spec in resp["content"].items():
                assert spec.get("schema"), f"{method} {path} {code} {media}: empty schema"
                for name in schema_refs(spec):
                    model = comps[name]
                    assert model.get("properties") or model.get("items") or model.get("anyOf"), name
            if code != ok[0]:
                assert resp["content"]["application/json"]["schema"] == openapi_docs.ref(
                    openapi_docs.schemas.FabricError
                )
    pdf = schema["paths"][PREFIX + "/reports/{report_id}/pdf_report"]["get"]["responses"]["200"]
    assert list(pdf["content"]) == ["application/pdf"] and "Content-Disposition" in pdf["headers"]
    genome = comps["FabricGenome"]
    assert (
        "genome_id" in genome["required"] and {"type": "null"} in genome["properties"]["external_id"]["anyOf"]
    )


def test_every_documented_body_key_is_read_by_the_code(schema: dict[str, Any]) -> None:
    code = "\n".join(p.read_text() for p in SRC.glob("*.py") if p.name not in ("bodies.py", "schemas.py"))
    literal = set(re.findall(r'"(\w+)"', code))
    built = [
        re.compile(re.sub(r"\\\{\w+\\\}", r"\\w+", re.escape(t)) + "$")
        for t in re.findall(r'f"([^"]+)"', code)
    ]
    comps = schema["components"]["schemas"]
    keys = {k for m in bodies.BODIES for k in body_keys(openapi_docs.ref(m), comps, set())}
    keys -= {"op", "path", "value"}  # JSON Patch operations: read as op/path/value in common.json_patch
    assert len(keys) > 60
    unread = sorted(k for k in keys if k not in literal and not any(rx.match(k) for rx in built))
    assert unread == []


# -- real responses of a live server, against the document ---------------------------------------------
@pytest.fixture(scope="module")
def world(module_services: Services) -> World:
    return build_world(module_services, ("lab",))


@pytest.fixture(scope="module")
def server(module_services: Services, world: World) -> Iterator[LiveServer]:
    with LiveServer(module_services, run_jobs=False) as srv:
        yield srv


class Checker:
    """Sends a request and validates the answer against the documented response of its status."""

    def __init__(self, schema: dict[str, Any], server: LiveServer, who: tuple[str, str] | None) -> None:
        self.schema, self.server, self.who, self.checked = schema, server, who, 0

    def __call__(self, method: str, path: str, expect: int = 200, **kw: Any) -> Any:
        r = requests.request(method, self.server.url + PREFIX + path, auth=self.who, timeout=60, **kw)
        assert r.status_code == expect, (method, path, r.status_code, r.text[:300])
        assert check_response(r, method, PREFIX + path, self.schema), f"{method} {path} is not documented"
        if r.headers["content-type"].startswith("application/json"):
            self.checked += 1
            return r.json()
        return r.content


def test_real_responses_match_the_documented_schemas(
    server: LiveServer, world: World, schema: dict[str, Any]
) -> None:
    check = Checker(schema, server, world.member("lab", Role.ANALYST).basic)
    project = check("post", "/projects/", data={"project_name": "Doc P1", "share_role": "CONTRIBUTOR"})
    pid = project["id"]
    check("get", "/projects/")
    check("get", f"/projects/{pid}")
    check("get", f"/projects/{pid}/genomes")
    check("get", "/genomes", params={"project_id": pid})
    check("put", f"/projects/{pid}/genomes", 400, data=b"not a VCF")
    panel = check(
        "post", "/panels/", json=bodies.FabricPanelCreate.model_config["json_schema_extra"]["examples"][0]
    )
    check("get", "/panels/", params={"name": "cardio"})
    check("put", f"/panels/{panel['id']}", json={"methodology": "NGS"})
    check("post", f"/panels/{panel['id']}/regions", json={"gene_symbols": "BRCA1, NOTAGENE"})
    check("get", f"/panels/{panel['id']}/regions")
    report = check(
        "post",
        "/reports/",
        json={"report_type": "Trio", "project_id": str(pid), "accession_id": "ACC-DOC", "disease_id": "C1"},
    )["clinical_report"]
    rid = report["id"]
    assert report["status"] == "WAITING FOR SAMPLE" and report["disease_id"] == "C1"
    check("put", f"/reports/{rid}", json={"background": "FULL", "hpo_terms": "HP:0001250"})
    check("post", "/reports/", 400, json={"report_type": "Trio", "project_id": pid, "disease_id": {}})
    check("get", f"/reports/{rid}")
    check("get", f"/reports/{rid}/", params={"extended": "True"})
    check("get", "/reports/", params={"accession_id": "DOC", "order_by": "report_status"})
    check("post", f"/reports/{rid}/patient_fields", json={"First Name": "Jane", "Patient DOB": "7/3/2014"})
    check("get", f"/reports/{rid}/patient_fields")
    check("post", f"/reports/{rid}/qc_data", json={"Cluster Density": 170})
    check("get", f"/reports/{rid}/qc_data")
    check(
        "patch",
        f"/reports/{rid}/update_status",
        422,
        json=[{"op": "replace", "path": "/status", "value": "x"}],
    )
    check("get", f"/reports/{rid}/variants")
    check("get", f"/reports/{rid}/variants/scored", params={"audit_log": "true"})
    check("get", f"/reports/{rid}/structural_variants")
    check("post", f"/reports/{rid}/selectable_variants", json=[{"chromosome": "chr1"}])
    check("get", f"/reports/{rid}/pdf_preview", 422)
    check("get", f"/reports/{rid}/variants/999999", 404)
    check("get", "/assay_types")
    cg = bodies.ConditionGeneBody.model_config["json_schema_extra"]["examples"][0]
    check("post", "/condition_genes/", json=cg)
    check("get", "/condition_genes/", params={"cui": cg["CUI"]})
    job = check("post", "/jobs", json={"accession_id": "ACC-JOB"})
    check("get", "/jobs", params={"uuid": job["uuid"]})
    check("get", f"/jobs/{job['uuid']}")
    check("get", "/analysis/")
    check("get", "/analysis/1", 404)
    created = check(
        "post",
        "/case_containers",
        data=(
            '{"analysis_types": ["WGS"], "hpo_terms": ["HP:0001250"], "members": [{"accession": "DOC1", '
            '"sex": "FEMALE", "relationship": "PROBAND", "phi": {"patient": {"first_name": "Ann"}}}, '
            '{"accession": "DOC2", "affected": "False", "relationship": "MOTHER"}]}'
        ),
    )
    assert len(created["urls"]) == 2
    check("get", "/case_containers", params={"accession": "DOC1"})
    cid = created["case_container_id"]
    check("get", f"/case_containers/{cid}/report", 422)
    check("post", f"/case_containers/{cid}/members/{created['urls'][0]['member_id']}/genome", 400)
    check("get", f"/report_downloads/{rid}", 403, params={"token": "forged"})
    assert Checker(schema, server, None)("get", "/projects/", 401) == {
        "description": "authentication required: send a Bearer token or Basic API-key credentials"
    }
    assert check.checked >= 40
