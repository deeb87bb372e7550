"""Webhooks: a workspace's URL told of every case status change, with a signed JSON body.

Pure: the entities and the signature; the application layer delivers (with retries) and keeps the log."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from vardesk.domain.errors import Invalid
from vardesk.domain.models import new_uuid, utcnow

CASE_STATUS_CHANGED = "case.status_changed"
SIGNATURE_HEADER = "X-Vardesk-Signature"  # "sha256=" + HMAC-SHA256(secret, body) in hex


class DeliveryState(StrEnum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"


@dataclass(eq=False)
class Webhook:
    workspace_id: int
    url: str
    secret: str  # the shared HMAC key; shown once when registered, never in the API
    active: bool = True
    id: int | None = None
    uuid: str = field(default_factory=new_uuid)
    created_at: datetime = field(default_factory=utcnow)


@dataclass(eq=False)
class WebhookDelivery:
    webhook_id: int
    workspace_id: int
    event: str
    payload: dict[str, Any]
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    last_status: int | None = None  # the receiver's HTTP status of the last attempt
    last_error: str = ""
    id: int | None = None
    created_at: datetime = field(default_factory=utcnow)
    delivered_at: datetime | None = None


def check_webhook_url(url: str) -> str:
    text = str(url or "").strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("a webhook URL is an http:// or https:// URL")
    return text


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
