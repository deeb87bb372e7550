"""The synthetic VCF generator: deterministic, valid for htslib, realistic proportions."""

from __future__ import annotations

from pathlib import Path

import pysam
import pytest

from vardesk.ingest.build import GRCH37_LENGTHS
from vardesk.ingest.validate import validate_vcf
from vardesk.synthetic.vcf import generate_vcf, main

SLICE = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "testdata" / "reference-slices" / "grch37-SAMD11"
)


def test_deterministic_and_readable_by_htslib(tmp_path):
    a, b, c = tmp_path / "a.vcf.gz", tmp_path / "b.vcf.gz", tmp_path / "c.vcf.gz"
    generate_vcf(a, records=3000, seed=3)
    generate_vcf(b, records=3000, seed=3)
    generate_vcf(c, records=3000, seed=4)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    with pysam.VariantFile(str(a)) as vf:
        recs = list(vf)
        assert list(vf.header.samples) == ["SAMPLE1"]
        assert vf.header.contigs["chr1"].length == 248956422
    assert 2990 <= len(recs) <= 3000
    snv = sum(len(r.ref) == 1 and all(len(x) == 1 for x in r.alts) for r in recs if len(r.alts) == 1)
    multi = sum(len(r.alts) > 1 for r in recs)
    missing = sum(r.samples[0]["GT"] == (None, None) for r in recs)
    assert 0.84 < snv / len(recs) < 0.91 and multi > 10 and missing > 10
    assert all(set(r.format.keys()) == {"GT", "AD", "DP", "GQ", "PL"} for r in recs)


def test_trio_is_mostly_mendelian_and_grch37_named(tmp_path):
    out = tmp_path / "trio.vcf.gz"
    main(["--records", "4000", "--seed", "1", "--trio", "--build", "GRCh37", str(out)])
    info = validate_vcf(out)
    assert info.build == "GRCh37" and info.samples == ["CHILD", "FATHER", "MOTHER"]
    assert info.contigs == GRCH37_LENGTHS
    consistent = total = 0
    with pysam.VariantFile(str(out)) as vf:
        for r in vf:
            gts = [r.samples[s]["GT"] for s in ("CHILD", "FATHER", "MOTHER")]
            if len(r.alts) > 1 or any(None in g for g in gts):
                continue
            kid, dad, mum = gts
            total += 1
            consistent += any(sorted(kid) == sorted((x, y)) for x in dad for y in mum)
    assert total > 3000 and consistent / total > 0.98


def test_fasta_reference_bases_and_gvcf_blocks(tmp_path):
    fasta = SLICE / "grch37_chr1_860k.fa.gz"
    if not fasta.exists():
        pytest.skip("shared test data not available")
    out = tmp_path / "g.vcf.gz"
    generate_vcf(out, records=300, seed=2, fasta=fasta, gvcf=True)
    ref = pysam.FastaFile(str(fasta))
    blocks = variants = 0
    with pysam.VariantFile(str(out)) as vf:
        for r in vf:
            assert ref.fetch(r.chrom, r.pos - 1, r.pos - 1 + len(r.ref)).upper() == r.ref
            if r.alts == ("<NON_REF>",):
                blocks += 1
                assert r.stop >= r.pos
            else:
                variants += 1
                assert r.alts[-1] == "<NON_REF>"
    assert blocks > 100 and variants > 100
    assert validate_vcf(out).gvcf
