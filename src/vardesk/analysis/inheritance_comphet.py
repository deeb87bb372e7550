"""Compound heterozygous pairs: two heterozygous variants of the proband in one gene, in trans.

Works on the already filtered candidate "sides" (rare heterozygous variants of the proband that no
unaffected relative is homozygous for), grouped per gene. A pair is judged, in this order:

1. excluded when an unaffected sequenced relative carries both variants (in trans they would be
   affected; in cis the proband inherited the two together);
2. by phase, when both genotypes are phased (``|``) in the same phase set (a missing ``PS`` is one
   phase set per chromosome): opposite haplotypes → compound het, same haplotype → excluded;
3. by parental origin, when both parents are sequenced: one allele from each parent → compound het;
   both from the same parent → excluded; otherwise (a parent carries both, an allele absent from both
   parents, a no-call) → possible but "unphased/uncertain";
4. with one parent sequenced: excluded when that parent is hom-ref at both (both alleles came from
   the other parent, on one haplotype), else "unphased/uncertain";
5. with no parent sequenced: "unphased/uncertain", or "possible" with evidence "proband only" when
   no relative at all is sequenced.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

CARRIES = (1, 2, 3)


class Certainty(StrEnum):
    """How well the family's genotypes support a mode."""

    CONSISTENT = "consistent"  # the sequenced family fits the mode (trans shown by phase or parents)
    UNCERTAIN = "uncertain"  # fits, but the phase / origin cannot be told from the data
    POSSIBLE = "possible"  # only the proband (or too few relatives) sequenced: not contradicted


RANK = {Certainty.CONSISTENT: 0, Certainty.UNCERTAIN: 1, Certainty.POSSIBLE: 2}


@dataclass(frozen=True)
class Side:
    """One heterozygous variant of the proband, with what the family says about it.

    ``father``/``mother`` are the parents' zygosities (None when not sequenced); ``unaffected`` the
    zygosities of the unaffected sequenced relatives, in a fixed order shared by all sides.
    """

    key: int
    chrom: str
    genes: tuple[str, ...]
    gt: str
    phased: bool
    phase_set: int | None
    father: int | None
    mother: int | None
    unaffected: tuple[int, ...]


@dataclass(frozen=True)
class ComphetPair:
    """The other half of a compound heterozygous pair, the gene(s) they share and the evidence."""

    partner: int
    genes: tuple[str, ...]
    certainty: Certainty
    evidence: str


def _haplotype(gt: str) -> int | None:
    alleles = gt.split("|")
    if len(alleles) != 2 or alleles.count("1") != 1:
        return None
    return alleles.index("1")


def _origin(father: int, mother: int) -> str:
    if father < 0 or mother < 0:
        return "no call"
    f, m = father in CARRIES, mother in CARRIES
    return {(True, False): "father", (False, True): "mother", (True, True): "both"}.get((f, m), "neither")


def judge_pair(a: Side, b: Side, *, solo: bool) -> tuple[Certainty, str] | None:
    """(certainty, evidence) when ``a`` and ``b`` may be in trans, None when excluded."""
    for za, zb in zip(a.unaffected, b.unaffected, strict=True):
        if za in CARRIES and zb in CARRIES:
            return None
    if a.phased and b.phased and a.chrom == b.chrom and a.phase_set == b.phase_set:
        ha, hb = _haplotype(a.gt), _haplotype(b.gt)
        if ha is not None and hb is not None:
            if ha == hb:
                return None
            ps = "" if a.phase_set is None else f" (phase set {a.phase_set})"
            return Certainty.CONSISTENT, f"phased in trans{ps}"
    if a.father is not None and a.mother is not None and b.father is not None and b.mother is not None:
        oa, ob = _origin(a.father, a.mother), _origin(b.father, b.mother)
        if {oa, ob} == {"father", "mother"}:
            return Certainty.CONSISTENT, "in trans: one allele from each parent"
        if oa == ob and oa in ("father", "mother"):
            return None
        return Certainty.UNCERTAIN, f"unphased/uncertain: origins {oa} and {ob}"
    if solo:
        return Certainty.POSSIBLE, "proband only"
    for pa_, pb_, other in (
        (a.father, b.father, "mother"),
        (a.mother, b.mother, "father"),
    ):
        if pa_ is not None and pb_ is not None:  # this parent sequenced, the other not
            if pa_ == 0 and pb_ == 0:
                return None
            return Certainty.UNCERTAIN, f"unphased/uncertain: {other} not sequenced"
    return Certainty.UNCERTAIN, "unphased/uncertain: parents not sequenced"


def pair_compound_hets(sides: Iterable[Side], *, solo: bool) -> dict[int, list[ComphetPair]]:
    """Variant key → its compound heterozygous partners (sorted by key), from sides of many genes."""
    by_gene: dict[str, list[Side]] = defaultdict(list)
    for s in sides:
        for g in s.genes:
            by_gene[g].append(s)
    found: dict[tuple[int, int], tuple[set[str], Certainty, str]] = {}
    for gene, group in by_gene.items():
        group.sort(key=lambda s: s.key)
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if a.key == b.key:
                    continue
                pair = (a.key, b.key)
                if pair in found:
                    found[pair][0].add(gene)
                    continue
                verdict = judge_pair(a, b, solo=solo)
                if verdict is not None:
                    found[pair] = ({gene}, *verdict)
    out: dict[int, list[ComphetPair]] = defaultdict(list)
    for (ka, kb), (genes, certainty, evidence) in found.items():
        shared = tuple(sorted(genes))
        out[ka].append(ComphetPair(kb, shared, certainty, evidence))
        out[kb].append(ComphetPair(ka, shared, certainty, evidence))
    return {k: sorted(v, key=lambda p: p.partner) for k, v in out.items()}
