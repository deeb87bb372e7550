"""A read-only fsspec filesystem over an S3 client, so DuckDB reads stored Parquet in place.

DuckDB's ``register_filesystem`` takes an fsspec filesystem; paths ``vardesk-s3://bucket/key`` are then
read with ranged GETs (the Parquet footer, then the row groups a query needs), never copied whole to disk.
It reuses the store's boto3 client and so its credentials and endpoint (the standard AWS environment).
Written against fsspec's base classes rather than taking s3fs, whose aiobotocore pins botocore to a
narrow range that fights boto3's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fsspec.spec import AbstractBufferedFile, AbstractFileSystem

PROTOCOL = "vardesk-s3"
BLOCK = 4 * 1024 * 1024  # bytes read ahead per GET (a Parquet column chunk is usually within one)


def _missing(exc: Exception) -> bool:
    from botocore.exceptions import ClientError

    return isinstance(exc, ClientError) and str(exc.response.get("Error", {}).get("Code")) in (
        "NoSuchKey",
        "404",
        "NotFound",
    )


class ObjectFileSystem(AbstractFileSystem):  # type: ignore[misc]
    protocol = PROTOCOL
    root_marker = ""
    cachable = False  # one per store, and the client is not picklable

    def __init__(self, client: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client = client

    @classmethod
    def _strip_protocol(cls, path: str) -> str:  # type: ignore[override]
        path = str(path)
        if path.startswith(PROTOCOL + "://"):
            path = path[len(PROTOCOL) + 3 :]
        return path.rstrip("/")

    @staticmethod
    def _split(path: str) -> tuple[str, str]:
        bucket, _, key = path.partition("/")
        return bucket, key

    def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        path = self._strip_protocol(path)
        bucket, key = self._split(path)
        if key:
            try:
                head = self.client.head_object(Bucket=bucket, Key=key)
                return {
                    "name": path,
                    "size": int(head["ContentLength"]),
                    "type": "file",
                    "LastModified": head["LastModified"],
                }
            except Exception as exc:
                if not _missing(exc):
                    raise
        found = self.client.list_objects_v2(Bucket=bucket, Prefix=f"{key}/" if key else "", MaxKeys=1)
        if found.get("KeyCount"):
            return {"name": path, "size": 0, "type": "directory"}
        raise FileNotFoundError(path)

    def modified(self, path: str) -> datetime:
        info = self.info(path)
        if "LastModified" not in info:
            raise IsADirectoryError(path)
        return info["LastModified"]  # type: ignore[no-any-return]

    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        path = self._strip_protocol(path)
        bucket, key = self._split(path)
        prefix = f"{key}/" if key else ""
        out: list[dict[str, Any]] = []
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Prefix=prefix, Delimiter="/"
        )
        for page in pages:
            for p in page.get("CommonPrefixes", []):
                out.append({"name": f"{bucket}/{p['Prefix'].rstrip('/')}", "size": 0, "type": "directory"})
            for obj in page.get("Contents", []):
                out.append({"name": f"{bucket}/{obj['Key']}", "size": int(obj["Size"]), "type": "file"})
        if not out:
            info = self.info(path)  # a file lists as itself; nothing at all is FileNotFoundError
            out = [info]
        return out if detail else [o["name"] for o in out]

    def _open(
        self,
        path: str,
        mode: str = "rb",
        block_size: int | None = None,
        autocommit: bool = True,
        cache_options: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> _ObjectFile:
        if mode != "rb":
            raise PermissionError("the stored objects are read-only here")
        return _ObjectFile(self, path, mode, block_size=block_size or BLOCK, cache_options=cache_options)


class _ObjectFile(AbstractBufferedFile):  # type: ignore[misc]
    def _fetch_range(self, start: int, end: int) -> bytes:
        if start >= end:
            return b""
        bucket, key = ObjectFileSystem._split(ObjectFileSystem._strip_protocol(self.path))
        body = self.fs.client.get_object(Bucket=bucket, Key=key, Range=f"bytes={start}-{end - 1}")["Body"]
        with body:
            return body.read()  # type: ignore[no-any-return]
