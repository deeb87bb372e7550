"""Uploaded variant files and the genomes (one per sample column) they carry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vardesk.catalog.uow import UnitOfWork
from vardesk.domain.access import Actor
from vardesk.domain.enums import GenomeState
from vardesk.domain.errors import Conflict, Invalid, NotFound, Unprocessable, VardeskError
from vardesk.domain.models import Genome, VcfFile
from vardesk.ingest.validate import validate_vcf
from vardesk.services.context import ServiceContext, audit
from vardesk.services.projects import ProjectService, StudyView, normalise_assembly
from vardesk.storage.blobs import BlobStore

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class FileView:
    study: StudyView
    file: VcfFile
    genomes: list[Genome]


@dataclass(frozen=True)
class UploadedBlob:
    """A finished upload in the store's scratch area, with what was computed while receiving it."""

    path: Path
    size: int
    md5: str
    sha256: str


def file_code(path: str) -> str:
    """OpenCGA file ids are catalog paths with '/' replaced by ':'."""
    return path.replace(":", "\\:").replace("/", ":")


def clean_relative_path(rel: str | None) -> str:
    rel = (rel or "").strip()
    if rel in ("", ".", "./"):
        return ""
    if rel.startswith("/") or ".." in rel.split("/"):
        raise Invalid(f"relativeFilePath {rel!r} must be relative and must not contain '..'")
    return rel if rel.endswith("/") else rel + "/"


def clean_file_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name.strip()  # clients send absolute local paths
    if not base or base in (".", ".."):
        raise Invalid("the uploaded file has no name")
    return base


def check_build(detected: str | None, expected: str | None, project_assembly: str) -> str:
    """The file's build must agree with the request and the project; returns the build to record."""
    for what, value in (("the request", expected), ("the project", project_assembly or None)):
        if value and detected and value != detected:
            raise Unprocessable(f"the file's genome build is {detected} but {what} says {value}")
    build = detected or expected or project_assembly
    if not build:
        raise Unprocessable(
            "cannot tell the genome build from the file's ##reference or ##contig lines; "
            "give it explicitly (GRCh37 or GRCh38) or set the project's assembly"
        )
    return build


