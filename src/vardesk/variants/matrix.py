"""The genotype matrix: one Parquet file per family (a case's or a multi-sample file's genomes) shaped for
family queries.

One row per variant site (``key, chrom, pos, ref, alt``) any member has a row for, sorted by key (that is
by position) in row groups of :data:`ROW_GROUP_ROWS`, with

* one column group per member ``i`` (the order the catalog records): ``m{i}_gt``, ``m{i}_zygosity``
  (NULL where the member has no row: absent), ``m{i}_phased``, ``m{i}_phase_set``, ``m{i}_ad_ref``,
  ``m{i}_ad_alt``, ``m{i}_dp``, ``m{i}_gq``, ``m{i}_qual`` and ``m{i}_pass`` (its FILTER has PASS);
* the annotation fields the filters use (:data:`ANNOTATION_FIELDS`: gene, consequence with its flat rank,
  terms and gene lists, impact, gnomAD AF, ClinVar), as the annotation source of the genomes has them —
  never the nested transcripts.

A family query is then one scan of one narrow file, its predicates evaluated in the scan (row groups
pruned by their statistics for key ranges and the consequence rank), without a join; the full rows (the
primary's genotype row, the annotation row with its transcripts) are read afterwards for the rows returned
only (:func:`vardesk.variants.query._site_table`). Member names never appear in the SQL text: columns are
named by position.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from vardesk.variants.engine import engine
from vardesk.variants.layout import FLAT_COLUMNS
from vardesk.variants.query import (
    _NOT_SELECTED,
    SITE_COLUMNS,
    VariantQuery,
    _annotation_source,
    _columns,
    _key_range,
    _site_table,
    annotation_condition,
    regions_condition,
)
from vardesk.variants.schema import GENOTYPE_SCHEMA

FORMAT = 2  # bump when the layout changes: older matrices are then rebuilt, never read
# small row groups: a page's scattered rows decode only the row groups their keys fall in (the scan of
# the filter columns stays one pass)
ROW_GROUP_ROWS = 1 << 13
# every column of a genotype row but the site's, then whether its FILTER has PASS
GENOTYPE_FIELDS = tuple(c for c in GENOTYPE_SCHEMA.names if c not in ("key", "chrom", "pos", "ref", "alt"))
MEMBER_FIELDS = (*GENOTYPE_FIELDS, "pass")
ANNOTATION_FIELDS = (
    "gene_symbol",
    "consequence",
    "impact",
    "gnomad_af",
    "clinvar_significance",
    *FLAT_COLUMNS,
)
_META = b"vardesk.matrix"


@dataclass(frozen=True)
class Matrix:
    """A matrix file and the member names of its column groups (in order)."""

    path: Path
    members: tuple[str, ...]

    def col(self, member: str, field: str, alias: str = "m") -> str:
        return f"{alias}.m{self.members.index(member)}_{field}"

    @property
    def info(self) -> dict[str, Any]:
        st = os.stat(self.path)
        return _info(str(self.path), st.st_mtime_ns, st.st_size)

    @property
    def annotation_columns(self) -> set[str] | None:
        """The annotation columns the matrix carries (None: the genomes had no annotation at all)."""
        cols = self.info.get("annotation")
        return None if cols is None else set(cols)

    def covers(self, names: Sequence[str]) -> bool:
        return all(n in self.members for n in names)


@lru_cache(maxsize=256)
def _info(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    meta = pq.read_schema(path).metadata or {}
    return json.loads(meta.get(_META, b"{}"))


def build_matrix(
    genotypes: Sequence[Path],
    annotations: Sequence[Path] | None,
    out: Path,
) -> int:
    """Write the matrix of the members whose genotype files are ``genotypes`` (in column-group order) to
    ``out``, with the annotation fields of the annotation parts (files or directories of parts) the
    queries of these genomes read; returns its number of rows."""
    files = [str(p) for p in genotypes]
    ann_files = _annotation_source(list(annotations)) if annotations else None
    present = _columns(ann_files) if ann_files else set()
    member_sql, params = [], []
    joins = []
    for i, f in enumerate(files):
        cols = ", ".join(f'"{c}" AS m{i}_{c}' for c in GENOTYPE_FIELDS)
        joins.append(
            f"LEFT JOIN (SELECT key, chrom, ref, alt, {cols}, "
            f"coalesce(list_contains(filters, 'PASS'), false) AS m{i}_pass "
            f"FROM read_parquet(?)) g{i} ON g{i}.key = s.key AND g{i}.chrom = s.chrom "
            f"AND g{i}.ref = s.ref AND g{i}.alt = s.alt"
        )
        params.append(f)
        member_sql += [f"g{i}.m{i}_{c}" for c in MEMBER_FIELDS]
    ann_cols: list[str] = []  # the filter fields
    detail: list[str] = []  # the rest of the annotation row (the nested transcripts…), for the rows shown
    ann_join = ""
    if ann_files:
        picks = []
        for c in ANNOTATION_FIELDS:
            if c in present:
                picks.append(f'"{c}"')
            elif c == "gene_symbols" and "transcripts" in present:
                picks.append("list_transform(transcripts, lambda t: t.gene_symbol) AS gene_symbols")
            elif c == "consequence_terms" and "transcripts" in present:
                picks.append(
                    "flatten(list_transform(transcripts, lambda t: t.consequences)) AS consequence_terms"
                )
            else:
                continue
            ann_cols.append(c)
        detail = sorted(c for c in present if c not in _NOT_SELECTED and c not in ann_cols)
        picks += [f'"{c}"' for c in detail]
        if picks:
            ann_join = (
                f"LEFT JOIN (SELECT DISTINCT ON (key) key, {', '.join(picks)} "
                "FROM read_parquet(?, union_by_name = true) WHERE key IN (SELECT key FROM s)) a "
                "ON a.key = s.key"
            )
    sql = (
        "WITH s AS MATERIALIZED (SELECT DISTINCT key, chrom, pos, ref, alt FROM read_parquet(?)) "
        f"SELECT s.key, s.chrom, s.pos, s.ref, s.alt, {', '.join(member_sql)}"
        + "".join(f', a."{c}"' for c in [*ann_cols, *detail])
        + " FROM s "
        + " ".join(joins)
        + (f" {ann_join}" if ann_join else "")
        + " ORDER BY s.key, s.chrom, s.ref, s.alt"
    )
    all_params: list[Any] = [files, *params]
    if ann_join:
        all_params.append(ann_files)
    info = {
        "format": FORMAT,
        "members": len(files),
        "annotation": ann_cols if ann_files else None,
        # the annotation columns a full row shows, as the per-genome path selects them
        "shown": sorted(c for c in present if c not in _NOT_SELECTED) if ann_files else [],
    }
    tmp = out.with_name(out.name + ".part")
    rows = 0
    writer: pq.ParquetWriter | None = None
    try:
        with engine().cursor() as con:
            # streamed in row groups: the sort spills under the engine's memory limit, the writer holds one
            # row group
            for batch in con.sql(sql, params=all_params).to_arrow_reader(ROW_GROUP_ROWS):
                if writer is None:
                    schema = batch.schema.with_metadata({_META: json.dumps(info).encode()})
                    stats = [
                        c
                        for c in ("key", "chrom", "pos", "consequence_rank", "gnomad_af")
                        if c in schema.names
                    ]
                    writer = pq.ParquetWriter(
                        tmp, schema, compression="zstd", compression_level=1, write_statistics=stats
                    )
                if batch.num_rows:
                    writer.write_batch(batch, row_group_size=ROW_GROUP_ROWS)
                    rows += batch.num_rows
    except BaseException:
        if writer is not None:
            writer.close()
        tmp.unlink(missing_ok=True)
        raise
    if writer is None:  # no member has a row: an empty matrix of the same columns
        empty = engine().cursor()
        with empty as con:
            table = con.sql(f"SELECT * FROM ({sql}) LIMIT 0", params=all_params).to_arrow_table()
        pq.write_table(table.replace_schema_metadata({_META: json.dumps(info).encode()}), tmp)
    else:
        writer.close()
    os.replace(tmp, out)
    return rows


# -- queries ------------------------------------------------------------------------------------------


def supports(query: VariantQuery, matrix: Matrix, primaries: Sequence[str]) -> bool:
    """Whether ``query`` over ``primaries`` can be answered from ``matrix`` with the same rows as the
    per-genome path: every genome it names is a member, and a union of several primaries carries no
    filter on "the" primary's values (that path filters whichever primary's row it keeps)."""
    if not primaries or not matrix.covers([*primaries, *query.genotypes]):
        return False
    if query.scores:  # the matrix carries the filter columns of ANNOTATION_FIELDS, not the scores
        return False
    if len(primaries) > 1:
        per_row = (
            query.zygosity
            or query.pass_only
            or any(v is not None for v in (query.min_qual, query.min_gq, query.min_dp))
        )
        return not per_row
    return True


def _conditions(query: VariantQuery, matrix: Matrix, primaries: Sequence[str]) -> tuple[list[str], list[Any]]:
    """The WHERE conditions (over alias ``m``) and their parameters: the rows of
    :func:`vardesk.variants.query.compile_query` for the same query, primaries and annotation."""
    col = matrix.col
    where = ["(" + " OR ".join(f"{col(p, 'zygosity')} IS NOT NULL" for p in primaries) + ")"]
    params: list[Any] = []
    ann_sql, ann_params = annotation_condition(query, matrix.annotation_columns, "m")
    if ann_sql != "TRUE":
        where.append(ann_sql)
        params += ann_params
    single = primaries[0] if len(primaries) == 1 else None
    for member, allowed in query.genotypes.items():
        z = col(member, "zygosity")
        marks = ", ".join("?" for _ in allowed)
        if member == single or query.absent_zygosity not in allowed:
            where.append(f"{z} IN ({marks})")
        else:  # no row for the member is allowed
            where.append(f"({z} IS NULL OR {z} IN ({marks}))")
        params += list(allowed)
    if query.regions:
        sql, vals = regions_condition(query.regions, "m")
        where.append(sql)
        params += vals
    if single is not None:
        if query.zygosity:
            where.append(f"{col(single, 'zygosity')} IN ({', '.join('?' for _ in query.zygosity)})")
            params += list(query.zygosity)
        for field, value in (("qual", query.min_qual), ("gq", query.min_gq), ("dp", query.min_dp)):
            if value is not None:
                where.append(f"{col(single, field)} >= ?")
                params.append(value)
        if query.pass_only:
            where.append(col(single, "pass"))
    return where, params


def _paged(sql: str, params: list[Any], query: VariantQuery) -> tuple[str, list[Any]]:
    sql += " ORDER BY m.key, m.chrom, m.alt"
    if query.limit is not None:
        sql += " LIMIT ?"
        params = [*params, query.limit]
    if query.skip:
        sql += " OFFSET ?"
        params = [*params, query.skip]
    return sql, params


def compile_sites(
    query: VariantQuery, matrix: Matrix, primaries: Sequence[str], *, with_total: bool = False
) -> tuple[str, list[Any]]:
    """(SQL, parameters): the site columns of the matching rows (``_total`` with ``with_total``)."""
    where, params = _conditions(query, matrix, primaries)
    select = [f"m.{c}" for c in SITE_COLUMNS] + (["count(*) OVER () AS _total"] if with_total else [])
    sql = f"SELECT {', '.join(select)} FROM read_parquet(?) m WHERE {' AND '.join(where)}"
    return _paged(sql, [str(matrix.path), *params], query)


def _primaries(primary: str | Sequence[str] | None, genomes: Mapping[str, Path]) -> list[str]:
    return [primary] if isinstance(primary, str) else list(primary or [next(iter(genomes))])


def matrix_page(
    query: VariantQuery,
    matrix: Matrix,
    genomes: Mapping[str, Path],
    *,
    primary: str | Sequence[str] | None = None,
    annotations: Path | Sequence[Path] | None = None,
    count: bool = False,
) -> tuple[list[dict[str, Any]], int | None]:
    """As :func:`vardesk.variants.query.query_page`, the sites selected from the matrix."""
    primaries = _primaries(primary, genomes)
    sql, params = compile_sites(query, matrix, primaries, with_total=count)
    with engine().cursor() as con:
        hits = con.sql(sql, params=params).to_arrow_table()
        total: int | None = None
        if count:
            if hits.num_rows:
                total = int(hits["_total"][0].as_py())
            elif query.skip:  # a page past the end: the window saw no row, count once
                unpaged = query.model_copy(update={"skip": 0, "limit": None})
                csql, cparams = compile_sites(unpaged, matrix, primaries)
                row = con.execute(f"SELECT count(*) FROM ({csql})", cparams).fetchone()
                total = int(row[0]) if row else 0
            else:
                total = 0
        if not hits.num_rows:
            return [], total
        rows = _full_rows(con, matrix, hits, primaries, genomes, annotations).to_pylist()
    return rows, total


def matrix_count(query: VariantQuery, matrix: Matrix, primaries: Sequence[str]) -> int:
    unpaged = query.model_copy(update={"skip": 0, "limit": None})
    sql, params = compile_sites(unpaged, matrix, primaries)
    with engine().cursor() as con:
        row = con.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()
    return int(row[0]) if row else 0


def matrix_batches(
    query: VariantQuery,
    matrix: Matrix,
    genomes: Mapping[str, Path],
    *,
    primary: str | Sequence[str] | None = None,
    annotations: Path | Sequence[Path] | None = None,
    batch_rows: int = 10_000,
) -> Iterator[pa.RecordBatch]:
    """As :func:`vardesk.variants.query.query_batches`: every match's full row, in key order."""
    primaries = _primaries(primary, genomes)
    if len(primaries) == 1:  # every column is in the matrix: one pass, streamed
        where, params = _conditions(query, matrix, primaries)
        cols = ", ".join(full_columns(matrix, primaries[0]))
        sql = f"SELECT {cols} FROM read_parquet(?) m WHERE {' AND '.join(where)}"
        sql, params = _paged(sql, [str(matrix.path), *params], query)
        with engine().cursor() as con:
            for batch in con.sql(sql, params=params).to_arrow_reader(batch_rows):
                if batch.num_rows:
                    yield batch
        return
    sql, params = compile_sites(query, matrix, primaries)
    with engine().cursor() as con:
        sites = con.sql(sql, params=params).to_arrow_table()  # the site columns only: small
    yield from _full_batches(matrix, sites, genomes, primaries, annotations, batch_rows, ())


