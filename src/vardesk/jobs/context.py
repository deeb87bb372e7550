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

    def progress(self, percent: float, message: str = "", *, force: bool = False) -> None:
        """Report progress (0–100). Written at most every half second unless ``force``."""
        now = time.monotonic()
        if force or now - self._last >= 0.5 or percent >= 100:
            self._last = now
            if self._report(max(0.0, min(100.0, float(percent))), message):
                raise JobCancelled(f"job {self.code} was cancelled")
