"""Annotating genomes: with the reference bundle enabled for their workspace and build (when its contigs and
sequence match the genome), or from the annotation the lab's pipeline already wrote into the VCF (VEP CSQ,
snpEff ANN, bcftools BCSQ), or not at all — with the reason recorded on the genome.

Installing a bundle's files is a server-level act; a bundle annotates only where it is enabled: for a
workspace, or as the server default of its build (set explicitly by an administrator). A synthetic (NOT
HUMAN) bundle may be enabled only for the demo workspace."""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pysam

from vardesk.annotate import compatibility
from vardesk.annotate.bundle import Bundle, Manifest, list_bundles, load_bundle, read_manifest, verify_bundle
from vardesk.annotate.engine import annotate_variants
from vardesk.annotate.preannotated import detect, pipeline_sources, read_preannotated
from vardesk.app.context import ServiceContext, audit
from vardesk.domain import annotation_source as src
from vardesk.domain.errors import Conflict, Invalid, NotFound, Unprocessable
from vardesk.domain.models import BundleEnablement, Genome
from vardesk.ingest.sniff import Compression, decompressed_blocks
from vardesk.storage.blobs import BlobStore
from vardesk.variants.layout import write_annotation

log = logging.getLogger("vardesk.annotation")
Progress = Callable[[float, str], None]
PIPELINE_PREFIX = src.PIPELINE_PREFIX
DEMO_WORKSPACE = "demo"  # the only workspace a synthetic (NOT HUMAN) bundle may be enabled for
INSTALLED, WORKSPACE, DEFAULT = "installed", "workspace", "default"
BUNDLES = "bundles"  # the store's prefix of installed bundles: bundles/<id>/…
ANNOTATIONS = "annotations"  # annotations/<bundle id>/part-*.parquet, annotations/vcf-<file uuid>/…


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


def _next_part(parts: list[str]) -> str:
    """The name of a new part after the stored ``parts`` (parts are numbered, never rewritten)."""
    numbered = sorted(k.rsplit("/", 1)[-1] for k in parts if k.rsplit("/", 1)[-1].startswith("part-"))
    n = int(numbered[-1].removesuffix(".parquet").split("-")[1]) + 1 if numbered else 0
    return f"part-{n:06d}.parquet"