def full_columns(matrix: Matrix, primary: str) -> list[str]:
    """The SELECT list (over alias ``m``) of a full row as the per-genome path shows it: the primary's
    genotype row, then the annotation columns."""
    i = matrix.members.index(primary)
    cols = [f'm."{c}"' if c in SITE_COLUMNS else f'm.m{i}_{c} AS "{c}"' for c in GENOTYPE_SCHEMA.names]
    return cols + [f'm."{c}"' for c in matrix.info.get("shown") or []]


def _full_rows(
    con: Any,
    matrix: Matrix,
    sites: pa.Table,
    primaries: Sequence[str],
    genomes: Mapping[str, Path],
    annotations: Path | Sequence[Path] | None,
    extra: Sequence[str] = (),
) -> pa.Table:
    """The full rows of ``sites`` as the per-genome path shows them (the primary's genotype row, then the
    annotation columns): from the matrix itself for one primary — a page's scattered keys decode only
    their row groups of one file — else from the genotype and annotation files."""
    if len(primaries) != 1:
        keys = sites.select([*SITE_COLUMNS, *extra])
        return _site_table(con, keys, genomes, list(primaries), annotations, extra)
    i = matrix.members.index(primaries[0])
    lo, hi = _key_range(sites["key"])
    in_list = ", ".join(str(int(k)) for k in dict.fromkeys(sites["key"].to_pylist()))
    cols = full_columns(matrix, primaries[0]) + [f's."{c}"' for c in extra]
    con.register("page_sites", sites.select(["key", "chrom", "ref", "alt", *extra]))
    try:
        return con.sql(
            f"SELECT {', '.join(cols)} FROM page_sites s JOIN (SELECT * FROM read_parquet($path) "
            f"WHERE key BETWEEN $lo AND $hi AND key IN ({in_list}) AND m{i}_zygosity IS NOT NULL) m "
            "ON m.key = s.key AND m.chrom = s.chrom AND m.ref = s.ref AND m.alt = s.alt "
            "ORDER BY m.key, m.chrom, m.alt",
            params={"path": str(matrix.path), "lo": lo, "hi": hi},
        ).to_arrow_table()
    finally:
        con.unregister("page_sites")


