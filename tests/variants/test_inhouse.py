"""The in-house aggregate on the GIAB trio: built, grown and shrunk incrementally, and corrected at read
time, it gives exactly the counts of a scan of the genotype files (which the native API tests compare
with pysam-read genotypes)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.analysis.inheritance.conftest import giab_trio  # noqa: F401 (a session fixture)
from vardesk.annotate.lookups import inhouse_counts
from vardesk.variants import inhouse


def scan(files: list[Path], keys: list[int]) -> dict[int, dict[str, int]]:
    table = inhouse_counts(files, keys=pa.array(keys, pa.int64()))
    return {r["key"]: {c: r[c] for c in inhouse.COUNT_COLUMNS} for r in table.to_pylist()}


@pytest.fixture(scope="module")
def keys(giab_trio) -> list[int]:  # noqa: F811
    every = sorted(
        {k for p in giab_trio.values() for k in pq.read_table(p, columns=["key"])["key"].to_pylist()}
    )
    return every[::7] + [every[-1], 12345]  # spread over the genome, and a key nobody carries


def read(path: Path, keys: list[int]) -> tuple[list[str], dict[int, list[int]]]:
    f = pq.ParquetFile(path)
    return inhouse.file_members(f), inhouse.aggregate_counts(f, keys)


def test_incremental_aggregate_equals_the_scan(giab_trio, keys, tmp_path) -> None:  # noqa: F811
    files = {name: Path(p) for name, p in giab_trio.items()}
    one = tmp_path / "one.parquet"
    assert inhouse.merge(None, {"HG002": files["HG002"]}, {}, one) == ["HG002"]
    two = tmp_path / "two.parquet"
    inhouse.merge(one, {"HG003": files["HG003"], "HG004": files["HG004"]}, {}, two)
    members, base = read(two, keys)
    assert members == ["HG002", "HG003", "HG004"]
    full = scan(list(files.values()), keys)
    assert inhouse.counts(base, keys, extra={}, missing={}) == full
    assert {c for v in full.values() for c in (v["homozygotes"], v["carriers"])} > {0, 1}  # real counts
    shrunk = tmp_path / "shrunk.parquet"  # a genome deleted
    assert inhouse.merge(two, {}, {"HG003": files["HG003"]}, shrunk) == ["HG002", "HG004"]
    members, base = read(shrunk, keys)
    assert inhouse.counts(base, keys, extra={}, missing={}) == scan([files["HG002"], files["HG004"]], keys)
    meta = pq.ParquetFile(two).metadata
    assert meta.num_row_groups >= 1 and all(
        meta.row_group(i).num_rows <= inhouse.ROW_GROUP_ROWS for i in range(meta.num_row_groups)
    )


def test_read_time_corrections_equal_the_scan(giab_trio, keys, tmp_path) -> None:  # noqa: F811
    files = {name: Path(p) for name, p in giab_trio.items()}
    agg = tmp_path / "agg.parquet"
    inhouse.merge(None, {"HG002": files["HG002"], "HG003": files["HG003"]}, {}, agg)
    _, base = read(agg, keys)
    # the query wants HG003 and HG004: HG002 is counted but left out, HG004 is wanted but not counted
    got = inhouse.counts(base, keys, extra={"HG004": files["HG004"]}, missing={"HG002": files["HG002"]})
    assert got == scan([files["HG003"], files["HG004"]], keys)
    assert 12345 not in got
