"""Encryption at rest: :class:`EncryptedBlobStore`, a :class:`~vardesk.storage.blobs.BlobStore` that
envelope-encrypts the blobs of the covered prefixes (uploads, report PDFs, exports) of any other store.

Each blob gets its own random 256-bit data key (DEK); the DEK is wrapped (AES-256-GCM) by the lab-held
key-encryption key (KEK) named in the blob's header, and the data is sealed in fixed-size chunks, each with
its own nonce and its index and a last-chunk flag in the associated data, so that altering, reordering,
dropping or cutting off chunks is detected. The decorator only uses the wrapped store's protocol (reads,
range reads, atomic puts, scratch), never its files, so it wraps the local store and a remote one alike.

Layout of an encrypted blob (big-endian)::

    magic "\\x89VDSKENC" | version u8 | chunk size u32 | nonce base 8 bytes | key id length u8 | key id
    | wrap nonce 12 bytes | wrapped DEK 48 bytes (32 + GCM tag)
    then chunks: AES-256-GCM(DEK, nonce = nonce base | index u32, chunk, aad = prefix | index u64 | last u8)

A blob not starting with the magic is a legacy plaintext blob and is read as it is. Blobs outside the
covered prefixes (the variant store's Parquet files, annotations, bundles) are passed through untouched.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import struct
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vardesk.domain.errors import Invalid, NotFound, Unreadable
from vardesk.storage.blobs import FILE_MODE, BlobStore
from vardesk.storage.keys import EncryptionConfigError, Keyring

COVERED = ("uploads", "reports", "exports")  # key prefixes whose blobs are encrypted
MARKER = "encryption/keys.json"  # the key ids (and check values) blobs were written under; no secret
MAGIC = b"\x89VDSKENC"
VERSION = 1
CHUNK = 64 * 1024
TAG = 16
_FIXED = struct.Struct(">8sBI8sB")  # magic, version, chunk size, nonce base, key id length
_WRAP = 12 + 32 + TAG
MAX_HEADER = _FIXED.size + 255 + _WRAP


def covered(key: str) -> bool:
    return any(key == p or key.startswith(p + "/") for p in COVERED)


def _read_exact(fh: BinaryIO, n: int) -> bytes:
    parts, got = [], 0
    while got < n:
        block = fh.read(n - got)
        if not block:
            break
        parts.append(block)
        got += len(block)
    return b"".join(parts)


@dataclass(frozen=True)
class Header:
    chunk: int
    nonce_base: bytes
    key_id: str
    wrap_nonce: bytes
    wrapped: bytes

    @property
    def prefix(self) -> bytes:
        """What every chunk's associated data starts with (not the key id: re-wrapping keeps chunks)."""
        return MAGIC + bytes([VERSION]) + struct.pack(">I", self.chunk) + self.nonce_base

    def wrap_aad(self, blob_key: str) -> bytes:
        kid = self.key_id.encode("ascii")
        return b"vardesk dek|" + self.prefix + bytes([len(kid)]) + kid + b"|" + blob_key.encode()

    def encode(self) -> bytes:
        kid = self.key_id.encode("ascii")
        fixed = _FIXED.pack(MAGIC, VERSION, self.chunk, self.nonce_base, len(kid))
        return fixed + kid + self.wrap_nonce + self.wrapped

    @property
    def size(self) -> int:
        return _FIXED.size + len(self.key_id) + _WRAP


def parse_header(data: bytes) -> Header | None:
    """The header at the start of ``data`` (at least :data:`MAX_HEADER` bytes, or the whole blob), or
    ``None`` for a plaintext blob."""
    if not data.startswith(MAGIC):
        return None
    if len(data) < _FIXED.size:
        raise Unreadable("an encrypted stored object is cut short (its header is incomplete)")
    _, version, chunk, nonce_base, kid_len = _FIXED.unpack_from(data)
    if version != VERSION:
        raise Unreadable(
            f"an encrypted stored object has format version {version}, which this Vardesk cannot read"
        )
    end = _FIXED.size + kid_len
    if len(data) < end + _WRAP or chunk <= 0:
        raise Unreadable("an encrypted stored object is cut short (its header is incomplete)")
    try:
        key_id = data[_FIXED.size : end].decode("ascii")
    except UnicodeDecodeError:
        raise Unreadable("an encrypted stored object has a damaged header") from None
    return Header(chunk, nonce_base, key_id, data[end : end + 12], data[end + 12 : end + _WRAP])


