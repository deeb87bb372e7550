"""Gene burden score: a VAAST-style composite log likelihood ratio per gene.

Each variant the proband carries gets a base score ``ln(w) - ln(P0)``: ``P0`` is the probability of
the proband's genotype in the background (``2p(1-p)`` het, ``p²`` hom-alt, ``p`` hemizygous, with
``p`` the larger of the gnomAD and in-house allele frequencies, floored at ``af_floor`` for novel
variants) and ``w`` the prior that a variant of its consequence is damaging (:mod:`.severity`).

Each gene is then scored under every inheritance model the family allows, and keeps the best:

* ``DOMINANT`` / ``DE_NOVO``: one heterozygous variant; ``+de_novo_bonus`` when both parents are
  sequenced and hom-ref;
* ``RECESSIVE_HOMOZYGOUS``: one hom-alt variant (null ``p²``);
* ``COMPOUND_HETEROZYGOUS``: the best two heterozygous variants in trans, judged by
  :func:`vardesk.analysis.inheritance_comphet.judge_pair` (phase, then parental origin); a pair
  in cis is never counted; an unproven phase costs ``ln 2``;
* ``X_LINKED_RECESSIVE``: a male carrying a variant on X outside the PARs (null ``p``), or a
  female hom-alt there.

Segregation terms: a sequenced unaffected relative with the genotype the model blames (carrier for
the dominant models and for a male under X-linked, hom-alt under the recessive ones) subtracts
``unaffected_penalty``; a sequenced affected relative without it subtracts the same; an affected
relative who shares it adds ``ln 2`` (the chance of sharing under the null). Everything is a listed
:class:`ScoreTerm`, so a gene's score is the sum of its terms.
"""

from __future__ import annotations

import math
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from vardesk.analysis.inheritance_comphet import Certainty, Side, judge_pair
from vardesk.analysis.prioritise.model import (
    HEMI,
    HET,
    HOM_ALT,
    HOM_REF,
    Family,
    FamilyMember,
    GeneBurden,
    Model,
    ScoreTerm,
    VariantCall,
)
from vardesk.analysis.prioritise.severity import severity_weight
from vardesk.domain.enums import Affected, Sex
from vardesk.domain.par import hemizygous_in_male
from vardesk.ingest.build import normalise_build

LN2 = math.log(2.0)


@dataclass(frozen=True)
class BurdenConfig:
    score_indels: bool = True
    af_floor: float = 1e-5  # background frequency of a variant never seen (about 1 in 50,000 genomes)
    de_novo_bonus: float = math.log(20.0)
    unaffected_penalty: float = 6.0
    build: str = "GRCh38"  # the genome build of the calls: which pseudo-autosomal regions apply
    max_comphet_sides: int = 12  # per gene: the best-scoring het variants tried as pair sides


@dataclass
class _Scored:
    call: VariantCall
    af: float
    af_source: str
    weight: float
    x_haploid: bool  # on X outside the pseudo-autosomal regions


def _background(call: VariantCall, floor: float) -> tuple[float, str]:
    seen = [(af, src) for af, src in ((call.gnomad_af, "gnomAD"), (call.inhouse_af, "in-house")) if af]
    if not seen:
        return floor, "novel"
    af, src = max(seen)
    return max(min(af, 1.0), floor), src


def _x_haploid(call: VariantCall, build: str) -> bool:
    """On chrX outside the build's pseudo-autosomal regions (:mod:`vardesk.domain.par`)."""
    return call.chrom.removeprefix("chr").upper() == "X" and hemizygous_in_male(call.chrom, call.pos, build)


def _rarity(v: _Scored, zygosity: str) -> ScoreTerm:
    p = v.af
    null = {"het": 2 * p * (1 - p), "hom": p * p, "hemi": p}[zygosity]
    null = max(null, 1e-300)
    what = f"{zygosity}, {v.af_source} AF {p:.2g}"
    return ScoreTerm(f"rarity ({what})", -math.log(null), v.call.label)


def _severity(v: _Scored) -> ScoreTerm:
    return ScoreTerm(f"severity ({v.call.consequence}, w={v.weight:.2f})", math.log(v.weight), v.call.label)


def _segregation(
    v: _Scored, family: Family, blamed: Iterable[int], cfg: BurdenConfig, *, male_blamed: Iterable[int] = ()
) -> list[ScoreTerm]:
    """Terms from relatives: ``blamed`` are the zygosities the model holds responsible (for males on
    X under the X-linked model, ``male_blamed``)."""
    out: list[ScoreTerm] = []
    blamed_set, male_set = set(blamed), set(male_blamed) or set(blamed)
    for rel in family.relatives():
        g = v.call.genotype(rel.name)
        if not g.called:
            continue
        fits = g.zygosity in (male_set if rel.sex is Sex.MALE else blamed_set)
        if rel.affected is Affected.UNAFFECTED and fits:
            out.append(
                ScoreTerm(
                    f"shared with unaffected {rel.name} (z={g.zygosity})",
                    -cfg.unaffected_penalty,
                    v.call.label,
                )
            )
        elif rel.affected is Affected.AFFECTED and fits:
            out.append(ScoreTerm(f"segregates with affected {rel.name}", LN2, v.call.label))
        elif rel.affected is Affected.AFFECTED and not g.carries:
            out.append(ScoreTerm(f"absent in affected {rel.name}", -cfg.unaffected_penalty, v.call.label))
    return out


def _parents_ref(v: _Scored, family: Family) -> bool:
    parents = [family.parent("father"), family.parent("mother")]
    if any(p is None for p in parents):
        return False
    return all(v.call.genotype(p.name).zygosity == HOM_REF for p in parents if p is not None)


def _total(terms: list[ScoreTerm]) -> float:
    return sum(t.value for t in terms)


def _dominant(v: _Scored, family: Family, cfg: BurdenConfig) -> tuple[Model, list[ScoreTerm]] | None:
    proband = family.index
    if v.call.genotype(proband.name).zygosity != HET:
        return None
    if v.x_haploid and proband.sex is Sex.MALE:
        return None  # a male "het" on X is scored as hemizygous
    terms = [_rarity(v, "het"), _severity(v)]
    model = Model.DOMINANT
    if _parents_ref(v, family):
        model = Model.DE_NOVO
        terms.append(ScoreTerm("de novo (both parents hom-ref)", cfg.de_novo_bonus, v.call.label))
    terms += _segregation(v, family, (HET, HOM_ALT, HEMI), cfg)
    return model, terms


def _homozygous(v: _Scored, family: Family, cfg: BurdenConfig) -> tuple[Model, list[ScoreTerm]] | None:
    proband = family.index
    z = v.call.genotype(proband.name).zygosity
    if v.x_haploid and proband.sex is not Sex.FEMALE:
        if z not in (HET, HOM_ALT, HEMI) or proband.sex is Sex.UNKNOWN and z == HET:
            return None
        terms = [_rarity(v, "hemi"), _severity(v)]
        if _parents_ref(v, family):
            terms.append(ScoreTerm("de novo on X (both parents hom-ref)", cfg.de_novo_bonus, v.call.label))
        terms += _segregation(v, family, (HOM_ALT,), cfg, male_blamed=(HET, HOM_ALT, HEMI))
        return Model.X_LINKED_RECESSIVE, terms
    if z != HOM_ALT:
        return None
    terms = [_rarity(v, "hom"), _severity(v)]
    for which in ("father", "mother"):
        parent = family.parent(which)
        if parent is not None and v.call.genotype(parent.name).zygosity == HOM_REF:
            terms.append(ScoreTerm(f"{which} {parent.name} does not carry", -LN2 * 3, v.call.label))
    terms += _segregation(v, family, (HOM_ALT,), cfg, male_blamed=(HOM_ALT, HEMI) if v.x_haploid else ())
    return (Model.X_LINKED_RECESSIVE if v.x_haploid else Model.RECESSIVE_HOMOZYGOUS), terms


def _side(v: _Scored, family: Family, unaffected: list[FamilyMember]) -> Side:
    g = v.call.genotype(family.proband)
    father, mother = family.parent("father"), family.parent("mother")
    return Side(
        key=v.call.key if v.call.key is not None else zlib.crc32(v.call.label.encode()),
        chrom=v.call.chrom,
        genes=v.call.genes,
        gt=g.gt or "0/1",
        phased=g.phased,
        phase_set=g.phase_set,
        father=None if father is None else v.call.genotype(father.name).zygosity,
        mother=None if mother is None else v.call.genotype(mother.name).zygosity,
        unaffected=tuple(v.call.genotype(m.name).zygosity for m in unaffected),
    )


