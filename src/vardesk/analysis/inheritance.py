"""Inheritance-mode analysis: which of a family's candidate variants fit which mode of inheritance.

Each mode is a condition on the sequenced members' zygosities (0 hom-ref, 1 het, 2 hom-alt,
3 hemizygous, -1 no call; a member with no row for a variant counts as hom-ref), compiled with the
base :class:`VariantQuery` (AF, consequence, quality, gene/region filters) into one DuckDB query by
:mod:`vardesk.variants.query`. Only compound heterozygous pairs are formed in Python, per gene, on
the filtered heterozygous candidates (:mod:`vardesk.analysis.inheritance_comphet`).

"Diploid" regions are the autosomes 1–22 and the X pseudo-autosomal regions (PAR1/PAR2 of the
build); "X" is chrX outside them. Y, MT and unplaced contigs get no mode. Parents are the proband's
father and mother; "relatives" are the other sequenced members.

* ``DE_NOVO`` (diploid): proband het, both parents sequenced and hom-ref (each at least
  ``min_parent_dp`` depth and ``min_parent_gq`` GQ when given).
* ``X_LINKED_DE_NOVO`` (X): proband carries (het, hom-alt or hemizygous), both parents sequenced
  and hom-ref (same thresholds).
* ``AUTOSOMAL_DOMINANT`` (diploid): proband het, every sequenced affected relative het, every
  sequenced unaffected relative hom-ref (a de novo variant fits when the parents are unaffected or
  of unknown status).
* ``AUTOSOMAL_RECESSIVE_HOMOZYGOUS`` (diploid): proband hom-alt; each sequenced parent het or no
  call (hom-alt or no call if affected); affected relatives hom-alt or no call; unaffected relatives
  not hom-alt.
* ``X_LINKED_RECESSIVE`` (X): a male proband hom-alt or hemizygous, his sequenced mother carrying
  (het or hom-alt) or no call, his sequenced father not carrying or no call; a female proband
  hom-alt, each sequenced parent carrying or no call. On top, every sequenced relative must fit
  their status: affected males carry (or no call), affected females hom-alt (or no call),
  unaffected males do not carry, unaffected females are not hom-alt (so an unaffected father of a
  female proband fits only with a no call). Not evaluated for a proband of unknown sex.
* ``COMPOUND_HETEROZYGOUS`` (diploid): see :mod:`vardesk.analysis.inheritance_comphet`; needs the
  annotation (genes). Sides are proband-het variants no unaffected relative is hom-alt for.

A mode's certainty is ``consistent`` when the relatives it depends on are sequenced and called,
``possible`` otherwise (``evidence="proband only"`` when no relative is sequenced).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import islice
from pathlib import Path
from typing import Any

from vardesk.analysis.inheritance_comphet import (
    CARRIES,
    RANK,
    Certainty,
    ComphetPair,
    Side,
    pair_compound_hets,
)
from vardesk.analysis.pedigree import Member, Pedigree
from vardesk.domain.enums import Affected, Sex
from vardesk.domain.errors import Invalid
from vardesk.domain.par import PSEUDOAUTOSOMAL as BUILD_PARS
from vardesk.domain.par import pars
from vardesk.ingest.build import normalise_build
from vardesk.variants.family import GenotypePattern, MemberGenotype, family_batches
from vardesk.variants.matrix import Matrix
from vardesk.variants.query import Region, VariantQuery

__all__ = [
    "Candidate",
    "Certainty",
    "ComphetPair",
    "MemberCall",
    "Mode",
    "ModeCall",
    "PSEUDOAUTOSOMAL",
    "find_candidates",
    "mode_patterns",
]


class Mode(StrEnum):
    DE_NOVO = "DE_NOVO"
    AUTOSOMAL_DOMINANT = "AUTOSOMAL_DOMINANT"
    AUTOSOMAL_RECESSIVE_HOMOZYGOUS = "AUTOSOMAL_RECESSIVE_HOMOZYGOUS"
    COMPOUND_HETEROZYGOUS = "COMPOUND_HETEROZYGOUS"
    X_LINKED_RECESSIVE = "X_LINKED_RECESSIVE"
    X_LINKED_DE_NOVO = "X_LINKED_DE_NOVO"


_ORDER = {m: i for i, m in enumerate(Mode)}
_SIDE = "COMPHET_SIDE"  # pattern label of compound heterozygous candidates (not a mode by itself)

PSEUDOAUTOSOMAL: dict[str, tuple[Region, ...]] = {  # PAR1, PAR2 on chrX (1-based, inclusive)
    build: tuple(Region(chrom="X", start=p.start, end=p.end) for p in pars(build, "X"))
    for build in BUILD_PARS
}


@dataclass(frozen=True)
class MemberCall:
    """One member's genotype at a variant (``called`` false: no row; zygosity then hom-ref)."""

    gt: str | None
    zygosity: int
    called: bool
    dp: int | None
    gq: int | None
    phased: bool | None
    phase_set: int | None
    ad_ref: int | None = None
    ad_alt: int | None = None


