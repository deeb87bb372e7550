"""Import population (gnomAD-style) and ClinVar sites VCFs into sorted Parquet lookup tables.

Every input is normalised like a genome: contig names canonicalised (``chr1`` → ``1``), multi-allelic
records split, indels left-aligned against the bundle FASTA; records whose REF does not match the
FASTA are excluded (and counted). Rows are keyed by the int64 variant key and sorted by it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pysam

from vardesk.annotate.keys import with_keys
from vardesk.annotate.tools import bcftools_popen, check
from vardesk.domain.errors import Invalid

# Output column → INFO field names, first present wins (newer gnomAD names first).
GNOMAD_FIELDS: dict[str, tuple[str, ...]] = {
    "af": ("AF",),
    "ac": ("AC",),
    "an": ("AN",),
    "nhomalt": ("nhomalt", "AC_Hom", "Hom"),
    "af_grpmax": ("AF_grpmax", "grpmax_AF", "AF_popmax", "popmax_AF", "AF_POPMAX"),
    "faf95": ("fafmax_faf95_max", "faf95_max", "faf95", "faf95_popmax"),
}
GNOMAD_TYPES = {
    "af": pa.float32(),
    "ac": pa.int32(),
    "an": pa.int32(),
    "nhomalt": pa.int32(),
    "af_grpmax": pa.float32(),
    "faf95": pa.float32(),
}
CLINVAR_FIELDS = ("CLNSIG", "CLNREVSTAT", "CLNDN", "GENEINFO", "ALLELEID", "CLNSIGCONF")
REVIEW_STARS: dict[str, int] = {
    "practice_guideline": 4,
    "reviewed_by_expert_panel": 3,
    "criteria_provided,_multiple_submitters,_no_conflicts": 2,
    "criteria_provided,_conflicting_interpretations": 1,
    "criteria_provided,_conflicting_classifications": 1,
    "criteria_provided,_single_submitter": 1,
}


def review_stars(status: str | None) -> int:
    """ClinVar review status → gold stars 0–4 (unknown or no assertion → 0)."""
    if not status:
        return 0
    return REVIEW_STARS.get(status.strip().replace(" ", "_").lower(), 0)


def review_stars_array(status: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``review_stars`` for a whole column, computed once per distinct status."""
    arr = status.combine_chunks() if isinstance(status, pa.ChunkedArray) else status
    enc = pc.dictionary_encode(arr)
    stars = pa.array([review_stars(s) for s in enc.dictionary.to_pylist()], pa.int8())
    return pc.fill_null(stars.take(enc.indices), 0).cast(pa.int8())


def _rename_map(path: Path) -> None:
    lines = [f"chr{i}\t{i}" for i in range(1, 23)] + ["chrX\tX", "chrY\tY", "chrM\tMT", "chrMT\tMT", "M\tMT"]
    path.write_text("\n".join(lines) + "\n")


def _info_fields(vcf: Path) -> set[str]:
    with pysam.VariantFile(str(vcf)) as vf:
        return set(vf.header.info.keys())


def normalised_query(vcf: Path, fasta: Path | None, fmt: str, out_tsv: Path, tmp: Path) -> dict[str, int]:
    """Rename contigs, split, left-align against ``fasta`` and query ``fmt`` into ``out_tsv``.

    Without ``fasta`` multi-allelic records are split but not realigned.
    """
    mapfile = tmp / "chroms.txt"
    _rename_map(mapfile)
    renamed, normed = tmp / "renamed.bcf", tmp / "normed.bcf"
    check(bcftools_popen("annotate", ["--rename-chrs", mapfile, "-Ou", "-o", renamed, vcf]), "annotate")
    ref = ["-f", fasta, "-c", "x"] if fasta else []
    err = check(bcftools_popen("norm", ["-m", "-any", *ref, "-Ou", "-o", normed, renamed]), "norm")
    counter = tmp / "records.txt"
    q1 = bcftools_popen("query", ["-f", fmt, "-o", out_tsv, normed])
    q2 = bcftools_popen("query", ["-f", "\\n", "-o", counter, renamed])  # one byte per input record
    check(q1, "query")
    check(q2, "query")
    counts = norm_counts(err)
    counts["total"] = counter.stat().st_size
    return counts


def norm_counts(stderr: str) -> dict[str, int]:
    """The ``Lines total/split/…`` summary bcftools norm prints, as a dict."""
    for line in stderr.splitlines():
        if line.startswith("Lines") and ":" in line:
            names, values = line.split(":", 1)
            keys = names.split()[-1].split("/")
            vals = [int(v) for v in values.strip().split("/")]
            return dict(zip(keys, vals, strict=False))
    return {}


def _read_tsv(path: Path, names: list[str]) -> pa.Table:
    if path.stat().st_size == 0:
        return pa.table({n: pa.array([], pa.string()) for n in names})
    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
        parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False, escape_char=False),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names}, null_values=["."], strings_can_be_null=True
        ),
    )


def variants_from_vcf(vcf: Path, fasta: Path | None = None) -> pa.Table:
    """Distinct normalised variants of a VCF: table (key, chrom, pos, ref, alt) sorted by key.

    Symbolic and missing ALT alleles (``<DEL>``, ``*``, ``.``) are dropped.
    """
    with tempfile.TemporaryDirectory() as td:
        tsv = Path(td) / "q.tsv"
        normalised_query(Path(vcf), fasta, "%CHROM\t%POS\t%REF\t%ALT\n", tsv, Path(td))
        t = _read_tsv(tsv, ["chrom", "pos", "ref", "alt"])
    t = t.filter(pc.invert(pc.match_substring_regex(pc.fill_null(t["alt"], "."), r"^(\.|\*|<.*>)$")))
    return _keyed_sorted(t)


