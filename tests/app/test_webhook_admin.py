"""Managing webhooks and storage providers: listed and removed from the command line and (webhooks) by a
workspace admin through the API, audited; a removed webhook is told nothing more and its log stays."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_settings
from tests.world import World, build_world
from vardesk.app.composition import Services, build_services
from vardesk.domain.enums import Role
from vardesk.domain.errors import Forbidden, NotFound
from vardesk.domain.webhooks import DeliveryState


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Services, World, Path]]:
    root = tmp_path_factory.mktemp("admin")
    services = build_services(make_settings(root / "data", ""))
    try:
        yield services, build_world(services, ("lab-a", "lab-b")), root
    finally:
        services.close()


def _cli(services: Services, monkeypatch: pytest.MonkeyPatch, *argv: str) -> tuple[int, Any]:
    from vardesk.cli.main import main

    monkeypatch.setenv("VARDESK_DATA_DIR", str(services.settings.data_dir))
    monkeypatch.setenv("VARDESK_DATABASE_URL", services.settings.resolved_database_url)
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(argv))
    return code, json.loads(out.getvalue()) if code == 0 else None


def _audited(services: Services, action: str) -> list[str]:
    with services.ctx.uow() as uow:
        return [str(e.entity_id) for e in uow.audit.search(action=action)]


def test_webhooks_listed_and_removed_from_the_command_line(
    env: tuple[Services, World, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    services, _, _ = env
    code, added = _cli(
        services, monkeypatch, "webhook", "add", "--workspace", "lab-a", "--url", "https://a.example/1"
    )
    assert code == 0 and added["secret"]
    code, listed = _cli(services, monkeypatch, "webhook", "list", "--workspace", "lab-a")
    assert code == 0 and [h["url"] for h in listed if h["id"] == added["id"]] == ["https://a.example/1"]
    assert all("secret" not in h for h in listed)  # shown once, at registration
    code, removed = _cli(services, monkeypatch, "webhook", "remove", "--workspace", "lab-a", str(added["id"]))
    assert code == 0 and removed == {"removed": {"id": added["id"], "url": "https://a.example/1"}}
    code, listed = _cli(services, monkeypatch, "webhook", "list", "--workspace", "lab-a")
    assert added["id"] not in [h["id"] for h in listed]
    code, listed = _cli(services, monkeypatch, "webhook", "list", "--workspace", "lab-a", "--all")
    assert [h["active"] for h in listed if h["id"] == added["id"]] == [False]
    assert str(added["id"]) in _audited(services, "webhook_remove")
    # twice, or from another workspace: not found, and the command says so
    assert _cli(services, monkeypatch, "webhook", "remove", "--workspace", "lab-a", str(added["id"]))[0] != 0
    code, other = _cli(
        services, monkeypatch, "webhook", "add", "--workspace", "lab-b", "--url", "https://b.example"
    )
    assert _cli(services, monkeypatch, "webhook", "remove", "--workspace", "lab-a", str(other["id"]))[0] != 0


def test_a_removed_webhook_gets_nothing_more(env: tuple[Services, World, Path]) -> None:
    services, world, _ = env
    ws = services.admin.get_workspace("lab-a")
    hook, _ = services.webhooks.add(ws.id or 0, "http://127.0.0.1:9/never")
    analyst = world.member("lab-a", Role.ANALYST).actor
    project = services.projects.project_for_code(analyst, "hooks", {"name": "Hooked"})
    case = services.cases.create(
        analyst, project.default_study_fqn, {"type": "exome", "members": [{"relation": "PROBAND"}]}
    )
    services.cases.set_status(analyst, str(case.case.id), "FAILED")  # queued, not delivered (no executor)
    services.webhooks.remove(ws.id or 0, hook.id or 0)
    with services.ctx.uow() as uow:
        queued = [d for d in uow.webhook_deliveries.of_workspace(ws.id or 0) if d.webhook_id == hook.id]
    assert len(queued) == 1
    assert services.webhooks.deliver(queued[0].id or 0) == {"state": "removed"}
    log = [d for d in services.webhooks.deliveries(analyst) if d.webhook_id == hook.id]
    assert [(d.state, d.attempts, d.last_error) for d in log] == [
        (DeliveryState.FAILED, 0, "webhook removed")
    ]
    services.cases.set_status(analyst, str(case.case.id), "WAITING")
    with services.ctx.uow() as uow:
        after = [d for d in uow.webhook_deliveries.of_workspace(ws.id or 0) if d.webhook_id == hook.id]
    assert len(after) == 1  # nothing more queued for it


def test_only_a_workspace_admin_manages_webhooks(env: tuple[Services, World, Path]) -> None:
    services, world, _ = env
    admin = world.member("lab-a", Role.ADMIN).actor
    hook, secret = services.webhooks.add_for(admin, "https://a.example/admin", "s3cret")
    assert secret == "s3cret" and hook.workspace_id == admin.workspace_id
    assert hook.id in [h.id for h in services.webhooks.hooks_for(admin)]
    for role in (Role.DIRECTOR, Role.ANALYST, Role.VIEWER):
        actor = world.member("lab-a", role).actor
        with pytest.raises(Forbidden):
            services.webhooks.hooks_for(actor)
        with pytest.raises(Forbidden):
            services.webhooks.add_for(actor, "https://a.example/x")
        with pytest.raises(Forbidden):
            services.webhooks.remove_for(actor, hook.id or 0)
    other = world.member("lab-b", Role.ADMIN).actor
    assert hook.id not in [h.id for h in services.webhooks.hooks_for(other)]
    with pytest.raises(NotFound):
        services.webhooks.remove_for(other, hook.id or 0)
    services.webhooks.remove_for(admin, hook.id or 0)
    assert hook.id not in [h.id for h in services.webhooks.hooks_for(admin)]
    assert str(hook.id) in _audited(services, "webhook_add") and str(hook.id) in _audited(
        services, "webhook_remove"
    )


def test_storage_providers_listed_and_removed_from_the_command_line(
    env: tuple[Services, World, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    services, _, root = env
    folder = root / "runs"
    folder.mkdir()
    code, added = _cli(
        services,
        monkeypatch,
        "storage",
        "add",
        "--workspace",
        "lab-a",
        "--name",
        "Runs",
        "--local",
        str(folder),
    )
    assert code == 0
    code, listed = _cli(services, monkeypatch, "storage", "list", "--workspace", "lab-a")
    assert code == 0 and {"id": added["id"], "name": "Runs", "scheme": "local"}.items() <= listed[0].items()
    assert _cli(services, monkeypatch, "storage", "list", "--workspace", "lab-b")[1] == []
    assert _cli(services, monkeypatch, "storage", "remove", "--workspace", "lab-b", "Runs")[0] != 0
    code, removed = _cli(services, monkeypatch, "storage", "remove", "--workspace", "lab-a", "Runs")
    assert code == 0 and removed["removed"]["id"] == added["id"]
    assert _cli(services, monkeypatch, "storage", "list", "--workspace", "lab-a")[1] == []
    assert folder.is_dir()  # the files stay
    assert str(added["id"]) in _audited(services, "storage_provider_remove")
    code, again = _cli(
        services,
        monkeypatch,
        "storage",
        "add",
        "--workspace",
        "lab-a",
        "--name",
        "Runs",
        "--local",
        str(folder),
    )
    assert code == 0  # the name is free again
    assert _cli(services, monkeypatch, "storage", "remove", "--workspace", "lab-a", str(again["id"]))[0] == 0
