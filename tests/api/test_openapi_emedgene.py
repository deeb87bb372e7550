"""The Emedgene face in the OpenAPI document: every route, the parameters and bodies it reads, responses.

The routes read ``request.query_params`` and raw bodies (contract §1.3), so the declarations in
``openapi_docs`` could drift from the code. These tests enumerate the router's routes against the
document, read each route's source for the query parameters and bodies it reads, and validate real
responses of a live server (a GIAB trio from a storage provider, analysed to Delivered) against the
documented schemas.
"""

from __future__ import annotations

import inspect
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from fastapi.routing import APIRoute

from tests.api.openapi_responses import body_keys, check_response, face_operations, face_routes, schema_refs
from tests.conformance.emedgene.test_storage_trio import VCF, _trio
from tests.conftest import TESTDATA, LiveServer
from tests.world import World, build_world
from vardesk.annotate.bundle import build_bundle
from vardesk.api.emedgene import EMEDGENE_ROUTERS, common, openapi_docs, schemas
from vardesk.api.openapi import current_schema
from vardesk.app.composition import Services
from vardesk.domain.enums import Role

PREFIX = "/emedgene"
SRC = Path(__file__).resolve().parents[2] / "src" / "vardesk" / "api" / "emedgene"
SLICE = TESTDATA / "reference-slices" / "grch37-SAMD11"
READS = re.compile(r"""query_params\.get(?:list)?\(\s*"(\w+)"\s*(?:,[^)]*)?\)""")
BODY_READS = (
    "json_body(",
    "request.body()",
    "request.form()",
    "request.stream()",
    "_create(",
    "_login(",
    "_set_status(",
)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return current_schema()


def emedgene_routes() -> list[APIRoute]:
    return face_routes(EMEDGENE_ROUTERS)


def operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    return face_operations(schema, PREFIX)


def test_every_emedgene_route_is_documented_once_in_one_slash_form(schema: dict[str, Any]) -> None:
    by_operation: dict[tuple[str, str], list[APIRoute]] = {}
    for r in emedgene_routes():
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
        assert op["operationId"] == "emedgene_" + name, op["operationId"]
        documented.add((method.lower(), path))
    assert set((m, p) for m, p, _ in operations(schema)) == documented  # nothing else under /emedgene
    assert len(documented) == 17  # with the status change (PATCH and PUT)
    assert openapi_docs.TAG_DOC in schema["tags"] and "at `/`" in openapi_docs.TAG_DOC["description"]
    assert "Emedgene-compatible API at /emedgene" in schema["info"]["description"]
    logins = [op for m, p, op in operations(schema) if "api_login" in p]
    assert len(logins) == 2 and all(op["security"] == [] for op in logins)
    others = [op for m, p, op in operations(schema) if "api_login" not in p]
    assert all(op["security"] == openapi_docs.SECURITY for op in others)
    assert {"bearer", "basic"} <= set(schema["components"]["securitySchemes"])


def query_read_by(route: APIRoute) -> set[str]:
    code = inspect.getsource(route.endpoint)
    names = set(READS.findall(code))
    if "paging(request" in code:
        names |= {"from", "size"}
    if "_create(request" in code:
        names |= set(READS.findall(inspect.getsource(inspect.getmodule(route.endpoint)._create)))  # type: ignore[union-attr]
    return names


def test_every_emedgene_operation_documents_the_query_parameters_it_reads(schema: dict[str, Any]) -> None:
    assert set(READS.findall(inspect.getsource(common.paging))) == set()  # reads through the loop below
    assert '("from", 0), ("size", default_size)' in inspect.getsource(common.paging)
    with_params = 0
    for route in emedgene_routes():
        if not route.include_in_schema:
            continue
        (method,) = route.methods
        op = schema["paths"][PREFIX + route.path][method.lower()]
        params = op.get("parameters", [])
        documented = {p["name"] for p in params if p["in"] == "query"}
        read = query_read_by(route)
        assert read == documented, (
            f"{method} {route.path}: reads {sorted(read)}, documents {sorted(documented)}"
        )
        assert {p["name"] for p in params if p["in"] == "path"} == set(re.findall(r"\{(\w+)\}", route.path))
        for p in params:
            assert p["schema"].get("type"), (route.path, p["name"])
            if p["in"] == "query":
                assert p["description"], (route.path, p["name"])
        with_params += bool(read)
    assert with_params >= 9


