"""Storage providers: places outside Vardesk's own store that a workspace reads sequencing files from (a
lab's run folders), registered by an administrator. A case names a file by its path inside a provider; the
path is always relative to the provider's root and can never leave it.

Pure: the path rules here do no I/O; the application layer checks the real file system as well (symbolic
links)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from vardesk.domain.errors import Invalid
from vardesk.domain.models import new_uuid, utcnow


class ProviderScheme(StrEnum):
    LOCAL = "local"  # a directory of the server's file system
    S3 = "s3"  # a bucket (and key prefix) of an S3-compatible object store


def parse_s3_url(url: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` → (bucket, ``some/prefix``); the prefix may be empty."""
    text = str(url or "").strip()
    if not text.startswith("s3://"):
        raise Invalid("an S3 storage provider is given as s3://bucket/prefix")
    bucket, _, prefix = text[5:].partition("/")
    if not bucket or "\x00" in text:
        raise Invalid("an S3 storage provider is given as s3://bucket/prefix")
    return bucket, "/".join(provider_path(prefix))


@dataclass(eq=False)
class StorageProvider:
    workspace_id: int
    name: str
    scheme: ProviderScheme
    root: str  # LOCAL: an absolute directory; S3: s3://bucket/prefix
    endpoint_url: str = ""  # S3: the object store's URL ("" : AWS); credentials come from the environment
    created_by: int | None = None
    id: int | None = None
    uuid: str = field(default_factory=new_uuid)
    created_at: datetime = field(default_factory=utcnow)


def provider_path(path: str) -> tuple[str, ...]:
    """The parts of a path inside a provider (``/run/S1/x.vcf.gz`` → ``("run", "S1", "x.vcf.gz")``): a
    leading ``/`` means the provider's root; ``..``, NUL and backslashes are refused; empty is the root."""
    text = str(path or "")
    if "\x00" in text or "\\" in text:
        raise Invalid("a storage path may not hold a NUL character or a backslash")
    parts = tuple(p for p in text.split("/") if p not in ("", "."))
    if any(p == ".." for p in parts):
        raise Invalid(f"storage path {text!r} leaves the storage provider ('..')")
    return parts


def check_provider_name(name: str) -> str:
    cleaned = " ".join(str(name or "").split())
    if not cleaned:
        raise Invalid("a storage provider needs a name")
    if len(cleaned) > 128:
        raise Invalid("a storage provider's name has at most 128 characters")
    return cleaned
