"""The encrypting blob store over a real local store: what is on disk, round trips of every read and write
across chunk boundaries, and every kind of damage or wrong key refused with a clear error."""

from __future__ import annotations

import io
import os
from contextlib import nullcontext
from pathlib import Path

import pytest

from vardesk.domain.errors import NotFound, Unreadable
from vardesk.storage.blobs import LocalBlobStore
from vardesk.storage.encryption import (
    MAGIC,
    MARKER,
    EncryptedBlobStore,
    covered,
    parse_header,
    secure_store,
)
from vardesk.storage.keys import EncryptionConfigError, Keyring, new_key_line, parse_keyring

CHUNK = 1000  # small chunks, so a few kilobytes cross many chunk boundaries
MARK = b"ZQXPLAINTEXTMARKER"
DATA = (MARK + os.urandom(97)) * 47  # 5405 bytes: five full chunks and a partial one, the marker throughout


def ring(*ids: str) -> Keyring:
    return parse_keyring("\n".join(new_key_line(i) for i in ids), "test keys")


@pytest.fixture
def inner(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


@pytest.fixture
def store(inner: LocalBlobStore) -> EncryptedBlobStore:
    return EncryptedBlobStore(inner, ring("k1"), chunk=CHUNK)


def on_disk(inner: LocalBlobStore, key: str) -> bytes:
    return inner.local_path(key).read_bytes()


def test_covered_prefixes_only() -> None:
    assert covered("uploads/a/upload.vcf.gz") and covered("reports/c/final-v1.pdf") and covered("exports/j/x")
    assert not covered("genomes/a/genotypes/0.parquet") and not covered("uploadsX/a") and not covered(MARKER)


def test_ciphertext_on_disk_holds_no_plaintext(store: EncryptedBlobStore, inner: LocalBlobStore) -> None:
    store.put_bytes("uploads/f/upload.vcf", DATA)
    raw = on_disk(inner, "uploads/f/upload.vcf")
    assert raw.startswith(MAGIC) and MARK not in raw and len(raw) > len(DATA)
    header = parse_header(raw)
    assert header is not None and header.key_id == "k1" and header.chunk == CHUNK
    assert store.read_bytes("uploads/f/upload.vcf") == DATA and store.size("uploads/f/upload.vcf") == len(
        DATA
    )
    # a second write of the same bytes gets a new data key: nothing repeats between the two blobs
    store.put_bytes("uploads/g/upload.vcf", DATA)
    assert on_disk(inner, "uploads/g/upload.vcf")[200:400] not in raw


def test_other_prefixes_pass_through(store: EncryptedBlobStore, inner: LocalBlobStore) -> None:
    store.put_bytes("genomes/f/genotypes/0.parquet", DATA)
    assert on_disk(inner, "genomes/f/genotypes/0.parquet") == DATA
    with store.materialise("genomes/f/genotypes/0.parquet") as path:
        assert path == inner.local_path("genomes/f/genotypes/0.parquet")  # the stored file, no copy


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, len(DATA)])
def test_round_trip_of_every_size(store: EncryptedBlobStore, size: int) -> None:
    data = DATA[:size]
    key = f"exports/j{size}/variants.vcf"
    assert store.put_stream(key, io.BytesIO(data)) == size
    assert store.size(key) == size and store.read_bytes(key) == data
    with store.open(key) as fh:
        parts = []
        while block := fh.read(333):
            parts.append(block)
    assert b"".join(parts) == data


def test_range_reads_decrypt_only_the_chunks_they_need(store: EncryptedBlobStore) -> None:
    store.put_bytes("uploads/r/upload.vcf", DATA)
    n = len(DATA)
    for offset, length in [
        (0, 1),
        (999, 2),
        (1000, 1000),
        (1500, 2700),
        (0, n),
        (n - 5, 100),
        (n, 4),
        (7, 0),
    ]:
        assert store.read_range("uploads/r/upload.vcf", offset, length) == DATA[offset : offset + length]