def test_every_route_that_reads_a_body_documents_one(schema: dict[str, Any]) -> None:
    comps = schema["components"]["schemas"]
    bodies_seen = 0
    for route in emedgene_routes():
        if not route.include_in_schema:
            continue
        (method,) = route.methods
        op = schema["paths"][PREFIX + route.path][method.lower()]
        reads = any(marker in inspect.getsource(route.endpoint) for marker in BODY_READS)
        assert reads == ("requestBody" in op), f"{method} {route.path}"
        bodies_seen += reads
        for media in op.get("requestBody", {}).get("content", {}).values():
            assert media["schema"]["$ref"].rsplit("/", 1)[1] in comps
    assert bodies_seen == 7


def test_every_response_has_a_real_schema(schema: dict[str, Any]) -> None:
    comps = schema["components"]["schemas"]
    error = openapi_docs.ref(schemas.EmedgeneError)
    for method, path, op in operations(schema):
        responses = op["responses"]
        ok = sorted(code for code in responses if code.startswith("2"))
        assert ok in (["200"], ["200", "201"]), (method, path, ok)
        assert {"400", "401", "default"} <= set(responses), (method, path)
        for code, resp in responses.items():
            assert resp["content"], (method, path, code)
            for media, spec in resp["content"].items():
                assert spec.get("schema"), f"{method} {path} {code} {media}: empty schema"
                for name in schema_refs(spec):
                    model = comps[name]
                    assert model.get("properties") or model.get("items") or model.get("anyOf"), name
            if not code.startswith("2"):
                assert resp["content"]["application/json"]["schema"] == error
    assert set(comps["EmedgeneError"]["required"]) == {"message", "error"}
    assert all(name.startswith("Emedgene") for m, p, op in operations(schema) for name in schema_refs(op))
    sample = comps["EmedgeneSample"]
    assert {"type": "null"} in sample["properties"]["id"]["anyOf"] and "id" in sample["required"]
    create = schema["paths"][PREFIX + "/api/cases/v2/cases"]["post"]["responses"]
    assert schema_refs(create["201"]) == ["EmedgeneCreatedCase"]
    assert schema_refs(create["200"]) == ["EmedgeneDryRun"]


def test_every_documented_body_key_is_read_by_the_code(schema: dict[str, Any]) -> None:
    # the face's modules and the body mapping it shares with the batch CSV (app/cases/emedgene.py)
    sources = [p for p in SRC.glob("*.py") if p.name not in ("schemas.py", "openapi_docs.py")]
    sources.append(SRC.parents[1] / "app" / "cases" / "emedgene.py")
    code = "\n".join(p.read_text() for p in sources)
    literal = set(re.findall(r'"(\w+)"', code))
    comps = schema["components"]["schemas"]
    keys = {k for m in schemas.BODIES for k in body_keys(openapi_docs.ref(m), comps, set())}
    assert len(keys) > 30
    assert sorted(k for k in keys if k not in literal) == []


# -- real responses of a live server, against the document ---------------------------------------------
@pytest.fixture(scope="module")
def world(module_services: Services, tmp_path_factory: pytest.TempPathFactory) -> World:
    w = build_world(module_services, ("lab",))
    bundle = tmp_path_factory.mktemp("bundle") / "samd11"
    build_bundle(
        build="GRCh37",
        gff3=SLICE / "SAMD11.grch37.gff3",
        fasta=SLICE / "grch37_chr1_860k.fa.gz",
        out=bundle,
        version="slice-1",
    )
    module_services.annotation.install(bundle, default=True)
    return w


@pytest.fixture(scope="module")
def provider(module_services: Services, world: World, tmp_path_factory: pytest.TempPathFactory) -> int:
    root = tmp_path_factory.mktemp("runs")
    target = root / VCF.lstrip("/")
    target.parent.mkdir(parents=True)
    shutil.copy(SLICE / "ashk_SAMD11.vcf.gz", target)
    (target.parent / "trio.bam").write_bytes(b"not a bam")
    ws = module_services.admin.get_workspace("lab")
    return module_services.storage_providers.add_local(ws.id or 0, "Run folders", root).id or 0


@pytest.fixture(scope="module")
def server(module_services: Services, world: World) -> Iterator[LiveServer]:
    with LiveServer(module_services) as srv:
        yield srv


