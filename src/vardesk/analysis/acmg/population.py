"""Population criteria: PM2 (SVI 2020, supporting), BA1 (Ghosh et al. 2018), BS1 and BS2."""

from __future__ import annotations

from collections.abc import Mapping

from vardesk.analysis.acmg.config import AcmgConfig
from vardesk.analysis.acmg.inputs import (
    FamilyData,
    GeneFacts,
    Inheritance,
    PopulationData,
    Relation,
    Sex,
    VariantEvidenceInput,
)
from vardesk.analysis.acmg.model import Evidence, Strength, Thresholds, met, not_evaluable, not_met


def _sources(inp: VariantEvidenceInput) -> dict[str, str]:
    p = inp.population
    version = (p.version if p else None) or inp.provenance.gnomad_version
    name = p.source if p else "gnomAD"
    return {name: version or "unknown version"}


def frequency(pop: PopulationData, metrics: tuple[str, ...]) -> tuple[str, float] | None:
    """The first of ``metrics`` the record carries; absent records count as frequency 0."""
    if not pop.found:
        return (metrics[0], 0.0) if metrics else None
    for m in metrics:
        v = getattr(pop, m)
        if v is not None:
            return m, float(v)
    return None


def _coverage_caveats(pop: PopulationData, cfg: AcmgConfig) -> list[str]:
    if pop.well_covered is False:
        return ["The site is flagged as poorly covered in the population data: absence is weak evidence."]
    if pop.mean_depth is not None:
        if pop.mean_depth < cfg.min_coverage:
            return [
                f"Mean depth {pop.mean_depth:g} < {cfg.min_coverage:g} at the site: absence is weak evidence."
            ]
        return []
    if pop.well_covered is None:
        return ["Coverage at the site in the population data is unknown."]
    return []


def assign_pm2(inp: VariantEvidenceInput, cfg: AcmgConfig, done: Mapping[str, Evidence]) -> Evidence:
    pop, gene = inp.population, inp.gene
    src = _sources(inp)
    if pop is None:
        return not_evaluable("PM2", "no population data", sources=src)
    caveats: list[str] = []
    if gene is not None and gene.pm2_threshold is not None:
        limit, basis = gene.pm2_threshold, f"gene threshold for {gene.symbol}"
    elif gene is not None and gene.recessive and not gene.dominant:
        limit, basis = cfg.pm2_recessive_max_af, "recessive"
    else:
        limit, basis = cfg.pm2_dominant_max_af, "dominant"
        if gene is None or not gene.inheritance:
            caveats.append("Inheritance unknown: the dominant (stricter) threshold is used.")
    strength = Strength(cfg.pm2_strength)
    thresholds: Thresholds = {"max_af": limit, "basis": basis}
    if not pop.found:
        return met(
            "PM2",
            f"absent from {pop.source}",
            strength,
            thresholds=thresholds,
            sources=src,
            caveats=[*caveats, *_coverage_caveats(pop, cfg)],
        )
    f = frequency(pop, cfg.pm2_metrics)
    if f is None:
        return not_evaluable("PM2", "population record without a usable frequency", sources=src)
    metric, value = f
    thresholds["metric"] = metric
    if value <= limit:
        return met(
            "PM2",
            f"{metric} {value:.3g} <= {limit:g} ({basis})",
            strength,
            thresholds=thresholds,
            sources=src,
            caveats=caveats,
        )
    return not_met("PM2", f"{metric} {value:.3g} > {limit:g} ({basis})", thresholds=thresholds, sources=src)


def _listed_exception(inp: VariantEvidenceInput, cfg: AcmgConfig) -> bool:
    """The variant's gene and c. change on any transcript match an entry of ``ba1_exception_hgvs``."""
    genes = {inp.gene.symbol} if inp.gene else set()
    for tc in inp.consequences:
        change = (tc.hgvs_c or "").split(":")[-1]
        if change and genes and any((g, change) in cfg.ba1_exception_hgvs for g in genes):
            return True
    return False


def assign_ba1(inp: VariantEvidenceInput, cfg: AcmgConfig, done: Mapping[str, Evidence]) -> Evidence:
    pop = inp.population
    src = _sources(inp)
    thresholds: Thresholds = {"min_af": cfg.ba1_min_af, "min_an": cfg.ba1_min_an}
    if pop is None:
        return not_evaluable("BA1", "no population data", sources=src)
    if inp.variant.id in cfg.ba1_exceptions or _listed_exception(inp, cfg):
        return not_met(
            "BA1",
            "variant is on the BA1 exception list (ClinGen SVI, Ghosh et al. 2018)",
            thresholds=thresholds,
            sources=src,
        )
    f = frequency(pop, cfg.benign_metrics)
    if f is None:
        return not_evaluable("BA1", "population record without a usable frequency", sources=src)
    metric, value = f
    thresholds["metric"] = metric
    if value <= cfg.ba1_min_af:
        return not_met(
            "BA1", f"{metric} {value:.3g} <= {cfg.ba1_min_af:g}", thresholds=thresholds, sources=src
        )
    if pop.an is not None and pop.an < cfg.ba1_min_an:
        return not_met(
            "BA1",
            f"{metric} {value:.3g} but only {pop.an} alleles observed",
            thresholds=thresholds,
            sources=src,
        )
    caveats = [] if pop.an is not None else ["Allele number unknown: data-set size not checked."]
    return met(
        "BA1",
        f"{metric} {value:.3g} > {cfg.ba1_min_af:g}",
        Strength.STAND_ALONE,
        thresholds=thresholds,
        sources=src,
        caveats=caveats,
    )