def test_put_file_move_leaves_no_plaintext_behind(
    store: EncryptedBlobStore, inner: LocalBlobStore, tmp_path: Path
) -> None:
    with store.scratch() as work:
        src = work / "upload"
        src.write_bytes(DATA)
        store.put_file("uploads/m/upload.vcf", src, move=True)
        assert not src.exists()
    copied = tmp_path / "copy"
    copied.write_bytes(DATA)
    store.put_file("reports/c/final-v1.pdf", copied)
    assert copied.read_bytes() == DATA  # a copy keeps its source
    assert MARK not in on_disk(inner, "uploads/m/upload.vcf") and MARK not in on_disk(
        inner, "reports/c/final-v1.pdf"
    )
    assert store.read_bytes("uploads/m/upload.vcf") == DATA == store.read_bytes("reports/c/final-v1.pdf")


def test_materialise_is_a_scratch_copy_removed_afterwards(
    store: EncryptedBlobStore, inner: LocalBlobStore
) -> None:
    store.put_bytes("uploads/t/upload.vcf.gz", DATA)
    with store.materialise("uploads/t/upload.vcf.gz") as path:
        assert path.name == "upload.vcf.gz" and path.read_bytes() == DATA  # tools see the suffix
        assert (path.stat().st_mode & 0o077) == 0
        assert path != inner.local_path("uploads/t/upload.vcf.gz")
    assert not path.exists() and not path.parent.exists()
    with store.materialise_many(["uploads/t/upload.vcf.gz", "uploads/t"]) as (one, folder):
        assert one.read_bytes() == DATA and (folder / "upload.vcf.gz").read_bytes() == DATA
    with pytest.raises(NotFound):
        with store.materialise("uploads/none"):
            pass


def test_put_dir_encrypts_each_file(store: EncryptedBlobStore, inner: LocalBlobStore, tmp_path: Path) -> None:
    with store.scratch() as work:
        (work / "out" / "sub").mkdir(parents=True)
        (work / "out" / "a.csv").write_bytes(DATA)
        (work / "out" / "sub" / "b.csv").write_bytes(DATA[:10])
        store.put_dir("exports/d", work / "out")
    assert store.list("exports/d") == ["exports/d/a.csv", "exports/d/sub/b.csv"]
    assert MARK not in on_disk(inner, "exports/d/a.csv")
    assert (
        store.read_bytes("exports/d/a.csv") == DATA and store.read_bytes("exports/d/sub/b.csv") == DATA[:10]
    )


def test_legacy_plaintext_stays_readable(store: EncryptedBlobStore, inner: LocalBlobStore) -> None:
    inner.put_bytes("reports/old/final-v1.pdf", b"%PDF-1.7 " + DATA)
    assert store.read_bytes("reports/old/final-v1.pdf") == b"%PDF-1.7 " + DATA
    assert store.size("reports/old/final-v1.pdf") == len(DATA) + 9
    assert store.read_range("reports/old/final-v1.pdf", 2, 5) == b"DF-1."
    with store.materialise("reports/old/final-v1.pdf") as path:
        assert path == inner.local_path("reports/old/final-v1.pdf")
    inner.put_bytes("reports/old/tiny", b"%P")  # shorter than the magic
    assert store.read_bytes("reports/old/tiny") == b"%P"
    assert store.encrypt_plaintext("reports/old/final-v1.pdf") and not store.encrypt_plaintext(
        "reports/old/final-v1.pdf"
    )
    assert on_disk(inner, "reports/old/final-v1.pdf").startswith(MAGIC)
    assert store.read_bytes("reports/old/final-v1.pdf") == b"%PDF-1.7 " + DATA


def _damage_refused(store: EncryptedBlobStore, key: str, fragment: str) -> None:
    for read in (
        lambda: store.read_bytes(key),
        lambda: store.read_range(key, 0, 10**6),
        lambda: store.materialise(key).__enter__(),
    ):
        with pytest.raises(Unreadable, match=fragment):
            read()


@pytest.mark.parametrize("where", ["header", "wrapped key", "first chunk", "last chunk", "tag"])
def test_an_altered_byte_is_refused(store: EncryptedBlobStore, inner: LocalBlobStore, where: str) -> None:
    store.put_bytes("uploads/x/upload.vcf", DATA)
    raw = bytearray(on_disk(inner, "uploads/x/upload.vcf"))
    header = parse_header(bytes(raw))
    assert header is not None
    at = {
        "header": 12,  # the chunk size / nonce base
        "wrapped key": header.size - 5,
        "first chunk": header.size + 3,
        "last chunk": len(raw) - 30,
        "tag": len(raw) - 1,
    }[where]
    raw[at] ^= 0x01
    inner.put_bytes("uploads/x/upload.vcf", bytes(raw))
    _damage_refused(store, "uploads/x/upload.vcf", "altered|cut short|unwrapped")


