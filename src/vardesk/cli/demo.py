"""``vardesk demo``: the demo workspace (see :mod:`vardesk.app.demo`)."""

from __future__ import annotations

from typing import Any

from vardesk.app.annotation import DEMO_WORKSPACE as DEMO
from vardesk.app.composition import Services
from vardesk.app.demo import DEMO_USERS, SeedDemo

DEMO_WORKSPACE = DEMO  # a synthetic (NOT HUMAN) bundle may be enabled for this workspace only
__all__ = ["DEMO_USERS", "DEMO_WORKSPACE", "seed_demo"]


def seed_demo(services: Services) -> dict[str, Any]:
    """Create (or refresh) the demo workspace. New passwords and a new API key on every run."""
    return SeedDemo.of(services).run()