def _read_header(fh: BinaryIO) -> tuple[Header | None, bytes]:
    """The header read off the start of a stream, and the bytes read (all of them, for a plaintext blob)."""
    head = _read_exact(fh, _FIXED.size)
    if not head.startswith(MAGIC[: len(head)]) or len(head) < len(MAGIC):
        return None, head
    if len(head) < _FIXED.size:
        raise Unreadable("an encrypted stored object is cut short (its header is incomplete)")
    rest = _read_exact(fh, head[-1] + _WRAP)
    return parse_header(head + rest), head + rest


class _Sealer:
    """One blob's data key: seals and opens its chunks."""

    def __init__(self, header: Header, dek: bytes) -> None:
        self.header = header
        self._aead = AESGCM(dek)

    def _nonce_aad(self, index: int, last: bool) -> tuple[bytes, bytes]:
        if index >= 1 << 32:
            raise Invalid("a stored object is too large to encrypt (over 2^32 chunks)")
        nonce = self.header.nonce_base + struct.pack(">I", index)
        return nonce, self.header.prefix + struct.pack(">QB", index, int(last))

    def seal(self, index: int, data: bytes, last: bool) -> bytes:
        nonce, aad = self._nonce_aad(index, last)
        return self._aead.encrypt(nonce, data, aad)

    def open(self, index: int, data: bytes, last: bool) -> bytes:
        nonce, aad = self._nonce_aad(index, last)
        try:
            return self._aead.decrypt(nonce, data, aad)
        except InvalidTag:
            raise Unreadable(
                "a stored object failed its integrity check: its encrypted data was altered, reordered or "
                "cut short; restore it from a backup"
            ) from None