def matrix_site_rows(
    matrix: Matrix, sites: Sequence[tuple[int, str, str, str]], primary: str
) -> list[dict[str, Any]]:
    """As :func:`vardesk.variants.query.site_rows` for one primary member, from the matrix alone."""
    if not sites:
        return []
    table = pa.table(
        {
            "key": pa.array([s[0] for s in sites], pa.int64()),
            "chrom": [s[1] for s in sites],
            "ref": [s[2] for s in sites],
            "alt": [s[3] for s in sites],
        }
    )
    with engine().cursor() as con:
        return _full_rows(con, matrix, table, [primary], {}, None).to_pylist()


def matrix_sample_rows(
    matrix: Matrix, names: Sequence[str], keys: Sequence[int], columns: Sequence[str]
) -> dict[str, dict[tuple[int, str, str], dict[str, Any]]]:
    """As :func:`vardesk.variants.query.sample_rows` for members of the matrix, in one read of it."""
    out: dict[str, dict[tuple[int, str, str], dict[str, Any]]] = {n: {} for n in names}
    if not keys or not names:
        return out
    idx = {n: matrix.members.index(n) for n in names}
    select = ["key", "ref", "alt"] + [f"m{idx[n]}_{c}" for n in names for c in ["zygosity", *columns]]
    in_list = ", ".join(str(int(k)) for k in dict.fromkeys(keys))
    with engine().cursor() as con:
        rows = (
            con.sql(
                f"SELECT {', '.join(dict.fromkeys(select))} FROM read_parquet($path) "
                f"WHERE key BETWEEN $lo AND $hi AND key IN ({in_list})",
                params={"path": str(matrix.path), "lo": min(keys), "hi": max(keys)},
            )
            .to_arrow_table()
            .to_pylist()
        )
    for r in rows:
        site = {"key": r["key"], "ref": r["ref"], "alt": r["alt"]}
        for n in names:
            i = idx[n]
            if r[f"m{i}_zygosity"] is not None:
                out[n][(r["key"], r["ref"], r["alt"])] = site | {c: r[f"m{i}_{c}"] for c in columns}
    return out


