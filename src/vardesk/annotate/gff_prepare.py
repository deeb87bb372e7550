"""Reshape gene-model GFF3 files into the Ensembl GFF3 dialect bcftools csq reads.

Supported inputs (detected per line from the attributes):

* **Ensembl GFF3** (``ID=gene:…``/``ID=transcript:…``, ``biotype=``): kept as is.
* **GENCODE GFF3** (``gene_type``/``transcript_type``/``gene_name``, bare ``ENSG…``/``ENST…`` ids):
  ids get the ``gene:``/``transcript:`` prefixes, ``gene_type``/``transcript_type`` become
  ``biotype``, ``gene_name`` becomes ``Name``; generic ``UTR`` lines are dropped (csq derives UTRs
  from exons and CDS).
* **RefSeq GFF3** (``NC_0000NN.V`` sequence ids, ``ID=gene-…``/``ID=rna-…``, ``gene_biotype``):
  chromosome accessions of GRCh37/GRCh38 are renamed to 1..22, X, Y, MT (other sequences such as
  ``NT_``/``NW_`` scaffolds are dropped); ``mRNA`` is ``protein_coding``, ``lnc_RNA`` is ``lncRNA``,
  other transcripts take their gene's biotype; transcript ids are the ``transcript_id`` attribute.
  CDS attached directly to a gene (immunoglobulin segments) are dropped.

Sequence ids are canonicalised (``chr1`` → ``1``, ``chrM`` → ``MT``). The output is one gzip
file per chromosome, so consequence calling loads only the models of the chromosomes it needs;
gene and transcript rows are collected for the bundle's gene table.
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from vardesk.domain import variant_key
from vardesk.domain.errors import Invalid

# RefSeq chromosome accessions (GRCh37 ``.10``-era and GRCh38 ``.11``-era versions alike).
_REFSEQ_CHROMS = {f"NC_{i:06d}": str(i) for i in range(1, 23)} | {
    "NC_000023": "X",
    "NC_000024": "Y",
    "NC_012920": "MT",
    "NC_001807": "MT",
}
_CHILD_TYPES = {"exon", "CDS", "five_prime_UTR", "three_prime_UTR"}
_REFSEQ_TX_BIOTYPE = {"mRNA": "protein_coding", "lnc_RNA": "lncRNA"}
OTHER = "_other"


@dataclass
class TranscriptInfo:
    transcript_id: str
    gene_id: str
    biotype: str
    chrom: str
    start: int
    end: int
    strand: str
    tags: set[str] = field(default_factory=set)
    cds_len: int = 0


@dataclass
class GeneInfo:
    gene_id: str
    symbol: str
    biotype: str
    chrom: str
    start: int
    end: int
    strand: str
    hgnc_id: str | None = None
    ncbi_id: str | None = None


@dataclass
class GffSummary:
    flavour: str
    genes: dict[str, GeneInfo]
    transcripts: dict[str, TranscriptInfo]
    files: dict[str, Path]
    dropped_lines: int


def _open_text(path: Path) -> io.TextIOBase:
    with open(path, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rt") if gz else open(path)  # noqa: SIM115


def _attrs(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in text.strip().rstrip(";").split(";"):
        if "=" in part:
            k, v = part.split("=", 1)
            out[k.strip()] = v
    return out


def _fmt(attrs: dict[str, str]) -> str:
    return ";".join(f"{k}={v}" for k, v in attrs.items())


def _seqid(raw: str) -> str | None:
    if raw.startswith("NC_"):
        return _REFSEQ_CHROMS.get(raw.split(".")[0])
    if raw.startswith(("NT_", "NW_")):
        return None
    return variant_key.canonical_chrom(raw)


def _dbxref(attrs: dict[str, str], prefix: str) -> str | None:
    for item in attrs.get("Dbxref", "").split(","):
        if item.startswith(prefix):
            return item[len(prefix) :]
    return None


class _Writer:
    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.handles: dict[str, io.TextIOBase] = {}
        self.files: dict[str, Path] = {}

    def write(self, chrom: str, line: str) -> None:
        group = chrom if chrom in variant_key.CHROM_CODES else OTHER
        fh = self.handles.get(group)
        if fh is None:
            path = self.out_dir / f"{group}.gff3.gz"
            fh = gzip.open(path, "wt", compresslevel=3)  # noqa: SIM115
            fh.write("##gff-version 3\n")
            self.handles[group] = fh
            self.files[group] = path
        fh.write(line)

    def close(self) -> None:
        for fh in self.handles.values():
            fh.close()


def prepare_gff(src: Path, out_dir: Path) -> GffSummary:
    """Rewrite ``src`` into per-chromosome Ensembl-dialect GFF3 files under ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    writer = _Writer(out_dir)
    genes: dict[str, GeneInfo] = {}
    transcripts: dict[str, TranscriptInfo] = {}
    tx_alias: dict[str, str] = {}  # raw transcript ID → transcript id
    gene_alias: dict[str, str] = {}  # raw gene ID → gene id
    flavours: dict[str, int] = {"ensembl": 0, "gencode": 0, "refseq": 0}
    dropped = 0
    gene_ids = _scan_gene_ids(src)
    try:
        with _open_text(src) as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip() or line.startswith("#"):
                    continue
                cols = line.rstrip("\n\r").split("\t")
                if len(cols) < 9:
                    raise Invalid(f"GFF3 line {lineno} has fewer than 9 columns", line=lineno)
                if len(cols) > 9:  # unescaped tabs inside the attributes
                    cols = cols[:8] + [" ".join(cols[8:])]
                chrom = _seqid(cols[0])
                if chrom is None:
                    dropped += 1
                    continue
                cols[0] = chrom
                a = _attrs(cols[8])
                ftype = cols[2]
                raw_id = a.get("ID", "")
                parent = a.get("Parent", "").split(",")[0]
                start, end = int(cols[3]), int(cols[4])
                if raw_id.startswith("gene:") or (raw_id and raw_id not in gene_alias and _is_gene(ftype, a)):
                    gid, na = _gene_attrs(raw_id, a, flavours)
                    gene_alias[raw_id] = gid
                    genes[gid] = GeneInfo(
                        gene_id=gid,
                        symbol=unquote(na.get("Name", gid)),
                        biotype=na["biotype"],
                        chrom=chrom,
                        start=start,
                        end=end,
                        strand=cols[6],
                        hgnc_id=_hgnc(a),
                        ncbi_id=_dbxref(a, "GeneID:"),
                    )
                    cols[8] = _fmt(na)
                elif parent in gene_ids and ftype not in _CHILD_TYPES and raw_id:
                    gid = gene_ids[parent]
                    tid = a.get("transcript_id") or raw_id.split(":", 1)[-1].removeprefix("rna-")
                    if raw_id.startswith("transcript:"):
                        tid = raw_id.split(":", 1)[1]
                    biotype = (
                        a.get("biotype")
                        or a.get("transcript_type")
                        or a.get("transcript_biotype")
                        or _REFSEQ_TX_BIOTYPE.get(ftype)
                        or (genes[gid].biotype if gid in genes else "unknown")
                    )
                    tx_alias[raw_id] = tid
                    tags = {t.strip() for t in unquote(a.get("tag", "")).split(",") if t.strip()}
                    transcripts[tid] = TranscriptInfo(tid, gid, biotype, chrom, start, end, cols[6], tags)
                    na = {"ID": f"transcript:{tid}", "Parent": f"gene:{gid}", "biotype": biotype}
                    for k in ("Name", "transcript_id", "tag"):
                        if k in a:
                            na[k] = a[k]
                    cols[8] = _fmt(na)
                elif ftype in _CHILD_TYPES and parent in tx_alias:
                    tid = tx_alias[parent]
                    if ftype == "CDS":
                        transcripts[tid].cds_len += end - start + 1
                    cols[8] = f"Parent=transcript:{tid}"
                else:
                    dropped += 1
                    continue
                writer.write(chrom, "\t".join(cols) + "\n")
    except UnicodeDecodeError as exc:
        raise Invalid(f"{src.name} is not a text GFF3 file") from exc
    finally:
        writer.close()
    if not transcripts:
        raise Invalid(f"{src.name}: no transcripts with gene parents found; is this a GFF3 gene model?")
    flavour = max(flavours, key=lambda k: flavours[k])
    return GffSummary(flavour, genes, transcripts, writer.files, dropped)


