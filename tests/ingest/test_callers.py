"""Genotype fields of different callers, multi-allelic splitting and gVCF blocks map to one schema."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import HEADER

from vardesk.ingest.pipeline import ingest_vcf
from vardesk.variants.query import coverage_at, depth_at

FIXED = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT"


def ingest(write_vcf, tmp_path: Path, text: str):
    src = write_vcf(text)
    result = ingest_vcf(src, tmp_path / "out")
    tables = [pq.read_table(s.genotypes_path).to_pylist() for s in result.samples]
    return result, tables


def by_allele(rows):
    return {(r["pos"], r["ref"], r["alt"]): r for r in rows}


def test_multiallelic_split_gt_ad_vaf_and_trim(write_vcf, tmp_path, bcftools):
    text = (
        HEADER + FIXED + "\tS1\n"
        "chr1\t100\t.\tA\tG,T\t50\tPASS\tDP=30\tGT:AD:DP:GQ\t1/2:2,10,18:30:99\n"
        "chr1\t200\t.\tATT\tA,AT\t50\tPASS\t.\tGT:AD:DP:GQ\t0|2:10,3,7:20:50\n"
    )
    result, (rows,) = ingest(write_vcf, tmp_path, text)
    assert result.records_read == 2 and result.variants_kept == 4
    got = by_allele(rows)
    g, t = got[(100, "A", "G")], got[(100, "A", "T")]
    assert (g["gt"], g["zygosity"], g["ad_ref"], g["ad_alt"], g["dp"]) == ("1/0", 1, 2, 10, 30)
    assert (t["gt"], t["zygosity"], t["ad_ref"], t["ad_alt"]) == ("0/1", 1, 2, 18)
    assert g["vaf"] == pytest.approx(10 / 30) and t["vaf"] == pytest.approx(18 / 30)
    d1, d2 = got[(200, "ATT", "A")], got[(200, "AT", "A")]  # ATT>AT trimmed to AT>A
    assert (d1["gt"], d1["zygosity"], d1["ad_alt"], d1["phased"]) == ("0|0", 0, 3, True)
    assert (d2["gt"], d2["zygosity"], d2["ad_ref"], d2["ad_alt"]) == ("0|1", 1, 10, 7)
    # bcftools norm -m- agrees on GT and AD of the split records
    oracle = bcftools("norm", "-m-", "-Ov", str(write_vcf(text, "again.vcf")))
    for line in oracle.splitlines():
        if line.startswith("#") or "\t100\t" not in line:
            continue
        f = line.split("\t")
        gt, ad = f[9].split(":")[0], f[9].split(":")[1].split(",")
        row = got[(100, f[3], f[4])]
        assert row["gt"] == gt and [row["ad_ref"], row["ad_alt"]] == [int(ad[0]), int(ad[1])]


def test_freebayes_ro_ao_and_float_gq(write_vcf, tmp_path):
    header = HEADER + (
        '##FORMAT=<ID=RO,Number=1,Type=Integer,Description="Reference allele observations">\n'
        '##FORMAT=<ID=AO,Number=A,Type=Integer,Description="Alternate allele observations">\n'
    )
    text = (
        header
        + FIXED
        + "\tS1\n"
        + "chr1\t300\t.\tC\tT,G\t99\t.\tDP=40\tGT:DP:RO:AO:GQ\t0/1:40:20:17,3:150.7\n"
    )
    _, (rows,) = ingest(write_vcf, tmp_path, text)
    got = by_allele(rows)
    t, g = got[(300, "C", "T")], got[(300, "C", "G")]
    assert (t["ad_ref"], t["ad_alt"], t["dp"], t["gq"], t["zygosity"]) == (20, 17, 40, 151, 1)
    assert t["vaf"] == pytest.approx(17 / 40)
    assert (g["ad_ref"], g["ad_alt"], g["zygosity"], g["gt"]) == (20, 3, 0, "0/0")


def test_casava_dpu_and_base_counts(write_vcf, tmp_path):
    header = HEADER + "".join(
        f'##FORMAT=<ID={t},Number={n},Type=Integer,Description="{t}">\n'
        for t, n in [("DPU", 1), ("DPF", 1), ("AU", 2), ("CU", 2), ("GU", 2), ("TU", 2)]
    )
    text = (
        header
        + FIXED
        + "\tS1\n"
        + "chr1\t400\t.\tA\tC\t30\tPASS\t.\tGT:GQ:DPU:DPF:AU:CU:GU:TU\t0/1:60:25:3:12,13:11,11:0,0:1,1\n"
    )
    _, (rows,) = ingest(write_vcf, tmp_path, text)
    (r,) = rows
    assert (r["dp"], r["ad_ref"], r["ad_alt"], r["gq"], r["zygosity"]) == (25, 12, 11, 60, 1)
    assert r["vaf"] == pytest.approx(11 / 24)


def test_strelka_snv_base_counts_and_indel_tar_tir(write_vcf, tmp_path):
    header = HEADER + "".join(
        f'##FORMAT=<ID={t},Number={n},Type=Integer,Description="{t}">\n'
        for t, n in [("FDP", 1), ("SDP", 1), ("SUBDP", 1), ("AU", 2), ("CU", 2), ("GU", 2), ("TU", 2),
                     ("DP2", 1), ("TAR", 2), ("TIR", 2), ("TOR", 2)]
    )  # fmt: skip
    text = (
        header
        + FIXED
        + "\tNORMAL\tTUMOR\n"
        + (
            "chr1\t500\t.\tG\tT\t.\tPASS\tSOMATIC\tDP:FDP:SDP:SUBDP:AU:CU:GU:TU\t"
            "30:0:0:0:0,0:0,0:30,31:0,0\t40:0:0:0:0,0:0,0:28,29:12,12\n"
            "chr1\t600\t.\tGA\tG\t.\tPASS\tSOMATIC\tDP:DP2:TAR:TIR:TOR\t35:35:34,36:0,0:1,1\t45:45:30,31:14,15:1,1\n"
        )
    )
    result, (normal, tumour) = ingest(write_vcf, tmp_path, text)
    assert [s.name for s in result.samples] == ["NORMAL", "TUMOR"]
    n_snv, n_del = normal
    t_snv, t_del = tumour
    assert (n_snv["ad_ref"], n_snv["ad_alt"], n_snv["dp"], n_snv["zygosity"], n_snv["gt"]) == (
        30,
        0,
        30,
        -1,
        None,
    )
    assert (t_snv["ad_ref"], t_snv["ad_alt"], t_snv["dp"]) == (28, 12, 40)
    assert t_snv["vaf"] == pytest.approx(0.3)
    assert (n_del["ad_ref"], n_del["ad_alt"]) == (34, 0)
    assert (t_del["ad_ref"], t_del["ad_alt"], t_del["dp"]) == (30, 14, 45)
    assert t_del["vaf"] == pytest.approx(14 / 44)


def test_haploid_and_missing_values(write_vcf, tmp_path):
    text = (
        HEADER
        + FIXED
        + "\tS1\n"
        + (
            "chrX\t1000\trs1\tA\tG\t.\t.\t.\tGT:AD:DP:GQ\t1:0,9:9:40\n"
            "chrX\t2000\t.\tA\tG\t20\tq10;LowQual\t.\tGT:AD:DP:GQ\t./.:.:.:.\n"
            "chrX\t3000\t.\tA\tG\t20\tPASS\t.\tGT:AD\t0/1\n"
        )
    )
    _, (rows,) = ingest(write_vcf, tmp_path, text)
    hemi, nocall, cut = rows
    assert (hemi["chrom"], hemi["zygosity"], hemi["rsid"], hemi["qual"], hemi["filters"]) == (
        "X",
        3,
        "rs1",
        None,
        [],
    )
    assert (nocall["zygosity"], nocall["dp"], nocall["ad_ref"], nocall["filters"]) == (
        -1,
        None,
        None,
        ["q10", "LowQual"],
    )
    assert (cut["zygosity"], cut["ad_ref"], cut["vaf"]) == (1, None, None)


def test_gvcf_reference_blocks_become_coverage_not_variants(write_vcf, tmp_path):
    header = HEADER + (
        '##ALT=<ID=NON_REF,Description="Any other allele">\n'
        '##INFO=<ID=END,Number=1,Type=Integer,Description="End">\n'
        '##FORMAT=<ID=MIN_DP,Number=1,Type=Integer,Description="Min depth">\n'
        '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="PL">\n'
    )
    text = (
        header
        + FIXED
        + "\tS1\n"
        + (
            "chr1\t1000\t.\tA\t<NON_REF>\t.\t.\tEND=1099\tGT:DP:GQ:MIN_DP:PL\t0/0:30:60:25:0,60,900\n"
            "chr1\t1100\t.\tC\tT,<NON_REF>\t300\tPASS\tDP=31\tGT:AD:DP:GQ:PL\t0/1:15,14,0:29:99:300,0,400,345,442,787\n"
            "chr1\t1101\t.\tG\t<NON_REF>\t.\t.\tEND=1500\tGT:DP:GQ:MIN_DP\t0/0:20:40:18\n"
        )
    )
    result, (rows,) = ingest(write_vcf, tmp_path, text)
    assert result.gvcf and result.reference_blocks == 2
    assert [(r["pos"], r["ref"], r["alt"], r["gt"], r["ad_ref"], r["ad_alt"]) for r in rows] == [
        (1100, "C", "T", "0/1", 15, 14)
    ]
    s = result.samples[0]
    cov = pq.read_table(s.coverage_path).to_pylist()
    assert cov == [
        {"chrom": "1", "start": 1000, "end": 1099, "min_dp": 25, "gq": 60},
        {"chrom": "1", "start": 1101, "end": 1500, "min_dp": 18, "gq": 40},
    ]
    assert coverage_at(s.coverage_path, "chr1", 1050)["min_dp"] == 25
    assert coverage_at(s.coverage_path, "1", 1500)["gq"] == 40
    assert coverage_at(s.coverage_path, "chr1", 1600) is None
    assert depth_at(s.genotypes_path, s.coverage_path, "chr1", 1100) == 29
    assert depth_at(s.genotypes_path, s.coverage_path, "chr1", 1200) == 18


def test_left_alignment_with_reference(write_vcf, tmp_path, bcftools):
    fasta = tmp_path / "ref.fa"
    seq = "GATTACA" + "CAGCAGCAG" + "TTTT" + "A" * 30
    fasta.write_text(">chr1\n" + seq + "\n")
    import pysam

    pysam.faidx(str(fasta))
    # deleting the last CAG of the repeat (positions 14-16) left-aligns to the base before the repeat
    text = (
        HEADER.replace("##contig=<ID=chrX,length=156040895>\n", "")
        + FIXED
        + "\tS1\n"
        + (f"chr1\t13\t.\t{seq[12:16]}\t{seq[12]}\t50\tPASS\t.\tGT\t0/1\n")
    )
    src = write_vcf(text)
    result = ingest_vcf(src, tmp_path / "out", reference_fasta=fasta, expected_build="GRCh38")
    (row,) = pq.read_table(result.samples[0].genotypes_path).to_pylist()
    assert (row["pos"], row["ref"], row["alt"]) == (7, "ACAG", "A")
    expected = bcftools("norm", "-f", str(fasta), str(src)).splitlines()[-1].split("\t")
    assert (int(expected[1]), expected[3], expected[4]) == (7, "ACAG", "A")
