"""Frequency and ClinVar lookups as DuckDB joins on the int64 variant key, and in-house counts."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from vardesk.variants.engine import engine

GNOMAD_COLUMNS = ("af", "ac", "an", "nhomalt", "af_grpmax", "faf95")
CLINVAR_COLUMNS = (
    "clinvar_id",
    "clinvar_significance",
    "clinvar_review_status",
    "clinvar_stars",
    "clinvar_disease",
)


def _sql_path(p: Path) -> str:
    return "'" + str(p).replace("'", "''") + "'"


class _Unsorted(Exception):
    pass


def _group_hits(
    table: Path, i: int, wanted: np.ndarray, columns: tuple[str, ...], dense: bool
) -> pa.Table | None:
    """Rows of row group ``i`` whose key is in ``wanted`` (sorted, distinct)."""
    f = pq.ParquetFile(table)
    group = f.read_row_group(i, columns=["key", *columns]) if dense else None
    col = (group if group is not None else f.read_row_group(i, columns=["key"]))["key"]
    group_keys = col.to_numpy()
    if len(group_keys) > 1 and not (group_keys[1:] >= group_keys[:-1]).all():
        raise _Unsorted
    pos = np.searchsorted(group_keys, wanted)
    pos[pos >= len(group_keys)] = 0
    hit = pos[group_keys[pos] == wanted]  # ascending and distinct: wanted is
    if not len(hit):
        return None
    if group is None:
        group = f.read_row_group(i, columns=["key", *columns])
    return group.take(pa.array(hit))


def sorted_hits(keys: np.ndarray, table: Path, columns: tuple[str, ...]) -> pa.Table | None:
    """Rows (key, *columns) of a lookup table sorted by key for the distinct sorted ``keys``.

    Streams the table by row groups (two at a time, in threads): groups whose key range (Parquet
    statistics) holds no wanted key are skipped, the others are matched by binary search, so memory
    stays at a few row groups. None when the table is not sorted by key (the caller then joins).
    """
    meta = pq.ParquetFile(table).metadata
    jobs: list[tuple[int, np.ndarray, bool]] = []
    last = None
    for i in range(meta.num_row_groups):
        st = meta.row_group(i).column(0).statistics
        if st is None or not st.has_min_max or (last is not None and st.min < last):
            return None
        last = st.max
        lo, hi = np.searchsorted(keys, st.min, "left"), np.searchsorted(keys, st.max, "right")
        if lo < hi:
            dense = (hi - lo) * 20 > meta.row_group(i).num_rows
            jobs.append((i, keys[lo:hi], dense))
    try:
        with ThreadPoolExecutor(2) as pool:
            parts = [p for p in pool.map(lambda j: _group_hits(table, j[0], j[1], columns, j[2]), jobs) if p]
    except _Unsorted:
        return None
    if not parts:
        schema = pq.ParquetFile(table).schema_arrow
        return pa.table({c: pa.array([], schema.field(c).type) for c in ("key", *columns)})
    return pa.concat_tables(parts).combine_chunks()


def lookup(keys: pa.Table | pa.Array, table: Path, columns: tuple[str, ...]) -> pa.Table:
    """Rows of the sorted lookup Parquet ``table`` for the given keys: (key, *columns), key order."""
    if isinstance(keys, pa.Array | pa.ChunkedArray):
        keys = pa.table({"key": keys})
    q = np.sort(keys["key"].to_numpy(zero_copy_only=False).astype(np.int64))
    hits = sorted_hits(np.unique(q), table, columns)
    if hits is not None:
        # one row per query key, as a join gives (repeated keys repeat their row)
        hk = hits["key"].to_numpy()
        pos = np.searchsorted(hk, q)
        pos[pos >= len(hk)] = 0
        found = (hk[pos] == q) if len(hk) else np.zeros(len(q), bool)
        return hits.take(pa.array(pos[found]))
    con = duckdb.connect()
    con.register("q", keys.select(["key"]))
    cols = ", ".join(f"t.{c}" for c in columns)
    sql = f"SELECT q.key, {cols} FROM q JOIN read_parquet({_sql_path(table)}) t USING (key) ORDER BY q.key"
    return con.sql(sql).to_arrow_table()


def lookup_gnomad(keys: pa.Table | pa.Array, gnomad: Path) -> pa.Table:
    return lookup(keys, gnomad, GNOMAD_COLUMNS)


def lookup_clinvar(keys: pa.Table | pa.Array, clinvar: Path) -> pa.Table:
    return lookup(keys, clinvar, CLINVAR_COLUMNS)


def inhouse_counts(
    genotype_files: list[Path],
    *,
    exclude: Path | str | None = None,
    keys: pa.Array | None = None,
) -> pa.Table:
    """Carriers and homozygotes per key across genotype Parquet files, leaving out one genome.

    ``exclude`` is a genotype file or its genome name (file stem). Returns (key, carriers,
    homozygotes, hemizygotes, genomes) where ``genomes`` is the number of files counted.
    Zygosity codes follow the genotype table: 1 het, 2 hom-alt, 3 hemizygous.
    """
    files = [Path(f) for f in genotype_files]
    if exclude is not None:
        ex = Path(exclude)
        files = [f for f in files if f.resolve() != ex.resolve() and f.stem != str(exclude)]
    empty = pa.table(
        {
            "key": pa.array([], pa.int64()),
            "carriers": pa.array([], pa.int64()),
            "homozygotes": pa.array([], pa.int64()),
            "hemizygotes": pa.array([], pa.int64()),
            "genomes": pa.array([], pa.int64()),
        }
    )
    if not files:
        return empty
    where = "zygosity IN (1, 2, 3)"
    if keys is not None:
        where += " AND key IN (SELECT key FROM wanted)"
    paths = "[" + ", ".join(_sql_path(f) for f in files) + "]"
    # a genome counts once per key even if a file repeats a key
    sql = f"""
    WITH g AS (
      SELECT filename, key, max(zygosity) AS z
      FROM read_parquet({paths}, filename = true) WHERE {where} GROUP BY filename, key
    )
    SELECT key, count(*) AS carriers, count(*) FILTER (WHERE z = 2) AS homozygotes,
           count(*) FILTER (WHERE z = 3) AS hemizygotes, {len(files)}::BIGINT AS genomes
    FROM g GROUP BY key ORDER BY key
    """
    with engine().cursor() as con:
        if keys is not None:
            con.register("wanted", pa.table({"key": keys}))
        return con.sql(sql).to_arrow_table()
