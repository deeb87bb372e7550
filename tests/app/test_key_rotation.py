"""Key rotation over a real catalog and store: every blob stays readable and moves to the current key; an
interrupted rotation leaves everything readable and a second run finishes it; damage is counted, not fatal."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

import pytest

from tests.conftest import make_settings
from vardesk.app.composition import Services, build_services
from vardesk.app.encryption import KeyRotation, generate_key
from vardesk.domain.errors import Invalid
from vardesk.storage.blobs import LocalBlobStore
from vardesk.storage.encryption import MAGIC, MARKER, EncryptedBlobStore, read_marker
from vardesk.storage.keys import EncryptionConfigError, load_keyring

BLOBS = {
    "uploads/u1/upload.vcf.gz": b"\x1f\x8b upload one " * 9000,  # several 64 KiB chunks
    "reports/c1/final-v1.pdf": b"%PDF-1.7 report",
    "exports/j1/variants.csv": b"chrom,pos\n1,100\n",
}
LEGACY = ("reports/c0/final-v1.pdf", b"%PDF-1.4 written before encryption")


def open_services(data: Path, key_file: Path) -> Services:
    settings = make_settings(data, f"sqlite:///{data / 'catalog.db'}", encryption_key_file=str(key_file))
    return build_services(settings)


def raw(services: Services, key: str) -> bytes:
    return (Path(services.settings.data_dir) / "blobs" / key).read_bytes()


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[Path, Path]:
    """A data directory whose blobs are encrypted under k1 (and one legacy plaintext report)."""
    data, key_file = tmp_path / "data", tmp_path / "keys"
    LocalBlobStore(data / "blobs").put_bytes(*LEGACY)  # before encryption was enabled
    generate_key("k1", key_file)
    services = open_services(data, key_file)
    for key, value in BLOBS.items():
        services.store.put_bytes(key, value)
    assert all(raw(services, k).startswith(MAGIC) for k in BLOBS) and raw(services, LEGACY[0]) == LEGACY[1]
    services.close()
    generate_key("k2", key_file)  # the new current key; k1 stays for reading
    return data, key_file


def test_rotation_moves_every_blob_to_the_current_key(seeded: tuple[Path, Path]) -> None:
    data, key_file = seeded
    services = open_services(data, key_file)
    try:
        result = services.keys.rotate()
        assert (result.rewrapped, result.up_to_date, result.plaintext, result.encrypted) == (3, 0, 1, 0)
        assert result.by_key == {"k1": 3, "(plaintext)": 1} and result.complete
        store = services.store
        assert isinstance(store, EncryptedBlobStore)
        assert {k: store.header(k).key_id for k in BLOBS} == dict.fromkeys(BLOBS, "k2")  # type: ignore[union-attr]
        assert all(store.read_bytes(k) == v for k, v in BLOBS.items())
        assert list(read_marker(store.inner)) == ["k2"]  # k1 is no longer needed
        again = services.keys.rotate(encrypt_plaintext=True)  # idempotent; now the legacy blob too
        assert (again.rewrapped, again.up_to_date, again.encrypted, again.plaintext) == (0, 3, 1, 0)
        assert raw(services, LEGACY[0]).startswith(MAGIC) and store.read_bytes(LEGACY[0]) == LEGACY[1]
        with services.ctx.uow() as uow:
            rows = list(uow.audit.search(action="encryption_keys_rotated"))
        assert len(rows) == 2 and rows[0].details["rewrapped"] == 3
    finally:
        services.close()
    key_file.write_text(key_file.read_text().splitlines()[0] + "\n")  # k1 removed from the key file
    services = open_services(data, key_file)
    try:
        assert all(services.store.read_bytes(k) == v for k, v in BLOBS.items())
    finally:
        services.close()


class _CrashingStore(LocalBlobStore):
    """A real local store whose process "dies" (KeyboardInterrupt) in the middle of its second put."""

    puts = 0

    def put_stream(self, key: str, stream: BinaryIO, *, chunk: int = 1 << 20) -> int:
        self.puts += 1
        return super().put_stream(key, _Dying(stream) if self.puts == 2 else stream, chunk=64)


class _Dying:
    """A stream that is cut off after its first blocks were written (the put is under way)."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream, self.reads = stream, 0

    def read(self, n: int = -1) -> bytes:
        self.reads += 1
        if self.reads > 2:
            raise KeyboardInterrupt
        return self.stream.read(n)


def test_an_interrupted_rotation_leaves_everything_readable_and_resumes(seeded: tuple[Path, Path]) -> None:
    data, key_file = seeded
    services = open_services(data, key_file)
    try:
        keyring = load_keyring(str(key_file), "")
        assert keyring is not None
        crashing = EncryptedBlobStore(_CrashingStore(data / "blobs"), keyring)
        with pytest.raises(KeyboardInterrupt):
            KeyRotation(services.ctx, crashing).rotate()
        store = services.store
        assert isinstance(store, EncryptedBlobStore)
        ids = sorted(store.header(k).key_id for k in BLOBS)  # type: ignore[union-attr]
        assert ids == ["k1", "k1", "k2"]  # one moved, one interrupted (kept whole), one not reached
        assert all(store.read_bytes(k) == v for k, v in BLOBS.items())
        assert sorted(read_marker(store.inner)) == ["k1", "k2"]  # k1 still needed
        assert not [p for p in (data / "blobs").rglob("*.part")]
        result = services.keys.rotate()
        assert (result.rewrapped, result.up_to_date) == (2, 1) and result.complete
        assert list(read_marker(store.inner)) == ["k2"]
    finally:
        services.close()


def test_a_damaged_blob_is_counted_and_keeps_the_old_key_recorded(seeded: tuple[Path, Path]) -> None:
    data, key_file = seeded
    target = data / "blobs" / "exports/j1/variants.csv"
    damaged = bytearray(target.read_bytes())
    header_end = len(MAGIC) + 1 + 4 + 8 + 1 + len("k1") + 12 + 48
    damaged[header_end - 3] ^= 0x01  # in the wrapped data key
    target.write_bytes(bytes(damaged))
    services = open_services(data, key_file)
    try:
        result = services.keys.rotate()
        assert (result.rewrapped, result.unreadable) == (2, 1) and not result.complete
        assert sorted(read_marker(services.store.inner)) == ["k1", "k2"]  # type: ignore[attr-defined]
    finally:
        services.close()
    key_file.write_text(key_file.read_text().splitlines()[0] + "\n")
    with pytest.raises(EncryptionConfigError, match="'k1', which the configured keys do not hold"):
        open_services(data, key_file)


def test_rotation_without_encryption_is_refused(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'catalog.db'}")
    services = build_services(replace(settings, encryption_key_file=""))
    try:
        with pytest.raises(Invalid, match="encryption at rest is not configured"):
            services.keys.rotate()
        assert not (tmp_path / "data" / "blobs" / MARKER).exists()  # off: nothing recorded
    finally:
        services.close()
