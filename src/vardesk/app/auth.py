"""Authentication: passwords, API keys (HTTP Basic), signed expiring tokens, login rate limiting."""

from __future__ import annotations

import hashlib
import math
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from vardesk.app.context import ServiceContext, audit
from vardesk.app.security import verify_secret
from vardesk.domain.access import Actor
from vardesk.domain.errors import Forbidden, RateLimited, Unauthenticated
from vardesk.domain.models import User


@dataclass(frozen=True)
class TokenPair:
    token: str
    refresh_token: str
    expires_in: int


class AuthService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        # The account behind a token or API key verified in the last credential_cache_seconds: a request
        # that presents it again needs no catalog read and no argon2 (see CredentialCache)
        self._verified = CredentialCache(ctx.settings.credential_cache_seconds)

    # -- login -------------------------------------------------------------------------------
    def login(self, name: str, password: str, source: str | None = None) -> TokenPair:
        """Exchange a user password, or an API key's login and secret, for a token pair. ``source`` is
        the caller's address (failures are throttled per address and per account and address)."""
        if not name or not password:
            raise Unauthenticated("user and password are required")
        self._check_rate(name, source)
        actor = self._verify_credentials(name, password, via="password")
        if actor is None:
            self._fail(name, source, "login")
            raise Unauthenticated("incorrect user or password")
        with self.ctx.uow() as uow:
            audit(
                uow,
                "login",
                actor=actor,
                entity_type="user",
                entity_id=actor.user_id,
                details={"via": actor.via},
            )
            uow.commit()
        return self._issue(actor)

    def refresh(self, refresh_token: str) -> TokenPair:
        claims = self.ctx.signer.verify(refresh_token, "refresh")
        actor = self._actor_for_uuid(claims.user_uuid, claims.workspace_id, via="token")
        with self.ctx.uow() as uow:
            audit(uow, "token_refresh", actor=actor, entity_type="user", entity_id=actor.user_id)
            uow.commit()
        return self._issue(actor)

    def _issue(self, actor: Actor) -> TokenPair:
        with self.ctx.uow() as uow:
            user = uow.users.get(actor.user_id)
            assert user is not None
            uuid = user.uuid
        s = self.ctx.signer
        return TokenPair(
            s.issue(uuid, actor.workspace_id, "access"),
            s.issue(uuid, actor.workspace_id, "refresh"),
            s.access_ttl,
        )

    # -- per-request authentication ------------------------------------------------------------
    def authenticate_bearer(self, token: str) -> Actor:
        cached = self._verified.get("bearer", token)
        if cached is not None:
            return cached
        claims = self.ctx.signer.verify(token, "access")
        actor = self._actor_for_uuid(claims.user_uuid, claims.workspace_id, via="token")
        self._verified.put(actor, "bearer", token, until=claims.expires_at)
        return actor

    def authenticate_basic(self, login: str, secret: str, source: str | None = None) -> Actor:
        """HTTP Basic on every request, the Fabric way: an API key's login and secret."""
        cached = self._verified.get("basic", login, secret)
        if cached is not None:  # these exact credentials were verified a moment ago: nothing to throttle
            return cached
        self._check_rate(login, source)
        actor = self._verify_api_key(login, secret)
        if actor is None:
            self._fail(login, source, "basic_auth")
            raise Unauthenticated("incorrect API key login or password")
        self._verified.put(actor, "basic", login, secret)
        return actor

    # -- the web application's sign-in ------------------------------------------------------------
    def sign_in_user(self, name: str, password: str, source: str | None = None) -> Actor:
        """A person's own email (or login) and password, never an API key: throttled like every login and
        audited as ``login`` (``via`` = ``session``)."""
        if not name or not password:
            raise Unauthenticated("enter your email and password")
        self._check_rate(name, source)
        actor = self._verify_user_password(name, password, via="session")
        if actor is None:
            self._fail(name, source, "login")
            raise Unauthenticated("incorrect email or password")
        with self.ctx.uow() as uow:
            audit(
                uow,
                "login",
                actor=actor,
                entity_type="user",
                entity_id=actor.user_id,
                details={"via": "session"},
            )
            uow.commit()
        return actor

    def actor_of_user(self, user_id: int, workspace_id: int, via: str) -> Actor:
        """The actor of an active user (a browser session's owner); Unauthenticated otherwise."""
        with self.ctx.uow() as uow:
            user = uow.users.get(user_id)
        if user is None or not user.active or user.workspace_id != workspace_id:
            raise Unauthenticated("the user of this session no longer exists or is disabled")
        return _actor(user, via)

    def confirm_password(self, actor: Actor, password: str, source: str | None = None) -> None:
        """The signed-in user proves again who they are (a director approving a report): their own
        password, throttled and audited like a login failure when wrong."""
        with self.ctx.uow() as uow:
            user = uow.users.get(actor.user_id)
        if user is None or not user.active:
            raise Unauthenticated("the user no longer exists or is disabled")
        self._check_rate(user.login, source)
        if not password or not verify_secret(user.password_hash, password):
            self._fail(user.login, source, "password_confirmation")
            raise Unauthenticated("the password is not correct")

    def forget_credentials(self, user_id: int | None = None) -> None:
        """Verify again, at their next request, the tokens and API keys of ``user_id`` (every user's
        when None): for a revocation, a password change or a disabled account made by this process.
        Other processes see such a change within ``credential_cache_seconds``."""
        self._verified.forget(user_id)

    # -- signed links ----------------------------------------------------------------------------
    def issue_link(self, actor: Actor, resource: str, ttl_seconds: int) -> str:
        """A signed token that lets whoever holds it fetch ``resource`` (an opaque id, never PHI) with
        ``actor``'s rights until it expires: for download URLs given to clients without credentials."""
        with self.ctx.uow() as uow:
            user = uow.users.get(actor.user_id)
            assert user is not None
            uuid = user.uuid
        return self.ctx.signer.issue(
            uuid, actor.workspace_id, "link", ttl=ttl_seconds, claims={"res": resource}
        )

    def authenticate_link(self, token: str, resource: str) -> Actor:
        """The actor a link was issued to, if ``token`` is a valid, unexpired link to ``resource`` and the
        user is still active; the rights are checked again by the service that serves the resource."""
        try:
            claims = self.ctx.signer.verify(token, "link")
            if claims.extra.get("res") != resource:
                raise Unauthenticated("the link is not valid for this resource")
            return self._actor_for_uuid(claims.user_uuid, claims.workspace_id, via="link")
        except Unauthenticated as exc:
            message = "the download link has expired" if "expired" in exc.message else "invalid download link"
            raise Forbidden(message) from None

    # -- internals -------------------------------------------------------------------------------
    def _verify_credentials(self, name: str, password: str, via: str) -> Actor | None:
        actor = self._verify_api_key(name, password)
        if actor is not None:
            return actor
        return self._verify_user_password(name, password, via)

    def _verify_user_password(self, name: str, password: str, via: str) -> Actor | None:
        with self.ctx.uow() as uow:
            candidates = [u for u in uow.users.by_login_or_email(name) if u.active]
        if len(candidates) != 1:
            verify_secret(None, password)  # same cost whether or not the user exists
            return None
        user = candidates[0]
        if not verify_secret(user.password_hash, password):
            return None
        return _actor(user, via)

    def _verify_api_key(self, login: str, secret: str) -> Actor | None:
        with self.ctx.uow() as uow:
            key = uow.api_keys.by_login(login)
            if key is None or key.revoked_at is not None:
                return None
            user = uow.users.get(key.user_id)
            if user is None or not user.active or user.workspace_id != key.workspace_id:
                return None
            stored = key.secret_hash
        cache = self.ctx.secret_cache
        if not cache.hit(login, secret, stored):
            if not verify_secret(stored, secret):
                return None
            cache.remember(login, secret, stored)
        return _actor(user, "api_key")

    def _actor_for_uuid(self, user_uuid: str, workspace_id: int, via: str) -> Actor:
        with self.ctx.uow() as uow:
            user = uow.users.by_uuid(user_uuid)
        if user is None or not user.active or user.workspace_id != workspace_id:
            raise Unauthenticated("the user of this token no longer exists or is disabled")
        return _actor(user, via)

    def _check_rate(self, login: str, source: str | None) -> None:
        """Slow the attacker, not the user: a source address that failed too often (on any accounts, or
        on this one) is refused for the rest of the window; correct credentials from another address
        still work. When the account is failing from many addresses (over ``login_account_max_failures``
        in the window), an address that has failed on it once already gets no further attempt; an
        address that has not (the real user) still does. Every count is the catalog's (``auth_failures``):
        all server processes throttle together. One query when nothing is over a limit."""
        s = self.ctx.settings
        now = self.ctx.clock()
        window = timedelta(seconds=s.login_failure_window_seconds)
        src, account = _source(source), login.lower()
        with self.ctx.uow() as uow:
            failures = uow.auth_failures
            on_any, on_account = failures.from_source(src, account, now - window)
            for n, limit, on, what in (
                (on_any, s.login_source_max_failures, None, "from this address"),
                (on_account, s.login_max_failures, account, "for this account from this address"),
            ):
                if n >= max(1, limit):
                    wait = _wait(failures.nth_latest(src, on, now - window, max(1, limit)), now, window)
                    raise RateLimited(
                        f"too many failed logins {what}; try again in {wait} s", retry_after=wait
                    )
            if not on_account:
                return
            if failures.count_since(login, now - window) >= s.login_account_max_failures:
                wait = _wait(failures.nth_latest(src, account, now - window, 1), now, window)
                raise RateLimited(
                    f"too many failed logins for this account; try again in {wait} s", retry_after=wait
                )

    def _fail(self, login: str, source: str | None, action: str) -> None:
        now = self.ctx.clock()
        window = timedelta(seconds=self.ctx.settings.login_failure_window_seconds)
        with self.ctx.uow() as uow:
            uow.auth_failures.record(login, now, _source(source))
            # bounded: nothing older than the window counts (a refused attempt is not recorded, so an
            # address adds at most its limit per window)
            uow.auth_failures.purge_before(now - max(window, KEEP_FAILURES))
            audit(uow, action, outcome="failed", entity_type="login", details={})
            uow.commit()