def _keyed_sorted(t: pa.Table) -> pa.Table:
    t = t.set_column(t.schema.get_field_index("pos"), "pos", pc.cast(t.column("pos"), pa.int32()))
    t = with_keys(t)
    t = t.sort_by([("key", "ascending")])
    # one row per key: duplicates after normalisation keep the first record
    if len(t) > 1:
        k = t.column("key").to_numpy()
        keep = np.ones(len(k), dtype=bool)
        keep[1:] = k[1:] != k[:-1]
        if not keep.all():
            t = t.filter(pa.array(keep))
    return t


def _to_number(col: pa.ChunkedArray, typ: pa.DataType) -> pa.Array:
    # Number=A fields are split by norm; some files still carry "0.1,0.2" on one line: take the first
    first = pc.list_element(pc.split_pattern(col, ","), 0)
    first = pc.if_else(pc.is_in(first, pa.array(["", "."])), pa.scalar(None, pa.string()), first)
    return pc.cast(pc.cast(first, pa.float64()), typ, safe=False)


def import_gnomad(vcfs: list[Path], fasta: Path, out: Path) -> dict[str, object]:
    """gnomAD-style sites VCF(s) → ``out`` Parquet (key, chrom, pos, ref, alt, af, ac, an, …)."""
    parts: list[pa.Table] = []
    stats: dict[str, object] = {"records_in": 0, "records_out": 0, "fields": {}}
    for vcf in vcfs:
        info = _info_fields(vcf)
        chosen = {col: next((f for f in cands if f in info), None) for col, cands in GNOMAD_FIELDS.items()}
        present = {c: f for c, f in chosen.items() if f}
        if "af" not in present and "ac" not in present:
            raise Invalid(f"{vcf.name}: no AF or AC INFO field; not a population frequency VCF")
        stats["fields"] = present
        fmt = "%CHROM\t%POS\t%REF\t%ALT" + "".join(f"\t%INFO/{f}" for f in present.values()) + "\n"
        with tempfile.TemporaryDirectory() as td:
            tsv = Path(td) / "q.tsv"
            counts = normalised_query(vcf, fasta, fmt, tsv, Path(td))
            t = _read_tsv(tsv, ["chrom", "pos", "ref", "alt", *present])
        stats["records_in"] = int(stats["records_in"]) + counts.get("total", 0)  # type: ignore[call-overload]
        stats["records_out"] = int(stats["records_out"]) + len(t)  # type: ignore[call-overload]
        cols = {"chrom": t["chrom"], "pos": t["pos"], "ref": t["ref"], "alt": t["alt"]}
        for col, typ in GNOMAD_TYPES.items():
            cols[col] = _to_number(t[col], typ) if col in present else pa.nulls(len(t), typ)
        if "af" not in present:
            ac = pc.cast(cols["ac"], pa.float64())
            an = pc.cast(cols["an"], pa.float64())
            cols["af"] = pc.cast(pc.divide(ac, pc.if_else(pc.equal(an, 0), None, an)), pa.float32())
        parts.append(pa.table(cols))
    table = _keyed_sorted(pa.concat_tables(parts)) if parts else pa.table({})
    pq.write_table(table, out, row_group_size=1 << 17, compression="zstd")
    stats["rows"] = len(table)
    return stats


def import_clinvar(vcf: Path, fasta: Path, out: Path) -> dict[str, object]:
    """ClinVar VCF → ``out`` Parquet (key, …, clinvar_id, significance, review_status, stars, …)."""
    info = _info_fields(vcf)
    fields = [f for f in CLINVAR_FIELDS if f in info]
    if "CLNSIG" not in fields:
        raise Invalid(f"{vcf.name}: no CLNSIG INFO field; not a ClinVar VCF")
    fmt = "%CHROM\t%POS\t%REF\t%ALT\t%ID" + "".join(f"\t%INFO/{f}" for f in fields) + "\n"
    with tempfile.TemporaryDirectory() as td:
        tsv = Path(td) / "q.tsv"
        counts = normalised_query(vcf, fasta, fmt, tsv, Path(td))
        t = _read_tsv(tsv, ["chrom", "pos", "ref", "alt", "id", *fields])
    n = len(t)

    def col(name: str) -> pa.Array:
        return t[name] if name in t.column_names else pa.nulls(n, pa.string())

    def clean(c: pa.Array) -> pa.Array:
        return pc.replace_substring(c, "_", " ")

    status = col("CLNREVSTAT")
    stars = review_stars_array(status)
    table = pa.table(
        {
            "chrom": t["chrom"],
            "pos": t["pos"],
            "ref": t["ref"],
            "alt": t["alt"],
            "clinvar_id": col("id"),
            "clinvar_allele_id": col("ALLELEID"),
            "clinvar_significance": clean(col("CLNSIG")),
            "clinvar_review_status": clean(status),
            "clinvar_stars": stars,
            "clinvar_disease": clean(col("CLNDN")),
            "clinvar_gene_info": col("GENEINFO"),
        }
    )
    table = _keyed_sorted(table)
    pq.write_table(table, out, row_group_size=1 << 17, compression="zstd")
    return {"records_in": counts.get("total", 0), "records_out": n, "rows": len(table), "fields": fields}
