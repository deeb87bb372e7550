"""File trees outside Vardesk's own store that a storage provider reads from: a local directory or an
S3-compatible bucket under a key prefix. Read-only; a path is a tuple of parts below the tree's root
(already free of ``..``), and nothing outside the root is ever listed, stat'ed or opened — locally a
symbolic link that leads out of the root counts as absent."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

MAX_ENTRIES = 100_000  # a folder listing stops here (a run folder has far fewer)


@dataclass(frozen=True)
class TreeEntry:
    name: str
    is_dir: bool
    size: int


class FileTree(Protocol):
    def is_dir(self, parts: tuple[str, ...]) -> bool: ...

    def size(self, parts: tuple[str, ...]) -> int | None:
        """The size of the regular file at ``parts``; None when there is none."""
        ...

    def entries(self, parts: tuple[str, ...]) -> list[TreeEntry]: ...

    def open(self, parts: tuple[str, ...]) -> Any:
        """A context manager giving a binary stream of the file."""
        ...

    def local_path(self, parts: tuple[str, ...]) -> Path | None:
        """The file on this machine, if the tree is local (tools such as htslib read it directly)."""
        ...


class LocalTree:
    def __init__(self, root: str | Path) -> None:
        self.root = os.path.realpath(root)

    def _path(self, parts: tuple[str, ...]) -> Path | None:
        local = Path(self.root).joinpath(*parts)
        real = os.path.realpath(local)
        inside = real == self.root or real.startswith(self.root.rstrip("/") + "/")
        return local if inside else None

    def _stat(self, parts: tuple[str, ...]) -> os.stat_result | None:
        """The entry's status; None when it is outside the tree or cannot be stat'ed at all (absent, a
        name too long for the file system, a component that is not a folder, …)."""
        local = self._path(parts)
        if local is None:
            return None
        try:
            return local.stat()
        except (OSError, ValueError):  # ValueError: an embedded NUL
            return None

    def is_dir(self, parts: tuple[str, ...]) -> bool:
        st = self._stat(parts)
        return st is not None and stat.S_ISDIR(st.st_mode)

    def size(self, parts: tuple[str, ...]) -> int | None:
        st = self._stat(parts)
        return st.st_size if st is not None and stat.S_ISREG(st.st_mode) else None

    def entries(self, parts: tuple[str, ...]) -> list[TreeEntry]:
        folder = self._path(parts)
        out: list[TreeEntry] = []
        if folder is None:
            return out
        with os.scandir(folder) as it:
            for item in it:
                if self._path((*parts, item.name)) is None:  # a link leading out of the tree
                    continue
                is_dir = item.is_dir()
                out.append(TreeEntry(item.name, is_dir, 0 if is_dir else item.stat().st_size))
                if len(out) >= MAX_ENTRIES:
                    break
        return out

    @contextmanager
    def open(self, parts: tuple[str, ...]) -> Iterator[BinaryIO]:
        local = self._path(parts)
        if local is None:
            raise FileNotFoundError("outside the tree")
        with local.open("rb") as fh:
            yield fh

    def local_path(self, parts: tuple[str, ...]) -> Path | None:
        return self._path(parts)


class S3Tree:
    """Objects of ``bucket`` under ``prefix``; folders are the ``/``-separated key prefixes. Credentials
    and region come from the environment (boto3's usual chain), never from the catalog."""

    def __init__(self, bucket: str, prefix: str, endpoint_url: str = "") -> None:
        import boto3

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = boto3.client("s3", endpoint_url=endpoint_url or None)

    def _key(self, parts: tuple[str, ...]) -> str:
        return "/".join(p for p in (self.prefix, *parts) if p)

    def is_dir(self, parts: tuple[str, ...]) -> bool:
        if not parts:
            return True
        found = self.client.list_objects_v2(Bucket=self.bucket, Prefix=self._key(parts) + "/", MaxKeys=1)
        return bool(found.get("KeyCount"))

    def size(self, parts: tuple[str, ...]) -> int | None:
        from botocore.exceptions import ClientError

        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._key(parts))
        except ClientError:
            return None
        return int(head["ContentLength"])

    def entries(self, parts: tuple[str, ...]) -> list[TreeEntry]:
        base = self._key(parts)
        prefix = base + "/" if base else ""
        out: list[TreeEntry] = []
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix, Delimiter="/"
        )
        for page in pages:
            for p in page.get("CommonPrefixes", []):
                out.append(TreeEntry(p["Prefix"][len(prefix) :].rstrip("/"), True, 0))
            for obj in page.get("Contents", []):
                name = obj["Key"][len(prefix) :]
                if name:
                    out.append(TreeEntry(name, False, int(obj["Size"])))
            if len(out) >= MAX_ENTRIES:
                break
        return out

    @contextmanager
    def open(self, parts: tuple[str, ...]) -> Iterator[Any]:
        body = self.client.get_object(Bucket=self.bucket, Key=self._key(parts))["Body"]
        try:
            yield body
        finally:
            body.close()

    def local_path(self, parts: tuple[str, ...]) -> Path | None:
        return None
