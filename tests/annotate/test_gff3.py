"""GFF3 reading on the real csq-suite / reference-slice models and small GENCODE/RefSeq rows."""

# ruff: noqa: E501  (GFF3 rows are long)

from __future__ import annotations

import gzip
import re
from collections import Counter
from pathlib import Path

import pytest

from vardesk.annotate.gff3 import read_gff3
from vardesk.domain.errors import Invalid
from vardesk.domain.transcript import Exon

TESTDATA = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"
CSQ = TESTDATA / "csq-suite"
ALL_GFFS = sorted(CSQ.glob("*/*.gff")) + sorted((TESTDATA / "reference-slices").glob("*/*.gff3"))

pytestmark = pytest.mark.skipif(not CSQ.is_dir(), reason="shared/testdata not beside the checkout")


def _exon_lines(path: Path) -> Counter[str]:
    """Exon rows per transcript id, counted straight from the text."""
    out: Counter[str] = Counter()
    for line in path.read_text().splitlines():
        cols = line.split("\t")
        if len(cols) >= 9 and cols[2] == "exon":
            m = re.search(r"Parent=transcript:([^;\t]+)", line)
            assert m
            out[m.group(1)] += 1
    return out


def test_all_suite_files_parse() -> None:
    assert len(ALL_GFFS) >= 60
    total = with_exon_rows = 0
    for path in ALL_GFFS:
        genes = read_gff3(path)
        assert genes, path
        for g in genes:
            for t in g.transcripts:
                assert t.strand in (1, -1)
                assert t.chrom == g.chrom
                if t.is_coding and "cds_irregular" not in t.tags:
                    assert t.cds_start is not None and t.cds_end is not None
                    # the CDS lies inside the exons at both ends
                    assert t.exon_index(t.cds_start) is not None
                    assert t.exon_index(t.cds_end) is not None
                total += 1
        # every transcript with exon rows is read, with as many exons as rows
        counts = _exon_lines(path)
        got = {t.id: len(t.exons) for g in genes for t in g.transcripts}
        for tid, n in counts.items():
            assert got.get(tid) == n, (path, tid)
        with_exon_rows += len(counts)
    # the rest are CDS-only models (EDUMMY*, EMN908947, bt2212, example)
    assert with_exon_rows >= 160 and 0 < total - with_exon_rows <= 10


def test_il5ra_minus_strand_model() -> None:
    (gene,) = read_gff3(CSQ / "ENST00000256452" / "ENST00000256452.gff")
    assert (gene.id, gene.symbol, gene.chrom, gene.strand) == ("ENSG00000091181", "IL5RA", "3", -1)
    assert (gene.start, gene.end, gene.biotype) == (21, 57085, "protein_coding")
    assert gene.hgnc_id == "HGNC:6017"  # from "[Source:HGNC Symbol%3BAcc:6017]"
    (t,) = gene.transcripts
    assert t.versioned_id == "ENST00000256452.3"
    assert (t.gene_id, t.gene_symbol, t.biotype) == ("ENSG00000091181", "IL5RA", "protein_coding")
    assert len(t.exons) == 13 and t.exons[0] == Exon(209, 783) and t.exons[-1] == Exon(40417, 40452)
    assert (t.cds_start, t.cds_end, t.cds_phase) == (697, 35456, 0)
    assert t.protein_id == "ENSP00000256452"
    assert "basic" in t.tags and not t.is_canonical and not t.is_mane_select
    # 5' UTR: 36 + 142 + 69 + 3 nt (exons 1-3 and the top of exon 4), so c.1 is 35456, and
    # 40452 (the transcript's first base) is c.-250.
    assert str(t.cpos(35456)) == "1" and str(t.cpos(35457)) == "-1" and str(t.cpos(40452)) == "-250"
    # the suite's intronic insertion at 35931: 9 nt past exon 3's 3' end (35940 = c.-4)
    assert str(t.cpos(35931)) == "-4+9"
    assert str(t.cpos(696)) == "*1"
    assert t.cds_length % 3 == 0
    # last exon 209-783; penultimate exon 5254-5338 ends (3') at 5254
    assert t.is_in_last_exon(700)
    assert t.escapes_nmd(5303) is True and t.escapes_nmd(5304) is False


