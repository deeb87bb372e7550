"""The family query of the variant store: members' genotypes beside the proband's, labelled patterns."""

from __future__ import annotations

import pytest

from tests.analysis.inheritance.conftest import write_family
from vardesk.domain.errors import Invalid
from vardesk.variants.family import GenotypePattern, MemberGenotype, family_batches
from vardesk.variants.query import Region, VariantQuery


@pytest.fixture(scope="module")
def genomes(tmp_path_factory: pytest.TempPathFactory):
    # KID and MUM come from separate VCFs: MUM has no row at chr1:200 (counts as hom-ref)
    kid, _ = write_family(
        tmp_path_factory.mktemp("kid"),
        ["KID"],
        [
            ("chr1", 100, "A", "G", ["0/1"]),
            ("chr1", 200, "C", "T", ["1/1"]),
            ("chrX", 5_000_000, "G", "A", ["1"]),
        ],
    )
    mum, _ = write_family(tmp_path_factory.mktemp("mum"), ["MUM"], [("chr1", 100, "A", "G", ["0/1:.:7"])])
    return {"KID": kid["KID"], "MUM": mum["MUM"]}


def rows(genomes, patterns, query=None):
    out = []
    for batch in family_batches(query or VariantQuery(), genomes, members=["KID", "MUM"], patterns=patterns):
        out += batch.to_pylist()
    return out


def test_members_and_labels(genomes) -> None:
    het_in_both = GenotypePattern(label="both", members={"KID": MemberGenotype(zygosity=[1]),
                                                         "MUM": MemberGenotype(zygosity=[1])})  # fmt: skip
    kid_hom_mum_ref = GenotypePattern(label="hom", members={"KID": MemberGenotype(zygosity=[2]),
                                                            "MUM": MemberGenotype(zygosity=[0])})  # fmt: skip
    on_x = GenotypePattern(label="x", regions=[Region(chrom="X")])
    got = rows(genomes, [het_in_both, kid_hom_mum_ref, on_x])
    assert [(r["pos"], r["labels"]) for r in got] == [(100, ["both"]), (200, ["hom"]), (5_000_000, ["x"])]
    mum_100, mum_200 = got[0]["members"][1], got[1]["members"][1]
    assert (mum_100["called"], mum_100["zygosity"], mum_100["gt"], mum_100["dp"]) == (True, 1, "0/1", 7)
    assert (mum_200["called"], mum_200["zygosity"], mum_200["gt"]) == (False, 0, None)
    assert got[2]["members"][0]["zygosity"] == 3  # haploid "1": hemizygous


def test_thresholds_exclusions_and_paging(genomes) -> None:
    deep = GenotypePattern(label="deep", members={"MUM": MemberGenotype(zygosity=[0, 1], min_dp=8)})
    assert rows(genomes, [deep]) == []  # DP 7 at 100 is too low; no row (no DP) at 200 fails too
    shallow = GenotypePattern(label="ok", members={"MUM": MemberGenotype(zygosity=[0, 1], min_dp=7)})
    assert [r["pos"] for r in rows(genomes, [shallow])] == [100]
    not_100 = GenotypePattern(label="rest", exclude_regions=[Region.parse("1:100")])
    assert [r["pos"] for r in rows(genomes, [not_100])] == [200, 5_000_000]
    assert [r["pos"] for r in rows(genomes, [not_100], VariantQuery(skip=1, limit=1))] == [5_000_000]
    # the base query's absent_zygosity also applies to members without a row
    absent_het = GenotypePattern(label="a", members={"MUM": MemberGenotype(zygosity=[-1])})
    assert [r["pos"] for r in rows(genomes, [absent_het], VariantQuery(absent_zygosity=-1))] == [
        200,
        5_000_000,
    ]


def test_unknown_members_are_invalid(genomes) -> None:
    with pytest.raises(Invalid, match="DAD"):
        rows(genomes, [GenotypePattern(label="x", members={"DAD": MemberGenotype(zygosity=[0])})])
