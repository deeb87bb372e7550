"""Versioned reference bundles: build from the public files a lab downloads, install, list, load.

Layout of a bundle directory::

    manifest.json                   id, version, build, created, sources (sha256, size), tools, files
    reference.fa.gz(.fai,.gzi)      bgzipped FASTA, contigs named 1..22, X, Y, MT (others unchanged)
    gff/<chrom>.gff3.gz             gene models in the Ensembl GFF3 dialect, one file per chromosome
    genes.parquet                   one row per gene (symbol, ids, location, transcripts, MANE/canonical)
    transcripts.parquet             one row per transcript (gene, biotype, location, flags)
    gnomad.parquet / clinvar.parquet  sorted by the int64 variant key (optional)
    knowledge/<kind>/<file>         gene-level files the administrator adds, as given (optional): gene
                                    constraint, ClinGen dosage and validity, hotspot BED (the manifest
                                    source records the kind, name, checksum and the version given)
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pysam
from pydantic import BaseModel, Field

from vardesk.annotate import gff_prepare, sources
from vardesk.annotate.tools import index_fasta, is_bgzf, tool_versions
from vardesk.domain import variant_key
from vardesk.domain.errors import Conflict, Invalid, NotFound

MANIFEST = "manifest.json"
FASTA = "reference.fa.gz"
FORMAT_VERSION = 1
KNOWLEDGE = "knowledge"


class SourceFile(BaseModel):
    kind: str
    name: str
    sha256: str
    size: int
    version: str | None = None  # as the administrator gave it (knowledge files)


class Manifest(BaseModel):
    id: str
    version: str
    build: str
    created: str
    format: int = FORMAT_VERSION
    sources: list[SourceFile] = Field(default_factory=list)
    tools: dict[str, str] = Field(default_factory=dict)
    files: dict[str, str] = Field(default_factory=dict)  # relative path → sha256
    contigs: list[str] = Field(default_factory=list)
    stats: dict[str, object] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)
    # True for generated, NOT HUMAN data (demo, tests): usable only by the demo workspace, and every output
    # made with it says so
    synthetic: bool = False

    @property
    def is_synthetic(self) -> bool:
        """The flag, or the marks synthetic bundles carried before it existed (version, notes)."""
        return (
            self.synthetic
            or "synthetic-not-human" in self.version.lower()
            or any("NOT HUMAN" in n.upper() for n in self.notes)
        )


@dataclass(frozen=True)
class Bundle:
    path: Path
    manifest: Manifest

    @property
    def id(self) -> str:
        return self.manifest.id

    @property
    def version(self) -> str:
        return self.manifest.version

    @property
    def fasta(self) -> Path:
        return self.path / FASTA

    def table(self, name: str) -> Path | None:
        p = self.path / f"{name}.parquet"
        return p if p.exists() else None

    @property
    def gnomad(self) -> Path | None:
        return self.table("gnomad")

    @property
    def clinvar(self) -> Path | None:
        return self.table("clinvar")

    def knowledge_files(self) -> dict[str, tuple[Path, str | None]]:
        """Kind → (path, version) of the gene-knowledge files the bundle holds."""
        out = {}
        for src in self.manifest.sources:
            p = self.path / KNOWLEDGE / src.kind / src.name
            if p.is_file():
                out[src.kind] = (p, src.version)
        return out

    def gff_files(self, chroms: list[str] | None = None) -> list[Path]:
        """Per-chromosome GFF3 files covering ``chroms`` (all when None)."""
        files = sorted((self.path / "gff").glob("*.gff3.gz"))
        if chroms is None:
            return files
        wanted = {c if c in variant_key.CHROM_CODES else gff_prepare.OTHER for c in chroms}
        return [f for f in files if f.name.removesuffix(".gff3.gz") in wanted]


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _source(kind: str, path: Path) -> SourceFile:
    return SourceFile(kind=kind, name=path.name, sha256=sha256(path), size=path.stat().st_size)


def _fasta_names(path: Path) -> list[str] | None:
    """Contig names when the FASTA is readable by htslib as is (plain or bgzipped)."""
    if path.suffix == ".gz" and not is_bgzf(path):
        return None
    try:
        index_fasta(path) if not Path(str(path) + ".fai").exists() else None
        with pysam.FastaFile(str(path)) as fa:
            return list(fa.references)
    except (OSError, ValueError):
        return None


def _copy_fasta(src: Path, dst: Path) -> list[str]:
    """Bgzipped, indexed FASTA at ``dst`` with canonical contig names."""
    names = _fasta_names(src)
    if names is not None and is_bgzf(src) and all(variant_key.canonical_chrom(n) == n for n in names):
        try:
            os.link(src, dst)
        except OSError:
            shutil.copyfile(src, dst)
        for ext in (".fai", ".gzi"):
            if Path(str(src) + ext).exists():
                shutil.copyfile(str(src) + ext, str(dst) + ext)
    else:
        opener = gzip.open if src.suffix == ".gz" else open
        with opener(src, "rb") as fin, pysam.BGZFile(str(dst), "wb") as fout:
            for line in fin:
                if line.startswith(b">"):
                    name = (line[1:].split(maxsplit=1) or [b""])[0].decode()
                    line = b">" + variant_key.canonical_chrom(name).encode() + b"\n"
                fout.write(line)
    index_fasta(dst)
    with pysam.FastaFile(str(dst)) as fa:
        names = list(fa.references)
    if len(set(names)) != len(names):
        raise Invalid("FASTA contig names collide after canonicalisation (e.g. both chr1 and 1)")
    return names


def _mane(path: Path) -> tuple[set[str], set[str], dict[str, str]]:
    """(MANE Select ids, MANE Plus Clinical ids, gene id/symbol → HGNC id) from a MANE summary."""
    select: set[str] = set()
    plus: set[str] = set()
    hgnc: dict[str, str] = {}
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as fh:
        header = fh.readline().lstrip("#").rstrip("\n").split("\t")
        idx = {h: i for i, h in enumerate(header)}
        for col in ("Ensembl_nuc", "RefSeq_nuc", "MANE_status"):
            if col not in idx:
                raise Invalid(f"{path.name}: not a MANE summary file (no {col} column)")
        for line in fh:
            f = line.rstrip("\n").split("\t")
            target = select if f[idx["MANE_status"]] == "MANE Select" else plus
            for col in ("Ensembl_nuc", "RefSeq_nuc"):
                tid = f[idx[col]]
                target.update({tid, tid.split(".")[0]})
            if "HGNC_ID" in idx:
                for col in ("Ensembl_Gene", "symbol"):
                    if col in idx:
                        hgnc[f[idx[col]].split(".")[0]] = f[idx["HGNC_ID"]]
    return select, plus, hgnc


def _gene_tables(summary: gff_prepare.GffSummary, mane: Path | None) -> tuple[pa.Table, pa.Table]:
    select, plus, hgnc = _mane(mane) if mane else (set(), set(), {})
    txs = list(summary.transcripts.values())

    def is_mane(tid: str, tags: set[str]) -> bool:
        return tid in select or tid.split(".")[0] in select or bool(tags & {"MANE_Select", "MANE Select"})

    mane_flags = {t.transcript_id: is_mane(t.transcript_id, t.tags) for t in txs}
    by_gene: dict[str, list[gff_prepare.TranscriptInfo]] = {}
    for t in txs:
        by_gene.setdefault(t.gene_id, []).append(t)
    canonical: dict[str, str] = {}
    for gid, ts in by_gene.items():
        tagged = [t for t in ts if "Ensembl_canonical" in t.tags or "RefSeq Select" in t.tags]
        choice = (
            next((t for t in ts if mane_flags[t.transcript_id]), None)
            or (tagged[0] if tagged else None)
            or max(ts, key=lambda t: (t.cds_len, t.end - t.start, [-ord(c) for c in t.transcript_id]))
        )
        canonical[gid] = choice.transcript_id
    genes = summary.genes
    tx_table = pa.table(
        {
            "transcript_id": [t.transcript_id for t in txs],
            "gene_id": [t.gene_id for t in txs],
            "gene_symbol": [genes[t.gene_id].symbol if t.gene_id in genes else None for t in txs],
            "biotype": [t.biotype for t in txs],
            "chrom": [t.chrom for t in txs],
            "start": pa.array([t.start for t in txs], pa.int32()),
            "end": pa.array([t.end for t in txs], pa.int32()),
            "strand": [t.strand for t in txs],
            "cds_length": pa.array([t.cds_len for t in txs], pa.int32()),
            "canonical": [canonical.get(t.gene_id) == t.transcript_id for t in txs],
            "mane": [mane_flags[t.transcript_id] for t in txs],
            "mane_plus_clinical": [
                t.transcript_id in plus or "MANE_Plus_Clinical" in t.tags or "MANE Plus Clinical" in t.tags
                for t in txs
            ],
        }
    )
    gl = list(genes.values())
    gene_table = pa.table(
        {
            "gene_id": [g.gene_id for g in gl],
            "symbol": [g.symbol for g in gl],
            "hgnc_id": [g.hgnc_id or hgnc.get(g.gene_id.split(".")[0]) or hgnc.get(g.symbol) for g in gl],
            "ncbi_gene_id": [g.ncbi_id for g in gl],
            "biotype": [g.biotype for g in gl],
            "chrom": [g.chrom for g in gl],
            "start": pa.array([g.start for g in gl], pa.int32()),
            "end": pa.array([g.end for g in gl], pa.int32()),
            "strand": [g.strand for g in gl],
            "transcripts": [sorted(t.transcript_id for t in by_gene.get(g.gene_id, [])) for g in gl],
            "canonical_transcript": [canonical.get(g.gene_id) for g in gl],
            "mane_transcript": [
                next(
                    (t.transcript_id for t in by_gene.get(g.gene_id, []) if mane_flags[t.transcript_id]), None
                )
                for g in gl
            ],
        }
    )
    return gene_table.sort_by([("chrom", "ascending"), ("start", "ascending")]), tx_table.sort_by(
        [("chrom", "ascending"), ("start", "ascending")]
    )


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")


def build_bundle(
    *,
    build: str,
    gff3: Path,
    fasta: Path,
    out: Path,
    gnomad: list[Path] | tuple[Path, ...] = (),
    clinvar: Path | None = None,
    mane: Path | None = None,
    version: str | None = None,
    notes: list[str] | None = None,
    synthetic: bool = False,
    knowledge: list[tuple[str, Path, str | None]] | tuple[tuple[str, Path, str | None], ...] = (),
) -> Manifest:
    """Build a bundle directory at ``out`` (must not exist or be empty) and return its manifest."""
    gff3, fasta, out = Path(gff3), Path(fasta), Path(out)
    extra = [Path(k[1]) for k in knowledge]
    kinds = [k[0] for k in knowledge]
    if len(set(kinds)) != len(kinds) or any(not re.fullmatch(r"[a-z][a-z0-9_]*", k) for k in kinds):
        raise Invalid(f"knowledge kinds must be distinct lower-case names: {kinds}")
    for p in [
        gff3,
        fasta,
        *map(Path, gnomad),
        *([clinvar] if clinvar else []),
        *([mane] if mane else []),
        *extra,
    ]:
        if not Path(p).is_file():
            raise NotFound(f"input file not found: {p}")
    if out.exists() and any(out.iterdir()):
        raise Conflict(f"bundle output directory is not empty: {out}")
    out.mkdir(parents=True, exist_ok=True)
    srcs = [_source("fasta", fasta), _source("gff3", gff3)]
    srcs += [_source("gnomad", Path(g)) for g in gnomad]
    srcs += [_source("clinvar", clinvar)] if clinvar else []
    srcs += [_source("mane", mane)] if mane else []
    for kind, path, given in knowledge:
        srcs.append(_source(kind, Path(path)).model_copy(update={"version": (given or "").strip() or None}))
    digest = hashlib.sha256("".join(s.sha256 for s in srcs).encode()).hexdigest()[:8]
    created = datetime.now(UTC)
    version = version or f"{created:%Y%m%d}-{digest}"
    bundle_id = _safe(f"{build}-{version}")
    stats: dict[str, object] = {}
    try:
        contigs = _copy_fasta(fasta, out / FASTA)
        summary = gff_prepare.prepare_gff(gff3, out / "gff")
        unknown = {t.chrom for t in summary.transcripts.values()} - set(contigs)
        if unknown and not (set(contigs) & {t.chrom for t in summary.transcripts.values()}):
            raise Invalid(f"GFF3 contigs {sorted(unknown)[:5]} do not match the FASTA; wrong build?")
        genes, txs = _gene_tables(summary, Path(mane) if mane else None)
        pq.write_table(genes, out / "genes.parquet")
        pq.write_table(txs, out / "transcripts.parquet")
        stats["gff"] = {
            "flavour": summary.flavour,
            "genes": len(genes),
            "transcripts": len(txs),
            "dropped_lines": summary.dropped_lines,
        }
        if gnomad:
            stats["gnomad"] = sources.import_gnomad(
                [Path(g) for g in gnomad], out / FASTA, out / "gnomad.parquet"
            )
        if clinvar:
            stats["clinvar"] = sources.import_clinvar(Path(clinvar), out / FASTA, out / "clinvar.parquet")
        for kind, path, _ in knowledge:
            (out / KNOWLEDGE / kind).mkdir(parents=True)
            shutil.copyfile(path, out / KNOWLEDGE / kind / Path(path).name)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    files = {
        str(p.relative_to(out)): sha256(p)
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }
    manifest = Manifest(
        id=bundle_id,
        version=version,
        build=build,
        created=created.isoformat(timespec="seconds"),
        sources=srcs,
        tools=tool_versions(),
        files=files,
        contigs=contigs,
        stats=stats,
        notes=list(notes or []),
        synthetic=synthetic,
    )
    (out / MANIFEST).write_text(manifest.model_dump_json(indent=2))
    return manifest


def read_manifest(path: Path) -> Manifest:
    f = Path(path) / MANIFEST
    if not f.is_file():
        raise NotFound(f"not a bundle (no {MANIFEST}): {path}")
    try:
        return Manifest.model_validate(json.loads(f.read_text()))
    except (ValueError, TypeError) as exc:
        raise Invalid(f"unreadable bundle manifest {f}: {exc}") from exc


def load_bundle(path: Path) -> Bundle:
    path = Path(path)
    return Bundle(path=path, manifest=read_manifest(path))


def verify_bundle(path: Path) -> None:
    """Raise ``Invalid`` when a file listed in the manifest is missing or changed."""
    m = read_manifest(path)
    for rel, digest in m.files.items():
        f = Path(path) / rel
        if not f.is_file() or sha256(f) != digest:
            raise Invalid(f"bundle {m.id}: {rel} is missing or does not match its checksum")


def install_bundle(src: Path, bundles_dir: Path) -> Manifest:
    """Copy a built bundle into ``bundles_dir/<id>`` after checking it; idempotent for the same bundle."""
    m = read_manifest(src)
    verify_bundle(src)
    bundles_dir = Path(bundles_dir)
    bundles_dir.mkdir(parents=True, exist_ok=True)
    dst = bundles_dir / m.id
    if dst.exists():
        existing = read_manifest(dst)
        if existing.files != m.files:
            raise Conflict(f"a different bundle with id {m.id} is already installed")
        return existing
    if Path(src).resolve() == dst.resolve():
        return m
    tmp = Path(tempfile.mkdtemp(prefix=f".{m.id}.", dir=bundles_dir))
    try:
        shutil.copytree(src, tmp, dirs_exist_ok=True)
        os.replace(tmp, dst)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return m


def list_bundles(bundles_dir: Path) -> list[Manifest]:
    """Installed bundles, newest first."""
    d = Path(bundles_dir)
    if not d.is_dir():
        return []
    found = [read_manifest(p) for p in d.iterdir() if p.is_dir() and (p / MANIFEST).is_file()]
    return sorted(found, key=lambda m: (m.created, m.id), reverse=True)