def _full_batches(
    matrix: Matrix,
    sites: pa.Table,
    genomes: Mapping[str, Path],
    primaries: Sequence[str],
    annotations: Path | Sequence[Path] | None,
    batch_rows: int,
    extra: Sequence[str],
) -> Iterator[pa.RecordBatch]:
    for start in range(0, sites.num_rows, batch_rows):
        with engine().cursor() as con:
            page = sites.slice(start, batch_rows)
            table = _full_rows(con, matrix, page, primaries, genomes, annotations, extra)
        for batch in table.to_batches():
            if batch.num_rows:
                yield batch


def matrix_carriers(matrix: Matrix, names: Sequence[str], keys: Sequence[int]) -> pa.Table:
    """As :func:`vardesk.annotate.lookups.inhouse_counts` over the genotype files of the members
    ``names``, for ``keys``, from one read of the matrix: (key, carriers, homozygotes, hemizygotes)."""
    empty = pa.schema(
        [("key", pa.int64()), *((c, pa.int64()) for c in ("carriers", "homozygotes", "hemizygotes"))]
    )
    if not names or not keys:
        return empty.empty_table()
    cols = [f"m{matrix.members.index(n)}_zygosity" for n in names]
    zs = [f"max(CASE WHEN {c} IN (1, 2, 3) THEN {c} END)" for c in cols]
    per_key = ", ".join(f"{z} AS z{j}" for j, z in enumerate(zs))
    n = len(names)
    carriers = " + ".join(f"(z{j} IS NOT NULL)::BIGINT" for j in range(n))
    homs = " + ".join(f"coalesce(z{j} = 2, false)::BIGINT" for j in range(n))
    hemis = " + ".join(f"coalesce(z{j} = 3, false)::BIGINT" for j in range(n))
    in_list = ", ".join(str(int(k)) for k in dict.fromkeys(keys))
    sql = (
        f"SELECT key, {carriers} AS carriers, {homs} AS homozygotes, {hemis} AS hemizygotes FROM ("
        f"SELECT key, {per_key} FROM read_parquet($path) "
        f"WHERE key BETWEEN $lo AND $hi AND key IN ({in_list}) GROUP BY key) "
        f"WHERE {carriers} > 0 ORDER BY key"
    )
    with engine().cursor() as con:
        table = con.sql(
            sql, params={"path": str(matrix.path), "lo": min(keys), "hi": max(keys)}
        ).to_arrow_table()
    return table.cast(empty)
