"""Typed inputs and outputs of gene prioritisation.

The input is deliberately small and file-free: a :class:`Family` (who is sequenced, sex, affection,
parents) and a list of :class:`VariantCall` (the variant, its genes, consequence, background
frequencies, in-silico scores and every sequenced member's genotype). :mod:`.candidates` builds them
from :func:`vardesk.analysis.inheritance.find_candidates`; the benchmark builds them in memory.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from vardesk.analysis.pedigree import Pedigree
from vardesk.domain.enums import Affected, Sex
from vardesk.domain.errors import Invalid

HOM_REF, HET, HOM_ALT, HEMI, NO_CALL = 0, 1, 2, 3, -1
CARRIES = (HET, HOM_ALT, HEMI)


@dataclass(frozen=True)
class Genotype:
    """One member's call at a variant: zygosity 0 hom-ref, 1 het, 2 hom-alt, 3 hemizygous, -1 no call.

    ``gt`` (as called, e.g. ``0|1``), ``phased`` and ``phase_set`` are used to tell two heterozygous
    variants in trans from in cis.
    """

    zygosity: int
    gt: str | None = None
    phased: bool = False
    phase_set: int | None = None

    def __post_init__(self) -> None:
        if self.zygosity not in (HOM_REF, HET, HOM_ALT, HEMI, NO_CALL):
            raise Invalid(f"zygosity {self.zygosity} is not one of -1, 0, 1, 2, 3")

    @property
    def called(self) -> bool:
        return self.zygosity != NO_CALL

    @property
    def carries(self) -> bool:
        return self.zygosity in CARRIES


REF_CALL = Genotype(HOM_REF)


@dataclass(frozen=True)
class FamilyMember:
    name: str
    sex: Sex = Sex.UNKNOWN
    affected: Affected = Affected.UNKNOWN
    father: str | None = None
    mother: str | None = None
    sequenced: bool = True


@dataclass(frozen=True)
class Family:
    """Any family shape: solo, duo, trio, quad or larger. The proband must be sequenced."""

    members: tuple[FamilyMember, ...]
    proband: str
    _by_name: Mapping[str, FamilyMember] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = [m.name for m in self.members]
        if len(set(names)) != len(names):
            raise Invalid("a family member appears twice")
        index = {m.name: m for m in self.members}
        if self.proband not in index or not index[self.proband].sequenced:
            raise Invalid(f"proband {self.proband!r} is not a sequenced member of the family")
        object.__setattr__(self, "_by_name", index)

    @classmethod
    def solo(cls, name: str = "proband", sex: Sex = Sex.UNKNOWN) -> Family:
        return cls((FamilyMember(name, sex, Affected.AFFECTED),), name)

    @classmethod
    def from_pedigree(cls, ped: Pedigree) -> Family:
        members = tuple(
            FamilyMember(m.name, m.sex, m.affected, m.father, m.mother, m.sequenced) for m in ped.members
        )
        return cls(members, ped.proband)

    def member(self, name: str) -> FamilyMember | None:
        return self._by_name.get(name)

    @property
    def index(self) -> FamilyMember:
        found = self.member(self.proband)
        assert found is not None
        return found

    def parent(self, which: str) -> FamilyMember | None:
        """The sequenced ``"father"`` or ``"mother"`` of the proband, if any."""
        name = self.index.father if which == "father" else self.index.mother
        found = None if name is None else self.member(name)
        return found if found is not None and found.sequenced else None

    def relatives(self) -> list[FamilyMember]:
        """Sequenced members other than the proband, in family order."""
        return [m for m in self.members if m.sequenced and m.name != self.proband]


@dataclass(frozen=True)
class VariantCall:
    """One variant of the case with its annotation and the sequenced members' genotypes.

    A sequenced member absent from ``genotypes`` is hom-ref (genotype tables hold variant rows only);
    an explicit no call is ``Genotype(-1)``. ``gnomad_af`` / ``inhouse_af`` of None mean "not seen"
    (novel). ``in_silico`` maps a tool name (``REVEL``, ``CADD``) to its score.
    """

    chrom: str
    pos: int
    ref: str
    alt: str
    genes: tuple[str, ...]
    consequence: str
    genotypes: Mapping[str, Genotype]
    gnomad_af: float | None = None
    inhouse_af: float | None = None
    in_silico: Mapping[str, float] = field(default_factory=dict)
    key: int | None = None

    @property
    def label(self) -> str:
        return f"{self.chrom}:{self.pos}{self.ref}>{self.alt}"

    @property
    def is_indel(self) -> bool:
        return len(self.ref) != len(self.alt) or len(self.ref) != 1

    def genotype(self, member: str) -> Genotype:
        return self.genotypes.get(member, REF_CALL)


class Model(StrEnum):
    """The inheritance model a gene's score was found under."""

    DE_NOVO = "DE_NOVO"  # dominant, both parents sequenced and hom-ref
    DOMINANT = "DOMINANT"  # one heterozygous variant (autosomal or X-linked dominant)
    RECESSIVE_HOMOZYGOUS = "RECESSIVE_HOMOZYGOUS"
    COMPOUND_HETEROZYGOUS = "COMPOUND_HETEROZYGOUS"
    X_LINKED_RECESSIVE = "X_LINKED_RECESSIVE"  # hemizygous male (or hom-alt female) on X outside PARs


@dataclass(frozen=True)
class ScoreTerm:
    """One additive term of a gene's score (natural-log likelihood ratio units)."""

    label: str
    value: float
    variant: str | None = None


@dataclass(frozen=True)
class GeneBurden:
    """A gene's burden score: the best inheritance model, its variants and the terms summing to it."""

    gene: str
    score: float
    model: Model | None
    variants: tuple[str, ...]
    terms: tuple[ScoreTerm, ...]
    # the best explanation under each model the variants fit (this one included), best first
    by_model: tuple[GeneBurden, ...] = ()

    def under(self, models: Collection[Model] | None) -> GeneBurden | None:
        """The best burden under one of ``models`` (None: any model); None when no model fits."""
        if models is None:
            return self if self.model is not None else None
        return next((b for b in self.by_model or (self,) if b.model in models), None)