@dataclass(frozen=True)
class ModeCall:
    mode: Mode
    certainty: Certainty
    evidence: str
    partners: tuple[int, ...] = ()  # compound heterozygous partner keys


@dataclass(frozen=True)
class Candidate:
    """A variant of the proband and the inheritance modes it fits."""

    key: int
    chrom: str
    pos: int
    ref: str
    alt: str
    gene: str | None
    genes: tuple[str, ...]
    calls: dict[str, MemberCall]
    modes: tuple[ModeCall, ...]
    comphet: tuple[ComphetPair, ...] = ()
    annotation: dict[str, Any] = field(default_factory=dict)

    @property
    def mode_names(self) -> list[Mode]:
        return [m.mode for m in self.modes]

    @property
    def genotypes(self) -> dict[str, str | None]:
        return {name: c.gt for name, c in self.calls.items()}

    @property
    def zygosity(self) -> dict[str, int]:
        return {name: c.zygosity for name, c in self.calls.items()}

    def mode(self, mode: Mode) -> ModeCall | None:
        return next((m for m in self.modes if m.mode is mode), None)


def _diploid(build: str) -> list[Region]:
    return [Region(chrom=str(i)) for i in range(1, 23)] + list(PSEUDOAUTOSOMAL[build])


def _x_regions() -> list[Region]:
    return [Region(chrom="X")]


def _want(*zygosity: int, dp: int | None = None, gq: int | None = None) -> MemberGenotype:
    return MemberGenotype(zygosity=list(zygosity), min_dp=dp, min_gq=gq)


_ANY = {-1, 0, 1, 2, 3}


def _x_status(m: Member) -> set[int]:
    """Zygosities on X (outside the PARs) that fit a relative's affection status, recessively."""
    if m.affected is Affected.AFFECTED:
        return {2, -1} if m.sex is Sex.FEMALE else {2, 3, -1}
    if m.affected is Affected.UNAFFECTED:
        return {0, -1} if m.sex is Sex.MALE else {0, 1, -1}
    return set(_ANY)


def _parents(ped: Pedigree) -> list[Member]:
    return [p for p in (ped.father, ped.mother) if p is not None and p.sequenced]


def mode_patterns(
    ped: Pedigree,
    build: str,
    modes: Iterable[Mode] = tuple(Mode),
    *,
    min_parent_dp: int | None = None,
    min_parent_gq: int | None = None,
) -> list[GenotypePattern]:
    """The genotype patterns of the requested modes this family can be tested for (labels = modes).

    ``COMPOUND_HETEROZYGOUS`` yields the pattern of its candidate sides (label ``COMPHET_SIDE``).
    """
    build = normalise_build(build)
    wanted = set(modes)
    diploid, x, par = _diploid(build), _x_regions(), list(PSEUDOAUTOSOMAL[build])
    p = ped.proband
    relatives = ped.relatives()
    parent_names = [m.name for m in _parents(ped)]  # father first: a stable SQL text
    trio = len(parent_names) == 2
    out: list[GenotypePattern] = []

    def add(label: str, members: dict[str, MemberGenotype], regions: list[Region], x_only: bool) -> None:
        out.append(
            GenotypePattern(
                label=label, members=members, regions=regions, exclude_regions=par if x_only else []
            )
        )

    ref_parent = _want(0, dp=min_parent_dp, gq=min_parent_gq)
    if Mode.DE_NOVO in wanted and trio:
        add(Mode.DE_NOVO, {p: _want(1)} | dict.fromkeys(parent_names, ref_parent), diploid, False)
    if Mode.X_LINKED_DE_NOVO in wanted and trio:
        add(Mode.X_LINKED_DE_NOVO, {p: _want(*CARRIES)} | dict.fromkeys(parent_names, ref_parent), x, True)
    if Mode.AUTOSOMAL_DOMINANT in wanted:
        ad = {p: _want(1)}
        for m in relatives:
            if m.affected is Affected.AFFECTED:
                ad[m.name] = _want(1)
            elif m.affected is Affected.UNAFFECTED:
                ad[m.name] = _want(0)
        add(Mode.AUTOSOMAL_DOMINANT, ad, diploid, False)
    if Mode.AUTOSOMAL_RECESSIVE_HOMOZYGOUS in wanted:
        ar = {p: _want(2)}
        for m in relatives:
            if m.affected is Affected.AFFECTED:
                ar[m.name] = _want(2, -1)
            elif m.name in parent_names:
                ar[m.name] = _want(1, -1)
            elif m.affected is Affected.UNAFFECTED:
                ar[m.name] = _want(0, 1, -1)
        add(Mode.AUTOSOMAL_RECESSIVE_HOMOZYGOUS, ar, diploid, False)
    sex = ped.index.sex
    if Mode.X_LINKED_RECESSIVE in wanted and sex is not Sex.UNKNOWN:
        male = sex is Sex.MALE
        xl = {p: _want(2, 3) if male else _want(2)}
        roles = {ped.mother.name: {1, 2, -1}} if ped.mother is not None else {}
        if ped.father is not None:
            roles[ped.father.name] = {0, -1} if male else {2, 3, -1}
        for m in relatives:
            allowed = roles.get(m.name, _ANY) & _x_status(m)
            if allowed != _ANY:
                xl[m.name] = _want(*sorted(allowed))
        add(Mode.X_LINKED_RECESSIVE, xl, x, True)
    if Mode.COMPOUND_HETEROZYGOUS in wanted:
        side = {p: _want(1)} | {
            m.name: _want(0, 1, -1) for m in relatives if m.affected is Affected.UNAFFECTED
        }
        add(_SIDE, side, diploid, False)
    return out


