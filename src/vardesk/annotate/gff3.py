"""Read gene models from GFF3 (Ensembl, GENCODE and RefSeq flavours), plain or gzip-compressed.

The reader keeps genes, their transcripts and, per transcript, exons and the CDS span:

* Transcripts are the features that exons / CDS / UTRs point to (``Parent=``), whatever their
  type (``mRNA``, ``transcript``, ``lnc_RNA``, ``NMD_transcript_variant``, ``J_gene_segment`` …).
  Genes are the features transcripts point to; a transcript without a gene gets one made from
  its own attributes.
* Exons come from ``exon`` features; a transcript without exon features (some hand-made and
  viral models) gets exons from its merged CDS and UTR parts.
* Ids lose their ``gene:``/``transcript:`` (Ensembl) or ``gene-``/``rna-`` (RefSeq) prefixes; a
  version comes from ``version=`` or from a ``.N`` suffix of ``transcript_id``/the id.
* Biotype: ``biotype``, ``transcript_biotype``/``transcript_type``, ``gene_biotype``/``gene_type``;
  else ``protein_coding`` for a feature with a CDS, else the feature type.
* Flags: ``tag`` values ``Ensembl_canonical`` / ``MANE_Select`` (and RefSeq's ``MANE Select``,
  ``RefSeq Select``). Tags are kept verbatim (``cds_start_NF`` …).
* Chromosomes are canonical (``chr1`` → ``1``); RefSeq accessions (``NC_000001.11``) map through
  ``region``/``chromosome`` features (``chromosome=``/``Alias=``) and the GRCh37/38 NC_ numbering.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from vardesk.domain.errors import Invalid
from vardesk.domain.transcript import Exon, Gene, Transcript
from vardesk.domain.variant_key import canonical_chrom

_PART_TYPES = {"exon", "CDS", "five_prime_UTR", "three_prime_UTR", "UTR", "start_codon", "stop_codon"}
_SKIP_TYPES = {"chromosome", "region", "biological_region", "supercontig", "scaffold", "intron"}
_ID_PREFIXES = ("gene:", "transcript:", "gene-", "rna-", "CDS:", "cds-", "exon-")
_REFSEQ_NC = re.compile(r"^NC_0000(\d\d)\.\d+$")
_VERSIONED = re.compile(r"^(ENS[A-Z]*[GTPE]\d{11}|[NXY][MRPC]_\d+)\.(\d+)$")
_TYPE_BIOTYPES = {
    "mRNA": "protein_coding",
    "lnc_RNA": "lncRNA",
    "lincRNA": "lincRNA",
    "NMD_transcript_variant": "nonsense_mediated_decay",
}


@dataclass
class _Feature:
    seqid: str
    type: str
    start: int
    end: int
    strand: int
    phase: int | None
    attrs: dict[str, list[str]]
    parts: dict[str, list[tuple[int, int, int | None]]] = field(default_factory=dict)

    def first(self, *keys: str) -> str | None:
        for k in keys:
            v = self.attrs.get(k)
            if v and v[0]:
                return v[0]
        return None


def _open_text(path: Path) -> Iterator[str]:
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            yield from fh
    else:
        with open(path, encoding="utf-8") as fh:
            yield from fh


def _parse_attrs(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in text.strip().split(";"):
        item = item.strip()
        if not item or "=" not in item:
            continue
        key, _, value = item.partition("=")
        out[key.strip()] = [unquote(v) for v in value.split(",")]
    return out


def _strip_prefix(ident: str) -> str:
    for p in _ID_PREFIXES:
        if ident.startswith(p):
            return ident[len(p) :]
    return ident


def _split_version(ident: str) -> tuple[str, int | None]:
    """``ENST00000256452.3`` → (``ENST00000256452``, 3); only Ensembl and RefSeq accessions, as
    other ids (WormBase ``C41D11.1a.2``) contain dots that are not versions."""
    m = _VERSIONED.match(ident)
    if m:
        return m.group(1), int(m.group(2))
    return ident, None


def _gene_id(g: _Feature) -> str:
    if g.first("gene_id"):
        return _split_version(g.first("gene_id") or "")[0]
    for x in g.attrs.get("Dbxref", []):
        if x.startswith("GeneID:"):
            return x.split(":", 1)[1]
    return _split_version(_strip_prefix(g.first("ID") or ""))[0]


def _chrom_of(seqid: str, aliases: dict[str, str]) -> str:
    if seqid in aliases:
        return aliases[seqid]
    m = _REFSEQ_NC.match(seqid)
    if m:
        n = int(m.group(1))
        return {23: "X", 24: "Y"}.get(n, str(n)) if 1 <= n <= 24 else seqid
    if seqid.startswith("NC_012920"):
        return "MT"
    return canonical_chrom(seqid)


def _hgnc_id(f: _Feature) -> str | None:
    v = f.first("hgnc_id")
    if v:
        return v if v.startswith("HGNC:") else f"HGNC:{v}"
    for x in f.attrs.get("Dbxref", []) + f.attrs.get("db_xref", []):
        if x.startswith("HGNC:"):
            return "HGNC:" + x.split(":")[-1]
    desc = f.first("description")
    if desc:
        m = re.search(r"Source:HGNC Symbol;Acc:(?:HGNC:)?(\d+)", desc)
        if m:
            return f"HGNC:{m.group(1)}"
    return None


def _tags(f: _Feature) -> list[str]:
    return [t for t in f.attrs.get("tag", []) if t]


def read_gff3(path: str | Path) -> list[Gene]:
    """Genes (with transcripts) of a GFF3 file, sorted by (chrom, start, id).

    Raises :class:`Invalid` for lines that are not GFF3 (with ``line`` in the details).
    """
    path = Path(path)
    features: dict[str, _Feature] = {}
    parts: list[tuple[str, str, int, int, int | None, list[str]]] = []  # (type, seqid, s, e, phase, parents)
    aliases: dict[str, str] = {}
    protein_ids: dict[str, str] = {}
    anon = 0
    for lineno, line in enumerate(_open_text(path), 1):
        if line.startswith("##FASTA"):
            break
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.rstrip("\n\r").split("\t")
        if len(cols) > 9:  # spaces inside the attributes turned into tabs by some tools
            cols = cols[:8] + [" ".join(cols[8:])]
        if len(cols) != 9:
            raise Invalid(f"{path.name}: line {lineno} has {len(cols)} columns, GFF3 needs 9", line=lineno)
        seqid, _src, ftype, s, e, _score, strand_s, phase_s, attr_s = cols
        try:
            start, end = int(s), int(e)
        except ValueError:
            raise Invalid(f"{path.name}: line {lineno} has a non-numeric position", line=lineno) from None
        attrs = _parse_attrs(attr_s)
        if ftype in ("region", "chromosome"):
            name = (attrs.get("chromosome") or [None])[0]
            if name is None and ftype == "chromosome":
                name = _strip_prefix((attrs.get("ID") or [seqid])[0]).removeprefix("chromosome:")
            if name:
                canon = canonical_chrom(name)
                aliases[seqid] = canon
                for a in attrs.get("Alias", []):
                    aliases.setdefault(a, canon)
            continue
        if ftype in _SKIP_TYPES:
            continue
        phase = int(phase_s) if phase_s in ("0", "1", "2") else None
        parents = attrs.get("Parent", [])
        if ftype in _PART_TYPES:
            parts.append((ftype, seqid, start, end, phase, parents))
            if ftype == "CDS" and "protein_id" in attrs:
                for p in parents:
                    protein_ids.setdefault(p, attrs["protein_id"][0])
            continue
        strand = 1 if strand_s == "+" else -1 if strand_s == "-" else 0
        ids = attrs.get("ID")
        if ids:
            fid = ids[0]
        else:
            anon += 1
            fid = f"_anon{anon}"
        features[fid] = _Feature(seqid, ftype, start, end, strand, phase, attrs)

    for ftype, _seqid, start, end, phase, parents in parts:
        for p in parents:
            f = features.get(p)
            if f is None:
                continue
            f.parts.setdefault(ftype, []).append((start, end, phase))

    genes: dict[str, tuple[_Feature, list[Transcript]]] = {}
    for fid, f in features.items():
        if not f.parts or f.strand == 0:
            continue
        gparent = next((p for p in f.attrs.get("Parent", []) if p in features), None)
        gfeat = features[gparent] if gparent else None
        tx = _build_transcript(fid, f, gfeat, aliases, protein_ids.get(fid))
        if tx is None:
            continue
        gkey = gparent if gfeat is not None and gparent else f"_gene_of_{fid}"
        if gkey not in genes:
            genes[gkey] = (gfeat or f, [])
        genes[gkey][1].append(tx)

    out: list[Gene] = []
    for gkey, (gf, txs) in genes.items():
        is_real_gene = not gkey.startswith("_gene_of_")
        gid = _gene_id(gf) if is_real_gene else txs[0].gene_id
        symbol = gf.first("gene_name", "Name", "gene") if is_real_gene else txs[0].gene_symbol
        biotype = (
            gf.first("biotype", "gene_biotype", "gene_type")
            if is_real_gene
            else gf.first("gene_biotype", "gene_type")
        ) or txs[0].biotype
        txs.sort(key=lambda t: (t.start, t.end, t.id))
        out.append(
            Gene(
                id=gid,
                symbol=symbol,
                chrom=_chrom_of(gf.seqid, aliases),
                start=gf.start if is_real_gene else min(t.start for t in txs),
                end=gf.end if is_real_gene else max(t.end for t in txs),
                strand=gf.strand or txs[0].strand,
                biotype=biotype,
                hgnc_id=_hgnc_id(gf),
                transcripts=tuple(txs),
            )
        )
    out.sort(key=lambda g: (g.chrom, g.start, g.id))
    return out


def _merge(spans: list[tuple[int, int]]) -> list[Exon]:
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [Exon(s, e) for s, e in merged]


def _build_transcript(
    fid: str, f: _Feature, g: _Feature | None, aliases: dict[str, str], protein_id: str | None
) -> Transcript | None:
    exon_parts = f.parts.get("exon", [])
    cds_parts = f.parts.get("CDS", [])
    utr_parts = [p for k in ("five_prime_UTR", "three_prime_UTR", "UTR") for p in f.parts.get(k, [])]
    if exon_parts:
        exons = _merge([(s, e) for s, e, _ in exon_parts])
    else:
        exons = _merge([(s, e) for s, e, _ in cds_parts + utr_parts])
    if not exons:
        return None
    tags = _tags(f)
    tagset = set(tags)
    cds_start = cds_end = None
    phase = 0
    if cds_parts:
        cds_start = min(s for s, _, _ in cds_parts)
        cds_end = max(e for _, e, _ in cds_parts)
        first = min(cds_parts) if f.strand == 1 else max(cds_parts, key=lambda p: p[1])
        phase = first[2] or 0
        # CDS parts must be the exons clipped to the CDS span, else the model cannot describe
        # the coding sequence (ribosomal slippage, overlapping parts, CDS outside exons).
        clipped = [
            (max(x.start, cds_start), min(x.end, cds_end))
            for x in exons
            if x.end >= cds_start and x.start <= cds_end
        ]
        if (
            _merge([(s, e) for s, e, _ in cds_parts]) != [Exon(s, e) for s, e in clipped]
            or len(cds_parts) != len({(s, e) for s, e, _ in cds_parts})
            or _overlapping(cds_parts)
        ):
            tagset.add("cds_irregular")
    raw_tid = f.first("transcript_id") or _strip_prefix(fid)
    tid, ver = _split_version(raw_tid)
    v = f.first("version")
    if v and v.isdigit():
        ver = int(v)
    gene_id = _gene_id(g) if g is not None else _split_version(f.first("gene_id") or "")[0]
    if not gene_id:
        gene_id = _strip_prefix(f.first("gene") or tid)
    symbol = (
        f.first("gene_name")
        or (g.first("gene_name", "Name", "gene") if g else None)
        or f.first("gene")
        or (f.first("Name") if g is None else None)
    )
    biotype = f.first("biotype", "transcript_biotype", "transcript_type")
    if not biotype:
        if cds_parts:
            biotype = "protein_coding"
        elif g is None and f.first("gene_biotype", "gene_type"):
            biotype = f.first("gene_biotype", "gene_type")
        else:
            biotype = _TYPE_BIOTYPES.get(f.type, f.type)
    protein_id = protein_id or f.first("protein_id")
    return Transcript(
        id=tid,
        gene_id=gene_id,
        gene_symbol=symbol,
        chrom=_chrom_of(f.seqid, aliases),
        strand=f.strand,
        exons=tuple(exons),
        cds_start=cds_start,
        cds_end=cds_end,
        biotype=biotype,
        is_canonical="Ensembl_canonical" in tagset or "RefSeq Select" in tagset,
        is_mane_select="MANE_Select" in tagset or "MANE Select" in tagset,
        tags=frozenset(tagset),
        version=ver,
        protein_id=protein_id,
        cds_phase=phase,
    )


def _overlapping(parts: list[tuple[int, int, int | None]]) -> bool:
    spans = sorted((s, e) for s, e, _ in parts)
    return any(b[0] <= a[1] for a, b in zip(spans, spans[1:], strict=False))
