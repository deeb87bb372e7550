"""``vardesk acmg classify``: JSON lines or TSV for every allele of a VCF, streamed; a bad VCF fails with
its line number and leaves no output file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.app.acmg_vcfs import ALLELES, header_lines, trio_with_bad_tail, vep_vcf
from tests.cli.console import assert_clean_failure, vardesk
from tests.conftest import TESTDATA
from vardesk.app.acmg_classify import CHUNK_RECORDS, CLASSES, FIELDS

TRIO = TESTDATA / "giab-trio-grch37/ashk-trio.vcf.gz"


def _no_leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


def test_jsonl_to_standard_output(tmp_path: Path) -> None:
    r = vardesk(["acmg", "classify", str(vep_vcf(tmp_path / "vep.vcf")), "--build", "GRCh37"])
    assert r.returncode == 0, r.stderr
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(o["chrom"], o["pos"], o["ref"], o["alt"]) for o in out] == ALLELES
    assert all(list(o) == list(FIELDS) for o in out)
    assert all(o["classification"] in CLASSES for o in out)
    assert out[0]["gene"] == "BRCA1" and out[0]["consequence"] == "frameshift_variant"
    assert {"code": "PM4", "strength": "Moderate", "points": 2} in out[1]["criteria"]


def test_tsv_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "out.tsv"
    r = vardesk(
        ["acmg", "classify", str(vep_vcf(tmp_path / "vep.vcf")), "--build", "GRCh37", "--format", "tsv",
         "--sex", "male", "-o", str(target)]
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    lines = target.read_text().splitlines()
    assert lines[0].split("\t") == list(FIELDS)
    rows = [line.split("\t") for line in lines[1:]]
    assert len(rows) == len(ALLELES)
    assert rows[1][:6] == ["7", "117199644", "ATCT", "A", "CFTR", "inframe_deletion"]
    assert "PM4:Moderate:2" in rows[1][6].split(";")
    assert all(row[8] in CLASSES for row in rows)
    assert _no_leftovers(tmp_path) == []


def test_giab_trio_streams_then_stops_at_the_bad_line(tmp_path: Path) -> None:
    """Standard output gets each complete chunk while the rest is still being read; a truncated record
    ends the run with its line number, exit 1, and no --output file."""
    if not TRIO.is_file():
        pytest.skip(f"test data not found at {TESTDATA}")
    vcf, n, line = trio_with_bad_tail(TRIO, tmp_path / "trio.vcf")
    r = vardesk(["acmg", "classify", str(vcf), "--build", "GRCh37"])
    assert_clean_failure(r, f"line {line}")
    streamed = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(streamed) == n - n % CHUNK_RECORDS > 0
    assert {o["classification"] for o in streamed} <= set(CLASSES)

    target = tmp_path / "out" / "classes.jsonl"
    target.parent.mkdir()
    r = vardesk(["acmg", "classify", str(vcf), "--build", "GRCh37", "-o", str(target)])
    assert_clean_failure(r, f"line {line}")
    assert list(target.parent.iterdir()) == []


def test_bad_vcf_line_number_and_no_output(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    bad = vep_vcf(tmp_path / "bad.vcf", broken_after=2)
    r = vardesk(["acmg", "classify", str(bad), "--build", "GRCh37", "-o", str(target)])
    assert_clean_failure(r, f"line {header_lines() + 3}")
    assert not target.exists() and _no_leftovers(tmp_path) == []


def test_input_and_option_mistakes(tmp_path: Path) -> None:
    r = vardesk(["acmg", "classify", str(tmp_path / "missing.vcf"), "--build", "GRCh37"])
    assert_clean_failure(r, "does not exist")
    plain = tmp_path / "plain.vcf"
    plain.write_text(
        "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n1\t10\t.\tA\tG\t.\t.\t.\n"
    )
    assert_clean_failure(
        vardesk(["acmg", "classify", str(plain), "--build", "GRCh37"]), "no CSQ, ANN or BCSQ"
    )
    r = vardesk(["acmg", "classify", str(plain), "--build", "hg19"])
    assert r.returncode == 2 and "invalid choice" in r.stderr
    r = vardesk(["acmg", "classify", str(plain), "--build", "GRCh37", "-o", str(tmp_path / "no" / "x")])
    assert_clean_failure(r, "does not exist")


def test_bundle_must_be_installed(tmp_path: Path) -> None:
    vcf = vep_vcf(tmp_path / "vep.vcf")
    data = tmp_path / "data"
    r = vardesk(["acmg", "classify", str(vcf), "--build", "GRCh37", "--bundle", "GRCh37-none"], data,
                f"sqlite:///{tmp_path / 'catalog.db'}")  # fmt: skip
    assert_clean_failure(r, "reference bundle 'GRCh37-none' is not installed")
