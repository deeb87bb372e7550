"""Importing a genome: an upload is received, registered as a file with one genome per sample, attached to
a case member when asked, and queued for indexing — the one workflow every face and the command line use.

A face translates its wire format into an :class:`ImportGenomeCommand` and the :class:`ImportGenomeResult`
back into its response; receiving the bytes (size limit, MD5 and SHA-256 computed on the way),
authorisation and audit happen here.

A retry is idempotent: the same bytes (by SHA-256) under the same name in the same study return the file,
genomes and indexing job recorded the first time instead of duplicates (unless the command asks for a repeat
to be refused, as the native face's contract does).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, BinaryIO

from anyio import to_thread

from vardesk.app.context import ServiceContext, audit
from vardesk.app.files import (
    FileService,
    FileView,
    UploadedBlob,
    client_path,
)
from vardesk.app.indexing import TOOL as INDEX_TOOL
from vardesk.app.indexing import IndexService
from vardesk.app.projects import ProjectService, StudyView
from vardesk.domain.access import Actor
from vardesk.domain.models import Genome, Job, VcfFile
from vardesk.storage.blobs import BlobStore, spooled_stream, spooled_upload

if TYPE_CHECKING:
    from vardesk.app.cases.service import CaseService

Chunks = BinaryIO | Iterable[bytes] | AsyncIterable[bytes]


@dataclass(frozen=True)
class ByteSource:
    """An upload's bytes as the client sends them (a binary stream, or chunks, sync or async) and the file
    name it declares (a local path is reduced to its last part)."""

    data: Chunks
    name: str


@dataclass(frozen=True)
class UploadDigests:
    """What was computed while receiving an upload, for a face's own checksum rules."""

    size: int
    md5: str
    sha256: str


@dataclass(frozen=True)
class MemberTarget:
    """A case member to receive the imported genome: the genome of ``sample`` when the file has it,
    otherwise the file's first."""

    case: str
    member_id: int
    sample: str | None = None


class OnRepeat(Enum):
    RETURN_EXISTING = "return-existing"  # a retry returns what the first attempt recorded
    REFUSE = "refuse"  # a file at that path already in the study is refused (409), whatever its bytes


@dataclass(frozen=True)
class ImportGenomeCommand:
    actor: Actor
    study: str  # a study reference (fqn, project:study, …)
    source: ByteSource
    folder: str | None = None  # the file's folder in the study (relativeFilePath)
    description: str = ""
    build: str | None = None  # the build the client says the file is; must agree with the file
    build_hint: str | None = None  # recorded only when neither the file nor ``build`` tells
    expected_md5: str | None = None
    verify: Callable[[UploadDigests], None] | None = None  # a face's checksum check, may raise
    sample_labels: Mapping[str, str] = field(default_factory=dict)
    sample_ids: Mapping[str, str] = field(default_factory=dict)
    label: str | None = None  # names every genome of the file
    genome_attributes: Mapping[str, Any] = field(default_factory=dict)
    rename_duplicates: bool = False
    attach_to: MemberTarget | None = None
    index: bool = True
    annotate: bool = True
    on_repeat: OnRepeat = OnRepeat.RETURN_EXISTING
    on_received: Callable[[int], None] | None = None  # told the size once every byte is in, before checks


@dataclass(frozen=True)
class ImportGenomeResult:
    study: StudyView
    file: VcfFile
    genomes: list[Genome]
    job: Job | None = None
    attached: Genome | None = None  # the genome given to the command's member
    repeated: bool = False  # True when the upload was a retry answered with what was already recorded

    @property
    def view(self) -> FileView:
        return FileView(self.study, self.file, self.genomes)

    @property
    def genome_ids(self) -> list[int]:
        return [g.id or 0 for g in self.genomes]

    @property
    def job_id(self) -> str | None:
        return self.job.code if self.job else None


