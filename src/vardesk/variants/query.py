"""Typed variant queries compiled to DuckDB SQL over the per-genome Parquet files.

This is the only module that writes SQL against the variant store. Every user value is bound as a
parameter; only identifiers generated here (table aliases) and fixed column names appear in the
SQL text. Results stream in key order as Arrow record batches or row dicts, with skip/limit and no
cap.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field, field_validator

from vardesk.domain import so
from vardesk.domain.errors import Invalid
from vardesk.domain.variant_key import MAX_POS, canonical_chrom, chrom_code, region_bounds
from vardesk.variants.engine import engine
from vardesk.variants.layout import FLAT_COLUMNS
from vardesk.variants.schema import GENOTYPE_SCHEMA

SITE_COLUMNS = ("key", "chrom", "pos", "ref", "alt")
ANNOTATION_COLUMNS = (
    "gene_symbol",
    "consequence",
    "impact",
    "gnomad_af",
    "clinvar_significance",
    "transcripts",
)
GENOTYPE_COLUMNS = tuple(GENOTYPE_SCHEMA.names)
_NOT_SELECTED = frozenset(SITE_COLUMNS) | frozenset(FLAT_COLUMNS)  # annotation columns a row never carries
_REGION = re.compile(r"^([^:\s]+)(?::([\d,]+)(?:-([\d,]+))?)?$")


class Region(BaseModel):
    """A 1-based inclusive interval; ``chrom`` may be ``chr1`` or ``1``."""

    model_config = ConfigDict(frozen=True)

    chrom: str
    start: int = Field(default=1, ge=0)
    end: int = Field(default=MAX_POS, ge=0)

    @classmethod
    def parse(cls, text: str) -> Region:
        """``chr1``, ``1:1000`` or ``chr1:1,000-2,000``."""
        m = _REGION.match(text.strip())
        if not m:
            raise Invalid(f"bad region {text!r}: expected chrom[:start[-end]]")
        start = int(m.group(2).replace(",", "")) if m.group(2) else 1
        end = int(m.group(3).replace(",", "")) if m.group(3) else (start if m.group(2) else MAX_POS)
        return cls(chrom=m.group(1), start=start, end=end)


SCORE_COLUMNS = ("revel", "cadd_phred", "spliceai_max", "alphamissense")
SCORE_OPERATORS = ("<", "<=", ">", ">=")


class ScoreFilter(BaseModel):
    """``column op value`` on an in-silico score column (``revel > 0.5``); a variant without the score
    does not match it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    column: str
    op: str
    value: float

    @field_validator("column")
    @classmethod
    def _column(cls, value: str) -> str:
        if value not in SCORE_COLUMNS:
            raise ValueError(f"score column must be one of {', '.join(SCORE_COLUMNS)}, got {value!r}")
        return value

    @field_validator("op")
    @classmethod
    def _op(cls, value: str) -> str:
        if value not in SCORE_OPERATORS:
            raise ValueError(f"score operator must be one of {' '.join(SCORE_OPERATORS)}, got {value!r}")
        return value


