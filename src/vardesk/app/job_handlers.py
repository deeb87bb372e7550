"""The job types the application runs, each bound by the composition root to the collaborators it needs.

The executor looks a job's tool up in :mod:`vardesk.jobs.registry` and hands it a ``JobContext`` whose
``services`` slot holds what the executor was built with: here, a :class:`JobHandlers` table. The tools
registered below only forward the job to its bound handler, so no job reaches a service container."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from vardesk.domain.errors import VardeskError
from vardesk.jobs.context import JobContext
from vardesk.jobs.registry import tool

Handler = Callable[[JobContext], dict[str, Any] | None]


class JobHandlers:
    """Job type → its handler, bound to its collaborators (see ``build_services``)."""

    def __init__(self, handlers: Mapping[str, Handler]) -> None:
        self._handlers = dict(handlers)

    def __contains__(self, tool_id: object) -> bool:
        return tool_id in self._handlers

    def run(self, tool_id: str, ctx: JobContext) -> dict[str, Any] | None:
        handler = self._handlers.get(tool_id)
        if handler is None:
            raise VardeskError(f"no handler for job type {tool_id!r} is wired on this server")
        return handler(ctx)


def register(tool_id: str) -> None:
    """Register ``tool_id`` with the job registry as a forward to the handler bound for it."""

    def forward(ctx: JobContext) -> dict[str, Any] | None:
        handlers = ctx.services
        if not isinstance(handlers, JobHandlers):
            raise TypeError(f"job {ctx.code} was started without the application's job handlers")
        return handlers.run(tool_id, ctx)

    forward.__name__ = forward.__qualname__ = f"run_{tool_id.replace('-', '_')}"
    tool(tool_id)(forward)
