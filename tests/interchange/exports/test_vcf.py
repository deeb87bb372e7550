"""VCF export read back by htslib (pysam.VariantFile) and bcftools (pysam.bcftools)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pyarrow as pa
import pysam
import pytest
from pysam import bcftools

from vardesk.interchange.exports import CONTIG_LENGTHS, InfoField, escape_info, iter_vcf

CONDITIONS = ["Breast-ovarian cancer, familial 1; type=HBOC", "Hereditary cancer-predisposing syndrome"]

MULTI_ROWS: list[dict[str, Any]] = [
    {
        "chrom": "13",
        "pos": 32340300,
        "id": "rs80359550",
        "ref": "GT",
        "alt": "G",
        "qual": 812.5,
        "filters": ["PASS"],
        "gene_symbol": "BRCA2",
        "hgvs_c": "NM_000059.4:c.5946del",
        "consequences": ["frameshift_variant"],
        "clinvar_conditions": CONDITIONS,
        "gnomad_af": 3.2e-05,
        "in_clinvar": True,
        "het_count": 2,
        "comment": "50% reads; check=manual, see note: 100%",
        "samples": {
            "proband": {"gt": "0/1", "ad": [21, 19], "dp": 40, "gq": 99},
            "mother": {"gt": "0/1", "ad": [15, 17], "dp": 32, "gq": 87},
            "father": {"gt": "0/0", "ad": [30, 0], "dp": 30, "gq": 90},
        },
    },
    {
        "chrom": "X",
        "pos": 153296777,
        "id": None,
        "ref": "C",
        "alt": "T",
        "qual": None,
        "filters": ["LowQual", "CONFIRMED"],
        "gene_symbol": "MECP2",
        "hgvs_c": "NM_004992.4:c.473C>T",
        "consequences": ["missense_variant", "splice_region_variant"],
        "clinvar_conditions": [],
        "gnomad_af": None,
        "in_clinvar": False,
        "het_count": 0,
        "comment": "",
        "samples": {"proband": {"GT": "1", "AD": [0, 12], "DP": 12, "GQ": None}, "mother": None},
    },
]
SAMPLES = ["proband", "mother", "father"]
FILTERS = {"LowQual": "Low quality", "CONFIRMED": "Passed external confirmation"}


def write(tmp_path: Path, chunks: Any, name: str = "out.vcf") -> Path:
    path = tmp_path / name
    path.write_text("".join(chunks))
    return path


def test_multi_sample_vcf_round_trips_through_htslib(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path, iter_vcf(MULTI_ROWS, samples=SAMPLES, assembly="GRCh38", filter_descriptions=FILTERS)
    )
    with pysam.VariantFile(str(path)) as vcf:
        header = vcf.header
        assert list(header.samples) == SAMPLES
        assert header.contigs["13"].length == CONTIG_LENGTHS["GRCh38"]["13"] == 114364328
        assert len(header.contigs) == 25
        info = header.info
        assert (info["gnomad_af"].type, info["gnomad_af"].number) == ("Float", 1)
        assert (info["het_count"].type, info["in_clinvar"].type) == ("Integer", "Flag")
        assert (info["clinvar_conditions"].type, info["clinvar_conditions"].number) == ("String", ".")
        assert set(header.formats) == {"GT", "AD", "DP", "GQ"}
        first, second = list(vcf)
    assert "[W::" not in capfd.readouterr().err  # htslib found every contig, INFO, FORMAT and FILTER declared

    assert (first.chrom, first.pos, first.id, first.ref, first.alts) == (
        "13",
        32340300,
        "rs80359550",
        "GT",
        ("G",),
    )
    assert first.qual == 812.5 and list(first.filter) == ["PASS"]
    assert first.info["gene_symbol"] == "BRCA2"
    assert unquote(first.info["hgvs_c"]) == "NM_000059.4:c.5946del"
    assert [unquote(c) for c in first.info["clinvar_conditions"]] == CONDITIONS
    assert unquote(first.info["comment"]) == "50% reads; check=manual, see note: 100%"
    assert first.info["consequences"] == ("frameshift_variant",)
    assert first.info["gnomad_af"] == pytest.approx(3.2e-05, rel=1e-6)
    assert first.info["in_clinvar"] is True and first.info["het_count"] == 2
    assert first.samples["proband"]["GT"] == (0, 1) and first.samples["proband"]["AD"] == (21, 19)
    assert first.samples["mother"]["DP"] == 32 and first.samples["father"]["GQ"] == 90

    assert second.id is None and second.qual is None and list(second.filter) == ["LowQual", "CONFIRMED"]
    assert "in_clinvar" not in second.info and "gnomad_af" not in second.info
    assert "clinvar_conditions" not in second.info and "comment" not in second.info
    assert second.info["consequences"] == ("missense_variant", "splice_region_variant")
    assert second.samples["proband"]["GT"] == (1,) and second.samples["proband"]["AD"] == (0, 12)
    assert second.samples["proband"]["GQ"] is None
    assert second.samples["mother"]["GT"] == (None, None)  # no data for her: missing, not hom-ref
    assert second.samples["father"]["GT"] == (None, None)


def test_bcftools_reads_the_vcf_and_queries_the_values(tmp_path: Path) -> None:
    path = write(
        tmp_path, iter_vcf(MULTI_ROWS, samples=SAMPLES, assembly="GRCh38", filter_descriptions=FILTERS)
    )
    out = bcftools.query("-f", "%CHROM\t%POS\t%INFO/gene_symbol\t%INFO/het_count[\t%GT]\n", str(path))
    assert out.splitlines() == [
        "13\t32340300\tBRCA2\t2\t0/1\t0/1\t0/0",
        "X\t153296777\tMECP2\t0\t1\t./.\t./.",
    ]
    body = bcftools.view("-H", "-i", 'INFO/gene_symbol="BRCA2"', str(path))
    assert len(body.splitlines()) == 1


def test_genotype_table_batches_with_chr_prefix(tmp_path: Path) -> None:
    batch = pa.RecordBatch.from_pydict(
        {
            "key": pa.array([1, 2], pa.int64()),
            "chrom": ["1", "MT"],
            "pos": pa.array([930204, 7028], pa.int32()),
            "ref": ["G", "C"],
            "alt": ["A", "T"],
            "rsid": ["rs148711625", None],
            "qual": pa.array([1484.13, 50.0], pa.float32()),
            "filters": [["PASS"], []],
            "gt": ["0|1", "1/1"],
            "zygosity": pa.array([1, 2], pa.int8()),
            "ad_ref": pa.array([10, 0], pa.int32()),
            "ad_alt": pa.array([12, 40], pa.int32()),
            "dp": pa.array([22, 40], pa.int32()),
            "gq": pa.array([99, None], pa.int32()),
            "info": pa.array([[("DP", "22")], []], pa.map_(pa.string(), pa.string())),
            "gene_symbol": ["SAMD11", "MT-CO1"],
            "cadd_phred": pa.array([23.4, None], pa.float32()),
        }
    )
    text = "".join(iter_vcf([batch], samples=["HG002"], assembly="GRCh37", chr_prefix=True))
    assert "##contig=<ID=chr1,length=249250621,assembly=GRCh37>" in text
    assert "##contig=<ID=chrM,length=16569,assembly=GRCh37>" in text
    info_lines = [line for line in text.splitlines() if line.startswith("##INFO")]
    assert [line.split(",")[0] for line in info_lines] == ["##INFO=<ID=gene_symbol", "##INFO=<ID=cadd_phred"]
    records = [line.split("\t") for line in text.splitlines() if not line.startswith("#")]
    assert records[0][:7] == ["chr1", "930204", "rs148711625", "G", "A", "1484.13", "PASS"]
    assert records[0][7] == "gene_symbol=SAMD11;cadd_phred=23.4"
    assert records[0][9] == "0|1:10,12:22:99"
    assert records[1][0] == "chrM" and records[1][6] == "." and records[1][9] == "1/1:0,40:40:."
    with pysam.VariantFile(str(write(tmp_path, [text]))) as vcf:
        assert [r.chrom for r in vcf] == ["chr1", "chrM"]


def test_explicit_info_fields_and_unknown_assembly(tmp_path: Path) -> None:
    rows = [{"chrom": "7", "pos": 1, "ref": "A", "alt": ["C", "T"], "af": [0.1, 0.2], "label": "x"}]
    fields = [InfoField("af", id="AF", number="A", type="Float", description='Allele "frequency"')]
    text = "".join(iter_vcf(rows, info=fields, file_date=date(2024, 3, 14)))
    assert "##fileDate=20240314" in text
    assert '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele \\"frequency\\"">' in text
    assert "##contig=<ID=7>" in text and "label" not in text  # only the columns asked for
    assert text.rstrip().endswith("7\t1\t.\tA\tC,T\t.\t.\tAF=0.1,0.2")  # sites only: no FORMAT column
    with pysam.VariantFile(str(write(tmp_path, [text]))) as vcf:
        (rec,) = list(vcf)
        assert rec.info["AF"] == pytest.approx((0.1, 0.2))


def test_info_columns_by_name_are_typed_from_the_data() -> None:
    rows = [{"chrom": "1", "pos": 5, "ref": "A", "alt": "G", "n": 3, "s": "a b", "dp": 9}]
    text = "".join(iter_vcf(rows, info=["s", "n", "dp"]))
    ids = [line.split(",")[:3] for line in text.splitlines() if line.startswith("##INFO")]
    assert ids == [
        ["##INFO=<ID=s", "Number=1", "Type=String"],
        ["##INFO=<ID=n", "Number=1", "Type=Integer"],
        ["##INFO=<ID=dp", "Number=1", "Type=Integer"],
    ]
    assert text.rstrip().endswith("s=a%20b;n=3;dp=9")


def test_escape_info_encodes_every_reserved_character() -> None:
    assert escape_info("a b;c=d,e:f%g\th\n") == "a%20b%3Bc%3Dd%2Ce%3Af%25g%09h%0A"


def test_mistyped_values_fail_loudly_instead_of_truncating() -> None:
    rows = [{"chrom": "1", "pos": 5, "ref": "A", "alt": "G", "score": 1.5}]
    with pytest.raises(ValueError, match="Integer"):
        "".join(iter_vcf(rows, info=[InfoField("score", type="Integer")]))
    with pytest.raises(ValueError, match="genotype"):
        "".join(iter_vcf([{**rows[0], "gt": "0/1 "}], samples=["s"]))
    with pytest.raises(ValueError, match="unique"):
        iter_vcf(rows, samples=["s", "s"])
