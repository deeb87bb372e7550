"""Signing in to the web application: server-side browser sessions over the one authentication service.

A session is created by :meth:`WebSessions.sign_in` (a person's email and password, throttled and audited
by :class:`~vardesk.app.auth.AuthService`), found again from the cookie's token on every request, kept
alive by requests (the idle timeout) and ended by signing out, by idleness or at its absolute expiry. The
CSRF token of a session is random, stored with it, and compared in constant time by the face."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from vardesk.app.auth import AuthService
from vardesk.app.context import ServiceContext, audit
from vardesk.domain.access import Actor
from vardesk.domain.errors import Unauthenticated
from vardesk.domain.web_sessions import WebSession, new_token, token_hash

# a live session's last-seen time is written at most this often (not on every request)
TOUCH_EVERY = timedelta(seconds=30)


@dataclass(frozen=True)
class SignedIn:
    """A live session as the face needs it: who, the CSRF token of its forms and when it ends."""

    actor: Actor
    csrf_token: str
    ends_at: datetime
    idle_seconds: int
    email: str


class WebSessions:
    def __init__(self, ctx: ServiceContext, auth: AuthService) -> None:
        self.ctx = ctx
        self.auth = auth

    @property
    def idle(self) -> timedelta:
        return timedelta(minutes=max(1, self.ctx.settings.web_idle_minutes))

    @property
    def lifetime(self) -> timedelta:
        return timedelta(hours=max(1, self.ctx.settings.web_session_hours))

    @property
    def lifetime_seconds(self) -> int:
        return int(self.lifetime.total_seconds())

    def sign_in(self, email: str, password: str, source: str | None = None) -> tuple[str, SignedIn]:
        """A new session for the person with this email (or login) and password: the cookie's token
        (shown once, never stored) and the session."""
        actor = self.auth.sign_in_user(email.strip(), password, source)
        now = self.ctx.clock()
        token = new_token()
        with self.ctx.uow() as uow:
            uow.web_sessions.purge_ended(now, now - self.idle)
            row = WebSession(
                token_hash=token_hash(token),
                user_id=actor.user_id,
                workspace_id=actor.workspace_id,
                csrf_token=new_token(),
                created_at=now,
                last_seen_at=now,
                expires_at=now + self.lifetime,
            )
            uow.web_sessions.add(row)
            uow.commit()
        return token, self._signed_in(actor, row)

    def resolve(self, token: str) -> SignedIn:
        """The live session of a cookie's token (and a request's worth of idle time more), or
        Unauthenticated when there is none: unknown, signed out, idle too long, expired, user disabled."""
        if not token:
            raise Unauthenticated("sign in to continue")
        now = self.ctx.clock()
        with self.ctx.uow() as uow:
            row = uow.web_sessions.by_token_hash(token_hash(token))
            if row is None:
                raise Unauthenticated("sign in to continue")
            if not row.is_live(now, self.idle):
                uow.web_sessions.remove(row)
                uow.commit()
                raise Unauthenticated("your session has ended; sign in again")
            if now - row.last_seen_at >= TOUCH_EVERY:
                row.last_seen_at = now
                uow.commit()
        actor = self.auth.actor_of_user(row.user_id, row.workspace_id, via="session")
        return self._signed_in(actor, row)

    def touch(self, token: str) -> None:
        """The user is still there (the idle warning's "Stay signed in"): the idle time starts again."""
        now = self.ctx.clock()
        with self.ctx.uow() as uow:
            row = uow.web_sessions.by_token_hash(token_hash(token)) if token else None
            if row is not None and row.is_live(now, self.idle):
                row.last_seen_at = now
                uow.commit()

    def sign_out(self, token: str) -> None:
        """End the session of this token (nothing happens for an unknown one)."""
        if not token:
            return
        with self.ctx.uow() as uow:
            row = uow.web_sessions.by_token_hash(token_hash(token))
            owner = (row.user_id, row.workspace_id) if row is not None else None
        if owner is None:
            return
        try:
            actor: Actor | None = self.auth.actor_of_user(owner[0], owner[1], via="session")
        except Unauthenticated:
            actor = None
        with self.ctx.uow() as uow:
            row = uow.web_sessions.by_token_hash(token_hash(token))
            if row is None:
                return
            uow.web_sessions.remove(row)
            audit(
                uow,
                "logout",
                actor=actor,
                workspace_id=owner[1],
                user_id=owner[0],
                entity_type="user",
                entity_id=owner[0],
                details={},
            )
            uow.commit()

    def _signed_in(self, actor: Actor, row: WebSession) -> SignedIn:
        with self.ctx.uow() as uow:
            user = uow.users.get(actor.user_id)
            email = (user.email or user.login) if user is not None else actor.login
        return SignedIn(
            actor=actor,
            csrf_token=row.csrf_token,
            ends_at=row.ends_at(self.idle),
            idle_seconds=int(self.idle.total_seconds()),
            email=email,
        )
