# ruff: noqa: E501 - VCF fixtures keep their real line lengths
from __future__ import annotations

from pathlib import Path

import pysam
import pytest

from vardesk.annotate.preannotated import pipeline_sources, read_preannotated
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


# VEP 110 with --af_gnomade --af_gnomadg --max_af, dbNSFP (REVEL), CADD, SpliceAI and AlphaMissense plugins,
# a --custom gnomAD homozygote count: the fields in the order this pipeline's plugins appended them
VEP_SCORED_FORMAT = (
    "Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|HGVSc|HGVSp|Amino_acids|"
    "am_class|am_pathogenicity|REVEL|CADD_PHRED|CADD_RAW|SpliceAI_pred_DP_AG|SpliceAI_pred_DS_AG|"
    "SpliceAI_pred_DS_AL|SpliceAI_pred_DS_DG|SpliceAI_pred_DS_DL|SpliceAI_pred_SYMBOL|MANE_SELECT|CANONICAL|"
    "gnomADg_AF|gnomADg_NFE_AF|gnomADe_AF|gnomADe_AFR_AF|gnomADe_NFE_AF|gnomADe_ASJ_AF|MAX_AF|MAX_AF_POPS|"
    "gnomADe_nhomalt|gnomADg_nhomalt"
)


def csq(**values: str) -> str:
    """One CSQ entry in :data:`VEP_SCORED_FORMAT` order (absent fields empty, as VEP writes them)."""
    return "|".join(values.get(f, "") for f in VEP_SCORED_FORMAT.split("|"))


R117 = dict(Consequence="missense_variant", IMPACT="MODERATE", SYMBOL="CFTR", Gene="ENSG00000001626")
VEP_SCORED = f"""##fileformat=VCFv4.2
##contig=<ID=chr7,length=159345973>
##INFO=<ID=AF,Number=A,Type=Float,Description="Allele frequency in this call set">
##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. Format: {VEP_SCORED_FORMAT}">
#CHROM	POS	ID	REF	ALT	QUAL	FILTER	INFO
chr7	117530975	.	G	A,T	.	PASS	AF=0.5,0.5;CSQ={csq(Allele="A", **R117, Feature_type="Transcript", Feature="ENST00000003084", BIOTYPE="protein_coding", HGVSp="ENSP00000003084.6:p.Arg117His", Amino_acids="R/H", am_class="likely_pathogenic", am_pathogenicity="0.9127", REVEL="0.62", CADD_PHRED="24.1", SpliceAI_pred_DP_AG="-12", SpliceAI_pred_DS_AG="0.01", SpliceAI_pred_DS_AL="0.00", SpliceAI_pred_DS_DG="0.03", SpliceAI_pred_DS_DL="0.00", SpliceAI_pred_SYMBOL="CFTR", MANE_SELECT="NM_000492.4", CANONICAL="YES", gnomADg_AF="0.0009", gnomADg_NFE_AF="0.0015", gnomADe_AF="0.0012", gnomADe_AFR_AF="0.0001", gnomADe_NFE_AF="0.002", gnomADe_ASJ_AF="0.01", MAX_AF="0.01", MAX_AF_POPS="gnomADe_ASJ", gnomADe_nhomalt="3", gnomADg_nhomalt="2")},{csq(Allele="A", **R117, Feature_type="Transcript", Feature="ENST00000426809", BIOTYPE="protein_coding", Amino_acids="R/H", am_pathogenicity="0.88", REVEL="0.7&0.55", CADD_PHRED="24.1", gnomADg_AF="0.0009", gnomADe_AF="0.0012", gnomADe_NFE_AF="0.002", MAX_AF="0.01")},{csq(Allele="T", Consequence="stop_gained", IMPACT="HIGH", SYMBOL="CFTR", Gene="ENSG00000001626", Feature_type="Transcript", Feature="ENST00000003084", BIOTYPE="protein_coding", CADD_PHRED="38", SpliceAI_pred_DS_AG="0.12", SpliceAI_pred_DS_AL="0.00", SpliceAI_pred_DS_DG="0.00", SpliceAI_pred_DS_DL="0.05", MANE_SELECT="NM_000492.4", CANONICAL="YES")}
chr7	117531000	.	C	G	.	PASS	AF=0.5;CSQ={csq(Allele="G", Consequence="synonymous_variant", IMPACT="LOW", SYMBOL="CFTR", Gene="ENSG00000001626", Feature_type="Transcript", Feature="ENST00000003084", BIOTYPE="protein_coding", MAX_AF="0.03", MAX_AF_POPS="AFR")}
"""