class Checker:
    """Sends a request and validates the answer against the documented response of its status."""

    def __init__(self, schema: dict[str, Any], server: LiveServer, headers: dict[str, str]) -> None:
        self.schema, self.server, self.headers, self.checked = schema, server, headers, 0

    def __call__(self, method: str, path: str, expect: int = 200, **kw: Any) -> Any:
        url = self.server.url + PREFIX + path
        r = requests.request(method, url, headers=self.headers, timeout=60, allow_redirects=False, **kw)
        assert r.status_code == expect, (method, path, r.status_code, r.text[:300])
        assert check_response(r, method, PREFIX + path, self.schema), f"{method} {path} is not documented"
        self.checked += 1
        return r.json()


def test_real_responses_match_the_documented_schemas(
    server: LiveServer, world: World, provider: int, schema: dict[str, Any]
) -> None:
    member = world.member("lab", Role.ANALYST)
    anonymous = Checker(schema, server, {})
    login = {"username": member.email, "password": member.password}
    token = anonymous("post", "/api/auth/v2/api_login/", json=login)
    assert anonymous("post", "/api/auth/api_login", json=login)["Authorization"].startswith("Bearer ")
    anonymous("post", "/api/auth/v2/api_login/", 401, json={**login, "password": "wrong"})
    anonymous("get", "/api/test", 401)
    check = Checker(schema, server, {"Authorization": f"Bearer {token['access_token']}"})

    body = _trio(provider)
    assert check("post", "/api/cases/v2/cases", params={"dry_run": "true"}, json=body)["valid"] is True
    check("post", "/api/cases/v2/cases", 400, params={"dry_run": "maybe"}, json=body)
    check("post", "/api/test", 400, json={"test_data": {"patients": {}}})
    name = check("post", "/api/cases/v2/cases", 201, json=body)["name"]
    pending = schemas.EmedgeneCaseBody.model_config["json_schema_extra"]["examples"][0]  # type: ignore[index]
    check("post", "/api/test/", 201, json={**pending, "should_upload": True})

    deadline = time.time() + 180
    while check("get", f"/api/test/{name}", params={"test_fields": "status"})["status"] != "Delivered":
        assert time.time() < deadline, "the trio was not delivered in time"
        time.sleep(0.5)
    case = check("get", f"/api/test/{name}/")
    assert case["samples"] and case["genes"] == [{"name": "SAMD11"}]
    assert check("get", "/api/test", params={"from": "0", "size": "1"})["size"] == 1
    check("get", "/api/test", 400, params={"size": "-1"})
    check("get", "/api/test/EMG000000000", 404)
    hits = check("get", f"/api/candidates/{name}")["hits"]
    assert hits and all(h["gene_name"] == "SAMD11" for h in hits)
    assert check("get", f"/api/test/{name}/export")["variants"] == hits
    email = member.email
    shared = check("put", f"/api/test/{name}/add_participants_on_create", json={"emails": [email]})
    assert shared["participants"][0]["email"] == email
    check("put", f"/api/test/{name}/add_participants_on_create", 400, json={"emails": "x"})
    assert check("get", f"/api/test/{name}")["participants"] == shared["participants"]

    storages = check("get", "/api/storage")
    assert provider in {s["id"] for s in storages["hits"]}
    check("get", f"/api/storage/{provider}")
    check("get", "/api/storage/999999", 404)
    listing = check("get", f"/api/storage/{provider}/fs/list", params={"path": "/run1/trio", "size": "1"})
    assert listing["has_more"] is True and listing["resources"][0]["type"] == "file"
    long = "/" + "a" * 5000  # longer than a file name may be: absent, not a server error
    check("get", f"/api/storage/{provider}/fs/list", 404, params={"path": long})
    body["test_data"]["samples"][0]["sampleFiles"][1]["path"] = long + ".vcf.gz"
    check("post", "/api/cases/v2/cases", 404, params={"dry_run": "true"}, json=body)
    samples = check("get", "/api/sample", params={"query": "hg00", "exact_match": "false"})["hits"]
    assert {"HG002", "HG003", "HG004"} <= {s["name"] for s in samples}
    assert None in {s["id"] for s in check("get", "/api/sample")["hits"]}  # the pending sample
    check("get", "/api/phenotype", params={"query": "seizure", "size": "3"})
    check("get", "/api/organization/users")
    assert check.checked + anonymous.checked >= 28
