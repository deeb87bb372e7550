"""Webhooks on case status changes: a receiver on loopback gets a signed JSON body; a 500 is retried with
backoff; every attempt is in the delivery log; the body carries no patient data."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_settings
from tests.world import build_world
from vardesk.app.composition import build_services
from vardesk.domain.enums import Role
from vardesk.domain.errors import Invalid
from vardesk.domain.webhooks import SIGNATURE_HEADER, DeliveryState, signature


class Receiver:
    """Answers 500 to the first ``fail`` requests, then 204; keeps what it got."""

    def __init__(self, fail: int) -> None:
        self.fail = fail
        self.got: list[tuple[dict[str, str], bytes, int]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = 500 if len(outer.got) < outer.fail else 204
                outer.got.append((dict(self.headers), body, status))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_status_change_is_delivered_signed_with_a_retry(tmp_path: Path) -> None:
    settings = replace(make_settings(tmp_path / "data", ""), webhook_attempts=3, webhook_backoff_seconds=0.05)
    services = build_services(settings)
    services.start_executor()
    receiver = Receiver(fail=1)
    try:
        world = build_world(services, ("lab-a", "lab-b"))
        ws = services.admin.get_workspace("lab-a")
        with pytest.raises(Invalid):
            services.webhooks.add(ws.id or 0, "ftp://example.org/x")
        hook, secret = services.webhooks.add(ws.id or 0, receiver.url)
        analyst = world.member("lab-a", Role.ANALYST).actor
        project = services.projects.project_for_code(analyst, "hooks", {"name": "Hooked"})
        case = services.cases.create(
            analyst,
            project.default_study_fqn,
            {
                "type": "exome",
                "patient_fields": {"Last Name": "CANARY-DOE"},
                "members": [{"relation": "PROBAND"}],
            },
        )
        services.cases.set_status(analyst, str(case.case.id), "FAILED", "sample swap")

        deadline = time.time() + 30
        while not any(status == 204 for _, _, status in receiver.got):
            assert time.time() < deadline, receiver.got
            time.sleep(0.05)
        assert [status for _, _, status in receiver.got] == [500, 204]
        headers, body, _ = receiver.got[-1]
        assert headers[SIGNATURE_HEADER] == signature(secret, body)  # what the receiver checks
        assert headers["X-Vardesk-Event"] == "case.status_changed"
        doc = json.loads(body)
        assert doc["case"]["code"] == case.case.code and doc["status"] == {
            "old": "WAITING FOR SAMPLE",
            "new": "FAILED",
        }
        assert b"CANARY" not in body and b"sample swap" not in body  # no patient data, no free text

        admin = world.member("lab-a", Role.ADMIN).actor
        deadline = time.time() + 10
        while (log := services.webhooks.deliveries(admin))[0].state is DeliveryState.PENDING:
            assert time.time() < deadline
            time.sleep(0.05)
        assert [(d.state, d.attempts, d.last_status) for d in log] == [(DeliveryState.DELIVERED, 2, 204)]
        assert log[0].webhook_id == hook.id
        assert [d.id for d in services.webhooks.deliveries(analyst)] == [log[0].id]  # any member reads it
        assert services.webhooks.deliveries(world.member("lab-b", Role.ADMIN).actor) == []
    finally:
        receiver.server.shutdown()
        services.close()


def test_attempts_run_out(tmp_path: Path) -> None:
    settings = replace(make_settings(tmp_path / "data", ""), webhook_attempts=2, webhook_backoff_seconds=0.01)
    services = build_services(settings)
    receiver = Receiver(fail=10)
    try:
        world = build_world(services, ("lab-a",))
        ws = services.admin.get_workspace("lab-a")
        services.webhooks.add(ws.id or 0, receiver.url)
        analyst = world.member("lab-a", Role.ANALYST).actor
        project = services.projects.project_for_code(analyst, "hooks", {"name": "Hooked"})
        case = services.cases.create(
            analyst, project.default_study_fqn, {"type": "exome", "members": [{"relation": "PROBAND"}]}
        )
        services.cases.set_status(analyst, str(case.case.id), "FAILED")
        with services.ctx.uow() as uow:
            delivery = uow.webhook_deliveries.of_workspace(ws.id or 0)[0]
        assert services.webhooks.deliver(delivery.id or 0) == {"state": "FAILED"}
        log = services.webhooks.deliveries(world.member("lab-a", Role.ADMIN).actor)
        assert [(d.state, d.attempts, d.last_status, d.last_error) for d in log] == [
            (DeliveryState.FAILED, 2, 500, "HTTP 500")
        ]
        assert len(receiver.got) == 2
    finally:
        receiver.server.shutdown()
        services.close()
