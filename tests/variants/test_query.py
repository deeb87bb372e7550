"""VariantQuery compiled to DuckDB over a small ingested family and an annotation table."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pydantic import ValidationError

from vardesk.domain import variant_key
from vardesk.domain.errors import Invalid
from vardesk.ingest.pipeline import ingest_vcf
from vardesk.variants.query import (
    Region,
    ScoreFilter,
    VariantQuery,
    compile_query,
    count_variants,
    query_batches,
    query_variants,
)
from vardesk.variants.schema import ANNOTATION_SCHEMA

HEADER = (
    "##fileformat=VCFv4.2\n##contig=<ID=chr1,length=248956422>\n##contig=<ID=chr2,length=242193529>\n"
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">\n'
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="GQ">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tKID\tDAD\tMUM\n"
)
# (chrom, pos, ref, alt, qual, filter, kid, dad, mum) with GT:DP:GQ
ROWS = [
    ("chr1", 100, "A", "G", 50, "PASS", "0/1:30:99", "0/0:30:99", "0/0:28:99"),  # de novo
    ("chr1", 200, "C", "T", 8, "LowQual", "0/1:5:10", "0/0:30:99", "0/0:31:99"),  # de novo, low quality
    ("chr1", 300, "G", "A", 60, "PASS", "1/1:40:99", "0/1:30:99", "0/1:30:99"),  # recessive
    ("chr1", 400, "T", "C", 70, "PASS", "0/1:33:80", "0/1:30:99", "0/0:30:99"),  # inherited
    ("chr2", 100, "A", "C", 70, "PASS", "0/1:33:80", "0/0:30:99", "./.:.:."),  # mum no call
    ("chr2", 500, "G", "GT", 70, "PASS", "0/1:25:70", "0/0:30:99", "0/0:30:99"),  # de novo insertion
]


TX1 = {
    "transcript_id": "T1", "gene_symbol": "GENE1", "gene_id": "G1", "consequences": ["missense_variant"],
    "impact": "MODERATE", "hgvs_c": "c.1A>G", "hgvs_p": "p.M1V", "canonical": True, "mane": True,
}  # fmt: skip
TX9 = {
    "transcript_id": "T9", "gene_symbol": "OVERLAP", "gene_id": "G9", "consequences": ["intron_variant"],
    "impact": "MODIFIER", "hgvs_c": None, "hgvs_p": None, "canonical": False, "mane": False,
}  # fmt: skip


@pytest.fixture(scope="module")
def family(tmp_path_factory):
    d = tmp_path_factory.mktemp("fam")
    lines = [
        f"{c}\t{p}\t.\t{r}\t{a}\t{q}\t{f}\t.\tGT:DP:GQ\t{k}\t{x}\t{m}\n" for c, p, r, a, q, f, k, x, m in ROWS
    ]
    src = d / "fam.vcf"
    src.write_text(HEADER + "".join(lines))
    result = ingest_vcf(src, d / "out")
    genomes = {s.name: s.genotypes_path for s in result.samples}
    ann = d / "ann.parquet"
    t = {
        "key": [variant_key.encode(c[3:], p, r, a) for c, p, r, a, *_ in ROWS],
        "gene_symbol": ["GENE1", "GENE1", "GENE2", "GENE3", None, "GENE4"],
        "consequence": [
            "missense_variant", "synonymous_variant", "stop_gained",
            "intron_variant", None, "frameshift_variant",
        ],
        "impact": ["MODERATE", "LOW", "HIGH", "MODIFIER", None, "HIGH"],
        "transcripts": [[TX1, TX9], [], [], [], [], []],
        "gnomad_af": [None, 0.001, 0.2, 0.01, None, 0.0],
        "clinvar_significance": ["Pathogenic", None, "Benign", None, None, "Likely_pathogenic"],
    }  # fmt: skip
    pq.write_table(pa.table(t, schema=ANNOTATION_SCHEMA), ann)
    return genomes, ann


def positions(query, family, **kw):
    genomes, ann = family
    return [(r["chrom"], r["pos"]) for r in query_variants(query, genomes, annotations=ann, **kw)]


def test_family_constraints(family):
    denovo = VariantQuery(genotypes={"KID": [1], "DAD": [0], "MUM": [0]})
    assert positions(denovo, family) == [("1", 100), ("1", 200), ("2", 500)]
    recessive = VariantQuery(genotypes={"KID": [2], "DAD": [1], "MUM": [1]})
    assert positions(recessive, family) == [("1", 300)]
    mum_no_call = VariantQuery(genotypes={"MUM": [-1]})
    assert positions(mum_no_call, family) == [("2", 100)]


def test_quality_filter_zygosity_and_regions(family):
    assert positions(VariantQuery(pass_only=True, min_qual=60), family) == [
        ("1", 300),
        ("1", 400),
        ("2", 100),
        ("2", 500),
    ]
    assert positions(VariantQuery(min_gq=90, min_dp=30), family) == [("1", 100), ("1", 300)]
    assert positions(VariantQuery(zygosity=[2]), family) == [("1", 300)]
    assert positions(VariantQuery(regions=["chr1:150-350", "2:500"]), family) == [
        ("1", 200),
        ("1", 300),
        ("2", 500),
    ]
    assert positions(VariantQuery(regions=[Region(chrom="chr2")]), family) == [("2", 100), ("2", 500)]


def test_annotation_filters(family):
    assert positions(VariantQuery(genes=["GENE1"]), family) == [("1", 100), ("1", 200)]
    assert positions(VariantQuery(genes=["OVERLAP"]), family) == [("1", 100)]  # any transcript's gene
    assert positions(VariantQuery(consequences=["stop_gained", "frameshift_variant"]), family) == [
        ("1", 300),
        ("2", 500),
    ]
    assert positions(VariantQuery(max_af=0.005), family) == [("1", 100), ("1", 200), ("2", 100), ("2", 500)]
    assert positions(VariantQuery(impacts=["HIGH"], clinvar=["Likely_pathogenic"]), family) == [("2", 500)]
    genomes, ann = family
    row = next(query_variants(VariantQuery(genes=["GENE2"]), genomes, annotations=ann))
    assert (row["gene_symbol"], row["consequence"], row["gnomad_af"]) == ("GENE2", "stop_gained", 0.2)


def test_without_annotation_every_annotation_value_is_unknown(family, tmp_path):
    """No annotation at all is the same as an annotation without the columns: unknown gene, consequence,
    impact and ClinVar match nothing; an unknown frequency counts as rare."""
    genomes, _ = family
    for ann in (None, tmp_path / "missing.parquet"):
        for q in (
            VariantQuery(genes=["GENE1"]),
            VariantQuery(consequences=["stop_gained"]),
            VariantQuery(impacts=["HIGH"]),
            VariantQuery(clinvar=["Likely_pathogenic"]),
        ):
            assert list(query_variants(q, genomes, annotations=ann)) == []
            assert count_variants(q, genomes, annotations=ann) == 0
        assert count_variants(VariantQuery(max_af=0.001), genomes, annotations=ann) == len(ROWS)


def _sites(rows):
    return {variant_key.encode(c[3:], p, r, a): (c[3:], p) for c, p, r, a, *_ in rows}


def test_frequency_and_score_filters_over_old_and_new_parts(family, tmp_path):
    """A source whose older part has no frequency or score column (a BCSQ genome, a part written before the
    scores existed) next to a part with them: a missing frequency keeps the variant, a missing score
    matches no score filter, and the old part's rows read the new columns as NULL."""
    genomes, _ = family
    old, new = list(_sites(ROWS[:3])), list(_sites(ROWS[3:]))
    d = tmp_path / "ann"
    d.mkdir()
    pq.write_table(pa.table({"key": old, "consequence": ["missense_variant"] * 3}), d / "part-000000.parquet")
    pq.write_table(
        pa.table(
            {
                "key": new,
                "consequence": ["missense_variant"] * 3,
                "gnomad_af": pa.array([0.5, None, 0.001], pa.float32()),
                "revel": pa.array([None, 0.8, 0.3], pa.float32()),
                "cadd_phred": pa.array([10, 25, None], pa.float32()),
            }
        ),
        d / "part-000001.parquet",
    )

    def at(query):
        return [(r["chrom"], r["pos"]) for r in query_variants(query, genomes, annotations=d)]

    assert at(VariantQuery(max_af=0.01)) == [("1", 100), ("1", 200), ("1", 300), ("2", 100), ("2", 500)]
    revel = ScoreFilter(column="revel", op=">", value=0.5)
    cadd = ScoreFilter(column="cadd_phred", op=">=", value=10)
    assert at(VariantQuery(scores=[[revel]])) == [("2", 100)]
    assert at(VariantQuery(scores=[[revel, cadd]])) == [("1", 400), ("2", 100)]  # one list: OR
    assert at(VariantQuery(scores=[[revel], [cadd]])) == [("2", 100)]  # lists: AND
    assert count_variants(VariantQuery(scores=[[revel]], max_af=0.01), genomes, annotations=d) == 1
    rows = {(r["chrom"], r["pos"]): r for r in query_variants(VariantQuery(), genomes, annotations=d)}
    assert rows[("1", 100)]["revel"] is None and rows[("1", 100)]["gnomad_af"] is None  # the old part
    assert rows[("2", 100)]["revel"] == pytest.approx(0.8) and rows[("2", 500)]["cadd_phred"] is None
    # only the old part: no frequency or score column at all — every variant is kept by a frequency
    # filter (no frequency known), none matches a score filter
    (d / "part-000001.parquet").unlink()
    assert at(VariantQuery(scores=[[revel]])) == []
    assert len(at(VariantQuery(max_af=0.0001))) == len(ROWS)


