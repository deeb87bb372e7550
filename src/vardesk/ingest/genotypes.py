"""Per-sample genotype columns in one schema, whatever the caller wrote in FORMAT.

Sources, first present wins, per record:

* genotype: ``GT`` (``0/1``, ``1|0``, haploid ``1``, ``./.``); ``PS`` is the phase set.
* allele depths: ``AD`` (GATK, DRAGEN, bcftools; Number=R) → ``RO``/``AO`` (FreeBayes) →
  ``AU``/``CU``/``GU``/``TU`` tier-1 counts of the REF and ALT base (CASAVA, Strelka SNVs) →
  ``TAR``/``TIR`` tier-1 (Strelka indels).
* depth: ``DP`` → ``DPU`` (CASAVA, basecalls used for genotyping) → ``MIN_DP``.
* ``GQ`` (Integer or Float, rounded).
* VAF: ``AF`` (Number=A, e.g. DRAGEN/Mutect2) → ``VAF`` → ALT depth / sum of all allele depths.

After the multi-allelic split every value refers to the split ALT: ``AD`` picks REF and that
ALT, ``GT`` is re-expressed (that ALT → 1, other ALTs → 0, as ``bcftools norm -m-`` does).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vardesk.ingest.arrow_util import (
    NumberLists,
    fast_float,
    flat,
    float32_or_null,
    int32_or_null,
    list_offsets,
    list_take,
)
from vardesk.ingest.sites import Blocks, Sites
from vardesk.variants.schema import COVERAGE_SCHEMA, GENOTYPE_SCHEMA

TAGS = (
    "GT",
    "AD",
    "DP",
    "GQ",
    "PS",
    "RO",
    "AO",
    "AU",
    "CU",
    "GU",
    "TU",
    "TAR",
    "TIR",
    "AF",
    "VAF",
    "DPU",
    "MIN_DP",
)
_BASE_TAG = {"A": "AU", "C": "CU", "G": "GU", "T": "TU"}
_GT_CHARS = pa.array([".", "0", "1"], pa.string())


def format_fields(fmt: pa.Array, sample: pa.Array, tags: tuple[str, ...] = TAGS) -> dict[str, pa.Array]:
    """Each wanted tag's raw string per record (null where the FORMAT lacks it or the value is cut)."""
    fmt, sample = flat(fmt), flat(sample)
    n = len(fmt)
    enc = pc.dictionary_encode(fmt)
    formats = enc.dictionary.to_pylist()
    codes = np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    parts: dict[str, list[tuple[np.ndarray, pa.Array]]] = {t: [] for t in tags}
    for g, text in enumerate(formats):
        keys = text.split(":")
        rows = np.arange(n) if len(formats) == 1 else np.flatnonzero(codes == g)
        sub = sample if len(formats) == 1 else sample.take(pa.array(rows))
        lists = pc.split_pattern(sub, ":")
        for t in tags:
            if t in keys:
                parts[t].append((rows, list_take(lists, keys.index(t))))
    out: dict[str, pa.Array] = {}
    for t, got in parts.items():
        if not got:
            out[t] = pa.nulls(n, pa.string())
        elif len(formats) == 1:
            out[t] = got[0][1]
        else:
            rows = np.concatenate([r for r, _ in got])
            values = pa.concat_arrays([v for _, v in got])
            full = np.full(n, -1, dtype=np.int64)
            full[rows] = np.arange(len(rows))
            out[t] = values.take(pa.array(full, mask=full < 0))
    return out


