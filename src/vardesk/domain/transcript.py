"""Gene and transcript models with coordinate mapping between the genome and c./n. positions.

Conventions:

* Genomic coordinates are 1-based and inclusive; ``Exon(start, end)`` has ``start <= end``.
* ``Transcript.exons`` are sorted by genomic start whatever the strand; "transcript order" (5'→3')
  is ascending for ``strand == +1`` and descending for ``strand == -1``.
* Transcript positions (``tx``) count spliced bases 1..length from the transcript's 5' end.
  Positions upstream of the 5' end continue below 1 (0, -1, …) and downstream of the 3' end above
  ``length``, so every genomic position has a transcript position plus an intron offset.
* ``CPos`` is an HGVS position: ``c.-12``, ``c.76``, ``c.*3``, ``c.88+1``, ``c.89-2``, ``n.5``.
  Intronic positions are anchored to the nearer exon boundary; the middle base of an odd-length
  intron gets ``+`` (HGVS). Positions outside the transcript continue the numbering of the first
  or last base (``c.-150`` for a promoter base, ``c.*700`` downstream) without offset.
* NMD facts follow the 50-nucleotide rule: a premature stop escapes nonsense-mediated decay when it
  lies in the last exon or within the 3'-most 50 nt of the penultimate exon.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property

from vardesk.domain.variant_key import canonical_chrom

NMD_JUNCTION_DISTANCE = 50


@dataclass(frozen=True, slots=True, order=True)
class Exon:
    start: int
    end: int

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"exon end {self.end} before start {self.start}")

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def contains(self, pos: int) -> bool:
        return self.start <= pos <= self.end


@dataclass(frozen=True, slots=True)
class CPos:
    """An HGVS c./n. position.

    ``num`` is the number after the prefix: positive for ``utr == ""`` (c.N, n.N), the distance
    before c.1 for ``utr == "-"`` (c.-N) and the distance after the stop codon for ``utr == "*"``
    (c.*N). ``offset`` is the intron offset (``+M`` > 0, ``-M`` < 0).
    """

    num: int
    offset: int = 0
    utr: str = ""

    def __str__(self) -> str:
        s = f"{self.utr}{self.num}"
        if self.offset > 0:
            s += f"+{self.offset}"
        elif self.offset < 0:
            s += str(self.offset)
        return s


@dataclass(frozen=True)
class Transcript:
    id: str
    gene_id: str
    gene_symbol: str | None
    chrom: str
    strand: int
    exons: tuple[Exon, ...]
    cds_start: int | None = None
    cds_end: int | None = None
    biotype: str = ""
    is_canonical: bool = False
    is_mane_select: bool = False
    tags: frozenset[str] = frozenset()
    version: int | None = None
    protein_id: str | None = None
    # GFF3 phase of the 5'-most CDS part (transcript order): bases to skip before the first full
    # codon. Non-zero means the annotated CDS does not start with a complete codon.
    cds_phase: int = 0
    _tx_starts: tuple[int, ...] = field(default=(), init=False, repr=False, compare=False)
    _exon_starts: tuple[int, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.strand not in (1, -1):
            raise ValueError(f"strand must be +1 or -1, not {self.strand!r}")
        if not self.exons:
            raise ValueError(f"transcript {self.id} has no exons")
        exons = tuple(sorted(self.exons))
        for a, b in zip(exons, exons[1:], strict=False):
            if b.start <= a.end:
                raise ValueError(f"transcript {self.id} has overlapping exons {a} and {b}")
        if (self.cds_start is None) != (self.cds_end is None):
            raise ValueError("cds_start and cds_end must both be set or both be None")
        if self.cds_start is not None and self.cds_end is not None and self.cds_end < self.cds_start:
            raise ValueError("cds_end before cds_start")
        object.__setattr__(self, "exons", exons)
        object.__setattr__(self, "chrom", canonical_chrom(self.chrom))
        # transcript position of the first genomic base of each exon, ascending genomic order
        starts: list[int] = []
        if self.strand == 1:
            acc = 1
            for e in exons:
                starts.append(acc)
                acc += e.length
        else:
            acc = 1
            rev: list[int] = []
            for e in reversed(exons):
                rev.append(acc + e.length - 1)  # tx position of the genomic start (its 3' base)
                acc += e.length
            starts = rev[::-1]
        object.__setattr__(self, "_tx_starts", tuple(starts))
        object.__setattr__(self, "_exon_starts", tuple(e.start for e in exons))

    # ----------------------------------------------------------------------------- basic facts
    @property
    def versioned_id(self) -> str:
        return f"{self.id}.{self.version}" if self.version is not None else self.id

    @property
    def exon_starts(self) -> tuple[int, ...]:
        """Exon start positions in genomic order (for bisecting)."""
        return self._exon_starts

    @property
    def start(self) -> int:
        return self.exons[0].start

    @property
    def end(self) -> int:
        return self.exons[-1].end

    @cached_property
    def length(self) -> int:
        """Spliced length (sum of exon lengths)."""
        return sum(e.length for e in self.exons)

    @property
    def is_coding(self) -> bool:
        return self.cds_start is not None

    @property
    def cds_start_nf(self) -> bool:
        """The annotated CDS lacks its real start (tag ``cds_start_NF`` or a non-zero start phase)."""
        return "cds_start_NF" in self.tags or self.cds_phase != 0

    @property
    def cds_end_nf(self) -> bool:
        return "cds_end_NF" in self.tags

    @property
    def exons_in_order(self) -> tuple[Exon, ...]:
        """Exons in transcript (5'→3') order."""
        return self.exons if self.strand == 1 else self.exons[::-1]

    @cached_property
    def cds_tx_start(self) -> int | None:
        """Transcript position of c.1 (the first annotated CDS base)."""
        if self.cds_start is None or self.cds_end is None:
            return None
        g = self.cds_start if self.strand == 1 else self.cds_end
        return self._exonic_tx(g)

    @cached_property
    def cds_tx_end(self) -> int | None:
        """Transcript position of the last CDS base (the last base of the stop codon when annotated)."""
        if self.cds_start is None or self.cds_end is None:
            return None
        g = self.cds_end if self.strand == 1 else self.cds_start
        return self._exonic_tx(g)

    @property
    def cds_length(self) -> int:
        if self.cds_tx_start is None or self.cds_tx_end is None:
            return 0
        return self.cds_tx_end - self.cds_tx_start + 1

    # ----------------------------------------------------------------------------- mapping
    def exon_index(self, pos: int) -> int | None:
        """0-based index in transcript order of the exon holding genomic ``pos``; None if not exonic."""
        i = bisect_right(self._exon_starts, pos) - 1
        if i >= 0 and self.exons[i].contains(pos):
            return i if self.strand == 1 else len(self.exons) - 1 - i
        return None

    def _exonic_tx(self, pos: int) -> int | None:
        i = bisect_right(self._exon_starts, pos) - 1
        if i < 0 or not self.exons[i].contains(pos):
            return None
        d = pos - self.exons[i].start
        return self._tx_starts[i] + d if self.strand == 1 else self._tx_starts[i] - d

    def tx_position(self, pos: int) -> tuple[int, int]:
        """(transcript position, intron offset) of genomic ``pos``.

        Exonic: offset 0. Intronic: anchored to the nearer exon boundary in transcript order
        (ties, the middle of an odd intron, go to the upstream exon with a ``+`` offset).
        Outside the transcript: the numbering continues (< 1 upstream, > length downstream).
        """
        exons = self.exons
        i = bisect_right(self._exon_starts, pos) - 1
        if i >= 0 and exons[i].contains(pos):
            d = pos - exons[i].start
            return (self._tx_starts[i] + d if self.strand == 1 else self._tx_starts[i] - d), 0
        if i < 0:  # genomically before the first exon
            dist = exons[0].start - pos
            return (1 - dist, 0) if self.strand == 1 else (self.length + dist, 0)
        if i == len(exons) - 1:  # genomically after the last exon
            dist = pos - exons[-1].end
            return (self.length + dist, 0) if self.strand == 1 else (1 - dist, 0)
        left, right = exons[i], exons[i + 1]
        d_left = pos - left.end
        d_right = right.start - pos
        tx_left_end = self._exonic_tx(left.end)
        tx_right_start = self._exonic_tx(right.start)
        assert tx_left_end is not None and tx_right_start is not None
        if self.strand == 1:
            # upstream exon is `left`
            if d_left <= d_right:
                return tx_left_end, d_left
            return tx_right_start, -d_right
        # minus strand: upstream exon is `right`
        if d_right <= d_left:
            return tx_right_start, d_right
        return tx_left_end, -d_left

    def tx_to_cpos(self, tx: int, offset: int = 0) -> CPos:
        """HGVS position for a transcript position (c. for coding, n. numbering otherwise)."""
        cs, ce = self.cds_tx_start, self.cds_tx_end
        if cs is None or ce is None:
            if tx < 1:
                return CPos(1 - tx, offset, "-")
            if tx > self.length:
                return CPos(tx - self.length, offset, "*")
            return CPos(tx, offset)
        if tx < cs:
            return CPos(cs - tx, offset, "-")
        if tx > ce:
            return CPos(tx - ce, offset, "*")
        return CPos(tx - cs + 1, offset)

    def cpos(self, pos: int) -> CPos:
        """HGVS c. (coding) or n. (non-coding) position of genomic ``pos``."""
        tx, off = self.tx_position(pos)
        return self.tx_to_cpos(tx, off)

    def cds_position(self, pos: int) -> int | None:
        """1-based position within the CDS (c. number) of an exonic CDS base, else None."""
        if self.cds_tx_start is None or self.cds_tx_end is None:
            return None
        tx = self._exonic_tx(pos)
        if tx is None or not self.cds_tx_start <= tx <= self.cds_tx_end:
            return None
        return tx - self.cds_tx_start + 1

    def tx_to_genomic(self, tx: int) -> int:
        """Genomic position of transcript position ``tx`` (continued outside the transcript)."""
        if tx < 1:
            return self.exons_in_order[0].start - (1 - tx) if self.strand == 1 else self.end + (1 - tx)
        if tx > self.length:
            extra = tx - self.length
            return self.end + extra if self.strand == 1 else self.start - extra
        for i, e in enumerate(self.exons):
            s = self._tx_starts[i]
            if self.strand == 1 and s <= tx < s + e.length:
                return e.start + (tx - s)
            if self.strand == -1 and s - e.length < tx <= s:
                return e.start + (s - tx)
        raise AssertionError("unreachable")

    def genomic_position(self, cpos: CPos) -> int:
        """Genomic position of an HGVS position (inverse of :meth:`cpos`)."""
        cs, ce = self.cds_tx_start, self.cds_tx_end
        if cs is None or ce is None:
            cs, ce = 1, self.length
        if cpos.utr == "-":
            tx = cs - cpos.num
        elif cpos.utr == "*":
            tx = ce + cpos.num
        else:
            tx = cpos.num + cs - 1 if self.is_coding else cpos.num
        g = self.tx_to_genomic(tx)
        return g + cpos.offset * self.strand

    # ----------------------------------------------------------------------------- NMD facts
    def is_in_last_exon(self, pos: int) -> bool:
        idx = self.exon_index(pos)
        return idx is not None and idx == len(self.exons) - 1

    def distance_to_last_junction(self, pos: int) -> int | None:
        """Spliced distance (nt) from exonic ``pos`` to the last exon-exon junction.

        Positive upstream of the junction (1 = the last base of the penultimate exon), zero or
        negative inside the last exon; None for non-exonic positions or single-exon transcripts.
        """
        if len(self.exons) < 2:
            return None
        tx = self._exonic_tx(pos)
        if tx is None:
            return None
        junction = self.length - self.exons_in_order[-1].length  # tx of the penultimate exon's last base
        return junction - tx + 1

    def escapes_nmd(self, pos: int) -> bool | None:
        """Whether a premature stop at exonic ``pos`` is predicted to escape NMD (50-nt rule).

        True in the last exon, in the 3'-most 50 nt of the penultimate exon and for single-exon
        transcripts; False elsewhere in the exons; None for non-exonic positions.
        """
        if self.exon_index(pos) is None:
            return None
        d = self.distance_to_last_junction(pos)
        if d is None:
            return True
        return d <= NMD_JUNCTION_DISTANCE


@dataclass(frozen=True)
class Gene:
    id: str
    symbol: str | None
    chrom: str
    start: int
    end: int
    strand: int
    biotype: str = ""
    hgnc_id: str | None = None
    transcripts: tuple[Transcript, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "chrom", canonical_chrom(self.chrom))

    @property
    def canonical_transcript(self) -> Transcript | None:
        """MANE Select, else the Ensembl canonical, else None."""
        for t in self.transcripts:
            if t.is_mane_select:
                return t
        for t in self.transcripts:
            if t.is_canonical:
                return t
        return None
