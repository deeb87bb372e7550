"""Small vectorised helpers over Arrow string/list arrays used by the genotype extraction."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NUMBER_RE = r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$"


def flat(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def list_offsets(arr: pa.ListArray) -> np.ndarray:
    return np.asarray(arr.offsets.to_numpy(zero_copy_only=False), dtype=np.int64)


def list_take(lists: pa.ListArray, index: np.ndarray | int) -> pa.Array:
    """Element ``index`` (per row or scalar) of each list; null where the list is null or too short."""
    lists = flat(lists)
    off = list_offsets(lists)
    lens = np.diff(off)
    idx = np.broadcast_to(np.asarray(index, dtype=np.int64), lens.shape)
    ok = (idx >= 0) & (idx < lens)
    if lists.null_count:
        ok &= np.asarray(lists.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    pick = np.where(ok, off[:-1] + idx, 0)
    values = lists.values
    if len(values) == 0:
        return pa.nulls(len(lists), values.type)
    return values.take(pa.array(pick, mask=~ok))


def to_float(values: pa.Array) -> np.ndarray:
    """Numbers as float64 with NaN for '.', empty, null or anything that is not a number."""
    values = flat(values)
    if len(values) == 0:
        return np.zeros(0)
    clean = pc.if_else(pc.match_substring_regex(values, NUMBER_RE), values, pa.scalar(None, pa.string()))
    try:
        out = pc.cast(clean, pa.float64())
    except pa.ArrowInvalid:  # pragma: no cover - the regex admits only parseable numbers
        return np.full(len(values), np.nan)
    return np.asarray(out.to_numpy(zero_copy_only=False), dtype=np.float64)


def fast_float(values: pa.Array) -> np.ndarray:
    """As :func:`to_float`, trying a direct cast first ('.' → NaN) and the regex only on failure."""
    values = flat(values)
    try:
        cleaned = pc.if_else(pc.equal(values, "."), pa.scalar(None, pa.string()), values)
        out = pc.cast(cleaned, pa.float64())
        return np.asarray(out.to_numpy(zero_copy_only=False), dtype=np.float64)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return to_float(values)


class NumberLists:
    """Comma-separated number lists per row (e.g. AD ``12,5``) as offsets + float64 values (NaN missing)."""

    def __init__(self, values: pa.Array) -> None:
        values = flat(values)
        lists = pc.split_pattern(values, ",")
        self.offsets = list_offsets(lists)
        self.lengths = np.diff(self.offsets)
        if lists.null_count:
            self.lengths = np.where(np.asarray(lists.is_valid()), self.lengths, 0)
        self.values = fast_float(lists.values) if len(lists.values) else np.zeros(0)

    def get(self, rows: np.ndarray, index: np.ndarray | int) -> np.ndarray:
        """Value ``index`` of each row in ``rows``; NaN when absent."""
        idx = np.broadcast_to(np.asarray(index, dtype=np.int64), rows.shape)
        ok = (idx >= 0) & (idx < self.lengths[rows])
        pos = np.where(ok, self.offsets[rows] + idx, 0)
        out = np.full(len(rows), np.nan)
        if len(self.values):
            out[ok] = self.values[pos[ok]]
        return out

    def total(self, rows: np.ndarray) -> np.ndarray:
        """Sum of each row's values (missing entries count 0); NaN for rows without values."""
        sums = np.zeros(len(self.lengths))
        if len(self.values):
            owner = np.repeat(np.arange(len(self.lengths)), np.diff(self.offsets))
            sums = np.bincount(owner, weights=np.nan_to_num(self.values), minlength=len(self.lengths))
            has = np.bincount(owner, weights=~np.isnan(self.values), minlength=len(self.lengths)) > 0
            sums = np.where(has, sums, np.nan)
        else:
            sums[:] = np.nan
        return sums[rows]


def int32_or_null(values: np.ndarray) -> pa.Array:
    """float64 (NaN = missing) → int32 Arrow array, rounded, clamped to int32."""
    mask = np.isnan(values)
    clean = np.clip(np.round(np.where(mask, 0, values)), -(2**31), 2**31 - 1).astype(np.int32)
    return pa.array(clean, type=pa.int32(), mask=mask)


def float32_or_null(values: np.ndarray) -> pa.Array:
    mask = np.isnan(values)
    return pa.array(np.where(mask, 0, values).astype(np.float32), type=pa.float32(), mask=mask)
