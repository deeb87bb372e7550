"""Typed domain errors. Every face maps these to its own dialect and status codes."""

from __future__ import annotations

from typing import Any


class VardeskError(Exception):
    """Base of all errors Vardesk raises on purpose. ``message`` is safe to show to the caller."""

    code = "error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


def error_text(exc: VardeskError) -> str:
    """The message every face, the command line and a failed job show: ``line N: …`` when the error points
    into a file (its ``line`` detail) and the message does not already say so."""
    message = exc.message
    line = exc.details.get("line")
    if line is not None and f"line {line}" not in message:
        message = f"line {line}: {message}"
    return message


class Invalid(VardeskError):
    """The request or an input file is malformed (4xx). ``details`` may carry ``line`` for files."""

    code = "invalid"


class NotFound(VardeskError):
    code = "not_found"


class Conflict(VardeskError):
    """The request clashes with the current state (duplicate id, locked case, wrong status)."""

    code = "conflict"


class ConcurrentChange(Conflict):
    """Another request changed the same rows at the same moment (a unique key taken between this
    transaction's read and its write); repeating the request reads the new state."""


class Forbidden(VardeskError):
    """A valid identity without the permission (403, never 401)."""

    code = "forbidden"


class Unauthenticated(VardeskError):
    """Missing, wrong or expired credentials (401)."""

    code = "unauthenticated"


class TokenExpired(Unauthenticated):
    """A token past its expiry: 401 like any bad credential, except where a face's clients expect
    another status (Emedgene's 403)."""

    code = "token_expired"


class Unprocessable(Invalid):
    """Well-formed but contradicting what is known (checksum mismatch, wrong genome build): 422."""

    code = "unprocessable"


class TooLarge(Invalid):
    """An upload over the configured size limit (413)."""

    code = "too_large"


class RateLimited(VardeskError):
    """Too many attempts, or the server is too busy to take this one now (429); ``retry_after`` is the
    number of seconds after which the caller may try again (the ``Retry-After`` header)."""

    code = "rate_limited"

    def __init__(self, message: str, retry_after: int = 1, **details: Any) -> None:
        super().__init__(message, **details)
        self.retry_after = max(1, int(retry_after))


class Unavailable(VardeskError):
    """The work asked for is not ready within the time a request may wait (503); ``retry_after`` seconds
    is when to ask again (the ``Retry-After`` header)."""

    code = "unavailable"

    def __init__(self, message: str, retry_after: int = 5, **details: Any) -> None:
        super().__init__(message, **details)
        self.retry_after = max(1, int(retry_after))


class Busy(Unavailable):
    """The server is running as much of this kind of work as it can and the queue for it is full (or the
    wait for a turn ran out): 503 with ``Retry-After``, never a reset connection or an exhausted memory."""

    code = "busy"


class JobFailed(VardeskError):
    """Server-side work run as a job failed; the message carries the job's recorded reason (500)."""

    code = "job_failed"


class Unreadable(Unprocessable):
    """Stored data that cannot be read back as it was written: an encrypted blob whose key is not
    configured, or whose ciphertext was altered or cut short (422: a clear refusal, never a crash)."""

    code = "unreadable"
