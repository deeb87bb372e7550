"""Browser sessions of the web application: a signed-in user's session, kept by the server.

The browser holds only a random token in an HttpOnly cookie; the catalog keeps its SHA-256, so a copy of
the catalog does not let anyone sign in. A session ends when the user signs out, after
``idle`` without a request, or at its absolute expiry, whichever comes first."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_token(a: str, b: str) -> bool:
    """Constant-time comparison of two tokens (CSRF tokens, for one)."""
    return bool(a) and bool(b) and hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


@dataclass(eq=False)
class WebSession:
    token_hash: str
    user_id: int
    workspace_id: int
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    id: int | None = None

    def ends_at(self, idle: timedelta) -> datetime:
        """When the session ends if no further request comes."""
        return min(self.last_seen_at + idle, self.expires_at)

    def is_live(self, now: datetime, idle: timedelta) -> bool:
        return now < self.ends_at(idle)