# snpEff annotation with SpliceAI's own INFO string and gnomAD fields added by bcftools annotate (Number=A)
INFO_SCORED = """##fileformat=VCFv4.2
##contig=<ID=17,length=83257441>
##INFO=<ID=ANN,Number=.,Type=String,Description="Functional annotations: 'Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | Transcript_BioType | Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / CDS.length | AA.pos / AA.length | Distance | ERRORS / WARNINGS / INFO' ">
##INFO=<ID=AF,Number=A,Type=Float,Description="Allele Frequency">
##INFO=<ID=gnomad_AF,Number=A,Type=Float,Description="gnomAD v4.1 joint allele frequency">
##INFO=<ID=AF_grpmax,Number=A,Type=Float,Description="gnomAD maximum genetic ancestry group frequency">
##INFO=<ID=nhomalt,Number=A,Type=Integer,Description="gnomAD count of homozygous individuals">
##INFO=<ID=CADD_PHRED,Number=A,Type=Float,Description="CADD v1.7 PHRED score">
##INFO=<ID=SpliceAI,Number=.,Type=String,Description="SpliceAIv1.3.1 variant annotation. These include delta scores (DS) and delta positions (DP) for acceptor gain (AG), acceptor loss (AL), donor gain (DG), and donor loss (DL). Format: ALLELE|SYMBOL|DS_AG|DS_AL|DS_DG|DS_DL|DP_AG|DP_AL|DP_DG|DP_DL">
#CHROM	POS	ID	REF	ALT	QUAL	FILTER	INFO
17	43045712	.	C	T,G	.	PASS	AF=0.5,0.5;gnomad_AF=0.0001,0.2;AF_grpmax=0.0003,0.25;nhomalt=0,150;CADD_PHRED=29.5,.;SpliceAI=T|BRCA1|0.00|0.00|0.80|0.10|-3|12|1|-1,G|BRCA1|0.02|0.01|0.00|0.00|5|-7|3|2;ANN=T|missense_variant|MODERATE|BRCA1|ENSG00000012048|transcript|ENST00000357654.9|protein_coding|10/23|c.1067A>G|p.Gln356Arg|1180/7088|1067/5592|356/1863||,G|synonymous_variant|LOW|BRCA1|ENSG00000012048|transcript|ENST00000357654.9|protein_coding|10/23|c.1067A>C|p.Gln356Gln|1180/7088|1067/5592|356/1863||
"""


def test_vep_population_and_scores_per_allele(tmp_path: Path) -> None:
    p = tmp_path / "vep-scored.vcf"
    p.write_text(VEP_SCORED)
    rows = {(r["pos"], r["alt"]): r for r in read_preannotated(p).to_pylist()}
    his = rows[(117530975, "A")]
    assert his["gnomad_exomes_af"] == pytest.approx(0.0012) and his["gnomad_genomes_af"] == pytest.approx(
        0.0009
    )
    assert his["gnomad_af"] == pytest.approx(0.0012)  # the larger of exomes and genomes
    # the group maximum over gnomAD's grpmax groups: NFE 0.002, not the founder group ASJ (0.01) nor MAX_AF
    assert his["gnomad_af_grpmax"] == pytest.approx(0.002)
    assert his["gnomad_nhomalt"] == 5  # exomes 3 + genomes 2
    assert his["revel"] == pytest.approx(0.7)  # the maximum over the allele's transcripts and values
    assert his["cadd_phred"] == pytest.approx(24.1) and his["alphamissense"] == pytest.approx(0.9127)
    assert his["spliceai_max"] == pytest.approx(0.03)
    assert his["transcript_id"] == "ENST00000003084" and his["transcripts"][0]["mane"] is True
    stop = rows[(117530975, "T")]  # the other allele of the record: only its own entry's values
    assert stop["consequence"] == "stop_gained"
    assert (stop["gnomad_af"], stop["gnomad_af_grpmax"], stop["gnomad_nhomalt"], stop["revel"]) == (None,) * 4
    assert stop["cadd_phred"] == pytest.approx(38) and stop["spliceai_max"] == pytest.approx(0.12)
    syn = rows[(117531000, "G")]  # only VEP's MAX_AF: the group maximum, no global frequency
    assert syn["gnomad_af"] is None and syn["gnomad_af_grpmax"] == pytest.approx(0.03)
    fields = dict(his["pipeline_fields"])
    assert fields["gnomad_af"] == "CSQ/gnomADg_AF, CSQ/gnomADe_AF"
    assert fields["revel"] == "CSQ/REVEL" and fields["alphamissense"] == "CSQ/am_pathogenicity"
    assert (
        "CSQ/MAX_AF" in fields["gnomad_af_grpmax"] and "CSQ/gnomADe_ASJ_AF" not in fields["gnomad_af_grpmax"]
    )
    assert pipeline_sources(p) == fields


def test_info_fields_and_spliceai_string_per_allele(tmp_path: Path) -> None:
    p = tmp_path / "info-scored.vcf"
    p.write_text(INFO_SCORED)
    rows = {r["alt"]: r for r in read_preannotated(p).to_pylist()}
    t, g = rows["T"], rows["G"]
    assert t["gnomad_af"] == pytest.approx(0.0001) and g["gnomad_af"] == pytest.approx(0.2)  # not INFO/AF
    assert t["gnomad_af_grpmax"] == pytest.approx(0.0003) and g["gnomad_af_grpmax"] == pytest.approx(0.25)
    assert (t["gnomad_nhomalt"], g["gnomad_nhomalt"]) == (0, 150)
    assert t["spliceai_max"] == pytest.approx(0.8) and g["spliceai_max"] == pytest.approx(0.02)
    assert t["cadd_phred"] == pytest.approx(29.5) and g["cadd_phred"] is None
    assert t["gnomad_exomes_af"] is None and t["revel"] is None
    assert pipeline_sources(p) == {
        "cadd_phred": "INFO/CADD_PHRED",
        "gnomad_af": "INFO/gnomad_AF",
        "gnomad_af_grpmax": "INFO/AF_grpmax",
        "gnomad_nhomalt": "INFO/nhomalt",
        "spliceai_max": "INFO/SpliceAI",
    }


def test_bcsq_genome_has_every_annotation_column(testdata: Path) -> None:
    table = read_preannotated(testdata / "giab-trio-grch37" / "with-bcsq.vcf")
    for column in ("gnomad_af", "gnomad_af_grpmax", "gnomad_nhomalt", "revel", "cadd_phred", "spliceai_max"):
        assert table[column].null_count == len(table) > 0
    assert table["pipeline_fields"].null_count == len(table)  # no field read from the pipeline
