"""The physical layout of the annotation Parquet: sorted by key, bounded row groups, flat filter columns.

A query filters on a few annotation fields and reads the full row (with the nested transcripts) only for
the page it returns. So every annotation part is written sorted by key in row groups of
:data:`ROW_GROUP_ROWS` rows, with min/max statistics on the columns queries prune by, and carries flat
columns derived from the nested transcripts, so a filter never has to decode them:

* ``consequence_rank`` — the Sequence Ontology rank of the worst consequence (``so.rank``; smaller is
  more severe), a small integer a range predicate pushes into the scan;
* ``consequence_terms`` — every consequence term of every transcript (a flat list);
* ``gene_symbols`` — every transcript's gene symbol (a flat list).

Parts written before these columns existed stay readable: the query layer uses a flat column only when
every part of a source has it (:func:`flat_columns`) and falls back to the nested transcripts otherwise.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from vardesk.domain import so

ROW_GROUP_ROWS = 1 << 15  # a page of scattered sites decodes only the row groups it touches
FLAT_COLUMNS = ("consequence_rank", "consequence_terms", "gene_symbols")
FLAT_FIELDS = (
    pa.field("consequence_rank", pa.int16()),
    pa.field("consequence_terms", pa.list_(pa.string())),
    pa.field("gene_symbols", pa.list_(pa.string())),
)
# min/max statistics for the columns a query prunes row groups by (others: none, smaller and faster)
STATISTICS_COLUMNS = ["key", "chrom", "pos", "consequence_rank", "gnomad_af"]


def with_flat_columns(table: pa.Table) -> pa.Table:
    """``table`` with :data:`FLAT_COLUMNS` computed from ``consequence`` and ``transcripts`` (replacing any
    already there)."""
    table = table.drop_columns([c for c in FLAT_COLUMNS if c in table.column_names])
    n = table.num_rows
    rank: pa.Array = pa.nulls(n, pa.int16())
    genes: pa.Array = pa.nulls(n, pa.list_(pa.string()))
    terms: pa.Array = pa.nulls(n, pa.list_(pa.string()))
    if n and "consequence" in table.column_names:
        rank = _ranks(table["consequence"].combine_chunks())
    if n and "transcripts" in table.column_names:
        genes, terms = _flat_lists(table["transcripts"].combine_chunks())
    for field, column in zip(FLAT_FIELDS, (rank, terms, genes), strict=True):
        table = table.append_column(field, column)
    return table


def _ranks(consequence: pa.Array) -> pa.Array:
    enc = pc.dictionary_encode(consequence)
    ranks = np.array([so.rank(t) for t in enc.dictionary.to_pylist()] + [0], dtype=np.int16)
    idx = enc.indices.fill_null(len(ranks) - 1).to_numpy().astype(np.int64)
    return pa.array(ranks[idx], pa.int16(), mask=pc.is_null(consequence).to_numpy(zero_copy_only=False))


def _flat_lists(tx: pa.ListArray) -> tuple[pa.Array, pa.Array]:
    """(gene symbols, consequence terms) of each row of a list<transcript> array, as flat lists."""
    if tx.null_count:
        tx = tx.fill_null(pa.scalar([], tx.type))
    offsets = tx.offsets.to_numpy().astype(np.int64)
    lo, hi = int(offsets[0]), int(offsets[-1])
    values = tx.values.slice(lo, hi - lo)  # the transcripts of every row, in order
    row_off = offsets - lo
    genes = pa.ListArray.from_arrays(pa.array(row_off, pa.int32()), pc.struct_field(values, "gene_symbol"))
    cons = pc.struct_field(values, "consequences")
    if cons.null_count:
        cons = cons.fill_null(pa.scalar([], cons.type))
    c_off = cons.offsets.to_numpy().astype(np.int64)
    c_lo, c_hi = int(c_off[0]), int(c_off[-1])
    flat = cons.values.slice(c_lo, c_hi - c_lo)
    terms = pa.ListArray.from_arrays(pa.array(c_off[row_off] - c_lo, pa.int32()), flat)
    return genes, terms


def write_options(schema: pa.Schema) -> dict[str, object]:
    """Keyword arguments of ``pyarrow.parquet`` writers for an annotation part of ``schema``."""
    return {
        "compression": "zstd",
        "compression_level": 1,
        "write_statistics": [c for c in STATISTICS_COLUMNS if c in schema.names],
    }


def write_annotation(table: pa.Table, path: Path) -> None:
    """Write ``table`` (annotation rows, any order) as one part: sorted by key, flat filter columns added,
    row groups of :data:`ROW_GROUP_ROWS`."""
    table = with_flat_columns(table.sort_by("key"))
    pq.write_table(table, path, row_group_size=ROW_GROUP_ROWS, **write_options(table.schema))  # type: ignore[arg-type]
