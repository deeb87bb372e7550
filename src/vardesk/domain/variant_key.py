"""The compact int64 variant key, the join key across genotype, annotation and lookup tables.

Layout (63 bits, always a non-negative int64, so keys sort by (chrom, pos)):

    bits 58..62  chromosome code (1..22, X=23, Y=24, MT=25; 0 = any other contig)
    bits 30..57  position (1-based, < 2**28)
    bit  29      1 when the alleles are hashed
    bits  0..28  alleles: ref length (3 bits), alt length (3 bits), then 2 bits per base
                 (A=0, C=1, G=2, T=3) of ref followed by alt, when both are A/C/G/T only,
                 each at most 7 bases and together at most 11 bases;
                 otherwise — and always on other contigs (code 0) — a 29-bit BLAKE2b hash of
                 ``ref>alt`` (``contig:ref>alt`` for code 0).

Keys of non-hashed alleles are exact and decodable. Hashed keys are unique for practical
purposes at a single position (a collision needs two long alleles at the same position with the
same 29-bit hash); tables keep ``ref``/``alt`` beside the key so a consumer can check.
"""

from __future__ import annotations

import hashlib

CHROM_CODES: dict[str, int] = {str(i): i for i in range(1, 23)} | {"X": 23, "Y": 24, "MT": 25}
CODE_CHROMS: dict[int, str] = {v: k for k, v in CHROM_CODES.items()}
_BASE = {"A": 0, "C": 1, "G": 2, "T": 3}
_BASES = "ACGT"
POS_BITS = 28
MAX_POS = (1 << POS_BITS) - 1
_HASH_FLAG = 1 << 29
_ALLELE_MASK = (1 << 29) - 1


def canonical_chrom(name: str) -> str:
    """Canonical contig name: ``chr1``/``1`` → ``1``, ``chrM``/``M``/``MT`` → ``MT``; others unchanged."""
    n = name[3:] if name[:3].lower() == "chr" else name
    up = n.upper()
    if up in ("M", "MT"):
        return "MT"
    if up in ("X", "Y"):
        return up
    if n in CHROM_CODES:
        return n
    return name


def chrom_code(chrom: str) -> int:
    return CHROM_CODES.get(canonical_chrom(chrom), 0)


def _allele_bits(chrom: str, code: int, ref: str, alt: str) -> int:
    lr, la = len(ref), len(alt)
    if code != 0 and 1 <= lr <= 7 and 1 <= la <= 7 and lr + la <= 11:
        bits = (lr << 26) | (la << 23)
        shift = 21
        ok = True
        for b in ref + alt:
            v = _BASE.get(b)
            if v is None:
                ok = False
                break
            bits |= v << shift
            shift -= 2
        if ok:
            return bits
    text = (f"{chrom}:" if code == 0 else "") + f"{ref}>{alt}"
    h = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
    return _HASH_FLAG | (h & _ALLELE_MASK)


def encode(chrom: str, pos: int, ref: str, alt: str) -> int:
    """Key of a normalised variant. ``pos`` is 1-based; alleles are upper-case."""
    if not 0 <= pos <= MAX_POS:
        raise ValueError(f"position {pos} out of range for the variant key")
    canon = canonical_chrom(chrom)
    code = CHROM_CODES.get(canon, 0)
    return (code << 58) | (pos << 30) | _allele_bits(canon, code, ref.upper(), alt.upper())


def decode(key: int) -> tuple[str | None, int, str | None, str | None]:
    """(chrom, pos, ref, alt); chrom is None for code 0, ref/alt None for hashed alleles."""
    code = (key >> 58) & 0x1F
    pos = (key >> 30) & MAX_POS
    chrom = CODE_CHROMS.get(code)
    if key & _HASH_FLAG:
        return chrom, pos, None, None
    lr = (key >> 26) & 0x7
    la = (key >> 23) & 0x7
    shift = 21
    bases = []
    for _ in range(lr + la):
        bases.append(_BASES[(key >> shift) & 3])
        shift -= 2
    s = "".join(bases)
    return chrom, pos, s[:lr], s[lr:]


def region_bounds(chrom: str, start: int, end: int) -> tuple[int, int]:
    """Inclusive key range covering every variant of ``chrom`` with ``start <= pos <= end``."""
    code = chrom_code(chrom)
    lo = (code << 58) | (max(start, 0) << 30)
    hi = (code << 58) | (min(end, MAX_POS) << 30) | ((1 << 30) - 1)
    return lo, hi
