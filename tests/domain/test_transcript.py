"""Coordinate mapping and NMD facts of the transcript model, on hand-computed cases."""

from __future__ import annotations

import pytest

from vardesk.domain.transcript import CPos, Exon, Gene, Transcript


def _three_exon_tx(strand: int) -> Transcript:
    """Exons 100-120 (21 nt), 200-250 (51 nt), 300-400 (101 nt); CDS 110..318 (81 nt)."""
    return Transcript(
        id="TX1" if strand == 1 else "TX2",
        gene_id="G1",
        gene_symbol="GENE1",
        chrom="chr7",
        strand=strand,
        exons=(Exon(300, 400), Exon(100, 120), Exon(200, 250)),
        cds_start=110,
        cds_end=318,
        biotype="protein_coding",
        version=2 if strand == 1 else None,
    )


def plus_tx() -> Transcript:
    # tx positions: 100→1 … 120→21, 200→22 … 250→72, 300→73 … 400→173.
    # c.1 = 110 (tx 11); c.81 = 318 (tx 91).
    return _three_exon_tx(1)


def minus_tx() -> Transcript:
    # tx 1 = genomic 400, exon 300-400 is exon 1 (tx 1-101), 200-250 exon 2 (tx 102-152,
    # 250→102), 100-120 exon 3 (tx 153-173, 120→153).
    # c.1 = 318 (tx 83), last CDS base 110 (tx 163) = c.81.
    return _three_exon_tx(-1)


def test_basic_facts() -> None:
    t = plus_tx()
    assert t.chrom == "7"
    assert t.exons == (Exon(100, 120), Exon(200, 250), Exon(300, 400))
    assert t.length == 21 + 51 + 101
    assert t.is_coding and t.cds_length == 81
    assert t.versioned_id == "TX1.2"
    assert minus_tx().versioned_id == "TX2"


@pytest.mark.parametrize(
    ("pos", "expected"),
    [
        (110, "1"),
        (120, "11"),  # tx 21
        (200, "12"),  # tx 22
        (318, "81"),  # tx 91
        (319, "*1"),
        (400, "*82"),
        (401, "*83"),  # downstream of the transcript: numbering continues
        (109, "-1"),
        (100, "-10"),
        (99, "-11"),
        (121, "11+1"),
        (160, "11+40"),  # intron 121..199 has 79 nt; its middle base (d=40 both ways) gets "+"
        (161, "12-39"),
        (199, "12-1"),
        (251, "62+1"),  # 250 is tx 72 = c.62
        (299, "63-1"),
    ],
)
def test_plus_strand_cpos(pos: int, expected: str) -> None:
    t = plus_tx()
    assert str(t.cpos(pos)) == expected
    assert t.genomic_position(t.cpos(pos)) == pos


@pytest.mark.parametrize(
    ("pos", "expected"),
    [
        (318, "1"),
        (300, "19"),  # tx 101
        (250, "20"),  # tx 102
        (110, "81"),
        (109, "*1"),
        (100, "*10"),
        (99, "*11"),
        (319, "-1"),
        (400, "-82"),
        (401, "-83"),
        (299, "19+1"),
        (251, "20-1"),
        (275, "19+25"),  # intron 251..299 (49 nt): middle base 275 is 25 from both sides → "+"
        (274, "20-24"),
        (199, "70+1"),  # 200 is tx 152 = c.70
        (121, "71-1"),  # 120 is tx 153 = c.71
    ],
)
def test_minus_strand_cpos(pos: int, expected: str) -> None:
    t = minus_tx()
    assert str(t.cpos(pos)) == expected
    assert t.genomic_position(t.cpos(pos)) == pos


def test_cds_position_and_exon_index() -> None:
    t = minus_tx()
    assert t.cds_position(318) == 1
    assert t.cds_position(319) is None  # 5' UTR
    assert t.cds_position(150) is None  # intron
    assert t.exon_index(350) == 0 and t.exon_index(210) == 1 and t.exon_index(101) == 2
    assert t.exon_index(150) is None
    p = plus_tx()
    assert p.exon_index(350) == 2 and p.exon_index(101) == 0


def test_noncoding_n_positions() -> None:
    t = Transcript("NR1", "G", "G", "1", -1, (Exon(10, 19), Exon(30, 39)), biotype="lncRNA")
    assert not t.is_coding
    # minus strand: 39 → n.1, 30 → n.10, 19 → n.11, 10 → n.20
    assert str(t.cpos(39)) == "1" and str(t.cpos(10)) == "20"
    assert str(t.cpos(29)) == "10+1" and str(t.cpos(20)) == "11-1"
    assert str(t.cpos(40)) == "-1" and str(t.cpos(9)) == "*1"
    assert t.genomic_position(CPos(11)) == 19


def test_nmd_facts_plus() -> None:
    t = plus_tx()
    # last junction between tx 72 (genomic 250) and tx 73 (300)
    assert t.is_in_last_exon(300) and not t.is_in_last_exon(250)
    assert t.distance_to_last_junction(250) == 1
    assert t.distance_to_last_junction(201) == 50
    assert t.distance_to_last_junction(120) == 52  # tx 21, across the first junction
    assert t.escapes_nmd(201) is True  # 50 nt before the junction
    assert t.escapes_nmd(200) is False  # 51 nt before
    assert t.escapes_nmd(120) is False
    assert t.escapes_nmd(350) is True
    assert t.escapes_nmd(150) is None  # intronic


def test_nmd_facts_minus() -> None:
    t = minus_tx()
    # transcript order: 300-400, 200-250, 100-120; penultimate exon 200-250 ends (3') at 200
    assert t.is_in_last_exon(110)
    assert t.distance_to_last_junction(200) == 1
    assert t.distance_to_last_junction(250) == 51
    assert t.escapes_nmd(249) is True and t.escapes_nmd(250) is False
    assert t.escapes_nmd(300) is False


def test_single_exon_transcript_escapes_nmd() -> None:
    t = Transcript("T", "G", None, "1", 1, (Exon(1, 90),), cds_start=1, cds_end=90)
    assert t.escapes_nmd(5) is True
    assert t.distance_to_last_junction(5) is None


def test_invalid_models_rejected() -> None:
    with pytest.raises(ValueError):
        Transcript("T", "G", None, "1", 0, (Exon(1, 9),))
    with pytest.raises(ValueError):
        Transcript("T", "G", None, "1", 1, (Exon(1, 9), Exon(5, 20)))
    with pytest.raises(ValueError):
        Transcript("T", "G", None, "1", 1, (Exon(1, 9),), cds_start=3)
    with pytest.raises(ValueError):
        Exon(5, 4)


def test_gene_canonical_prefers_mane() -> None:
    a = Transcript("A", "G", "S", "1", 1, (Exon(1, 9),), is_canonical=True)
    b = Transcript("B", "G", "S", "1", 1, (Exon(1, 9),), is_mane_select=True)
    g = Gene("G", "S", "chrM", 1, 9, 1, transcripts=(a, b))
    assert g.chrom == "MT"
    assert g.canonical_transcript is b
    assert Gene("G", "S", "1", 1, 9, 1, transcripts=(a,)).canonical_transcript is a
