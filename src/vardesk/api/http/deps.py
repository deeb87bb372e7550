"""Request dependencies shared by the faces: the services, the authenticated actor, JSON bodies."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any

from pydantic import PlainValidator
from pydantic_core import PydanticCustomError
from starlette.requests import Request

from vardesk.app.composition import Services
from vardesk.domain.access import Actor
from vardesk.domain.errors import Invalid, Unauthenticated
from vardesk.domain.ids import parse_id


def _catalog_id(value: object) -> int:
    try:
        return parse_id(value, "")
    except Invalid as exc:
        raise PydanticCustomError("catalog_id", exc.message.strip()) from None


# A numeric path parameter: a 400 naming the parameter for ``²``, ``-1``, ``1.5`` or 2**63 (never a 500
# from an integer the database cannot hold).
CatalogId = Annotated[int, PlainValidator(_catalog_id, json_schema_input_type=int)]


def reject_nul(request: Request) -> None:
    """No path or query value may hold a NUL character: it is never part of an id, a code or a name, and
    PostgreSQL refuses it in a query (a 500) where SQLite looks it up."""
    values = [*request.path_params.values(), *(v for _, v in request.query_params.multi_items())]
    if any("\x00" in str(v) for v in values):
        raise Invalid("a path or query parameter holds a NUL character (%00)")


def get_services(request: Request) -> Services:
    return request.app.state.services


def client_address(request: Request) -> str | None:
    """The caller's address as the server saw the connection; X-Forwarded-For is applied by the server
    only for the proxies listed in VARDESK_TRUSTED_PROXIES."""
    return request.client.host if request.client else None


def actor_from_request(request: Request) -> Actor:
    """Bearer token, or HTTP Basic with an API key's login and secret, or OpenCGA's ``?sid=`` token."""
    services: Services = request.app.state.services
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    scheme = scheme.lower()
    value = value.strip()
    if scheme == "bearer" and value:
        return services.auth.authenticate_bearer(value)
    if scheme == "basic" and value:
        try:
            login, sep, secret = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthenticated("malformed Basic credentials") from None
        if not sep:
            raise Unauthenticated("malformed Basic credentials")
        return services.auth.authenticate_basic(login, secret, client_address(request))
    if header:
        raise Unauthenticated("unsupported Authorization scheme; use Bearer or Basic")
    sid = request.query_params.get("sid")
    if sid:
        return services.auth.authenticate_bearer(sid)
    raise Unauthenticated("authentication required: send a Bearer token or Basic API-key credentials")


def require_actor(request: Request) -> Actor:
    actor = actor_from_request(request)
    request.state.actor = actor
    return actor


def reject_nul_json(doc: Any) -> Any:
    """``doc`` (parsed JSON) unchanged, or Invalid when a key or string in it holds a NUL character
    (``\\u0000``): never part of a name or a note, and PostgreSQL refuses it in text (a 500)."""
    stack = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise Invalid("the request body holds a NUL character (\\u0000) in a string")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return doc


async def json_body(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, whatever the Content-Type says; an empty body is ``{}``."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Invalid(f"the request body is not valid JSON: {exc}") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise Invalid("the request body must be a JSON object")
    return reject_nul_json(doc)
