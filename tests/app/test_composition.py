"""The composition root wires each service with its collaborators: no service holds the container, the
services share one instance of each collaborator, and every application job type has a bound handler."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from vardesk.app.cases.case_analysis import TOOL as CASE_TOOL
from vardesk.app.cases.gene_analyses import TOOL as GENE_TOOL
from vardesk.app.composition import Services
from vardesk.app.indexing import REANNOTATE
from vardesk.app.indexing import TOOL as INDEX_TOOL
from vardesk.jobs.registry import get_tool

SRC = Path(__file__).resolve().parents[2] / "src" / "vardesk" / "app"


def test_no_service_keeps_the_container(services: Services) -> None:
    for f in fields(Services):
        service = getattr(services, f.name)
        held = vars(service) if hasattr(service, "__dict__") else {}
        assert not any(isinstance(v, Services) for v in held.values()), f.name


def test_collaborators_are_the_wired_instances(services: Services) -> None:
    assert services.cases.analysis is services.candidates
    assert services.cases.interpretation is services.interpretation
    assert services.candidates.annotation is services.annotation
    assert services.candidates.store is services.store
    assert services.reports.cases is services.cases
    assert services.variants.annotation is services.annotation
    assert services.indexing.files is services.files
    assert services.analyses.panels is services.panels


def test_every_application_job_type_is_bound(services: Services) -> None:
    for tool_id in (INDEX_TOOL, REANNOTATE, CASE_TOOL, GENE_TOOL):
        assert tool_id in services.job_handlers
        assert get_tool(tool_id) is not None


def test_the_application_layer_never_reaches_through_the_container() -> None:
    offenders = [
        f"{path.relative_to(SRC)}:{n}"
        for path in SRC.rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if "self.services" in line or ("ctx.services" in line and path.name != "job_handlers.py")
    ]
    assert offenders == []
