"""Hand-checked HGVS cases on a small synthetic transcript and on the real ABCA10 slice.

Synthetic contig "1" (72 nt), built piece by piece so every position can be counted by hand:

    1-10   GCGCGCGCGC        upstream
    11-13  CCA               5' UTR (exon 1)           c.-3 .. c.-1
    14-25  ATG AAA AAG GCT   CDS, exon 1               c.1 .. c.12   Met1 Lys2 Lys3 Ala4
    26-35  GTAAGCTCAG        intron                    c.12+1 .. c.12+5, c.13-5 .. c.13-1
    36-50  CGT TGG CAG TAC TAA  CDS, exon 2            c.13 .. c.27  Arg5 Trp6 Gln7 Tyr8 Ter9
    51-62  GTAGCCTGAACC      3' UTR (exon 2)           c.*1 .. c.*12
    63-72  GCGCGCGCGC        downstream

Read on in frame past the stop, the 3' UTR gives GTA GCC TGA (Val Ala Ter); one base earlier
(frame -1) it gives ..AAG TAG (Lys Ter). Contig "2" is the reverse complement of contig "1" with
the mirrored transcript on the minus strand: genomic g on "1" is 73 - g on "2", and every
description must come out the same.
"""

from __future__ import annotations

import time
from pathlib import Path

import pysam
import pytest

from vardesk.annotate.gff3 import read_gff3
from vardesk.annotate.hgvs import HgvsFormatter, format_hgvs, revcomp
from vardesk.domain.transcript import Exon, Transcript

SEQ1 = (
    "GCGCGCGCGC" + "CCA" + "ATGAAAAAGGCT" + "GTAAGCTCAG" + "CGTTGGCAGTACTAA" + "GTAGCCTGAACC" + "GCGCGCGCGC"
)
SEQ2 = revcomp(SEQ1)
L = len(SEQ1)
TESTDATA = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"


def fetch(chrom: str, start: int, end: int) -> str:
    seq = SEQ1 if chrom == "1" else SEQ2
    return seq[max(start, 1) - 1 : end]


def plus() -> Transcript:
    exons = (Exon(11, 25), Exon(36, 62))
    return Transcript("TXP", "G", "SYN", "1", 1, exons, 14, 50, "protein_coding", version=1)


def minus() -> Transcript:
    return Transcript("TXM", "G", "SYN", "2", -1, (Exon(11, 37), Exon(48, 62)), 23, 59, "protein_coding")


def mirror(pos: int, ref: str, alt: str) -> tuple[int, str, str]:
    """The same single-base change on contig "2"."""
    return L + 1 - pos, revcomp(ref), revcomp(alt)


def test_layout() -> None:
    assert len(SEQ1) == 72 and SEQ1[13:16] == "ATG" and SEQ1[47:50] == "TAA"
    assert plus().cds_length == 27 and minus().cds_length == 27
    fmt = HgvsFormatter(fetch)
    assert fmt.reference_protein(plus()) == "MKKARWQY*" == fmt.reference_protein(minus())


SNVS = [
    # (pos on "1", ref, alt, c., p.)
    (36, "C", "T", "c.13C>T", "p.(Arg5Cys)"),  # CGT → TGT
    (40, "G", "A", "c.17G>A", "p.(Trp6Ter)"),  # TGG → TAG
    (25, "T", "C", "c.12T>C", "p.(Ala4=)"),  # GCT → GCC
    (14, "A", "G", "c.1A>G", "p.(Met1?)"),  # start codon
    (48, "T", "C", "c.25T>C", "p.(Ter9GlnextTer3)"),  # TAA → CAA, then GTA GCC TGA: Val Ala Ter
    (49, "A", "G", "c.26A>G", "p.(Ter9=)"),  # TAA → TGA, still a stop
    (12, "C", "T", "c.-2C>T", None),  # 5' UTR
    (53, "A", "G", "c.*3A>G", None),  # 3' UTR
    (27, "T", "A", "c.12+2T>A", None),  # intron, 2 nt after exon 1
    (31, "C", "G", "c.13-5C>G", None),  # intron 26-35: 31 is 5 nt before c.13 (36)
    (5, "G", "A", "c.-9G>A", None),  # upstream: 6 nt before c.-3 (11), numbering continues
]


