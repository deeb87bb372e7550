# ruff: noqa: E501 - VCF fixtures keep their real line lengths
from __future__ import annotations

from pathlib import Path

import pysam

from vardesk.annotate.preannotated import read_preannotated
from vardesk.domain import variant_key

VEP = """##fileformat=VCFv4.2
##contig=<ID=chr7,length=159345973>
##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">
##INFO=<ID=MYTAG,Number=1,Type=String,Description="Lab tag">
##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|HGVSc|HGVSp|Amino_acids|CANONICAL|MANE_SELECT">
#CHROM	POS	ID	REF	ALT	QUAL	FILTER	INFO
chr7	117559590	.	ATCT	A	.	PASS	DP=30;MYTAG=x1;CSQ=-|inframe_deletion|MODERATE|CFTR|ENSG00000001626|Transcript|ENST00000003084|protein_coding|ENST00000003084.11:c.1521_1523del|ENSP00000003084.6:p.Phe508del|F/-|YES|NM_000492.4,-|upstream_gene_variant|MODIFIER|CTTNBP2|ENSG00000077063|Transcript|ENST00000160298|protein_coding|||||
chr7	117548628	.	G	A,T	.	PASS	CSQ=A|missense_variant|MODERATE|CFTR|ENSG00000001626|Transcript|ENST00000003084|protein_coding|ENST00000003084.11:c.350G>A|ENSP00000003084.6:p.Arg117His|R/H|YES|NM_000492.4,T|stop_gained|HIGH|CFTR|ENSG00000001626|Transcript|ENST00000003084|protein_coding|ENST00000003084.11:c.350G>T|ENSP00000003084.6:p.Arg117Leu|R/L|YES|NM_000492.4
"""

SNPEFF = """##fileformat=VCFv4.2
##contig=<ID=17,length=83257441>
##INFO=<ID=ANN,Number=.,Type=String,Description="Functional annotations: 'Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | Transcript_BioType | Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / CDS.length | AA.pos / AA.length | Distance | ERRORS / WARNINGS / INFO' ">
##INFO=<ID=LAB,Number=1,Type=String,Description="custom">
#CHROM	POS	ID	REF	ALT	QUAL	FILTER	INFO
17	43045712	.	C	T	.	PASS	LAB=keep;ANN=T|missense_variant&splice_region_variant|MODERATE|BRCA1|ENSG00000012048|transcript|ENST00000357654.9|protein_coding|10/23|c.1067A>G|p.Gln356Arg|1180/7088|1067/5592|356/1863||,T|intron_variant|MODIFIER|BRCA1|ENSG00000012048|transcript|ENST00000471181.7|protein_coding|9/23|c.1000+67A>G||||||
"""


def test_vep_csq(tmp_path: Path) -> None:
    p = tmp_path / "vep.vcf"
    p.write_text(VEP)
    rows = {(r["pos"], r["alt"]): r for r in read_preannotated(p).to_pylist()}
    assert len(rows) == 3
    f508 = rows[(117559590, "A")]
    assert f508["chrom"] == "7" and f508["key"] == variant_key.encode("7", 117559590, "ATCT", "A")
    assert f508["consequence"] == "inframe_deletion" and f508["impact"] == "MODERATE"
    assert (f508["gene_symbol"], f508["gene_id"]) == ("CFTR", "ENSG00000001626")
    assert f508["hgvs_c"] == "c.1521_1523del" and f508["hgvs_p"] == "p.Phe508del"
    assert [t["transcript_id"] for t in f508["transcripts"]] == ["ENST00000003084", "ENST00000160298"]
    assert dict(f508["extra_info"]) == {"DP": "30", "MYTAG": "x1"}
    # multi-allelic: each ALT gets only its own CSQ entries
    assert rows[(117548628, "A")]["consequence"] == "missense_variant"
    assert rows[(117548628, "T")]["consequence"] == "stop_gained"
    assert rows[(117548628, "T")]["impact"] == "HIGH"


def test_snpeff_ann(tmp_path: Path) -> None:
    p = tmp_path / "snpeff.vcf"
    p.write_text(SNPEFF)
    (row,) = read_preannotated(p).to_pylist()
    assert row["source"] == "snpeff"
    assert row["consequence"] == "missense_variant"
    assert row["transcripts"][0]["consequences"] == ["missense_variant", "splice_region_variant"]
    assert row["transcript_id"] == "ENST00000357654.9" and row["hgvs_p"] == "p.Gln356Arg"
    assert dict(row["extra_info"]) == {"LAB": "keep"}


def test_bcsq_giab(testdata: Path) -> None:
    for name in ("with-bcsq.vcf", "ashk-trio.vcf.gz"):
        vcf = testdata / "giab-trio-grch37" / name
        table = read_preannotated(vcf)
        with pysam.VariantFile(str(vcf)) as vf:
            n_alts = sum(len(r.alts or ()) for r in vf)
        assert len(table) == n_alts
        sources = set(table["source"].to_pylist())
        assert sources == {"bcsq"}
        rows = table.to_pylist()
        intron = next(r for r in rows if r["pos"] == 15752321) if name == "with-bcsq.vcf" else None
        if intron:
            assert intron["consequence"] == "intron_variant" and intron["gene_symbol"] == "EFHD2"
            assert dict(intron["extra_info"])["denovo"] == "HG002"
        assert sum(r["consequence"] is not None for r in rows) > 0.9 * len(rows)