class FileService:
    def __init__(self, ctx: ServiceContext, projects: ProjectService, store: BlobStore) -> None:
        self.ctx = ctx
        self.projects = projects
        self.store = store

    def register_upload(
        self,
        actor: Actor,
        study_ref: str,
        blob: UploadedBlob,
        *,
        name: str,
        relative_path: str | None = None,
        description: str = "",
        expected_md5: str | None = None,
        expected_build: str | None = None,
        sample_labels: dict[str, str] | None = None,
        label: str | None = None,
        genome_attributes: dict[str, Any] | None = None,
        build_hint: str | None = None,
    ) -> FileView:
        """Validate an upload, store it, and record the file and one genome per sample, all or nothing.

        ``label`` names every genome of the file (``label (sample)`` when it has several samples);
        ``genome_attributes`` are stored on each genome (e.g. a face's external id or declared sex);
        ``build_hint`` is the build to record when neither the file nor the request tells it (a client's
        declared assembly that must not override what the file says)."""
        name = clean_file_name(name)
        path = clean_relative_path(relative_path) + name
        with self.ctx.uow() as uow:
            study = self.projects.study_for_write(uow, actor, study_ref)
        if expected_md5 and expected_md5.strip().lower() != blob.md5:
            raise Unprocessable(f"MD5 mismatch: the upload's checksum is {blob.md5}, expected {expected_md5}")
        header = validate_vcf(blob.path)
        if not header.samples:
            raise Invalid("the VCF has no sample columns, so it carries no genome")
        expected = normalise_assembly(expected_build) or None
        if expected is None and header.build is None:
            expected = normalise_assembly(build_hint) or None
        build = check_build(header.build, expected, study.project.assembly)
        vcf = VcfFile(
            workspace_id=actor.workspace_id,
            project_id=study.project.id or 0,
            study_id=study.study.id or 0,
            code=file_code(path),
            name=name,
            path=path,
            blob_key="",
            size=blob.size,
            created_by=actor.user_id,
            md5=blob.md5,
            sha256=blob.sha256,
            compression=str(getattr(header.compression, "value", header.compression)),
            vcf_version=header.version,
            build=build,
            samples=list(header.samples),
            records=header.records,
            gvcf=header.gvcf,
            description=description,
        )
        vcf.blob_key = f"uploads/{vcf.uuid}/{_SAFE_NAME.sub('_', name)}"
        self.store.put_file(vcf.blob_key, blob.path, move=True)
        try:
            with self.ctx.uow() as uow:
                if uow.files.by_code(vcf.study_id, vcf.code):
                    raise Conflict(f"file {vcf.code} already exists in study {study.fqn}")
                uow.files.add(vcf)
                labels = dict(sample_labels or {})
                if label:
                    many = len(vcf.samples) > 1
                    labels = {s: f"{label} ({s})" if many else label for s in vcf.samples}
                genomes = self._create_genomes(uow, vcf, labels, genome_attributes or {})
                audit(
                    uow,
                    "file_upload",
                    actor=actor,
                    entity_type="file",
                    entity_id=vcf.id,
                    details={"size": vcf.size, "samples": len(genomes)},
                )
                uow.commit()
        except BaseException:
            self.store.delete(vcf.blob_key.rsplit("/", 1)[0])
            raise
        return FileView(study, vcf, genomes)

    def _create_genomes(
        self, uow: UnitOfWork, vcf: VcfFile, labels: dict[str, str], attributes: dict[str, Any]
    ) -> list[Genome]:
        taken = uow.genomes.codes_in_study(vcf.study_id)
        genomes = []
        for index, sample in enumerate(vcf.samples):
            code, n = sample, 2
            while code in taken:  # the same sample uploaded again: a new genome with a suffix
                code, n = f"{sample}_{n}", n + 1
            taken.add(code)
            genomes.append(
                uow.genomes.add(
                    Genome(
                        workspace_id=vcf.workspace_id,
                        project_id=vcf.project_id,
                        study_id=vcf.study_id,
                        file_id=vcf.id or 0,
                        code=code,
                        sample_name=sample,
                        sample_index=index,
                        label=labels.get(sample, sample),
                        build=vcf.build,
                        attributes=dict(attributes),
                    )
                )
            )
        return genomes

    # -- reading ---------------------------------------------------------------------------------
    def _view(self, uow: UnitOfWork, study: StudyView, vcf: VcfFile) -> FileView:
        return FileView(study, vcf, list(uow.genomes.of_file(vcf.id or 0)))

    def find(self, uow: UnitOfWork, actor: Actor, study: StudyView, ref: str) -> VcfFile:
        sid = study.study.id or 0
        vcf = uow.files.by_code(sid, ref) or uow.files.by_uuid(ref) or uow.files.by_code(sid, file_code(ref))
        if vcf is None and ref.isdigit():
            vcf = uow.files.get(int(ref))
        if vcf is None or vcf.study_id != sid:
            raise NotFound(f"file {ref!r} not found in study {study.fqn}")
        return vcf

    def get_files(
        self, actor: Actor, study_ref: str, refs: list[str]
    ) -> list[tuple[str, FileView | VardeskError]]:
        out: list[tuple[str, FileView | VardeskError]] = []
        with self.ctx.uow() as uow:
            study = self.projects.resolve_study(uow, actor, study_ref)
            for ref in refs:
                try:
                    vcf = self.find(uow, actor, study, ref)
                except VardeskError as exc:
                    out.append((ref, exc))
                    continue
                audit(uow, "file_read", actor=actor, entity_type="file", entity_id=vcf.id)
                out.append((ref, self._view(uow, study, vcf)))
            uow.commit()
        return out

    def search_files(self, actor: Actor, study_ref: str, filters: dict[str, Any]) -> list[FileView]:
        with self.ctx.uow() as uow:
            study = self.projects.resolve_study(uow, actor, study_ref)
            query = {k: v for k, v in filters.items() if k in ("code", "name", "path", "uuid", "format")}
            if filters.get("state"):
                query["state"] = _state(filters["state"]).value
            views = [self._view(uow, study, f) for f in uow.files.in_study(study.study.id or 0, query)]
            sample = filters.get("sample")
            if sample:
                views = [v for v in views if any(g.code == sample for g in v.genomes)]
            for v in views:
                audit(uow, "file_read", actor=actor, entity_type="file", entity_id=v.file.id)
            uow.commit()
        return views


def _state(value: Any) -> GenomeState:
    try:
        return GenomeState(str(value).upper())
    except ValueError:
        raise Invalid(
            f"unknown status {value!r}; use one of {', '.join(s.value for s in GenomeState)}"
        ) from None
