"""The blob store in an S3-compatible bucket (``s3://bucket/prefix``): :class:`S3BlobStore`.

Credentials, region and endpoint come from the standard AWS environment (``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_DEFAULT_REGION``, ``AWS_ENDPOINT_URL`` for MinIO, Ceph or a test server),
read by boto3's usual chain, never from the catalog. A blob is the object ``<prefix>/<key>``.

Writes are atomic as S3 makes them: a single PUT, or a multipart upload that appears whole when it is
completed. A stream is uploaded in parts of :data:`PART_SIZE` held in memory one at a time, and a failed
upload is aborted, so no part is left billed in the bucket; :meth:`S3BlobStore.sweep` aborts what a killed
process left (older than a day). Reads are streamed (ranged GETs, seekable); tools that need a file get a
copy in the local scratch directory for the length of :meth:`S3BlobStore.materialise`. DuckDB reads the
variant Parquet in place through :class:`~vardesk.storage.objectfs.ObjectFileSystem`
(:meth:`S3BlobStore.query_paths`). The scratch directory is the only local disk the store uses.

A directory (:meth:`S3BlobStore.put_dir`) is uploaded file by file — S3 has no rename — with its top-level
files last, so a reader that finds a bundle's manifest finds the rest; an upload that fails removes what it
had written. Locks are held on this host (``fcntl`` in the scratch directory).
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from vardesk import processes
from vardesk.domain.errors import Invalid, NotFound
from vardesk.storage.blobs import DIR_MODE, FILE_MODE, UNOWNED_AGE, _check_key, sweep_scratch

PART_SIZE = 8 * 1024 * 1024  # a multipart upload's part (S3's minimum is 5 MiB, but for the last part)
READ_BLOCK = 1 << 20
_DELETE_BATCH = 1000  # DeleteObjects takes at most this many keys


def parse_store_url(url: str) -> tuple[str, str]:
    """(bucket, key prefix) of ``s3://bucket/prefix``."""
    if not url.startswith("s3://"):
        raise Invalid("an S3 storage URL has the form s3://bucket/prefix")
    bucket, _, prefix = url[len("s3://") :].partition("/")
    if not bucket or "/" in bucket or any(p in (".", "..") for p in prefix.split("/")):
        raise Invalid("an S3 storage URL has the form s3://bucket/prefix")
    return bucket, prefix.strip("/")


