"""Typed inputs of the evidence assigners: everything an assigner may read about one variant.

Every piece is optional so an assigner can tell "not met" from "not evaluable": ``None`` means the
caller does not know (no data source, not computed), never "absent". Population data records absence
explicitly (``PopulationData(found=False)``) because "not in gnomAD" is evidence (PM2) while "no
gnomAD in the bundle" is not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from vardesk.domain.enums import Inheritance, Relation, Sex
from vardesk.domain.transcript import Transcript


@dataclass(frozen=True)
class VariantCoordinates:
    chrom: str
    pos: int
    ref: str
    alt: str
    build: str = "GRCh38"
    end: int | None = None  # last deleted base of a structural deletion (CNV), 1-based inclusive

    @property
    def id(self) -> str:
        return f"{self.build}-{self.chrom}-{self.pos}-{self.ref}-{self.alt}"


@dataclass(frozen=True)
class TranscriptConsequence:
    """One transcript's consequence (the ``transcripts`` struct of an annotation row, plus models)."""

    transcript_id: str
    consequences: tuple[str, ...]  # SO terms
    transcript: Transcript | None = None  # the gene model, for NMD and exon reasoning
    hgvs_c: str | None = None
    hgvs_p: str | None = None
    protein_change: str | None = None  # any of "R97C", "97R>97C", "p.(Arg97Cys)"
    protein_position: int | None = None
    ref_aa: str | None = None  # one-letter
    alt_aa: str | None = None
    is_mane_select: bool = False
    is_canonical: bool = False
    exon_in_relevant_transcripts: bool | None = None  # False: PVS1 not applicable
    alternative_start_in_other_transcript: bool | None = None
    in_repeat_region: bool | None = None

    def has(self, *terms: str) -> bool:
        return any(t in self.consequences for t in terms)


@dataclass(frozen=True)
class GeneClinVarStats:
    """Counts of ClinVar variants in the gene, for PP2 and BP1."""

    pathogenic_missense: int
    benign_missense: int
    pathogenic_truncating: int
    pathogenic_total: int | None = None  # all P/LP; defaults to missense + truncating
    version: str | None = None

    @property
    def pathogenic_all(self) -> int:
        if self.pathogenic_total is not None:
            return self.pathogenic_total
        return self.pathogenic_missense + self.pathogenic_truncating


@dataclass(frozen=True)
class GeneConstraintFacts:
    """gnomAD loss-of-function constraint of the gene (a supporting signal for PVS1, never proof)."""

    pli: float | None
    loeuf: float | None
    source: str  # e.g. "gnomad.v4.1.constraint_metrics.tsv (v4.1)"


@dataclass(frozen=True)
class DosageFacts:
    """ClinGen dosage sensitivity: 3 sufficient, 2 some, 1 little, 0 none, 30 autosomal recessive,
    40 dosage sensitivity unlikely, None not evaluated."""

    haploinsufficiency: int | None
    triplosensitivity: int | None
    source: str


@dataclass(frozen=True)
class ValidityFacts:
    """One ClinGen gene–disease validity curation."""

    disease: str
    inheritance: Inheritance | None
    classification: str  # Definitive, Strong, Moderate, Limited, Disputed, Refuted, …
    source: str


@dataclass(frozen=True)
class RegionHit:
    """A hotspot or critical functional domain the variant lies in (PM1)."""

    name: str
    source: str


@dataclass(frozen=True)
class GeneFacts:
    symbol: str
    gene_id: str | None = None
    inheritance: frozenset[Inheritance] = frozenset()
    lof_mechanism: bool | None = None  # loss of function a known disease mechanism
    lof_mechanism_source: str | None = None  # e.g. "ClinGen HI score 3 (2024-01-10)"
    fully_penetrant: bool | None = None  # full penetrance expected at an early age (BS2, BP2)
    critical_regions: tuple[tuple[int, int], ...] = ()  # protein ranges critical to function
    pathogenic_upstream_of_alternative_start: bool | None = None  # PVS1 initiation-codon branch
    clinvar_stats: GeneClinVarStats | None = None
    bs1_threshold: float | None = None  # gene-specific "greater than expected for the disorder"
    pm2_threshold: float | None = None  # gene-specific PM2 ceiling
    constraint: GeneConstraintFacts | None = None
    dosage: DosageFacts | None = None
    validity: tuple[ValidityFacts, ...] = ()
    sources: tuple[str, ...] = ()  # every gene-knowledge file behind these facts, with its version

    @property
    def recessive(self) -> bool:
        return Inheritance.AUTOSOMAL_RECESSIVE in self.inheritance

    @property
    def dominant(self) -> bool:
        return any(m.dominant for m in self.inheritance)


