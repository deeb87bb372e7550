"""Consequences per transcript from bcftools csq, run on a sites-only VCF of distinct variants.

csq runs in local mode (``-l``: every record on its own, since the variants come from many genomes and
must not be combined into haplotypes) with ``--force`` (non-ACGT reference bases), in child processes
(one per chromosome group, in parallel), each loading only the gene models of its chromosomes. The
variant key travels in the VCF ID column, so results join back exactly. BCSQ is parsed in bulk with
Arrow string kernels into one row per (variant, transcript).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from vardesk.annotate import gff_prepare
from vardesk.annotate.bundle import Bundle
from vardesk.annotate.tools import bcftools_popen, check
from vardesk.domain import so

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


def _null_empty(arr: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


def _lookup(values: pa.Array, keys: list[str], mapped: list[object], typ: pa.DataType) -> pa.Array:
    """``mapped[keys.index(v)]`` per value (null when absent), vectorised."""
    return pa.array(mapped, typ).take(pc.index_in(values, pa.array(keys, pa.string())))


def _terms(cons: pa.Array) -> tuple[pa.ListArray, pa.Array, pa.Array, pa.Array]:
    """(SO terms per item, most severe first; worst term; its rank; its impact) of ``a&b`` strings."""
    split = pc.split_pattern(cons, "&")
    parent = pc.list_parent_indices(split)
    raw_terms = pc.list_flatten(split)
    names = list(so.BCFTOOLS_TO_SO)
    term = pc.coalesce(
        _lookup(raw_terms, names, [so.BCFTOOLS_TO_SO[n] for n in names], pa.string()), raw_terms
    )
    sev = [t for t, _ in so.SEVERITY]
    rank = pc.coalesce(_lookup(term, sev, list(range(len(sev))), pa.int32()), pa.scalar(999, pa.int32()))
    impact = pc.coalesce(_lookup(term, sev, [i for _, i in so.SEVERITY], pa.string()), pa.scalar("MODIFIER"))
    order = pc.sort_indices(pa.table({"p": parent, "r": rank}), [("p", "ascending"), ("r", "ascending")])
    counts = np.bincount(parent.to_numpy(), minlength=len(cons))
    offsets = np.r_[0, np.cumsum(counts)].astype(np.int32)
    terms = pa.ListArray.from_arrays(pa.array(offsets), term.take(order))
    first = pa.array(order.to_numpy()[offsets[:-1]])
    return terms, term.take(first), rank.take(first), impact.take(first)


def parse_bcsq(raw: pa.Table, transcripts: pa.Table | None = None) -> pa.Table:
    """One row per (key, transcript) from raw BCSQ: SO terms, worst term, impact, protein change.

    Columns: key, transcript_id, gene_symbol, gene_id, biotype, strand, consequences list<string>,
    consequence, rank, impact, protein_change, dna_change, canonical, mane.
    ``transcripts`` (the bundle's transcript table) supplies gene ids and MANE/canonical flags.
    Vectorised Arrow string operations; one row per distinct BCSQ item of a key (``@pos``
    references to a combined change are skipped).
    """
    raw = raw.filter(pc.is_valid(raw["bcsq"])).combine_chunks()
    split = pc.split_pattern(raw["bcsq"], ",")
    items = pc.list_flatten(split)
    t = pa.table({"key": raw["key"].take(pc.list_parent_indices(split)), "item": items})
    t = t.filter(pc.and_(pc.invert(pc.starts_with(items, "@")), pc.not_equal(items, "")))
    t = t.group_by(["key", "item"], use_threads=False).aggregate([]).combine_chunks()
    f = pc.split_pattern(pc.binary_join_element_wise(t["item"].combine_chunks(), "||||||", ""), "|")

    def field(i: int) -> pa.Array:
        return pc.list_element(f, i)

    consequences, worst, rank, impact = _terms(pc.utf8_ltrim(field(0), "*"))
    tid, symbol = _null_empty(field(2)), _null_empty(field(1))
    meta = transcripts if transcripts is not None else pa.table({"transcript_id": pa.array([], pa.string())})
    n_meta = len(meta)

    def meta_col(name: str, typ: pa.DataType) -> pa.Array:
        col = meta[name] if name in meta.column_names else pa.nulls(n_meta, typ)
        return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col

    idx = pc.index_in(tid, meta_col("transcript_id", pa.string()))
    gene_id = meta_col("gene_id", pa.string()).take(idx)
    if "gene_symbol" in meta.column_names and n_meta:
        by_symbol = meta.group_by("gene_symbol", use_threads=False).aggregate([("gene_id", "min")])
        sym_gene = (
            by_symbol["gene_id_min"].combine_chunks().take(pc.index_in(field(1), by_symbol["gene_symbol"]))
        )
        gene_id = pc.if_else(pc.is_null(idx), sym_gene, gene_id)
    false = pa.scalar(False)
    return pa.table(
        {
            "key": t["key"],
            "transcript_id": tid,
            "gene_symbol": symbol,
            "gene_id": gene_id,
            "biotype": _null_empty(field(3)),
            "strand": _null_empty(field(4)),
            "consequences": consequences,
            "consequence": worst,
            "rank": rank,
            "impact": impact,
            "protein_change": _null_empty(field(5)),
            "dna_change": _null_empty(field(6)),
            "canonical": pc.fill_null(meta_col("canonical", pa.bool_()).take(idx), false),
            "mane": pc.fill_null(meta_col("mane", pa.bool_()).take(idx), false),
        }
    )