def _genes(row: dict[str, Any]) -> tuple[str, ...]:
    genes = {row.get("gene_symbol")}
    if "transcripts" in row:
        genes |= {t.get("gene_symbol") for t in row.get("transcripts") or []}
    else:  # a lean row of the genotype matrix: the transcripts' genes as a flat list
        genes |= set(row.get("gene_symbols") or [])
    return tuple(sorted(g for g in genes if g))


def _calls(row: dict[str, Any], names: Sequence[str]) -> dict[str, MemberCall]:
    return {
        name: MemberCall(
            m["gt"],
            m["zygosity"],
            m["called"],
            m["dp"],
            m["gq"],
            m["phased"],
            m["phase_set"],
            m.get("ad_ref"),
            m.get("ad_alt"),
        )
        for name, m in zip(names, row["members"], strict=True)
    }


def _side(row: dict[str, Any], ped: Pedigree, names: Sequence[str]) -> Side:
    calls = _calls(row, names)
    me = calls[ped.proband]
    f, m = ped.father, ped.mother
    unaffected = [r.name for r in ped.relatives() if r.affected is Affected.UNAFFECTED]
    return Side(
        key=row["key"],
        chrom=row["chrom"],
        genes=_genes(row),
        gt=me.gt or "",
        phased=bool(me.phased),
        phase_set=me.phase_set,
        father=calls[f.name].zygosity if f is not None and f.name in calls else None,
        mother=calls[m.name].zygosity if m is not None and m.name in calls else None,
        unaffected=tuple(calls[n].zygosity for n in unaffected),
    )


_WORDS = {0: "hom-ref", 1: "het", 2: "hom-alt", 3: "hemizygous", -1: "no call"}


def _parent_words(ped: Pedigree, calls: dict[str, MemberCall]) -> tuple[bool, str]:
    """(both parents sequenced and called, 'father het, mother not sequenced')."""
    parts, complete = [], True
    for role, parent in (("father", ped.father), ("mother", ped.mother)):
        call = calls.get(parent.name) if parent is not None else None
        if call is None:
            parts.append(f"{role} not sequenced")
            complete = False
        else:
            parts.append(f"{role} {_WORDS[call.zygosity]}")
            complete &= call.zygosity >= 0
    return complete, ", ".join(parts)


def _describe(mode: Mode, ped: Pedigree, calls: dict[str, MemberCall]) -> tuple[Certainty, str]:
    if not ped.relatives():
        return Certainty.POSSIBLE, "proband only"
    complete, parents = _parent_words(ped, calls)
    if mode in (Mode.DE_NOVO, Mode.X_LINKED_DE_NOVO):
        return Certainty.CONSISTENT, "absent from both parents (hom-ref)"
    if mode is Mode.AUTOSOMAL_DOMINANT:
        known = [m for m in ped.relatives() if m.affected is not Affected.UNKNOWN]
        de_novo = (
            complete and all(calls[m.name].zygosity == 0 for m in _parents(ped)) and len(_parents(ped)) == 2
        )
        if de_novo:
            return Certainty.CONSISTENT, "de novo (both parents hom-ref)"
        if known:
            return Certainty.CONSISTENT, "segregates: affected relatives het, unaffected hom-ref"
        return Certainty.POSSIBLE, f"no sequenced relative of known status; {parents}"
    if mode is Mode.X_LINKED_RECESSIVE and ped.index.sex is Sex.MALE:
        mother = ped.mother
        call = calls.get(mother.name) if mother is not None else None
        ok = call is not None and call.zygosity >= 0
        return (Certainty.CONSISTENT if ok else Certainty.POSSIBLE), parents
    return (Certainty.CONSISTENT if complete else Certainty.POSSIBLE), parents


