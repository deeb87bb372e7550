"""The gene knowledge a case's ACMG/AMP evidence uses: read once per bundle from the files its
administrator added (``vardesk bundle build --gene-constraint … --clingen-dosage … --clingen-validity …
--hotspots …``), turned into the analysis's ``GeneFacts`` and hotspot hits."""

from __future__ import annotations

import threading

from vardesk.analysis.acmg.inputs import (
    DosageFacts,
    GeneConstraintFacts,
    GeneFacts,
    RegionHit,
    ValidityFacts,
)
from vardesk.annotate.bundle import Bundle
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
