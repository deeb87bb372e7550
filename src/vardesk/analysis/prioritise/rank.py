"""One ranked gene list from the burden score and the phenotype match.

Rules (``PrioritiseConfig.rule``), compared with ``bench/prioritise.py`` (see docs/prioritisation.md):

* ``LOGISTIC`` (default), Exomiser's shape of combination, scored per explanation of a gene — a
  linked disease (the best-matching one of each set of modes of inheritance) with the best burden
  under a model the disease's modes allow, or under any model, flagged as a conflict —
  ``1 / (1 + exp(-z))``, ``z = b0 + b_pheno·phenotype + b_burden·burden + b_conflict·conflict``,
  ``phenotype = GENE_SHARE·gene-level + (1 − GENE_SHARE)·disease-level``, the burden clipped to
  ``[0, burden_cap]`` and weighed by ``burden_weight`` for one-hit models and
  ``biallelic_burden_weight`` for two-allele ones; the gene keeps its best explanation. The
  coefficients come from a logistic regression on simulated cases of benchmark seeds that are not
  reported (docs/prioritisation.md);
* ``PRODUCT``: ``phenotype × min(burden, cap) / cap`` (best model, best disease);
* ``RANK_FUSION``: reciprocal rank fusion ``1/(k + burden rank) + 1/(k + phenotype rank)``.

Without HPO terms the burden score alone ranks. Only genes whose best model scores above
``min_burden`` are ranked. Ties break by burden, then gene symbol, so the order is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from vardesk.analysis.prioritise.burden import BurdenConfig, score_genes
from vardesk.analysis.prioritise.model import Family, GeneBurden, Model, VariantCall
from vardesk.analysis.prioritise.modes import allowed_models
from vardesk.analysis.prioritise.phenotype import (
    GENE_SHARE,
    DiseaseMatch,
    PhenotypeIndex,
    PhenotypeMatch,
    phenotype_index,
)


class Rule(StrEnum):
    LOGISTIC = "LOGISTIC"
    PRODUCT = "PRODUCT"
    RANK_FUSION = "RANK_FUSION"


@dataclass(frozen=True)
class PrioritiseConfig:
    burden: BurdenConfig = field(default_factory=BurdenConfig)
    rule: Rule = Rule.LOGISTIC
    # LOGISTIC coefficients: maximum-likelihood logistic regression (bench/prioritise.py --fit) on
    # seeds 101-103 x 200 cases, disjoint from the seeds reported in docs/prioritisation.md
    intercept: float = -47.66
    phenotype_weight: float = 37.30  # x (GENE_SHARE x gene-level + (1 - GENE_SHARE) x disease-level)
    burden_weight: float = 1.707  # one-hit models: DE_NOVO, DOMINANT, X_LINKED_RECESSIVE
    biallelic_burden_weight: float = 1.094  # RECESSIVE_HOMOZYGOUS, COMPOUND_HETEROZYGOUS
    mode_conflict_weight: float = -6.13  # the disease's modes of inheritance exclude the model
    burden_cap: float = 30.0
    fusion_k: float = 10.0
    min_burden: float = 0.0
    # only these burden models (a mode of inheritance asked for, e.g. `vardesk rank --mode AR`); None: all
    models: frozenset[Model] | None = None


class ModeFit(StrEnum):
    """How the model of the burden fits the explaining disease's modes of inheritance."""

    AGREES = "AGREES"
    CONFLICTS = "CONFLICTS"  # e.g. one heterozygous hit for an autosomal recessive disease
    UNKNOWN = "UNKNOWN"  # the disease states no mode we score, or the gene has no linked disease


@dataclass(frozen=True)
class RankedGene:
    rank: int
    gene: str
    score: float
    burden: GeneBurden  # the explanation ranked: the burden under the model chosen (see ``mode``)
    phenotype: PhenotypeMatch | None
    disease: DiseaseMatch | None = None  # the linked disease of the explanation (LOGISTIC)
    mode: ModeFit | None = None  # how the burden's model fits that disease's modes (LOGISTIC)


BIALLELIC = frozenset({Model.RECESSIVE_HOMOZYGOUS, Model.COMPOUND_HETEROZYGOUS})


def combine(
    burden: float,
    phenotype: float | None,
    config: PrioritiseConfig,
    mode: ModeFit = ModeFit.AGREES,
    model: Model | None = None,
) -> float:
    """The LOGISTIC or PRODUCT combined score of one gene (RANK_FUSION needs the whole list).

    LOGISTIC only: a biallelic ``model`` weighs the burden by ``biallelic_burden_weight`` (its score
    sums two alleles' terms), and ``mode`` CONFLICTS adds ``mode_conflict_weight``."""
    b = min(max(burden, 0.0), config.burden_cap)
    if phenotype is None:
        return b
    if config.rule is Rule.PRODUCT:
        return phenotype * b / config.burden_cap
    weight = config.biallelic_burden_weight if model in BIALLELIC else config.burden_weight
    z = config.intercept + config.phenotype_weight * phenotype + weight * b
    if mode is ModeFit.CONFLICTS:
        z += config.mode_conflict_weight
    return 1.0 / (1.0 + math.exp(-z))


