"""The native OpenAPI document describes what the routes read: query parameters, bodies, results.

The routes read ``request.query_params`` and raw bodies, so FastAPI cannot see either; the declarations
in ``openapi_extra`` could drift from the code. These tests read each route's source for the parameters
and bodies it reads, and post every documented body example to a real server.
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

from tests.conftest import LiveServer
from tests.world import World, build_world
from vardesk.api.native import NATIVE_PREFIX, NATIVE_ROUTERS, routes_core, routes_variants
from vardesk.api.native.openapi_docs import PRESENT
from vardesk.api.openapi import current_schema
from vardesk.app.composition import Services
from vardesk.domain.enums import Role

SRC = Path(__file__).resolve().parents[2] / "src" / "vardesk"
PAGE = {"include", "exclude", "limit", "skip", "count"}
READS = [
    re.compile(r"""(?:\bq|query_params)\.get\(\s*"(\w+)\""""),
    re.compile(r"""\bq\[\s*"(\w+)"\s*\]"""),
    re.compile(r"""(?<![.\w])get\("(\w+)"\)"""),  # files/upload: form field, else query
]


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return current_schema()


def native_operations() -> Iterator[tuple[str, str, APIRoute]]:
    for router in NATIVE_ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            for method in route.methods:
                yield method.lower(), NATIVE_PREFIX + route.path, route


def query_read_by(route: APIRoute) -> set[str]:
    """The query parameters the route's code reads (directly or through the shared helpers)."""
    code = inspect.getsource(route.endpoint)
    names = {m for rx in READS for m in rx.findall(code)}
    if "search_response(" in code:
        names |= PAGE
    if "info_response(" in code:
        names |= {"include", "exclude", "silent"}
    if "write_response(" in code:
        names |= {"include", "exclude", "includeResult"}
    if "opts.limit" in code:
        names.add("limit")
    if "_study(request" in code:
        names.add("study")
    if "parse_search(" in code:
        names |= {m for rx in READS for m in rx.findall(inspect.getsource(routes_variants.parse_search))}
        names |= {"skip", "limit"}
    if "ProjectFilters" in code:
        names |= set(routes_core.ProjectFilters) - {"fqn", "organization"}  # the catalogue ignores these
    return names - {"sid"}  # the token parameter is a security scheme


def test_every_native_operation_documents_the_query_parameters_it_reads(schema: dict[str, Any]) -> None:
    with_params = 0
    for method, path, route in native_operations():
        op = schema["paths"][path][method]
        documented = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        read = query_read_by(route)
        assert read <= documented, f"{method.upper()} {path} reads undocumented {sorted(read - documented)}"
        for p in op.get("parameters", []):
            if p["in"] == "query":
                assert p["description"] and p["schema"]["type"], (path, p["name"])
        with_params += bool(read)
    assert with_params >= 50
    query = schema["paths"][f"{NATIVE_PREFIX}/analysis/variant/query"]["get"]["parameters"]
    by_name = {p["name"]: p for p in query}
    assert by_name["limit"]["schema"] == {"type": "integer", "default": 1000, "minimum": 0, "maximum": 5000}
    assert by_name["study"]["required"] and by_name["count"]["schema"]["type"] == "boolean"


def test_every_post_that_reads_a_body_documents_one(schema: dict[str, Any]) -> None:
    bodies = 0
    for method, path, route in native_operations():
        op = schema["paths"][path][method]
        code = inspect.getsource(route.endpoint)
        reads = "json_body" in code or "request.body()" in code or "request.form()" in code
        assert reads == ("requestBody" in op), f"{method.upper()} {path}"
        bodies += reads
        if "json_body" in code:
            ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            assert ref.rsplit("/", 1)[1] in schema["components"]["schemas"]
    assert bodies >= 20


