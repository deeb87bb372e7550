"""The gene knowledge a case's ACMG/AMP evidence uses: read once per bundle from the files its
administrator added (``vardesk bundle build --gene-constraint … --clingen-dosage … --clingen-validity …
--hotspots …``), turned into the analysis's ``GeneFacts`` and hotspot hits."""

from __future__ import annotations

import gzip
import tempfile
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from vardesk.analysis.acmg.inputs import (
    DosageFacts,
    GeneConstraintFacts,
    GeneFacts,
    RegionHit,
    ValidityFacts,
)
from vardesk.annotate.bundle import Bundle
from vardesk.annotate.gff3 import read_gff3
from vardesk.domain.transcript import Transcript
from vardesk.domain.variant_key import canonical_chrom
from vardesk.knowledge.gene_evidence import KINDS, GeneKnowledge, load_gene_knowledge

EMPTY = GeneKnowledge()
_cache: dict[tuple[str, str], GeneKnowledge] = {}
_lock = threading.Lock()


def knowledge_of(bundle: Bundle | None) -> GeneKnowledge:
    """The bundle's gene knowledge (empty without a bundle or files), cached per bundle id and version."""
    if bundle is None:
        return EMPTY
    key = (bundle.id, bundle.version)
    with _lock:
        if key in _cache:
            return _cache[key]
    files = {k: v for k, v in bundle.knowledge_files().items() if k in KINDS}
    found = load_gene_knowledge(files) if files else EMPTY
    with _lock:
        _cache[key] = found
    return found


def gene_facts(k: GeneKnowledge, symbol: str, gene_id: str | None = None) -> GeneFacts:
    """What the knowledge says of one gene; fields stay unknown (None / empty) where it says nothing."""
    c, d = k.constraint.get(symbol), k.dosage.get(symbol)
    curations = k.validity.get(symbol, ())
    validity = tuple(
        ValidityFacts(v.disease, v.inheritance, v.classification, v.source.label) for v in curations
    )
    # inheritance from the curations that establish a gene–disease relationship (Definitive/Strong/Moderate)
    modes = frozenset(v.inheritance for v in curations if v.established and v.inheritance is not None)
    used = sorted({x.source.label for x in (c, d) if x is not None} | {v.source.label for v in curations})
    return GeneFacts(
        symbol=symbol,
        gene_id=gene_id,
        inheritance=modes,
        constraint=GeneConstraintFacts(c.pli, c.loeuf, c.source.label) if c else None,
        dosage=DosageFacts(d.haploinsufficiency, d.triplosensitivity, d.source.label) if d else None,
        validity=validity,
        sources=tuple(used),
    )


def regions_at(k: GeneKnowledge, chrom: str, pos: int, symbol: str | None) -> tuple[RegionHit, ...] | None:
    """Hotspot / domain hits at the site: None when the bundle has no hotspot file (PM1 not evaluable)."""
    if not any(s.kind == "hotspots" for s in k.sources):
        return None
    return tuple(RegionHit(h.name, h.source.label) for h in k.hotspots_at(chrom, pos, symbol))


def versions(k: GeneKnowledge) -> dict[str, str]:
    """Kind → the file and version, for the assessment's provenance."""
    return {s.kind: s.label for s in k.sources}


NULL_TERMS = frozenset(
    {
        "stop_gained",
        "frameshift_variant",
        "splice_donor_variant",
        "splice_acceptor_variant",
        "exon_loss_variant",
    }
)


def null_genes(rows: Iterable[Mapping[str, Any]]) -> dict[str, set[str]]:
    """Chromosome → genes with a null-variant consequence among ``rows``: the genes PVS1 needs models of."""
    out: dict[str, set[str]] = {}
    for row in rows:
        terms = {t for tx in row.get("transcripts") or () for t in tx.get("consequences") or ()}
        if terms & NULL_TERMS and row.get("gene_symbol"):
            out.setdefault(str(row["chrom"]), set()).add(str(row["gene_symbol"]))
    return out


def transcript_models(bundle: Bundle | None, wanted: dict[str, set[str]]) -> dict[str, Transcript]:
    """The bundle's gene models of the wanted genes (by versioned and bare transcript id); PVS1 judges NMD
    and exons on them. Only the GFF3 lines inside those genes' spans (the bundle's transcripts table) are
    parsed, so an exome's few null variants do not read every chromosome's models."""
    if bundle is None or not wanted:
        return {}
    genes = {g for chrom_genes in wanted.values() for g in chrom_genes}
    spans = _spans(bundle, genes)
    models: dict[str, Transcript] = {}
    with tempfile.TemporaryDirectory(prefix="vardesk-models-") as tmp:
        for path in bundle.gff_files(sorted(wanted)):
            part = Path(tmp) / "part.gff3"
            if not _slice_gff(path, spans, part):
                continue
            for gene in read_gff3(part):
                if gene.symbol not in genes:
                    continue
                for tx in gene.transcripts:
                    models[tx.versioned_id] = tx
                    models.setdefault(tx.id, tx)
    return models


def _spans(bundle: Bundle, genes: set[str]) -> dict[str, list[tuple[int, int]]]:
    """Chromosome → (start, end) of every transcript of ``genes`` in the bundle's transcripts table."""
    path = bundle.table("transcripts")
    if path is None:
        return {}
    t = pq.read_table(path, columns=["gene_symbol", "chrom", "start", "end"]).to_pylist()
    out: dict[str, list[tuple[int, int]]] = {}
    for r in t:
        if r["gene_symbol"] in genes:
            out.setdefault(canonical_chrom(str(r["chrom"])), []).append((int(r["start"]), int(r["end"])))
    return out


def _slice_gff(path: Path, spans: dict[str, list[tuple[int, int]]], out: Path) -> bool:
    """Write the header and the features of ``path`` overlapping ``spans`` to ``out``; False when none."""
    kept = 0
    with open(path, "rb") as fh:
        opener = gzip.open if fh.read(2) == b"\x1f\x8b" else open
    with opener(path, "rt", encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
        for line in src:
            if line.startswith("#"):
                if line.startswith("##FASTA"):
                    break
                dst.write(line)
                continue
            cols = line.split("\t", 5)
            if len(cols) < 5:
                continue
            here = spans.get(canonical_chrom(cols[0]))
            if not here:
                continue
            start, end = int(cols[3]), int(cols[4])
            if any(a <= end and start <= b for a, b in here):
                dst.write(line)
                kept += 1
    return kept > 0
