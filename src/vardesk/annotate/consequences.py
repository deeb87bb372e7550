"""Consequences per transcript from bcftools csq, run on a sites-only VCF of distinct variants.

csq runs in local mode (``-l``: every record on its own, since the variants come from many genomes and
must not be combined into haplotypes) with ``--force`` (non-ACGT reference bases), in child processes
(one per chromosome group, in parallel), each loading only the gene models of its chromosomes. The
variant key travels in the VCF ID column, so results join back exactly. BCSQ is parsed in bulk in
DuckDB into one row per (variant, transcript).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from vardesk.annotate import gff_prepare, so
from vardesk.annotate.bundle import Bundle
from vardesk.annotate.tools import bcftools_popen, check

CSQ_ARGS = ("-p", "a", "--force", "-s", "-", "--no-version")


def _contig_lines(fasta: Path) -> list[str]:
    lines = []
    with open(str(fasta) + ".fai") as fh:
        for line in fh:
            name, length = line.split("\t")[:2]
            lines.append(f"##contig=<ID={name},length={length}>")
    return lines


def write_sites_vcf(variants: pa.Table, path: Path, fasta: Path) -> None:
    """Sites-only VCF of ``variants`` (key, chrom, pos, ref, alt), key in ID, sorted by chrom and pos."""
    t = variants.select(["chrom", "pos", "key", "ref", "alt"]).sort_by(
        [("chrom", "ascending"), ("pos", "ascending")]
    )
    header = ["##fileformat=VCFv4.2", *_contig_lines(fasta), "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
    n = len(t)
    dots = pa.repeat(pa.scalar("."), n)
    body = pa.table(
        {
            "c": t["chrom"],
            "p": pc.cast(t["pos"], pa.string()),
            "i": pc.cast(t["key"], pa.string()),
            "r": t["ref"],
            "a": t["alt"],
            "q": dots,
            "f": dots,
            "n": dots,
        }
    )
    with open(path, "wb") as fh:
        fh.write(("\n".join(header) + "\n").encode())
        if n:
            pacsv.write_csv(
                body,
                fh,
                pacsv.WriteOptions(include_header=False, delimiter="\t", quoting_style="none"),
            )


def _read_csq_vcf(path: Path) -> pa.Table:
    skip = 0
    with open(path, "rb") as fh:
        for line in fh:
            if not line.startswith(b"#"):
                break
            skip += 1
    names = ["chrom", "pos", "id", "ref", "alt", "qual", "filter", "info"]
    t = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=skip, block_size=1 << 25),
        parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False, escape_char=False),
        convert_options=pacsv.ConvertOptions(
            include_columns=["id", "info"], column_types={"id": pa.int64(), "info": pa.string()}
        ),
    )
    info = t["info"]
    bcsq = pc.if_else(pc.starts_with(info, "BCSQ="), pc.utf8_slice_codeunits(info, 5), None)
    bcsq = pc.replace_substring_regex(bcsq, r";.*$", "")
    return pa.table({"key": t["id"], "bcsq": bcsq})


def balanced_groups(counts: dict[str, int], n: int) -> list[list[str]]:
    """Chromosomes in at most ``n`` groups of about equal row counts."""
    groups: list[list[str]] = [[] for _ in range(n)]
    load = [0] * n
    for chrom, c in sorted(counts.items(), key=lambda kv: -kv[1]):
        i = load.index(min(load))
        groups[i].append(chrom)
        load[i] += c
    return [g for g in groups if g]


def run_csq(
    variants: pa.Table,
    bundle: Bundle,
    *,
    workers: int | None = None,
    tmpdir: Path | None = None,
    progress: Callable[[str], None] | None = None,
    local: bool = True,
) -> pa.Table:
    """Raw BCSQ per variant: table (key int64, bcsq string or null when no transcript is hit).

    ``local=True`` (the default, right for a table of distinct variants from many genomes) annotates
    each variant on its own. ``local=False`` treats all given variants as one haplotype, as csq does
    for one genome's phased (or ``-p a``) calls: nearby variants combine (``@pos`` references) —
    use it only for the variants of one haplotype.
    """
    if len(variants) == 0:
        return pa.table({"key": pa.array([], pa.int64()), "bcsq": pa.array([], pa.string())})
    workers = workers or min(2, os.cpu_count() or 1)
    vc = pc.value_counts(variants["chrom"])
    counts = {v["values"].as_py(): v["counts"].as_py() for v in vc}
    gff_chroms = {f.name.removesuffix(".gff3.gz") for f in bundle.gff_files()}
    with tempfile.TemporaryDirectory(dir=tmpdir) as td:
        jobs = []
        for i, chroms in enumerate(balanced_groups(counts, workers)):
            sub = variants.filter(pc.is_in(variants["chrom"], pa.array(chroms)))
            vcf, out, gff = Path(td) / f"in{i}.vcf", Path(td) / f"out{i}.vcf", Path(td) / f"g{i}.gff3.gz"
            write_sites_vcf(sub, vcf, bundle.fasta)
            files = bundle.gff_files(chroms)
            if not files and gff_chroms:
                files = [bundle.gff_files()[0]]  # csq needs a gene model even when nothing overlaps
            gff_prepare.concat_gff(files, gff)
            mode = ["-l"] if local else []
            args = ["-f", bundle.fasta, "-g", gff, *mode, *CSQ_ARGS, "-Ov", "-o", out, vcf]
            jobs.append((bcftools_popen("csq", args), out))
        if progress:
            progress(f"consequences: {len(jobs)} csq processes")
        results = []
        for proc, out in jobs:
            check(proc, "csq")
            results.append(_read_csq_vcf(out))
    return pa.concat_tables(results)


def _so_table() -> pa.Table:
    names = list(so.BCFTOOLS_TO_SO)
    return pa.table({"raw": names, "term": [so.BCFTOOLS_TO_SO[n] for n in names]})


def _rank_table() -> pa.Table:
    return pa.table(
        {
            "term": [t for t, _ in so.SEVERITY],
            "rank": pa.array(range(len(so.SEVERITY)), pa.int32()),
            "impact": [i for _, i in so.SEVERITY],
        }
    )


def parse_bcsq(raw: pa.Table, transcripts: pa.Table | None = None) -> pa.Table:
    """One row per (key, transcript) from raw BCSQ: SO terms, worst term, impact, protein change.

    Columns: key, transcript_id, gene_symbol, gene_id, biotype, strand, consequences list<string>,
    consequence, rank, impact, protein_change, dna_change, canonical, mane.
    ``transcripts`` (the bundle's transcript table) supplies gene ids and MANE/canonical flags.
    """
    raw = raw.filter(pc.is_valid(raw["bcsq"]))
    con = duckdb.connect()
    con.register("raw", raw)
    con.register("so_map", _so_table())
    con.register("ranks", _rank_table())
    tx = (
        transcripts
        if transcripts is not None
        else pa.table(
            {
                "transcript_id": pa.array([], pa.string()),
                "gene_id": pa.array([], pa.string()),
                "canonical": pa.array([], pa.bool_()),
                "mane": pa.array([], pa.bool_()),
            }
        )
    )
    cols = ["transcript_id", "gene_id", "canonical", "mane"]
    if "gene_symbol" in tx.column_names:
        cols.append("gene_symbol")
    else:
        tx = tx.append_column("gene_symbol", pa.nulls(len(tx), pa.string()))
        cols.append("gene_symbol")
    con.register("tx", tx.select(cols))
    sql = """
    WITH items AS (
      SELECT key, unnest(string_split(bcsq, ',')) AS item FROM raw WHERE bcsq IS NOT NULL
    ), fields AS (
      SELECT key, string_split(item, '|') AS f FROM items WHERE item NOT LIKE '@%'
    ), terms AS (
      SELECT key, f, ltrim(f[1], '*') AS cons, nullif(f[3], '') AS transcript_id FROM fields
    ), exploded AS (
      SELECT key, transcript_id, f, unnest(string_split(cons, '&')) AS rawterm FROM terms
    ), mapped AS (
      SELECT e.key, e.transcript_id, e.f, coalesce(m.term, e.rawterm) AS term,
             coalesce(r.rank, 999) AS rank, coalesce(r.impact, 'MODIFIER') AS impact
      FROM exploded e LEFT JOIN so_map m ON m.raw = e.rawterm
      LEFT JOIN ranks r ON r.term = coalesce(m.term, e.rawterm)
    ), per_tx AS (
      SELECT key, transcript_id, any_value(f) AS f,
             list(term ORDER BY rank) AS consequences,
             arg_min(term, rank) AS consequence, min(rank) AS rank, arg_min(impact, rank) AS impact
      FROM mapped GROUP BY key, transcript_id, f
    )
    , sym AS (SELECT gene_symbol, min(gene_id) AS gene_id FROM tx GROUP BY gene_symbol)
    SELECT p.key, p.transcript_id, nullif(p.f[2], '') AS gene_symbol,
           coalesce(tx.gene_id, sym.gene_id) AS gene_id,
           nullif(p.f[4], '') AS biotype, nullif(p.f[5], '') AS strand,
           p.consequences, p.consequence, p.rank::INTEGER AS rank, p.impact,
           nullif(p.f[6], '') AS protein_change, nullif(p.f[7], '') AS dna_change,
           coalesce(tx.canonical, false) AS canonical, coalesce(tx.mane, false) AS mane
    FROM per_tx p LEFT JOIN tx ON tx.transcript_id = p.transcript_id
    LEFT JOIN sym ON tx.transcript_id IS NULL AND sym.gene_symbol = p.f[2]
    """
    return con.sql(sql).to_arrow_table()