@pytest.mark.parametrize("cut", ["chunk boundary", "mid chunk", "all chunks", "header"])
def test_truncation_is_refused(store: EncryptedBlobStore, inner: LocalBlobStore, cut: str) -> None:
    store.put_bytes("uploads/x/upload.vcf", DATA)
    raw = on_disk(inner, "uploads/x/upload.vcf")
    header = parse_header(raw)
    assert header is not None
    keep = {
        "chunk boundary": header.size + 3 * (CHUNK + 16),  # the last three chunks dropped whole
        "mid chunk": len(raw) - 200,
        "all chunks": header.size,
        "header": 20,
    }[cut]
    inner.put_bytes("uploads/x/upload.vcf", raw[:keep])
    _damage_refused(store, "uploads/x/upload.vcf", "altered|cut short")


def test_swapped_chunks_are_refused(store: EncryptedBlobStore, inner: LocalBlobStore) -> None:
    store.put_bytes("uploads/x/upload.vcf", DATA)
    raw = on_disk(inner, "uploads/x/upload.vcf")
    header = parse_header(raw)
    assert header is not None
    s, h = CHUNK + 16, header.size
    swapped = raw[:h] + raw[h + s : h + 2 * s] + raw[h : h + s] + raw[h + 2 * s :]
    inner.put_bytes("uploads/x/upload.vcf", swapped)
    _damage_refused(store, "uploads/x/upload.vcf", "altered")
    assert store.read_range("uploads/x/upload.vcf", 2 * CHUNK, 10) == DATA[2 * CHUNK : 2 * CHUNK + 10]


def test_a_blob_copied_under_another_key_is_refused(store: EncryptedBlobStore, inner: LocalBlobStore) -> None:
    store.put_bytes("reports/a/final-v1.pdf", DATA)
    inner.put_bytes("reports/b/final-v1.pdf", on_disk(inner, "reports/a/final-v1.pdf"))
    _damage_refused(store, "reports/b/final-v1.pdf", "unwrapped")


def test_wrong_or_missing_key_is_refused(store: EncryptedBlobStore, inner: LocalBlobStore) -> None:
    store.put_bytes("exports/j/variants.csv", DATA)
    impostor = EncryptedBlobStore(inner, ring("k1"), chunk=CHUNK)  # another key under the same id
    _damage_refused(impostor, "exports/j/variants.csv", "not the one it was written with")
    other = EncryptedBlobStore(inner, ring("k2"), chunk=CHUNK)
    _damage_refused(other, "exports/j/variants.csv", "key id 'k1', which is not among the configured")


def test_rewrap_moves_the_data_key_and_keeps_the_chunks(inner: LocalBlobStore) -> None:
    old = ring("k1")
    EncryptedBlobStore(inner, old, chunk=CHUNK).put_bytes("uploads/w/upload.vcf", DATA)
    before = on_disk(inner, "uploads/w/upload.vcf")
    new = Keyring("k2", {**ring("k2").keys, **old.keys})
    store = EncryptedBlobStore(inner, new, chunk=CHUNK)
    assert store.rewrap("uploads/w/upload.vcf") and not store.rewrap("uploads/w/upload.vcf")
    after = on_disk(inner, "uploads/w/upload.vcf")
    old_header, new_header = parse_header(before), parse_header(after)
    assert old_header is not None and new_header is not None and new_header.key_id == "k2"
    assert after[new_header.size :] == before[old_header.size :]  # the data chunks copied as they were
    only_new = EncryptedBlobStore(inner, Keyring("k2", {"k2": new.keys["k2"]}), chunk=CHUNK)
    assert only_new.read_bytes("uploads/w/upload.vcf") == DATA


