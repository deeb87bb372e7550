"""Uploaded variant files and the genomes (one per sample column) they carry."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from vardesk.app.annotation import PIPELINE_PREFIX
from vardesk.app.context import ServiceContext, audit
from vardesk.app.inhouse import InhouseFrequencies
from vardesk.app.projects import ProjectService, StudyView, normalise_assembly
from vardesk.app.uploads import UploadIntents
from vardesk.catalog.uow import UnitOfWork
from vardesk.domain.access import Actor, require_project_write
from vardesk.domain.enums import GenomeState
from vardesk.domain.errors import ConcurrentChange, Conflict, Invalid, NotFound, Unprocessable, VardeskError
from vardesk.domain.ids import FILE_CODE_PREFIX, is_file_code, new_file_code, numeric_id
from vardesk.domain.models import Genome, VcfFile
from vardesk.domain.refs import check_code
from vardesk.ingest.validate import validate_vcf
from vardesk.storage.blobs import BlobStore

MAX_PATH_BYTES = 1024
_RECORD_ATTEMPTS = 5  # concurrent uploads of one study racing for the same numbered sample id
_VCF_SUFFIXES = (".vcf.gz", ".vcf.bgz", ".vcf.bgzf", ".bcf", ".vcf")


def _blob_name(name: str) -> str:
    """The stored upload's name: a fixed stem and the file's type suffix, never the client's file name
    (file names often carry patient names or accession numbers, and the key is shown in the file's uri)."""
    lower = name.lower()
    return "upload" + next((s for s in _VCF_SUFFIXES if lower.endswith(s)), "")


log = logging.getLogger("vardesk.files")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SETTLED = (GenomeState.READY, GenomeState.FAILED)  # no job is writing the genome's files


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


def client_path(folder: str | None, name: str) -> str:
    """The path the client gave the file in the study (OpenCGA: ``relativeFilePath + name``): metadata
    that identifies the file to its uploader (a repeat is refused or returned), never shown as an id.
    At most ``MAX_PATH_BYTES`` in UTF-8, so the unique index on it fits a PostgreSQL B-tree entry."""
    path = clean_relative_path(folder) + clean_file_name(name)
    if len(path.encode("utf-8")) > MAX_PATH_BYTES:
        raise Invalid(f"the file's path (relativeFilePath + name) is longer than {MAX_PATH_BYTES} bytes")
    return path


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
    def __init__(
        self,
        ctx: ServiceContext,
        projects: ProjectService,
        store: BlobStore,
        intents: UploadIntents,
        inhouse: InhouseFrequencies | None = None,
    ) -> None:
        self.ctx = ctx
        self.projects = projects
        self.store = store
        self.intents = intents
        self.inhouse = inhouse  # the workspace's in-house aggregate, updated when a genome goes

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
        sample_ids: dict[str, str] | None = None,
        rename_duplicates: bool = False,
    ) -> FileView:
        """Validate an upload, store it, and record the file and one genome per sample, all or nothing.

        ``label`` names every genome of the file (``label (sample)`` when it has several samples);
        ``genome_attributes`` are stored on each genome (e.g. a face's external id or declared sex);
        ``build_hint`` is the build to record when neither the file nor the request tells it (a client's
        declared assembly that must not override what the file says).

        A genome's id in the study is its sample's name, or ``sample_ids[sample]`` when the caller names it.
        A sample whose id the study already has is refused (naming the existing genome and its file), as
        OpenCGA refuses a duplicate sample id, unless ``rename_duplicates``: then it becomes a new genome
        ``<sample>_2``, ``<sample>_3``… (for faces whose genomes are known by number, not by sample name)."""
        name = clean_file_name(name)
        path = client_path(relative_path, name)
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
            code=new_file_code(),
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
        folder = f"uploads/{vcf.uuid}"
        vcf.blob_key = f"{folder}/{_blob_name(name)}"
        intent = self.intents.begin(vcf.uuid, folder)  # a crash from here on leaves a row naming the blob
        try:
            self.store.put_file(vcf.blob_key, blob.path, move=True)
            labels = dict(sample_labels or {})
            if label:
                many = len(vcf.samples) > 1
                labels = {s: f"{label} ({s})" if many else label for s in vcf.samples}
            create_genomes = partial(
                self._create_genomes,
                labels=labels,
                attributes=genome_attributes or {},
                sample_ids=sample_ids or {},
                rename_duplicates=rename_duplicates,
            )
            for attempt in range(_RECORD_ATTEMPTS):
                try:
                    attempt_vcf = replace(vcf, id=None)  # a fresh row: a rolled-back one is detached
                    genomes = self._record(actor, study, attempt_vcf, intent, create_genomes)
                    vcf = attempt_vcf
                    break
                except ConcurrentChange:
                    # another upload took the same path or sample id between our read and our write:
                    # read again (a numbered copy moves on; a refused duplicate is named properly)
                    if attempt == _RECORD_ATTEMPTS - 1:
                        raise
        except BaseException:
            self.intents.abandon(intent, folder)
            raise
        return FileView(study, vcf, genomes)

    def _record(
        self,
        actor: Actor,
        study: StudyView,
        vcf: VcfFile,
        intent: Any,
        create_genomes: Callable[[UnitOfWork, VcfFile], list[Genome]],
    ) -> list[Genome]:
        """The catalog rows of a stored upload, in one transaction."""
        with self.ctx.uow() as uow:
            existing = uow.files.by_path(vcf.study_id, vcf.path)
            if existing is not None:  # named by its id: the path holds the client's file name
                raise Conflict(f"a file already exists at this path in study {study.fqn}: {existing.code}")
            uow.files.add(vcf)
            genomes = create_genomes(uow, vcf)
            audit(
                uow,
                "file_upload",
                actor=actor,
                entity_type="file",
                entity_id=vcf.id,
                details={"size": vcf.size, "samples": len(genomes)},
            )
            self.intents.finish(uow, intent)
            uow.commit()
        return genomes

    def _create_genomes(
        self,
        uow: UnitOfWork,
        vcf: VcfFile,
        labels: dict[str, str],
        attributes: dict[str, Any],
        *,
        sample_ids: dict[str, str],
        rename_duplicates: bool,
    ) -> list[Genome]:
        unknown = sorted(set(sample_ids) - set(vcf.samples))
        if unknown:
            raise Invalid(
                f"sample(s) {', '.join(unknown)} named in sampleNames are not in the file "
                f"(its samples: {', '.join(vcf.samples)})"
            )
        for new_id in sample_ids.values():
            check_code(new_id, "sample")
        taken = uow.genomes.codes_in_study(vcf.study_id)
        genomes = []
        for index, sample in enumerate(vcf.samples):
            code, n = sample_ids.get(sample, sample), 2
            if code in taken and (sample in sample_ids or not rename_duplicates):
                raise Conflict(_duplicate_sample(uow, vcf.study_id, code))
            while code in taken:  # asked for: the same sample again is a new genome with a suffix
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

    # -- editing genomes -----------------------------------------------------------------------------
    def _genome_for_write(self, uow: UnitOfWork, actor: Actor, genome_id: int) -> Genome:
        g = uow.genomes.get(genome_id)
        if g is None or g.workspace_id != actor.workspace_id:
            raise NotFound(f"genome {genome_id} not found")
        study = self.projects.study_by_id(uow, actor, g.study_id)
        require_project_write(actor, study.project)
        return g

    def update_genome(self, actor: Actor, genome_id: int, data: dict[str, Any]) -> Genome:
        """Rename a genome (``label``), change its ``attributes`` (a ``None`` value removes the key) or move
        it to another project's default study (``project_id``). Absent or ``None`` keys are unchanged."""
        with self.ctx.uow() as uow:
            g = self._genome_for_write(uow, actor, genome_id)
            if data.get("label") is not None:
                label = str(data["label"]).strip()
                if not label:
                    raise Invalid("a genome's name cannot be empty")
                g.label = label[:255]
            if data.get("attributes"):
                attributes = dict(g.attributes)
                for key, value in data["attributes"].items():
                    if value is None:
                        attributes.pop(key, None)
                    else:
                        attributes[key] = value
                g.attributes = attributes
            target = data.get("project_id")
            if target is not None and int(target) != g.project_id:
                self._move_genome(uow, actor, g, int(target))
            g.modified_at = self.ctx.clock()
            audit(
                uow,
                "genome_update",
                actor=actor,
                entity_type="genome",
                entity_id=g.id,
                details={"fields": sorted(k for k, v in data.items() if v is not None)},
            )
            uow.commit()
        return g

    def _move_genome(self, uow: UnitOfWork, actor: Actor, g: Genome, project_id: int) -> None:
        project = uow.projects.get(project_id)
        if project is None or project.workspace_id != actor.workspace_id:
            raise NotFound(f"project {project_id} not found")
        require_project_write(actor, project)
        _check_not_in_reports(uow, g, "moved")
        others = [o.id for o in uow.genomes.of_file(g.file_id) if o.id != g.id]
        if others:
            raise Conflict(
                f"genome {g.id} was uploaded in one file with genome(s) {', '.join(map(str, others))} "
                "and cannot be moved without them"
            )
        if g.individual_id is not None:
            raise Conflict(f"genome {g.id} belongs to an individual of its project's pedigree")
        studies = uow.studies.in_projects([project_id])
        study = next((s for s in studies if s.is_default), studies[0] if studies else None)
        vcf = uow.files.get(g.file_id)
        if study is None or vcf is None:
            raise NotFound(f"project {project_id} has no study to receive the genome")
        sid = study.id or 0
        clash = uow.files.by_path(sid, vcf.path)
        if clash is not None:
            raise Conflict(
                f"project {project.code!r} already has a file at the path of {vcf.code}: {clash.code}"
            )
        taken = uow.genomes.codes_in_study(sid)
        code, n = g.sample_name, 2
        while code in taken:
            code, n = f"{g.sample_name}_{n}", n + 1
        now = self.ctx.clock()
        vcf.project_id, vcf.study_id, vcf.modified_at = project_id, sid, now
        g.project_id, g.study_id, g.code = project_id, sid, code

    def delete_genome(self, actor: Actor, genome_id: int) -> Genome:
        """Delete a genome and its genotype files; the uploaded file goes with its last genome. Refused
        while a clinical report uses the genome or a job is still writing its files."""
        with self.ctx.uow() as uow:
            g = self._genome_for_write(uow, actor, genome_id)
            _check_not_in_reports(uow, g, "deleted")
            _check_not_in_running_analyses(uow, g)
            if g.state not in SETTLED:
                raise Conflict(
                    f"genome {g.id} is still being processed ({g.state.value}); "
                    "delete it once it is READY or FAILED"
                )
            vcf = uow.files.get(g.file_id)
            last = vcf is not None and all(o.id == g.id for o in uow.genomes.of_file(g.file_id))
            keys = [k for k in (g.genotypes_key, g.coverage_key) if k]
            uow.genomes.remove(g)
            if last and vcf is not None:
                keys = [
                    vcf.blob_key.rsplit("/", 1)[0],
                    f"genomes/{vcf.uuid}",
                    f"annotations/{PIPELINE_PREFIX.rstrip(':')}-{vcf.uuid}",
                ]
                uow.files.remove(vcf)
            audit(
                uow,
                "genome_delete",
                actor=actor,
                entity_type="genome",
                entity_id=g.id,
                details={"file_deleted": last},
            )
            uow.commit()
        if self.inhouse is not None:  # while its genotype file still exists to be subtracted
            self.inhouse.refresh(g.workspace_id)
        for key in keys:  # after the commit: a failed transaction never loses data
            try:
                self.store.delete(key)
            except OSError as exc:
                log.warning("could not delete %s of genome %s: %s", key, genome_id, exc)
        return g

    # -- reading ---------------------------------------------------------------------------------
    def _view(self, uow: UnitOfWork, study: StudyView, vcf: VcfFile) -> FileView:
        return FileView(study, vcf, list(uow.genomes.of_file(vcf.id or 0)))

    def find(self, uow: UnitOfWork, actor: Actor, study: StudyView, ref: str) -> VcfFile:
        """A file of the study by its id (``file_…``), uuid or number — never by its name or path: those
        are the client's metadata (often a patient's name), looked up only by files/search (name=, path=).
        A reference that is none of the three is not quoted back (it may be such a name)."""
        sid = study.study.id or 0
        ref = str(ref).strip()
        number = numeric_id(ref)
        if is_file_code(ref):
            vcf = uow.files.by_code(sid, ref)
        elif number is not None:
            vcf = uow.files.get(number)
        else:
            vcf = uow.files.by_uuid(ref) if _UUID.fullmatch(ref.lower()) else None
            if vcf is None or vcf.study_id != sid:
                raise NotFound(
                    f"no file of study {study.fqn} has that id: files are named by the id the upload "
                    f"returned ({FILE_CODE_PREFIX}…), their uuid or number; find one by its name with "
                    "files/search?name="
                )
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
            # name and path are the client's metadata: a query value (never a path segment), audited
            query = {k: v for k, v in filters.items() if k in ("code", "name", "path", "uuid", "format")}
            if filters.get("state"):
                query["state"] = _states(filters["state"])
            views = [self._view(uow, study, f) for f in uow.files.in_study(study.study.id or 0, query)]
            sample = filters.get("sample")
            if sample:
                views = [v for v in views if any(g.code == sample for g in v.genomes)]
            for v in views:
                audit(uow, "file_read", actor=actor, entity_type="file", entity_id=v.file.id)
            uow.commit()
        return views


