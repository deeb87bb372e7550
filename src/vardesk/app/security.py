"""Password and API-key hashing (argon2) and signed, expiring tokens (JWT, HS256)."""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt
from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from vardesk.domain.errors import RateLimited, TokenExpired, Unauthenticated

# The costs any hash is verified with are those stored in the hash. A hash (imported, or tampered with
# in the catalog) asking for more than these is refused rather than verified: one such check could
# otherwise take gigabytes and seconds. New hashes are made within the same bounds.
MAX_TIME_COST = 10
MAX_MEMORY_KIB = 256 * 1024
MAX_PARALLELISM = 8
# How long a request waits for a hashing slot once admitted to the queue.
HASH_WAIT_SECONDS = 2.0


class HashGate:
    """Bounds how many argon2 computations run at once (``slots``) and how many wait (``queue``).

    argon2 is deliberately slow and memory-hard (64 MiB a check by default): unbounded, a flood of logins
    fills the thread pool and the memory. A caller beyond ``slots + queue``, or one that waited
    ``wait_seconds`` in the queue, gets :class:`RateLimited` (429 with Retry-After) at once.
    """

    def __init__(self, slots: int, queue: int, wait_seconds: float = HASH_WAIT_SECONDS) -> None:
        self.slots = max(1, slots)
        self.queue = max(0, queue)
        self.wait_seconds = wait_seconds
        self._sem = threading.BoundedSemaphore(self.slots)
        self._lock = threading.Lock()
        self._admitted = 0  # running or waiting

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._lock:
            if self._admitted >= self.slots + self.queue:
                raise RateLimited("the server is busy checking other credentials; try again shortly")
            self._admitted += 1
        try:
            if not self._sem.acquire(timeout=self.wait_seconds):
                raise RateLimited("the server is busy checking other credentials; try again shortly")
            try:
                yield
            finally:
                self._sem.release()
        finally:
            with self._lock:
                self._admitted -= 1


def _default_slots() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


_hasher = PasswordHasher()
_gate = HashGate(_default_slots(), 2 * _default_slots())
# A valid hash to verify against when the login is unknown, so that timing does not reveal it.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def configure_hashing(time_cost: int, memory_kib: int, concurrency: int = 0, queue: int = -1) -> None:
    """Set the argon2id cost for new hashes (existing hashes carry their own parameters) and the gate:
    ``concurrency`` computations at once (0: one per core), ``queue`` waiting (-1: twice that)."""
    global _hasher, _DUMMY_HASH
    if not (1 <= time_cost <= MAX_TIME_COST and 8 <= memory_kib <= MAX_MEMORY_KIB):
        raise ValueError(
            f"argon2 cost out of bounds: time cost 1–{MAX_TIME_COST}, memory 8–{MAX_MEMORY_KIB} KiB"
        )
    if (_hasher.time_cost, _hasher.memory_cost) != (time_cost, memory_kib):
        _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
        _DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
    slots = concurrency if concurrency > 0 else _default_slots()
    waiting = queue if queue >= 0 else 2 * slots
    if (_gate.slots, _gate.queue) != (slots, waiting):
        set_hash_gate(HashGate(slots, waiting))


def hash_gate() -> HashGate:
    return _gate


def set_hash_gate(gate: HashGate) -> HashGate:
    """Replace the gate every hash and verification goes through; returns the previous one."""
    global _gate
    previous, _gate = _gate, gate
    return previous


def hash_secret(secret: str) -> str:
    with _gate.slot():
        return _hasher.hash(secret)


def _within_bounds(hash_: str) -> bool:
    try:
        p = extract_parameters(hash_)
    except InvalidHashError:
        return False
    return (
        p.time_cost <= MAX_TIME_COST and p.memory_cost <= MAX_MEMORY_KIB and p.parallelism <= MAX_PARALLELISM
    )


def verify_secret(hash_: str | None, secret: str) -> bool:
    """Whether ``secret`` matches ``hash_`` (with ``None``, the same work against a dummy hash, False).
    Runs through the hashing gate: :class:`RateLimited` when it is full."""
    target = hash_ if hash_ and _within_bounds(hash_) else _DUMMY_HASH
    try:
        with _gate.slot():
            return _hasher.verify(target, secret) and target is hash_
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
            raise TokenExpired("token expired; log in again") from exc
        except jwt.PyJWTError as exc:
            raise Unauthenticated("invalid token") from exc
        if payload.get("typ") != kind:
            raise Unauthenticated(f"a {payload.get('typ')} token cannot be used as a {kind} token")
        extra = {k: v for k, v in payload.items() if k not in _STANDARD_CLAIMS}
        return TokenClaims(payload["sub"], int(payload["ws"]), kind, int(payload["exp"]), extra)


_STANDARD_CLAIMS = frozenset({"sub", "ws", "typ", "iat", "exp", "jti", "iss"})
