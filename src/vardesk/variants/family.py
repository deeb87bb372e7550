"""Family queries: every member's genotype beside the primary's row, and labelled genotype patterns.

Built on :func:`vardesk.variants.query.compile_query` (the rows of the base query), with the same
rules for parameters: every user value is bound, only generated aliases appear in the SQL text.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field

from vardesk.domain.errors import Invalid
from vardesk.variants.engine import engine
from vardesk.variants.matrix import Matrix, _conditions, _paged, full_columns, supports
from vardesk.variants.query import SITE_COLUMNS, Region, VariantQuery, compile_query, regions_condition

FAMILY_MEMBER_COLUMNS = ("gt", "zygosity", "phased", "phase_set", "ad_ref", "ad_alt", "dp", "gq")


class MemberGenotype(BaseModel):
    """What one member's genotype must be for a :class:`GenotypePattern` to match.

    A member without a row for the variant counts as the query's ``absent_zygosity``; a depth or GQ
    threshold fails where the value is missing.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    zygosity: list[int]
    min_dp: int | None = None
    min_gq: int | None = None


class GenotypePattern(BaseModel):
    """A named condition on the members' genotypes, limited to ``regions`` minus ``exclude_regions``."""

    model_config = ConfigDict(extra="forbid")

    label: str
    members: dict[str, MemberGenotype] = Field(default_factory=dict)
    regions: list[Region] = Field(default_factory=list)
    exclude_regions: list[Region] = Field(default_factory=list)


def compile_family_query(
    query: VariantQuery,
    genomes: Mapping[str, Path],
    *,
    members: Sequence[str],
    patterns: Sequence[GenotypePattern] = (),
    primary: str | None = None,
    annotations: Path | Sequence[Path] | None = None,
) -> tuple[str, list[Any]]:
    """(SQL, parameters): the rows of ``query`` with each member's genotype and the matching patterns.

    Adds two columns to the rows of :func:`compile_query`: ``members``, a list aligned with
    ``members`` of structs (``called`` false where the member has no row, then ``zygosity`` is
    ``absent_zygosity``; the other :data:`FAMILY_MEMBER_COLUMNS` as stored), and ``labels``, the
    labels of the ``patterns`` the row matches in the order given. With patterns, only rows matching
    at least one are returned. Key order; ``skip``/``limit`` apply to the returned rows.
    """
    unknown = sorted({m for p in patterns for m in p.members if m not in members})
    unknown += [m for m in members if m not in genomes]
    if unknown:
        raise Invalid(f"family query names member(s) without a genome: {', '.join(unknown)}")
    primary = primary or next(iter(genomes))
    base = query.model_copy(update={"skip": 0, "limit": None})
    wanted = _primary_zygosity(patterns, primary)
    if wanted is not None and not base.zygosity:
        base = base.model_copy(update={"zygosity": wanted})  # only rows some pattern can match
    base_sql, base_params = compile_query(base, genomes, primary=primary, annotations=annotations)
    select_params: list[Any] = []
    structs = []
    alias = {m: "b" if m == primary else f"g{i}" for i, m in enumerate(members)}
    for m in members:
        g = alias[m]
        called = "true" if g == "b" else f"{g}.key IS NOT NULL"
        fields = [f"called := {called}", f"zygosity := coalesce({g}.zygosity, ?::TINYINT)"]
        fields += [f"{c} := {g}.{c}" for c in FAMILY_MEMBER_COLUMNS if c != "zygosity"]
        structs.append(f"struct_pack({', '.join(fields)})")
        select_params.append(query.absent_zygosity)
    cases = []
    for pattern in patterns:
        conds: list[str] = []
        for member, want in pattern.members.items():
            g = alias[member]
            conds.append(f"coalesce({g}.zygosity, ?) IN ({', '.join('?' for _ in want.zygosity)})")
            select_params += [query.absent_zygosity, *want.zygosity]
            for column, value in (("dp", want.min_dp), ("gq", want.min_gq)):
                if value is not None:
                    conds.append(f"coalesce({g}.{column} >= ?, false)")
                    select_params.append(value)
        if pattern.regions:
            sql, vals = regions_condition(pattern.regions, "b")
            conds.append(sql)
            select_params += vals
        if pattern.exclude_regions:
            sql, vals = regions_condition(pattern.exclude_regions, "b")
            conds.append(f"NOT {sql}")
            select_params += vals
        cases.append(f"CASE WHEN {' AND '.join(conds) or 'true'} THEN ? END")
        select_params.append(pattern.label)
    member_list = f"[{', '.join(structs)}]" if structs else "[]"
    labels = f"list_filter([{', '.join(cases)}]::VARCHAR[], lambda x: x IS NOT NULL)" if cases else "[]"
    # the primary's own values are the base row's; another member's file is read only for the base's
    # keys (a semi join on the materialised base), never joined whole
    others = [m for m in members if alias[m] != "b"]
    cols = ", ".join(["key", "chrom", "ref", "alt", *FAMILY_MEMBER_COLUMNS])
    joins = " ".join(
        f"LEFT JOIN (SELECT {cols} FROM read_parquet(?) WHERE key IN (SELECT key FROM b)) {alias[m]} "
        f"ON {alias[m]}.key = b.key AND {alias[m]}.chrom = b.chrom "
        f"AND {alias[m]}.ref = b.ref AND {alias[m]}.alt = b.alt"
        for m in others
    )
    sql = (
        f"WITH b AS MATERIALIZED ({base_sql}) "
        f"SELECT * FROM (SELECT b.*, {member_list} AS members, {labels} AS labels FROM b {joins})"
    )
    params = base_params + select_params + [str(genomes[m]) for m in others]
    if patterns:
        sql += " WHERE len(labels) > 0"
    sql += " ORDER BY key, chrom, alt"
    if query.limit is not None:
        sql += " LIMIT ?"
        params.append(query.limit)
    if query.skip:
        sql += " OFFSET ?"
        params.append(query.skip)
    return sql, params