class CredentialCache:
    """Actors of recently verified credentials, for at most ``ttl`` seconds, in this process's memory.

    Entries are keyed by a keyed BLAKE2b digest of the credential (the salt is random per process), so
    neither a token nor a secret is held; bounded in size (the oldest half is dropped when full). A
    token's entry never outlives the token."""

    MAX_ENTRIES = 10_000

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._salt = secrets.token_bytes(16)
        self._entries: dict[bytes, tuple[Actor, float]] = {}
        self._lock = threading.Lock()

    def _key(self, parts: tuple[str, ...]) -> bytes:
        return hashlib.blake2b("\0".join(parts).encode(), key=self._salt, digest_size=20).digest()

    def get(self, *parts: str) -> Actor | None:
        if self.ttl <= 0:
            return None
        key = self._key(parts)
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[1] <= time.monotonic():
            with self._lock:
                self._entries.pop(key, None)
            return None
        return entry[0]

    def put(self, actor: Actor, *parts: str, until: float | None = None) -> None:
        if self.ttl <= 0:
            return
        now = time.monotonic()
        expires = now + self.ttl
        if until is not None:  # a wall-clock expiry (a token's): as seconds from now
            expires = min(expires, now + (until - time.time()))
        with self._lock:
            if len(self._entries) >= self.MAX_ENTRIES:
                live = sorted((e for e in self._entries.items() if e[1][1] > now), key=lambda e: e[1][1])
                self._entries = dict(live[len(live) // 2 :])
            self._entries[self._key(parts)] = (actor, expires)

    def forget(self, user_id: int | None = None) -> None:
        with self._lock:
            if user_id is None:
                self._entries.clear()
            else:
                self._entries = {k: v for k, v in self._entries.items() if v[0].user_id != user_id}


# failed logins are kept at least this long (longer when the window is longer)
KEEP_FAILURES = timedelta(minutes=10)


def _wait(frees_at: datetime | None, now: datetime, window: timedelta) -> int:
    """Seconds until the failure at ``frees_at`` leaves the window (at least 1)."""
    if frees_at is None:
        return 1
    return max(1, math.ceil((frees_at + window - now).total_seconds()))


def _source(source: str | None) -> str:
    return source or "unknown"


def _actor(user: User, via: str) -> Actor:
    assert user.id is not None
    return Actor(user_id=user.id, workspace_id=user.workspace_id, login=user.login, role=user.role, via=via)