def test_secure_store_checks_the_configured_keys(inner: LocalBlobStore) -> None:
    assert secure_store(inner, None) is inner  # off: the store as it is, nothing recorded
    assert not inner.exists(MARKER)
    keys = ring("k1")
    assert isinstance(secure_store(inner, keys), EncryptedBlobStore)
    assert inner.exists(MARKER) and b"k1" in inner.read_bytes(MARKER)
    assert all(encode not in inner.read_bytes(MARKER) for encode in keys.keys.values())
    with pytest.raises(EncryptionConfigError, match="no encryption key is configured"):
        secure_store(inner, None)
    with pytest.raises(EncryptionConfigError, match="'k1', which the configured keys do not hold"):
        secure_store(inner, ring("k2"))
    with pytest.raises(EncryptionConfigError, match="not the key that stored blobs were encrypted with"):
        secure_store(inner, ring("k1"))
    rotated = Keyring("k2", {**ring("k2").keys, **keys.keys})
    assert isinstance(secure_store(inner, rotated), EncryptedBlobStore)


class _Unseekable(io.RawIOBase):
    """What an object store's GET body is: a stream read once, in the pieces the network gives."""

    def __init__(self, data: bytes) -> None:
        self._data, self._at = data, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def,override]
        n = min(len(buffer), 777, len(self._data) - self._at)  # short reads, like a socket
        buffer[:n] = self._data[self._at : self._at + n]
        self._at += n
        return n


class ObjectStore:
    """A BlobStore that is not a directory of files (objects in memory, streamed on open), so the
    decorator is shown to use only the protocol — as an S3 store would be wrapped."""

    def __init__(self, scratch_root: Path) -> None:
        self.objects: dict[str, bytes] = {}
        self._local = LocalBlobStore(scratch_root)  # its scratch area only

    def open(self, key: str):  # type: ignore[no-untyped-def]
        if key not in self.objects:
            raise NotFound(key)
        return nullcontext(_Unseekable(self.objects[key]))

    def read_bytes(self, key: str) -> bytes:
        return self.objects[key]

    def read_range(self, key: str, offset: int, length: int) -> bytes:
        return self.objects[key][offset : offset + length]

    def exists(self, key: str) -> bool:
        return key in self.objects or any(k.startswith(key + "/") for k in self.objects)

    def size(self, key: str) -> int:
        return len(self.objects[key])

    def list(self, prefix: str) -> list[str]:
        return sorted(k for k in self.objects if k == prefix or k.startswith(prefix.rstrip("/") + "/"))

    def put_stream(self, key: str, stream, *, chunk: int = 1 << 20) -> int:  # type: ignore[no-untyped-def]
        parts = []
        while block := stream.read(chunk):
            parts.append(block)
        self.objects[key] = b"".join(parts)
        return len(self.objects[key])

    def put_bytes(self, key: str, data: bytes) -> None:
        self.objects[key] = data

    def scratch(self):  # type: ignore[no-untyped-def]
        return self._local.scratch()


def test_the_decorator_wraps_a_store_that_is_not_local_files(tmp_path: Path) -> None:
    objects = ObjectStore(tmp_path / "scratch")
    store = EncryptedBlobStore(objects, ring("k1"), chunk=CHUNK)  # type: ignore[arg-type]
    assert store.put_stream("uploads/o/upload.vcf", io.BytesIO(DATA)) == len(DATA)
    assert MARK not in objects.objects["uploads/o/upload.vcf"]
    assert store.read_bytes("uploads/o/upload.vcf") == DATA and store.size("uploads/o/upload.vcf") == len(
        DATA
    )
    assert store.read_range("uploads/o/upload.vcf", 1990, 1020) == DATA[1990:3010]
    with store.materialise("uploads/o/upload.vcf") as path:
        assert path.read_bytes() == DATA
    assert not path.exists()
    objects.put_bytes("reports/legacy.pdf", b"%PDF-1.4 legacy")
    with store.open("reports/legacy.pdf") as fh:
        assert fh.read() == b"%PDF-1.4 legacy"
    new = Keyring("k2", {**ring("k2").keys, **store.keyring.keys})
    rotated = EncryptedBlobStore(objects, new, chunk=CHUNK)  # type: ignore[arg-type]
    assert rotated.rewrap("uploads/o/upload.vcf") and rotated.encrypt_plaintext("reports/legacy.pdf")
    assert rotated.read_bytes("uploads/o/upload.vcf") == DATA
    assert rotated.read_bytes("reports/legacy.pdf") == b"%PDF-1.4 legacy"
