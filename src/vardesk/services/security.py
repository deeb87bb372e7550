"""Password and API-key hashing (argon2) and signed, expiring tokens (JWT, HS256)."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from vardesk.domain.errors import Unauthenticated

_hasher = PasswordHasher()
# A valid hash to verify against when the login is unknown, so that timing does not reveal it.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def configure_hashing(time_cost: int, memory_kib: int) -> None:
    """Set the argon2id cost for new hashes. Existing hashes carry their own parameters."""
    global _hasher, _DUMMY_HASH
    if (_hasher.time_cost, _hasher.memory_cost) != (time_cost, memory_kib):
        _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
        _DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(hash_: str | None, secret: str) -> bool:
    try:
        return _hasher.verify(hash_ or _DUMMY_HASH, secret) and hash_ is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_api_key_login() -> str:
    return "vk_" + secrets.token_hex(8)


def new_api_key_secret() -> str:
    return secrets.token_urlsafe(32)


class VerifiedSecretCache:
    """Remembers successful argon2 verifications for a short time.

    HTTP Basic sends the API-key secret on every request; argon2 is deliberately slow, so a script
    issuing hundreds of calls would spend most of its time hashing. Only a keyed digest of the
    (login, secret, stored hash) triple is kept in memory, never the secret.
    """

    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._salt = secrets.token_bytes(16)
        self._entries: dict[bytes, float] = {}
        self._lock = threading.Lock()

    def _digest(self, login: str, secret: str, stored_hash: str) -> bytes:
        return hashlib.blake2b(f"{login}\0{secret}\0{stored_hash}".encode(), key=self._salt).digest()

    def hit(self, login: str, secret: str, stored_hash: str) -> bool:
        if self.ttl <= 0:
            return False
        d = self._digest(login, secret, stored_hash)
        with self._lock:
            exp = self._entries.get(d)
            return exp is not None and exp > time.monotonic()

    def remember(self, login: str, secret: str, stored_hash: str) -> None:
        if self.ttl <= 0:
            return
        now = time.monotonic()
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries = {k: v for k, v in self._entries.items() if v > now}
            self._entries[self._digest(login, secret, stored_hash)] = now + self.ttl


@dataclass(frozen=True)
class TokenClaims:
    user_uuid: str
    workspace_id: int
    kind: str  # access | refresh | link
    expires_at: int
    extra: dict[str, Any] = field(default_factory=dict)  # claims given to issue(claims=…)


class TokenSigner:
    ALGORITHM = "HS256"

    def __init__(
        self, secret_key: str, access_ttl: int, refresh_ttl: int, clock: Callable[[], float] = time.time
    ) -> None:
        if not secret_key:
            raise ValueError("a secret key is required to sign tokens")
        self._key = secret_key
        self._clock = clock
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl

    def issue(
        self,
        user_uuid: str,
        workspace_id: int,
        kind: str,
        *,
        ttl: int | None = None,
        claims: dict[str, Any] | None = None,
    ) -> str:
        """A token of ``kind`` for a user; ``ttl`` overrides the kind's lifetime and ``claims`` adds claims
        (never PHI: the payload is only signed, not encrypted), which cannot replace the standard ones."""
        now = int(self._clock())
        if ttl is None:
            ttl = self.access_ttl if kind == "access" else self.refresh_ttl
        payload = {
            **(claims or {}),
            "sub": user_uuid,
            "ws": workspace_id,
            "typ": kind,
            "iat": now,
            "exp": now + ttl,
            "jti": secrets.token_hex(8),
            "iss": "vardesk",
        }
        return jwt.encode(payload, self._key, algorithm=self.ALGORITHM)

    def verify(self, token: str, kind: str) -> TokenClaims:
        try:
            payload = jwt.decode(
                token,
                self._key,
                algorithms=[self.ALGORITHM],
                issuer="vardesk",
                options={"require": ["exp", "sub", "typ", "ws"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("token expired; log in again") from exc
        except jwt.PyJWTError as exc:
            raise Unauthenticated("invalid token") from exc
        if payload.get("typ") != kind:
            raise Unauthenticated(f"a {payload.get('typ')} token cannot be used as a {kind} token")
        extra = {k: v for k, v in payload.items() if k not in _STANDARD_CLAIMS}
        return TokenClaims(payload["sub"], int(payload["ws"]), kind, int(payload["exp"]), extra)


_STANDARD_CLAIMS = frozenset({"sub", "ws", "typ", "iat", "exp", "jti", "iss"})
