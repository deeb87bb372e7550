"""The lab-held keys of encryption at rest: a keyring of key-encryption keys (KEKs) by key id.

A key is 32 random bytes (AES-256), written as base64. The keyring comes from a key file
(``VARDESK_ENCRYPTION_KEY_FILE``: one ``<key-id> <base64>`` per line, ``#`` comments; the first key is the
current one, used for every new blob, the others are kept for reading blobs written under them) or from the
environment (``VARDESK_ENCRYPTION_KEY``: the same lines, or one bare base64 key whose id is derived from the
key). A key file readable by its group or others is refused. No key configured: no encryption.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from vardesk.domain.errors import VardeskError

KEY_BYTES = 32
_KEY_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class EncryptionConfigError(VardeskError):
    """The encryption keys are missing, unreadable, malformed or do not fit the stored blobs: the server
    refuses to start (never a half-working server that fails on every read)."""

    code = "encryption_config"


@dataclass(frozen=True)
class Keyring:
    """Key-encryption keys by id; ``current`` wraps the data keys of new blobs."""

    current: str
    keys: dict[str, bytes]

    def key(self, key_id: str) -> bytes | None:
        return self.keys.get(key_id)

    def check_value(self, key_id: str) -> str:
        """A fingerprint of a key that reveals nothing of it (to notice a different key under a known id)."""
        return hmac.new(self.keys[key_id], b"vardesk key check value", hashlib.sha256).hexdigest()[:16]


def encode_key(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _decode_key(text: str, where: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise EncryptionConfigError(f"{where}: the key is not valid base64") from None
    if len(raw) != KEY_BYTES:
        raise EncryptionConfigError(
            f"{where}: a key must be {KEY_BYTES} random bytes in base64 (this one has {len(raw)} bytes); "
            "make one with `vardesk keys generate`"
        )
    return raw


def derived_key_id(raw: bytes) -> str:
    """The id of a bare key (given without one): stable, and different for different keys."""
    return "k-" + hashlib.sha256(b"vardesk key id" + raw).hexdigest()[:12]


def parse_keyring(text: str, where: str) -> Keyring:
    """Keys from ``<key-id> <base64>`` lines (first = current), or a single bare base64 key."""
    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    if not lines:
        raise EncryptionConfigError(f"{where}: no key in it; make one with `vardesk keys generate`")
    if len(lines) == 1 and len(lines[0].split()) == 1:
        raw = _decode_key(lines[0], where)
        key_id = derived_key_id(raw)
        return Keyring(key_id, {key_id: raw})
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for number, line in enumerate(lines, 1):
        parts = line.split()
        if len(parts) != 2:
            raise EncryptionConfigError(f"{where}: key {number} is not a line '<key-id> <base64 key>'")
        key_id, encoded = parts
        if not _KEY_ID.match(key_id):
            raise EncryptionConfigError(
                f"{where}: key id {key_id!r} must be 1-64 letters, digits, '.', '_' or '-'"
            )
        if key_id in keys:
            raise EncryptionConfigError(f"{where}: key id {key_id!r} is given twice")
        keys[key_id] = _decode_key(encoded, f"{where}, key {key_id!r}")
        order.append(key_id)
    return Keyring(order[0], keys)


def check_key_file(path: Path) -> None:
    """Refuse a key file that is missing, not a regular file, or readable by anyone but its owner."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise EncryptionConfigError(f"the encryption key file {path} does not exist") from None
    if not stat.S_ISREG(info.st_mode):
        raise EncryptionConfigError(f"the encryption key file {path} is not a regular file")
    if info.st_mode & 0o077:
        raise EncryptionConfigError(
            f"the encryption key file {path} is readable or writable by its group or others "
            f"(mode {stat.S_IMODE(info.st_mode):04o}); make it owner-only: chmod 600 {path}"
        )


def load_keyring(key_file: str, key_env: str) -> Keyring | None:
    """The configured keyring, or ``None`` when encryption is off (no key file, no key)."""
    if key_file and key_env:
        raise EncryptionConfigError(
            "both VARDESK_ENCRYPTION_KEY_FILE and VARDESK_ENCRYPTION_KEY are set; configure one of them"
        )
    if key_file:
        path = Path(key_file).expanduser()
        check_key_file(path)
        try:
            text = path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise EncryptionConfigError(f"the encryption key file {path} cannot be read ({exc})") from None
        return parse_keyring(text, f"encryption key file {path}")
    if key_env:
        return parse_keyring(key_env.replace(",", "\n"), "VARDESK_ENCRYPTION_KEY")
    return None


def new_key_line(key_id: str | None = None) -> str:
    """A new random key as a key-file line ``<key-id> <base64>``."""
    key_id = key_id or f"key-{time.strftime('%Y%m%d', time.gmtime())}-{secrets.token_hex(3)}"
    if not _KEY_ID.match(key_id):
        raise EncryptionConfigError(f"key id {key_id!r} must be 1-64 letters, digits, '.', '_' or '-'")
    return f"{key_id} {encode_key(secrets.token_bytes(KEY_BYTES))}"


def add_key_to_file(path: Path, line: str) -> None:
    """Put ``line`` first in the key file (it becomes the current key; the others stay for reading),
    creating the file owner-only; written to a temporary file renamed into place."""
    old = ""
    if path.exists():
        check_key_file(path)
        old = path.read_text(encoding="ascii")
        parse_keyring(old, f"encryption key file {path}")  # never add to a file that is already broken
    new_id = line.split()[0]
    if old and any(ln.split()[:1] == [new_id] for ln in old.splitlines()):
        raise EncryptionConfigError(f"the key file {path} already has a key with id {new_id!r}")
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(line + "\n" + old)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