class VariantQuery(BaseModel):
    """Filters over one genome (the *primary*), optionally constrained by family members' genotypes.

    ``genotypes`` maps a member name to the zygosities allowed for it (0 hom-ref, 1 het, 2 hom-alt,
    3 hemizygous, -1 no call), e.g. ``{"HG002": [1], "HG003": [0], "HG004": [0]}``. A member
    without a row for a variant counts as ``absent_zygosity`` (default hom-ref).
    """

    model_config = ConfigDict(extra="forbid")

    regions: list[Region] = Field(default_factory=list)
    genes: list[str] = Field(default_factory=list)
    consequences: list[str] = Field(default_factory=list)
    impacts: list[str] = Field(default_factory=list)
    clinvar: list[str] = Field(default_factory=list)
    max_af: float | None = Field(default=None, ge=0, le=1)
    # score filters: every inner list must have a filter that matches (AND of ORs)
    scores: list[list[ScoreFilter]] = Field(default_factory=list)
    min_qual: float | None = None
    min_gq: int | None = None
    min_dp: int | None = None
    pass_only: bool = False
    zygosity: list[int] = Field(default_factory=list)
    genotypes: dict[str, list[int]] = Field(default_factory=dict)
    absent_zygosity: int = 0
    skip: int = Field(default=0, ge=0)
    limit: int | None = Field(default=None, ge=0)

    @field_validator("regions", mode="before")
    @classmethod
    def _regions(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [Region.parse(v) if isinstance(v, str) else v for v in value]
        return value

    @field_validator("zygosity")
    @classmethod
    def _zyg(cls, value: list[int]) -> list[int]:
        bad = [z for z in value if z not in (-1, 0, 1, 2, 3)]
        if bad:
            raise ValueError(f"zygosity must be -1, 0, 1, 2 or 3, got {bad}")
        return value

    def needs_annotation(self) -> bool:
        return bool(
            self.genes
            or self.consequences
            or self.impacts
            or self.clinvar
            or self.scores
            or self.max_af is not None
        )


def _annotation_source(annotations: Path | Sequence[Path] | None) -> list[str] | None:
    if annotations is None:
        return None
    paths = [annotations] if isinstance(annotations, (str, Path)) else list(annotations)
    files: list[str] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(str(f) for f in p.glob("*.parquet"))
        elif p.exists():
            files.append(str(p))
    return files or None


def _sources(annotations: Path | Sequence[Path] | None) -> int:
    if annotations is None:
        return 0
    return 1 if isinstance(annotations, (str, Path)) else len(list(annotations))


@lru_cache(maxsize=4096)
def _file_columns(path: str, mtime_ns: int, size: int) -> frozenset[str]:
    return frozenset(pq.read_schema(path).names)


def _columns(files: Sequence[str]) -> set[str]:
    """The columns of the union of the annotation files (each footer read once per version of a file),
    but a flat filter column (:data:`~vardesk.variants.layout.FLAT_COLUMNS`) only when every file has it:
    parts written before those columns existed are then filtered through the nested transcripts."""
    out: set[str] = set()
    common: set[str] | None = None
    for f in files:
        st = os.stat(f)
        names = _file_columns(f, st.st_mtime_ns, st.st_size)
        out |= names
        common = set(names) if common is None else common & names
    return (out - set(FLAT_COLUMNS)) | (set(FLAT_COLUMNS) & (common or set()))


def _rejects_unannotated(query: VariantQuery) -> bool:
    """Whether the query's annotation filters can only pass a variant that has an annotation row."""
    return bool(query.genes or query.consequences or query.impacts or query.clinvar or query.scores)


def annotation_condition(query: VariantQuery, present: set[str] | None, alias: str) -> tuple[str, list[Any]]:
    """(SQL over ``alias``, parameters) of the query's annotation filters, for the annotation columns
    ``present`` (None: no annotation at all). The one rule for what an annotation source lacks — a
    pipeline's CSQ/ANN/BCSQ has no gnomAD or ClinVar columns, an unannotated genome has none: a missing
    column is *unknown*, the same as a missing value. An unknown gene, consequence, impact or ClinVar
    significance or score matches no filter on it; an unknown frequency counts as rare (passes ``max_af``:
    a candidate is never lost because its frequency is missing)."""
    cols = present or set()
    parts: list[str] = []
    params: list[Any] = []

    def any_of(conds: list[tuple[str, list[Any]]]) -> None:
        if not conds:
            parts.append("FALSE")
            return
        parts.append("(" + " OR ".join(c for c, _ in conds) + ")")
        for _, vals in conds:
            params.extend(vals)

    a = alias
    if query.genes:
        conds: list[tuple[str, list[Any]]] = []
        if "gene_symbol" in cols:
            conds.append((f"{a}.gene_symbol IN (SELECT unnest(?::VARCHAR[]))", [query.genes]))
        if "gene_symbols" in cols:  # the flat column: the nested transcripts are not decoded
            conds.append((f"list_has_any({a}.gene_symbols, ?::VARCHAR[])", [query.genes]))
        elif "transcripts" in cols:
            conds.append(
                (
                    f"list_has_any(list_transform({a}.transcripts, lambda t: t.gene_symbol), ?::VARCHAR[])",
                    [query.genes],
                )
            )
        any_of(conds)
    if query.consequences:
        conds = []
        if "consequence" in cols:
            conds.append((f"{a}.consequence IN (SELECT unnest(?::VARCHAR[]))", [query.consequences]))
        if "consequence_terms" in cols:  # the flat column: the nested transcripts are not decoded
            conds.append((f"list_has_any({a}.consequence_terms, ?::VARCHAR[])", [query.consequences]))
        elif "transcripts" in cols:
            conds.append(
                (
                    f"list_has_any(flatten(list_transform({a}.transcripts, lambda t: t.consequences)), "
                    "?::VARCHAR[])",
                    [query.consequences],
                )
            )
        # the row's consequence is its worst term over every transcript, so a row whose worst term is
        # milder than every asked term cannot match: that flat column decides first (pushed into the
        # scan, an integer range where the part has the rank), the lists are looked at only for the rest
        limit = max(so.rank(t) for t in query.consequences)
        if len(conds) == 2 and limit < so.UNKNOWN_RANK:
            if "consequence_rank" in cols:
                parts.append(f"{a}.consequence_rank <= {int(limit)}")
            else:
                severe = ", ".join(f"'{t}'" for t, r in so.RANK.items() if r <= limit and "'" not in t)
                parts.append(f"{a}.consequence IN ({severe})")
        any_of(conds)
    if query.impacts:
        any_of(
            [(f"{a}.impact IN (SELECT unnest(?::VARCHAR[]))", [query.impacts])] if "impact" in cols else []
        )
    if query.clinvar:
        any_of(
            [(f"{a}.clinvar_significance IN (SELECT unnest(?::VARCHAR[]))", [query.clinvar])]
            if "clinvar_significance" in cols
            else []
        )
    for alternatives in query.scores:
        any_of(
            [(f"{a}.{f.column} {f.op} ?", [f.value]) for f in alternatives if f.column in cols]
        )  # column and operator are validated names (ScoreFilter), the value a parameter
    if query.max_af is not None and "gnomad_af" in cols:
        parts.append(f"coalesce({a}.gnomad_af, 0) <= ?")
        params.append(query.max_af)
    return (" AND ".join(parts) or "TRUE"), params


def compile_query(
    query: VariantQuery,
    genomes: Mapping[str, Path],
    *,
    primary: str | Sequence[str] | None = None,
    annotations: Path | Sequence[Path] | None = None,
    keys_only: bool = False,
    with_total: bool = False,
) -> tuple[str, list[Any]]:
    """(SQL, parameters) for ``query``; ``genomes`` maps member name → genotype Parquet path.

    Rows come from the ``primary`` genome. A sequence of several primaries queries the union of their
    sites (one row per variant, from any of them, e.g. "variants carried by any of these samples");
    per-sample values of such rows are read with :func:`sample_rows`. ``keys_only``: only the site
    columns (key, chrom, pos, ref, alt), reading no annotation unless a filter needs it; ``with_total``
    adds ``_total``, the number of matches before skip/limit (a window count, not a second query).
    """
    if not genomes:
        raise Invalid("no genome to query")
    primaries = [primary] if isinstance(primary, str) else list(primary or [next(iter(genomes))])
    missing = [m for m in primaries if m not in genomes]
    if missing or not primaries:
        raise Invalid(f"primary genome {missing[0] if missing else ''!r} is not among the genomes")
    primary = primaries[0]
    unknown = [m for m in query.genotypes if m not in genomes]
    if unknown:
        raise Invalid(f"genotype constraint for unknown member(s): {', '.join(unknown)}")
    ann_files = _annotation_source(annotations)
    present = _columns(ann_files) if ann_files else set()
    ann_where, ann_params = annotation_condition(query, present if ann_files else None, "a")

    params: list[Any] = [[str(genomes[m]) for m in primaries]]
    select = [f"p.{c}" for c in SITE_COLUMNS] if keys_only else ["p.*"]
    if with_total:
        select.append("count(*) OVER () AS _total")
    joins: list[str] = []
    where: list[Any] = []
    if keys_only and ann_where == "TRUE":
        ann_files = None  # nothing to read from the annotation
    if ann_files is not None:
        if not keys_only:
            select += [f'a."{c}"' for c in sorted(present) if c not in _NOT_SELECTED]
        src = "read_parquet(?, union_by_name = true)"
        if _sources(annotations) > 1:  # one annotation row per key when sources overlap
            src = f"(SELECT DISTINCT ON (key) * FROM {src})"
        params.append(ann_files)
        if _rejects_unannotated(query):
            # the annotation filter decides first (an inner join on the filtered annotation): the genotype
            # rows only meet the few annotation rows that pass it
            joins.append(f"JOIN (SELECT * FROM {src} a WHERE {ann_where}) a ON a.key = p.key")
            params += ann_params
        else:
            joins.append(f"LEFT JOIN {src} a ON a.key = p.key")
            if ann_where != "TRUE":
                where.append(ann_where)
                _append_where_params(where, ann_params)
    elif ann_where != "TRUE":
        where.append(ann_where)  # no annotation: the annotation filters see unknowns only
        _append_where_params(where, ann_params)
    for member, allowed in query.genotypes.items():
        if member == primary and len(primaries) == 1:
            where.append(f"p.zygosity IN ({', '.join('?' for _ in allowed)})")
            _append_where_params(where, list(allowed))
            continue
        # another member's genotype: a semi join on the rows it must have, or an anti join on the rows it
        # must not have when its absence (no row) is allowed — never a join of its whole file. On the key
        # alone, as the annotation join: it names the variant (hashed long alleles collide only at one
        # position with the same 29-bit hash), so the member's ref/alt strings are never read.
        absent_ok = query.absent_zygosity in allowed
        zyg = f"zygosity {'NOT IN' if absent_ok else 'IN'} ({', '.join('?' for _ in allowed)})"
        where.append(f"p.key {'NOT IN' if absent_ok else 'IN'} (SELECT key FROM read_parquet(?) WHERE {zyg})")
        _append_where_params(where, [str(genomes[member]), *allowed])

    if query.regions:
        region_sql, vals = regions_condition(query.regions, "p")
        where.append(region_sql)
        _append_where_params(where, vals)
    if query.zygosity:
        where.append(f"p.zygosity IN ({', '.join('?' for _ in query.zygosity)})")
        _append_where_params(where, list(query.zygosity))
    for column, value in (("qual", query.min_qual), ("gq", query.min_gq), ("dp", query.min_dp)):
        if value is not None:
            where.append(f"p.{column} >= ?")
            _append_where_params(where, [value])
    if query.pass_only:
        where.append("list_contains(p.filters, 'PASS')")

    source = "read_parquet(?)"
    if len(primaries) > 1:  # one row per distinct variant of the union
        source = (
            "(SELECT DISTINCT ON (key, chrom, ref, alt) * FROM read_parquet(?) ORDER BY key, chrom, ref, alt)"
        )
    sql = f"SELECT {', '.join(select)} FROM {source} p " + " ".join(joins)
    where_sql = [w for w in where if not isinstance(w, _Params)]
    where_params = [v for w in where if isinstance(w, _Params) for v in w.values]
    if where_sql:
        sql += " WHERE " + " AND ".join(where_sql)
    sql += " ORDER BY p.key, p.chrom, p.alt"
    params += where_params
    if query.limit is not None:
        sql += " LIMIT ?"
        params.append(query.limit)
    if query.skip:
        sql += " OFFSET ?"
        params.append(query.skip)
    return sql, params


def regions_condition(regions: Sequence[Region], alias: str) -> tuple[str, list[Any]]:
    """SQL true when the row of ``alias`` starts in one of ``regions`` (by key range), and its values."""
    parts = []
    vals: list[Any] = []
    for r in regions:
        lo, hi = region_bounds(r.chrom, r.start, r.end)
        if chrom_code(r.chrom) == 0:
            parts.append(f"({alias}.key BETWEEN ? AND ? AND {alias}.chrom = ?)")
            vals += [lo, hi, canonical_chrom(r.chrom)]
        else:
            parts.append(f"({alias}.key BETWEEN ? AND ?)")
            vals += [lo, hi]
    return "(" + " OR ".join(parts) + ")", vals


class _Params:
    """Parameter values of the WHERE condition just before it (kept in order with the conditions)."""

    def __init__(self, values: list[Any]) -> None:
        self.values = values


def _append_where_params(where: list[Any], values: list[Any]) -> None:
    where.append(_Params(values))


def _cursor() -> AbstractContextManager[duckdb.DuckDBPyConnection]:
    """A cursor of the process's one DuckDB database (:mod:`vardesk.variants.engine`)."""
    return engine().cursor()


def query_batches(
    query: VariantQuery,
    genomes: Mapping[str, Path],
    *,
    primary: str | None = None,
    annotations: Path | Sequence[Path] | None = None,
    batch_rows: int = 10_000,
) -> Iterator[pa.RecordBatch]:
    """Stream the matching variants of the primary genome as Arrow record batches, in key order."""
    sql, params = compile_query(query, genomes, primary=primary, annotations=annotations)
    with _cursor() as con:
        reader = con.sql(sql, params=params).to_arrow_reader(batch_rows)
        for batch in reader:
            if batch.num_rows:
                yield batch


def query_variants(
    query: VariantQuery,
    genomes: Mapping[str, Path],
    *,
    primary: str | None = None,
    annotations: Path | Sequence[Path] | None = None,
) -> Iterator[dict[str, Any]]:
    """As :func:`query_batches`, one dict per variant."""
    for batch in query_batches(query, genomes, primary=primary, annotations=annotations):
        yield from batch.to_pylist()


def count_variants(
    query: VariantQuery,
    genomes: Mapping[str, Path],
    *,
    primary: str | None = None,
    annotations: Path | Sequence[Path] | None = None,
) -> int:
    """Number of matches (ignoring skip/limit)."""
    unpaged = query.model_copy(update={"skip": 0, "limit": None})
    sql, params = compile_query(unpaged, genomes, primary=primary, annotations=annotations)
    with _cursor() as con:
        row = con.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()
    return int(row[0]) if row else 0


def query_page(
    query: VariantQuery,
    genomes: Mapping[str, Path],
    *,
    primary: str | Sequence[str] | None = None,
    annotations: Path | Sequence[Path] | None = None,
    count: bool = False,
) -> tuple[list[dict[str, Any]], int | None]:
    """One page of matches as row dicts (as :func:`query_variants`), and their total when ``count``.

    Two steps on one cursor: the filters select the page's sites (site columns only, with a window count
    when asked), then only those rows are read in full — the primary's genotype row and the annotation
    row with its nested transcripts — using the page's key range to skip row groups of the sorted files.
    """
    sql, params = compile_query(
        query, genomes, primary=primary, annotations=annotations, keys_only=True, with_total=count
    )
    with _cursor() as con:
        hits = con.sql(sql, params=params).to_arrow_table()
        total: int | None = None
        if count:
            if hits.num_rows:
                total = int(hits["_total"][0].as_py())
            elif query.skip:  # a page past the end: the window saw no row, count once
                unpaged = query.model_copy(update={"skip": 0, "limit": None})
                csql, cparams = compile_query(
                    unpaged, genomes, primary=primary, annotations=annotations, keys_only=True
                )
                row = con.execute(f"SELECT count(*) FROM ({csql})", cparams).fetchone()
                total = int(row[0]) if row else 0
            else:
                total = 0
        if not hits.num_rows:
            return [], total
        rows = _site_rows(con, hits.select(list(SITE_COLUMNS)), genomes, primary, annotations)
    return rows, total


def site_rows(
    sites: Sequence[tuple[int, str, str, str]],
    genomes: Mapping[str, Path],
    *,
    primary: str | Sequence[str] | None = None,
    annotations: Path | Sequence[Path] | None = None,
) -> list[dict[str, Any]]:
    """The full rows (as :func:`query_variants`: the primary's genotype row and the annotation row) of the
    given sites ``(key, chrom, ref, alt)``, in key order; sites the primary has no row for are left out."""
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
    with _cursor() as con:
        return _site_rows(con, table, genomes, primary, annotations)


def _site_rows(
    con: duckdb.DuckDBPyConnection,
    keys: pa.Table,
    genomes: Mapping[str, Path],
    primary: str | Sequence[str] | None,
    annotations: Path | Sequence[Path] | None,
) -> list[dict[str, Any]]:
    return _site_table(con, keys, genomes, primary, annotations).to_pylist()


def _site_table(
    con: duckdb.DuckDBPyConnection,
    keys: pa.Table,
    genomes: Mapping[str, Path],
    primary: str | Sequence[str] | None,
    annotations: Path | Sequence[Path] | None,
    extra: Sequence[str] = (),
) -> pa.Table:
    """Full rows of the sites in ``keys`` (key, chrom, ref, alt), reading only the row groups of their key
    range and, of the annotation, only their rows; ``extra`` columns of ``keys`` are carried along."""
    primaries = [primary] if isinstance(primary, str) else list(primary or [next(iter(genomes))])
    lo, hi = _key_range(keys["key"])
    # the page's keys as constants (integers, never user text): a constant list is a filter of the scan
    # itself, so row groups without a page key are skipped by their statistics and the other columns are
    # decoded only where a key matched (a semi join on a relation would decode every row in the range)
    in_list = ", ".join(str(int(k)) for k in dict.fromkeys(keys["key"].to_pylist()))
    source, fparams = "read_parquet(?)", [[str(genomes[m]) for m in primaries]]
    if len(primaries) > 1:
        source = (
            "(SELECT DISTINCT ON (key, chrom, ref, alt) * FROM read_parquet(?) WHERE key BETWEEN ? AND ?)"
        )
        fparams += [lo, hi]
    fparams += [lo, hi]
    select, join = ["p.*"], ""
    ann_files = _annotation_source(annotations)
    if ann_files is not None:
        select += [f'a."{c}"' for c in sorted(_columns(ann_files)) if c not in _NOT_SELECTED]
        join = (
            "LEFT JOIN (SELECT DISTINCT ON (key) * FROM read_parquet(?, union_by_name = true) "
            f"WHERE key BETWEEN ? AND ? AND key IN ({in_list})) a ON a.key = p.key"
        )
        fparams += [ann_files, lo, hi]
    select += [f's."{c}"' for c in extra]
    con.register("page_sites", keys.select(["key", "chrom", "ref", "alt", *extra]))
    try:
        return con.sql(
            f"SELECT {', '.join(select)} FROM page_sites s "
            f"JOIN (SELECT * FROM {source} WHERE key BETWEEN ? AND ? "
            f"AND key IN ({in_list})) p "
            "ON p.key = s.key AND p.chrom = s.chrom AND p.ref = s.ref AND p.alt = s.alt "
            f"{join} ORDER BY p.key, p.chrom, p.alt",
            params=fparams,
        ).to_arrow_table()
    finally:
        con.unregister("page_sites")


def _key_range(column: pa.ChunkedArray) -> tuple[int, int]:
    bounds = pc.min_max(column)
    return int(bounds["min"].as_py()), int(bounds["max"].as_py())


def sample_rows(
    genomes: Mapping[str, Path],
    keys: Sequence[int],
    columns: Sequence[str] = (
        "gt",
        "zygosity",
        "phased",
        "ad_ref",
        "ad_alt",
        "dp",
        "gq",
        "vaf",
        "filters",
        "qual",
    ),
) -> dict[str, dict[tuple[int, str, str], dict[str, Any]]]:
    """Per genome, the stored values of the given variant keys: ``{name: {(key, ref, alt): row}}``."""
    allowed = set(GENOTYPE_COLUMNS)
    bad = [c for c in columns if c not in allowed]
    if bad:
        raise Invalid(f"unknown genotype column(s): {', '.join(bad)}")
    out: dict[str, dict[tuple[int, str, str], dict[str, Any]]] = {}
    if not keys:
        return {name: {} for name in genomes}
    in_list = ", ".join(str(int(k)) for k in dict.fromkeys(keys))
    with _cursor() as con:
        for name, path in genomes.items():
            cols = ", ".join(["key", "ref", "alt", *columns])
            # a relation (con.sql), not a DB-API cursor: DuckDB warns that Arrow output of a cursor
            # copies the rows once more
            rows = (
                con.sql(
                    f"SELECT {cols} FROM read_parquet($path) WHERE key BETWEEN $lo AND $hi "
                    f"AND key IN ({in_list})",  # constants: a filter of the scan (see _site_rows)
                    params={"path": str(path), "lo": min(keys), "hi": max(keys)},
                )
                .to_arrow_table()
                .to_pylist()
            )
            out[name] = {(r["key"], r["ref"], r["alt"]): r for r in rows}
    return out


def annotation_rows(annotations: Path | Sequence[Path], keys: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The full annotation row of each given key (first part that has it)."""
    files = _annotation_source(annotations)
    if not files or not keys:
        return {}
    with _cursor() as con:
        rows = con.execute(
            "SELECT * FROM read_parquet(?, union_by_name = true) WHERE key IN (SELECT unnest(?::BIGINT[]))",
            [files, list(keys)],
        ).fetchall()
        names = [d[0] for d in con.description]
    out: dict[int, dict[str, Any]] = {}
    for r in rows:
        row = {n: v for n, v in zip(names, r, strict=True) if n not in FLAT_COLUMNS}
        out.setdefault(row["key"], row)
    return out


def coverage_at(coverage: Path, chrom: str, pos: int) -> dict[str, Any] | None:
    """The gVCF reference block covering ``chrom:pos`` (start, end, min_dp, gq), or None."""
    if not Path(coverage).exists():
        return None
    with _cursor() as con:
        row = con.execute(
            'SELECT chrom, start, "end", min_dp, gq FROM read_parquet(?) '
            'WHERE chrom = ? AND start <= ? AND "end" >= ? ORDER BY start LIMIT 1',
            [str(coverage), canonical_chrom(chrom), pos, pos],
        ).fetchone()
    if row is None:
        return None
    return dict(zip(("chrom", "start", "end", "min_dp", "gq"), row, strict=True))


def depth_at(genotypes: Path, coverage: Path, chrom: str, pos: int) -> int | None:
    """Depth at a position: the variant's DP if one starts there, else the covering block's min DP."""
    lo, hi = region_bounds(chrom, pos, pos)
    with _cursor() as con:
        row = con.execute(
            "SELECT max(dp) FROM read_parquet(?) WHERE key BETWEEN ? AND ? AND chrom = ?",
            [str(genotypes), lo, hi, canonical_chrom(chrom)],
        ).fetchone()
    if row and row[0] is not None:
        return int(row[0])
    block = coverage_at(coverage, chrom, pos)
    return None if block is None else block["min_dp"]
