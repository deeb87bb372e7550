"""Annotating genomes: with the reference bundle enabled for their workspace and build (when its contigs and
sequence match the genome), or from the annotation the lab's pipeline already wrote into the VCF (VEP CSQ,
snpEff ANN, bcftools BCSQ), or not at all — with the reason recorded on the genome.

Installing a bundle's files is a server-level act; a bundle annotates only where it is enabled: for a
workspace, or as the server default of its build (set explicitly by an administrator). A synthetic (NOT
HUMAN) bundle may be enabled only for the demo workspace."""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pysam

from vardesk.annotate import compatibility
from vardesk.annotate.bundle import Bundle, Manifest, install_bundle, list_bundles, load_bundle
from vardesk.annotate.engine import annotate_variants, annotation_dir, next_part
from vardesk.annotate.preannotated import detect, read_preannotated
from vardesk.domain import annotation_source as src
from vardesk.domain.errors import Invalid, NotFound, Unprocessable
from vardesk.domain.models import BundleEnablement, Genome
from vardesk.ingest.sniff import Compression, decompressed_blocks
from vardesk.app.context import ServiceContext, audit
from vardesk.storage.blobs import LocalBlobStore

log = logging.getLogger("vardesk.annotation")
Progress = Callable[[float, str], None]
PIPELINE_PREFIX = src.PIPELINE_PREFIX
DEMO_WORKSPACE = "demo"  # the only workspace a synthetic (NOT HUMAN) bundle may be enabled for
INSTALLED, WORKSPACE, DEFAULT = "installed", "workspace", "default"


