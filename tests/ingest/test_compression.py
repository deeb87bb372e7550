"""The same VCF as plain, gzip, bgzip and bzip2, under misleading names, ingests identically."""

from __future__ import annotations

import bz2
import gzip
import hashlib

import pyarrow.parquet as pq
import pysam
import pytest
from conftest import GIAB

from vardesk.domain.errors import Invalid, TooLarge
from vardesk.ingest.pipeline import ingest_vcf
from vardesk.ingest.sniff import Compression, check_size, md5sum, sniff_compression, verify_md5
from vardesk.ingest.validate import validate_vcf


@pytest.fixture(scope="module")
def variants(tmp_path_factory):
    if not GIAB.exists():
        pytest.skip("shared test data not available")
    d = tmp_path_factory.mktemp("comp")
    text = gzip.decompress(GIAB.read_bytes())
    plain = d / "trio.vcf.gz"  # plain text named .gz
    plain.write_bytes(text)
    gz = d / "trio.bz2"  # gzip named .bz2
    gz.write_bytes(gzip.compress(text))
    bgz = d / "trio.vcf"  # bgzip (htslib) named .vcf
    src = d / "src.vcf"
    src.write_bytes(text)
    pysam.tabix_compress(str(src), str(bgz), force=True)
    bz = d / "trio.txt"  # bzip2 named .txt
    bz.write_bytes(bz2.compress(text))
    return {Compression.PLAIN: plain, Compression.GZIP: gz, Compression.BGZF: bgz, Compression.BZIP2: bz}


def test_sniffing_reads_bytes_not_names(variants):
    for comp, path in variants.items():
        assert sniff_compression(path) == comp


def test_all_compressions_give_identical_genomes(variants, tmp_path):
    tables = {}
    for comp, path in variants.items():
        result = ingest_vcf(path, tmp_path / comp.value)
        assert result.compression == comp.value
        assert result.records_read == 9940
        tables[comp] = [pq.read_table(s.genotypes_path) for s in result.samples]
    first = tables[Compression.PLAIN]
    for comp, other in tables.items():
        assert all(a.equals(b) for a, b in zip(first, other, strict=True)), comp


def test_validate_vcf_header_facts(variants):
    info = validate_vcf(variants[Compression.BZIP2])
    assert info.samples == ["HG002", "HG003", "HG004"]
    assert (info.version, info.compression, info.records, info.build, info.gvcf) == (
        "4.1",
        "bzip2",
        9940,
        "GRCh37",
        False,
    )
    assert info.contigs["1"] == 249250621 and len(info.contigs) == 86
    assert info.reference.endswith("human_g1k_v37_decoy.fasta")
    assert info.format["AD"].number == "R" and info.info["BCSQ"].type == "String"


def test_clinvar_without_contigs_builds_from_reference_line():
    info = validate_vcf(GIAB.parents[1] / "clinvar" / "clinvar_20191007.vcf.gz")
    assert info.contigs == {} and info.build == "GRCh37" and info.samples == [] and info.records > 0


def test_size_guard_and_md5(variants):
    path = variants[Compression.GZIP]
    size = path.stat().st_size
    assert check_size(path, size) == size
    with pytest.raises(TooLarge):
        check_size(path, size - 1)
    with pytest.raises(TooLarge):
        validate_vcf(path, max_bytes=1000)
    digest = hashlib.md5(path.read_bytes()).hexdigest()
    assert md5sum(path) == digest
    verify_md5(path, digest.upper())
    with pytest.raises(Invalid, match="MD5 mismatch"):
        verify_md5(path, "0" * 32)
