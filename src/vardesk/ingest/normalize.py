"""Allele normalisation after the multi-allelic split: trim shared bases, left-align with a reference.

Only the few rows that can change (both alleles longer than one base with a shared first or last
base, or, with a reference, indels whose alleles end in the same base) are visited one by one; all
others pass through untouched. The algorithm is the usual one (Tan et al. 2015, as in
``bcftools norm``/``vt normalize``): drop a shared last base, extend both alleles one reference base
to the left when one becomes empty, repeat; then drop shared leading bases while both alleles
keep at least one base.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vardesk.domain.errors import Invalid
from vardesk.domain.variant_key import canonical_chrom
from vardesk.ingest.arrow_util import flat

_PLAIN = r"^[ACGTNacgtn]+$"


class Normaliser:
    """Trims alleles; also left-aligns indels when ``fasta`` (indexed, plain or bgzipped) is given."""

    def __init__(self, fasta: Path | str | None = None) -> None:
        self._fa = None
        self._names: dict[str, str] = {}
        if fasta is not None:
            import pysam

            try:
                self._fa = pysam.FastaFile(str(fasta))
            except (OSError, ValueError) as exc:
                raise Invalid(f"cannot open reference FASTA {Path(fasta).name}: {exc}") from None
            self._names = {canonical_chrom(name): name for name in self._fa.references}

    def close(self) -> None:
        if self._fa is not None:
            self._fa.close()

    def _base(self, chrom: str, pos: int) -> str:
        """Reference base at 1-based ``pos`` (empty when unknown)."""
        name = self._names.get(chrom)
        if self._fa is None or name is None or pos < 1:
            return ""
        return self._fa.fetch(name, pos - 1, pos).upper()

    def normalise(
        self, chrom: pa.Array, pos: np.ndarray, ref: pa.Array, alt: pa.Array
    ) -> tuple[np.ndarray, pa.Array, pa.Array]:
        ref, alt = flat(ref), flat(alt)
        lr = np.asarray(pc.utf8_length(ref).to_numpy(zero_copy_only=False), dtype=np.int64)
        la = np.asarray(pc.utf8_length(alt).to_numpy(zero_copy_only=False), dtype=np.int64)
        last_eq = np.asarray(
            pc.equal(
                pc.utf8_upper(pc.utf8_slice_codeunits(ref, -1)),
                pc.utf8_upper(pc.utf8_slice_codeunits(alt, -1)),
            ),
            dtype=bool,
        )
        first_eq = np.asarray(
            pc.equal(
                pc.utf8_upper(pc.utf8_slice_codeunits(ref, 0, 1)),
                pc.utf8_upper(pc.utf8_slice_codeunits(alt, 0, 1)),
            ),
            dtype=bool,
        )
        cand = (lr > 1) & (la > 1) & (last_eq | first_eq)
        if self._fa is not None:
            cand |= (lr != la) & last_eq
        rows = np.flatnonzero(cand)
        if len(rows):
            plain = np.asarray(pc.match_substring_regex(alt.take(pa.array(rows)), _PLAIN), dtype=bool)
            rows = rows[plain]
        if not len(rows):
            return pos, ref, alt
        pos = pos.copy()
        idx = pa.array(rows)
        refs = ref.take(idx).to_pylist()
        alts = alt.take(idx).to_pylist()
        chroms = chrom.take(idx).to_pylist()
        for j, i in enumerate(rows):
            refs[j], alts[j], pos[i] = self.one(chroms[j], int(pos[i]), refs[j].upper(), alts[j].upper())
        mask = np.zeros(len(ref), dtype=bool)
        mask[rows] = True
        m = pa.array(mask)
        return (
            pos,
            pc.replace_with_mask(ref, m, pa.array(refs, pa.string())),
            pc.replace_with_mask(alt, m, pa.array(alts, pa.string())),
        )

    def one(self, chrom: str, pos: int, ref: str, alt: str) -> tuple[str, str, int]:
        """Normalise one upper-case allele pair; returns (ref, alt, pos)."""
        if self._fa is not None and len(ref) != len(alt):
            ref, alt, pos = self._left_align(chrom, pos, ref, alt)
        while len(ref) > 1 and len(alt) > 1 and ref[-1] == alt[-1]:
            ref, alt = ref[:-1], alt[:-1]
        while len(ref) > 1 and len(alt) > 1 and ref[0] == alt[0]:
            ref, alt, pos = ref[1:], alt[1:], pos + 1
        return ref, alt, pos

    def _left_align(self, chrom: str, pos: int, ref: str, alt: str) -> tuple[str, str, int]:
        r, a, p = ref, alt, pos
        while True:
            changed = False
            if r and a and r[-1] == a[-1]:
                r, a = r[:-1], a[:-1]
                changed = True
            if not r or not a:
                base = self._base(chrom, p - 1)
                if not base:  # contig start or contig not in the FASTA: trim only
                    return ref, alt, pos
                r, a, p = base + r, base + a, p - 1
                changed = True
            if not changed:
                return r, a, p
