"""What every service needs: settings, the unit-of-work factory, the token signer, a clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from vardesk.app.security import TokenSigner, VerifiedSecretCache
from vardesk.catalog.uow import UnitOfWork, UnitOfWorkFactory
from vardesk.config import Settings
from vardesk.domain.access import Actor
from vardesk.domain.models import AuditEntry, utcnow
from vardesk.logs import current_request_id


@dataclass
class ServiceContext:
    settings: Settings
    uow: UnitOfWorkFactory
    signer: TokenSigner
    secret_cache: VerifiedSecretCache
    clock: Callable[[], datetime] = utcnow
    on_job_submitted: list[Callable[[], None]] = field(default_factory=list)


def audit(
    uow: UnitOfWork,
    action: str,
    *,
    actor: Actor | None = None,
    workspace_id: int | None = None,
    user_id: int | None = None,
    entity_type: str = "",
    entity_id: str | int = "",
    outcome: str = "ok",
    details: dict | None = None,
) -> None:
    """Append an audit entry in the caller's transaction. ``details`` must never hold PHI."""
    uow.audit.add(
        AuditEntry(
            action=action,
            workspace_id=actor.workspace_id if actor else workspace_id,
            user_id=actor.user_id if actor else user_id,
            entity_type=entity_type,
            entity_id=str(entity_id),
            outcome=outcome,
            details=details or {},
            request_id=current_request_id(),
        )
    )
