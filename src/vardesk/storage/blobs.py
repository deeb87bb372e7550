"""The blob store: uploads, variant stores, bundles and reports, addressed by relative keys.

Everything above this package reaches stored data only through :class:`BlobStore`: reads (whole, a byte
range, a stream), atomic writes, listing and deletion by key, and — for tools that need a file (htslib,
DuckDB, pysam) — :meth:`BlobStore.materialise`, a context that yields a local path for a key for as long as
the context lasts. Work that is then stored is done in :meth:`BlobStore.scratch`, removed afterwards.

The embedded default is a local directory (``file://…``): :class:`LocalBlobStore`. It materialises a key as
the stored file itself (no copy); the S3-compatible store (``s3://bucket/prefix``,
:class:`~vardesk.storage.s3.S3BlobStore`) copies the object into its scratch directory, and hands DuckDB the
object in place (:meth:`BlobStore.query_paths`). Writes are atomic:
data goes to a temporary file that is renamed into place only when complete.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack, asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from urllib.parse import urlparse

from vardesk import processes
from vardesk.domain.errors import Invalid, NotFound, TooLarge


class BlobStore(Protocol):
    """Blobs by key (a relative POSIX path; a key may also name a prefix, a "directory" of blobs)."""

    # -- reading ---------------------------------------------------------------------------------
    def open(self, key: str) -> AbstractContextManager[BinaryIO]:
        """The blob for reading, as a binary file object. ``NotFound`` when it does not exist."""
        ...

    def read_bytes(self, key: str) -> bytes: ...

    def read_range(self, key: str, offset: int, length: int) -> bytes:
        """``length`` bytes from ``offset`` (fewer at the end of the blob)."""
        ...

    def exists(self, key: str) -> bool:
        """Whether a blob, or a prefix holding blobs, exists under ``key``."""
        ...

    def size(self, key: str) -> int: ...

    def list(self, prefix: str) -> list[str]:
        """The keys of every blob under ``prefix`` (recursively), sorted."""
        ...

    # -- writing (atomic: a reader sees the whole blob or none) ---------------------------------------
    def put_stream(self, key: str, stream: BinaryIO, *, chunk: int = 1 << 20) -> int:
        """Store what ``stream`` holds under ``key``; returns the bytes written."""
        ...

    def put_bytes(self, key: str, data: bytes) -> None: ...

    def put_file(self, key: str, source: Path, *, move: bool = False) -> None:
        """Store a local file (moved rather than copied with ``move``, e.g. from :meth:`scratch`)."""
        ...

    def put_dir(self, key: str, source: Path) -> None:
        """Store a finished local directory as the blobs under prefix ``key`` (which must not exist)."""
        ...

    def delete(self, key: str) -> None:
        """Remove a blob, or every blob under a prefix; nothing when there is none."""
        ...

    # -- local files for tools ----------------------------------------------------------------------
    def materialise(self, key: str) -> AbstractContextManager[Path]:
        """A local path holding the blob (or the prefix's blobs, as a directory), valid inside the
        context. Read-only: the path is never written through. ``NotFound`` when the key does not exist."""
        ...

    def materialise_many(self, keys: Iterable[str]) -> AbstractContextManager[list[Path]]:
        """:meth:`materialise` for several keys at once (e.g. genotype Parquets for one DuckDB query)."""
        ...

    def query_paths(self, keys: Iterable[str]) -> AbstractContextManager[list[str]]:
        """Where the process's query engine (DuckDB) reads these blobs, valid inside the context: the
        stored files of a local store, the objects in place of a remote one (through the filesystem the
        composition root registers with the engine). ``NotFound`` when a key does not exist."""
        ...

    def filesystem(self) -> Any:
        """The fsspec filesystem the query engine must have registered to read :meth:`query_paths`, or
        ``None`` when they are local files."""
        ...

    def scratch(self) -> AbstractContextManager[Path]:
        """A fresh private directory for work that is then ``put``; removed when the context ends."""
        ...

    def lock(self, key: str) -> AbstractContextManager[None]:
        """Exclusive access to ``key`` for one writer at a time, across threads and processes."""
        ...

    def local_roots(self) -> list[str]:
        """Server directories the store keeps data in: never to be shown in a message to a client."""
        ...

    def sweep(self) -> int:
        """Remove scratch work and unfinished writes left by processes that died (never a live one's);
        run when a process opens the store. Returns how many entries were removed."""
        ...


DIR_MODE = 0o700
FILE_MODE = 0o600
_INTERNAL = (".scratch", ".locks")  # the local store's own directories, never keys
UNOWNED_AGE = 24 * 3600.0  # seconds after which a scratch entry or part naming no owner is swept


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
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts) or parts[0] in _INTERNAL:
        raise Invalid(f"invalid storage key {key!r}")
    return key


class LocalBlobStore:
    """Blobs under one directory; keys are relative POSIX paths. Implements :class:`BlobStore`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        self.root.chmod(DIR_MODE)
        for own in _INTERNAL:
            (self.root / own).mkdir(mode=DIR_MODE, exist_ok=True)
            (self.root / own).chmod(DIR_MODE)
        self._scratch = self.root / ".scratch"
        self._locks = self.root / ".locks"

    def local_path(self, key: str) -> Path:
        """Where ``key`` lives on this machine (for this store only; callers use :meth:`materialise`)."""
        return self.root / _check_key(key)

    def _existing(self, key: str) -> Path:
        path = self.local_path(key)
        if not path.exists():
            raise NotFound(f"stored object {key!r} not found")
        return path

    # -- reading ---------------------------------------------------------------------------------
    @contextmanager
    def open(self, key: str) -> Iterator[BinaryIO]:
        with self._existing(key).open("rb") as fh:
            yield fh

    def read_bytes(self, key: str) -> bytes:
        return self._existing(key).read_bytes()

    def read_range(self, key: str, offset: int, length: int) -> bytes:
        if offset < 0 or length < 0:
            raise Invalid(f"invalid byte range {offset}+{length}")
        with self._existing(key).open("rb") as fh:
            fh.seek(offset)
            return fh.read(length)

    def exists(self, key: str) -> bool:
        return self.local_path(key).exists()

    def size(self, key: str) -> int:
        return self._existing(key).stat().st_size

    def list(self, prefix: str) -> list[str]:
        base = self.local_path(prefix.rstrip("/"))
        if base.is_file():
            return [prefix.rstrip("/")]
        if not base.is_dir():
            return []
        return sorted(
            p.relative_to(self.root).as_posix()
            for p in base.rglob("*")
            if p.is_file() and not p.name.startswith(".")  # temporary parts of unfinished writes
        )

    # -- writing ---------------------------------------------------------------------------------
    def put_file(self, key: str, source: Path, *, move: bool = False) -> None:
        dest = self.local_path(key)
        self._mkdirs(dest.parent)
        tmp = dest.with_name(f".{dest.name}~{processes.tag()}.part")  # its owner, for the sweep
        try:
            if move:
                shutil.move(str(source), tmp)
            else:
                shutil.copyfile(source, tmp)
            tmp.chmod(FILE_MODE)
            os.replace(tmp, dest)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def put_stream(self, key: str, stream: BinaryIO, *, chunk: int = 1 << 20) -> int:
        with self.scratch() as work:
            size = 0
            with (work / "blob").open("wb") as out:
                while block := stream.read(chunk):
                    out.write(block)
                    size += len(block)
            self.put_file(key, work / "blob", move=True)
        return size

    def put_bytes(self, key: str, data: bytes) -> None:
        with self.scratch() as work:
            (work / "blob").write_bytes(data)
            self.put_file(key, work / "blob", move=True)

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

    # -- local files for tools ----------------------------------------------------------------------
    @contextmanager
    def materialise(self, key: str) -> Iterator[Path]:
        yield self._existing(key)  # the stored file itself: nothing to copy or clean up

    @contextmanager
    def materialise_many(self, keys: Iterable[str]) -> Iterator[list[Path]]:
        with ExitStack() as stack:
            yield [stack.enter_context(self.materialise(k)) for k in keys]

    @contextmanager
    def query_paths(self, keys: Iterable[str]) -> Iterator[list[str]]:
        yield [str(self._existing(k)) for k in keys]

    def filesystem(self) -> None:
        return None

    def scratch_dir(self) -> Path:
        """A fresh private directory on the store's filesystem (so a finished result is renamed into
        place); the caller removes it with :meth:`delete_scratch`. Prefer :meth:`scratch`."""
        return Path(tempfile.mkdtemp(prefix=f"{processes.tag()}_", dir=self._scratch))

    def delete_scratch(self, path: Path) -> None:
        if path.resolve().is_relative_to(self._scratch.resolve()):
            shutil.rmtree(path, ignore_errors=True)

    @contextmanager
    def scratch(self) -> Iterator[Path]:
        work = self.scratch_dir()
        try:
            yield work
        finally:
            self.delete_scratch(work)

    @contextmanager
    def lock(self, key: str) -> Iterator[None]:
        name = hashlib.sha256(_check_key(key).encode()).hexdigest()[:32]
        with (self._locks / f"{name}.lock").open("w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def local_roots(self) -> list[str]:
        return sorted({str(self.root), str(Path(self.root).resolve())})

    # -- start-up sweep ------------------------------------------------------------------------------
    def sweep(self, *, unowned_age: float = UNOWNED_AGE) -> int:
        """Remove what dead processes left behind: scratch directories and temporary parts of atomic
        writes whose owner (named in the entry) ran on this host and no longer runs, and entries naming
        no owner untouched for ``unowned_age`` seconds. A live process's work, on this host or another
        sharing the store, is never touched. Returns how many entries were removed."""
        cutoff = time.time() - unowned_age
        swept = sweep_scratch(self._scratch, cutoff)
        for base, dirs, files in os.walk(self.root):
            if base == str(self.root):
                dirs[:] = [d for d in dirs if d not in _INTERNAL]
            for name in files:
                if name.startswith(".") and name.endswith(".part"):
                    owner = name[1 : -len(".part")].rpartition("~")[2]
                    path = Path(base, name)
                    if _abandoned(owner, path, cutoff):
                        path.unlink(missing_ok=True)
                        swept += 1
        return swept


def sweep_scratch(scratch: Path, cutoff: float, *, keep: tuple[str, ...] = ()) -> int:
    """Remove the entries of a scratch directory whose owner died on this host, or that name no owner and
    are older than ``cutoff``; ``keep`` names entries that are never removed. Returns how many went."""
    swept = 0
    for entry in list(scratch.iterdir()):
        if entry.name not in keep and _abandoned(entry.name, entry, cutoff):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            swept += 1
    return swept


def _abandoned(name: str, path: Path, cutoff: float) -> bool:
    owner = processes.parse_tag(name)
    if owner is not None:
        return processes.is_dead(owner)
    try:
        return path.lstat().st_mtime < cutoff
    except FileNotFoundError:
        return False


def open_store(url: str, *, scratch: Path | None = None) -> BlobStore:
    """The store at ``url``: a local directory (``file://…`` or a path) or an S3-compatible bucket
    (``s3://bucket/prefix``, configured by the standard AWS environment), whose materialised copies and
    scratch work go to the local directory ``scratch``."""
    parsed = urlparse(url)
    if parsed.scheme in ("", "file"):
        return LocalBlobStore(Path(parsed.path if parsed.scheme else url))
    if parsed.scheme == "s3":
        from vardesk.storage.s3 import S3BlobStore, parse_store_url

        if scratch is None:
            raise Invalid("an S3 blob store needs a local scratch directory")
        bucket, prefix = parse_store_url(url)
        return S3BlobStore(bucket, prefix, scratch)
    raise Invalid(f"storage URL scheme {parsed.scheme!r} is not supported; use file:// or s3://")


class _Spool:
    """A scratch file being filled with an upload: size limit and MD5/SHA-256 computed on the way."""

    def __init__(self, store: BlobStore, max_bytes: int) -> None:
        self._scratch = store.scratch()
        self.work = self._scratch.__enter__()
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
        self._scratch.__exit__(None, None, None)


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
