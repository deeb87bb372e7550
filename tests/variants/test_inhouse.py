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


def _partitioned(old: dict[int, Path], change: pa.Table, out: Path, counted: list[str]) -> dict[int, Path]:
    out.mkdir()
    written = inhouse.merge_partitions(old, change, out, counted)
    merged = {**old, **{c: p for c, p in written.items() if p is not None}}
    return {c: p for c, p in merged.items() if written.get(c, p) is not None}


def test_partitioned_aggregate_rewrites_only_the_touched_chromosomes(giab_trio, keys, tmp_path) -> None:  # noqa: F811
    files = {name: Path(p) for name, p in giab_trio.items()}
    parts = _partitioned(
        {}, inhouse.delta({"HG002": files["HG002"], "HG003": files["HG003"]}, {}), tmp_path / "a", []
    )
    assert sorted(parts) == [1, 2]  # one file per chromosome the genomes have variants on (1 and 2)
    # a genome with variants on chromosome 1 only: the update writes that partition and no other
    hg004 = pq.read_table(files["HG004"])
    chr1 = hg004.filter(pa.compute.equal(inhouse.chrom_codes(hg004["key"]), 1))
    assert 0 < chr1.num_rows < hg004.num_rows
    only1 = tmp_path / "hg004-chr1.parquet"
    pq.write_table(chr1, only1)
    (tmp_path / "c").mkdir()
    written = inhouse.merge_partitions(parts, inhouse.delta({"HG004": only1}, {}), tmp_path / "c", [])
    assert set(written) == {1}
    parts = {**parts, 1: written[1]}

    def counted(parts: dict[int, Path]) -> dict[int, dict[str, int]]:
        base: dict[int, list[int]] = {}
        for p in parts.values():
            base |= inhouse.aggregate_counts(pq.ParquetFile(p), keys)
        return inhouse.counts(base, keys, extra={}, missing={})

    assert counted(parts) == scan([files["HG002"], files["HG003"], only1], keys)
    # a genome removed: its partitions lose it, the counts are the scan's of the others
    gone = _partitioned(parts, inhouse.delta({}, {"HG003": files["HG003"]}), tmp_path / "b", [])
    assert counted(gone) == scan([files["HG002"], only1], keys)
    codes = inhouse.chrom_codes(pa.array(keys, pa.int64())).to_pylist()
    assert set(codes) - {0} <= set(parts)