def _duplicate_sample(uow: UnitOfWork, study_id: int, code: str) -> str:
    existing = uow.genomes.by_code(study_id, code)
    vcf = uow.files.get(existing.file_id) if existing else None
    where = f"genome {existing.id}" if existing else "another sample in this file"
    if vcf is not None:
        where += f" from file {vcf.code}"
    return (
        f"sample {code!r} already exists in this study ({where}); to add it again as a new genome, "
        "name it (sampleNames=<sample>=<new id>; command line: --sample-name SAMPLE=ID) or ask for a "
        "numbered copy (renameSamples=true; command line: --rename-samples), "
        "or delete the earlier genome first"
    )


def _check_not_in_reports(uow: UnitOfWork, g: Genome, action: str) -> None:
    """A genome a clinical report uses stays where it is: the report (and, once approved, its signed-out
    record) is built from it."""
    cases = uow.cases.with_genome(g.id or 0)
    if cases:
        ids = ", ".join(str(c.id) for c in cases)
        raise Conflict(
            f"genome {g.id} is used by clinical report(s) {ids} and cannot be {action}; "
            "remove it from the report(s) first (approved reports keep their genomes)"
        )


# the index statuses the native face shows (internal.variant.index.status.id) → the states they stand for
INDEX_STATUS_STATES = {
    "NONE": (GenomeState.UPLOADED,),
    "INDEXING": (GenomeState.VALIDATING, GenomeState.ANNOTATING),
    "ERROR": (GenomeState.FAILED,),
}


def _states(value: Any) -> list[str]:
    """A file state filter, as a state (``READY``) or as the index status a file shows (``INDEXING``)."""
    text = str(value).strip().upper()
    if text in INDEX_STATUS_STATES:
        return [s.value for s in INDEX_STATUS_STATES[text]]
    try:
        return [GenomeState(text).value]
    except ValueError:
        allowed = [s.value for s in GenomeState] + list(INDEX_STATUS_STATES)
        raise Invalid(f"unknown status {value!r}; use one of {', '.join(allowed)}") from None


def _check_not_in_running_analyses(uow: UnitOfWork, g: Genome) -> None:
    """A gene analysis still to run reads the genome's files; a finished one keeps its own results."""
    pending = [
        a.id
        for a in uow.analyses.standalone(g.workspace_id, ["WAITING", "SUBMITTED", "RUNNING"])
        if g.id in a.genome_ids
    ]
    if pending:
        raise Conflict(
            f"genome {g.id} is used by analysis(es) {', '.join(map(str, pending))} that have not finished; "
            "delete it once they are COMPLETE or FAILED, or delete the analyses"
        )