def test_score_filters_take_known_columns_and_operators_only():
    for bad in (
        {"column": "revel; DROP", "op": ">", "value": 1},
        {"column": "revel", "op": "!=", "value": 1},
    ):
        with pytest.raises(ValidationError):
            ScoreFilter(**bad)


def test_pagination_streaming_and_order(family):
    genomes, ann = family
    everything = positions(VariantQuery(), family)
    assert len(everything) == len(ROWS)
    page = positions(VariantQuery(skip=2, limit=3), family)
    assert page == everything[2:5]
    assert count_variants(VariantQuery(skip=2, limit=1), genomes) == len(ROWS)
    batches = list(query_batches(VariantQuery(), genomes, batch_rows=2))
    keys = [k for b in batches for k in b.column("key").to_pylist()]
    assert keys == sorted(keys) and len(keys) == len(ROWS)


def test_user_values_are_parameters_not_sql(family):
    genomes, _ = family
    evil = "GENE1') OR 1=1 --"
    sql, params = compile_query(VariantQuery(genes=[evil]), genomes, annotations=family[1])
    assert evil not in sql and [evil] in params
    assert positions(VariantQuery(genes=[evil]), family) == []
    with pytest.raises(Invalid, match="unknown member"):
        compile_query(VariantQuery(genotypes={"NOBODY": [1]}), genomes)


def test_region_parsing():
    assert Region.parse("chr1:1,000-2,000") == Region(chrom="chr1", start=1000, end=2000)
    assert Region.parse("X:5") == Region(chrom="X", start=5, end=5)
    with pytest.raises(Invalid):
        Region.parse("chr1:abc")
