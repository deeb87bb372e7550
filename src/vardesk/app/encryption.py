"""Encryption at rest, the operator's use cases: making a key (``vardesk keys generate``) and moving every
encrypted blob to the current key (``vardesk keys rotate``).

Rotation re-wraps each blob's data key under the current key-encryption key: only the small header is
re-encrypted, the data chunks are copied as they are. Each blob is replaced by an atomic put, so a rotation
that is interrupted (a crash, Ctrl-C) leaves every blob readable under one key or the other, and running it
again finishes the work (blobs already under the current key are skipped). With ``encrypt_plaintext`` the
legacy plaintext blobs of the covered kinds (written before encryption was enabled) are encrypted too. Once
no blob is left under an older key, the store records that only the current key is in use, and the older
keys may be removed from the key file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from vardesk.app.context import ServiceContext, audit
from vardesk.domain.errors import Invalid, NotFound, Unreadable
from vardesk.storage.blobs import BlobStore
from vardesk.storage.encryption import EncryptedBlobStore
from vardesk.storage.keys import add_key_to_file, new_key_line

log = logging.getLogger("vardesk.storage")


def generate_key(key_id: str | None = None, output: Path | None = None) -> str:
    """A new key line ``<key-id> <base64>``; with ``output``, also put first into that key file (0600),
    where it becomes the current key while the keys already there stay for reading."""
    line = new_key_line(key_id)
    if output is not None:
        add_key_to_file(output, line)
    return line


@dataclass
class RotationResult:
    current_key: str
    rewrapped: int = 0  # encrypted blobs moved to the current key
    encrypted: int = 0  # legacy plaintext blobs encrypted
    up_to_date: int = 0  # already under the current key
    plaintext: int = 0  # legacy plaintext blobs left as they are
    vanished: int = 0  # deleted while the rotation ran
    unreadable: int = 0  # damaged or under a key that is not configured: left as they are
    by_key: dict[str, int] = field(default_factory=dict)  # blobs under each key id before the rotation

    @property
    def complete(self) -> bool:
        """Whether every encrypted blob is now under the current key."""
        return self.unreadable == 0

    def as_dict(self) -> dict[str, object]:
        return {
            "current_key": self.current_key,
            "rewrapped": self.rewrapped,
            "encrypted": self.encrypted,
            "up_to_date": self.up_to_date,
            "plaintext": self.plaintext,
            "vanished": self.vanished,
            "unreadable": self.unreadable,
            "by_key": dict(sorted(self.by_key.items())),
            "complete": self.complete,
        }


class KeyRotation:
    """``vardesk keys rotate``: every covered blob under the current key (and, if asked, encrypted)."""

    def __init__(self, ctx: ServiceContext, store: BlobStore) -> None:
        self.ctx = ctx
        self.store = store

    def _encrypted_store(self) -> EncryptedBlobStore:
        if not isinstance(self.store, EncryptedBlobStore):
            raise Invalid(
                "encryption at rest is not configured; set VARDESK_ENCRYPTION_KEY_FILE (see "
                "docs/guide/security.md) before rotating keys"
            )
        return self.store

    def rotate(self, *, encrypt_plaintext: bool = False) -> RotationResult:
        store = self._encrypted_store()
        result = RotationResult(store.keyring.current)
        for key in store.covered_keys():
            try:
                header = store.header(key)
                if header is None:
                    result.by_key["(plaintext)"] = result.by_key.get("(plaintext)", 0) + 1
                    if encrypt_plaintext and store.encrypt_plaintext(key):
                        result.encrypted += 1
                    else:
                        result.plaintext += 1
                    continue
                result.by_key[header.key_id] = result.by_key.get(header.key_id, 0) + 1
                if store.rewrap(key):
                    result.rewrapped += 1
                else:
                    result.up_to_date += 1
            except (NotFound, FileNotFoundError):
                result.vanished += 1
            except Unreadable as exc:
                result.unreadable += 1
                log.warning("a stored object could not be re-wrapped: %s", exc.message)
        if result.complete:
            store.settle_marker()
        with self.ctx.uow() as uow:
            details = {k: v for k, v in result.as_dict().items() if k != "by_key"}
            audit(uow, "encryption_keys_rotated", entity_type="storage", details=details)
            uow.commit()
        return result