@dataclass(frozen=True)
class Explanation:
    score: float
    burden: GeneBurden
    disease: DiseaseMatch | None
    mode: ModeFit


def explanations(
    burden: GeneBurden, phenotype: PhenotypeMatch, config: PrioritiseConfig
) -> list[Explanation]:
    """Every (linked disease, model) explanation of a gene, LOGISTIC-scored, best first.

    For each linked disease (the best-matching one of each set of modes): the best burden under a
    model its modes allow, and the best burden under any model (flagged as conflicting when the
    model is not allowed). The phenotype is ``GENE_SHARE × gene-level + (1 − GENE_SHARE) × that
    disease's match``. Without a linked disease: the gene-level match, any model, mode unknown.
    """
    found: list[Explanation] = []

    def add(b: GeneBurden, d: DiseaseMatch | None, fit: ModeFit) -> None:
        disease_score = 0.0 if d is None else d.score
        pheno = GENE_SHARE * phenotype.gene_score + (1 - GENE_SHARE) * disease_score
        found.append(Explanation(combine(b.score, pheno, config, fit, b.model), b, d, fit))

    for d in phenotype.diseases:
        allowed = allowed_models(d.modes)
        if allowed is None:
            add(burden, d, ModeFit.UNKNOWN)
            continue
        fitting = burden.under(allowed)
        if fitting is not None:
            add(fitting, d, ModeFit.AGREES)
        if burden.model not in allowed:
            add(burden, d, ModeFit.CONFLICTS)
    if not phenotype.diseases:
        add(burden, None, ModeFit.UNKNOWN)
    return sorted(found, key=lambda e: (-e.score, -e.burden.score))


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
    chosen: dict[str, Explanation] = {}
    scores: dict[str, float]
    if phenotypes is None:
        scores = {g: combine(b.score, None, cfg) for g, b in kept.items()}
    elif cfg.rule is Rule.RANK_FUSION:
        rb = _ranks({g: b.score for g, b in kept.items()})
        rp = _ranks({g: phenotypes[g].score for g in kept})
        scores = {g: 1.0 / (cfg.fusion_k + rb[g]) + 1.0 / (cfg.fusion_k + rp[g]) for g in kept}
    elif cfg.rule is Rule.PRODUCT:
        scores = {g: combine(b.score, phenotypes[g].score, cfg) for g, b in kept.items()}
    else:
        chosen = {g: explanations(b, phenotypes[g], cfg)[0] for g, b in kept.items()}
        scores = {g: e.score for g, e in chosen.items()}
    used = {g: chosen[g].burden if g in chosen else b for g, b in kept.items()}
    order = sorted(kept, key=lambda g: (-scores[g], -used[g].score, g))
    return [
        RankedGene(
            i + 1,
            g,
            scores[g],
            used[g],
            None if phenotypes is None else phenotypes[g],
            chosen[g].disease if g in chosen else None,
            chosen[g].mode if g in chosen else None,
        )
        for i, g in enumerate(order)
    ]


def _restricted(burden: GeneBurden, models: frozenset[Model]) -> GeneBurden | None:
    """The gene's burden under ``models`` only (its best among them, with the others of them kept)."""
    best = burden.under(models)
    if best is None:
        return None
    return replace(best, by_model=tuple(b for b in burden.by_model or (burden,) if b.model in models))


def prioritise(
    variants: Iterable[VariantCall],
    family: Family,
    hpo_terms: Sequence[str] = (),
    config: PrioritiseConfig | None = None,
    *,
    excluded: Sequence[str] = (),
    index: PhenotypeIndex | None = None,
) -> list[RankedGene]:
    """Rank the genes of a case: burden under the family's inheritance models, then the phenotype
    (``hpo_terms`` observed; ``excluded`` the negated terms, which penalise the genes annotated with them)."""
    cfg = config or PrioritiseConfig()
    burdens = score_genes(variants, family, cfg.burden)
    if cfg.models is not None:
        burdens = {g: r for g, b in burdens.items() if (r := _restricted(b, cfg.models)) is not None}
    phenotypes = None
    if hpo_terms:
        candidates = [g for g, b in burdens.items() if b.model is not None and b.score > cfg.min_burden]
        phenotypes = (index or phenotype_index()).match(hpo_terms, candidates, excluded)
    return rank_genes(burdens, phenotypes, cfg)
