"""Annotation rows: one per new variant key per bundle, appended as Parquet parts.

``annotate_variants`` takes distinct normalised variants (key, chrom, pos, ref, alt), skips keys the
bundle's annotation directory already holds, calls consequences (bcftools csq), formats HGVS for the
transcripts that need it, joins gnomAD and ClinVar from the bundle and writes one part file.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from vardesk.annotate import hgvs_bulk
from vardesk.annotate.bundle import Bundle
from vardesk.annotate.consequences import parse_bcsq, run_csq
from vardesk.annotate.lookups import CLINVAR_COLUMNS, GNOMAD_COLUMNS, _sql_path, sorted_hits
from vardesk.annotate.pipeline_fields import NEW_FIELDS
from vardesk.variants.layout import FLAT_FIELDS, ROW_GROUP_ROWS, STATISTICS_COLUMNS, with_flat_columns

TRANSCRIPT_STRUCT = pa.struct(
    [
        ("transcript_id", pa.string()),
        ("gene_symbol", pa.string()),
        ("gene_id", pa.string()),
        ("biotype", pa.string()),
        ("consequences", pa.list_(pa.string())),
        ("impact", pa.string()),
        ("hgvs_c", pa.string()),
        ("hgvs_p", pa.string()),
        ("protein_change", pa.string()),
        ("canonical", pa.bool_()),
        ("mane", pa.bool_()),
    ]
)

ANNOTATION_SCHEMA = pa.schema(
    [
        ("key", pa.int64()),
        ("chrom", pa.string()),
        ("pos", pa.int32()),
        ("ref", pa.string()),
        ("alt", pa.string()),
        ("gene_symbol", pa.string()),
        ("gene_id", pa.string()),
        ("consequence", pa.string()),
        ("impact", pa.string()),
        ("transcript_id", pa.string()),
        ("hgvs_c", pa.string()),
        ("hgvs_p", pa.string()),
        ("transcripts", pa.list_(TRANSCRIPT_STRUCT)),
        ("gnomad_af", pa.float32()),
        ("gnomad_ac", pa.int32()),
        ("gnomad_an", pa.int32()),
        ("gnomad_nhomalt", pa.int32()),
        ("gnomad_af_grpmax", pa.float32()),
        ("gnomad_faf95", pa.float32()),
        ("clinvar_id", pa.string()),
        ("clinvar_significance", pa.string()),
        ("clinvar_review_status", pa.string()),
        ("clinvar_stars", pa.int8()),
        ("clinvar_disease", pa.string()),
        # per-cohort gnomAD frequencies, REVEL, CADD, SpliceAI, AlphaMissense and where they were read:
        # what a pipeline's VCF carries (vardesk.annotate.pipeline_fields); null when a bundle annotates
        *NEW_FIELDS,
        ("bundle_id", pa.string()),
        ("bundle_version", pa.string()),
        *FLAT_FIELDS,  # filter columns derived from the transcripts (vardesk.variants.layout)
    ]
)


@dataclass
class AnnotationStats:
    variants_in: int = 0
    already_annotated: int = 0
    annotated: int = 0
    with_consequence: int = 0
    gnomad_hits: int = 0
    clinvar_hits: int = 0
    part: Path | None = None
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def annotation_dir(root: Path, bundle: Bundle) -> Path:
    """``<root>/annotations/<bundle-id>`` — where the parts of one bundle live."""
    return Path(root) / "annotations" / bundle.id


def next_part(directory: Path) -> Path:
    """A new part file name in ``directory`` (parts are numbered, never rewritten)."""
    existing = sorted(directory.glob("part-*.parquet"))
    n = int(existing[-1].stem.split("-")[1]) + 1 if existing else 0
    return directory / f"part-{n:06d}.parquet"


def _empty_gnomad() -> str:
    return (
        "SELECT NULL::BIGINT AS key, NULL::FLOAT AS af, NULL::INTEGER AS ac, NULL::INTEGER AS an, "
        "NULL::INTEGER AS nhomalt, NULL::FLOAT AS af_grpmax, NULL::FLOAT AS faf95 WHERE false"
    )


def _empty_clinvar() -> str:
    return (
        "SELECT NULL::BIGINT AS key, NULL::VARCHAR AS clinvar_id, NULL::VARCHAR AS clinvar_significance, "
        "NULL::VARCHAR AS clinvar_review_status, NULL::TINYINT AS clinvar_stars, "
        "NULL::VARCHAR AS clinvar_disease WHERE false"
    )


_STRUCT_FIELDS = [f.name for f in TRANSCRIPT_STRUCT]
_PICKED = ("gene_symbol", "gene_id", "transcript_id", "hgvs_c", "hgvs_p")


def _group_starts(keys: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.zeros(0, np.int64)


def _order(tx: pa.Table, *names: str) -> np.ndarray:
    """Row order of ``tx`` by the named columns (``-name`` descending; transcript ids by text, nulls
    last), as a numpy lexsort over numeric columns (no string sort, no table copy)."""
    cols = []
    for name in names:
        col = tx[name.lstrip("-")]
        if pa.types.is_string(col.type):
            num = pc.rank(pc.fill_null(col, "\uffff"), sort_keys="ascending").to_numpy()  # nulls last
        else:
            num = col.to_numpy(zero_copy_only=False).astype(np.int64)
        cols.append(-num if name.startswith("-") else num)
    return np.lexsort(cols[::-1])


def _take(col: pa.ChunkedArray, idx: np.ndarray) -> pa.Array:
    return col.take(pa.array(idx)).combine_chunks()


def _per_key(tx: pa.Table) -> pa.Table:
    """One row per key of the per-transcript rows: worst consequence and its impact, the picked
    transcript (MANE, then canonical, then most severe) and the list of all transcripts (most
    severe first), sorted by key. Vectorised sorts and list offsets, no per-row Python."""
    by_rank = _order(tx, "key", "rank", "transcript_id")
    keys = tx["key"].to_numpy()[by_rank]
    starts = _group_starts(keys)
    struct = pa.StructArray.from_arrays(
        [_take(tx[f], by_rank).cast(TRANSCRIPT_STRUCT.field(f).type) for f in _STRUCT_FIELDS],
        fields=list(TRANSCRIPT_STRUCT),
    )
    offsets = pa.array(np.r_[starts, len(keys)].astype(np.int32))
    worst = by_rank[starts]
    by_pick = _order(tx, "key", "-mane", "-canonical", "rank", "transcript_id")
    picked = by_pick[_group_starts(tx["key"].to_numpy()[by_pick])]
    cols = {"key": keys[starts], "consequence": _take(tx["consequence"], worst)}
    cols["impact"] = _take(tx["impact"], worst)
    cols |= {c: _take(tx[c], picked) for c in _PICKED}
    cols["transcripts"] = pa.ListArray.from_arrays(offsets, struct)
    return pa.table(cols)


def _aligned(keys: np.ndarray, side: pa.Table) -> pa.Table:
    """Rows of ``side`` (unique keys, sorted) lined up with the sorted ``keys``; nulls where absent."""
    side_keys = side["key"].to_numpy()
    if len(side_keys) == 0:
        idx = pa.nulls(len(keys), pa.int64())
    else:
        pos = np.searchsorted(side_keys, keys)
        pos[pos >= len(side_keys)] = 0
        found = side_keys[pos] == keys
        idx = pa.array(pos, pa.int64(), mask=~found)
    return side.take(idx)


WRITE_SLICE = 1 << 20  # annotation rows built and written at a time (bounds memory)
# Dictionary pages only for repetitive strings and min/max statistics only for the columns queries
# prune row groups by: writing is then ~1.5x faster and the part ~30 % smaller.
WRITE_OPTIONS: dict[str, object] = {
    "compression": "zstd",
    "compression_level": 1,
    "use_dictionary": [
        "chrom", "ref", "alt", "gene_symbol", "gene_id", "consequence", "impact", "transcript_id",
        "clinvar_significance", "clinvar_review_status", "clinvar_disease", "bundle_id", "bundle_version",
    ],
    "write_statistics": STATISTICS_COLUMNS,
}  # fmt: skip


def _select_new(con: duckdb.DuckDBPyConnection, v_in: pa.Table, parts: list[Path]) -> tuple[pa.Table, int]:
    """(distinct variants of ``v_in`` whose keys no part holds, sorted by key; distinct key count)."""
    keys = v_in["key"].to_numpy()
    if len(keys) < 2 or (keys[1:] > keys[:-1]).all():  # already distinct and sorted: no group/sort
        new, distinct = v_in, len(keys)
    else:
        con.register("v_in", v_in)
        new = con.sql(
            "SELECT key, any_value(chrom) AS chrom, any_value(pos) AS pos, any_value(ref) AS ref, "
            "any_value(alt) AS alt FROM v_in GROUP BY key ORDER BY key"
        ).to_arrow_table()
        distinct = len(new)
    if parts:
        con.register("cand", new.select(["key"]))
        files = ", ".join(_sql_path(p) for p in parts)
        known = con.sql(
            f"SELECT DISTINCT k.key FROM read_parquet([{files}]) k SEMI JOIN cand c ON k.key = c.key"
        ).to_arrow_table()
        if len(known):
            new = new.filter(pc.invert(pc.is_in(new["key"], known["key"])))
    pos = new["pos"] if new["pos"].type == pa.int32() else pc.cast(new["pos"], pa.int32())
    return new.set_column(new.schema.get_field_index("pos"), "pos", pos), distinct


def _side(
    con: duckdb.DuckDBPyConnection, keys: np.ndarray, table: Path | None, columns: tuple[str, ...], empty: str
) -> pa.Table:
    """Rows (key, *columns) of a lookup table for the sorted distinct ``keys``, sorted by key."""
    if table is None:
        return con.sql(empty).to_arrow_table()
    hits = sorted_hits(keys, table, columns)
    if hits is not None:
        return hits
    cols = ", ".join(f"t.{c}" for c in columns)
    return con.sql(
        f"SELECT t.key, {cols} FROM read_parquet({_sql_path(table)}) t "
        "SEMI JOIN new_keys n ON t.key = n.key ORDER BY t.key"
    ).to_arrow_table()


def _sides(
    con: duckdb.DuckDBPyConnection, new: pa.Table, tx: pa.Table, bundle: Bundle
) -> dict[str, pa.Table]:
    """Per-key consequence summary, gnomAD and ClinVar rows of the new keys, each sorted by key."""
    con.register("new_keys", new.select(["key"]))
    keys = new["key"].to_numpy()
    return {
        "tx": _per_key(tx),
        "gnomad": _side(con, keys, bundle.gnomad, GNOMAD_COLUMNS, _empty_gnomad()),
        "clinvar": _side(con, keys, bundle.clinvar, CLINVAR_COLUMNS, _empty_clinvar()),
    }


def _assemble(new: pa.Table, sides: dict[str, pa.Table], bundle: Bundle) -> pa.Table:
    """Annotation rows of ``new`` (sorted by key): the side tables lined up by binary search."""
    keys = new["key"].to_numpy()
    pk, ga, ca = (_aligned(keys, sides[x]) for x in ("tx", "gnomad", "clinvar"))
    n = len(new)
    cols: dict[str, pa.Array | pa.ChunkedArray] = {x: new[x] for x in ("key", "chrom", "pos", "ref", "alt")}
    for x in ("gene_symbol", "gene_id", "consequence", "impact", "transcript_id", "hgvs_c", "hgvs_p"):
        cols[x] = pk[x]
    cols["transcripts"] = pk["transcripts"]
    for x in ("af", "ac", "an", "nhomalt", "af_grpmax", "faf95"):
        cols[f"gnomad_{x}"] = ga[x]
    for x in (
        "clinvar_id",
        "clinvar_significance",
        "clinvar_review_status",
        "clinvar_stars",
        "clinvar_disease",
    ):
        cols[x] = ca[x]
    for f in NEW_FIELDS:  # the pipeline's own columns: a bundle has none of them
        cols[f.name] = pa.nulls(n, f.type)
    cols["bundle_id"] = pa.repeat(pa.scalar(bundle.id), n)
    cols["bundle_version"] = pa.repeat(pa.scalar(bundle.version), n)
    return with_flat_columns(pa.table(cols)).cast(ANNOTATION_SCHEMA)


def annotate_variants(
    variants: pa.Table,
    bundle: Bundle,
    out_parquet: Path,
    *,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
    known: Sequence[Path] | None = None,
) -> AnnotationStats:
    """Annotate the keys of ``variants`` not yet in ``out_parquet``'s directory; write them there.

    ``out_parquet`` is the new part (e.g. ``annotations/<bundle-id>/part-000003.parquet``); every other
    ``*.parquet`` in its directory counts as already annotated — or the parts in ``known``, when given
    (the new part is then written wherever the caller wants it, e.g. a scratch directory). Nothing is
    written when all keys are known. Rows are sorted by key.
    """
    t0 = time.perf_counter()
    stats = AnnotationStats(variants_in=len(variants))
    out_parquet = Path(out_parquet)
    out_parquet.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    if known is not None:
        parts = list(known)
    else:
        parts = [
            p for p in sorted(out_parquet.parent.glob("*.parquet")) if p.resolve() != out_parquet.resolve()
        ]
    new, distinct = _select_new(con, variants.select(["key", "chrom", "pos", "ref", "alt"]), parts)
    stats.already_annotated = distinct - len(new)
    stats.timings["select_new"] = time.perf_counter() - t0
    if len(new) == 0:
        stats.seconds = time.perf_counter() - t0
        return stats
    if progress:
        progress(f"annotating {len(new)} new variants with bundle {bundle.id}")

    t = time.perf_counter()
    raw = run_csq(new, bundle, workers=workers, progress=progress)
    stats.timings["csq"] = time.perf_counter() - t
    t = time.perf_counter()
    if progress:
        progress("parsing consequences")
    tx_meta = pq.read_table(bundle.path / "transcripts.parquet")
    tx = parse_bcsq(raw, tx_meta)
    del raw
    pa.default_memory_pool().release_unused()  # give the BCSQ text back before the HGVS workers start
    stats.timings["parse"] = time.perf_counter() - t
    t = time.perf_counter()
    if progress:
        progress(f"hgvs for {len(tx)} transcript rows")
    tx = hgvs_bulk.add_hgvs(tx, new, bundle, workers=workers)
    stats.timings["hgvs"] = time.perf_counter() - t

    t = time.perf_counter()
    if progress:
        progress("joining gnomAD and ClinVar")
    sides = _sides(con, new, tx, bundle)
    del tx
    pa.default_memory_pool().release_unused()
    stats.timings["join"] = time.perf_counter() - t
    t = time.perf_counter()
    if progress:
        progress(f"writing {out_parquet.name}")
    tmp = out_parquet.with_name(f".{out_parquet.name}.tmp")
    with pq.ParquetWriter(tmp, ANNOTATION_SCHEMA, **WRITE_OPTIONS) as writer:
        for lo in range(0, len(new), WRITE_SLICE):
            part = _assemble(new.slice(lo, WRITE_SLICE), sides, bundle)
            writer.write_table(part, row_group_size=ROW_GROUP_ROWS)
            stats.with_consequence += len(part) - part["consequence"].null_count
            stats.gnomad_hits += len(part) - part["gnomad_af"].null_count
            stats.clinvar_hits += int(pc.sum(pc.is_valid(part["clinvar_significance"])).as_py() or 0)
    os.replace(tmp, out_parquet)
    stats.timings["write"] = time.perf_counter() - t
    stats.annotated = len(new)
    stats.part = out_parquet
    stats.seconds = time.perf_counter() - t0
    return stats
