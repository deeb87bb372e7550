"""Job tools that tests load through VARDESK_JOB_PLUGINS (the server's plugin mechanism)."""

from __future__ import annotations

import time
from pathlib import Path

from vardesk.domain.errors import Invalid
from vardesk.jobs.context import JobContext
from vardesk.jobs.registry import tool


@tool("test.count")
def count(ctx: JobContext) -> dict:
    """Appends one line per execution to a file, to prove a job ran exactly once."""
    with Path(ctx.params["file"]).open("a") as fh:
        fh.write(f"{ctx.code}\n")
    time.sleep(float(ctx.params.get("seconds", 0)))
    return {"ok": True}


@tool("test.slow")
def slow(ctx: JobContext) -> dict:
    """Runs ``seconds`` on its first attempt (long enough to be killed), fast on later ones."""
    marker = Path(ctx.params["dir"]) / f"attempt-{ctx.attempt}"
    marker.write_text(str(ctx.attempt))
    seconds = float(ctx.params["seconds"]) if ctx.attempt == 1 else 0.2
    steps = 20
    for i in range(steps):
        ctx.progress(100 * i / steps, f"step {i + 1} of {steps}")
        time.sleep(seconds / steps)
    return {"attempt": ctx.attempt}


@tool("test.fail")
def fail(ctx: JobContext) -> dict:
    raise Invalid("the input file has no samples")


@tool("test.matrix")
def matrix(ctx: JobContext) -> dict:
    return {}