def _compound(hets: list[_Scored], family: Family, cfg: BurdenConfig) -> list[ScoreTerm] | None:
    if len(hets) < 2:
        return None
    affected = [m for m in family.relatives() if m.affected is Affected.AFFECTED]
    unaffected = [m for m in family.relatives() if m.affected is Affected.UNAFFECTED]
    solo = not family.relatives()

    def base(v: _Scored) -> list[ScoreTerm]:
        return [_rarity(v, "het"), _severity(v)]

    ranked = sorted(hets, key=lambda v: (-_total(base(v)), v.call.label))[: cfg.max_comphet_sides]
    sides = [_side(v, family, unaffected) for v in ranked]
    best: list[ScoreTerm] | None = None
    for i, a in enumerate(ranked):
        for j in range(i + 1, len(ranked)):
            b = ranked[j]
            verdict = judge_pair(sides[i], sides[j], solo=solo)
            if verdict is None:
                continue
            certainty, evidence = verdict
            terms = base(a) + base(b)
            if certainty is not Certainty.CONSISTENT:
                terms.append(ScoreTerm(f"phase not proven ({evidence})", -LN2))
            for rel in affected:
                ga, gb = a.call.genotype(rel.name), b.call.genotype(rel.name)
                if ga.called and gb.called and not (ga.carries and gb.carries):
                    terms.append(ScoreTerm(f"affected {rel.name} lacks a hit", -cfg.unaffected_penalty))
            if best is None or _total(terms) > _total(best):
                best = terms
    return best


def score_genes(
    variants: Iterable[VariantCall], family: Family, config: BurdenConfig | None = None
) -> dict[str, GeneBurden]:
    """Gene symbol → burden, for every gene with a proband variant (scores may be negative)."""
    cfg = config or BurdenConfig()
    build = normalise_build(cfg.build)
    by_gene: dict[str, list[_Scored]] = defaultdict(list)
    for call in variants:
        if not cfg.score_indels and call.is_indel:
            continue
        if not call.genotype(family.proband).carries or not call.genes:
            continue
        af, src = _background(call, cfg.af_floor)
        scored = _Scored(
            call, af, src, severity_weight(call.consequence, call.in_silico), _x_haploid(call, build)
        )
        for gene in dict.fromkeys(call.genes):
            by_gene[gene].append(scored)
    return {gene: _score_gene(gene, group, family, cfg) for gene, group in sorted(by_gene.items())}


def _score_gene(gene: str, group: list[_Scored], family: Family, cfg: BurdenConfig) -> GeneBurden:
    options: list[tuple[float, int, Model, list[ScoreTerm]]] = []
    order = {m: i for i, m in enumerate(Model)}
    for v in sorted(group, key=lambda s: (s.call.chrom, s.call.pos, s.call.ref, s.call.alt)):
        for found in (_dominant(v, family, cfg), _homozygous(v, family, cfg)):
            if found is not None:
                model, terms = found
                options.append((_total(terms), order[model], model, terms))
    proband = family.index
    hets = [
        v
        for v in group
        if v.call.genotype(proband.name).zygosity == HET
        and not (v.x_haploid and proband.sex is not Sex.FEMALE)
    ]
    pair = _compound(hets, family, cfg)
    if pair is not None:
        model = Model.COMPOUND_HETEROZYGOUS
        options.append((_total(pair), order[model], model, pair))
    if not options:
        return GeneBurden(gene, 0.0, None, (), ())
    best: dict[Model, GeneBurden] = {}
    for score, _, model, terms in sorted(options, key=lambda o: (-o[0], o[1])):
        if model not in best:
            labels = tuple(dict.fromkeys(t.variant for t in terms if t.variant is not None))
            best[model] = GeneBurden(gene, score, model, labels, tuple(terms))
    ranked = tuple(best.values())
    return replace(ranked[0], by_model=ranked)
