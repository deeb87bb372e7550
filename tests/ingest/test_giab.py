"""The real GIAB Ashkenazi trio against independent bcftools extractions of the same file."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from vardesk.domain import variant_key
from vardesk.domain.errors import Invalid
from vardesk.ingest.pipeline import ingest_vcf
from vardesk.variants.query import VariantQuery, count_variants, query_variants


@pytest.fixture(scope="module")
def ingested(giab: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("giab") / "genome"
    return ingest_vcf(giab, out, expected_build="GRCh37"), out


def _int(text: str) -> int | None:
    return None if text in (".", "") else int(text)


def test_trio_matches_bcftools_query_for_every_record(ingested, giab, bcftools, tmp_path):
    result, _ = ingested
    assert result.build == "GRCh37"
    assert [s.name for s in result.samples] == ["HG002", "HG003", "HG004"]
    assert result.records_read == 9940
    split = tmp_path / "split.vcf"
    split.write_text(bcftools("norm", "-m-", "-Ov", str(giab)))
    text = bcftools("query", "-f", "%CHROM\t%POS\t%REF\t%ALT[\t%GT\t%AD\t%DP\t%GQ]\n", str(split))
    expected = [line.split("\t") for line in text.splitlines()]
    assert len(expected) == result.variants_kept
    for s in result.samples:
        rows = pq.read_table(s.genotypes_path).to_pylist()
        assert len(rows) == len(expected)
        got = {(r["chrom"], r["pos"], r["ref"], r["alt"]): r for r in rows}
        assert len(got) == len(rows)
        for fields in expected:
            chrom, pos, ref, alt = fields[:4]
            gt, ad, dp, gq = fields[4 + 4 * s.index : 8 + 4 * s.index]
            row = got[(variant_key.canonical_chrom(chrom), int(pos), ref, alt)]
            assert row["gt"] == gt
            ads = ad.split(",") if ad != "." else [".", "."]
            assert (row["ad_ref"], row["ad_alt"]) == (_int(ads[0]), _int(ads[1]))
            assert row["dp"] == _int(dp)
            assert row["gq"] == _int(gq)


def test_vectorised_key_equals_reference_encoder_on_every_record(ingested):
    result, _ = ingested
    table = pq.read_table(result.samples[0].genotypes_path, columns=["key", "chrom", "pos", "ref", "alt"])
    rows = table.to_pylist()
    assert len(rows) == 9940
    for r in rows:
        assert r["key"] == variant_key.encode(r["chrom"], r["pos"], r["ref"], r["alt"])
    keys = table["key"].to_pylist()
    assert keys == sorted(keys)


def test_zygosity_agrees_with_gt(ingested):
    result, _ = ingested
    rows = pq.read_table(result.samples[0].genotypes_path, columns=["gt", "zygosity", "phased"]).to_pylist()
    by_gt = {"0/0": 0, "0/1": 1, "1/1": 2, "./.": -1}
    checked = 0
    for r in rows:
        if r["gt"] in by_gt:
            assert r["zygosity"] == by_gt[r["gt"]]
            checked += 1
    assert checked > 9000


def test_family_query_child_het_parents_hom_ref_equals_bcftools_view(ingested, giab, bcftools):
    chrom_line = [
        line for line in bcftools("view", "-h", str(giab)).splitlines() if line.startswith("#CHROM")
    ]
    assert chrom_line[0].split("\t")[9:] == ["HG002", "HG003", "HG004"]
    text = bcftools("view", "-H", "-i", 'GT[0]="het" && GT[1]="RR" && GT[2]="RR"', str(giab))
    lines = [line.split("\t") for line in text.splitlines()]
    expected = [(variant_key.canonical_chrom(f[0]), int(f[1]), f[3], f[4]) for f in lines]
    assert len(expected) > 10
    result, _ = ingested
    genomes = {s.name: s.genotypes_path for s in result.samples}
    query = VariantQuery(genotypes={"HG002": [1], "HG003": [0], "HG004": [0]})
    got = [
        (r["chrom"], r["pos"], r["ref"], r["alt"]) for r in query_variants(query, genomes, primary="HG002")
    ]
    assert got == expected
    assert count_variants(query, genomes, primary="HG002") == len(expected)


def test_expected_build_contradiction_is_invalid_and_leaves_nothing(giab, tmp_path):
    out = tmp_path / "g"
    with pytest.raises(Invalid) as err:
        ingest_vcf(giab, out, expected_build="GRCh38")
    assert "GRCh37" in err.value.message and "249250621" in err.value.message
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []
