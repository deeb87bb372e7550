"""One ranked gene list from the burden score and the phenotype match.

Rules (``PrioritiseConfig.rule``), compared with ``bench/prioritise.py`` (see docs/prioritisation.md):

* ``LOGISTIC`` (default): ``1 / (1 + exp(-(b0 + b_pheno·phenotype + b_burden·burden)))`` with the
  burden score clipped to ``[0, burden_cap]`` — Exomiser's shape of combination; the coefficients
  were fitted by logistic regression on simulated cases of one benchmark seed and checked on others;
* ``PRODUCT``: ``phenotype × min(burden, cap) / cap``;
* ``RANK_FUSION``: reciprocal rank fusion ``1/(k + burden rank) + 1/(k + phenotype rank)``.

Without HPO terms the burden score alone ranks. Only genes whose best model scores above
``min_burden`` are ranked. Ties break by burden, then gene symbol, so the order is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from vardesk.analysis.prioritise.burden import BurdenConfig, score_genes
from vardesk.analysis.prioritise.model import Family, GeneBurden, VariantCall
from vardesk.analysis.prioritise.phenotype import PhenotypeIndex, PhenotypeMatch, phenotype_index


class Rule(StrEnum):
    LOGISTIC = "LOGISTIC"
    PRODUCT = "PRODUCT"
    RANK_FUSION = "RANK_FUSION"


@dataclass(frozen=True)
class PrioritiseConfig:
    burden: BurdenConfig = field(default_factory=BurdenConfig)
    rule: Rule = Rule.LOGISTIC
    intercept: float = -35.6  # fitted on bench/prioritise.py --seed 1 (docs/prioritisation.md)
    phenotype_weight: float = 35.5
    burden_weight: float = 0.52
    burden_cap: float = 30.0
    fusion_k: float = 10.0
    min_burden: float = 0.0


@dataclass(frozen=True)
class RankedGene:
    rank: int
    gene: str
    score: float
    burden: GeneBurden
    phenotype: PhenotypeMatch | None


def combine(burden: float, phenotype: float | None, config: PrioritiseConfig) -> float:
    """The LOGISTIC or PRODUCT combined score of one gene (RANK_FUSION needs the whole list)."""
    b = min(max(burden, 0.0), config.burden_cap)
    if phenotype is None:
        return b
    if config.rule is Rule.PRODUCT:
        return phenotype * b / config.burden_cap
    z = config.intercept + config.phenotype_weight * phenotype + config.burden_weight * b
    return 1.0 / (1.0 + math.exp(-z))


def _ranks(values: dict[str, float]) -> dict[str, int]:
    """Competition ranks: tied values share the best rank (1, 1, 3, …)."""
    ordered = sorted(values.values(), reverse=True)
    first: dict[float, int] = {}
    for i, v in enumerate(ordered):
        first.setdefault(v, i + 1)
    return {g: first[v] for g, v in values.items()}


def rank_genes(
    burdens: dict[str, GeneBurden],
    phenotypes: dict[str, PhenotypeMatch] | None,
    config: PrioritiseConfig | None = None,
) -> list[RankedGene]:
    cfg = config or PrioritiseConfig()
    kept = {g: b for g, b in burdens.items() if b.model is not None and b.score > cfg.min_burden}
    scores: dict[str, float]
    if phenotypes is None:
        scores = {g: combine(b.score, None, cfg) for g, b in kept.items()}
    elif cfg.rule is Rule.RANK_FUSION:
        rb = _ranks({g: b.score for g, b in kept.items()})
        rp = _ranks({g: phenotypes[g].score for g in kept})
        scores = {g: 1.0 / (cfg.fusion_k + rb[g]) + 1.0 / (cfg.fusion_k + rp[g]) for g in kept}
    else:
        scores = {g: combine(b.score, phenotypes[g].score, cfg) for g, b in kept.items()}
    order = sorted(kept, key=lambda g: (-scores[g], -kept[g].score, g))
    return [
        RankedGene(i + 1, g, scores[g], kept[g], None if phenotypes is None else phenotypes[g])
        for i, g in enumerate(order)
    ]


def prioritise(
    variants: Iterable[VariantCall],
    family: Family,
    hpo_terms: Sequence[str] = (),
    config: PrioritiseConfig | None = None,
    *,
    index: PhenotypeIndex | None = None,
) -> list[RankedGene]:
    """Rank the genes of a case: burden under the family's inheritance models, then the phenotype."""
    cfg = config or PrioritiseConfig()
    burdens = score_genes(variants, family, cfg.burden)
    phenotypes = None
    if hpo_terms:
        candidates = [g for g, b in burdens.items() if b.model is not None and b.score > cfg.min_burden]
        phenotypes = (index or phenotype_index()).match(hpo_terms, candidates)
    return rank_genes(burdens, phenotypes, cfg)
