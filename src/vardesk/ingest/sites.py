"""Site-level columns of a chunk: multi-allelic split, trimming/left-alignment, keys, INFO, FILTER.

A chunk's records become *variant rows* (one per ALT allele, like ``bcftools norm -m-``; the gVCF
``<NON_REF>``/``<*>`` allele is dropped) and *reference blocks* (records whose only ALT is
``<NON_REF>``, ``<*>`` or ``.``), all vectorised over Arrow/numpy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vardesk.ingest.arrow_util import fast_float, flat, list_offsets, list_take
from vardesk.ingest.normalize import Normaliser
from vardesk.variants.keys import canonical_chroms, encode_keys

NON_VARIANT_ALLELES = ["<NON_REF>", "<*>", "."]
_STR_NULL = pa.scalar(None, pa.string())


@dataclass
class Sites:
    """Variant rows of one chunk; ``parent`` indexes the chunk's records, ``allele`` is 1-based."""

    parent: np.ndarray
    allele: np.ndarray
    recode: np.ndarray  # the record had several ALTs: GT/AD must be re-expressed for this allele
    columns: dict[str, Any]

    def __len__(self) -> int:
        return len(self.parent)


@dataclass
class Blocks:
    """Reference blocks (gVCF) of one chunk."""

    parent: np.ndarray
    chrom: pa.Array
    start: np.ndarray
    end: np.ndarray


def info_end(info: pa.Array) -> np.ndarray:
    """INFO/END per record (NaN when absent)."""
    out = np.full(len(info), np.nan)
    data = info.buffers()[2]
    if data is None or b"END=" not in data.to_pybytes():
        return out
    has = np.asarray(pc.match_substring(info, "END=").to_numpy(zero_copy_only=False), dtype=bool)
    rows = np.flatnonzero(has)
    ext = pc.extract_regex(info.take(pa.array(rows)), r"(?:^|;)END=(?P<end>[0-9]+)(?:;|$)")
    out[rows] = fast_float(pc.fill_null(pc.struct_field(ext, "end"), "."))
    return out


def info_map(info: pa.Array) -> pa.MapArray:
    """Raw INFO as map<string,string> (flags map to null); ``.`` is an empty map."""
    info = flat(info)
    items = pc.split_pattern(info, ";")
    off = list_offsets(items)
    values = items.values
    keep = np.asarray(pc.and_(pc.not_equal(values, ""), pc.not_equal(values, ".")), dtype=bool)
    if not keep.all():
        owner = np.repeat(np.arange(len(info)), np.diff(off))
        counts = np.bincount(owner[keep], minlength=len(info))
        off = np.zeros(len(info) + 1, dtype=np.int64)
        np.cumsum(counts, out=off[1:])
        values = values.filter(pa.array(keep))
    kv = pc.split_pattern(values, "=", max_splits=1)
    return pa.MapArray.from_arrays(pa.array(off.astype(np.int32)), list_take(kv, 0), list_take(kv, 1))


def filter_lists(filters: pa.Array) -> pa.Array:
    enc = pc.dictionary_encode(flat(filters))
    parsed = [[] if v in (".", "") else v.split(";") for v in enc.dictionary.to_pylist()]
    return pa.array(parsed, pa.list_(pa.string())).take(enc.indices)


def split_sites(table: pa.Table, normaliser: Normaliser | None = None) -> tuple[Sites, Blocks]:
    n = table.num_rows
    alt_lists = pc.split_pattern(flat(table["ALT"]), ",")
    off = list_offsets(alt_lists)
    nalts = np.diff(off)
    alleles = alt_lists.values
    parent_all = np.repeat(np.arange(n), nalts)
    index_all = np.arange(len(alleles)) - np.repeat(off[:-1], nalts) + 1
    variant = ~np.asarray(
        pc.is_in(alleles, pa.array(NON_VARIANT_ALLELES)).to_numpy(zero_copy_only=False), bool
    )
    has_variant = np.bincount(parent_all[variant], minlength=n) > 0

    chrom = canonical_chroms(table["CHROM"])
    pos = np.asarray(pc.cast(table["POS"], pa.int64()).to_numpy(), dtype=np.int64)
    ref = flat(table["REF"])
    info = flat(table["INFO"])
    ends = info_end(info)

    block_rows = np.flatnonzero(~has_variant)
    if len(block_rows):
        b_end = ends[block_rows]
        ref_len = np.asarray(pc.utf8_length(ref.take(pa.array(block_rows))).to_numpy(), dtype=np.int64)
        b_end = np.where(np.isnan(b_end), pos[block_rows] + ref_len - 1, b_end).astype(np.int64)
        blocks = Blocks(block_rows, chrom.take(pa.array(block_rows)), pos[block_rows], b_end)
    else:
        blocks = Blocks(block_rows, pa.array([], pa.string()), np.zeros(0, np.int64), np.zeros(0, np.int64))

    parent = parent_all[variant]
    allele = index_all[variant]
    v_alt = alleles.filter(pa.array(variant)) if not variant.all() else alleles
    identity = len(parent) == n and bool(variant.all())
    v_ref = ref if identity else ref.take(pa.array(parent))
    v_chrom = chrom if identity else chrom.take(pa.array(parent))
    v_pos = pos[parent]
    if normaliser is not None and len(parent):
        v_pos, v_ref, v_alt = normaliser.normalise(v_chrom, v_pos, v_ref, v_alt)
    keys = encode_keys(v_chrom, v_pos, v_ref, v_alt)
    if len(keys) > 1 and not bool(np.all(keys[1:] >= keys[:-1])):
        order = np.argsort(keys, kind="stable")
        parent, allele, keys, v_pos = parent[order], allele[order], keys[order], v_pos[order]
        take_order = pa.array(order)
        v_ref, v_alt, v_chrom = v_ref.take(take_order), v_alt.take(take_order), v_chrom.take(take_order)
        identity = False
    recode = nalts[parent] > 1
    ref_len = np.asarray(pc.utf8_length(v_ref).to_numpy(zero_copy_only=False), dtype=np.int64)
    end = v_pos + np.maximum(ref_len, 1) - 1
    sym_end = ends[parent]
    symbolic = np.asarray(pc.starts_with(v_alt, "<").to_numpy(zero_copy_only=False), dtype=bool)
    end = np.where(symbolic & ~np.isnan(sym_end), np.nan_to_num(sym_end), end).astype(np.int64)

    def site(col: str) -> pa.Array:
        values = flat(table[col])
        return values if identity else values.take(pa.array(parent))

    ids = site("ID")
    columns = {
        "key": keys,
        "chrom": v_chrom,
        "pos": v_pos,
        "end": end,
        "ref": v_ref,
        "alt": v_alt,
        "rsid": pc.if_else(pc.equal(ids, "."), _STR_NULL, ids),
        "qual": fast_float(site("QUAL")),
        "filters": filter_lists(site("FILTER")),
        "info": info_map(site("INFO")),
    }
    return Sites(parent, allele, recode, columns), blocks
