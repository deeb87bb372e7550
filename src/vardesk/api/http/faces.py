"""The seam between the HTTP host and its faces.

A face (the native API, the Fabric-compatible API, the pages) is a package whose ``__init__`` offers a
``face(settings)`` function returning a :class:`Face`: the routers it mounts and where, the URL prefixes
whose errors it renders and how, the links it publishes, and anything else it installs on the app. The
host (:mod:`vardesk.api.app`) registers every face of its list through :func:`register`; no face knows
another, and this module knows none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from fastapi import APIRouter, FastAPI

from vardesk.api.http.errors import ErrorRenderers, Renderer, StatusFor, status_for


@dataclass(frozen=True)
class Mount:
    """``router`` served under ``prefix``; only mounts with ``in_schema`` appear in the OpenAPI document."""

    prefix: str
    router: APIRouter
    in_schema: bool = True


@dataclass(frozen=True)
class ErrorShape:
    """Errors under ``prefix`` are rendered by ``renderer`` with the HTTP status ``status`` gives."""

    prefix: str
    renderer: Renderer
    status: StatusFor = status_for


@dataclass(frozen=True)
class Face:
    name: str
    mounts: tuple[Mount, ...] = ()
    errors: tuple[ErrorShape, ...] = ()
    # what the face offers other faces to point at (the landing page's links), by name
    links: Mapping[str, str] = field(default_factory=dict)
    # a sentence for the OpenAPI description, if the face is in the document
    description: str = ""
    # called after the face's mounts, with every face's links: routes outside the mounts, OpenAPI hooks
    install: Callable[[FastAPI, Mapping[str, str]], None] | None = None


def register(app: FastAPI, faces: list[Face], renderers: ErrorRenderers) -> None:
    """Register every face in list order: its error shapes, its routers, then its own install (which gets
    the links of every face)."""
    links: dict[str, str] = {}
    for face in faces:
        links.update(face.links)
    for face in faces:
        for shape in face.errors:
            renderers.register(shape.prefix, shape.renderer, shape.status)
        for mount in face.mounts:
            app.include_router(mount.router, prefix=mount.prefix, include_in_schema=mount.in_schema)
        if face.install is not None:
            face.install(app, links)
