"""Genotype matrices of families (:mod:`vardesk.variants.matrix`): built, recorded, found for a query.

A matrix holds the genomes of one family — a case's member genomes, or the samples of one multi-sample
file (a trio delivered as one VCF) — and is recorded in the catalog with the fingerprint of what it was
built from: each genome's genotype file, variant count, annotation source and version, the time it last
changed state, and the matrix layout. It is (re)built when its genomes are all READY: after indexing
(:func:`vardesk.app.indexing.run_variant_index`) and after re-annotation. A query reads it only while
the fingerprint still matches the genomes and the annotation sources are the query's own; otherwise the
query reads the genomes' files as before — the same rows, only slower.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from contextlib import ExitStack

from vardesk.app.annotation import AnnotationService
from vardesk.app.context import ServiceContext
from vardesk.catalog.uow import UnitOfWork
from vardesk.domain.enums import GenomeState
from vardesk.domain.matrices import GenotypeMatrix
from vardesk.domain.models import Genome
from vardesk.storage.blobs import BlobStore
from vardesk.variants import matrix as layout
from vardesk.variants.matrix import Matrix, build_matrix

log = logging.getLogger("vardesk.matrices")
PREFIX = "matrices"


def fingerprint(genomes: Sequence[Genome]) -> str:
    """What a matrix of these genomes (in this order) depends on; another value means a rebuild."""
    state = [
        [
            g.id,
            g.genotypes_key,
            g.variants,
            g.annotation_bundle,
            g.annotation_version,
            g.state.value,
            g.modified_at.isoformat(),
        ]
        for g in genomes
    ]
    return hashlib.sha256(json.dumps([layout.FORMAT, state]).encode()).hexdigest()


def members_key(genome_ids: Iterable[int]) -> str:
    return ",".join(str(i) for i in sorted(genome_ids))


class GenotypeMatrices:
    def __init__(self, ctx: ServiceContext, store: BlobStore, annotation: AnnotationService) -> None:
        self.ctx = ctx
        self.store = store
        self.annotation = annotation

    # -- building ------------------------------------------------------------------------------------
    def families_of(
        self, uow: UnitOfWork, genome_ids: Iterable[int]
    ) -> dict[str, tuple[int | None, list[int]]]:
        """The genome sets with a matrix to keep up to date that contain one of these genomes: their
        multi-sample files, their cases, and the sets already recorded (members key → case, genome ids)."""
        sets: dict[str, tuple[int | None, list[int]]] = {}
        for gid in dict.fromkeys(genome_ids):
            genome = uow.genomes.get(gid)
            if genome is None:
                continue
            siblings = [g.id or 0 for g in uow.genomes.of_file(genome.file_id)]
            if len(siblings) > 1:
                sets.setdefault(members_key(siblings), (None, sorted(siblings)))
            for case in uow.cases.with_genome(gid):
                ids = sorted({m.genome_id for m in uow.case_members.of_case(case.id or 0) if m.genome_id})
                if len(ids) > 1:
                    sets[members_key(ids)] = (case.id, ids)
            for rec in uow.genotype_matrices.of_study(genome.study_id):
                if gid in rec.genome_ids:
                    sets.setdefault(rec.members_key, (rec.case_id, list(rec.genome_ids)))
        return sets

    def refresh(self, genome_ids: Iterable[int]) -> list[str]:
        """Build the matrices of the families of these genomes that are missing or stale and whose genomes
        are all READY; returns the members keys built. A failure is logged and leaves the family on the
        per-genome path (never fails the caller's job)."""
        with self.ctx.uow() as uow:
            families = self.families_of(uow, genome_ids)
        built = []
        for key, (case_id, ids) in families.items():
            try:
                if self.build(ids, case_id=case_id):
                    built.append(key)
            except Exception:  # the queries fall back to the genomes' files
                log.exception("genotype matrix of genomes %s not built", key)
        return built

    def build(self, genome_ids: Sequence[int], *, case_id: int | None = None) -> GenotypeMatrix | None:
        """Build and record the matrix of these genomes when they are all READY, in one study, and it is
        missing or stale; None when there was nothing to do."""
        ids = sorted(genome_ids)
        key = members_key(ids)
        with self.ctx.uow() as uow:
            genomes = [uow.genomes.get(i) for i in ids]
        if any(g is None or g.state is not GenomeState.READY or not g.genotypes_key for g in genomes):
            return None
        ready = [g for g in genomes if g is not None]
        study_id = ready[0].study_id
        if any(g.study_id != study_id for g in ready):
            return None
        with self.store.lock(f"{PREFIX}/{study_id}/{key.replace(',', '-')}"):
            fp = fingerprint(ready)
            with self.ctx.uow() as uow:
                current = uow.genotype_matrices.of_members(study_id, key)
                if current is not None and current.fingerprint == fp and current.layout == layout.FORMAT:
                    return None
            record = GenotypeMatrix(
                workspace_id=ready[0].workspace_id,
                study_id=study_id,
                members_key=key,
                genome_ids=ids,
                fingerprint=fp,
                layout=layout.FORMAT,
                blob_key="",
                case_id=case_id,
                info={"sources": sorted({g.annotation_bundle for g in ready})},
            )
            record.blob_key = f"{PREFIX}/{study_id}/{record.uuid}.parquet"
            with ExitStack() as stack:
                paths = stack.enter_context(self.store.materialise_many([g.genotypes_key for g in ready]))
                annotations = stack.enter_context(self.annotation.annotations(ready))
                work = stack.enter_context(self.store.scratch())
                record.rows = build_matrix(paths, annotations or None, work / "matrix.parquet")
                self.store.put_file(record.blob_key, work / "matrix.parquet", move=True)
            old = None
            with self.ctx.uow() as uow:
                current = uow.genotype_matrices.of_members(study_id, key)
                if current is not None:
                    old = current.blob_key
                    uow.genotype_matrices.remove(current)
                uow.genotype_matrices.add(record)
                uow.commit()
            if old:
                self.store.delete(old)
        return record

    # -- reading -------------------------------------------------------------------------------------
    def find(
        self, study_id: int, genomes: dict[str, Genome], names: Sequence[str], pool: Sequence[str]
    ) -> GenotypeMatrix | None:
        """The current matrix of the study holding every genome of ``names`` (codes) — the one holding
        most of ``pool`` (the genomes the query reads or shows), then the smallest — whose annotation
        sources are those of the genomes the query reads, or None."""
        if not names:
            return None
        by_id = {g.id: g for g in genomes.values()}
        wanted = {genomes[n].id for n in names}
        shown = {genomes[n].id for n in pool}
        sources = {genomes[n].annotation_bundle for n in pool}
        with self.ctx.uow() as uow:
            records = list(uow.genotype_matrices.of_study(study_id))
        records.sort(key=lambda r: (-len(shown & set(r.genome_ids)), len(r.genome_ids)))
        for rec in records:
            if rec.layout != layout.FORMAT or not wanted <= set(rec.genome_ids):
                continue
            members = [by_id.get(i) for i in rec.genome_ids]
            if any(g is None for g in members):
                continue
            ready = [g for g in members if g is not None]
            if set(rec.info.get("sources") or []) != sources or fingerprint(ready) != rec.fingerprint:
                continue
            return rec
        return None

    def open(self, rec: GenotypeMatrix, genomes: dict[str, Genome], files: ExitStack) -> Matrix:
        """The matrix's local file (for as long as ``files`` is open), its members named by genome code."""
        path = files.enter_context(self.store.materialise(rec.blob_key))
        codes = {g.id: code for code, g in genomes.items()}
        return Matrix(path, tuple(codes[i] for i in rec.genome_ids))