@pytest.mark.parametrize(("pos", "ref", "alt", "c", "p"), SNVS)
def test_snvs_both_strands(pos: int, ref: str, alt: str, c: str, p: str | None) -> None:
    assert SEQ1[pos - 1] == ref
    fmt = HgvsFormatter(fetch)
    r = fmt.format(plus(), pos, ref, alt)
    assert (r.hgvs_c, r.hgvs_p) == (c, p)
    assert r.transcript_id == "TXP.1" and r.hgvs_c_full == f"TXP.1:{c}"
    m = fmt.format(minus(), *mirror(pos, ref, alt))
    assert (m.hgvs_c, m.hgvs_p) == (c, p)


def test_short_forms() -> None:
    fmt = HgvsFormatter(fetch)
    assert fmt.format(plus(), 36, "C", "T").protein_change_short == "R5C"
    assert fmt.format(plus(), 40, "G", "A").protein_change_short == "W6*"
    assert fmt.format(plus(), 36, "C", "T").protein_position == 5


# The homopolymer A at c.4-c.8 (genomic 17-21 on "1", 52-56 on "2" as T).
# Deleting one A: 3' rule → the last A, c.8. ATG AAA AGG CTC GTT GGC AGT ACT AAG TAG:
# Lys3 becomes Arg, then Leu Val Gly Ser Thr Lys and a stop at the 8th position.
DEL_EXPECTED = ("c.8del", "p.(Lys3ArgfsTer8)")
# Duplicating one A: ATG AAA AAA GGC TCG TTG GCA GTA CTA AGT AGC CTG AAC C — Ala4 becomes Gly
# and no stop follows before the transcript ends.
DUP_EXPECTED = ("c.8dup", "p.(Ala4GlyfsTer?)")


@pytest.mark.parametrize(
    ("pos", "ref", "alt"),
    [(16, "GA", "G"), (20, "AA", "A")],  # left-aligned (VCF) and right-most representations
)
def test_homopolymer_deletion_shifted_3prime(pos: int, ref: str, alt: str) -> None:
    fmt = HgvsFormatter(fetch)
    r = fmt.format(plus(), pos, ref, alt)
    assert (r.hgvs_c, r.hgvs_p) == DEL_EXPECTED
    # mirrored: the deleted T lies in 52..56 on "2"; both representations
    m = fmt.format(minus(), 51, SEQ2[50:52], SEQ2[50])
    assert SEQ2[51:56] == "TTTTT"
    assert (m.hgvs_c, m.hgvs_p) == DEL_EXPECTED
    m = fmt.format(minus(), 55, "TT", "T")
    assert (m.hgvs_c, m.hgvs_p) == DEL_EXPECTED


def test_dup_both_strands() -> None:
    fmt = HgvsFormatter(fetch)
    r = fmt.format(plus(), 16, "G", "GA")
    assert (r.hgvs_c, r.hgvs_p) == DUP_EXPECTED
    assert r.protein_change_short == "A4Gfs*?"
    m = fmt.format(minus(), 51, SEQ2[50], SEQ2[50] + "T")
    assert (m.hgvs_c, m.hgvs_p) == DUP_EXPECTED


def test_in_frame_changes() -> None:
    fmt = HgvsFormatter(fetch)
    # TTT between c.9 (G, 22) and c.10 (G, 23): ATG AAA AAG TTT GCT … inserts Phe after Lys3
    r = fmt.format(plus(), 22, "G", "GTTT")
    assert (r.hgvs_c, r.hgvs_p) == ("c.9_10insTTT", "p.(Lys3_Ala4insPhe)")
    # deleting TGG (c.16-18, genomic 39-41) removes Trp6
    r = fmt.format(plus(), 38, "TTGG", "T")
    assert (r.hgvs_c, r.hgvs_p) == ("c.16_18del", "p.(Trp6del)")
    # inserting AAG after c.6: ATG AAA AAG AAG GCT → the new Lys is a dup of Lys3 (3' most)
    r = fmt.format(plus(), 19, "A", "AAAG")
    assert r.hgvs_c == "c.7_9dup" and r.hgvs_p == "p.(Lys3dup)"
    # two-base change CG → TA at c.13-14 (CGT → TAT): Arg5Tyr as a delins on the DNA level
    r = fmt.format(plus(), 36, "CG", "TA")
    assert (r.hgvs_c, r.hgvs_p) == ("c.13_14delinsTA", "p.(Arg5Tyr)")
    m = fmt.format(minus(), 36, "CG", "TA")  # "2":36-37 = revcomp of "1":36-37 = CG
    assert (m.hgvs_c, m.hgvs_p) == ("c.13_14delinsTA", "p.(Arg5Tyr)")


