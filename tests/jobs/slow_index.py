"""Loaded by the worker tests through VARDESK_JOB_PLUGINS: while ``<data dir>/pause-annotation`` exists,
the first attempt of an index job stops at the start of its annotation stage (its genotype Parquet already
in the store) and waits there, renewing its lease, until the marker goes or the process is killed; it
writes ``<data dir>/paused-<job code>`` first, so a test knows the job is mid-annotation."""

from __future__ import annotations

import os
import time
from pathlib import Path

from vardesk.jobs.context import JobContext
from vardesk.jobs.registry import get_tool, tool

_index = get_tool("variant-index")
assert _index is not None, "load this plugin after the application's job types"


@tool("variant-index")
def paused_index(ctx: JobContext) -> dict | None:
    marker = Path(os.environ["VARDESK_DATA_DIR"]) / "pause-annotation"
    if ctx.attempt == 1 and marker.exists():
        report = ctx._report

        def pausing(percent: float, message: str) -> bool:
            cancel = report(percent, message)  # the stage is recorded first
            if message.startswith("annotating"):
                (marker.parent / f"paused-{ctx.code}").write_text(str(os.getpid()))
                deadline = time.time() + 60
                while marker.exists() and time.time() < deadline:
                    time.sleep(0.05)
            return cancel

        ctx._report = pausing
    assert _index is not None
    return _index(ctx)
