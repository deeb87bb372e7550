"""Annotating genomes: with the installed reference bundle for their build, or from the annotation the
lab's pipeline already wrote into the VCF (VEP CSQ, snpEff ANN, bcftools BCSQ)."""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pysam

from vardesk.annotate.bundle import Bundle, Manifest, install_bundle, list_bundles, load_bundle
from vardesk.annotate.engine import annotate_variants, annotation_dir, next_part
from vardesk.annotate.preannotated import detect, read_preannotated
from vardesk.domain.errors import NotFound
from vardesk.domain.models import Genome
from vardesk.ingest.sniff import Compression, decompressed_blocks
from vardesk.services.context import ServiceContext
from vardesk.storage.blobs import LocalBlobStore

Progress = Callable[[float, str], None]
PIPELINE_PREFIX = "vcf:"


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
    def __init__(self, ctx: ServiceContext, store: LocalBlobStore) -> None:
        self.ctx = ctx
        self.store = store

    @property
    def bundles_dir(self) -> Path:
        path = self.store.local_path("bundles")
        path.mkdir(parents=True, exist_ok=True)
        return path

    def install(self, source: Path) -> Manifest:
        return install_bundle(source, self.bundles_dir)

    def bundles(self) -> list[Manifest]:
        return list_bundles(self.bundles_dir)

    def bundle_for(self, build: str) -> Bundle | None:
        """The newest installed bundle for a build."""
        candidates = [m for m in self.bundles() if m.build == build]
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

    def outdated_files(self, build: str) -> list[int]:
        """Files of this build whose genomes were annotated by another bundle than the newest installed one
        (or by the pipeline's own annotation): candidates for re-annotation."""
        bundle = self.bundle_for(build)
        if bundle is None:
            return []
        with self.ctx.uow() as uow:
            rows = uow.genomes.ready_of_build(build)
        return sorted({g.file_id for g in rows if g.annotation_bundle != bundle.id})

    def annotate_file(self, file_id: int, *, progress: Progress | None = None) -> dict[str, Any]:
        """Annotate the genomes of one indexed file; records the source on each genome."""
        with self.ctx.uow() as uow:
            vcf = uow.files.get(file_id)
            genomes = list(uow.genomes.of_file(file_id))
        if vcf is None:
            raise NotFound(f"file {file_id} not found")
        bundle = self.bundle_for(vcf.build)
        if bundle is not None:
            variants = self.distinct_variants(genomes)
            directory = annotation_dir(self.store.root, bundle)
            with _locked(directory):
                stats = annotate_variants(
                    variants,
                    bundle,
                    next_part(directory),
                    progress=(lambda m: progress(50, m)) if progress else None,
                )
            self._record(file_id, bundle.id, bundle.version)
            return {
                "source": "bundle",
                "bundle": bundle.id,
                "version": bundle.version,
                "variants": stats.variants_in,
                "annotated": stats.annotated,
                "already_annotated": stats.already_annotated,
            }
        return self._from_pipeline(vcf.uuid, self.store.local_path(vcf.blob_key), file_id, vcf.build)

    def _from_pipeline(self, file_uuid: str, vcf_path: Path, file_id: int, build: str) -> dict[str, Any]:
        work = self.store.scratch_dir()
        try:
            readable = _seekable(vcf_path, work)
            with pysam.VariantFile(str(readable)) as vf:
                tag = detect(vf.header)
            if tag is None:
                self.store.delete_scratch(work)
                return {
                    "source": "none",
                    "reason": f"no reference bundle is installed for {build} and the file "
                    "carries no CSQ, ANN or BCSQ annotation",
                }
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
        self._record(file_id, PIPELINE_PREFIX + file_uuid, tag)
        return {"source": "pipeline", "tag": tag, "variants": table.num_rows}

    def _record(self, file_id: int, bundle_id: str, version: str) -> None:
        with self.ctx.uow() as uow:
            for g in uow.genomes.of_file(file_id):
                g.annotation_bundle, g.annotation_version = bundle_id, version
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
