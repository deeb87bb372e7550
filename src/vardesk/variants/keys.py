"""Vectorised variant keys: the same values as :func:`vardesk.domain.variant_key.encode`, for arrays."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vardesk.domain import variant_key

_CODE = np.full(256, 255, dtype=np.int64)
for _i, _b in enumerate(b"ACGT"):
    _CODE[_b] = _i


def _offsets(arr: pa.Array) -> np.ndarray:
    return np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset : arr.offset + len(arr) + 1]


def _data(arr: pa.Array) -> np.ndarray:
    buf = arr.buffers()[2]
    return np.frombuffer(buf, dtype=np.uint8) if buf is not None else np.zeros(0, dtype=np.uint8)


def encode_keys(chrom: pa.Array, pos: np.ndarray, ref: pa.Array, alt: pa.Array) -> np.ndarray:
    """int64 keys for canonical ``chrom`` names, 1-based ``pos`` and allele strings (no nulls)."""
    n = len(pos)
    pos = np.asarray(pos, dtype=np.int64)
    if n and (pos.min() < 0 or pos.max() > variant_key.MAX_POS):
        raise ValueError("position out of range for the variant key")
    chrom = chrom.combine_chunks() if isinstance(chrom, pa.ChunkedArray) else chrom
    enc = pc.dictionary_encode(chrom)
    codes_of = np.array([variant_key.chrom_code(c) for c in enc.dictionary.to_pylist()], dtype=np.int64)
    code = (
        codes_of[np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64)]
        if n
        else np.zeros(0, np.int64)
    )
    ref_u = pc.utf8_upper(ref)
    alt_u = pc.utf8_upper(alt)
    ref_u = ref_u.combine_chunks() if isinstance(ref_u, pa.ChunkedArray) else ref_u
    alt_u = alt_u.combine_chunks() if isinstance(alt_u, pa.ChunkedArray) else alt_u
    both = pc.binary_join_element_wise(ref_u, alt_u, "")
    lr = np.diff(_offsets(ref_u)).astype(np.int64)
    la = np.diff(_offsets(alt_u)).astype(np.int64)
    off = _offsets(both).astype(np.int64)
    data = _data(both)[off[0] : off[-1]] if n else np.zeros(0, np.uint8)
    off = off - off[0]
    lengths = np.diff(off)
    vals = _CODE[data]
    row = np.repeat(np.arange(n), lengths)
    within = np.arange(len(data)) - np.repeat(off[:-1], lengths)
    bad_char = np.zeros(n, dtype=bool)
    if len(data):
        bad_char = np.bincount(row[vals == 255], minlength=n) > 0
    # Other contigs (code 0) are always hashed, with the contig name in the hash.
    exact = (code != 0) & (lr >= 1) & (lr <= 7) & (la >= 1) & (la <= 7) & (lr + la <= 11) & ~bad_char
    shift = np.clip(21 - 2 * within, 0, 63)
    contrib = np.where((vals != 255) & exact[row], vals << shift, 0)
    # at most 11 bases of 2 bits below bit 23: float64 sums are exact
    bits = np.bincount(row, weights=contrib, minlength=n).astype(np.int64)
    bits |= (lr << 26) | (la << 23)
    keys = (code << 58) | (pos << 30) | bits
    hashed = np.flatnonzero(~exact)
    if len(hashed):
        chroms = chrom.take(pa.array(hashed)).to_pylist()
        refs = ref_u.take(pa.array(hashed)).to_pylist()
        alts = alt_u.take(pa.array(hashed)).to_pylist()
        for j, i in enumerate(hashed):
            keys[i] = variant_key.encode(chroms[j], int(pos[i]), refs[j], alts[j])
    return keys


def canonical_chroms(chrom: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Canonical contig names (``chr1`` → ``1``, ``chrM`` → ``MT``) for a whole column."""
    if isinstance(chrom, pa.ChunkedArray):
        chrom = chrom.combine_chunks()
    enc = pc.dictionary_encode(chrom.cast(pa.string()))
    names = pa.array([variant_key.canonical_chrom(c) for c in enc.dictionary.to_pylist()], pa.string())
    return names.take(enc.indices)
