"""Vectorised variant keys for whole Arrow columns (same values as ``variant_key.encode``).

Encoding one key in Python costs microseconds; bundles and genomes have millions of rows, so the
exact (non-hashed) keys are computed with numpy and only hashed alleles fall back to Python.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vardesk.domain import variant_key

_LUT = np.full(256, 255, dtype=np.uint8)
for _i, _b in enumerate(b"ACGT"):
    _LUT[_b] = _i
    _LUT[ord(chr(_b).lower())] = _i


def _padded(arr: pa.Array, width: int) -> tuple[np.ndarray, np.ndarray]:
    """(codes n×width uint8 with 255 for non-ACGT/padding, lengths) of a string array."""
    arr = arr.cast(pa.large_string()) if arr.type != pa.large_string() else arr
    if arr.null_count:
        arr = pc.fill_null(arr, "")
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = arr.buffers()[2]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    starts = offsets[:-1]
    lengths = (offsets[1:] - starts).astype(np.int64)
    out = np.full((len(arr), width), 255, dtype=np.uint8)
    for j in range(width):
        has = lengths > j
        idx = starts[has] + j
        out[has, j] = _LUT[raw[idx]]
    return out, lengths


def chrom_codes(chrom: pa.Array) -> np.ndarray:
    """Chromosome code per row (0 for contigs outside 1..22, X, Y, MT)."""
    enc = pc.dictionary_encode(chrom.cast(pa.string()))
    codes = np.array([variant_key.chrom_code(c) for c in enc.dictionary.to_pylist()], dtype=np.int64)
    indices = enc.indices.to_numpy(zero_copy_only=False)
    return codes[indices] if len(codes) else np.zeros(len(chrom), np.int64)


def encode_arrays(chrom: pa.Array, pos: pa.Array, ref: pa.Array, alt: pa.Array) -> pa.Array:
    """int64 key per row; identical to ``variant_key.encode`` row by row."""
    chrom, pos, ref, alt = (
        c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c for c in (chrom, pos, ref, alt)
    )
    n = len(pos)
    p = pos.to_numpy(zero_copy_only=False).astype(np.int64)
    if n and (p.min() < 0 or p.max() > variant_key.MAX_POS):
        raise ValueError("position out of range for the variant key")
    code = chrom_codes(chrom)
    rcodes, lr = _padded(ref, 7)
    acodes, la = _padded(alt, 7)
    # Other contigs (code 0) are always hashed, with the contig name in the hash.
    exact = (code != 0) & (lr >= 1) & (lr <= 7) & (la >= 1) & (la <= 7) & (lr + la <= 11)
    for j in range(7):
        exact &= (j >= lr) | (rcodes[:, j] != 255)
        exact &= (j >= la) | (acodes[:, j] != 255)
    bits = (lr.clip(0, 7) << 26) | (la.clip(0, 7) << 23)
    for j in range(7):
        use = exact & (j < lr)
        bits[use] |= rcodes[use, j].astype(np.int64) << (21 - 2 * j)
        use = exact & (j < la)
        shift = 21 - 2 * (lr[use] + j)
        bits[use] |= acodes[use, j].astype(np.int64) << shift
    keys = (code << 58) | (p << 30) | bits
    hashed = np.flatnonzero(~exact)
    if len(hashed):
        ch = chrom.take(pa.array(hashed)).to_pylist()
        rr = ref.take(pa.array(hashed)).to_pylist()
        aa = alt.take(pa.array(hashed)).to_pylist()
        keys[hashed] = [
            variant_key.encode(c, int(q), r or "", a or "")
            for c, q, r, a in zip(ch, p[hashed], rr, aa, strict=True)
        ]
    return pa.array(keys, type=pa.int64())


def with_keys(table: pa.Table) -> pa.Table:
    """``table`` (chrom, pos, ref, alt, …) with canonical chrom names and a leading ``key`` column."""
    chrom = canonical_chroms(table.column("chrom"))
    table = table.set_column(table.schema.get_field_index("chrom"), "chrom", chrom)
    key = encode_arrays(chrom, table.column("pos"), table.column("ref"), table.column("alt"))
    if "key" in table.column_names:
        table = table.drop_columns(["key"])
    return table.add_column(0, "key", key)


def canonical_chroms(chrom: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(chrom, pa.ChunkedArray):
        chrom = chrom.combine_chunks()
    enc = pc.dictionary_encode(chrom.cast(pa.string()))
    names = pa.array([variant_key.canonical_chrom(c) for c in enc.dictionary.to_pylist()], pa.string())
    return names.take(enc.indices)
