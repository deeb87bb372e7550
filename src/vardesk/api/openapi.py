"""The committed OpenAPI document (``openapi.json``): generated from the app, checked by a test."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from vardesk.config import load_settings


def current_schema() -> dict[str, Any]:
    """The schema of the app as built now (on a throw-away embedded catalog)."""
    from vardesk.api.app import create_app
    from vardesk.app.composition import build_services

    with tempfile.TemporaryDirectory() as tmp:
        services = build_services(load_settings(env={}, data_dir=Path(tmp)))
        try:
            return create_app(services, run_jobs=False).openapi()
        finally:
            services.close()


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
