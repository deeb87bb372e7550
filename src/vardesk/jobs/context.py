"""What a running job sees: its parameters, a progress reporter, cancellation, the services."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class JobCancelled(Exception):
    """Raised inside a tool when the job was cancelled; the executor marks it CANCELLED."""


@dataclass
class JobContext:
    job_id: int
    code: str
    tool: str
    params: dict[str, Any]
    workspace_id: int
    created_by: int | None
    project_id: int | None
    study_id: int | None
    attempt: int
    services: Any
    _report: Callable[[float, str], bool] = field(repr=False, default=lambda p, m: False)
    _last: float = field(default=0.0, repr=False)
    _high: float = field(default=0.0, repr=False)
    _stage: str | None = field(default=None, repr=False)

    def progress(self, percent: float, message: str = "", *, force: bool = False) -> None:
        """Report progress (0–100), never lower than before: a value below the last one is raised to it.

        Written at most every half second, except with ``force``, at 100 % and when the stage (the
        message's text before its first colon, e.g. ``indexing`` in ``indexing: 1,234 records``)
        changes, so a new stage is never hidden behind the previous one's last figures."""
        percent = max(self._high, min(100.0, float(percent)))
        stage = message.split(":", 1)[0]
        now = time.monotonic()
        if force or now - self._last >= 0.5 or percent >= 100 or stage != self._stage:
            self._last, self._high, self._stage = now, percent, stage
            if self._report(percent, message):
                raise JobCancelled(f"job {self.code} was cancelled")

    def part(
        self, start: float, end: float, stage: str, *, force: bool = False
    ) -> Callable[[float, str], None]:
        """A reporter for one stage of the job: its 0–100 maps onto ``start``–``end`` of the job's
        progress and its messages read ``<stage>: <message>``. The stage's end (its 100) is always
        written; ``force`` writes every report (for stages that report a few steps, not a stream)."""

        def report(percent: float, message: str = "") -> None:
            within = max(0.0, min(100.0, float(percent))) / 100
            text = f"{stage}: {message}" if message else stage
            self.progress(start + (end - start) * within, text, force=force or within >= 1)

        return report
