"""The face seam: a face's routers are mounted where it says, errors under its prefixes take its shape,
every other error stays plain JSON, and each face sees the links every face publishes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping

import httpx
import pytest
import uvicorn
from fastapi import APIRouter, FastAPI
from starlette.requests import Request
from starlette.responses import Response

from tests.conftest import free_port
from vardesk.api.app import FACES
from vardesk.api.http.errors import ErrorRenderers, install_handlers
from vardesk.api.http.faces import ErrorShape, Face, Mount, register
from vardesk.api.http.responses import JSON
from vardesk.config import load_settings
from vardesk.domain.errors import NotFound, VardeskError

seen_links: dict[str, str] = {}


def _toy_renderer(request: Request, exc: VardeskError, status: int) -> Response:
    return JSON({"toy_error": exc.message}, status_code=status)


def _toy_face() -> Face:
    router = APIRouter()

    @router.get("/things/{name}")
    def thing(name: str) -> JSON:
        if name == "missing":
            raise NotFound("no thing called missing")
        return JSON({"thing": name})

    def install(app: FastAPI, links: Mapping[str, str]) -> None:
        seen_links.update(links)

    return Face(
        name="toy",
        mounts=(Mount("/toy/v1", router),),
        errors=(ErrorShape("/toy", _toy_renderer, lambda exc: 410),),
        links={"toy": "/toy/v1"},
        install=install,
    )


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    app = FastAPI()
    renderers = ErrorRenderers()
    register(app, [_toy_face(), Face(name="linker", links={"elsewhere": "/else"})], renderers)
    install_handlers(app, renderers)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started:
        assert time.time() < deadline and thread.is_alive(), "test server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_a_face_serves_its_routes_under_its_mount(base: str) -> None:
    r = httpx.get(base + "/toy/v1/things/lamp")
    assert r.status_code == 200 and r.json() == {"thing": "lamp"}


def test_errors_under_a_face_prefix_take_its_shape_and_status(base: str) -> None:
    r = httpx.get(base + "/toy/v1/things/missing")
    assert r.status_code == 410 and r.json() == {"toy_error": "no thing called missing"}
    unknown = httpx.get(base + "/toy/nowhere")  # the prefix, not only the mount, belongs to the face
    assert unknown.status_code == 404 and unknown.json() == {"toy_error": "no such endpoint"}


def test_errors_outside_every_face_are_plain_json(base: str) -> None:
    r = httpx.get(base + "/toys")  # shares the letters of the prefix, not its path
    assert r.status_code == 404 and r.json() == {"error": "invalid", "message": "no such endpoint"}


def test_every_face_sees_every_faces_links(base: str) -> None:
    assert seen_links == {"toy": "/toy/v1", "elsewhere": "/else"}


def test_the_server_faces_cover_their_prefixes_and_publish_their_links() -> None:
    faces = [make(load_settings(env={})) for make in FACES]
    prefixes = {shape.prefix for f in faces for shape in f.errors}
    assert prefixes == {
        "/api/v2",
        "/opencga/webservices/rest/v2",
        "/fabric",
        "/emedgene",
        # the web application's pages answer errors as HTML
        "/cases",
        "/sign-in",
        "/sign-out",
        "/session",
        "/static/web",
    }
    links = {k: v for f in faces for k, v in f.links.items()}
    assert links == {
        "app": "/",
        "native": "/api/v2",
        "opencga": "/opencga",
        "fabric": "/fabric",
        "emedgene": "/emedgene",
    }
    assert len({f.name for f in faces}) == len(faces)
