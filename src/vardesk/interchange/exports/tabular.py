"""Streaming JSON (array or NDJSON) and CSV writers for variant rows.

Each writer is a generator of ``str`` chunks: nothing is capped and memory stays bounded whatever the number
of rows. Wrap with :func:`vardesk.interchange.exports.rows.encode` for bytes.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from vardesk.interchange.exports.rows import RowSource, coalesce, columns_of, format_float, iter_rows, peek


def json_value(value: Any) -> Any:
    """``value`` as plain JSON data: NaN/inf → null, dates → ISO 8601, numpy scalars → Python, tuples and
    sets → lists, bytes → text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_value(v) for v in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return json_value(float(value))
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if hasattr(value, "item"):  # numpy scalar
        return json_value(value.item())
    if hasattr(value, "tolist"):  # numpy array
        return json_value(value.tolist())
    return str(value)


def _dumps(row: Mapping[str, Any]) -> str:
    return json.dumps(json_value(row), ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def iter_json(source: RowSource, *, wrap_key: str | None = None) -> Iterator[str]:
    """One JSON array of row objects, streamed: ``[{…},{…}]``, or ``{"<wrap_key>":[…]}`` (e.g. Fabric's
    ``objects``)."""

    def parts() -> Iterator[str]:
        yield "[" if wrap_key is None else "{" + json.dumps(wrap_key) + ":["
        for i, row in enumerate(iter_rows(source)):
            yield ("," if i else "") + _dumps(row)
        yield "]\n" if wrap_key is None else "]}\n"

    return coalesce(parts())


def iter_ndjson(source: RowSource) -> Iterator[str]:
    """Newline-delimited JSON: one row object per line."""
    return coalesce(_dumps(row) + "\n" for row in iter_rows(source))


def csv_cell(value: Any, list_separator: str = ";") -> str:
    """One CSV cell: empty for missing, lists joined with ``list_separator``, maps and structs as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_float(value) if math.isfinite(value) else ""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return json.dumps(json_value(value), ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, list | tuple | set | frozenset):
        return list_separator.join(csv_cell(v, list_separator) for v in value)
    plain = json_value(value)
    return str(plain) if not isinstance(plain, float) else csv_cell(plain, list_separator)


def iter_csv(
    source: RowSource,
    columns: Sequence[str] | None = None,
    *,
    list_separator: str = ";",
    header: bool = True,
    infer_rows: int = 1000,
) -> Iterator[str]:
    """CSV (RFC 4180 quoting, ``\\r\\n`` line ends) with a header row. ``columns`` picks and orders the
    columns; by default every key of the first ``infer_rows`` rows, in first-seen order (a key first seen
    later is not exported). Missing keys give empty cells."""

    def parts() -> Iterator[str]:
        rows = iter_rows(source)
        cols = list(columns) if columns is not None else None
        if cols is None:
            head, rows = peek(rows, infer_rows)
            cols = columns_of(head)
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        if header:
            writer.writerow(cols)
        for row in rows:
            writer.writerow([csv_cell(row.get(c), list_separator) for c in cols])
            if buf.tell() >= 16 * 1024:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()

    return coalesce(parts())