def test_every_operation_documents_its_response(schema: dict[str, Any]) -> None:
    comps = schema["components"]["schemas"]
    for method, path, _ in native_operations():
        ok = schema["paths"][path][method]["responses"]["200"]["content"]
        if "application/json" not in ok:  # a download: one media type, its file's
            assert list(ok) in (["application/octet-stream"], ["application/pdf"]), path
            continue
        name = ok["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        envelope = comps[name]
        assert {"apiVersion", "responses", "events", "params"} <= set(envelope["properties"]), name
        result = comps[envelope["properties"]["responses"]["items"]["$ref"].rsplit("/", 1)[1]]
        assert {"numMatches", "results", "events"} <= set(result["properties"])


def _properties(schema: dict[str, Any], name: str, seen: set[str]) -> Iterator[tuple[str, str]]:
    """(model, field) for a model and the models it refers to."""
    if name in seen:
        return
    seen.add(name)
    model = schema["components"]["schemas"][name]
    for field, spec in model.get("properties", {}).items():
        yield name, field
        for ref in re.findall(r"#/components/schemas/(\w+)", str(spec)):
            yield from _properties(schema, ref, seen)


def test_every_documented_body_field_is_read_by_the_code(schema: dict[str, Any]) -> None:
    code = "\n".join(
        p.read_text()
        for folder in ("api/native", "app", "domain")
        for p in (SRC / folder).rglob("*.py")
        if p.name not in ("schemas.py", "results.py", "openapi_docs.py")
    )
    names: set[str] = set()
    for method, path, _ in native_operations():
        body = schema["paths"][path][method].get("requestBody", {}).get("content", {}).get("application/json")
        if body and "$ref" in body["schema"]:
            names.add(body["schema"]["$ref"].rsplit("/", 1)[1])
    fields = [mf for n in sorted(names) for mf in _properties(schema, n, set())]
    assert len(fields) > 80
    unread = [f"{m}.{f}" for m, f in fields if f'"{f}"' not in code]
    assert unread == []


# -- the examples, posted to a real server -------------------------------------------------------
@pytest.fixture(scope="module")
def world(module_services: Services) -> World:
    return build_world(module_services, ("lab",))


@pytest.fixture(scope="module")
def server(module_services: Services, world: World) -> Iterator[LiveServer]:
    with LiveServer(module_services, run_jobs=False) as srv:
        yield srv


def example(schema: dict[str, Any], path: str) -> dict[str, Any]:
    ref = schema["paths"][NATIVE_PREFIX + path]["post"]["requestBody"]["content"]["application/json"]
    return schema["components"]["schemas"][ref["schema"]["$ref"].rsplit("/", 1)[1]]["examples"][0]


def result_model(schema: dict[str, Any], path: str, method: str = "post") -> dict[str, Any]:
    """The documented model of the results of ``method`` ``path`` (a concrete path)."""
    for template, item in schema["paths"].items():
        if method in item and re.fullmatch(re.sub(r"\{\w+\}", "[^/]+", template), NATIVE_PREFIX + path):
            comps = schema["components"]["schemas"]
            envelope = comps[
                item[method]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"][21:]
            ]
            result = comps[envelope["properties"]["responses"]["items"]["$ref"][21:]]
            return comps[result["properties"]["results"]["items"]["$ref"][21:]]
    raise AssertionError(f"{method.upper()} {path} is not documented")


def get_all(
    schema: dict[str, Any], server: LiveServer, path: str, who: tuple[str, str], **params: str
) -> int:
    """GET ``path``; every result must have every field its documented model requires."""
    r = requests.get(server.url + NATIVE_PREFIX + path, params=params, auth=who, timeout=60)
    assert r.status_code == 200, (path, r.text)
    docs = r.json()["responses"][0]["results"]
    required = set(result_model(schema, path, "get")[PRESENT])
    for doc in docs:
        assert required <= set(doc), (path, sorted(required - set(doc)))
    return len(docs)


def post(
    schema: dict[str, Any], server: LiveServer, path: str, who: tuple[str, str], body: dict, **params: str
) -> dict[str, Any]:
    """POST ``body``; the result must have every field its documented model requires."""
    r = requests.post(
        server.url + NATIVE_PREFIX + path,
        params={"includeResult": "true", **params},
        json=body,
        auth=who,
        timeout=60,
    )
    assert r.status_code == 200, (path, r.text)
    doc = r.json()["responses"][0]["results"][0]
    model = result_model(schema, path)
    assert set(model[PRESENT]) <= set(doc), (path, sorted(set(model[PRESENT]) - set(doc)))
    return doc


def test_documented_examples_are_accepted_and_take_effect(
    server: LiveServer, world: World, schema: dict[str, Any]
) -> None:
    analyst = world.member("lab", Role.ANALYST)
    admin = world.member("lab", Role.ADMIN).basic
    who = analyst.basic

    login = example(schema, "/users/login")
    assert set(login) == {"user", "password"}
    r = requests.post(
        server.url + NATIVE_PREFIX + "/users/login",
        data=f'{{"user": "{analyst.email}", "password": "{analyst.password}"}}',  # no Content-Type
        timeout=30,
    )
    assert r.status_code == 200 and r.json()["responses"][0]["results"][0]["token"]

    ex = example(schema, "/projects/create")
    project = post(schema, server, "/projects/create", who, ex)
    assert (project["id"], project["name"], project["description"]) == (
        ex["id"],
        ex["name"],
        ex["description"],
    )
    assert project["organism"]["assembly"] == "GRCh38"
    ex = example(schema, "/projects/{project}/update")
    assert (
        post(schema, server, f"/projects/{project['id']}/update", who, ex)["description"] == ex["description"]
    )

    ex = example(schema, "/studies/create")
    study = post(schema, server, "/studies/create", who, ex, project=project["id"])
    assert (study["id"], study["name"]) == (ex["id"], ex["name"])
    ex = example(schema, "/studies/{study}/update")
    fqn = study["fqn"]
    assert post(schema, server, f"/studies/{fqn}/update", who, ex)["description"] == ex["description"]

    ex = example(schema, "/individuals/create")
    ind = post(schema, server, "/individuals/create", who, ex, study=fqn)
    assert (ind["id"], ind["sex"]["id"], ind["attributes"]["affected"]) == (ex["id"], "FEMALE", "AFFECTED")
    assert [p["id"] for p in ind["phenotypes"]] == ["HP:0001250"]

    ex = example(schema, "/families/create")
    fam = post(schema, server, "/families/create", who, ex, study=fqn)
    members = {m["id"]: m for m in fam["members"]}
    assert set(members) == {m["id"] for m in ex["members"]} and members["FAM1-P"]["father"] == {
        "id": "FAM1-F"
    }

    ex = example(schema, "/panels/create")
    panel = post(schema, server, "/panels/create", who, ex)
    assert panel["name"] == ex["name"] and {g["id"] for g in panel["genes"]} == {"SCN1A", "KCNQ2", "STXBP1"}
    ex = example(schema, "/panels/{panel}/update")
    assert "CDKL5" in {
        g["id"] for g in post(schema, server, f"/panels/{panel['id']}/update", who, ex)["genes"]
    }

    ex = example(schema, "/analysis/clinical/create")
    case = post(schema, server, "/analysis/clinical/create", who, ex, study=fqn)
    assert (case["id"], case["description"]) == (ex["id"], ex["description"])
    ex = example(schema, "/analysis/clinical/{case}/update")
    assert (
        post(schema, server, f"/analysis/clinical/{case['id']}/update", who, ex, study=fqn)["description"]
        == (ex["description"])
    )

    ex = example(schema, "/analysis/clinical/configuration/update")
    assert (
        post(schema, server, "/analysis/clinical/configuration/update", admin, ex)["patientFields"]
        == ex["patientFields"]
    )
    ex = example(schema, "/assays/create")
    assay = post(schema, server, "/assays/create", admin, ex)
    assert (assay["name"], assay["qcFields"]) == (ex["name"], ex["qcFields"])
    ex = example(schema, "/conditions/create")
    row = post(schema, server, "/conditions/create", who, ex)
    assert (row["gene"], row["condition"], row["pmids"]) == (ex["gene"], ex["condition"], ex["pmids"])

    # the results of reads match their documented models too
    login = analyst.email
    reads = [
        ("", {}),
        ("/meta/about", {}),
        (f"/users/{login}/info", {}),
        ("/projects/search", {}),
        ("/studies/search", {"project": project["id"]}),
        ("/individuals/search", {"study": fqn}),
        ("/families/search", {"study": fqn}),
        ("/panels/search", {}),
        ("/analysis/clinical/search", {"study": fqn}),
        (f"/analysis/clinical/{case['id']}/history", {"study": fqn}),
        (f"/analysis/clinical/interpretation/{case['id']}.1/info", {"study": fqn}),
        ("/analysis/clinical/configuration", {}),
        ("/assays/search", {}),
        ("/conditions/search", {}),
    ]
    for path, params in reads:
        assert get_all(schema, server, path, who, **params) >= 1, path


def test_a_projected_result_is_valid_against_its_documented_model(
    server: LiveServer, world: World, schema: dict[str, Any]
) -> None:
    """include/exclude may leave out any field, nested ones too: the documented models require none and
    name the fields an unprojected object always has under x-present-unless-projected."""
    who = world.member("lab", Role.ANALYST).basic
    r = requests.post(
        server.url + NATIVE_PREFIX + "/projects/create", json={"id": "projected"}, auth=who, timeout=30
    )
    assert r.status_code == 200, r.text
    model = result_model(schema, "/projects/projected/info", "get")
    status = schema["components"]["schemas"]["Status"]  # nested: include=status.name may leave it {}
    for params in ({"include": "name"}, {"exclude": "id,uuid,fqn"}, {"include": "nothing.here"}):
        r = requests.get(
            server.url + NATIVE_PREFIX + "/projects/projected/info", params=params, auth=who, timeout=30
        )
        assert r.status_code == 200, r.text
        doc = r.json()["responses"][0]["results"][0]
        assert set(model[PRESENT]) - set(doc), params  # the projection left out fields the model names
        assert set(model.get("required", [])) <= set(doc), params
    assert "required" not in status and status[PRESENT] == ["id"]
