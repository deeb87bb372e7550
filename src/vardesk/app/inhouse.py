"""In-house frequencies per workspace from a maintained aggregate (:mod:`vardesk.variants.inhouse`).

The aggregate ``inhouse/<workspace>/counts.parquet`` counts the workspace's READY genomes; it is brought
up to date (genomes added and removed since) when a genome is indexed and when one is deleted, one writer
at a time (the store's lock, across processes). A query asks for the counts over the genomes it wants —
the workspace's other READY genomes — and gets the aggregate corrected by the few genomes it counts that
the query does not want and the few it lacks, read from their genotype files: the same counts as a scan
of every genome, whatever the aggregate's age. Where a genome it counts has no file any more (deleted
before the aggregate was updated), the genomes are scanned as before.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from vardesk.app.context import ServiceContext
from vardesk.domain.errors import NotFound
from vardesk.storage.blobs import BlobStore
from vardesk.variants import inhouse
from vardesk.variants.matrix import Matrix

log = logging.getLogger(__name__)


def aggregate_key(workspace_id: int) -> str:
    """The aggregate's manifest (the genomes counted, the partition of each chromosome)."""
    return f"inhouse/{workspace_id}/counts.parquet"


def partitions_prefix(workspace_id: int) -> str:
    return f"inhouse/{workspace_id}/partitions"


class InhouseFrequencies:
    def __init__(self, ctx: ServiceContext, store: BlobStore) -> None:
        self.ctx = ctx
        self.store = store

    def _ready(self, workspace_id: int) -> list[str]:
        with self.ctx.uow() as uow:
            genomes = uow.genomes.ready_in_workspace(workspace_id)
        return [g.genotypes_key for g in genomes if g.genotypes_key]

    def refresh(self, workspace_id: int) -> None:
        """Bring the workspace's aggregate up to date with its READY genomes (a failure is logged: the
        queries stay correct with an old aggregate, only slower)."""
        try:
            self._refresh(workspace_id)
        except Exception as exc:  # noqa: BLE001 - the aggregate is an accelerator, never a source of truth
            log.warning(
                "in-house aggregate of workspace %s not updated: %s", workspace_id, type(exc).__name__
            )

    def _refresh(self, workspace_id: int) -> None:
        key = aggregate_key(workspace_id)
        with self.store.lock(key), ExitStack() as stack:
            ready = self._ready(workspace_id)
            old = stack.enter_context(self.store.materialise(key)) if self.store.exists(key) else None
            found = inhouse.manifest_partitions(pq.ParquetFile(old)) if old is not None else None
            current = found is not None  # else none yet, or one file of the older layout: counted anew
            counted = inhouse.members(old) if current else []
            parts = found or {}
            remove = [k for k in counted if k not in set(ready)]
            if any(not self.store.exists(k) for k in [*remove, *parts.values()]):
                counted, remove, parts = [], [], {}  # a counted genome or a partition is gone: anew
                current = False
            add = [k for k in ready if k not in set(counted)]
            if not add and not remove and current:
                return
            local = stack.enter_context(self.store.materialise_many(add + remove))
            paths = dict(zip(add + remove, local, strict=True))
            change = inhouse.delta({k: paths[k] for k in add}, {k: paths[k] for k in remove})
            touched = set(inhouse.chrom_codes(change["key"]).to_pylist()) & set(parts)
            olds = dict(
                zip(
                    sorted(touched),
                    stack.enter_context(self.store.materialise_many([parts[c] for c in sorted(touched)])),
                    strict=True,
                )
            )
            work = stack.enter_context(self.store.scratch())
            counted = [k for k in counted if k not in set(remove)] + add
            written = inhouse.merge_partitions(olds, change, work, counted)
            new_parts = dict(parts)
            for code, path in written.items():
                if path is None:
                    new_parts.pop(code, None)
                    continue
                part_key = f"{partitions_prefix(workspace_id)}/{code}-{uuid.uuid4().hex[:12]}.parquet"
                self.store.put_file(part_key, path, move=True)
                new_parts[code] = part_key
            inhouse.write_manifest(work / "counts.parquet", counted, new_parts)
            self.store.put_file(key, work / "counts.parquet", move=True)  # the new partitions at once
            keep = set(new_parts.values())  # the partitions replaced go (a reader then scans instead)
            for part_key in self.store.list(partitions_prefix(workspace_id)):
                if part_key not in keep:
                    self.store.delete(part_key)

    def counts(
        self,
        workspace_id: int,
        wanted: Sequence[str],
        keys: Sequence[int],
        *,
        matrix: Matrix | None = None,
        members: Mapping[str, str] | None = None,
    ) -> dict[int, dict[str, int]]:
        """Carriers, homozygotes and hemizygotes per key over the genotype files ``wanted`` (store keys);
        keys no wanted genome carries are left out. The corrections for genomes of ``members`` (store key
        → member of ``matrix``) are read from the matrix."""
        if not wanted or not keys:
            return {}
        key = aggregate_key(workspace_id)
        with ExitStack() as stack:
            base: dict[int, list[int]] = {}
            counted: list[str] = []
            if self.store.exists(key):
                aggregate = pq.ParquetFile(stack.enter_context(self.store.materialise(key)))
                counted = inhouse.file_members(aggregate)
                missing = [k for k in counted if k not in set(wanted)]
                if all(self.store.exists(k) for k in missing):
                    try:
                        base = self._base(aggregate, keys, stack)
                    except NotFound:  # a partition replaced meanwhile: the genomes are scanned
                        base, counted = {}, []
                else:
                    counted = []
            missing = [k for k in counted if k not in set(wanted)]
            extra = [k for k in wanted if k not in set(counted)]
            inside = set(members or {}) if matrix is not None else set()
            local = stack.enter_context(
                self.store.materialise_many([k for k in extra + missing if k not in inside])
            )
            paths = dict(zip([k for k in extra + missing if k not in inside], local, strict=True))
            return inhouse.counts(
                base,
                keys,
                extra={k: paths.get(k, Path(k)) for k in extra},
                missing={k: paths.get(k, Path(k)) for k in missing},
                matrix=matrix,
                members=members,
            )

    def _base(self, aggregate: pq.ParquetFile, keys: Sequence[int], stack: ExitStack) -> dict[int, list[int]]:
        """The aggregate's counts of ``keys``: from the partitions of their chromosomes (or from the one
        file of the older layout)."""
        parts = inhouse.manifest_partitions(aggregate)
        if parts is None:
            return inhouse.aggregate_counts(aggregate, keys)
        codes = inhouse.chrom_codes(pa.array(list(keys), pa.int64())).to_pylist()
        by_code: dict[int, list[int]] = {}
        for k, c in zip(keys, codes, strict=True):
            by_code.setdefault(c, []).append(k)
        base: dict[int, list[int]] = {}
        for code, ks in by_code.items():
            if code in parts:
                path = stack.enter_context(self.store.materialise(parts[code]))
                base |= inhouse.aggregate_counts(pq.ParquetFile(path), ks)
        return base