def test_spaces_turned_into_tabs_and_chr_prefix() -> None:
    (gene,) = read_gff3(CSQ / "ENST00000360372" / "ENST00000360372.gff")
    assert gene.symbol == "TNNT2" and gene.chrom == "1"
    assert gene.hgnc_id == "HGNC:11949"


def test_cds_only_models_and_irregular_cds() -> None:
    genes = read_gff3(CSQ / "EDUMMY0002" / "EDUMMY0002.gff")
    t2 = next(t for g in genes for t in g.transcripts if t.id == "t2")
    assert t2.exons == (Exon(22, 30),) and (t2.cds_start, t2.cds_end) == (22, 30)
    assert t2.gene_symbol == "dummy2" and t2.gene_id == "g2"
    (slip,) = read_gff3(CSQ / "EMN908947" / "ribosomal-slippage.gff")
    assert "cds_irregular" in slip.transcripts[0].tags  # CDS parts 13463-13468 and 13468-13473 overlap
    (simple,) = read_gff3(CSQ / "EMN908947" / "simple.gff")
    assert "cds_irregular" not in simple.transcripts[0].tags


def test_incomplete_start_phase() -> None:
    (gene,) = read_gff3(TESTDATA / "reference-slices" / "grch37-SAMD11" / "SAMD11.grch37.gff3")
    (t,) = gene.transcripts
    assert t.cds_phase == 2 and t.cds_start_nf  # first CDS row 865692-865716 has phase 2
    assert t.cds_start == 865692


def test_old_ensembl_types() -> None:
    genes = read_gff3(CSQ / "ENST00000573314" / "ENST00000573314.gff")
    (t,) = [t for g in genes for t in g.transcripts]
    assert t.biotype == "nonsense_mediated_decay"  # feature type NMD_transcript_variant


GENCODE = """##gff-version 3
chr1\tHAVANA\tgene\t1000\t5000\t.\t-\t.\tID=ENSG00000000001.5;gene_id=ENSG00000000001.5;gene_type=protein_coding;gene_name=ABC1;level=2;hgnc_id=HGNC:1234
chr1\tHAVANA\ttranscript\t1000\t5000\t.\t-\t.\tID=ENST00000000011.3;Parent=ENSG00000000001.5;gene_id=ENSG00000000001.5;transcript_id=ENST00000000011.3;gene_type=protein_coding;gene_name=ABC1;transcript_type=protein_coding;transcript_name=ABC1-201;tag=basic,Ensembl_canonical,MANE_Select,CCDS
chr1\tHAVANA\texon\t4000\t5000\t.\t-\t.\tID=exon:ENST00000000011.3:1;Parent=ENST00000000011.3;transcript_id=ENST00000000011.3
chr1\tHAVANA\texon\t1000\t2000\t.\t-\t.\tID=exon:ENST00000000011.3:2;Parent=ENST00000000011.3;transcript_id=ENST00000000011.3
chr1\tHAVANA\tCDS\t4000\t4500\t.\t-\t0\tID=CDS:ENST00000000011.3;Parent=ENST00000000011.3;protein_id=ENSP00000000011.3
chr1\tHAVANA\tCDS\t1500\t2000\t.\t-\t0\tID=CDS:ENST00000000011.3;Parent=ENST00000000011.3;protein_id=ENSP00000000011.3
chr1\tHAVANA\ttranscript\t1200\t4800\t.\t-\t.\tID=ENST00000000012.1;Parent=ENSG00000000001.5;transcript_id=ENST00000000012.1;transcript_type=retained_intron;tag=basic
chr1\tHAVANA\texon\t1200\t4800\t.\t-\t.\tID=exon:ENST00000000012.1:1;Parent=ENST00000000012.1
"""

