"""The genotype matrix answers family queries with the rows of the per-genome path (GIAB trio, real BCSQ)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from vardesk.analysis.inheritance import Mode, find_candidates
from vardesk.analysis.pedigree import Member, Pedigree
from vardesk.annotate.preannotated import read_preannotated
from vardesk.domain.enums import Affected, Sex
from vardesk.ingest.pipeline import ingest_vcf
from vardesk.variants.family import GenotypePattern, MemberGenotype, family_batches
from vardesk.variants.layout import write_annotation
from vardesk.variants.matrix import (
    MEMBER_FIELDS,
    ROW_GROUP_ROWS,
    Matrix,
    build_matrix,
    matrix_batches,
    matrix_count,
    matrix_page,
    matrix_sample_rows,
    supports,
)
from vardesk.variants.query import (
    SITE_COLUMNS,
    Region,
    ScoreFilter,
    VariantQuery,
    count_variants,
    query_batches,
    query_page,
    sample_rows,
)

GIAB = Path("/work/shared/testdata/giab-trio-grch37/ashk-trio.vcf.gz")
KID, DAD, MUM = "HG002", "HG003", "HG004"
PROTEIN = ["missense_variant", "stop_gained", "frameshift_variant", "splice_donor_variant"]


@pytest.fixture(scope="module")
def trio(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Path], Path, Matrix]:
    if not GIAB.exists():
        pytest.skip("shared test data not available")
    d = tmp_path_factory.mktemp("matrix")
    result = ingest_vcf(GIAB, d / "store")
    genomes = {s.name: s.genotypes_path for s in result.samples}
    (d / "ann").mkdir()
    write_annotation(read_preannotated(GIAB, "BCSQ"), d / "ann" / "part-000000.parquet")
    path = d / "matrix.parquet"
    rows = build_matrix([genomes[KID], genomes[DAD], genomes[MUM]], [d / "ann"], path)
    assert rows > 9000
    return genomes, d / "ann", Matrix(path, (KID, DAD, MUM))


QUERIES = {
    "de novo protein-altering": VariantQuery(genotypes={KID: [1], DAD: [0], MUM: [0]}, consequences=PROTEIN),
    "AR homozygous": VariantQuery(genotypes={KID: [2], DAD: [1], MUM: [1]}),
    "het sides, rare": VariantQuery(genotypes={KID: [1]}, consequences=PROTEIN, max_af=0.01),
    "genes and quality": VariantQuery(
        genes=["SAMD11", "NOC2L", "KLHL17"], min_gq=20, min_dp=10, pass_only=True
    ),
    "father absent allowed": VariantQuery(genotypes={KID: [1, 2], DAD: [0]}, regions=["1:1-5000000"]),
    "clinvar and impact": VariantQuery(clinvar=["Pathogenic"], impacts=["HIGH"]),
    "paged": VariantQuery(genotypes={KID: [1]}, skip=37, limit=25),
}


def _sites(rows: list[dict]) -> list[tuple]:
    return [(r["key"], r["chrom"], r["ref"], r["alt"]) for r in rows]


@pytest.mark.parametrize("name", list(QUERIES))
def test_pages_and_counts_equal_the_per_genome_path(trio, name) -> None:
    genomes, ann, matrix = trio
    query = QUERIES[name]
    assert supports(query, matrix, [KID])
    want, want_total = query_page(query, genomes, primary=KID, annotations=ann, count=True)
    got, got_total = matrix_page(query, matrix, genomes, primary=KID, annotations=ann, count=True)
    assert got == want  # the same full rows (genotype row and annotation), in the same order
    assert got_total == want_total == count_variants(query, genomes, primary=KID, annotations=ann)
    assert matrix_count(query, matrix, [KID]) == want_total


def test_the_union_of_primaries_and_streams_equal_the_per_genome_path(trio) -> None:
    genomes, ann, matrix = trio
    query = VariantQuery(consequences=PROTEIN)
    primaries = [KID, DAD, MUM]
    want = [
        r for b in query_batches(query, genomes, primary=primaries, annotations=ann) for r in b.to_pylist()
    ]
    got = [
        r
        for b in matrix_batches(query, matrix, genomes, primary=primaries, annotations=ann, batch_rows=50)
        for r in b.to_pylist()
    ]
    assert len(got) > 100
    assert _sites(got) == _sites(want)
    # a filter on "the" primary's values of a union is not answered from the matrix
    assert not supports(VariantQuery(min_gq=10), matrix, primaries)
    assert not supports(VariantQuery(genotypes={"HG005": [1]}), matrix, [KID])
    # the matrix carries no score column: a score filter is answered by the per-genome path
    assert supports(VariantQuery(max_af=0.01), matrix, [KID])
    revel = ScoreFilter(column="revel", op=">", value=0.5)
    assert not supports(VariantQuery(scores=[[revel]]), matrix, [KID])


def test_family_rows_with_patterns_equal_the_per_genome_path(trio) -> None:
    genomes, ann, matrix = trio
    patterns = [
        GenotypePattern(
            label="dn",
            members={
                KID: MemberGenotype(zygosity=[1]),
                DAD: MemberGenotype(zygosity=[0], min_dp=10),
                MUM: MemberGenotype(zygosity=[0], min_gq=20),
            },
        ),
        GenotypePattern(
            label="hom", members={KID: MemberGenotype(zygosity=[2])}, regions=[Region.parse("1")]
        ),
    ]
    query = VariantQuery(max_af=0.05)
    kw = dict(members=[KID, DAD, MUM], patterns=patterns, primary=KID, annotations=ann)
    want = [r for b in family_batches(query, genomes, **kw) for r in b.to_pylist()]
    got = [
        r for b in family_batches(query, genomes, matrix=matrix, batch_rows=100, **kw) for r in b.to_pylist()
    ]
    assert len(got) > 50
    assert got == want
    # what the candidates read of the matrix: the lean row, the genes as the flat list
    lean = [
        r for b in family_batches(query, genomes, matrix=matrix, only=("qual",), **kw) for r in b.to_pylist()
    ]
    assert [r["key"] for r in lean] == [r["key"] for r in want]
    assert set(lean[0]) == {*SITE_COLUMNS, "qual", "members", "labels", "gene_symbols"}


def _pedigree(genomes: dict[str, Path]) -> Pedigree:
    return Pedigree(
        (
            Member(KID, Sex.MALE, Affected.AFFECTED, DAD, MUM, genomes[KID]),
            Member(DAD, Sex.MALE, Affected.UNAFFECTED, genotypes=genomes[DAD]),
            Member(MUM, Sex.FEMALE, Affected.UNAFFECTED, genotypes=genomes[MUM]),
        ),
        KID,
    )


@pytest.mark.parametrize(
    "modes",
    [
        [Mode.COMPOUND_HETEROZYGOUS],
        [Mode.DE_NOVO, Mode.AUTOSOMAL_RECESSIVE_HOMOZYGOUS, Mode.X_LINKED_RECESSIVE],
        list(Mode),
    ],
    ids=["comphet", "dn-ar-xl", "every mode with comphet"],
)
def test_candidates_equal_the_per_genome_path(trio, modes) -> None:
    genomes, ann, matrix = trio
    ped = _pedigree(genomes)
    query = VariantQuery(consequences=[*PROTEIN, "splice_region_variant"], max_af=0.01)
    want = list(find_candidates(ped, build="GRCh37", query=query, annotations=ann, modes=modes))
    got = list(find_candidates(ped, build="GRCh37", query=query, annotations=ann, modes=modes, matrix=matrix))
    assert got and got == want


def test_comphet_among_every_mode_equals_comphet_alone(trio) -> None:
    # one pass over every mode's rows gives the compound heterozygous calls asked alone
    genomes, ann, matrix = trio
    ped = _pedigree(genomes)
    alone = find_candidates(
        ped, build="GRCh37", annotations=ann, modes=[Mode.COMPOUND_HETEROZYGOUS], matrix=matrix
    )
    every = find_candidates(ped, build="GRCh37", annotations=ann, matrix=matrix)
    among = [(c.key, m.partners) for c in every for m in c.modes if m.mode is Mode.COMPOUND_HETEROZYGOUS]
    assert len(among) > 10
    assert [(c.key, c.modes[0].partners) for c in alone] == among


def test_the_matrix_is_sorted_in_bounded_row_groups(trio) -> None:
    _, _, matrix = trio
    f = pq.ParquetFile(matrix.path)
    names = f.schema_arrow.names
    assert "m2_gq" in names and "transcripts" in names  # the rows shown are read from the matrix alone
    assert "transcripts" not in (matrix.annotation_columns or set())  # never filtered on
    meta = f.metadata
    assert meta.num_row_groups > 1
    assert all(meta.row_group(i).num_rows <= ROW_GROUP_ROWS for i in range(meta.num_row_groups))
    assert [c for c in names if c.startswith("m0_")] == [f"m0_{c}" for c in MEMBER_FIELDS]
    keys = f.read(columns=["key"])["key"].to_pylist()
    assert keys == sorted(keys)
    leaves = [meta.row_group(0).column(j).path_in_schema for j in range(meta.num_columns)]
    rank = leaves.index("consequence_rank")  # statistics: row groups pruned by the consequence filter
    assert any(meta.row_group(i).column(rank).statistics.has_min_max for i in range(meta.num_row_groups))
    assert matrix.annotation_columns and "consequence_rank" in matrix.annotation_columns


def test_without_annotation_every_annotation_value_is_unknown(trio, tmp_path) -> None:
    genomes, _, _ = trio
    path = tmp_path / "bare.parquet"
    build_matrix([genomes[KID], genomes[DAD]], None, path)
    bare = Matrix(path, (KID, DAD))
    assert bare.annotation_columns is None
    for query in (VariantQuery(genotypes={KID: [1], DAD: [0]}, max_af=0.01), VariantQuery(genes=["SAMD11"])):
        want, n = query_page(query, genomes, primary=KID, count=True)
        got, m = matrix_page(query, bare, genomes, primary=KID, count=True)
        assert got == want and m == n


def test_sample_values_equal_the_genotype_files(trio) -> None:
    genomes, _, matrix = trio
    keys = sorted(pq.read_table(genomes[DAD], columns=["key"])["key"].to_pylist())[::50]
    columns = ("gt", "zygosity", "phased", "ad_ref", "ad_alt", "dp", "gq", "vaf", "filters", "qual")
    want = sample_rows(genomes, keys, columns)
    got = matrix_sample_rows(matrix, [KID, DAD, MUM], keys, columns)
    assert got == want and len(got[DAD]) == len(set(keys))


def test_carrier_counts_equal_the_scan_of_the_genotype_files(trio) -> None:
    import pyarrow as pa

    from vardesk.annotate.lookups import inhouse_counts
    from vardesk.variants.matrix import matrix_carriers

    genomes, _, matrix = trio
    keys = sorted(pq.read_table(genomes[KID], columns=["key"])["key"].to_pylist())[::13] + [12345]
    for names in ([DAD], [KID, MUM], [KID, DAD, MUM]):
        want = inhouse_counts([genomes[n] for n in names], keys=pa.array(keys, pa.int64()))
        got = matrix_carriers(matrix, names, keys)
        assert got.to_pylist() == want.select(["key", "carriers", "homozygotes", "hemizygotes"]).to_pylist()
        assert got.num_rows > 100


def test_site_rows_equal_the_genotype_and_annotation_files(trio) -> None:
    from vardesk.variants.matrix import matrix_site_rows
    from vardesk.variants.query import site_rows

    genomes, ann, matrix = trio
    rows, _ = query_page(VariantQuery(genotypes={KID: [1]}, limit=60, skip=500), genomes, primary=KID)
    sites = [(r["key"], r["chrom"], r["ref"], r["alt"]) for r in rows]
    want = site_rows(sites, {KID: genomes[KID]}, primary=KID, annotations=ann)
    assert len(want) == 60 and matrix_site_rows(matrix, sites, KID) == want