class _Genotype:
    """Parsed GT per record: first two allele indices (NaN = '.'), ploidy, phased."""

    def __init__(self, gt: pa.Array) -> None:
        gt = flat(gt)
        self.raw = gt
        n = len(gt)
        self.ploidy = np.zeros(n, dtype=np.int64)
        self.a1 = np.full(n, np.nan)
        self.a2 = np.full(n, np.nan)
        self.phased = np.zeros(n, dtype=bool)
        # fast path: the common one-digit diploid calls ("0/1", "1|1", "./.") straight from the bytes
        simple = np.zeros(n, dtype=bool)
        if n and gt.null_count < n and gt.buffers()[2] is not None:
            off = np.frombuffer(gt.buffers()[1], dtype=np.int32)[gt.offset : gt.offset + n + 1].astype(
                np.int64
            )
            data = np.frombuffer(gt.buffers()[2], dtype=np.uint8)
            valid = np.asarray(gt.is_valid(), dtype=bool)
            simple = valid & (np.diff(off) == 3)
            at = np.where(simple, off[:-1], 0)
            c1, sep, c2 = (
                data[at],
                data[np.minimum(at + 1, len(data) - 1)],
                data[np.minimum(at + 2, len(data) - 1)],
            )
            ok1 = ((c1 >= 48) & (c1 <= 57)) | (c1 == 46)
            ok2 = ((c2 >= 48) & (c2 <= 57)) | (c2 == 46)
            simple &= ok1 & ok2 & ((sep == 47) | (sep == 124))
            self.a1[simple] = np.where(c1[simple] == 46, np.nan, c1[simple] - 48.0)
            self.a2[simple] = np.where(c2[simple] == 46, np.nan, c2[simple] - 48.0)
            self.ploidy[simple] = 2
            self.phased[simple] = sep[simple] == 124
        rest = np.flatnonzero(~simple)
        if len(rest):
            sub = gt.take(pa.array(rest))
            parts = pc.split_pattern_regex(sub, r"[/|]")
            p_off = list_offsets(parts)
            self.ploidy[rest] = np.where(np.asarray(parts.is_valid(), dtype=bool), np.diff(p_off), 0)
            self.a1[rest] = fast_float(list_take(parts, 0))
            self.a2[rest] = fast_float(list_take(parts, 1))
            self.phased[rest] = np.asarray(pc.fill_null(pc.match_substring(sub, "|"), False), dtype=bool)


def _recode(a: np.ndarray, allele: np.ndarray) -> np.ndarray:
    """Allele index → -1 missing, 1 the split ALT, 0 REF or another ALT."""
    return np.where(np.isnan(a), -1, np.where(a == allele, 1, 0)).astype(np.int64)


def _zygosity(m1: np.ndarray, m2: np.ndarray, ploidy: np.ndarray) -> np.ndarray:
    hap = ploidy == 1
    both = (m1 >= 0) & (m2 >= 0)
    one_alt = ((m1 == 1) & (m2 < 0)) | ((m2 == 1) & (m1 < 0))
    z = np.full(len(m1), -1, dtype=np.int8)
    z[both & (m1 == 0) & (m2 == 0)] = 0
    z[both & (m1 != m2)] = 1
    z[both & (m1 == 1) & (m2 == 1)] = 2
    z[one_alt] = 1
    z[hap] = np.where(m1[hap] == 1, 3, np.where(m1[hap] == 0, 0, -1))
    z[ploidy == 0] = -1
    return z


def _gt_strings(g: _Genotype, sites: Sites, m1: np.ndarray, m2: np.ndarray) -> pa.Array:
    raw = g.raw.take(pa.array(sites.parent))
    if not sites.recode.any():
        return raw
    ploidy = g.ploidy[sites.parent]
    c1 = _GT_CHARS.take(pa.array(m1 + 1))
    c2 = _GT_CHARS.take(pa.array(m2 + 1))
    sep = pc.if_else(pa.array(g.phased[sites.parent]), pa.scalar("|"), pa.scalar("/"))
    two = pc.binary_join_element_wise(c1, sep, c2, "")
    new = pc.if_else(pa.array(ploidy == 1), c1, two)
    return pc.if_else(pa.array(sites.recode & (ploidy >= 1)), new, raw)