class AnnotationService:
    """Installed bundles, where each is enabled, and annotating genomes with the right one (or none)."""

    def __init__(self, ctx: ServiceContext, store: BlobStore) -> None:
        self.ctx = ctx
        self.store = store
        self._adopted = False
        # installed bundles are read by path (htslib, DuckDB): each is materialised once and kept
        self._held = ExitStack()
        self._bundle_paths: dict[str, Path] = {}
        self._hold = threading.Lock()

    def close(self) -> None:
        with self._hold:
            self._bundle_paths.clear()
            self._held.close()

    def _installed(self, source: Path) -> Manifest:
        """Store a built bundle as ``bundles/<id>`` after checking it; idempotent for the same bundle."""
        m = read_manifest(source)
        verify_bundle(source)
        key = f"{BUNDLES}/{m.id}"
        with self.store.lock(key):
            if self.store.exists(key):
                with self.store.materialise(key) as installed:
                    existing = read_manifest(installed)
                if existing.files != m.files:
                    raise Conflict(f"a different bundle with id {m.id} is already installed")
                return existing
            with self.store.scratch() as work:
                shutil.copytree(source, work / m.id)
                self.store.put_dir(key, work / m.id)
        return m

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
        manifest = self._installed(source)
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
            legacy = [m for m in self.bundles() if m.id not in known]  # newest first
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
        if not self.store.exists(BUNDLES):
            return []
        with self.store.materialise(BUNDLES) as bundles:
            return list_bundles(bundles)

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
        return self.bundle(best.id)

    def bundle(self, bundle_id: str) -> Bundle:
        key = f"{BUNDLES}/{bundle_id}"
        try:
            installed = self.store.exists(f"{key}/manifest.json")
        except Invalid:  # not a name a bundle can have
            installed = False
        if not installed:
            raise NotFound(f"reference bundle {bundle_id!r} is not installed")
        with self._hold:
            path = self._bundle_paths.get(bundle_id)
            if path is None:
                path = self._held.enter_context(self.store.materialise(key))
                self._bundle_paths[bundle_id] = path
        return load_bundle(path)

    # -- annotating ----------------------------------------------------------------------------------
    def distinct_variants(self, genomes: list[Genome]) -> pa.Table:
        keys = [g.genotypes_key for g in genomes if g.genotypes_key]
        if not keys:
            return pa.table({"key": pa.array([], pa.int64())})
        with self.store.materialise_many(keys) as paths:
            con = duckdb.connect()
            try:
                # a relation (con.sql), not a DB-API cursor (con.execute): DuckDB warns that Arrow output
                # of a cursor copies the rows once more
                return con.sql(
                    "SELECT DISTINCT key, chrom, pos, ref, alt FROM read_parquet($files) ORDER BY key",
                    params={"files": [str(p) for p in paths]},
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
                stats = self._annotate(variants, bundle, progress)
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
        return self._from_pipeline(vcf.uuid, vcf.blob_key, file_id, why, rejected)

    def _annotate(self, variants: pa.Table, bundle: Bundle, progress: Progress | None) -> Any:
        """Annotate the variants the bundle's stored parts lack into one new part (one writer at a time)."""
        key = f"{ANNOTATIONS}/{bundle.id}"
        with self.store.lock(key), ExitStack() as stack:
            stored = [k for k in self.store.list(key) if k.endswith(".parquet")]
            known = stack.enter_context(self.store.materialise_many(stored))
            work = stack.enter_context(self.store.scratch())
            name = _next_part(stored)
            stats = annotate_variants(
                variants,
                bundle,
                work / name,
                known=known,
                progress=(lambda m: progress(50, m)) if progress else None,
            )
            if (work / name).exists():
                self.store.put_file(f"{key}/{name}", work / name, move=True)
        return stats

    def _from_pipeline(
        self, file_uuid: str, vcf_key: str, file_id: int, why: str, rejected: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.materialise(vcf_key) as vcf_path, self.store.scratch() as work:
            readable = _seekable(vcf_path, work)
            with pysam.VariantFile(str(readable)) as vf:
                tag = detect(vf.header)
            if tag is None:
                reason = f"{why}, and the file carries no CSQ, ANN or BCSQ annotation"
                self._record(file_id, "", "", {"source": src.NONE, "reason": reason, **rejected})
                return {"source": "none", "reason": reason}
            table = read_preannotated(readable, tag)
            fields = pipeline_sources(readable, tag)  # the frequencies and scores kept, by their VCF field
            if readable != vcf_path:
                readable.unlink()
            key = f"{ANNOTATIONS}/{PIPELINE_PREFIX.rstrip(':')}-{file_uuid}"
            (work / "out").mkdir()
            write_annotation(table, work / "out" / "part-000000.parquet")
            self.store.delete(key)
            self.store.put_dir(key, work / "out")
        info = {"source": src.PIPELINE, "note": why, **rejected}
        if fields:
            info["fields"] = fields
        self._record(file_id, PIPELINE_PREFIX + file_uuid, tag, info)
        return {"source": "pipeline", "tag": tag, "variants": table.num_rows, "note": why, "fields": fields}

    def annotate_local(
        self, vcf: Path, genotypes: list[Path], build: str, out_dir: Path, bundle_id: str | None = None
    ) -> dict[str, Any]:
        """Annotate a VCF read outside the catalog (``vardesk rank``) into ``out_dir``: with ``bundle_id``
        (which must fit the genome), else the annotation the VCF carries (CSQ/ANN/BCSQ), else the server
        default bundle of the build if it fits. Nothing is stored or recorded; raises
        :class:`Unprocessable` when no annotation can be had."""
        out_dir.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect()
        try:
            variants = con.sql(
                "SELECT DISTINCT key, chrom, pos, ref, alt FROM read_parquet($files) ORDER BY key",
                params={"files": [str(p) for p in genotypes]},
            ).to_arrow_table()
        finally:
            con.close()
        if bundle_id is None:
            readable = _seekable(vcf, out_dir)
            with pysam.VariantFile(str(readable)) as vf:
                tag = detect(vf.header)
            if tag is not None:
                write_annotation(read_preannotated(readable, tag), out_dir / "part-000000.parquet")
                return {"source": "pipeline", "tag": tag}
            default = self.bundle_for(build, 0)
            if default is None:
                raise Unprocessable(
                    f"the VCF carries no CSQ, ANN or BCSQ annotation and no reference bundle is the server "
                    f"default for {build}: pass --bundle ID (vardesk bundle list)"
                )
            bundle = default
        else:
            bundle = self.bundle(bundle_id)
            if bundle.manifest.build != build:
                raise Unprocessable(f"bundle {bundle.id} is for {bundle.manifest.build}, the VCF is {build}")
        fit = compatibility.check(variants, str(bundle.fasta))
        if not fit.ok:
            raise Unprocessable(f"bundle {bundle.id} does not match the genome: {fit.reason}")
        annotate_variants(variants, bundle, out_dir / "part-000000.parquet", known=[])
        return {"source": "bundle", "bundle": bundle.id, "version": bundle.version}

    def _record(self, file_id: int, bundle_id: str, version: str, info: dict[str, Any]) -> None:
        with self.ctx.uow() as uow:
            for g in uow.genomes.of_file(file_id):
                g.annotation_bundle, g.annotation_version = bundle_id, version
                g.annotation_info = info
            uow.commit()

    @contextmanager
    def annotations(self, genomes: list[Genome]) -> Iterator[list[Path]]:
        """Local directories of the annotation that covers these genomes (the bundle or pipeline source of
        each), for the length of the context."""
        keys = []
        for source in dict.fromkeys(g.annotation_bundle for g in genomes if g.annotation_bundle):
            if source.startswith(PIPELINE_PREFIX):
                key = f"{ANNOTATIONS}/{PIPELINE_PREFIX.rstrip(':')}-{source[4:]}"
            else:
                key = f"{ANNOTATIONS}/{source}"
            if self.store.exists(key):
                keys.append(key)
        with self.store.materialise_many(keys) as paths:
            yield paths
