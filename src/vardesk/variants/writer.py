"""Chunked, bounded-memory Parquet writers for genotype and coverage files, sorted by key.

Each incoming chunk is sorted; rows at the chunk's last position are held back to the next chunk
(a multi-allelic site can straddle two chunks). When the chunks arrive in key order — any
coordinate-sorted VCF whose contigs are in 1..22, X, Y, MT order — the file is streamed straight to
disk. Otherwise the file is re-sorted at close with DuckDB, out of core under a memory limit.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from vardesk.domain.variant_key import chrom_code

# Row groups bounded so that a read of scattered sites (a page's full rows, a member's genotypes of a few
# keys) skips most of a file by its key statistics.
ROW_GROUP_ROWS = 1 << 16
_POS_SHIFT = 30


def _sort_keys(table: pa.Table) -> np.ndarray:
    """int64 order of a table: ``key`` for genotypes, (chrom code, start) for coverage."""
    if "key" in table.column_names:
        return np.asarray(table["key"].to_numpy(), dtype=np.int64)
    enc = pc.dictionary_encode(table["chrom"].combine_chunks())
    codes = np.array([chrom_code(c) for c in enc.dictionary.to_pylist()], dtype=np.int64)
    code = codes[np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64)]
    return (code << 58) | (np.asarray(table["start"].to_numpy(), dtype=np.int64) << _POS_SHIFT)


class SortedParquetWriter:
    """Write tables of ``schema`` to ``path`` in key order with bounded memory."""

    def __init__(self, path: Path, schema: pa.Schema, *, memory_limit: str = "512MB") -> None:
        self.path = Path(path)
        self.schema = schema
        self.rows = 0
        self._tmp = self.path.with_name(self.path.name + ".part")
        self._writer = pq.ParquetWriter(self._tmp, schema, compression="zstd", compression_level=1)
        self._held: pa.Table | None = None
        self._buffer: list[pa.Table] = []
        self._buffered = 0
        self._last = -1
        self.sorted = True
        self._memory_limit = memory_limit
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parquet-write")
        self._pending: Future[None] | None = None

    def write(self, table: pa.Table) -> None:
        if self._held is not None and self._held.num_rows:
            table = pa.concat_tables([self._held, table])
            self._held = None
        if table.num_rows == 0:
            return
        keys = _sort_keys(table)
        if not bool(np.all(keys[1:] >= keys[:-1])):
            order = np.argsort(keys, kind="stable")
            keys = keys[order]
            table = table.take(pa.array(order))
        # hold back the rows of the last position: the next chunk may continue it
        site = keys >> _POS_SHIFT
        cut = int(np.searchsorted(site, site[-1], side="left"))
        self._held = table.slice(cut)
        table, keys = table.slice(0, cut), keys[:cut]
        self._emit(table, keys)

    def _emit(self, table: pa.Table, keys: np.ndarray) -> None:
        if table.num_rows == 0:
            return
        if keys[0] < self._last:
            self.sorted = False
        self._last = int(keys[-1])
        self._buffer.append(table)
        self._buffered += table.num_rows
        if self._buffered >= ROW_GROUP_ROWS:
            self._flush()

    def _flush(self) -> None:
        """Hand the buffered rows to the writer thread (Parquet encoding releases the GIL)."""
        if self._buffer:
            table = pa.concat_tables(self._buffer)
            self.rows += self._buffered
            self._buffer, self._buffered = [], 0
            self._wait()
            self._pending = self._pool.submit(self._writer.write_table, table, ROW_GROUP_ROWS)

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def close(self) -> None:
        if self._held is not None and self._held.num_rows:
            held = self._held
            self._held = None
            self._emit(held, _sort_keys(held))
        self._flush()
        self._wait()
        self._pool.shutdown()
        self._writer.close()
        if self.sorted:
            os.replace(self._tmp, self.path)
            return
        import duckdb

        order = "key, chrom" if "key" in self.schema.names else "chrom_code, start"
        con = duckdb.connect()
        try:
            con.execute(f"SET memory_limit = '{self._memory_limit}'")
            con.execute(f"SET temp_directory = '{self.path.parent / '.duckdb-tmp'}'")
            con.execute("SET preserve_insertion_order = false")
            con.create_function("chrom_code", chrom_code, ["VARCHAR"], "BIGINT")  # type: ignore[arg-type]
            src = str(self._tmp).replace("'", "''")
            dst = str(self.path).replace("'", "''")
            con.execute(
                f"COPY (SELECT * FROM read_parquet('{src}') ORDER BY {order}) "
                f"TO '{dst}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_ROWS})"
            )
        finally:
            con.close()
        self._tmp.unlink()

    def abort(self) -> None:
        try:
            try:
                self._wait()
            finally:
                self._pool.shutdown()
            self._writer.close()
        finally:
            self._tmp.unlink(missing_ok=True)