def find_candidates(
    pedigree: Pedigree,
    *,
    build: str,
    query: VariantQuery | None = None,
    annotations: Path | Sequence[Path] | None = None,
    modes: Iterable[Mode] | None = None,
    min_parent_dp: int | None = None,
    min_parent_gq: int | None = None,
    batch_rows: int = 10_000,
    matrix: Matrix | None = None,
) -> Iterator[Candidate]:
    """The proband's variants passing ``query`` that fit at least one mode, in key order.

    ``modes`` defaults to every mode (compound heterozygous only with ``annotations``); asking for
    ``COMPOUND_HETEROZYGOUS`` without annotations is :class:`Invalid`. The query's ``skip``/``limit``
    page the candidates. Memory: one batch of rows plus the compound heterozygous sides (with them, the
    rows of every mode are read in one pass and kept until the pairs are known). ``matrix``: the family's
    genotype matrix (:mod:`vardesk.variants.matrix`), read instead of the members' files when it has them.
    """
    query = query or VariantQuery()
    wanted = set(Mode) if modes is None else set(modes)
    if annotations is None and Mode.COMPOUND_HETEROZYGOUS in wanted:
        if modes is not None:
            raise Invalid("compound heterozygous analysis needs the annotation (genes)")
        wanted.discard(Mode.COMPOUND_HETEROZYGOUS)
    genomes = pedigree.sequenced
    names = list(genomes)
    patterns = mode_patterns(
        pedigree,
        build,
        [m for m in Mode if m in wanted],
        min_parent_dp=min_parent_dp,
        min_parent_gq=min_parent_gq,
    )
    if not patterns:
        return
    unpaged = query.model_copy(update={"skip": 0, "limit": None})

    def rows(selected: list[GenotypePattern]) -> Iterator[dict[str, Any]]:
        for batch in family_batches(
            unpaged,
            genomes,
            members=names,
            patterns=selected,
            primary=pedigree.proband,
            annotations=annotations,
            batch_rows=batch_rows,
            matrix=matrix,
            only=_ROW_KEEP,
        ):
            yield from batch.to_pylist()

    pairs: dict[int, list[ComphetPair]] = {}
    source: Iterable[dict[str, Any]]
    if any(p.label == _SIDE for p in patterns):
        # one pass over the rows of every pattern (sides and the other modes together): the sides are
        # paired, and the rows kept until the pairs are known (the pairing holds every side anyway)
        kept: list[dict[str, Any]] = []

        def side_rows() -> Iterator[dict[str, Any]]:
            for r in rows(patterns):
                kept.append(r)
                if _SIDE in r["labels"]:
                    yield r

        sides = (_side(r, pedigree, names) for r in side_rows())
        pairs = pair_compound_hets(sides, solo=not pedigree.relatives())
        source = kept
    else:
        source = rows(patterns)
    candidates = (_candidate(r, pedigree, names, pairs) for r in source)
    found = (c for c in candidates if c.modes)
    yield from islice(found, query.skip, None if query.limit is None else query.skip + query.limit)


_ANNOTATION_KEEP = (
    "consequence",
    "impact",
    "transcript_id",
    "hgvs_c",
    "hgvs_p",
    "gnomad_af",
    "gnomad_af_grpmax",
    "gnomad_nhomalt",
    "clinvar_significance",
    "clinvar_id",
    "clinvar_stars",
    "clinvar_disease",
    "clinvar_review_status",
    "rsid",
    "qual",
)


# the columns of a row a candidate is made of (the rest of the row is read for the page shown only)
_ROW_KEEP = ("gene_symbol", "pos", *_ANNOTATION_KEEP)


def _candidate(
    row: dict[str, Any], ped: Pedigree, names: Sequence[str], pairs: dict[int, list[ComphetPair]]
) -> Candidate:
    calls = _calls(row, names)
    modes: list[ModeCall] = []
    for label in row["labels"]:
        if label == _SIDE:
            continue
        mode = Mode(label)
        certainty, evidence = _describe(mode, ped, calls)
        modes.append(ModeCall(mode, certainty, evidence))
    partners = tuple(pairs.get(row["key"], ()))
    if partners:
        best = min(partners, key=lambda p: RANK[p.certainty])
        modes.append(
            ModeCall(
                Mode.COMPOUND_HETEROZYGOUS,
                best.certainty,
                best.evidence,
                tuple(p.partner for p in partners),
            )
        )
    modes.sort(key=lambda m: _ORDER[m.mode])
    return Candidate(
        key=row["key"],
        chrom=row["chrom"],
        pos=row["pos"],
        ref=row["ref"],
        alt=row["alt"],
        gene=row.get("gene_symbol"),
        genes=_genes(row),
        calls=calls,
        modes=tuple(modes),
        comphet=partners,
        annotation={k: row[k] for k in _ANNOTATION_KEEP if k in row},
    )
