"""The VCF ingest pipeline: one pass from an uploaded VCF to one genotype file per sample.

Layout written under ``out_dir`` (created atomically: everything is built in a sibling temporary
directory that is renamed to ``out_dir`` only when the whole file has been read and written)::

    out_dir/genotypes/<i>.parquet   one per sample column, i = 0-based column index (GENOTYPE_SCHEMA)
    out_dir/coverage/<i>.parquet    gVCF reference blocks of that sample (COVERAGE_SCHEMA; may be empty)
    out_dir/manifest.json           the IngestResult as JSON
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from vardesk.domain.errors import Conflict, Invalid
from vardesk.ingest.build import detect_build
from vardesk.ingest.genotypes import coverage_table, format_fields, genotype_table
from vardesk.ingest.normalize import Normaliser
from vardesk.ingest.reader import VcfReader
from vardesk.ingest.sites import split_sites
from vardesk.ingest.sniff import Limits
from vardesk.variants.schema import COVERAGE_SCHEMA, GENOTYPE_SCHEMA
from vardesk.variants.writer import SortedParquetWriter

Progress = Callable[[float, str], None]
"""``progress(percent, message)``: percent 0–100 of the input's bytes consumed, never decreasing."""


@dataclass
class SampleResult:
    name: str
    index: int
    genotypes_path: Path
    coverage_path: Path
    variants: int = 0  # genotype rows written (after the multi-allelic split)
    called: int = 0  # rows where this sample carries the ALT (zygosity 1, 2 or 3)
    no_call: int = 0
    coverage_blocks: int = 0


@dataclass
class IngestResult:
    build: str
    vcf_version: str
    compression: str
    gvcf: bool
    records_read: int  # VCF data lines
    variants_kept: int  # variant rows per sample after splitting (reference blocks excluded)
    reference_blocks: int
    seconds: float
    samples: list[SampleResult] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        for s in data["samples"]:
            s["genotypes_path"] = str(s["genotypes_path"])
            s["coverage_path"] = str(s["coverage_path"])
        return data


def _prepare_out_dir(out_dir: Path) -> Path:
    if out_dir.exists():
        if not out_dir.is_dir() or any(out_dir.iterdir()):
            raise Conflict(f"output directory {out_dir} already exists and is not empty")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))


def ingest_vcf(
    source: Path,
    out_dir: Path,
    *,
    expected_build: str | None = None,
    reference_fasta: Path | None = None,
    progress: Progress | None = None,
    limits: Limits | None = None,
) -> IngestResult:
    """Validate, normalise and split ``source`` into per-sample genotype (and coverage) Parquet files.

    Raises :class:`Invalid` (with ``line`` for record errors) on a malformed file or a genome build
    that contradicts ``expected_build``; then nothing is left in ``out_dir``.
    """
    started = time.perf_counter()
    source, out_dir = Path(source), Path(out_dir)
    total_bytes = max(source.stat().st_size, 1)
    work = _prepare_out_dir(out_dir)
    writers: list[SortedParquetWriter] = []
    normaliser: Normaliser | None = None
    try:
        with VcfReader(source, limits) as reader:
            header = reader.header
            build = detect_build(header.contigs, header.reference, expected_build)
            if build is None:
                raise Invalid(
                    "cannot tell the genome build: no ##contig lengths or ##reference in the header; "
                    "give the expected build"
                )
            if not header.samples:
                raise Invalid("the VCF has no sample columns: there are no genotypes to ingest")
            normaliser = Normaliser(reference_fasta)
            (work / "genotypes").mkdir()
            (work / "coverage").mkdir()
            samples = [
                SampleResult(
                    name, i, out_dir / "genotypes" / f"{i}.parquet", out_dir / "coverage" / f"{i}.parquet"
                )
                for i, name in enumerate(header.samples)
            ]
            geno = [
                SortedParquetWriter(work / "genotypes" / f"{s.index}.parquet", GENOTYPE_SCHEMA)
                for s in samples
            ]
            cov = [
                SortedParquetWriter(work / "coverage" / f"{s.index}.parquet", COVERAGE_SCHEMA)
                for s in samples
            ]
            writers = geno + cov
            kept = blocks_total = 0
            for chunk in reader.chunks():
                sites, blocks = split_sites(chunk.table, normaliser)
                kept += len(sites)
                blocks_total += len(blocks.parent)
                for s in samples:
                    fields = format_fields(chunk.table["FORMAT"], chunk.table[f"S{s.index}"])
                    table = genotype_table(fields, sites)
                    z = np.asarray(table["zygosity"].to_numpy())
                    s.variants += table.num_rows
                    s.called += int(np.count_nonzero(z > 0))
                    s.no_call += int(np.count_nonzero(z < 0))
                    geno[s.index].write(table)
                    if len(blocks.parent):
                        cov_table = coverage_table(fields, blocks)
                        s.coverage_blocks += cov_table.num_rows
                        cov[s.index].write(cov_table)
                if progress is not None:
                    progress(*_reading(reader.bytes_read, total_bytes, reader.records))
            for w in writers:
                w.close()
            result = IngestResult(
                build=build,
                vcf_version=header.version,
                compression=header.compression,
                gvcf=header.gvcf or reader.gvcf_records,
                records_read=reader.records,
                variants_kept=kept,
                reference_blocks=blocks_total,
                seconds=round(time.perf_counter() - started, 3),
                samples=samples,
            )
        (work / "manifest.json").write_text(json.dumps(result.to_json(), indent=2))
        if out_dir.exists():
            out_dir.rmdir()
        work.rename(out_dir)
    except BaseException:
        for w in writers:
            try:
                w.abort()
            except Exception:  # noqa: BLE001 - best-effort cleanup, the original error matters
                pass
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        if normaliser is not None:
            normaliser.close()
    if progress is not None:
        progress(100.0, f"{result.records_read:,} records, {len(result.samples)} genome(s) written")
    return result


def _reading(done: int, total: int, records: int) -> tuple[float, str]:
    """Percent of the (compressed) input consumed and what it says; 100 % only once everything is written.

    The byte count runs at most a few decompressed blocks ahead of the records parsed so far."""
    percent = min(99.9, 100.0 * done / total)
    return percent, f"{records:,} records, {done / 2**20:,.1f} of {total / 2**20:,.1f} MiB read"
