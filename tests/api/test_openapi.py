from __future__ import annotations

import json

from tests.conftest import REPO
from vardesk.api.openapi import current_schema, render


def test_committed_openapi_matches_the_running_app() -> None:
    committed = (REPO / "openapi.json").read_text()
    current = render(current_schema())
    assert json.loads(committed) == json.loads(current), (
        "openapi.json is out of date: run `vardesk openapi -o openapi.json` and commit it"
    )
    paths = json.loads(current)["paths"]
    assert "/api/v2/projects/search" in paths and "/api/v2/users/login" in paths
