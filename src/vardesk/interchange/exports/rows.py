"""Row sources for the export writers: dicts or Arrow record batches, read lazily, peeked without loss."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa

Row: TypeAlias = Mapping[str, Any]
RowSource: TypeAlias = Iterable[Row] | Iterable[pa.RecordBatch] | pa.Table | pa.RecordBatchReader

CHUNK_CHARS = 64 * 1024


def iter_rows(source: RowSource) -> Iterator[Row]:
    """One mapping per variant row, whatever the source: dicts pass through; Arrow tables, readers and
    batches are converted one batch at a time (maps become dicts), so memory stays bounded."""
    if isinstance(source, pa.Table):
        source = source.to_batches()
    for item in source:
        if isinstance(item, pa.RecordBatch):
            yield from _decimal_float32(item).to_pylist(maps_as_pydicts="strict")
        elif isinstance(item, Mapping):
            yield item
        else:
            raise TypeError(
                f"an export row must be a mapping or an Arrow RecordBatch, not {type(item).__name__}"
            )


def _decimal_float32(batch: pa.RecordBatch) -> pa.RecordBatch:
    """float32 columns as the float64 of their shortest decimal text (0.1f exports as 0.1, not
    0.10000000149011612)."""
    for i, f in enumerate(batch.schema):
        if pa.types.is_float32(f.type):
            values = [None if v is None else float(str(np.float32(v))) for v in batch.column(i).to_pylist()]
            batch = batch.set_column(i, f.with_type(pa.float64()), pa.array(values, pa.float64()))
    return batch


def peek(rows: Iterator[Row], n: int) -> tuple[list[Row], Iterator[Row]]:
    """The first ``n`` rows, and an iterator over all rows (those included)."""
    head = list(itertools.islice(rows, n))
    return head, itertools.chain(head, rows)


def columns_of(rows: Iterable[Row]) -> list[str]:
    """Every key of ``rows`` in first-seen order."""
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


def coalesce(parts: Iterable[str], size: int = CHUNK_CHARS) -> Iterator[str]:
    """Join small strings into chunks of about ``size`` characters (fewer, larger writes to the socket)."""
    buf: list[str] = []
    n = 0
    for part in parts:
        buf.append(part)
        n += len(part)
        if n >= size:
            yield "".join(buf)
            buf, n = [], 0
    if buf:
        yield "".join(buf)


def encode(chunks: Iterable[str], encoding: str = "utf-8") -> Iterator[bytes]:
    """The chunks as bytes, for byte-oriented streaming responses and files."""
    for chunk in chunks:
        yield chunk.encode(encoding)


def format_float(value: float) -> str:
    """Shortest text that reads back as the same float; integral values without ``.0``."""
    if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)