def _scan_gene_ids(src: Path) -> dict[str, str]:
    """Raw gene ``ID`` → gene id, read ahead so transcripts may precede their gene."""
    ids: dict[str, str] = {}
    with _open_text(src) as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            cols = line.rstrip("\n\r").split("\t")
            if len(cols) < 9:
                continue
            a = _attrs(" ".join(cols[8:]))
            raw_id = a.get("ID", "")
            if raw_id.startswith("gene:") or (raw_id and _is_gene(cols[2], a)):
                ids[raw_id] = _gene_attrs(raw_id, a, {"ensembl": 0, "gencode": 0, "refseq": 0})[0]
    return ids


def _is_gene(ftype: str, a: dict[str, str]) -> bool:
    if "Parent" in a:
        return False
    return ftype.endswith("gene") or "gene_type" in a or "gene_biotype" in a or "biotype" in a


def _gene_attrs(raw_id: str, a: dict[str, str], flavours: dict[str, int]) -> tuple[str, dict[str, str]]:
    if raw_id.startswith("gene:"):
        flavours["ensembl"] += 1
        gid = raw_id[5:]
        biotype = a.get("biotype") or a.get("gene_biotype") or a.get("gene_type") or "unknown"
        name = a.get("Name") or a.get("gene_name") or gid
    elif "gene_type" in a:
        flavours["gencode"] += 1
        gid = a.get("gene_id", raw_id)
        biotype = a["gene_type"]
        name = a.get("gene_name") or a.get("Name") or gid
    else:
        flavours["refseq"] += 1
        gid = raw_id.removeprefix("gene-")
        biotype = a.get("gene_biotype") or a.get("biotype") or "unknown"
        name = a.get("Name") or a.get("gene") or gid
    return gid, {"ID": f"gene:{gid}", "Name": name, "biotype": biotype}


def _hgnc(a: dict[str, str]) -> str | None:
    if "hgnc_id" in a:
        return a["hgnc_id"]
    ref = _dbxref(a, "HGNC:")
    if ref:
        return ref if ref.startswith("HGNC:") else f"HGNC:{ref}"
    return None


def concat_gff(files: list[Path], out: Path) -> Path:
    """One gzip file of several per-chromosome files (gzip members concatenate)."""
    with open(out, "wb") as dst:
        for f in files:
            dst.write(f.read_bytes())
    return out
