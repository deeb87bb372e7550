"""HGVS c./n. and p. descriptions of VCF variants on transcripts, from the reference sequence.

Usage::

    fmt = HgvsFormatter(fetch)          # fetch(chrom, start, end) -> bases, 1-based inclusive
    r = fmt.format(transcript, pos, ref, alt)
    r.hgvs_c   # "c.76A>T"        (no transcript prefix; ``r.hgvs_c_full`` = "ENST….3:c.76A>T")
    r.hgvs_p   # "p.(Arg26Cys)"   (``r.protein_change_short`` = "R26C")

Decisions:

* ``hgvs_c``/``hgvs_p`` hold the description without the sequence id; ``transcript_id`` is the
  versioned id (``ENST00000256452.3``) and ``hgvs_c_full`` joins them. ``fetch`` receives the
  transcript's canonical chromosome name (``1``, ``X``, ``MT``); the caller maps it to its FASTA.
* Variants arrive VCF-normalised. The common prefix, then the common suffix are trimmed; deletions and
  insertions are then shifted to their most 3' position in transcript orientation (genomic right
  on ``+``, genomic left on ``-``), but never across an exon/intron boundary (HGVS exception).
  An insertion equal to the bases just 5' of it (transcript orientation) is a ``dup``.
* Deleted and duplicated bases are not spelled out (``c.76_78del``, ``c.76dup``); inserted ones
  are (``c.76_77insTG``, ``c.76_77delinsTG``). Non-coding transcripts use ``n.``.
* p. (see :mod:`vardesk.annotate.hgvs_protein`): predicted, in parentheses, three-letter;
  ``protein_change_short`` is the one-letter form without ``p.(…)``. No p. (``None``) for
  variants wholly in UTRs, introns or outside the transcript, for non-coding transcripts and for
  models whose coding sequence cannot be trusted (incomplete start: ``cds_start_NF`` or a
  non-zero start phase; a CDS that is not the exons clipped to its span; a CDS length that is
  not a multiple of three without ``cds_end_NF``). ``p.?`` for changes that cross an
  exon/intron boundary of the coding part, where the effect on splicing is unknown. An insertion
  right at an exon edge is taken as joining that exon.
* The reference protein is the translation of the annotated CDS. When it does not start with Met
  (an incomplete 5' end in models without a ``cds_start_NF`` tag) the first codon is read as is and
  changes to it are described like any other; any change of an ATG start codon is ``p.(Met1?)``.
* The formatter caches each transcript's spliced sequence and reference protein, so repeated
  calls on one transcript cost microseconds.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from vardesk.annotate.hgvs_protein import START_LOSS, ProteinChange, describe, translate
from vardesk.domain.transcript import Transcript

Fetch = Callable[[str, int, int], str]
_COMP = str.maketrans("ACGTNacgtn", "TGCANtgcan")
_SHIFT_CHUNK = 64
_FLANK = 10_000  # how far a shift may run beyond the transcript ends


def revcomp(seq: str) -> str:
    return seq.translate(_COMP)[::-1]


@dataclass(frozen=True, slots=True)
class HgvsResult:
    transcript_id: str
    hgvs_c: str | None
    hgvs_p: str | None = None
    protein_change_short: str | None = None
    protein_id: str | None = None
    protein_position: int | None = None

    @property
    def hgvs_c_full(self) -> str | None:
        return f"{self.transcript_id}:{self.hgvs_c}" if self.hgvs_c else None

    @property
    def hgvs_p_full(self) -> str | None:
        if not self.hgvs_p or not self.protein_id:
            return None
        return f"{self.protein_id}:{self.hgvs_p}"


@dataclass(slots=True)
class _TxSeq:
    mrna: str  # spliced, transcript orientation
    cds_off: int  # 0-based index of c.1 in mrna (0 for non-coding)
    cds_len: int
    protein: str | None  # reference protein from Met1 through the stop; None when p. is not trusted


class HgvsFormatter:
    """Formats HGVS for (transcript, variant) pairs; caches per-transcript sequences."""

    def __init__(self, fetch: Fetch, cache_size: int = 4096) -> None:
        self._fetch = fetch
        self._cache: OrderedDict[tuple[str, str, int, int], _TxSeq] = OrderedDict()
        self._cache_size = cache_size

    # ------------------------------------------------------------------------ sequences
    def _get(self, chrom: str, start: int, end: int) -> str:
        if end < start:
            return ""
        lo = max(start, 1)
        seq = self._fetch(chrom, lo, end).upper() if end >= lo else ""
        return "N" * (lo - start) + seq + "N" * max(0, (end - start + 1) - (lo - start) - len(seq))

    def _tx_seq(self, t: Transcript) -> _TxSeq:
        key = (t.versioned_id, t.chrom, t.start, t.end)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        mrna = "".join(self._get(t.chrom, e.start, e.end) for e in t.exons)
        if t.strand == -1:
            mrna = revcomp(mrna)
        cds_off = (t.cds_tx_start or 1) - 1
        cds_len = t.cds_length
        protein = None
        if _protein_trusted(t):
            protein = translate(mrna[cds_off : cds_off + cds_len], to_stop=True)
        ts = _TxSeq(mrna, cds_off, cds_len, protein)
        self._cache[key] = ts
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return ts

    def reference_protein(self, t: Transcript) -> str | None:
        """The reference protein used for p. (Met1 through the stop), None when p. is not trusted."""
        return self._tx_seq(t).protein if t.is_coding else None

    # ------------------------------------------------------------------------ formatting
    def format(self, t: Transcript, pos: int, ref: str, alt: str) -> HgvsResult:
        ref, alt = ref.upper(), alt.upper()
        tid = t.versioned_id
        # trim the common prefix (the VCF padding base), then the common suffix
        while ref and alt and ref[0] == alt[0]:
            ref, alt = ref[1:], alt[1:]
            pos += 1
        while ref and alt and ref[-1] == alt[-1]:
            ref, alt = ref[:-1], alt[:-1]
        if not ref and not alt:
            return HgvsResult(tid, None, protein_id=t.protein_id)
        start, end = pos, pos + len(ref) - 1  # deleted span; for insertions end = start - 1
        kind = "sub" if len(ref) == 1 and len(alt) == 1 else "delins" if ref and alt else None
        ins = alt
        if kind is None:
            start, end, ins = self._shift(t, start, end, ins)
            kind = "del" if not ins else "ins"
            if kind == "ins" and self._is_dup(t, start, ins):
                kind = "dup"
        hgvs_c = self._c_string(t, kind, start, end, ref, ins)
        change = self._protein(t, start, end, ins) if t.is_coding else None
        if isinstance(change, ProteinChange):
            return HgvsResult(tid, hgvs_c, change.hgvs, change.short, t.protein_id, change.position)
        return HgvsResult(tid, hgvs_c, change, change[2:] if change else None, t.protein_id)

    def _c_string(self, t: Transcript, kind: str, start: int, end: int, ref: str, ins: str) -> str:
        prefix = "c." if t.is_coding else "n."
        ins_tx = ins if t.strand == 1 else revcomp(ins)
        if kind == "sub":
            r, a = (ref, ins) if t.strand == 1 else (revcomp(ref), ins_tx)
            return f"{prefix}{t.cpos(start)}{r}>{a}"
        if kind == "ins":
            a, b = (start - 1, start) if t.strand == 1 else (start, start - 1)
            return f"{prefix}{t.cpos(a)}_{t.cpos(b)}ins{ins_tx}"
        if kind == "dup":
            n = len(ins)
            s, e = (start - n, start - 1) if t.strand == 1 else (start, start + n - 1)
        else:
            s, e = start, end
        first, last = (s, e) if t.strand == 1 else (e, s)
        span = str(t.cpos(first)) if s == e else f"{t.cpos(first)}_{t.cpos(last)}"
        suffix = {"del": "del", "dup": "dup", "delins": f"delins{ins_tx}"}[kind]
        return f"{prefix}{span}{suffix}"

    # ------------------------------------------------------------------------ 3' shifting
    def _segment(self, t: Transcript, pos: int) -> tuple[int, int]:
        """Genomic bounds of the exon or intron holding ``pos``; the flanks outside the transcript
        belong to the outermost exons (only exon/intron boundaries stop a 3' shift)."""
        exons = t.exons
        k = bisect_right(t.exon_starts, pos) - 1
        if k < 0:
            k = 0
        lo = exons[0].start - _FLANK if k == 0 else exons[k].start
        hi = exons[-1].end + _FLANK if k == len(exons) - 1 else exons[k].end
        if pos > exons[k].end and k < len(exons) - 1:  # intron after exon k
            return exons[k].end + 1, exons[k + 1].start - 1
        return max(1, lo), hi

    def _shift(self, t: Transcript, start: int, end: int, ins: str) -> tuple[int, int, str]:
        """Shift a pure deletion [start, end] or an insertion before ``start`` 3' in the transcript."""
        is_del = not ins
        lo, hi = self._segment(t, start if is_del else start - 1)
        if (lo, hi) != self._segment(t, end if is_del else start):
            return start, end, ins  # spans or touches an exon/intron boundary: leave it
        base = _Window(self._get, t.chrom, start)
        if t.strand == 1:
            while True:
                if is_del:
                    if end + 1 > hi or base(end + 1) != base(start):
                        break
                else:  # both flanks (start, start + 1) must stay in the segment
                    if start + 1 > hi or base(start) != ins[0]:
                        break
                    ins = ins[1:] + ins[0]
                start += 1
                end += 1
        else:
            while start - (1 if is_del else 2) >= lo:
                if is_del:
                    if base(start - 1) != base(end):
                        break
                elif base(start - 1) != ins[-1]:
                    break
                else:
                    ins = ins[-1] + ins[:-1]
                start -= 1
                end -= 1
        return start, end, ins

    def _is_dup(self, t: Transcript, start: int, ins: str) -> bool:
        n = len(ins)
        if t.strand == 1:
            return self._get(t.chrom, start - n, start - 1) == ins
        return self._get(t.chrom, start, start + n - 1) == ins

    # ------------------------------------------------------------------------ protein
    def _protein(self, t: Transcript, start: int, end: int, ins: str) -> ProteinChange | str | None:
        """Protein change of deleting genomic [start, end] (empty for insertions before ``start``)
        and inserting ``ins`` (genomic orientation)."""
        ts = self._tx_seq(t)
        ref_prot = ts.protein
        cds_first, cds_last = ts.cds_off, ts.cds_off + ts.cds_len  # [first, last) in mrna
        if start <= end:
            t1, o1 = t.tx_position(start)
            t2, o2 = t.tx_position(end)
            if t.strand == -1:
                t1, o1, t2, o2 = t2, o2, t1, o1
            exonic = o1 == 0 == o2 and 1 <= t1 <= t2 <= t.length and t2 - t1 == end - start
            a, b = t1 - 1, t2  # mrna[a:b] replaced
        else:
            left, right = (start - 1, start) if t.strand == 1 else (start, start - 1)
            t1, o1 = t.tx_position(left)
            t2, o2 = t.tx_position(right)
            exonic = o1 == 0 == o2 and t2 == t1 + 1 and 1 <= t1 and t2 <= t.length
            a = b = t2 - 1  # insert before mrna[t2 - 1]
            if not exonic and (o1 == 0) != (o2 == 0) and 1 <= (t1 if o1 == 0 else t2) <= t.length:
                # at an exon edge: the inserted bases join the exon next to them
                exonic = True
                a = b = t1 if o1 == 0 else t2 - 1
        if not exonic:
            return "p.?" if self._touches_cds(t, start, end) else None
        if b <= cds_first and (a < b or a <= cds_first):
            return None  # 5' UTR
        if a >= cds_last:
            return None  # 3' UTR
        if ref_prot is None:
            return None
        ins_tx = ins if t.strand == 1 else revcomp(ins)
        ca = max(0, a - cds_first)  # 0-based within the CDS
        if ca < 3 and ref_prot.startswith("M"):
            return START_LOSS
        k0 = ca // 3
        codon_start = cds_first + 3 * k0
        delta = len(ins_tx) - (b - a)
        head = ts.mrna[codon_start:a] + ins_tx
        frameshift = delta % 3 != 0
        touches_stop = b > cds_last - 3
        if frameshift or touches_stop or t.cds_end_nf:
            # translate onwards to a stop or the end of the transcript
            tail = translate(head + ts.mrna[b:], to_stop=True)
            alt_prot = ref_prot[:k0] + tail
            return describe(ref_prot, alt_prot, k0, frameshift, False, len(ref_prot))
        window_nt = -(-len(head) // 3) * 3 or 3
        extra = window_nt - len(head)  # reference bases after b completing the last codon
        window = translate(head + ts.mrna[b : b + extra])
        consumed = (3 * k0 + window_nt - len(ins_tx) + (b - a)) // 3  # exclusive codon end in ref
        stop = window.find("*")
        if stop >= 0:
            alt_prot = ref_prot[:k0] + window[: stop + 1]
            return describe(ref_prot, alt_prot, k0, False, True, consumed)
        alt_prot = ref_prot[:k0] + window + ref_prot[consumed:]
        return describe(ref_prot, alt_prot, k0, False, False, consumed)

    def _touches_cds(self, t: Transcript, start: int, end: int) -> bool:
        """Whether genomic [start, end] (or the insertion point) overlaps a coding exon's part."""
        if t.cds_start is None or t.cds_end is None:
            return False
        lo, hi = min(start, end), max(start, end)
        if hi < t.cds_start or lo > t.cds_end:
            return False
        return any(e.start <= hi and lo <= e.end for e in t.exons)


class _Window:
    """Genomic bases around a position, fetched in chunks as a shift walks along."""

    def __init__(self, get: Callable[[str, int, int], str], chrom: str, pos: int) -> None:
        self._get, self._chrom = get, chrom
        self._lo = max(1, pos - _SHIFT_CHUNK)
        self._seq = get(chrom, self._lo, pos + _SHIFT_CHUNK)

    def __call__(self, pos: int) -> str:
        while pos < self._lo:
            new_lo = max(1, self._lo - 4 * _SHIFT_CHUNK)
            if new_lo == self._lo:
                return "N"
            self._seq = self._get(self._chrom, new_lo, self._lo - 1) + self._seq
            self._lo = new_lo
        while pos >= self._lo + len(self._seq):
            hi = self._lo + len(self._seq)
            self._seq += self._get(self._chrom, hi, hi + 4 * _SHIFT_CHUNK - 1)
        return self._seq[pos - self._lo]


def _protein_trusted(t: Transcript) -> bool:
    if not t.is_coding or t.cds_start_nf or "cds_irregular" in t.tags:
        return False
    return t.cds_length % 3 == 0 or t.cds_end_nf


def format_hgvs(t: Transcript, pos: int, ref: str, alt: str, fetch: Fetch) -> HgvsResult:
    """One-off formatting; use :class:`HgvsFormatter` for many variants (it caches sequences)."""
    return HgvsFormatter(fetch).format(t, pos, ref, alt)