def _seekable(vcf_path: Path, work: Path) -> Path:
    """A path htslib can read: pysam cannot open plain gzip (not BGZF) or bzip2, so such an upload is
    decompressed (with the upload limits) into ``work`` first; plain and BGZF files are read in place."""
    comp, blocks, _ = decompressed_blocks(vcf_path, threaded=False)
    if comp not in (Compression.GZIP, Compression.BZIP2):
        return vcf_path
    out = work / "input.vcf"
    with out.open("wb") as fh:
        for block in blocks:
            fh.write(block)
    return out


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """One writer per annotation directory at a time, across threads and processes."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class AnnotationService:
    """Installed bundles, where each is enabled, and annotating genomes with the right one (or none)."""

    def __init__(self, ctx: ServiceContext, store: LocalBlobStore) -> None:
        self.ctx = ctx
        self.store = store
        self._adopted = False

    @property
    def bundles_dir(self) -> Path:
        path = self.store.local_path("bundles")
        path.mkdir(parents=True, exist_ok=True)
        return path

    # -- installing and enabling -------------------------------------------------------------------
    def install(
        self,
        source: Path,
        *,
        workspace: str | None = None,
        default: bool = False,
        actor: str = "cli",
        user_id: int | None = None,
    ) -> Manifest:
        """Install a bundle's files (a server-level act); it is usable only where enabled: for
        ``workspace`` (a code) and/or as the server default of its build when asked."""
        self.adopt_installed()
        manifest = install_bundle(source, self.bundles_dir)
        with self.ctx.uow() as uow:
            if not uow.bundle_enablements.of_bundle(manifest.id):
                uow.bundle_enablements.add(
                    BundleEnablement(
                        bundle_id=manifest.id,
                        build=manifest.build,
                        scope=INSTALLED,
                        synthetic=manifest.is_synthetic,
                        actor=actor,
                        user_id=user_id,
                        at=self.ctx.clock(),
                    )
                )
                audit(uow, "bundle_install", user_id=user_id, entity_type="bundle", entity_id=manifest.id)
                uow.commit()
        if workspace:
            self.enable(manifest.id, workspace=workspace, actor=actor, user_id=user_id)
        if default:
            self.enable(manifest.id, default=True, actor=actor, user_id=user_id)
        return manifest

    def enable(
        self,
        bundle_id: str,
        *,
        workspace: str | None = None,
        default: bool = False,
        actor: str = "cli",
        user_id: int | None = None,
    ) -> BundleEnablement:
        """Enable an installed bundle for one workspace, or make it the server default of its build
        (replacing the previous default). A synthetic bundle is refused for any workspace but the demo
        one, and as a default."""
        if bool(workspace) == bool(default):
            raise Invalid("enable a bundle either for one workspace or as the server default")
        self.adopt_installed()
        manifest = self.bundle(bundle_id).manifest
        if manifest.is_synthetic and (default or workspace != DEMO_WORKSPACE):
            where = "the server default" if default else f"workspace {workspace!r}"
            raise Unprocessable(
                f"bundle {bundle_id} is SYNTHETIC (NOT HUMAN) reference data: it can be enabled only for "
                f"the demo workspace, never for {where}"
            )
        with self.ctx.uow() as uow:
            ws_id = None
            if workspace:
                ws = uow.workspaces.by_code(workspace)
                if ws is None:
                    raise NotFound(f"workspace {workspace!r} not found")
                ws_id = ws.id
            rows = uow.bundle_enablements.of_bundle(bundle_id)
            scope = DEFAULT if default else WORKSPACE
            existing = next((r for r in rows if r.scope == scope and r.workspace_id == ws_id), None)
            if existing is not None:
                return existing
            if default:
                for old in uow.bundle_enablements.defaults(manifest.build):
                    uow.bundle_enablements.remove(old)
            row = uow.bundle_enablements.add(
                BundleEnablement(
                    bundle_id=bundle_id,
                    build=manifest.build,
                    scope=scope,
                    workspace_id=ws_id,
                    synthetic=manifest.is_synthetic,
                    actor=actor,
                    user_id=user_id,
                    at=self.ctx.clock(),
                )
            )
            audit(
                uow,
                "bundle_enable",
                workspace_id=ws_id,
                user_id=user_id,
                entity_type="bundle",
                entity_id=bundle_id,
                details={"scope": scope, "build": manifest.build, "by": actor},
            )
            uow.commit()
        return row

    def adopt_installed(self) -> list[BundleEnablement]:
        """Bundles installed while bundles were global (no catalog row): a non-synthetic one becomes the
        server default of its build (the newest per build, when the build has none), the others are
        recorded as installed; a synthetic one is enabled for the demo workspace only."""
        if self._adopted:
            return []
        self._adopted = True
        with self.ctx.uow() as uow:
            known = {r.bundle_id for r in uow.bundle_enablements.all()}
            legacy = [m for m in list_bundles(self.bundles_dir) if m.id not in known]  # newest first
            if not legacy:
                return []
            demo = uow.workspaces.by_code(DEMO_WORKSPACE)
            added = []
            for m in legacy:
                if m.is_synthetic:
                    scope, ws_id = (WORKSPACE, demo.id) if demo is not None else (INSTALLED, None)
                elif not uow.bundle_enablements.defaults(m.build):
                    scope, ws_id = DEFAULT, None
                else:
                    scope, ws_id = INSTALLED, None
                row = BundleEnablement(
                    bundle_id=m.id,
                    build=m.build,
                    scope=scope,
                    workspace_id=ws_id,
                    synthetic=m.is_synthetic,
                    actor="migration",
                    at=self.ctx.clock(),
                )
                added.append(uow.bundle_enablements.add(row))
                audit(
                    uow,
                    "bundle_enable",
                    workspace_id=ws_id,
                    entity_type="bundle",
                    entity_id=m.id,
                    details={"scope": scope, "build": m.build, "by": "migration"},
                )
            uow.commit()
        log.info("adopted %d bundle(s) installed before per-workspace enablement", len(added))
        return added

    def bundles(self) -> list[Manifest]:
        """Every installed bundle (newest first), wherever enabled."""
        return list_bundles(self.bundles_dir)

    def enablements(self) -> dict[str, list[dict[str, Any]]]:
        """Per installed bundle: where it is enabled, by whom and when."""
        self.adopt_installed()
        with self.ctx.uow() as uow:
            codes = {w.id: w.code for w in uow.workspaces.list()}
            out: dict[str, list[dict[str, Any]]] = {}
            for r in uow.bundle_enablements.all():
                if r.scope == INSTALLED:
                    out.setdefault(r.bundle_id, [])
                    continue
                out.setdefault(r.bundle_id, []).append(
                    {
                        "scope": r.scope,
                        "workspace": codes.get(r.workspace_id) if r.workspace_id else None,
                        "by": r.actor,
                        "at": r.at.isoformat(timespec="seconds"),
                    }
                )
        return out

    def usable_bundles(self, workspace_id: int) -> list[Manifest]:
        """Installed bundles enabled for the workspace or server defaults, newest first."""
        self.adopt_installed()
        with self.ctx.uow() as uow:
            ids = {
                r.bundle_id
                for r in uow.bundle_enablements.all()
                if r.scope == DEFAULT or (r.scope == WORKSPACE and r.workspace_id == workspace_id)
            }
        return [m for m in self.bundles() if m.id in ids]

    def bundle_for(self, build: str, workspace_id: int) -> Bundle | None:
        """The bundle a workspace's genomes of ``build`` are annotated with: the newest one enabled for the
        workspace, else the server default of the build; None when neither exists."""
        self.adopt_installed()
        with self.ctx.uow() as uow:
            rows = uow.bundle_enablements.usable(build, workspace_id)
        installed = {m.id: m for m in self.bundles() if m.build == build}
        own = [installed[r.bundle_id] for r in rows if r.scope == WORKSPACE and r.bundle_id in installed]
        default = [installed[r.bundle_id] for r in rows if r.scope == DEFAULT and r.bundle_id in installed]
        candidates = own or default
        if not candidates:
            return None
        best = max(candidates, key=lambda m: (m.created, m.version))
        return load_bundle(self.bundles_dir / best.id)

    def bundle(self, bundle_id: str) -> Bundle:
        path = self.bundles_dir / bundle_id
        if not path.is_dir():
            raise NotFound(f"reference bundle {bundle_id!r} is not installed")
        return load_bundle(path)

    # -- annotating ----------------------------------------------------------------------------------
    def distinct_variants(self, genomes: list[Genome]) -> pa.Table:
        files = [str(self.store.local_path(g.genotypes_key)) for g in genomes if g.genotypes_key]
        if not files:
            return pa.table({"key": pa.array([], pa.int64())})
        con = duckdb.connect()
        try:
            # a relation (con.sql), not a DB-API cursor (con.execute): DuckDB warns that Arrow output
            # of a cursor copies the rows once more
            return con.sql(
                "SELECT DISTINCT key, chrom, pos, ref, alt FROM read_parquet($files) ORDER BY key",
                params={"files": files},
            ).to_arrow_table()
        finally:
            con.close()

    def outdated_files(self, build: str, workspace_id: int | None = None) -> list[int]:
        """Files of this build (of one workspace, or all) whose genomes were annotated by another bundle
        than the one their workspace uses now (or by the pipeline's own annotation), or by a synthetic
        bundle outside the demo workspace: candidates for re-annotation. A genome that already rejected
        that bundle (contigs, REF alleles) is not offered."""
        with self.ctx.uow() as uow:
            rows = [
                g
                for g in uow.genomes.ready_of_build(build)
                if workspace_id is None or g.workspace_id == workspace_id
            ]
            demo = uow.workspaces.by_code(DEMO_WORKSPACE)
        chosen: dict[int, Bundle | None] = {}
        out = set()
        for g in rows:
            if g.workspace_id not in chosen:
                chosen[g.workspace_id] = self.bundle_for(build, g.workspace_id)
            bundle = chosen[g.workspace_id]
            if bundle is None:
                # annotated by a synthetic bundle while bundles were global: annotate again (pipeline/none)
                if src.describe(g)["synthetic"] and (demo is None or g.workspace_id != demo.id):
                    out.add(g.file_id)
                continue
            if g.annotation_bundle == bundle.id:
                continue
            if (g.annotation_info or {}).get("rejected_bundle") == bundle.id:
                continue
            out.add(g.file_id)
        return sorted(out)

    def annotate_file(self, file_id: int, *, progress: Progress | None = None) -> dict[str, Any]:
        """Annotate the genomes of one indexed file; records the source on each genome.

        The workspace's bundle for the file's build is used only when the genome's contigs and a sample of
        its REF alleles agree with the bundle's sequence; else the pipeline's own annotation in the VCF,
        else the genomes are marked not annotated, with the reason."""
        with self.ctx.uow() as uow:
            vcf = uow.files.get(file_id)
            genomes = list(uow.genomes.of_file(file_id))
        if vcf is None:
            raise NotFound(f"file {file_id} not found")
        bundle = self.bundle_for(vcf.build, vcf.workspace_id) if vcf.build else None
        rejected: dict[str, Any] = {}
        if bundle is None:
            why = f"no reference bundle is enabled for {vcf.build or 'its build'} in this workspace"
        else:
            variants = self.distinct_variants(genomes)
            fit = compatibility.check(variants, str(bundle.fasta))
            if fit.ok:
                directory = annotation_dir(self.store.root, bundle)
                with _locked(directory):
                    stats = annotate_variants(
                        variants,
                        bundle,
                        next_part(directory),
                        progress=(lambda m: progress(50, m)) if progress else None,
                    )
                synthetic = bundle.manifest.is_synthetic
                self._record(
                    file_id,
                    bundle.id,
                    bundle.version,
                    {"source": src.BUNDLE, "synthetic": synthetic, "check": fit.to_dict()},
                )
                return {
                    "source": "bundle",
                    "bundle": bundle.id,
                    "version": bundle.version,
                    "synthetic": synthetic,
                    "variants": stats.variants_in,
                    "annotated": stats.annotated,
                    "already_annotated": stats.already_annotated,
                }
            why = f"bundle {bundle.id} does not match the genome: {fit.reason}"
            rejected = {"rejected_bundle": bundle.id, "check": fit.to_dict()}
            log.warning("bundle %s not used for file %s: %s", bundle.id, file_id, fit.reason)
        return self._from_pipeline(vcf.uuid, self.store.local_path(vcf.blob_key), file_id, why, rejected)

    def _from_pipeline(
        self, file_uuid: str, vcf_path: Path, file_id: int, why: str, rejected: dict[str, Any]
    ) -> dict[str, Any]:
        work = self.store.scratch_dir()
        try:
            readable = _seekable(vcf_path, work)
            with pysam.VariantFile(str(readable)) as vf:
                tag = detect(vf.header)
            if tag is None:
                self.store.delete_scratch(work)
                reason = f"{why}, and the file carries no CSQ, ANN or BCSQ annotation"
                self._record(file_id, "", "", {"source": src.NONE, "reason": reason, **rejected})
                return {"source": "none", "reason": reason}
            table = read_preannotated(readable, tag)
            if readable != vcf_path:
                readable.unlink()
        except BaseException:
            self.store.delete_scratch(work)
            raise
        key = f"annotations/{PIPELINE_PREFIX.rstrip(':')}-{file_uuid}"
        try:
            pq.write_table(table.sort_by("key"), work / "part-000000.parquet")
            self.store.delete(key)
            self.store.put_dir(key, work)
        except BaseException:
            self.store.delete_scratch(work)
            raise
        self._record(
            file_id, PIPELINE_PREFIX + file_uuid, tag, {"source": src.PIPELINE, "note": why, **rejected}
        )
        return {"source": "pipeline", "tag": tag, "variants": table.num_rows, "note": why}

    def _record(self, file_id: int, bundle_id: str, version: str, info: dict[str, Any]) -> None:
        with self.ctx.uow() as uow:
            for g in uow.genomes.of_file(file_id):
                g.annotation_bundle, g.annotation_version = bundle_id, version
                g.annotation_info = info
            uow.commit()

    def annotation_paths(self, genomes: list[Genome]) -> list[Path]:
        """Annotation directories that cover these genomes (the bundle or pipeline source of each)."""
        out: list[Path] = []
        for source in dict.fromkeys(g.annotation_bundle for g in genomes if g.annotation_bundle):
            if source.startswith(PIPELINE_PREFIX):
                path = self.store.local_path(f"annotations/{PIPELINE_PREFIX.rstrip(':')}-{source[4:]}")
            else:
                path = self.store.root / "annotations" / source
            if path.is_dir():
                out.append(path)
        return out
