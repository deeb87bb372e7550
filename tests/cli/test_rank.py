"""``vardesk rank``: a case-free gene ranking of the real GIAB Ashkenazi trio (GRCh37) with its PED,
annotated by the SAMD11 reference slice; no catalog case is created."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.cli.console import assert_clean_failure
from tests.cli.test_cli import run
from tests.conftest import TESTDATA
from tests.slices import samd11_bundle

TRIO = TESTDATA / "giab-trio-grch37"
# the variants the case tests keep (tests/api/native/test_clinical_flow.py): SAMD11's one heterozygous
# call in the child, 1:878314 G>C, fits a dominant model only
CONSEQUENCES = "missense_variant,synonymous_variant"


@pytest.fixture
def installed(database_url: str, tmp_path: Path) -> tuple[Path, str]:
    d = tmp_path / "data"
    bundle = samd11_bundle(tmp_path / "slice")
    r = run(["bundle", "install", str(bundle)], d, database_url)
    assert r.returncode == 0, r.stderr
    return d, json.loads(r.stdout)["id"]


def rank(installed: tuple[Path, str], database_url: str, *extra: str):  # type: ignore[no-untyped-def]
    d, bundle = installed
    args = ["rank", str(TRIO / "ashk-trio.vcf.gz"), "--ped", str(TRIO / "ashk-trio.ped"), "--bundle", bundle]
    return run([*args, "--consequences", CONSEQUENCES, *extra], d, database_url)


def test_rank_prints_the_trio_ranking_as_tsv_and_json(installed: tuple[Path, str], database_url: str) -> None:
    r = rank(installed, database_url, "--hpo", "HP:0001250,HP:9999999", "--exclude-hpo", "HP:0001263")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout), delimiter="\t"))
    assert list(rows[0]) == [
        "rank",
        "gene",
        "score",
        "phenotype_score",
        "variant_score",
        "mode",
        "top_variants",
    ]
    assert [(row["rank"], row["gene"], row["mode"]) for row in rows] == [("1", "SAMD11", "DOMINANT")]
    assert rows[0]["top_variants"] == "1:878314:G:C synonymous_variant 0/1"
    assert float(rows[0]["variant_score"]) > 0 and 0 <= float(rows[0]["phenotype_score"]) <= 1
    # a term newer than the shipped HPO is a warning, not a refusal
    assert "HP:9999999" in r.stderr and "warning" in r.stderr

    j = rank(installed, database_url, "--hpo", "HP:0001250", "--format", "json", "--limit", "5")
    assert j.returncode == 0, j.stderr
    doc = json.loads(j.stdout)
    assert (doc["build"], doc["proband"], doc["samples"]) == ("GRCh37", "HG002", ["HG002", "HG003", "HG004"])
    assert doc["annotation"]["source"] == "bundle" and doc["genes_ranked"] == 1
    gene = doc["genes"][0]
    assert gene["gene"] == "SAMD11" and gene["burden"]["variants"] == ["1:878314G>C"]
    assert gene["top_variants"] == [
        {"variant": "1:878314:G:C", "consequence": "synonymous_variant", "genotype": "0/1"}
    ]


def test_mode_restricts_the_models_and_errors_are_clean(
    installed: tuple[Path, str], database_url: str, tmp_path: Path
) -> None:
    r = rank(installed, database_url, "--hpo", "HP:0001250", "--mode", "AR")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[1:] == []  # SAMD11's only fit is dominant
    # a VCF error names its line (the ingest validation), as every command fails: one line, exit 1
    vcf = tmp_path / "bad.vcf"
    vcf.write_text(
        "##fileformat=VCFv4.2\n##contig=<ID=1,length=249250621>\n"
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"
        "1\t100\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\n"
        "1\tnot-a-position\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\n"
    )
    r = run(["rank", str(vcf), "--hpo", "HP:0001250"], installed[0], database_url)
    assert_clean_failure(r, "line 6")
    malformed = rank(installed, database_url, "--hpo", "seizure", "--mode", "XY")
    assert_clean_failure(malformed, "mode 'XY' is not one of")
