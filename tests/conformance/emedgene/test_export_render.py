"""Contract §1.7, the export items: CNV/SV spans in ``Variant_details`` as [VV-B] reads them, compound
heterozygous pairs grouped, hemizygous calls of males on chrX/Y named HEMI, not NO_COVERAGE."""

from __future__ import annotations

from typing import Any

from vardesk.api.emedgene import render
from vardesk.app.cases.structural import StructuralVariant
from vardesk.domain.cases import ReportVariant


def _rv(key: int, chrom: str, pos: int, gene: str, zyg: dict[str, int], **acmg: Any) -> ReportVariant:
    return ReportVariant(
        case_id=1,
        run=1,
        key=key,
        chrom=chrom,
        pos=pos,
        ref="A",
        alt="G",
        gene=gene,
        id=key * 10,
        genotypes=[{"member": m, "zygosity": z} for m, z in zyg.items()],
        acmg=acmg,
    )


def test_hemizygous_calls_of_males() -> None:
    family = {"proband": 2, "mother": 1, "father": 3}
    males = {"proband", "father"}
    x = render.variant(_rv(1, "X", 31_000_000, "DMD", family), males, "GRCh37")["zygosity"]
    assert x == {"proband": "HEMI", "mother": "HET", "father": "HEMI"}
    par = render.variant(_rv(2, "chrX", 1_000_000, "CSF2RA", family), males, "GRCh38")["zygosity"]
    assert par["proband"] == "HOM"  # the pseudo-autosomal region is diploid
    auto = render.variant(_rv(3, "1", 1_000, "SAMD11", {"proband": 2, "mother": -1}), males, "GRCh37")
    assert auto["zygosity"] == {"proband": "HOM", "mother": "NO_COVERAGE"}
    assert render.variant(_rv(4, "X", 31_000_000, "DMD", {"mother": 2}), males, "")["zygosity"] == {
        "mother": "HOM"
    }


def test_cnv_and_sv_details() -> None:
    cnv = StructuralVariant(
        chrom="X", pos=141583737, end=156010409, ref="N", alt="<DUP>", rsid=None, qual=None, filters=[],
        gt="1", zygosity=3, dp=None, gq=None, svtype="DUP", svlen=14426672,
    )  # fmt: skip
    doc = render.structural(cnv, "proband", True, "GRCh38")
    assert doc["Variant_details"] == "chrX:141583737-156010409 14426.67(kb)"  # the [VV-B] example
    assert doc["variant_type"] == "CNV" and doc["zygosity"] == {"proband": "HEMI"}
    assert doc["tag"]["value"] == "not_reviewed" and doc["sv_length"] == 14426672
    inv = StructuralVariant(
        chrom="2", pos=1000, end=6000, ref="N", alt="<INV>", rsid=None, qual=None, filters=[],
        gt="0/1", zygosity=1, dp=None, gq=None, svtype=None, svlen=None,
    )  # fmt: skip
    doc = render.structural(inv, "proband", True, "GRCh37")
    assert doc["variant_type"] == "SV" and doc["Variant_details"] == "chr2:1000-6000 5.00(kb)"
    assert render.structural_kind("A", "A" + "T" * 60) == "SV"  # a 60 bp insertion
    assert render.structural_kind("A" + "T" * 60, "A") == "CNV"  # a 60 bp deletion
    assert render.structural_kind("AT", "A") == "INDEL" and render.structural_kind("A", "G") == "SNV"
    small = render.variant(_rv(5, "1", 1234, "SAMD11", {"proband": 1}))
    assert small["Variant_details"] == "chr1:1234 A>G" and small["variant_type"] == "SNV"


def _comphet(partners: list[int]) -> list[dict[str, Any]]:
    return [{"mode": "COMPOUND_HETEROZYGOUS", "certainty": "CERTAIN", "evidence": "", "partners": partners}]


def test_compound_heterozygous_pairs_are_grouped() -> None:
    rows = [
        _rv(1, "1", 100, "GENE1", {"proband": 1}, modes=_comphet([3])),
        _rv(2, "2", 200, "GENE2", {"proband": 2}, modes=[{"mode": "RECESSIVE_HOMOZYGOUS", "partners": []}]),
        _rv(3, "1", 300, "GENE1", {"proband": 1}, modes=_comphet([1])),
        _rv(4, "3", 400, "GENE3", {"proband": 1}, modes=_comphet([99])),  # its partner is not listed
    ]
    docs, groups = render.group_compound_hets(rows, [render.variant(rv) for rv in rows])
    assert [d["id"] for d in docs] == [10, 30, 20, 40]  # the pair together, at its best-ranked place
    assert groups == [{"group": 1, "gene": "GENE1", "variants": [10, 30]}]
    assert docs[0]["compound_het"] == docs[1]["compound_het"] == groups[0]
    assert docs[2]["compound_het"] is None and docs[3]["compound_het"] is None
