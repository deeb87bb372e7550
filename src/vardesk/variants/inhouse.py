"""The in-house frequency aggregate: carriers, homozygotes and hemizygotes per variant key over a set of
genomes, kept in one Parquet file that names the genotype files it counts.

A genome counts once per key (its highest zygosity of 1 het, 2 hom-alt, 3 hemizygous), as
:func:`vardesk.annotate.lookups.inhouse_counts` counts a scan of the genotype files. The file is sorted
by key in bounded row groups, so a page's keys read a few of them; it carries in its Parquet metadata the
list of the genotype files (their store keys) it counts, so a reader corrects for genomes added or
removed since it was written (:func:`counts`) and the answer is the scan's whatever the aggregate's age.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from vardesk.annotate.lookups import inhouse_counts
from vardesk.variants.engine import engine
from vardesk.variants.matrix import Matrix, matrix_carriers

ROW_GROUP_ROWS = 1 << 16
_MEMBERS = b"vardesk.inhouse.genomes"
COUNT_COLUMNS = ("carriers", "homozygotes", "hemizygotes")
_EMPTY = pa.schema([("key", pa.int64()), *((c, pa.int64()) for c in COUNT_COLUMNS)])


def members(path: Path | None) -> list[str]:
    """The genotype files (store keys) the aggregate at ``path`` counts (none without a file)."""
    if path is None or not Path(path).exists():
        return []
    return file_members(pq.ParquetFile(path))


def _signed(files: Mapping[str, Path], sign: int) -> pa.Table:
    if not files:
        return _EMPTY.empty_table()
    t = inhouse_counts(list(files.values())).select(["key", *COUNT_COLUMNS])
    if sign < 0:
        import pyarrow.compute as pc

        t = pa.table({"key": t["key"], **{c: pc.negate(t[c]) for c in COUNT_COLUMNS}})
    return t


def merge(old: Path | None, add: Mapping[str, Path], remove: Mapping[str, Path], out: Path) -> list[str]:
    """Write to ``out`` the aggregate ``old`` plus the genomes of ``add`` minus those of ``remove`` (store
    key → local genotype file); returns the genotype files the new aggregate counts."""
    counted = [k for k in members(old) if k not in remove]
    counted += [k for k in add if k not in counted]
    parts = [_signed(add, 1), _signed(remove, -1)]
    with engine().cursor() as con:
        con.register("d_add", parts[0])
        con.register("d_rem", parts[1])
        src = "SELECT * FROM d_add UNION ALL SELECT * FROM d_rem"
        if old is not None and Path(old).exists():
            src += f" UNION ALL SELECT key, {', '.join(COUNT_COLUMNS)} FROM read_parquet(?)"
            params = [str(old)]
        else:
            params = []
        sums = ", ".join(f"sum({c})::BIGINT AS {c}" for c in COUNT_COLUMNS)
        table = con.sql(
            f"SELECT key, {sums} FROM ({src}) GROUP BY key HAVING sum(carriers) > 0 ORDER BY key",
            params=params,
        ).to_arrow_table()
    table = table.cast(_EMPTY).replace_schema_metadata({_MEMBERS: json.dumps(counted).encode()})
    pq.write_table(table, out, row_group_size=ROW_GROUP_ROWS, compression="zstd", write_statistics=["key"])
    return counted


def aggregate_counts(aggregate: pq.ParquetFile, keys: Sequence[int]) -> dict[int, list[int]]:
    """The aggregate's counts of ``keys`` (only the row groups whose key range holds one are read), from
    the open file whose :func:`file_members` were read, so both come from one version of the file."""
    wanted = sorted(set(int(k) for k in keys))
    if not wanted:
        return {}
    import bisect

    groups = []
    meta = aggregate.metadata
    for i in range(meta.num_row_groups):
        st = meta.row_group(i).column(0).statistics
        if st is None or not st.has_min_max:
            groups.append(i)
            continue
        j = bisect.bisect_left(wanted, st.min)
        if j < len(wanted) and wanted[j] <= st.max:
            groups.append(i)
    if not groups:
        return {}
    table = aggregate.read_row_groups(groups, columns=["key", *COUNT_COLUMNS])
    import pyarrow.compute as pc

    table = table.filter(pc.is_in(table["key"], pa.array(wanted, pa.int64())))
    return {r["key"]: [r[c] for c in COUNT_COLUMNS] for r in table.to_pylist()}


def file_members(aggregate: pq.ParquetFile) -> list[str]:
    meta = aggregate.schema_arrow.metadata or {}
    return list(json.loads(meta.get(_MEMBERS, b"[]")))


def counts(
    base: Mapping[int, list[int]],
    keys: Sequence[int],
    *,
    extra: Mapping[str, Path],
    missing: Mapping[str, Path],
    matrix: Matrix | None = None,
    members: Mapping[str, str] | None = None,
) -> dict[int, dict[str, int]]:
    """Counts per key: the aggregate's ``base`` (:func:`aggregate_counts`), plus the genomes of ``extra``
    (wanted, not in the aggregate), minus those of ``missing`` (in the aggregate, not wanted); keys no
    genome carries are left out. Genomes of ``members`` (store key → member of ``matrix``) are counted
    from the matrix, in one read, instead of their files."""
    if not keys:
        return {}
    key_array = pa.array(list(keys), pa.int64())
    out = {k: list(v) for k, v in base.items()}
    inside = dict(members or {}) if matrix is not None else {}
    for files, sign in ((extra, 1), (missing, -1)):
        tables = []
        own = [inside[k] for k in files if k in inside]
        rest = [p for k, p in files.items() if k not in inside]
        if own and matrix is not None:
            tables.append(matrix_carriers(matrix, own, list(keys)))
        if rest:
            tables.append(inhouse_counts(rest, keys=key_array))
        for table in tables:
            for r in table.to_pylist():
                acc = out.setdefault(r["key"], [0, 0, 0])
                for i, c in enumerate(COUNT_COLUMNS):
                    acc[i] += sign * r[c]
    return {k: dict(zip(COUNT_COLUMNS, v, strict=True)) for k, v in out.items() if v[0] > 0}


# -- partitioned by chromosome --------------------------------------------------------------------------
# The aggregate of a workspace is a manifest (a Parquet file without rows: the genotype files counted, and
# the partition file of each chromosome code) and one partition file per chromosome. An update rewrites
# the partitions the added or removed genomes have variants on, then the manifest; a partition the update
# does not touch stays valid (those genomes count zero there).
_PARTS = b"vardesk.inhouse.partitions"


def chrom_codes(keys: pa.Array | pa.ChunkedArray) -> pa.Array:
    """The chromosome code (the key's top bits, :func:`vardesk.domain.variant_key.encode`) of each key."""
    import pyarrow.compute as pc

    return pc.bit_wise_and(pc.shift_right(keys, 58), 0x1F)


def manifest_partitions(aggregate: pq.ParquetFile) -> dict[int, str] | None:
    """Chromosome code → partition name of a manifest; None for an aggregate of one file (no partitions)."""
    raw = (aggregate.schema_arrow.metadata or {}).get(_PARTS)
    return None if raw is None else {int(k): v for k, v in json.loads(raw).items()}


def write_manifest(out: Path, counted: Sequence[str], partitions: Mapping[int, str]) -> None:
    meta = {_MEMBERS: json.dumps(list(counted)).encode(), _PARTS: json.dumps(dict(partitions)).encode()}
    pq.write_table(_EMPTY.empty_table().replace_schema_metadata(meta), out)


def delta(add: Mapping[str, Path], remove: Mapping[str, Path]) -> pa.Table:
    """The signed counts of adding the genomes of ``add`` and removing those of ``remove``."""
    return pa.concat_tables([_signed(add, 1).cast(_EMPTY), _signed(remove, -1).cast(_EMPTY)])


def merge_partitions(
    old: Mapping[int, Path], change: pa.Table, out_dir: Path, counted: Sequence[str]
) -> dict[int, Path | None]:
    """For each chromosome code ``change`` (:func:`delta`) touches: its old partition (``old``, if any)
    plus the change, written to ``out_dir``; code → new file (None: no key left, the partition goes)."""
    import pyarrow.compute as pc

    codes = chrom_codes(change["key"])
    out: dict[int, Path | None] = {}
    sums = ", ".join(f"sum({c})::BIGINT AS {c}" for c in COUNT_COLUMNS)
    for code in sorted(set(pc.unique(codes).to_pylist())):
        part = change.filter(pc.equal(codes, code))
        with engine().cursor() as con:
            con.register("d_part", part)
            src, params = "SELECT * FROM d_part", []
            if code in old:
                src += f" UNION ALL SELECT key, {', '.join(COUNT_COLUMNS)} FROM read_parquet(?)"
                params = [str(old[code])]
            table = con.sql(
                f"SELECT key, {sums} FROM ({src}) GROUP BY key HAVING sum(carriers) > 0 ORDER BY key",
                params=params,
            ).to_arrow_table()
        if not table.num_rows:
            out[code] = None
            continue
        table = table.cast(_EMPTY).replace_schema_metadata({_MEMBERS: json.dumps(list(counted)).encode()})
        path = out_dir / f"{code}.parquet"
        pq.write_table(
            table, path, row_group_size=ROW_GROUP_ROWS, compression="zstd", write_statistics=["key"]
        )
        out[code] = path
    return out