def _bs1_threshold(gene: GeneFacts | None, cfg: AcmgConfig) -> tuple[float | None, str]:
    if gene is None or not gene.inheritance:
        if gene is not None and gene.bs1_threshold is not None:
            return gene.bs1_threshold, f"gene threshold for {gene.symbol}"
        return None, "inheritance of the gene unknown"
    if gene.bs1_threshold is not None:
        return gene.bs1_threshold, f"gene threshold for {gene.symbol}"
    if gene.recessive:
        return cfg.bs1_recessive_min_af, "recessive"
    return cfg.bs1_dominant_min_af, "dominant"


def assign_bs1(inp: VariantEvidenceInput, cfg: AcmgConfig, done: Mapping[str, Evidence]) -> Evidence:
    pop = inp.population
    src = _sources(inp)
    if pop is None:
        return not_evaluable("BS1", "no population data", sources=src)
    limit, basis = _bs1_threshold(inp.gene, cfg)
    if limit is None:
        return not_evaluable("BS1", f"no frequency threshold for the disorder ({basis})", sources=src)
    f = frequency(pop, cfg.benign_metrics)
    if f is None:
        return not_evaluable("BS1", "population record without a usable frequency", sources=src)
    metric, value = f
    thresholds: Thresholds = {"min_af": limit, "basis": basis, "metric": metric}
    if value > limit:
        return met("BS1", f"{metric} {value:.3g} > {limit:g} ({basis})", thresholds=thresholds, sources=src)
    return not_met("BS1", f"{metric} {value:.3g} <= {limit:g} ({basis})", thresholds=thresholds, sources=src)


def _healthy_relatives(family: FamilyData | None, modes: frozenset[Inheritance]) -> list[str]:
    """Unaffected adult relatives whose genotype would cause a penetrant disease in every mode."""
    if family is None:
        return []
    found = []
    for m in family.members:
        if m.relation is Relation.PROBAND or m.affected is not False or m.adult is not True:
            continue
        ok = []
        for mode in modes:
            if mode is Inheritance.AUTOSOMAL_RECESSIVE:
                ok.append(m.zygosity == 2)
            elif mode.x_linked and not mode.dominant:
                ok.append(m.sex is Sex.MALE and m.zygosity in (2, 3) or m.zygosity == 2)
            else:
                ok.append(m.carrier)
        if ok and all(ok):
            found.append(m.id)
    return found


def assign_bs2(inp: VariantEvidenceInput, cfg: AcmgConfig, done: Mapping[str, Evidence]) -> Evidence:
    """Healthy adults with the disease genotype: gnomAD counts, or unaffected relatives.

    Every inheritance mode of the gene must be refuted: homozygotes refute recessive disease,
    hemizygotes X-linked recessive disease, heterozygotes (and homozygotes) a dominant disease —
    the last only for genes flagged fully penetrant at an early age.
    """
    gene, pop = inp.gene, inp.population
    src = _sources(inp)
    thresholds = {
        "min_homozygotes": cfg.bs2_min_homozygotes,
        "min_hemizygotes": cfg.bs2_min_hemizygotes,
        "min_heterozygotes": cfg.bs2_min_heterozygotes,
    }
    if gene is None or not gene.inheritance:
        return not_evaluable("BS2", "inheritance of the gene unknown")
    modes = gene.inheritance
    dominant_ok = gene.fully_penetrant is True
    relatives = _healthy_relatives(inp.family, modes) if (dominant_ok or not gene.dominant) else []
    if relatives:
        return met(
            "BS2",
            f"unaffected adult relative(s) with the genotype: {', '.join(relatives)}",
            thresholds=thresholds,
        )
    if pop is None:
        return not_evaluable("BS2", "no population data and no informative relatives", sources=src)
    if not pop.found:
        return not_met("BS2", f"absent from {pop.source}", thresholds=thresholds, sources=src)
    reasons, missing = [], []
    for mode in sorted(modes):
        if mode is Inheritance.AUTOSOMAL_RECESSIVE:
            n, need, what = pop.nhomalt, cfg.bs2_min_homozygotes, "homozygotes"
        elif mode.x_linked and not mode.dominant:
            n, need, what = pop.nhemi, cfg.bs2_min_hemizygotes, "hemizygotes"
        elif mode is Inheritance.MITOCHONDRIAL:
            return not_evaluable("BS2", "mitochondrial inheritance is not assessed automatically")
        else:
            if not dominant_ok:
                return not_evaluable(
                    "BS2", f"{gene.symbol} is not flagged fully penetrant at an early age (dominant mode)"
                )
            n, need, what = pop.ac, cfg.bs2_min_heterozygotes, "carriers (allele count)"
        if n is None:
            missing.append(what)
        elif n >= need:
            reasons.append(f"{n} {what} >= {need} ({mode.value})")
        else:
            return not_met("BS2", f"{n} {what} < {need} ({mode.value})", thresholds=thresholds, sources=src)
    if missing:
        return not_evaluable("BS2", f"population data lacks {', '.join(missing)}", sources=src)
    return met(
        "BS2",
        "; ".join(reasons),
        thresholds=thresholds,
        sources=src,
        caveats=["Population data-set individuals are not guaranteed healthy or adult."],
    )
