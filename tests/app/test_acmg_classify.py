"""Classifying a VCF's alleles without a case: the VCF's own annotation (VEP CSQ, bcftools BCSQ) or a
reference bundle, streamed record by record, with line-numbered errors."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tests.annotate.test_engine import grch37_bundle  # noqa: F401 - the SAMD11 bundle fixture
from tests.app.acmg_vcfs import ALLELES, header_lines, trio_with_bad_tail, vep_vcf
from tests.conftest import TESTDATA
from vardesk.app.acmg_classify import CLASSES, FIELDS, TSV_HEADER, classify_vcf, jsonl_line, tsv_line
from vardesk.domain.errors import Invalid

TRIO = TESTDATA / "giab-trio-grch37/ashk-trio.vcf.gz"


@pytest.fixture(scope="module")
def testdata() -> Path:
    if not TRIO.is_file():
        pytest.skip(f"test data not found at {TESTDATA}")
    return TESTDATA


def test_the_five_classes() -> None:
    assert CLASSES == (
        "Pathogenic",
        "Likely pathogenic",
        "Uncertain significance",
        "Likely benign",
        "Benign",
    )


def test_vep_csq_one_record_per_allele_in_file_order(tmp_path: Path) -> None:
    out = list(classify_vcf(vep_vcf(tmp_path / "vep.vcf"), build="GRCh37"))
    assert [(r["chrom"], r["pos"], r["ref"], r["alt"]) for r in out] == ALLELES
    assert all(tuple(r) == FIELDS for r in out)
    assert [r["gene"] for r in out] == ["BRCA1", "CFTR", "HBB", "HBB", "MTHFR"]
    assert [r["consequence"] for r in out] == [
        "frameshift_variant",
        "inframe_deletion",
        "missense_variant",
        "missense_variant",
        "missense_variant",
    ]
    for r in out:
        assert r["classification"] in CLASSES
        assert r["points"] == sum(c["points"] for c in r["criteria"] if c["strength"] != "Stand-alone")
        for c in r["criteria"]:
            assert set(c) == {"code", "strength", "points"}
    cftr = {c["code"]: c for c in out[1]["criteria"]}
    assert cftr["PM4"] == {"code": "PM4", "strength": "Moderate", "points": 2}  # in-frame deletion


def test_sex_is_accepted_and_checked(tmp_path: Path) -> None:
    vcf = vep_vcf(tmp_path / "vep.vcf")
    assert len(list(classify_vcf(vcf, build="GRCh37", sex="female"))) == len(ALLELES)
    with pytest.raises(Invalid, match="unknown sex"):
        list(classify_vcf(vcf, build="GRCh37", sex="other"))
    with pytest.raises(Invalid, match="unknown genome build"):
        list(classify_vcf(vcf, build="hg19"))


def test_giab_trio_bcsq(testdata: Path) -> None:
    out = list(classify_vcf(TRIO, build="GRCh37"))
    assert len(out) == 9940
    assert {r["classification"] for r in out} <= set(CLASSES)
    samd11 = [r for r in out if r["gene"] == "SAMD11"]
    assert samd11 and all(r["consequence"] for r in samd11)
    assert any(c["code"] == "PM4" for r in out for c in r["criteria"])


def test_streams_records_before_reading_the_rest(tmp_path: Path) -> None:
    """A malformed record late in the file: the earlier chunks come out before the error."""
    vcf = vep_vcf(tmp_path / "bad.vcf", broken_after=3)
    records = classify_vcf(vcf, build="GRCh37", chunk_records=2)
    first = list(itertools.islice(records, 2))
    assert [(r["chrom"], r["pos"]) for r in first] == [("17", 41276044), ("7", 117199644)]
    with pytest.raises(Invalid) as err:
        list(records)
    assert err.value.details["line"] == header_lines() + 4
    assert f"line {header_lines() + 4}" in str(err.value)


def test_bad_tail_of_the_trio_names_its_line(testdata: Path, tmp_path: Path) -> None:
    path, n, line = trio_with_bad_tail(TRIO, tmp_path / "trio.vcf")
    records = classify_vcf(path, build="GRCh37", chunk_records=1000)
    complete = n - n % 1000  # every complete chunk before the bad record comes out
    assert len(list(itertools.islice(records, complete))) == complete
    with pytest.raises(Invalid, match=f"line {line}"):
        next(records)


def test_not_annotated_or_not_a_vcf(tmp_path: Path, testdata: Path) -> None:
    plain = tmp_path / "plain.vcf"
    plain.write_text(
        "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n1\t10\t.\tA\tG\t.\t.\t.\n"
    )
    with pytest.raises(Invalid, match="no CSQ, ANN or BCSQ"):
        list(classify_vcf(plain, build="GRCh37"))
    junk = tmp_path / "junk.vcf"
    junk.write_text("this is not a VCF\n")
    with pytest.raises(Invalid, match="not a readable VCF"):
        list(classify_vcf(junk, build="GRCh37"))


def test_formats(tmp_path: Path) -> None:
    rec = next(iter(classify_vcf(vep_vcf(tmp_path / "vep.vcf"), build="GRCh37")))
    assert jsonl_line(rec).endswith("\n") and '"gene":"BRCA1"' in jsonl_line(rec)
    assert TSV_HEADER.rstrip("\n").split("\t") == list(FIELDS)
    assert len(tsv_line(rec).rstrip("\n").split("\t")) == len(FIELDS)


def test_bundle_annotates_the_giab_samd11_slice(grch37_bundle, testdata: Path) -> None:  # noqa: F811
    vcf = testdata / "reference-slices/grch37-SAMD11/ashk_SAMD11.vcf.gz"
    out = list(classify_vcf(vcf, build="GRCh37", bundle=grch37_bundle))
    assert out and all(r["classification"] in CLASSES for r in out)
    assert {r["gene"] for r in out if r["gene"]} == {"SAMD11"}
    with pytest.raises(Invalid, match="is for GRCh37"):
        list(classify_vcf(vcf, build="GRCh38", bundle=grch37_bundle))
