"""Storage providers: directories of the server's file system that a workspace reads sequencing files from.

An administrator registers a provider (``vardesk storage add``); every member of the workspace may list
the providers and their folders and name a file in them when creating a case. A path is always taken
relative to the provider's root and resolved on the real file system, so neither ``..`` nor a symbolic
link can reach a file outside it. Other workspaces' providers do not exist for the caller."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pysam

from vardesk.app.context import ServiceContext, audit
from vardesk.domain.access import Actor, require_role
from vardesk.domain.enums import Role
from vardesk.domain.errors import Conflict, Invalid, NotFound, Unprocessable
from vardesk.domain.ids import numeric_id
from vardesk.domain.providers import (
    ProviderScheme,
    StorageProvider,
    check_provider_name,
    parse_s3_url,
    provider_path,
)
from vardesk.storage.trees import FileTree, LocalTree, S3Tree

VCF_SUFFIXES = (".vcf", ".vcf.gz", ".vcf.bgz", ".bcf")
MAX_PAGE = 1000
MAX_HEADER_BYTES = 64 * 1024**2  # a VCF header is read up to its #CHROM line, within this much text


@dataclass(frozen=True)
class ProviderEntry:
    """One entry of a provider folder: its path inside the provider (``/run/S1/x.vcf.gz``)."""

    name: str
    path: str
    is_dir: bool
    size: int


@dataclass(frozen=True)
class ProviderListing:
    provider: StorageProvider
    path: str
    entries: list[ProviderEntry]
    total: int
    has_more: bool


@dataclass(frozen=True)
class ProviderFile:
    """A file a provider holds, for the application layer (its server-side location is never shown)."""

    provider: StorageProvider
    parts: tuple[str, ...]
    size: int

    @property
    def path(self) -> str:
        return "/" + "/".join(self.parts)

    @property
    def name(self) -> str:
        return self.parts[-1]

    @property
    def is_vcf(self) -> bool:
        return self.name.lower().endswith(VCF_SUFFIXES)


def tree(provider: StorageProvider) -> FileTree:
    if provider.scheme is ProviderScheme.S3:
        bucket, prefix = parse_s3_url(provider.root)
        return S3Tree(bucket, prefix, provider.endpoint_url)
    return LocalTree(provider.root)


class StorageProviderService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # -- registering --------------------------------------------------------------------------------
    def add_local(
        self, workspace_id: int, name: str, directory: str | Path, *, actor: Actor | None = None
    ) -> StorageProvider:
        """Register ``directory`` (which must exist) as a provider of the workspace; ``actor``, when the
        request comes from a user rather than the command line, must be the workspace's admin."""
        if actor is not None:
            require_role(actor, Role.ADMIN, action="registering a storage provider")
            if actor.workspace_id != workspace_id:
                raise NotFound("workspace not found")
        root = Path(directory).expanduser()
        if not root.is_dir():
            raise Invalid("the storage provider's directory does not exist or is not a directory")
        candidate = StorageProvider(
            workspace_id=workspace_id,
            name=check_provider_name(name),
            scheme=ProviderScheme.LOCAL,
            root=str(root.resolve()),
        )
        return self._add(workspace_id, candidate, actor)

    def add_s3(
        self, workspace_id: int, name: str, url: str, *, endpoint_url: str = "", actor: Actor | None = None
    ) -> StorageProvider:
        """Register the bucket and key prefix ``s3://bucket/prefix`` (of the object store at
        ``endpoint_url``, default AWS) as a provider; it must be listable with the server's credentials."""
        bucket, prefix = parse_s3_url(url)
        candidate = StorageProvider(
            workspace_id=workspace_id,
            name=check_provider_name(name),
            scheme=ProviderScheme.S3,
            root=f"s3://{bucket}/{prefix}".rstrip("/"),
            endpoint_url=str(endpoint_url or "").strip(),
        )
        try:
            tree(candidate).entries(())
        except Exception as exc:  # botocore: no such bucket, no credentials, endpoint unreachable
            raise Invalid(f"the S3 storage provider cannot be listed: {type(exc).__name__}") from None
        return self._add(workspace_id, candidate, actor)

    def _add(self, workspace_id: int, provider: StorageProvider, actor: Actor | None) -> StorageProvider:
        if actor is not None:
            require_role(actor, Role.ADMIN, action="registering a storage provider")
            if actor.workspace_id != workspace_id:
                raise NotFound("workspace not found")
        with self.ctx.uow() as uow:
            if uow.workspaces.get(workspace_id) is None:
                raise NotFound("workspace not found")
            if uow.storage_providers.by_name(workspace_id, provider.name) is not None:
                raise Conflict(f"the workspace already has a storage provider named {provider.name!r}")
            provider.created_by = actor.user_id if actor else None
            uow.storage_providers.add(provider)
            audit(
                uow,
                "storage_provider_add",
                actor=actor,
                workspace_id=workspace_id,
                entity_type="storage_provider",
                entity_id=provider.id or 0,
                details={"scheme": provider.scheme.value},
            )
            uow.commit()
        return provider

    def remove(self, workspace_id: int, ref: object, *, actor: Actor | None = None) -> StorageProvider:
        """Unregister a provider (by id or name; the command line, or the workspace's admin). The files stay
        where they are, and the genomes already imported from them stay in Vardesk."""
        if actor is not None:
            require_role(actor, Role.ADMIN, action="removing a storage provider")
            if actor.workspace_id != workspace_id:
                raise NotFound("workspace not found")
        text = str(ref).strip()
        key = numeric_id(text)
        with self.ctx.uow() as uow:
            provider = uow.storage_providers.get(key) if key is not None else None
            if provider is None:
                provider = uow.storage_providers.by_name(workspace_id, text)
            if provider is None or provider.workspace_id != workspace_id:
                raise NotFound(f"storage provider {text[:40]!r} not found")
            uow.storage_providers.remove(provider)
            audit(
                uow,
                "storage_provider_remove",
                actor=actor,
                workspace_id=workspace_id,
                entity_type="storage_provider",
                entity_id=provider.id or 0,
                details={"scheme": provider.scheme.value},
            )
            uow.commit()
        return provider

    def of_workspace(self, workspace_id: int) -> list[StorageProvider]:
        """The workspace's providers (the command line)."""
        with self.ctx.uow() as uow:
            if uow.workspaces.get(workspace_id) is None:
                raise NotFound("workspace not found")
            return list(uow.storage_providers.of_workspace(workspace_id))

    # -- reading -------------------------------------------------------------------------------------
    def list(self, actor: Actor) -> list[StorageProvider]:
        with self.ctx.uow() as uow:
            return list(uow.storage_providers.of_workspace(actor.workspace_id))

    def get(self, actor: Actor, ref: object) -> StorageProvider:
        key = numeric_id(str(ref).strip())
        with self.ctx.uow() as uow:
            provider = uow.storage_providers.get(key) if key is not None else None
        if provider is None or provider.workspace_id != actor.workspace_id:
            raise NotFound(f"storage provider {str(ref)[:20]!r} not found")
        return provider

    def listing(
        self, actor: Actor, ref: object, path: str = "", offset: int = 0, limit: int = 100
    ) -> ProviderListing:
        """The entries of a provider folder, folders first then by name, ``limit`` from ``offset``."""
        if offset < 0 or limit < 0:
            raise Invalid("from and size must not be negative")
        limit = min(limit, MAX_PAGE)
        provider = self.get(actor, ref)
        parts = provider_path(path)
        files = tree(provider)
        if not files.is_dir(parts):
            raise NotFound(f"no such folder in storage provider {provider.id}")
        entries = [
            ProviderEntry(e.name, "/" + "/".join((*parts, e.name)), e.is_dir, e.size)
            for e in files.entries(parts)
        ]
        entries.sort(key=lambda e: (not e.is_dir, e.name))
        page = entries[offset : offset + limit]
        with self.ctx.uow() as uow:
            audit(
                uow, "storage_list", actor=actor, entity_type="storage_provider", entity_id=provider.id or 0
            )
            uow.commit()
        return ProviderListing(
            provider, "/" + "/".join(parts), page, len(entries), offset + len(page) < len(entries)
        )

    def locate(self, actor: Actor, ref: object, path: str) -> ProviderFile:
        """The regular file at ``path`` inside the provider ``ref`` of the actor's workspace."""
        provider = self.get(actor, ref)
        parts = provider_path(path)
        if not parts:
            raise Invalid("a sample file needs a path inside its storage provider")
        size = tree(provider).size(parts)
        if size is None:
            raise NotFound(f"no such file in storage provider {provider.id}")
        return ProviderFile(provider, parts, size)

    @contextmanager
    def open(self, file: ProviderFile) -> Iterator[Any]:
        """The file's bytes as a binary stream."""
        with tree(file.provider).open(file.parts) as stream:
            yield stream

    def vcf_samples(self, file: ProviderFile) -> list[str]:
        """The sample columns of a VCF a provider holds (its header only is read)."""
        if not file.is_vcf:
            raise Unprocessable(
                f"a sample file of storage provider {file.provider.id} is not a VCF (.vcf, .vcf.gz, .bcf)"
            )
        unreadable = Unprocessable(
            f"a sample file of storage provider {file.provider.id} cannot be read as a VCF"
        )
        local = tree(file.provider).local_path(file.parts)
        try:
            if local is not None:
                quiet = pysam.set_verbosity(0)  # not "could not retrieve index file": the header is enough
                try:
                    with pysam.VariantFile(str(local)) as vf:
                        return list(vf.header.samples)
                finally:
                    pysam.set_verbosity(quiet)
            if file.name.lower().endswith(".bcf"):
                raise unreadable
            with self.open(file) as stream:
                return _header_samples(stream, file.name.lower().endswith((".gz", ".bgz")))
        except (OSError, ValueError, EOFError, UnicodeDecodeError):
            raise unreadable from None


def _header_samples(stream: Any, compressed: bool) -> list[str]:
    """The sample names of the ``#CHROM`` line of a VCF read from ``stream`` (any object with ``read``)."""
    raw = gzip.GzipFile(fileobj=stream) if compressed else stream
    buffer, read = b"", 0
    while read <= MAX_HEADER_BYTES:
        chunk = raw.read(65536)
        read += len(chunk)
        buffer += chunk
        *lines, buffer = buffer.split(b"\n") if chunk else [*buffer.split(b"\n"), b""]
        for line in lines:
            if line.startswith(b"#CHROM"):
                return line.decode("utf-8").rstrip("\r").split("\t")[9:]
            if not line.startswith(b"##"):
                raise ValueError("no #CHROM line")
        if not chunk:
            break
    raise ValueError("no #CHROM line")