class _ChunkReader:
    """Chunks read as a binary stream."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)

    def read(self, _n: int = -1) -> bytes:
        for block in self._chunks:
            if block:
                return block
        return b""


@contextmanager
def received(store: BlobStore, data: BinaryIO | Iterable[bytes], *, max_bytes: int) -> Iterator[UploadedBlob]:
    """Receive an upload into the store's scratch area in bounded memory, hashing it; removed on exit
    unless it was moved into place. Raises ``TooLarge`` past ``max_bytes``."""
    stream: Any = data if hasattr(data, "read") else _ChunkReader(data)  # type: ignore[arg-type]
    with spooled_upload(store, stream, max_bytes=max_bytes) as (path, size, md5, sha):
        yield UploadedBlob(path, size, md5, sha)


class ImportGenome:
    """Upload → register → attach → index, once (see the module's documentation)."""

    def __init__(
        self,
        ctx: ServiceContext,
        projects: ProjectService,
        files: FileService,
        indexing: IndexService,
        cases: CaseService,
        store: BlobStore,
        *,
        max_upload_bytes: Callable[[], int],
    ) -> None:
        self.ctx = ctx
        self.projects = projects
        self.files = files
        self.indexing = indexing
        self.cases = cases
        self.store = store
        self.max_upload_bytes = max_upload_bytes

    def run(self, cmd: ImportGenomeCommand) -> ImportGenomeResult:
        """Import from a synchronous source (a binary stream or an iterable of chunks)."""
        data = cmd.source.data
        if isinstance(data, AsyncIterable):
            raise TypeError("an asynchronous byte source is imported with run_async")
        self._authorise(cmd)
        with received(self.store, data, max_bytes=self.max_upload_bytes()) as blob:
            view, repeated = self._register(cmd, blob)
        return self._finish(cmd, view, repeated)

    async def run_async(self, cmd: ImportGenomeCommand) -> ImportGenomeResult:
        """Import from any source without blocking the event loop: an asynchronous stream is received
        here, everything else (reading a stream, validating, the catalog) runs in a worker thread."""
        data = cmd.source.data
        if not isinstance(data, AsyncIterable):
            return await to_thread.run_sync(self.run, cmd)
        await to_thread.run_sync(self._authorise, cmd)
        async with spooled_stream(self.store, data, max_bytes=self.max_upload_bytes()) as spooled:
            blob = UploadedBlob(*spooled)
            view, repeated = await to_thread.run_sync(self._register, cmd, blob)
        return await to_thread.run_sync(self._finish, cmd, view, repeated)

    # -- the steps -----------------------------------------------------------------------------------
    def _authorise(self, cmd: ImportGenomeCommand) -> None:
        """Before any byte is received: the actor may write to the study."""
        with self.ctx.uow() as uow:
            self.projects.study_for_write(uow, cmd.actor, cmd.study)

    def _register(self, cmd: ImportGenomeCommand, blob: UploadedBlob) -> tuple[FileView, bool]:
        if cmd.on_received is not None:
            cmd.on_received(blob.size)
        if cmd.verify is not None:
            cmd.verify(UploadDigests(blob.size, blob.md5, blob.sha256))
        if cmd.on_repeat is OnRepeat.RETURN_EXISTING:
            existing = self._existing(cmd, blob)
            if existing is not None:
                return existing, True
        view = self.files.register_upload(
            cmd.actor,
            cmd.study,
            blob,
            name=cmd.source.name,
            relative_path=cmd.folder,
            description=cmd.description,
            expected_md5=cmd.expected_md5,
            expected_build=cmd.build,
            sample_labels=dict(cmd.sample_labels),
            label=cmd.label,
            genome_attributes=dict(cmd.genome_attributes),
            build_hint=cmd.build_hint,
            sample_ids=dict(cmd.sample_ids) or None,
            rename_duplicates=cmd.rename_duplicates,
        )
        return view, False

    def _existing(self, cmd: ImportGenomeCommand, blob: UploadedBlob) -> FileView | None:
        """The file an earlier attempt of this upload recorded: same study, same path, same SHA-256 (and the
        MD5 the client expects, else the registration refuses it with the usual mismatch)."""
        path = client_path(cmd.folder, cmd.source.name)
        if cmd.expected_md5 and cmd.expected_md5.strip().lower() != blob.md5:
            return None
        with self.ctx.uow() as uow:
            study = self.projects.study_for_write(uow, cmd.actor, cmd.study)
            vcf = uow.files.by_path(study.study.id or 0, path)
            if vcf is None or vcf.sha256 != blob.sha256:
                return None
            genomes = list(uow.genomes.of_file(vcf.id or 0))
            audit(
                uow,
                "file_upload",
                actor=cmd.actor,
                entity_type="file",
                entity_id=vcf.id,
                outcome="repeated",
                details={"size": vcf.size, "samples": len(genomes)},
            )
            uow.commit()
        return FileView(study, vcf, genomes)

    def _finish(self, cmd: ImportGenomeCommand, view: FileView, repeated: bool) -> ImportGenomeResult:
        attached = self._attach(cmd, cmd.attach_to, view, repeated) if cmd.attach_to else None
        job = self._index(cmd, view, repeated) if cmd.index else None
        return ImportGenomeResult(view.study, view.file, view.genomes, job, attached, repeated)

    def _attach(
        self, cmd: ImportGenomeCommand, target: MemberTarget, view: FileView, repeated: bool
    ) -> Genome:
        genome = next((g for g in view.genomes if g.sample_name == target.sample), view.genomes[0])
        if repeated and self._is_members(genome, target.member_id):
            return genome
        self.cases.attach_genome(cmd.actor, target.case, target.member_id, genome.id)
        return genome

    def _is_members(self, genome: Genome, member_id: int) -> bool:
        with self.ctx.uow() as uow:
            return any(
                m.id == member_id and m.genome_id == genome.id
                for case in uow.cases.with_genome(genome.id or 0)
                for m in uow.case_members.of_case(case.id or 0)
            )

    def _index(self, cmd: ImportGenomeCommand, view: FileView, repeated: bool) -> Job:
        earlier = self._index_job(view.file) if repeated else None
        if earlier is not None:
            return earlier
        job, _ = self.indexing.index_files(cmd.actor, view.study.fqn, [view.file.code], annotate=cmd.annotate)
        return job

    def _index_job(self, vcf: VcfFile) -> Job | None:
        """The latest indexing job of the file."""
        with self.ctx.uow() as uow:
            jobs = uow.jobs.search(vcf.workspace_id, {"tool": INDEX_TOOL, "study_id": vcf.study_id}, None)
        return next((j for j in reversed(jobs) if vcf.id in (j.params or {}).get("files", [])), None)
