"""The blob store: uploads, variant stores, bundles and reports, addressed by relative keys.

The embedded default is a local directory (``file://…``). Tools such as htslib and DuckDB need local paths,
so every store can hand out a local path for a key (a remote store would cache the object locally). Writes
are atomic: data goes to a temporary file that is renamed into place only when complete.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import urlparse

from vardesk.domain.errors import Invalid, TooLarge


class BlobStore(Protocol):
    def local_path(self, key: str) -> Path: ...

    def exists(self, key: str) -> bool: ...

    def put_file(self, key: str, source: Path, *, move: bool = False) -> None: ...

    def put_dir(self, key: str, source: Path) -> None: ...

    def delete(self, key: str) -> None: ...

    def scratch_dir(self) -> Path: ...

    def delete_scratch(self, path: Path) -> None: ...


DIR_MODE = 0o700
FILE_MODE = 0o600


def owner_only(path: Path) -> None:
    """Make ``path`` (a file, or a tree built by a tool with its own idea of modes) owner-only."""
    if not path.is_dir():
        path.chmod(FILE_MODE)
        return
    path.chmod(DIR_MODE)
    for base, dirs, files in os.walk(path):
        for name in dirs:
            os.chmod(os.path.join(base, name), DIR_MODE)
        for name in files:
            os.chmod(os.path.join(base, name), FILE_MODE)


def _check_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise Invalid(f"invalid storage key {key!r}")
    return key


class LocalBlobStore:
    """Blobs under one directory; keys are relative POSIX paths."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        self.root.chmod(DIR_MODE)
        self._scratch = self.root / ".scratch"
        self._scratch.mkdir(mode=DIR_MODE, exist_ok=True)
        self._scratch.chmod(DIR_MODE)

    def local_path(self, key: str) -> Path:
        return self.root / _check_key(key)

    def exists(self, key: str) -> bool:
        return self.local_path(key).exists()

    def put_file(self, key: str, source: Path, *, move: bool = False) -> None:
        dest = self.local_path(key)
        self._mkdirs(dest.parent)
        tmp = dest.with_name(f".{dest.name}.part")
        if move:
            shutil.move(str(source), tmp)
        else:
            shutil.copyfile(source, tmp)
        tmp.chmod(FILE_MODE)
        os.replace(tmp, dest)

    def put_dir(self, key: str, source: Path) -> None:
        """Move a finished directory into place in one rename (same filesystem as the scratch area)."""
        dest = self.local_path(key)
        if dest.exists():
            raise Invalid(f"storage key {key!r} already exists")
        self._mkdirs(dest.parent)
        owner_only(source)
        os.replace(source, dest)

    def _mkdirs(self, path: Path) -> None:
        """``path`` and its missing parents under the root, each 0700."""
        missing = [p for p in (path, *path.parents) if p.is_relative_to(self.root) and not p.exists()]
        for p in reversed(missing):
            p.mkdir(mode=DIR_MODE, exist_ok=True)
            p.chmod(DIR_MODE)

    def delete(self, key: str) -> None:
        path = self.local_path(key)
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists():
            path.unlink()

    def delete_scratch(self, path: Path) -> None:
        if path.resolve().is_relative_to(self._scratch.resolve()):
            shutil.rmtree(path, ignore_errors=True)

    def scratch_dir(self) -> Path:
        """A fresh private directory on the store's filesystem, for work that is renamed into place."""
        return Path(tempfile.mkdtemp(dir=self._scratch))


def open_store(url: str) -> LocalBlobStore:
    parsed = urlparse(url)
    if parsed.scheme in ("", "file"):
        return LocalBlobStore(Path(parsed.path if parsed.scheme else url))
    raise Invalid(f"storage URL scheme {parsed.scheme!r} is not supported yet; use file://")


class _Spool:
    """A scratch file being filled with an upload: size limit and MD5/SHA-256 computed on the way."""

    def __init__(self, store: BlobStore, max_bytes: int) -> None:
        self.work = store.scratch_dir()
        self.path = self.work / "upload"
        self.out = self.path.open("wb")
        self.max_bytes = max_bytes
        self.size = 0
        self.md5, self.sha = hashlib.md5(usedforsecurity=False), hashlib.sha256()

    def add(self, block: bytes) -> None:
        self.size += len(block)
        if self.size > self.max_bytes:
            raise TooLarge(f"the upload exceeds the maximum size of {self.max_bytes} bytes")
        self.md5.update(block)
        self.sha.update(block)
        self.out.write(block)

    def done(self) -> tuple[Path, int, str, str]:
        self.out.close()
        return self.path, self.size, self.md5.hexdigest(), self.sha.hexdigest()

    def discard(self) -> None:
        self.out.close()
        shutil.rmtree(self.work, ignore_errors=True)


@contextmanager
def spooled_upload(
    store: BlobStore, stream: BinaryIO, *, max_bytes: int, chunk: int = 1 << 20
) -> Iterator[tuple[Path, int, str, str]]:
    """Copy a stream into a scratch file in bounded memory, hashing as it goes.

    Yields (path, size, md5, sha256); the scratch file is removed on exit unless the caller moved it.
    Raises ``TooLarge`` past ``max_bytes``.
    """
    spool = _Spool(store, max_bytes)
    try:
        while block := stream.read(chunk):
            spool.add(block)
        yield spool.done()
    finally:
        spool.discard()


@asynccontextmanager
async def spooled_stream(
    store: BlobStore, chunks: AsyncIterable[bytes], *, max_bytes: int
) -> AsyncIterator[tuple[Path, int, str, str]]:
    """:func:`spooled_upload` for an asynchronous stream of chunks (a raw request body)."""
    spool = _Spool(store, max_bytes)
    try:
        async for block in chunks:
            if block:
                spool.add(block)
        yield spool.done()
    finally:
        spool.discard()