def test_utr_intron_offsets_in_other_models() -> None:
    # exons 3-8, 11-25, 36-55, 58-62: 8 = c.-4, 9 = c.-4+1, 10 = c.-3-1, 56 = c.*5+1, 57 = c.*6-1
    t = Transcript("T3", "G", None, "1", 1, (Exon(3, 8), Exon(11, 25), Exon(36, 55), Exon(58, 62)), 14, 50)
    fmt = HgvsFormatter(fetch)
    assert fmt.format(t, 9, "G", "A").hgvs_c == "c.-4+1G>A"
    assert fmt.format(t, 10, "C", "T").hgvs_c == "c.-3-1C>T"
    assert fmt.format(t, 56, "A", "G").hgvs_c == "c.*5+1A>G"
    assert fmt.format(t, 57, "C", "T").hgvs_c == "c.*6-1C>T"
    # the same exons without a CDS: n. numbering, exon 1 has 6 nt, so 36 is n.22
    nc = Transcript("NC", "G", None, "1", 1, t.exons, biotype="lncRNA")
    r = fmt.format(nc, 36, "C", "T")
    assert (r.hgvs_c, r.hgvs_p) == ("n.22C>T", None)


def test_variant_across_exon_boundary_has_unknown_protein() -> None:
    # deleting c.12 and c.12+1 (genomic 25-26): splicing unknown
    r = format_hgvs(plus(), 24, "CTG", "C", fetch)
    assert r.hgvs_c == "c.12_12+1del" and r.hgvs_p == "p.?"


def test_incomplete_start_gets_no_protein() -> None:
    t = Transcript("TI", "G", None, "1", 1, (Exon(11, 25), Exon(36, 62)), 14, 50, cds_phase=1)
    r = format_hgvs(t, 36, "C", "T", fetch)
    assert r.hgvs_c == "c.13C>T" and r.hgvs_p is None


ABCA10 = TESTDATA / "reference-slices" / "grch38-ABCA10"


@pytest.mark.skipif(not ABCA10.is_dir(), reason="shared/testdata not beside the checkout")
def test_abca10_frameshift_with_immediate_stop() -> None:
    fa = pysam.FastaFile(str(ABCA10 / "grch38_chr17_abca10.fa.gz"))
    (gene,) = read_gff3(ABCA10 / "ABCA10.grch38.gff3")
    (t,) = gene.transcripts
    fmt = HgvsFormatter(lambda c, s, e: fa.fetch(c, s - 1, e))
    # Minus strand. c.1354-1365 read ACT ATT TAT AAT (Thr452 Ile453 Tyr454 Asn455); the VCF's
    # 69193976 AAT>A removes genomic 69193977-78 = c.1358 and c.1357 ("AT" in transcript
    # orientation; not shiftable: the next base c.1359 is T). ACT T|TA TAA: Ile453 becomes Leu
    # and the next codon is a stop.
    r = fmt.format(t, 69193976, "AAT", "A")
    assert (r.hgvs_c, r.hgvs_p) == ("c.1357_1358del", "p.(Ile453LeufsTer2)")
    # the 8-base insertion in exon 25 is a frameshift too
    r = fmt.format(t, 69154324, "C", "CACCTGGAA")
    assert r.hgvs_p is not None and "fsTer" in r.hgvs_p and "ins" in (r.hgvs_c or "")
    # 69193973 A>G is c.1362T>C: TAT → TAC, Tyr454 kept
    assert fmt.format(t, 69193973, "A", "G").hgvs_p == "p.(Tyr454=)"


def test_cached_calls_are_fast() -> None:
    calls = 0

    def counting_fetch(chrom: str, start: int, end: int) -> str:
        nonlocal calls
        calls += 1
        return fetch(chrom, start, end)

    fmt = HgvsFormatter(counting_fetch)
    t = plus()
    fmt.format(t, 36, "C", "T")
    first = calls
    t0 = time.perf_counter()
    for _ in range(2000):
        fmt.format(t, 36, "C", "T")
    per_call = (time.perf_counter() - t0) / 2000
    assert calls == first  # substitutions after the first call need no fetch at all
    assert per_call < 200e-6
