"""Webhooks on case status changes, a core feature every face's clients can use.

A workspace registers URLs (``vardesk webhook add``); every status change of one of its cases — made by a
person or by the system — records one delivery per active webhook in the same transaction as the change,
and a ``webhook-delivery`` job POSTs it: JSON, signed with HMAC-SHA256 of the body under the webhook's
secret (header ``X-Vardesk-Signature: sha256=<hex>``), retried with exponential backoff until the receiver
answers 2xx or the attempts run out. Every attempt is kept in the delivery log. The body names the case by
its id and code only, never patient data."""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
from typing import Any

from vardesk.app.context import ServiceContext, audit
from vardesk.app.jobs import JobService
from vardesk.catalog.uow import UnitOfWork
from vardesk.domain.access import Actor, require_role
from vardesk.domain.cases import Case
from vardesk.domain.enums import Role
from vardesk.domain.errors import NotFound
from vardesk.domain.webhooks import (
    CASE_STATUS_CHANGED,
    SIGNATURE_HEADER,
    DeliveryState,
    Webhook,
    WebhookDelivery,
    check_webhook_url,
    signature,
)
from vardesk.jobs.context import JobContext

TOOL = "webhook-delivery"


class WebhookService:
    def __init__(self, ctx: ServiceContext, jobs: JobService) -> None:
        self.ctx = ctx
        self.jobs = jobs

    def add(self, workspace_id: int, url: str, secret: str | None = None) -> tuple[Webhook, str]:
        """Register a webhook (the command line: a server administrator); returns it with its secret."""
        key = secret or secrets.token_urlsafe(32)
        with self.ctx.uow() as uow:
            if uow.workspaces.get(workspace_id) is None:
                raise NotFound("workspace not found")
            hook = uow.webhooks.add(
                Webhook(workspace_id=workspace_id, url=check_webhook_url(url), secret=key)
            )
            audit(
                uow, "webhook_add", workspace_id=workspace_id, entity_type="webhook", entity_id=hook.id or 0
            )
            uow.commit()
        return hook, key

    def hooks(self, workspace_id: int, *, removed: bool = False) -> list[Webhook]:
        """The workspace's webhooks, oldest first (with ``removed``, also those removed)."""
        with self.ctx.uow() as uow:
            if uow.workspaces.get(workspace_id) is None:
                raise NotFound("workspace not found")
            return [h for h in uow.webhooks.of_workspace(workspace_id) if removed or h.active]

    def remove(self, workspace_id: int, hook_id: int, actor: Actor | None = None) -> Webhook:
        """Stop a webhook: nothing more is queued for it and its pending deliveries are dropped; the
        record and its delivery log stay (the audit trail refers to them)."""
        with self.ctx.uow() as uow:
            hook = uow.webhooks.get(hook_id)
            if hook is None or hook.workspace_id != workspace_id or not hook.active:
                raise NotFound(f"webhook {hook_id} not found")
            hook.active = False
            audit(
                uow,
                "webhook_remove",
                actor=actor,
                workspace_id=workspace_id,
                entity_type="webhook",
                entity_id=hook_id,
            )
            uow.commit()
        return hook

    # -- the same, for a workspace administrator through an API ----------------------------------------
    def hooks_for(self, actor: Actor) -> list[Webhook]:
        require_role(actor, Role.ADMIN, action="reading the webhooks")
        return self.hooks(actor.workspace_id)

    def add_for(self, actor: Actor, url: str, secret: str | None = None) -> tuple[Webhook, str]:
        require_role(actor, Role.ADMIN, action="registering a webhook")
        key = secret or secrets.token_urlsafe(32)
        with self.ctx.uow() as uow:
            hook = uow.webhooks.add(
                Webhook(workspace_id=actor.workspace_id, url=check_webhook_url(url), secret=key)
            )
            audit(uow, "webhook_add", actor=actor, entity_type="webhook", entity_id=hook.id or 0)
            uow.commit()
        return hook, key

    def remove_for(self, actor: Actor, hook_id: int) -> Webhook:
        with self.ctx.uow() as uow:  # another workspace's webhook is not found, whoever asks
            hook = uow.webhooks.get(hook_id)
        if hook is None or hook.workspace_id != actor.workspace_id or not hook.active:
            raise NotFound(f"webhook {hook_id} not found")
        require_role(actor, Role.ADMIN, action="removing a webhook")
        return self.remove(actor.workspace_id, hook_id, actor)

    def deliveries(self, actor: Actor, limit: int = 100) -> list[WebhookDelivery]:
        """The workspace's newest deliveries (case ids, codes and statuses only), for its members."""
        with self.ctx.uow() as uow:
            return list(uow.webhook_deliveries.of_workspace(actor.workspace_id, limit))

    # -- recording: inside the transaction that changes the status ----------------------------------
    def queue(self, uow: UnitOfWork, case: Case, old: str, new: str) -> None:
        hooks = uow.webhooks.active_of(case.workspace_id)
        if not hooks:
            return
        creator = uow.users.get(case.created_by)
        if creator is None or creator.id is None:
            return
        actor = Actor(
            user_id=creator.id,
            workspace_id=creator.workspace_id,
            login=creator.login,
            role=creator.role if creator.role is not Role.VIEWER else Role.ANALYST,
            via="system",
        )
        payload = {
            "event": CASE_STATUS_CHANGED,
            "case": {"id": case.id, "code": case.code, "uuid": case.uuid, "version": case.version},
            "status": {"old": old, "new": new},
            "at": self.ctx.clock().isoformat(),
        }
        for hook in hooks:
            delivery = uow.webhook_deliveries.add(
                WebhookDelivery(
                    webhook_id=hook.id or 0,
                    workspace_id=case.workspace_id,
                    event=CASE_STATUS_CHANGED,
                    payload=payload,
                )
            )
            self.jobs.submit(uow, actor, TOOL, {"delivery": delivery.id}, description="webhook delivery")

    # -- delivering: the job -----------------------------------------------------------------------
    def deliver(self, delivery_id: int, job: JobContext | None = None) -> dict[str, Any]:
        s = self.ctx.settings
        with self.ctx.uow() as uow:
            delivery = uow.webhook_deliveries.get(delivery_id)
            hook = uow.webhooks.get(delivery.webhook_id) if delivery else None
        if delivery is None or hook is None:
            return {"state": "gone"}
        if not hook.active:  # removed since the delivery was queued
            with self.ctx.uow() as uow:
                row = uow.webhook_deliveries.get(delivery_id)
                if row is not None and row.state is DeliveryState.PENDING:
                    row.state, row.last_error = DeliveryState.FAILED, "webhook removed"
                    uow.commit()
            return {"state": "removed"}
        body = json.dumps({**delivery.payload, "delivery": delivery.id}, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Vardesk-Webhook",
            "X-Vardesk-Event": delivery.event,
            "X-Vardesk-Delivery": str(delivery.id),
            SIGNATURE_HEADER: signature(hook.secret, body),
        }
        state = DeliveryState.FAILED
        for attempt in range(delivery.attempts, max(1, s.webhook_attempts)):
            if attempt:
                time.sleep(s.webhook_backoff_seconds * 2 ** (attempt - 1))
            status, error = _post(hook.url, body, headers, s.webhook_timeout_seconds)
            ok = status is not None and 200 <= status < 300
            with self.ctx.uow() as uow:
                row = uow.webhook_deliveries.get(delivery_id)
                assert row is not None
                row.attempts, row.last_status, row.last_error = attempt + 1, status, error
                if ok:
                    row.state, row.delivered_at = DeliveryState.DELIVERED, self.ctx.clock()
                elif attempt + 1 >= s.webhook_attempts:
                    row.state = DeliveryState.FAILED
                uow.commit()
            if job is not None:
                job.progress(100.0 * (attempt + 1) / s.webhook_attempts, f"attempt {attempt + 1}", force=True)
            if ok:
                state = DeliveryState.DELIVERED
                break
        return {"state": state.value}


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int | None, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http/https only)
            return int(response.status), ""
    except urllib.error.HTTPError as exc:
        return int(exc.code), f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, type(reason).__name__


def run_webhook_delivery(ctx: JobContext, *, webhooks: WebhookService) -> dict[str, Any]:
    """The ``webhook-delivery`` job (bound to its collaborator by the composition root)."""
    return webhooks.deliver(int(ctx.params["delivery"]), ctx)
