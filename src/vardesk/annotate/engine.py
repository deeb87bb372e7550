"""Annotation rows: one per new variant key per bundle, appended as Parquet parts.

``annotate_variants`` takes distinct normalised variants (key, chrom, pos, ref, alt), skips keys the
bundle's annotation directory already holds, calls consequences (bcftools csq), formats HGVS for the
transcripts that need it, joins gnomAD and ClinVar from the bundle and writes one part file.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from vardesk.annotate import hgvs_bulk
from vardesk.annotate.bundle import Bundle
from vardesk.annotate.consequences import parse_bcsq, run_csq
from vardesk.annotate.lookups import _sql_path

TRANSCRIPT_STRUCT = pa.struct(
    [
        ("transcript_id", pa.string()),
        ("gene_symbol", pa.string()),
        ("gene_id", pa.string()),
        ("biotype", pa.string()),
        ("consequences", pa.list_(pa.string())),
        ("impact", pa.string()),
        ("hgvs_c", pa.string()),
        ("hgvs_p", pa.string()),
        ("protein_change", pa.string()),
        ("canonical", pa.bool_()),
        ("mane", pa.bool_()),
    ]
)

ANNOTATION_SCHEMA = pa.schema(
    [
        ("key", pa.int64()),
        ("chrom", pa.string()),
        ("pos", pa.int32()),
        ("ref", pa.string()),
        ("alt", pa.string()),
        ("gene_symbol", pa.string()),
        ("gene_id", pa.string()),
        ("consequence", pa.string()),
        ("impact", pa.string()),
        ("transcript_id", pa.string()),
        ("hgvs_c", pa.string()),
        ("hgvs_p", pa.string()),
        ("transcripts", pa.list_(TRANSCRIPT_STRUCT)),
        ("gnomad_af", pa.float32()),
        ("gnomad_ac", pa.int32()),
        ("gnomad_an", pa.int32()),
        ("gnomad_nhomalt", pa.int32()),
        ("gnomad_af_grpmax", pa.float32()),
        ("gnomad_faf95", pa.float32()),
        ("clinvar_id", pa.string()),
        ("clinvar_significance", pa.string()),
        ("clinvar_review_status", pa.string()),
        ("clinvar_stars", pa.int8()),
        ("clinvar_disease", pa.string()),
        ("bundle_id", pa.string()),
        ("bundle_version", pa.string()),
    ]
)


@dataclass
class AnnotationStats:
    variants_in: int = 0
    already_annotated: int = 0
    annotated: int = 0
    with_consequence: int = 0
    gnomad_hits: int = 0
    clinvar_hits: int = 0
    part: Path | None = None
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def annotation_dir(root: Path, bundle: Bundle) -> Path:
    """``<root>/annotations/<bundle-id>`` — where the parts of one bundle live."""
    return Path(root) / "annotations" / bundle.id


def next_part(directory: Path) -> Path:
    """A new part file name in ``directory`` (parts are numbered, never rewritten)."""
    existing = sorted(directory.glob("part-*.parquet"))
    n = int(existing[-1].stem.split("-")[1]) + 1 if existing else 0
    return directory / f"part-{n:06d}.parquet"


def _empty_gnomad() -> str:
    return (
        "SELECT NULL::BIGINT AS key, NULL::FLOAT AS af, NULL::INTEGER AS ac, NULL::INTEGER AS an, "
        "NULL::INTEGER AS nhomalt, NULL::FLOAT AS af_grpmax, NULL::FLOAT AS faf95 WHERE false"
    )


def _empty_clinvar() -> str:
    return (
        "SELECT NULL::BIGINT AS key, NULL::VARCHAR AS clinvar_id, NULL::VARCHAR AS clinvar_significance, "
        "NULL::VARCHAR AS clinvar_review_status, NULL::TINYINT AS clinvar_stars, "
        "NULL::VARCHAR AS clinvar_disease WHERE false"
    )


def annotate_variants(
    variants: pa.Table,
    bundle: Bundle,
    out_parquet: Path,
    *,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> AnnotationStats:
    """Annotate the keys of ``variants`` not yet in ``out_parquet``'s directory; write them there.

    ``out_parquet`` is the new part (e.g. ``annotations/<bundle-id>/part-000003.parquet``); every other
    ``*.parquet`` in its directory counts as already annotated. Nothing is written when all keys are
    known. Rows are sorted by key.
    """
    t0 = time.perf_counter()
    stats = AnnotationStats(variants_in=len(variants))
    out_parquet = Path(out_parquet)
    out_parquet.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.register("v_in", variants.select(["key", "chrom", "pos", "ref", "alt"]))
    parts = [p for p in sorted(out_parquet.parent.glob("*.parquet")) if p.resolve() != out_parquet.resolve()]
    known = (
        f"SELECT key FROM read_parquet([{', '.join(_sql_path(p) for p in parts)}])"
        if parts
        else "SELECT NULL::BIGINT AS key WHERE false"
    )
    new = con.sql(
        f"SELECT key, any_value(chrom) AS chrom, any_value(pos)::INTEGER AS pos, any_value(ref) AS ref, "
        f"any_value(alt) AS alt FROM v_in WHERE key NOT IN ({known}) GROUP BY key ORDER BY key"
    ).to_arrow_table()
    distinct = con.sql("SELECT count(DISTINCT key) AS n FROM v_in").to_arrow_table()["n"][0].as_py()
    stats.already_annotated = int(distinct or 0) - len(new)
    stats.timings["select_new"] = time.perf_counter() - t0
    if len(new) == 0:
        stats.seconds = time.perf_counter() - t0
        return stats
    if progress:
        progress(f"annotating {len(new)} new variants with bundle {bundle.id}")

    t = time.perf_counter()
    raw = run_csq(new, bundle, workers=workers, progress=progress)
    stats.timings["csq"] = time.perf_counter() - t
    t = time.perf_counter()
    tx_meta = pq.read_table(bundle.path / "transcripts.parquet")
    tx = parse_bcsq(raw, tx_meta)
    stats.timings["parse"] = time.perf_counter() - t
    t = time.perf_counter()
    tx = hgvs_bulk.add_hgvs(tx, new, bundle)
    stats.timings["hgvs"] = time.perf_counter() - t

    t = time.perf_counter()
    con.register("new_v", new)
    con.register("tx", tx)
    gnomad = f"SELECT * FROM read_parquet({_sql_path(bundle.gnomad)})" if bundle.gnomad else _empty_gnomad()
    clinvar = (
        f"SELECT * FROM read_parquet({_sql_path(bundle.clinvar)})" if bundle.clinvar else _empty_clinvar()
    )
    sql = f"""
    WITH ranked AS (
      SELECT *, row_number() OVER (
        PARTITION BY key ORDER BY mane DESC, canonical DESC, rank, transcript_id NULLS LAST) AS pick
      FROM tx
    ), agg AS (
      SELECT key,
        arg_min(consequence, rank) AS consequence,
        arg_min(impact, rank) AS impact,
        list({{'transcript_id': transcript_id, 'gene_symbol': gene_symbol, 'gene_id': gene_id,
              'biotype': biotype, 'consequences': consequences, 'impact': impact, 'hgvs_c': hgvs_c,
              'hgvs_p': hgvs_p, 'protein_change': protein_change, 'canonical': canonical, 'mane': mane}}
             ORDER BY rank, transcript_id) AS transcripts
      FROM ranked GROUP BY key
    ), picked AS (
      SELECT key, gene_symbol, gene_id, transcript_id, hgvs_c, hgvs_p FROM ranked WHERE pick = 1
    )
    SELECT v.key, v.chrom, v.pos, v.ref, v.alt,
      p.gene_symbol, p.gene_id, a.consequence, a.impact, p.transcript_id, p.hgvs_c, p.hgvs_p,
      a.transcripts,
      g.af AS gnomad_af, g.ac AS gnomad_ac, g.an AS gnomad_an, g.nhomalt AS gnomad_nhomalt,
      g.af_grpmax AS gnomad_af_grpmax, g.faf95 AS gnomad_faf95,
      c.clinvar_id, c.clinvar_significance, c.clinvar_review_status, c.clinvar_stars, c.clinvar_disease,
      $bid AS bundle_id, $bver AS bundle_version
    FROM new_v v
    LEFT JOIN agg a USING (key)
    LEFT JOIN picked p USING (key)
    LEFT JOIN ({gnomad}) g USING (key)
    LEFT JOIN ({clinvar}) c USING (key)
    ORDER BY v.key
    """
    result = con.sql(sql, params={"bid": bundle.id, "bver": bundle.version}).to_arrow_table()
    result = result.cast(ANNOTATION_SCHEMA)
    stats.timings["join"] = time.perf_counter() - t
    t = time.perf_counter()
    tmp = out_parquet.with_name(f".{out_parquet.name}.tmp")
    pq.write_table(result, tmp, compression="zstd", row_group_size=1 << 17)
    os.replace(tmp, out_parquet)
    stats.timings["write"] = time.perf_counter() - t
    stats.annotated = len(result)
    stats.with_consequence = len(result) - result["consequence"].null_count
    stats.gnomad_hits = len(result) - result["gnomad_af"].null_count
    stats.clinvar_hits = int(pc.sum(pc.is_valid(result["clinvar_significance"])).as_py() or 0)
    stats.part = out_parquet
    stats.seconds = time.perf_counter() - t0
    return stats