class _EncryptingReader(io.RawIOBase):
    """The ciphertext of a plaintext stream (header, then sealed chunks), read as a stream."""

    def __init__(self, source: BinaryIO, sealer: _Sealer) -> None:
        self._source = source
        self._sealer = sealer
        self._out = bytearray(sealer.header.encode())
        self._index = 0
        self._pending: bytes | None = _read_exact(source, sealer.header.chunk)
        self.plaintext_size = len(self._pending)

    def readable(self) -> bool:
        return True

    def _fill(self) -> None:
        if self._pending is None:
            return
        nxt = _read_exact(self._source, self._sealer.header.chunk)
        last = not nxt
        self._out += self._sealer.seal(self._index, self._pending, last)
        self._index += 1
        self.plaintext_size += len(nxt)
        self._pending = None if last else nxt

    def read(self, size: int = -1) -> bytes:
        while (size < 0 or len(self._out) < size) and self._pending is not None:
            self._fill()
        n = len(self._out) if size < 0 else min(size, len(self._out))
        out = bytes(self._out[:n])
        del self._out[:n]
        return out

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def,override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _DecryptingReader(io.RawIOBase):
    """The plaintext of an encrypted stream, chunk by chunk (one chunk read ahead to know the last)."""

    def __init__(self, source: BinaryIO, sealer: _Sealer) -> None:
        self._source = source
        self._sealer = sealer
        self._sealed = sealer.header.chunk + TAG
        self._index = 0
        self._next: bytes | None = _read_exact(source, self._sealed)
        self._buffer = bytearray()
        self._fill()  # the first chunk now: a wrong key or damage at the start is raised on opening

    def readable(self) -> bool:
        return True

    def _fill(self) -> None:
        current = self._next
        if current is None:
            return
        if len(current) < TAG:
            raise Unreadable("an encrypted stored object is cut short (a chunk is incomplete)")
        nxt = _read_exact(self._source, self._sealed)
        last = not nxt
        self._buffer += self._sealer.open(self._index, current, last)
        self._index += 1
        self._next = None if last else nxt

    def read(self, size: int = -1) -> bytes:
        while (size < 0 or len(self._buffer) < size) and self._next is not None:
            self._fill()
        n = len(self._buffer) if size < 0 else min(size, len(self._buffer))
        out = bytes(self._buffer[:n])
        del self._buffer[:n]
        return out

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def,override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _Prefixed(io.RawIOBase):
    """A stream of which the first bytes were already read (a plaintext blob's sniffed start)."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._head:
            n = len(self._head) if size < 0 else min(size, len(self._head))
            out, self._head = self._head[:n], self._head[n:]
            if size < 0:
                out += self._rest.read()
            return out
        return self._rest.read(size)

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def,override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class EncryptedBlobStore:
    """A :class:`BlobStore` that encrypts the covered prefixes of ``inner`` with keys of ``keyring``."""

    def __init__(self, inner: BlobStore, keyring: Keyring, *, chunk: int = CHUNK) -> None:
        self.inner = inner
        self.keyring = keyring
        self.chunk = chunk

    # -- keys -------------------------------------------------------------------------------------
    def _kek(self, key_id: str) -> bytes:
        kek = self.keyring.key(key_id)
        if kek is None:
            raise Unreadable(
                f"a stored object is encrypted under key id {key_id!r}, which is not among the configured "
                "encryption keys; add that key to the key file"
            )
        return kek

    def _unwrap_dek(self, header: Header, blob_key: str) -> bytes:
        try:
            return AESGCM(self._kek(header.key_id)).decrypt(
                header.wrap_nonce, header.wrapped, header.wrap_aad(blob_key)
            )
        except InvalidTag:
            raise Unreadable(
                f"the data key of a stored object could not be unwrapped with key {header.key_id!r}: that "
                "key is not the one it was written with, or the object's header was altered"
            ) from None

    def _unwrap(self, header: Header, blob_key: str) -> _Sealer:
        return _Sealer(header, self._unwrap_dek(header, blob_key))

    def _wrap(self, dek: bytes, nonce_base: bytes, blob_key: str, key_id: str | None = None) -> Header:
        key_id = key_id or self.keyring.current
        draft = Header(self.chunk, nonce_base, key_id, secrets.token_bytes(12), b"")
        wrapped = AESGCM(self._kek(key_id)).encrypt(draft.wrap_nonce, dek, draft.wrap_aad(blob_key))
        return Header(draft.chunk, nonce_base, key_id, draft.wrap_nonce, wrapped)

    def _new_sealer(self, blob_key: str) -> _Sealer:
        dek = AESGCM.generate_key(bit_length=256)
        return _Sealer(self._wrap(dek, secrets.token_bytes(8), blob_key), dek)

    def header(self, key: str) -> Header | None:
        """The encryption header of a stored blob, or ``None`` for a plaintext one."""
        return parse_header(self.inner.read_range(key, 0, MAX_HEADER))

    # -- reading ---------------------------------------------------------------------------------
    @contextmanager
    def open(self, key: str) -> Iterator[BinaryIO]:
        if not covered(key):
            with self.inner.open(key) as fh:
                yield fh
            return
        with self.inner.open(key) as fh:
            header, head = _read_header(fh)
            if header is None:
                yield _Prefixed(head, fh)  # type: ignore[misc]
                return
            yield _DecryptingReader(fh, self._unwrap(header, key))  # type: ignore[misc]

    def read_bytes(self, key: str) -> bytes:
        if not covered(key):
            return self.inner.read_bytes(key)
        with self.open(key) as fh:
            return fh.read()

    def _layout(self, key: str, header: Header) -> tuple[int, int]:
        """(number of chunks, plaintext size) from the stored size."""
        body = self.inner.size(key) - header.size
        sealed = header.chunk + TAG
        chunks = -(-body // sealed)
        if body < TAG or body - (chunks - 1) * sealed < TAG:
            raise Unreadable("an encrypted stored object is cut short (a chunk is incomplete)")
        return chunks, body - chunks * TAG

    def size(self, key: str) -> int:
        if not covered(key):
            return self.inner.size(key)
        header = self.header(key)
        return self.inner.size(key) if header is None else self._layout(key, header)[1]

    def read_range(self, key: str, offset: int, length: int) -> bytes:
        if not covered(key):
            return self.inner.read_range(key, offset, length)
        if offset < 0 or length < 0:
            raise Invalid(f"invalid byte range {offset}+{length}")
        header = self.header(key)
        if header is None:
            return self.inner.read_range(key, offset, length)
        chunks, plain = self._layout(key, header)
        sealer = self._unwrap(header, key)
        end = min(offset + length, plain)
        if offset >= end:
            return b""
        first, last = offset // header.chunk, (end - 1) // header.chunk
        sealed = header.chunk + TAG
        data = self.inner.read_range(key, header.size + first * sealed, (last - first + 1) * sealed)
        out = bytearray()
        for i in range(first, last + 1):
            part = data[(i - first) * sealed : (i - first + 1) * sealed]
            out += sealer.open(i, part, i == chunks - 1)
        start = offset - first * header.chunk
        return bytes(out[start : start + (end - offset)])

    def exists(self, key: str) -> bool:
        return self.inner.exists(key)

    def list(self, prefix: str) -> list[str]:
        return self.inner.list(prefix)

    # -- writing ---------------------------------------------------------------------------------
    def put_stream(self, key: str, stream: BinaryIO, *, chunk: int = 1 << 20) -> int:
        if not covered(key):
            return self.inner.put_stream(key, stream, chunk=chunk)
        reader = _EncryptingReader(stream, self._new_sealer(key))
        self.inner.put_stream(key, reader, chunk=chunk)  # type: ignore[arg-type]
        return reader.plaintext_size

    def put_bytes(self, key: str, data: bytes) -> None:
        if not covered(key):
            self.inner.put_bytes(key, data)
            return
        self.put_stream(key, io.BytesIO(data))

    def put_file(self, key: str, source: Path, *, move: bool = False) -> None:
        if not covered(key):
            self.inner.put_file(key, source, move=move)
            return
        with source.open("rb") as fh:
            self.put_stream(key, fh)
        if move:
            source.unlink(missing_ok=True)  # the plaintext is not left behind once the ciphertext is stored

    def put_dir(self, key: str, source: Path) -> None:
        if covered(key):  # encrypt each file in place, then the directory goes in as one rename
            for path in sorted(p for p in source.rglob("*") if p.is_file()):
                sealed = path.with_name(f".{path.name}.sealed")
                blob_key = f"{key}/{path.relative_to(source).as_posix()}"
                with path.open("rb") as fh, sealed.open("wb") as out:
                    reader = _EncryptingReader(fh, self._new_sealer(blob_key))
                    while block := reader.read(1 << 20):
                        out.write(block)
                os.replace(sealed, path)
        self.inner.put_dir(key, source)

    def delete(self, key: str) -> None:
        self.inner.delete(key)

    # -- local files for tools ----------------------------------------------------------------------
    @contextmanager
    def materialise(self, key: str) -> Iterator[Path]:
        if not covered(key):
            with self.inner.materialise(key) as path:
                yield path
            return
        blobs = self.inner.list(key)
        if not blobs:
            raise NotFound(f"stored object {key!r} not found")
        if blobs == [key]:
            if self.header(key) is None:
                with self.inner.materialise(key) as path:
                    yield path
                return
            with self.inner.scratch() as work:
                yield self._decrypt_to(key, work / key.rsplit("/", 1)[-1])
            return
        with self.inner.scratch() as work:  # a prefix: its blobs decrypted into a directory
            root = work / key.rsplit("/", 1)[-1]
            for blob in blobs:
                self._decrypt_to(blob, root / blob[len(key) :].lstrip("/"))
            yield root

    def _decrypt_to(self, key: str, dest: Path) -> Path:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(fd, "wb") as out, self.open(key) as fh:
            while block := fh.read(1 << 20):
                out.write(block)
        return dest

    @contextmanager
    def materialise_many(self, keys: Iterable[str]) -> Iterator[list[Path]]:
        with ExitStack() as stack:
            yield [stack.enter_context(self.materialise(k)) for k in keys]

    @contextmanager
    def query_paths(self, keys: Iterable[str]) -> Iterator[list[str]]:
        """The inner store's paths of blobs kept in plaintext (the variant store's Parquet); a decrypted
        scratch copy of a covered one."""
        keys = list(keys)
        with ExitStack() as stack:
            plain = [k for k in keys if not covered(k)]
            found = dict(zip(plain, stack.enter_context(self.inner.query_paths(plain)), strict=True))
            for k in keys:
                if covered(k):
                    found[k] = str(stack.enter_context(self.materialise(k)))
            yield [found[k] for k in keys]

    def filesystem(self):  # type: ignore[no-untyped-def]
        return self.inner.filesystem()

    def scratch(self):  # type: ignore[no-untyped-def]
        return self.inner.scratch()

    def lock(self, key: str):  # type: ignore[no-untyped-def]
        return self.inner.lock(key)

    def local_roots(self) -> list[str]:
        return self.inner.local_roots()

    def sweep(self) -> int:
        return self.inner.sweep()

    # -- key rotation ------------------------------------------------------------------------------
    def covered_keys(self) -> list[str]:
        return [k for prefix in COVERED for k in self.inner.list(prefix)]

    def rewrap(self, key: str) -> bool:
        """Wrap the data key of an encrypted blob under the current key; the chunks are copied as they
        are (no data is decrypted). Atomic (a put of the whole blob). False when nothing was to do."""
        with self.inner.open(key) as fh:
            header, _ = _read_header(fh)
            if header is None or header.key_id == self.keyring.current:
                return False
            new = self._wrap(self._unwrap_dek(header, key), header.nonce_base, key)
            self.inner.put_stream(key, _Prefixed(new.encode(), fh))  # type: ignore[arg-type]
        return True

    def encrypt_plaintext(self, key: str) -> bool:
        """Encrypt a legacy plaintext blob in place (atomic). False when it is encrypted already."""
        with self.inner.open(key) as fh:
            header, head = _read_header(fh)
            if header is not None:
                return False
            reader = _EncryptingReader(_Prefixed(head, fh), self._new_sealer(key))  # type: ignore[arg-type]
            self.inner.put_stream(key, reader)  # type: ignore[arg-type]
        return True

    def settle_marker(self) -> None:
        """Record that only the current key is in use (after every blob was re-wrapped under it)."""
        write_marker(self.inner, {self.keyring.current: self.keyring.check_value(self.keyring.current)})


def read_marker(store: BlobStore) -> dict[str, str]:
    if not store.exists(MARKER):
        return {}
    try:
        doc = json.loads(store.read_bytes(MARKER))
        return {str(k): str(v) for k, v in doc["keys"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        raise EncryptionConfigError(f"the store's record of encryption keys ({MARKER}) is damaged") from None


def write_marker(store: BlobStore, keys: dict[str, str]) -> None:
    store.put_bytes(MARKER, json.dumps({"format": 1, "keys": keys}, indent=1, sort_keys=True).encode())


def secure_store(store: BlobStore, keyring: Keyring | None) -> BlobStore:
    """The store the services use: ``store`` itself when no key is configured (refused if blobs were
    encrypted before), else the encrypting decorator over it — once every key id that blobs were written
    under is in the keyring with the same key."""
    used = read_marker(store)
    if keyring is None:
        if used:
            raise EncryptionConfigError(
                "stored blobs are encrypted (key ids: " + ", ".join(sorted(used)) + ") but no encryption key "
                "is configured; set VARDESK_ENCRYPTION_KEY_FILE (or VARDESK_ENCRYPTION_KEY)"
            )
        return store
    for key_id, check in sorted(used.items()):
        if keyring.key(key_id) is None:
            raise EncryptionConfigError(
                f"stored blobs may be encrypted under key id {key_id!r}, which the configured keys do not "
                "hold; keep it in the key file (after the current key) until `vardesk keys rotate` has "
                "moved every blob to the current key"
            )
        if keyring.check_value(key_id) != check:
            raise EncryptionConfigError(
                f"the configured key with id {key_id!r} is not the key that stored blobs were encrypted with"
            )
    if keyring.current not in used:
        write_marker(store, used | {keyring.current: keyring.check_value(keyring.current)})
    return EncryptedBlobStore(store, keyring)