def s3_client() -> Any:
    """A boto3 S3 client configured by the standard AWS environment (endpoint, region, credentials)."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        config=Config(retries={"max_attempts": 5, "mode": "standard"}, max_pool_connections=32),
    )


def _missing(exc: Exception) -> bool:
    from botocore.exceptions import ClientError

    if not isinstance(exc, ClientError):
        return False
    code = str(exc.response.get("Error", {}).get("Code", ""))
    return code in ("NoSuchKey", "404", "NotFound")


class _ObjectReader(io.RawIOBase):
    """One object read as a seekable stream: a GET from the current offset, re-issued after a seek."""

    def __init__(self, client: Any, bucket: str, key: str, size: int) -> None:
        self._client, self._bucket, self._key, self._size = client, bucket, key, size
        self._pos = 0
        self._body: Any = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        pos = max(0, base + offset)
        if pos != self._pos:
            self._drop()
            self._pos = pos
        return pos

    def _drop(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None

    def readinto(self, buffer: Any) -> int:
        if self._pos >= self._size or not len(buffer):
            return 0
        if self._body is None:
            self._body = self._client.get_object(
                Bucket=self._bucket, Key=self._key, Range=f"bytes={self._pos}-"
            )["Body"]
        data = self._body.read(len(buffer))
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def close(self) -> None:
        self._drop()
        super().close()


class S3BlobStore:
    """Blobs as the objects of ``bucket`` under ``prefix``; implements
    :class:`~vardesk.storage.blobs.BlobStore`."""

    def __init__(
        self,
        bucket: str,
        prefix: str,
        scratch_root: Path,
        *,
        client: Any = None,
        part_size: int = PART_SIZE,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = client or s3_client()
        self.part_size = max(5 * 1024 * 1024, part_size)
        self.scratch_root = scratch_root
        for d in (scratch_root, scratch_root / ".locks"):
            d.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
            d.chmod(DIR_MODE)

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}".rstrip("/")

    def object_key(self, key: str) -> str:
        """The bucket's key of blob ``key``."""
        _check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _blob_key(self, object_key: str) -> str:
        return object_key[len(self.prefix) + 1 :] if self.prefix else object_key

    def _head(self, key: str) -> dict[str, Any] | None:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self.object_key(key))  # type: ignore[no-any-return]
        except Exception as exc:
            if _missing(exc):
                return None
            raise

    def _objects(self, prefix: str) -> Iterator[dict[str, Any]]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        for page in pages:
            yield from page.get("Contents", [])

    # -- reading ---------------------------------------------------------------------------------
    @contextmanager
    def open(self, key: str) -> Iterator[BinaryIO]:
        head = self._head(key)
        if head is None:
            raise NotFound(f"stored object {key!r} not found")
        raw = _ObjectReader(self.client, self.bucket, self.object_key(key), int(head["ContentLength"]))
        with io.BufferedReader(raw, buffer_size=READ_BLOCK) as fh:
            yield fh  # type: ignore[misc]

    def read_bytes(self, key: str) -> bytes:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.object_key(key))["Body"]
        except Exception as exc:
            if _missing(exc):
                raise NotFound(f"stored object {key!r} not found") from None
            raise
        with body:
            return body.read()  # type: ignore[no-any-return]

    def read_range(self, key: str, offset: int, length: int) -> bytes:
        from botocore.exceptions import ClientError

        if offset < 0 or length < 0:
            raise Invalid(f"invalid byte range {offset}+{length}")
        if length == 0:
            self.size(key)  # NotFound when there is no such blob
            return b""
        try:
            body = self.client.get_object(
                Bucket=self.bucket, Key=self.object_key(key), Range=f"bytes={offset}-{offset + length - 1}"
            )["Body"]
        except ClientError as exc:
            if _missing(exc):
                raise NotFound(f"stored object {key!r} not found") from None
            if exc.response.get("Error", {}).get("Code") == "InvalidRange":
                return b""  # the range starts at or past the end
            raise
        with body:
            return body.read()[:length]  # type: ignore[no-any-return]

    def exists(self, key: str) -> bool:
        if self._head(key) is not None:
            return True
        found = self.client.list_objects_v2(Bucket=self.bucket, Prefix=self.object_key(key) + "/", MaxKeys=1)
        return bool(found.get("KeyCount"))

    def size(self, key: str) -> int:
        head = self._head(key)
        if head is None:
            raise NotFound(f"stored object {key!r} not found")
        return int(head["ContentLength"])

    def list(self, prefix: str) -> list[str]:
        key = prefix.rstrip("/")
        found = sorted(self._blob_key(o["Key"]) for o in self._objects(self.object_key(key) + "/"))
        if not found and self._head(key) is not None:
            return [key]
        return found

    # -- writing ---------------------------------------------------------------------------------
    def put_stream(self, key: str, stream: BinaryIO, *, chunk: int = 1 << 20) -> int:
        target = self.object_key(key)
        first = _read_part(stream, self.part_size)
        if len(first) < self.part_size:  # the whole blob in one PUT
            self.client.put_object(Bucket=self.bucket, Key=target, Body=first)
            return len(first)
        upload = self.client.create_multipart_upload(Bucket=self.bucket, Key=target)["UploadId"]
        try:
            parts, size, block = [], 0, first
            while block:
                number = len(parts) + 1
                done = self.client.upload_part(
                    Bucket=self.bucket, Key=target, UploadId=upload, PartNumber=number, Body=block
                )
                parts.append({"PartNumber": number, "ETag": done["ETag"]})
                size += len(block)
                block = _read_part(stream, self.part_size)
            self.client.complete_multipart_upload(
                Bucket=self.bucket, Key=target, UploadId=upload, MultipartUpload={"Parts": parts}
            )
        except BaseException:
            self._abort(target, upload)
            raise
        return size

    def _abort(self, target: str, upload: str) -> None:
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=target, UploadId=upload)
        except Exception:  # the sweep aborts it later; the original error is the one to raise
            pass

    def put_bytes(self, key: str, data: bytes) -> None:
        self.put_stream(key, io.BytesIO(data))

    def put_file(self, key: str, source: Path, *, move: bool = False) -> None:
        with source.open("rb") as fh:
            self.put_stream(key, fh)
        if move:
            source.unlink(missing_ok=True)

    def put_dir(self, key: str, source: Path) -> None:
        """Upload a finished directory as the blobs under ``key`` (which must not exist), top-level files
        last; the directory is removed afterwards (it was moved into the store)."""
        if self.exists(key):
            raise Invalid(f"storage key {key!r} already exists")
        files = sorted(
            (p for p in source.rglob("*") if p.is_file()),
            key=lambda p: (p.parent == source, p.relative_to(source).as_posix()),
        )
        written: list[str] = []
        try:
            for path in files:
                blob = f"{key}/{path.relative_to(source).as_posix()}"
                self.put_file(blob, path)
                written.append(blob)
        except BaseException:
            self._delete_objects([self.object_key(b) for b in written])
            raise
        shutil.rmtree(source, ignore_errors=True)

    def delete(self, key: str) -> None:
        target = self.object_key(key)
        doomed = [o["Key"] for o in self._objects(target + "/")]
        if self._head(key) is not None:
            doomed.append(target)
        self._delete_objects(doomed)

    def _delete_objects(self, keys: list[str]) -> None:
        for i in range(0, len(keys), _DELETE_BATCH):
            batch = [{"Key": k} for k in keys[i : i + _DELETE_BATCH]]
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})

    # -- local files for tools ----------------------------------------------------------------------
    def _download(self, key: str, dest: Path) -> None:
        dest.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        body = self.client.get_object(Bucket=self.bucket, Key=self.object_key(key))["Body"]
        with os.fdopen(fd, "wb") as out, body:
            while block := body.read(READ_BLOCK):
                out.write(block)

    @contextmanager
    def materialise(self, key: str) -> Iterator[Path]:
        """A copy in the scratch directory (the blob, or the prefix's blobs as a directory), removed when
        the context ends."""
        blobs = self.list(key)
        if not blobs:
            raise NotFound(f"stored object {key!r} not found")
        with self.scratch() as work:
            name = key.rstrip("/").rsplit("/", 1)[-1]
            if blobs == [key.rstrip("/")]:
                self._download(blobs[0], work / name)
            else:
                base = key.rstrip("/") + "/"
                for blob in blobs:
                    self._download(blob, work / name / blob[len(base) :])
            yield work / name

    @contextmanager
    def materialise_many(self, keys: Iterable[str]) -> Iterator[list[Path]]:
        with ExitStack() as stack:
            yield [stack.enter_context(self.materialise(k)) for k in keys]

    @contextmanager
    def query_paths(self, keys: Iterable[str]) -> Iterator[list[str]]:
        """Where the query engine reads these blobs in place: ``vardesk-s3://bucket/key`` URLs of the
        filesystem :meth:`filesystem` gives (registered with DuckDB by the composition root)."""
        from vardesk.storage.objectfs import PROTOCOL

        out = []
        for key in keys:
            if self._head(key) is None:
                raise NotFound(f"stored object {key!r} not found")
            out.append(f"{PROTOCOL}://{self.bucket}/{self.object_key(key)}")
        yield out

    def filesystem(self) -> Any:
        """A read-only fsspec filesystem over this bucket, for DuckDB's ``register_filesystem``."""
        from vardesk.storage.objectfs import ObjectFileSystem

        return ObjectFileSystem(client=self.client)

    @contextmanager
    def scratch(self) -> Iterator[Path]:
        work = Path(tempfile.mkdtemp(prefix=f"{processes.tag()}_", dir=self.scratch_root))
        try:
            yield work
        finally:
            shutil.rmtree(work, ignore_errors=True)

    @contextmanager
    def lock(self, key: str) -> Iterator[None]:
        name = hashlib.sha256(self.url.encode() + b"|" + _check_key(key).encode()).hexdigest()[:32]
        with (self.scratch_root / ".locks" / f"{name}.lock").open("w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def local_roots(self) -> list[str]:
        return sorted({str(self.scratch_root), str(self.scratch_root.resolve())})

    # -- start-up sweep ------------------------------------------------------------------------------
    def sweep(self, *, unowned_age: float = UNOWNED_AGE) -> int:
        """Remove the scratch work of dead processes on this host, and abort multipart uploads under the
        prefix started more than ``unowned_age`` seconds ago (a process killed while uploading; a live
        upload of that age is not expected). Returns how many entries were removed."""
        cutoff = time.time() - unowned_age
        swept = sweep_scratch(self.scratch_root, cutoff, keep=(".locks",))
        prefix = f"{self.prefix}/" if self.prefix else ""
        pages = self.client.get_paginator("list_multipart_uploads").paginate(
            Bucket=self.bucket, Prefix=prefix
        )
        for page in pages:
            for upload in page.get("Uploads", []):
                if upload["Initiated"].timestamp() < cutoff:
                    self._abort(upload["Key"], upload["UploadId"])
                    swept += 1
        return swept

    def pending_uploads(self) -> list[str]:
        """The bucket keys of multipart uploads under the prefix not completed nor aborted (for checks)."""
        prefix = f"{self.prefix}/" if self.prefix else ""
        found = self.client.list_multipart_uploads(Bucket=self.bucket, Prefix=prefix)
        return [u["Key"] for u in found.get("Uploads", [])]


def _read_part(stream: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes of ``stream`` (fewer only at its end)."""
    parts, got = [], 0
    while got < size:
        block = stream.read(min(READ_BLOCK, size - got))
        if not block:
            break
        parts.append(block)
        got += len(block)
    return b"".join(parts)
