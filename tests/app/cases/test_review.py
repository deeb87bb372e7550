"""Filtering a case's report variants for review."""

from __future__ import annotations

from vardesk.app.cases.review import filter_variants, proband_zygosity, variant_type
from vardesk.domain.cases import ReportVariant


def rv(gene: str, ref: str, alt: str, **kw) -> ReportVariant:  # type: ignore[no-untyped-def]
    return ReportVariant(case_id=1, run=1, key=0, chrom="1", pos=100, ref=ref, alt=alt, gene=gene, **kw)


ROWS = [
    rv(
        "BRCA1",
        "A",
        "G",
        consequence="missense_variant",
        gnomad_af=0.0001,
        qual=50.0,
        inheritance_modes=["AD"],
        genotypes=[{"label": "proband", "zygosity": "HET"}],
    ),
    rv(
        "CFTR",
        "AT",
        "A",
        consequence="frameshift_variant",
        gnomad_af=0.02,
        qual=10.0,
        inheritance_modes=["AR"],
        genotypes=[{"label": "proband", "zygosity": "HOM_ALT"}],
    ),
    rv("brca1", "C", "T", consequence="synonymous_variant", qual=None),
]


def test_no_filter_keeps_everything() -> None:
    out = filter_variants(ROWS, {})
    assert len(out.rows) == 3 and out.total == 3 and out.counts == {}


def test_each_filter_and_its_own_count() -> None:
    out = filter_variants(ROWS, {"gene": "BRCA1", "max_af": "0.01"})
    assert [v.consequence for v in out.rows] == ["missense_variant", "synonymous_variant"]
    assert out.counts == {"gene": 2, "max_af": 2}
    assert len(filter_variants(ROWS, {"type": "indel"}).rows) == 1
    assert filter_variants(ROWS, {"min_qual": "20"}).counts == {"min_qual": 1}
    assert filter_variants(ROWS, {"inheritance": "ar"}).rows[0].gene == "CFTR"
    assert filter_variants(ROWS, {"zygosity": "HET", "consequence": "missense"}).counts == {
        "zygosity": 1,
        "consequence": 1,
    }


def test_unreadable_numbers_are_ignored() -> None:
    assert len(filter_variants(ROWS, {"max_af": "lots", "nope": "x"}).rows) == 3
    assert variant_type(ROWS[1]) == "INDEL" and proband_zygosity(ROWS[2]) == ""