@dataclass(frozen=True)
class PopulationData:
    """gnomAD-style counts at the site. ``found=False``: the source was searched and has no record."""

    found: bool
    source: str = "gnomAD"
    version: str | None = None
    af: float | None = None
    ac: int | None = None
    an: int | None = None
    nhomalt: int | None = None
    nhemi: int | None = None
    af_grpmax: float | None = None
    faf95: float | None = None
    mean_depth: float | None = None
    well_covered: bool | None = None


@dataclass(frozen=True)
class ClinVarVariantRef:
    variant_id: str
    protein_change: str
    significance: str
    stars: int | None = None


@dataclass(frozen=True)
class ClinVarResidueFacts:
    """ClinVar missense variants at the same residue (see :func:`protein.clinvar_residue_facts`)."""

    same_change: tuple[ClinVarVariantRef, ...] = ()
    different_change: tuple[ClinVarVariantRef, ...] = ()
    version: str | None = None


@dataclass(frozen=True)
class InSilicoScore:
    tool: str  # "REVEL", "CADD", "BayesDel_noAF", "SpliceAI"
    score: float
    version: str | None = None


class Phase(StrEnum):
    TRANS = "trans"
    CIS = "cis"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class FamilyMember:
    """Genotype codes follow the genotype table: 0 hom-ref, 1 het, 2 hom-alt, 3 hemizygous, -1 no call."""

    id: str
    relation: Relation
    sex: Sex = Sex.UNKNOWN
    affected: bool | None = None
    zygosity: int | None = None
    depth: int | None = None
    adult: bool | None = None
    mother_id: str | None = None
    father_id: str | None = None

    @property
    def carrier(self) -> bool:
        return self.zygosity in (1, 2, 3)

    @property
    def called(self) -> bool:
        return self.zygosity is not None and self.zygosity >= 0


@dataclass(frozen=True)
class PhasedVariant:
    """Another variant in the same gene in the proband, with its phase relative to this one."""

    variant_id: str
    phase: Phase
    classification: str  # "Pathogenic", "Likely pathogenic", "Uncertain significance", …


@dataclass(frozen=True)
class FamilyData:
    members: tuple[FamilyMember, ...]
    parentage_confirmed: bool | None = None
    de_novo: bool | None = None  # caller's de novo call when genotypes are not supplied
    informative_meioses: int | None = None  # co-segregating meioses counted by the caller
    phased_variants: tuple[PhasedVariant, ...] = ()

    def member(self, relation: Relation) -> FamilyMember | None:
        return next((m for m in self.members if m.relation is relation), None)

    @property
    def proband(self) -> FamilyMember | None:
        return self.member(Relation.PROBAND)


@dataclass(frozen=True)
class PhenotypeMatch:
    score: float
    matched_terms: tuple[str, ...] = ()
    highly_specific: bool | None = None
    method: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class Provenance:
    bundle_id: str | None = None
    bundle_version: str | None = None
    gnomad_version: str | None = None
    clinvar_version: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, str]:
        d = {
            "bundle_id": self.bundle_id,
            "bundle_version": self.bundle_version,
            "gnomad_version": self.gnomad_version,
            "clinvar_version": self.clinvar_version,
        }
        out = {k: v for k, v in d.items() if v}
        out.update(sorted(self.extra.items()))
        return out


@dataclass(frozen=True)
class ManualEvidence:
    """A criterion decided by a person: always recorded with ``source=manual`` and a reason."""

    criterion: str
    strength: str | None  # a Strength value; None → the criterion's default
    reason: str
    met: bool = True
    by: str | None = None
    at: str | None = None  # ISO 8601

    def __post_init__(self) -> None:
        if not self.reason or not self.reason.strip():
            raise ValueError(f"manual evidence for {self.criterion} needs a reason")


@dataclass(frozen=True)
class VariantEvidenceInput:
    variant: VariantCoordinates
    consequences: tuple[TranscriptConsequence, ...] = ()
    primary_transcript_id: str | None = None
    gene: GeneFacts | None = None
    population: PopulationData | None = None
    clinvar_residue: ClinVarResidueFacts | None = None
    scores: tuple[InSilicoScore, ...] = ()
    family: FamilyData | None = None
    phenotype: PhenotypeMatch | None = None
    provenance: Provenance = field(default_factory=Provenance)
    manual: tuple[ManualEvidence, ...] = ()
    # hotspots / critical domains at the site: None without such data, () when searched and none
    regions: tuple[RegionHit, ...] | None = None

    def primary(self) -> TranscriptConsequence | None:
        """The named transcript, else MANE Select, else canonical, else the first one."""
        if not self.consequences:
            return None
        if self.primary_transcript_id:
            for c in self.consequences:
                if c.transcript_id == self.primary_transcript_id:
                    return c
        for c in self.consequences:
            if c.is_mane_select:
                return c
        for c in self.consequences:
            if c.is_canonical:
                return c
        return self.consequences[0]

    def score(self, tool: str) -> InSilicoScore | None:
        t = tool.lower()
        return next((s for s in self.scores if s.tool.lower() == t), None)
