"""A bundle annotates a genome only when the genome's contigs are in it and its REF alleles match it."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pysam

from vardesk.annotate.bundle import FASTA
from vardesk.annotate.compatibility import SAMPLE, check
from vardesk.domain import variant_key
from vardesk.synthetic.loci import build_loci_bundle


def variants(vcf: Path, *, limit: int | None = None) -> pa.Table:
    rows = []
    with pysam.VariantFile(str(vcf)) as vf:
        for rec in vf:
            chrom = variant_key.canonical_chrom(rec.chrom)
            for alt in rec.alts or ():
                rows.append(
                    {
                        "key": variant_key.encode(chrom, rec.pos, rec.ref, alt),
                        "chrom": chrom,
                        "pos": rec.pos,
                        "ref": rec.ref,
                        "alt": alt,
                    }
                )
            if limit and len(rows) >= limit:
                break
    return pa.Table.from_pylist(rows)


def test_real_slice_matches_its_own_variants(testdata: Path) -> None:
    slice_dir = testdata / "reference-slices" / "grch37-SAMD11"
    fit = check(variants(slice_dir / "ashk_SAMD11.vcf.gz"), str(slice_dir / "grch37_chr1_860k.fa.gz"))
    assert fit.ok, fit.reason
    assert fit.verified >= 5 and fit.mismatched == 0 and fit.missing_contigs == []


def test_wrong_ref_alleles_reject_the_bundle(testdata: Path) -> None:
    slice_dir = testdata / "reference-slices" / "grch37-SAMD11"
    table = variants(slice_dir / "ashk_SAMD11.vcf.gz")
    flip = {"A": "C", "C": "G", "G": "T", "T": "A"}
    wrong = table.set_column(
        3, "ref", pa.array(["".join(flip.get(b, b) for b in r) for r in table.column("ref").to_pylist()])
    )
    fit = check(wrong, str(slice_dir / "grch37_chr1_860k.fa.gz"))
    assert not fit.ok and fit.mismatched == fit.verified > 0
    assert "differ from the bundle's sequence" in fit.reason and fit.examples


def test_contigs_missing_from_the_bundle_reject_it(testdata: Path) -> None:
    slice_dir = testdata / "reference-slices" / "grch37-SAMD11"
    table = variants(slice_dir / "ashk_SAMD11.vcf.gz")
    on_2 = table.set_column(1, "chrom", pa.array(["2"] * table.num_rows))
    fit = check(on_2, str(slice_dir / "grch37_chr1_860k.fa.gz"))
    assert not fit.ok and fit.missing_contigs == ["2"] and "none of the genome's contigs" in fit.reason


def test_synthetic_grch37_bundle_never_fits_real_grch37_data(testdata: Path, tmp_path: Path) -> None:
    """The demo's loci bundle is labelled GRCh37; the GIAB trio is real GRCh37: the check tells them apart
    even though the build labels agree."""
    fasta = build_loci_bundle(tmp_path / "loci") / FASTA
    giab = variants(testdata / "giab-trio-grch37" / "ashk-trio.vcf.gz")
    fit = check(giab, str(fasta))
    assert not fit.ok and fit.on_missing_contigs == fit.variants == giab.num_rows
    # The chain records the loci bundle was made for do fit it.
    chain = pa.Table.from_pylist(
        [
            {"key": variant_key.encode(c, p, r, a), "chrom": c, "pos": p, "ref": r, "alt": a}
            for c, p, r, a in (("7", 87_160_618, "A", "C"), ("17", 41_245_466, "G", "A"))
        ]
    )
    assert check(chain, str(fasta)).ok


def test_the_sample_is_bounded_and_deterministic(testdata: Path) -> None:
    slice_dir = testdata / "reference-slices" / "grch37-SAMD11"
    giab = variants(testdata / "giab-trio-grch37" / "ashk-trio.vcf.gz")
    first = check(giab, str(slice_dir / "grch37_chr1_860k.fa.gz"), sample=3)
    again = check(giab, str(slice_dir / "grch37_chr1_860k.fa.gz"), sample=3)
    assert first == again and first.sampled == 3 and SAMPLE == 1_000
