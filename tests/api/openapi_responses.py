"""Validating real responses against the committed OpenAPI document (``openapi.json``)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import jsonschema
import requests

from tests.conftest import REPO


@cache
def committed() -> dict[str, Any]:
    return json.loads((REPO / "openapi.json").read_text())


def operation(schema: dict[str, Any], method: str, path: str) -> dict[str, Any] | None:
    """The documented operation of a concrete ``path``, in either slash form (both are served)."""
    for template, item in schema["paths"].items():
        pattern = re.sub(r"\{\w+\}", "[^/]+", template.rstrip("/")) + "/?"
        if method in item and re.fullmatch(pattern, path):
            return item[method]
    return None


@cache
def _validator(key: str) -> jsonschema.Draft202012Validator:
    spec = json.loads(key)
    return jsonschema.Draft202012Validator({**spec, "components": committed()["components"]})


def check_response(
    r: requests.Response, method: str, path: str, schema: dict[str, Any] | None = None
) -> bool:
    """Assert that ``r`` (to ``method path``) has a documented status and media type, and that a JSON
    body matches the documented schema. False when the operation is not documented (an unknown path)."""
    doc = schema or committed()
    op = operation(doc, method.lower(), path)
    if op is None:
        return False
    documented = op["responses"].get(str(r.status_code)) or op["responses"].get("default")
    assert documented, f"{method} {path}: status {r.status_code} is not documented"
    media = r.headers.get("content-type", "").split(";")[0]
    assert media in documented["content"], f"{method} {path} {r.status_code}: {media} is not documented"
    if media == "application/json":
        spec = documented["content"][media]["schema"]
        if schema is None:
            validator = _validator(json.dumps(spec, sort_keys=True))
        else:
            validator = jsonschema.Draft202012Validator({**spec, "components": schema["components"]})
        errors = sorted(validator.iter_errors(r.json()), key=lambda e: list(e.path))
        assert not errors, f"{method} {path} {r.status_code}: " + "; ".join(
            f"{'/'.join(map(str, e.path))}: {e.message[:200]}" for e in errors[:5]
        )
    return True


# -- shared by the faces' document tests (test_openapi_fabric.py, test_openapi_emedgene.py) ----------------
def face_routes(routers: Any) -> list[Any]:
    """Every route of a face's routers, each an APIRoute."""
    from fastapi.routing import APIRoute

    routes = [r for router in routers for r in router.routes]
    assert all(isinstance(r, APIRoute) for r in routes)
    return routes


def face_operations(schema: dict[str, Any], prefix: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) of every documented operation under ``prefix``."""
    for path, item in schema["paths"].items():
        if path == prefix or path.startswith(prefix + "/"):
            for method, op in item.items():
                yield method, path, op


def schema_refs(spec: Any) -> list[str]:
    """The component names ``spec`` refers to, in order."""
    return re.findall(r"#/components/schemas/(\w+)", str(spec))


def body_keys(model: dict[str, Any], comps: dict[str, Any], seen: set[str]) -> Iterator[str]:
    """Every property name of the components ``model`` refers to, transitively."""
    for name in schema_refs(model):
        if name not in seen:
            seen.add(name)
            yield from comps[name].get("properties", {})
            yield from body_keys(comps[name], comps, seen)
