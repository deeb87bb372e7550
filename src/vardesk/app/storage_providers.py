"""Storage providers: directories of the server's file system that a workspace reads sequencing files from.

An administrator registers a provider (``vardesk storage add``); every member of the workspace may list
the providers and their folders and name a file in them when creating a case. A path is always taken
relative to the provider's root and resolved on the real file system, so neither ``..`` nor a symbolic
link can reach a file outside it. Other workspaces' providers do not exist for the caller."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pysam

from vardesk.app.context import ServiceContext, audit
from vardesk.domain.access import Actor, require_role
from vardesk.domain.enums import Role
from vardesk.domain.errors import Conflict, Invalid, NotFound, Unprocessable
from vardesk.domain.ids import numeric_id
from vardesk.domain.providers import ProviderScheme, StorageProvider, check_provider_name, provider_path

VCF_SUFFIXES = (".vcf", ".vcf.gz", ".vcf.bgz", ".bcf")
MAX_PAGE = 1000


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
    """A file a provider holds, resolved on the server: for the application layer only (never shown)."""

    provider: StorageProvider
    path: str  # the path inside the provider, as the client gave it (normalised)
    local: Path

    @property
    def name(self) -> str:
        return self.local.name

    @property
    def is_vcf(self) -> bool:
        return self.local.name.lower().endswith(VCF_SUFFIXES)


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
        name = check_provider_name(name)
        root = Path(directory).expanduser()
        if not root.is_dir():
            raise Invalid("the storage provider's directory does not exist or is not a directory")
        with self.ctx.uow() as uow:
            if uow.workspaces.get(workspace_id) is None:
                raise NotFound("workspace not found")
            if uow.storage_providers.by_name(workspace_id, name) is not None:
                raise Conflict(f"the workspace already has a storage provider named {name!r}")
            provider = uow.storage_providers.add(
                StorageProvider(
                    workspace_id=workspace_id,
                    name=name,
                    scheme=ProviderScheme.LOCAL,
                    root=str(root.resolve()),
                    created_by=actor.user_id if actor else None,
                )
            )
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
        folder = self._inside(provider, parts)
        if not folder.is_dir():
            raise NotFound(f"no such folder in storage provider {provider.id}")
        entries = []
        with os.scandir(folder) as it:
            for item in it:
                local = Path(item.path)
                if not self._contains(provider, local):  # a link leading out of the provider
                    continue
                is_dir = item.is_dir()
                size = 0 if is_dir else item.stat().st_size
                entries.append(ProviderEntry(item.name, "/" + "/".join((*parts, item.name)), is_dir, size))
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
        local = self._inside(provider, parts)
        if not local.is_file():
            raise NotFound(f"no such file in storage provider {provider.id}")
        return ProviderFile(provider, "/" + "/".join(parts), local)

    @staticmethod
    def vcf_samples(file: ProviderFile) -> list[str]:
        """The sample columns of a VCF a provider holds (its header only is read)."""
        if not file.is_vcf:
            raise Unprocessable(
                f"a sample file of storage provider {file.provider.id} is not a VCF (.vcf, .vcf.gz, .bcf)"
            )
        try:
            with pysam.VariantFile(str(file.local)) as vf:
                return list(vf.header.samples)
        except (OSError, ValueError):
            raise Unprocessable(
                f"a sample file of storage provider {file.provider.id} cannot be read as a VCF"
            ) from None

    # -- internals -----------------------------------------------------------------------------------
    def _inside(self, provider: StorageProvider, parts: tuple[str, ...]) -> Path:
        local = Path(provider.root).joinpath(*parts)
        if not self._contains(provider, local):
            raise NotFound(f"no such path in storage provider {provider.id}")
        return local

    @staticmethod
    def _contains(provider: StorageProvider, local: Path) -> bool:
        root = os.path.realpath(provider.root)
        real = os.path.realpath(local)
        return real == root or real.startswith(root.rstrip("/") + "/")
