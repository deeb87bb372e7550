"""The bounded fuzzing profile shared by the decoder fuzz tests (Hypothesis).

In the suite every fuzz test runs a fixed, derandomised number of examples, so CI is stable and the whole
fuzz set stays well under a minute. ``VARDESK_FUZZ_EXAMPLES=N`` runs N random (not derandomised) examples
per test instead, for a longer local hunt (``pytest --hypothesis-seed=S`` repeats one). A crash found
either way is kept as an explicit ``@example`` beside the test.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, settings

from vardesk.domain.errors import VardeskError

EXAMPLES_ENV = "VARDESK_FUZZ_EXAMPLES"
LONG = int(os.environ.get(EXAMPLES_ENV, "0") or 0)
# an input that takes longer than this to be accepted or refused counts as a hang
HANG_SECONDS = 10.0


def fuzz_settings(examples: int) -> settings:
    """``examples`` derandomised examples in the suite, ``VARDESK_FUZZ_EXAMPLES`` random ones locally."""
    return settings(
        max_examples=LONG or examples,
        derandomize=not LONG,
        deadline=None,  # hangs are timed by :func:`decodes` (a deadline flakes on a loaded CI machine)
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
        print_blob=True,
    )


def decodes(fn: Callable[..., Any], *args: Any, **kw: Any) -> tuple[Any, VardeskError | None]:
    """(result, None) or (None, the project's error); any other exception propagates and fails the test."""
    started = time.monotonic()
    try:
        result, error = fn(*args, **kw), None
    except VardeskError as exc:
        assert exc.message.strip(), f"{type(exc).__name__} without a message"
        result, error = None, exc
    elapsed = time.monotonic() - started
    assert elapsed < HANG_SECONDS, f"{getattr(fn, '__name__', fn)} took {elapsed:.1f} s on one input"
    return result, error
