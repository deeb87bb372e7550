"""The gene knowledge a case's ACMG/AMP evidence uses: read once per bundle from the files its
administrator added (``vardesk bundle build --gene-constraint … --clingen-dosage … --clingen-validity …
--hotspots …``), turned into the analysis's ``GeneFacts`` and hotspot hits."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any

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
    """The bundle's gene models of the wanted genes (by versioned and bare transcript id), read from the
    per-chromosome GFF3 files of those chromosomes only; PVS1 judges NMD and exons on them."""
    if bundle is None or not wanted:
        return {}
    models: dict[str, Transcript] = {}
    genes = {g for chrom_genes in wanted.values() for g in chrom_genes}
    for path in bundle.gff_files(sorted(wanted)):
        for gene in read_gff3(path):
            if gene.symbol not in genes:
                continue
            for tx in gene.transcripts:
                models[tx.versioned_id] = tx
                models.setdefault(tx.id, tx)
    return models