REFSEQ = """##gff-version 3
NC_000017.11\tRefSeq\tregion\t1\t83257441\t.\t+\t.\tID=NC_000017.11:1..83257441;Dbxref=taxon:9606;Name=17;chromosome=17;gbkey=Src
NC_000017.11\tBestRefSeq\tgene\t100\t900\t.\t+\t.\tID=gene-XYZ1;Dbxref=GeneID:4242,HGNC:HGNC:777;Name=XYZ1;gbkey=Gene;gene=XYZ1;gene_biotype=protein_coding
NC_000017.11\tBestRefSeq\tmRNA\t100\t900\t.\t+\t.\tID=rna-NM_000042.4;Parent=gene-XYZ1;Dbxref=GeneID:4242,HGNC:HGNC:777;Name=NM_000042.4;gbkey=mRNA;gene=XYZ1;tag=MANE Select;transcript_id=NM_000042.4
NC_000017.11\tBestRefSeq\texon\t100\t300\t.\t+\t.\tID=exon-NM_000042.4-1;Parent=rna-NM_000042.4;gene=XYZ1
NC_000017.11\tBestRefSeq\texon\t600\t900\t.\t+\t.\tID=exon-NM_000042.4-2;Parent=rna-NM_000042.4;gene=XYZ1
NC_000017.11\tBestRefSeq\tCDS\t201\t300\t.\t+\t0\tID=cds-NP_000033.1;Parent=rna-NM_000042.4;protein_id=NP_000033.1
NC_000017.11\tBestRefSeq\tCDS\t600\t700\t.\t+\t2\tID=cds-NP_000033.1;Parent=rna-NM_000042.4;protein_id=NP_000033.1
NC_000023.11\tBestRefSeq\tgene\t10\t90\t.\t-\t.\tID=gene-ABCX;Dbxref=GeneID:99;Name=ABCX;gene=ABCX;gene_biotype=lncRNA
NC_000023.11\tBestRefSeq\tlnc_RNA\t10\t90\t.\t-\t.\tID=rna-NR_000001.1;Parent=gene-ABCX;gbkey=ncRNA;gene=ABCX;transcript_id=NR_000001.1
NC_000023.11\tBestRefSeq\texon\t10\t90\t.\t-\t.\tID=exon-NR_000001.1-1;Parent=rna-NR_000001.1
###
##FASTA
>NC_000017.11
ACGT
"""


def test_gencode_flavour(tmp_path: Path) -> None:
    p = tmp_path / "g.gff3.gz"
    with gzip.open(p, "wt") as fh:
        fh.write(GENCODE)
    (gene,) = read_gff3(p)
    assert (gene.id, gene.symbol, gene.chrom, gene.biotype, gene.hgnc_id) == (
        "ENSG00000000001",
        "ABC1",
        "1",
        "protein_coding",
        "HGNC:1234",
    )
    main, ri = sorted(gene.transcripts, key=lambda t: t.id)
    assert main.versioned_id == "ENST00000000011.3" and main.version == 3
    assert main.is_canonical and main.is_mane_select and main.biotype == "protein_coding"
    assert (main.cds_start, main.cds_end) == (1500, 4500) and main.protein_id == "ENSP00000000011.3"
    assert main.exons == (Exon(1000, 2000), Exon(4000, 5000))
    assert ri.biotype == "retained_intron" and not ri.is_coding and not ri.is_canonical


def test_refseq_flavour(tmp_path: Path) -> None:
    p = tmp_path / "r.gff"
    p.write_text(REFSEQ)
    genes = {g.symbol: g for g in read_gff3(p)}
    xyz = genes["XYZ1"]
    assert (xyz.id, xyz.chrom, xyz.biotype, xyz.hgnc_id) == ("4242", "17", "protein_coding", "HGNC:777")
    (t,) = xyz.transcripts
    assert (t.id, t.version, t.is_mane_select, t.gene_symbol) == ("NM_000042", 4, True, "XYZ1")
    assert (t.cds_start, t.cds_end, t.cds_phase, t.biotype) == (201, 700, 0, "protein_coding")
    abcx = genes["ABCX"]
    assert abcx.chrom == "X" and abcx.strand == -1  # NC_000023 is chromosome X
    assert abcx.transcripts[0].biotype == "lncRNA" and abcx.transcripts[0].versioned_id == "NR_000001.1"


def test_malformed_line_is_invalid(tmp_path: Path) -> None:
    p = tmp_path / "bad.gff3"
    p.write_text("##gff-version 3\n1\tx\tgene\t1\n")
    with pytest.raises(Invalid) as e:
        read_gff3(p)
    assert e.value.details["line"] == 2
