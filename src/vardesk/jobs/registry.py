"""Job tools by id. A tool is a function ``fn(ctx: JobContext) -> dict | None`` (the job's result)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vardesk.jobs.context import JobContext

ToolFn = Callable[["JobContext"], dict[str, Any] | None]
_TOOLS: dict[str, ToolFn] = {}


def tool(tool_id: str) -> Callable[[ToolFn], ToolFn]:
    """Decorator registering a job tool under ``tool_id``."""

    def deco(fn: ToolFn) -> ToolFn:
        _TOOLS[tool_id] = fn
        return fn

    return deco


def get_tool(tool_id: str) -> ToolFn | None:
    return _TOOLS.get(tool_id)


def load_plugins(spec: str) -> None:
    """Import the comma-separated modules in ``spec``; they register tools when imported."""
    for name in filter(None, (s.strip() for s in spec.split(","))):
        importlib.import_module(name)
