"""The annotation layout: sorted parts in bounded row groups with flat filter columns, and queries that
give the same answers over parts written before those columns existed, after, and both mixed."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.variants.test_query import TX1, TX9, family  # noqa: F401 (a module fixture)
from vardesk.domain import so
from vardesk.variants import layout
from vardesk.variants.query import VariantQuery, annotation_rows, compile_query, query_page, query_variants
from vardesk.variants.schema import ANNOTATION_SCHEMA, TRANSCRIPT_TYPE

QUERIES = [
    VariantQuery(genes=["GENE1"]),
    VariantQuery(genes=["OVERLAP"]),
    VariantQuery(consequences=["stop_gained", "frameshift_variant"]),
    VariantQuery(consequences=["intron_variant"]),
    VariantQuery(consequences=["missense_variant"], genotypes={"KID": [1], "DAD": [0], "MUM": [0]}),
    VariantQuery(max_af=0.005, impacts=["HIGH"]),
    VariantQuery(clinvar=["Pathogenic", "Likely_pathogenic"]),
    VariantQuery(),
]


def test_flat_columns_from_the_transcripts():
    table = pa.table(
        {
            "key": pa.array([3, 1, 2], pa.int64()),
            "consequence": ["missense_variant", None, "not_a_term"],
            "transcripts": pa.array([[TX1, TX9], None, []], pa.list_(TRANSCRIPT_TYPE)),
        }
    ).slice(0)
    out = layout.with_flat_columns(table).to_pylist()
    assert [r["consequence_rank"] for r in out] == [so.rank("missense_variant"), None, so.rank("not_a_term")]
    assert out[0]["consequence_terms"] == ["missense_variant", "intron_variant"]
    assert out[0]["gene_symbols"] == ["GENE1", "OVERLAP"]
    assert out[1]["gene_symbols"] == [] and out[2]["consequence_terms"] == []
    # a slice (non-zero offsets) gives the same lists
    assert layout.with_flat_columns(table.slice(1)).to_pylist() == out[1:]


def test_parts_are_sorted_with_bounded_row_groups(tmp_path):
    n = 2 * layout.ROW_GROUP_ROWS + 5
    keys = pa.array(range(n, 0, -1), pa.int64())  # reversed: the writer sorts
    table = pa.table(
        {
            "key": keys,
            "consequence": pa.repeat(pa.scalar("missense_variant"), n),
            "transcripts": pa.nulls(n, pa.list_(TRANSCRIPT_TYPE)),
        }
    )
    layout.write_annotation(table, tmp_path / "part.parquet")
    meta = pq.ParquetFile(tmp_path / "part.parquet").metadata
    assert meta.num_row_groups == 3
    assert max(meta.row_group(i).num_rows for i in range(3)) == layout.ROW_GROUP_ROWS
    stats = [meta.row_group(i).column(0).statistics for i in range(3)]
    assert [s.min for s in stats] == [1, layout.ROW_GROUP_ROWS + 1, 2 * layout.ROW_GROUP_ROWS + 1]
    rank = meta.schema.names.index("consequence_rank")
    assert meta.row_group(0).column(rank).statistics.has_min_max


@pytest.fixture(scope="module")
def layouts(family, tmp_path_factory):  # noqa: F811
    """The fixture's annotation as an old part, a new part, and split over one old and one new part."""
    genomes, old = family
    d = tmp_path_factory.mktemp("layouts")
    table = pq.read_table(old)
    (d / "new").mkdir()
    layout.write_annotation(table, d / "new" / "part-000000.parquet")
    (d / "mixed").mkdir()
    pq.write_table(table.slice(0, 3).cast(ANNOTATION_SCHEMA), d / "mixed" / "part-000000.parquet")
    layout.write_annotation(table.slice(3), d / "mixed" / "part-000001.parquet")
    return genomes, {"old": old, "new": d / "new", "mixed": d / "mixed"}


@pytest.mark.parametrize("query", QUERIES, ids=range(len(QUERIES)))
def test_queries_read_old_new_and_mixed_parts_alike(layouts, query):
    genomes, sources = layouts
    results = {}
    for name, ann in sources.items():
        rows = list(query_variants(query, genomes, primary="KID", annotations=ann))
        page, total = query_page(query, genomes, primary="KID", annotations=ann, count=True)
        assert total == len(rows)
        assert [r["key"] for r in page] == [r["key"] for r in rows]
        results[name] = [{k: v for k, v in r.items() if k not in ("source",)} for r in rows]
    assert results["new"] == results["old"]
    assert results["mixed"] == results["old"]
    assert all(c not in r for r in results["new"] for c in layout.FLAT_COLUMNS)


def test_the_new_layout_filters_on_the_flat_columns(layouts):
    genomes, sources = layouts
    q = VariantQuery(consequences=["missense_variant"], genes=["OVERLAP"])
    new_sql, _ = compile_query(q, genomes, primary="KID", annotations=sources["new"], keys_only=True)
    assert "consequence_rank <=" in new_sql and "transcripts" not in new_sql
    mixed_sql, _ = compile_query(q, genomes, primary="KID", annotations=sources["mixed"], keys_only=True)
    assert "transcripts" in mixed_sql  # a part without the flat columns: read the nested ones
    keys = [r["key"] for r in query_variants(VariantQuery(), genomes, primary="KID")]
    rows = annotation_rows(sources["new"], keys)
    assert rows and all(c not in r for r in rows.values() for c in layout.FLAT_COLUMNS)