def _depths(f: dict[str, pa.Array], sites: Sites) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ad_ref, ad_alt, total allele depth) per variant row; NaN where the caller gave nothing."""
    p, a = sites.parent, sites.allele
    n = len(p)
    ad_ref = np.full(n, np.nan)
    ad_alt = np.full(n, np.nan)
    total = np.full(n, np.nan)

    def fill(r: np.ndarray, x: np.ndarray, t: np.ndarray) -> None:
        use = np.isnan(ad_ref) & np.isnan(ad_alt) & ~(np.isnan(r) & np.isnan(x))
        ad_ref[use], ad_alt[use], total[use] = r[use], x[use], t[use]

    if f["AD"].null_count < len(f["AD"]):
        ad = NumberLists(f["AD"])
        fill(ad.get(p, 0), ad.get(p, a), ad.total(p))
    if f["AO"].null_count < len(f["AO"]) or f["RO"].null_count < len(f["RO"]):
        ro = fast_float(f["RO"])[p]
        ao = NumberLists(f["AO"])
        fill(ro, ao.get(p, a - 1), np.nan_to_num(ro) + np.nan_to_num(ao.total(p)))
    if any(f[t].null_count < len(f[t]) for t in _BASE_TAG.values()):
        counts = {b: NumberLists(f[t]).get(p, 0) for b, t in _BASE_TAG.items()}
        ref = sites.columns["ref"]
        alt = sites.columns["alt"]
        snv = np.asarray(
            pc.and_(pc.equal(pc.utf8_length(ref), 1), pc.equal(pc.utf8_length(alt), 1)), dtype=bool
        )
        r_base = np.asarray(pc.utf8_upper(ref).to_numpy(zero_copy_only=False))
        a_base = np.asarray(pc.utf8_upper(alt).to_numpy(zero_copy_only=False))
        r = np.full(n, np.nan)
        x = np.full(n, np.nan)
        for b, c in counts.items():
            r = np.where(snv & (r_base == b), c, r)
            x = np.where(snv & (a_base == b), c, x)
        t = sum(np.nan_to_num(c) for c in counts.values())
        fill(np.where(snv, r, np.nan), np.where(snv, x, np.nan), np.where(snv, t, np.nan))
    if f["TAR"].null_count < len(f["TAR"]):
        tar = NumberLists(f["TAR"]).get(p, 0)
        tir = NumberLists(f["TIR"]).get(p, 0)
        fill(tar, tir, np.nan_to_num(tar) + np.nan_to_num(tir))
    return ad_ref, ad_alt, total


def genotype_table(f: dict[str, pa.Array], sites: Sites) -> pa.Table:
    """The genotype rows of one sample for the chunk's variant rows (schema GENOTYPE_SCHEMA)."""
    p = sites.parent
    g = _Genotype(f["GT"])
    m1 = _recode(g.a1[p], sites.allele)
    m2 = _recode(g.a2[p], sites.allele)
    ploidy = g.ploidy[p]
    ad_ref, ad_alt, total = _depths(f, sites)
    dp = fast_float(f["DP"])[p]
    for alt_tag in ("DPU", "MIN_DP"):
        if np.isnan(dp).any() and f[alt_tag].null_count < len(f[alt_tag]):
            dp = np.where(np.isnan(dp), fast_float(f[alt_tag])[p], dp)
    vaf = np.full(len(p), np.nan)
    for tag in ("AF", "VAF"):
        if f[tag].null_count < len(f[tag]):
            vaf = np.where(np.isnan(vaf), NumberLists(f[tag]).get(p, sites.allele - 1), vaf)
    with np.errstate(invalid="ignore", divide="ignore"):
        computed = np.where(total > 0, ad_alt / total, np.nan)
    vaf = np.where(np.isnan(vaf), computed, vaf)
    c = sites.columns
    cols = {
        "key": pa.array(c["key"], pa.int64()),
        "chrom": c["chrom"],
        "pos": pa.array(c["pos"].astype(np.int32)),
        "end": pa.array(c["end"].astype(np.int32)),
        "ref": c["ref"],
        "alt": c["alt"],
        "rsid": c["rsid"],
        "qual": float32_or_null(c["qual"]),
        "filters": c["filters"],
        "gt": _gt_strings(g, sites, m1, m2),
        "zygosity": pa.array(_zygosity(m1, m2, ploidy), pa.int8()),
        "phased": pa.array(g.phased[p] & (ploidy > 1)),
        "phase_set": int32_or_null(fast_float(f["PS"])[p]),
        "ad_ref": int32_or_null(ad_ref),
        "ad_alt": int32_or_null(ad_alt),
        "dp": int32_or_null(dp),
        "gq": int32_or_null(fast_float(f["GQ"])[p]),
        "vaf": float32_or_null(vaf),
        "info": c["info"],
    }
    return pa.table(cols, schema=GENOTYPE_SCHEMA)


def coverage_table(f: dict[str, pa.Array], blocks: Blocks) -> pa.Table:
    """Reference blocks of one sample (schema COVERAGE_SCHEMA); depth = MIN_DP, else DP."""
    rows = blocks.parent
    min_dp = fast_float(f["MIN_DP"])[rows]
    dp = fast_float(f["DP"])[rows]
    depth = np.where(np.isnan(min_dp), dp, min_dp)
    return pa.table(
        {
            "chrom": blocks.chrom,
            "start": pa.array(blocks.start.astype(np.int32)),
            "end": pa.array(blocks.end.astype(np.int32)),
            "min_dp": int32_or_null(depth),
            "gq": int32_or_null(fast_float(f["GQ"])[rows]),
        },
        schema=COVERAGE_SCHEMA,
    )