def compile_matrix_family(
    query: VariantQuery,
    matrix: Matrix,
    *,
    members: Sequence[str],
    patterns: Sequence[GenotypePattern] = (),
    primary: str,
    only: Sequence[str] | None = None,
) -> tuple[str, list[Any]]:
    """(SQL, parameters) over the matrix alone: the rows of :func:`compile_family_query` (the primary's
    genotype row, the annotation columns, ``members`` and ``labels``)."""
    unknown = sorted({m for p in patterns for m in p.members if m not in members})
    unknown += [m for m in members if m not in matrix.members]
    if unknown:
        raise Invalid(f"family query names member(s) without a genome: {', '.join(unknown)}")
    base = query
    wanted = _primary_zygosity(patterns, primary)
    if wanted is not None and not base.zygosity:
        base = base.model_copy(update={"zygosity": wanted})
    where, where_params = _conditions(base, matrix, [primary])
    col = matrix.col
    select_params: list[Any] = []
    structs = []
    for m in members:
        z = col(m, "zygosity")
        called = "true" if m == primary else f"{z} IS NOT NULL"
        fields = [f"called := {called}", f"zygosity := coalesce({z}, ?::TINYINT)"]
        fields += [f"{c} := {col(m, c)}" for c in FAMILY_MEMBER_COLUMNS if c != "zygosity"]
        structs.append(f"struct_pack({', '.join(fields)})")
        select_params.append(query.absent_zygosity)
    cases = []
    for pattern in patterns:
        conds: list[str] = []
        for member, want in pattern.members.items():
            conds.append(
                f"coalesce({col(member, 'zygosity')}, ?) IN ({', '.join('?' for _ in want.zygosity)})"
            )
            select_params += [query.absent_zygosity, *want.zygosity]
            for column, value in (("dp", want.min_dp), ("gq", want.min_gq)):
                if value is not None:
                    conds.append(f"coalesce({col(member, column)} >= ?, false)")
                    select_params.append(value)
        if pattern.regions:
            sql, vals = regions_condition(pattern.regions, "m")
            conds.append(sql)
            select_params += vals
        if pattern.exclude_regions:
            sql, vals = regions_condition(pattern.exclude_regions, "m")
            conds.append(f"NOT {sql}")
            select_params += vals
        cases.append(f"CASE WHEN {' AND '.join(conds) or 'true'} THEN ? END")
        select_params.append(pattern.label)
    member_list = f"[{', '.join(structs)}]" if structs else "[]"
    labels = f"list_filter([{', '.join(cases)}]::VARCHAR[], lambda x: x IS NOT NULL)" if cases else "[]"
    chosen = full_columns(matrix, primary)
    if only is not None:
        keep = {*SITE_COLUMNS, *only}
        chosen = [c for c in chosen if c.rsplit('"', 2)[-2] in keep]
        if "gene_symbols" in (matrix.annotation_columns or set()):
            chosen.append("m.gene_symbols")
    full = ", ".join(chosen)
    sql = (
        f"SELECT * FROM (SELECT {full}, {member_list} AS members, {labels} AS labels "
        f"FROM read_parquet(?) m WHERE {' AND '.join(where)}) m"
    )
    params = [*select_params, str(matrix.path), *where_params]
    if patterns:
        sql += " WHERE len(m.labels) > 0"
    return _paged(sql, params, query)


def _primary_zygosity(patterns: Sequence[GenotypePattern], primary: str) -> list[int] | None:
    """The zygosities of the primary that some pattern allows, when every pattern constrains it (the
    primary always has its row, so its zygosity is as stored): the base query keeps only those rows."""
    if not patterns or any(primary not in p.members for p in patterns):
        return None
    return sorted({z for p in patterns for z in p.members[primary].zygosity})


def family_batches(
    query: VariantQuery,
    genomes: Mapping[str, Path],
    *,
    members: Sequence[str],
    patterns: Sequence[GenotypePattern] = (),
    primary: str | None = None,
    annotations: Path | Sequence[Path] | None = None,
    batch_rows: int = 10_000,
    matrix: Matrix | None = None,
    only: Sequence[str] | None = None,
) -> Iterator[pa.RecordBatch]:
    """Stream :func:`compile_family_query`'s rows as Arrow record batches, in key order — from the
    family's genotype ``matrix`` when it has every member (the same rows, columns in another order; with
    ``only``, of the matrix's row only those columns, ``members``, ``labels`` and the flat
    ``gene_symbols``: what a caller that never shows the row needs)."""
    primary = primary or next(iter(genomes))
    if matrix is not None and matrix.covers(members) and supports(query, matrix, [primary]):
        sql, params = compile_matrix_family(
            query, matrix, members=members, patterns=patterns, primary=primary, only=only
        )
        with engine().cursor() as con:  # every column is in the matrix: one pass, streamed
            for batch in con.sql(sql, params=params).to_arrow_reader(batch_rows):
                if batch.num_rows:
                    yield batch
        return
    sql, params = compile_family_query(
        query, genomes, members=members, patterns=patterns, primary=primary, annotations=annotations
    )
    with engine().cursor() as con:
        for batch in con.sql(sql, params=params).to_arrow_reader(batch_rows):
            if batch.num_rows:
                yield batch
