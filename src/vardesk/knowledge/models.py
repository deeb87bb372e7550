"""Gene records and the answers of symbol resolution: plain, immutable dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

GRCH38 = "GRCh38"
GRCH37 = "GRCh37"
_BUILDS = {"GRCH38": GRCH38, "HG38": GRCH38, "GRCH37": GRCH37, "HG19": GRCH37}


def normalise_build(build: str) -> str:
    """``hg38``/``grch38`` → ``GRCh38``, ``hg19``/``grch37`` → ``GRCh37``; other names unchanged."""
    return _BUILDS.get(build.strip().upper(), build.strip())


class MatchKind(StrEnum):
    """How a query matched a gene."""

    SYMBOL = "symbol"  # the approved HGNC symbol (or a bundle-only gene's name)
    PREVIOUS_SYMBOL = "previous_symbol"
    ALIAS = "alias"
    HGNC_ID = "hgnc_id"  # HGNC:1100
    ENSEMBL_GENE_ID = "ensembl_gene_id"  # ENSG00000012048, version optional
    ENTREZ_ID = "entrez_id"  # 672, GeneID:672, NCBIGene:672
    BUNDLE_GENE_ID = "bundle_gene_id"  # a bundle gene id that is not an Ensembl id


class ResolutionStatus(StrEnum):
    FOUND = "found"
    AMBIGUOUS = "ambiguous"
    NOT_FOUND = "not_found"


@dataclass(frozen=True, slots=True)
class ManeTranscript:
    """A MANE transcript pair: Ensembl and RefSeq accessions, both with versions."""

    status: str  # "MANE Select" | "MANE Plus Clinical"
    ensembl: str  # ENST00000357654.9
    refseq: str  # NM_007294.4
    ensembl_protein: str | None = None
    refseq_protein: str | None = None


@dataclass(frozen=True, slots=True)
class GeneLocation:
    """Where a gene lies on one build. Coordinates are 1-based and inclusive.

    ``kind`` says what the span measures: ``gene`` (the gene's full extent, from a bundle's gene models)
    or ``mane_select_transcript`` (the MANE Select transcript's extent — the only GRCh38 span the
    packaged data has; a gene's other transcripts may reach further).
    """

    build: str
    chrom: str  # canonical: 1..22, X, Y, MT; other sequences keep their accession
    start: int
    end: int
    strand: str  # "+" or "-"
    kind: str
    source: str  # "MANE v1.5", "bundle GRCh38-2024…"
    transcripts: tuple[str, ...] = ()
    canonical_transcript: str | None = None
    mane_transcript: str | None = None
    biotype: str | None = None


@dataclass(frozen=True, slots=True)
class Gene:
    """One gene: HGNC nomenclature and ids, MANE transcripts, locations per build."""

    symbol: str
    hgnc_id: str | None
    name: str | None = None
    locus_group: str | None = None  # HGNC locus group: protein-coding gene, non-coding RNA, pseudogene, other
    ensembl_gene_id: str | None = None  # without version
    entrez_id: str | None = None  # digits only
    aliases: tuple[str, ...] = ()
    previous_symbols: tuple[str, ...] = ()
    uniprot_ids: tuple[str, ...] = ()
    refseq_accessions: tuple[str, ...] = ()
    mane_select: ManeTranscript | None = None
    mane_plus_clinical: tuple[ManeTranscript, ...] = ()
    locations: tuple[GeneLocation, ...] = ()
    bundle_gene_id: str | None = None  # set when the gene is known only from an installed bundle

    def location(self, build: str) -> GeneLocation | None:
        b = normalise_build(build)
        return next((loc for loc in self.locations if loc.build == b), None)

    @property
    def chrom(self) -> str | None:
        """Chromosome on GRCh38 when known, else on any build a bundle supplied."""
        loc = self.location(GRCH38) or (self.locations[0] if self.locations else None)
        return loc.chrom if loc else None

    @property
    def key(self) -> str:
        """Stable identity: the HGNC id, or ``bundle:<gene id>`` for bundle-only genes."""
        return self.hgnc_id or f"bundle:{self.bundle_gene_id or self.symbol}"


@dataclass(frozen=True, slots=True)
class Candidate:
    gene: Gene
    matched_by: MatchKind


@dataclass(frozen=True, slots=True)
class Resolution:
    """The answer for one query: one candidate when found, several when ambiguous, none otherwise."""

    query: str
    status: ResolutionStatus
    candidates: tuple[Candidate, ...] = ()

    @property
    def gene(self) -> Gene | None:
        return self.candidates[0].gene if self.status is ResolutionStatus.FOUND else None

    @property
    def matched_by(self) -> MatchKind | None:
        return self.candidates[0].matched_by if self.status is ResolutionStatus.FOUND else None

    @property
    def symbols(self) -> tuple[str, ...]:
        """Approved symbols of the candidates."""
        return tuple(c.gene.symbol for c in self.candidates)


@dataclass(frozen=True, slots=True)
class PanelGene:
    """A query that resolved to exactly one gene."""

    query: str
    gene: Gene
    matched_by: MatchKind

    @property
    def symbol(self) -> str:
        return self.gene.symbol

    @property
    def hgnc_id(self) -> str | None:
        return self.gene.hgnc_id


@dataclass(frozen=True, slots=True)
class PanelGeneResult:
    """Genes a lab asked to add to a panel, sorted into what happens to each (input order kept)."""

    added: tuple[PanelGene, ...] = ()
    already_added: tuple[PanelGene, ...] = ()
    ambiguous: tuple[Resolution, ...] = ()
    not_found: tuple[str, ...] = ()
