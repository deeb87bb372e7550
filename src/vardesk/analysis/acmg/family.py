"""Family criteria: PS2 / PM6 (de novo), PM3 (in trans, recessive), PP1 (co-segregation), BP2.

* PS2 / PM6 follow the ClinGen SVI de novo recommendation (v1.1): points by phenotype consistency —
  highly specific phenotype 2 (confirmed) / 1 (assumed), consistent but not highly specific
  1 / 0.5 — converted to strength (0.5 supporting, 1 moderate, 2 strong, 4 very strong). Without
  phenotype information the 2015 strengths apply (PS2 strong, PM6 moderate).
* PM3 follows the SVI PM3 recommendation (2019), simplified to one proband: in trans with a
  pathogenic variant 1 point, likely pathogenic 0.5; phase unknown 0.5 / 0.25; in trans with a VUS
  0.25; homozygous 0.5; points → strength as above.
* PP1 counts co-segregating meioses (Jarvik & Browning 2016): 3 supporting, 5 moderate, 7 strong.
"""

from __future__ import annotations

from collections.abc import Mapping

from vardesk.analysis.acmg.config import AcmgConfig
from vardesk.analysis.acmg.inputs import (
    FamilyData,
    FamilyMember,
    Inheritance,
    Phase,
    Relation,
    VariantEvidenceInput,
)
from vardesk.analysis.acmg.model import Evidence, Strength, Thresholds, met, not_evaluable, not_met
from vardesk.analysis.acmg.protein import normalise_significance


def points_strength(points: float) -> Strength | None:
    """SVI points → strength: 0.5 supporting, 1 moderate, 2 strong, 4 very strong."""
    for bound, s in ((4.0, Strength.VERY_STRONG), (2.0, Strength.STRONG), (1.0, Strength.MODERATE)):
        if points >= bound:
            return s
    return Strength.SUPPORTING if points >= 0.5 else None


def _de_novo(inp: VariantEvidenceInput, cfg: AcmgConfig) -> tuple[bool | None, str, list[str]]:
    """(de novo?, explanation, caveats) from the trio genotypes, else the caller's call."""
    fam = inp.family
    assert fam is not None
    caveats: list[str] = []
    proband, mother, father = fam.proband, fam.member(Relation.MOTHER), fam.member(Relation.FATHER)
    genotyped = proband and mother and father and proband.called and mother.called and father.called
    if not genotyped:
        if fam.de_novo is not None:
            return fam.de_novo, "de novo status supplied without trio genotypes", caveats
        return None, "trio genotypes incomplete", caveats
    assert proband and mother and father
    if not proband.carrier:
        return False, "the proband does not carry the variant", caveats
    carriers = [p.relation.value.lower() for p in (mother, father) if p.carrier]
    if carriers:
        return False, f"inherited (carried by the {' and '.join(carriers)})", caveats
    for p in (mother, father):
        if p.depth is None:
            caveats.append(f"Depth in the {p.relation.value.lower()} unknown.")
        elif p.depth < cfg.de_novo_min_parent_depth:
            return (
                None,
                f"{p.relation.value.lower()} hom-ref at depth {p.depth} < {cfg.de_novo_min_parent_depth}",
                caveats,
            )
    if proband.affected is None:
        caveats.append("Affected status of the proband not recorded.")
    elif proband.affected is False:
        return False, "the proband is not affected", caveats
    return True, "absent from both parents, present in the proband", caveats


def _de_novo_evidence(code: str, inp: VariantEvidenceInput, cfg: AcmgConfig) -> Evidence:
    fam = inp.family
    thresholds: Thresholds = {"min_parent_depth": cfg.de_novo_min_parent_depth}
    if fam is None:
        return not_evaluable(code, "no family data")
    confirmed = fam.parentage_confirmed is True
    if code == "PS2" and not confirmed:
        return not_met(code, "maternity and paternity not confirmed (see PM6)")
    if code == "PM6" and confirmed:
        return not_met(code, "maternity and paternity confirmed (see PS2)")
    dn, why, caveats = _de_novo(inp, cfg)
    if dn is None:
        return not_evaluable(code, why, thresholds=thresholds, caveats=caveats)
    if not dn:
        return not_met(code, why, thresholds=thresholds)
    ph = inp.phenotype
    if ph is None or ph.highly_specific is None:
        strength = Strength.STRONG if confirmed else Strength.MODERATE
        caveats.append("Phenotype specificity unknown: 2015 strength used instead of SVI de novo points.")
        return met(code, why, strength, thresholds=thresholds, caveats=caveats)
    points = (2.0 if ph.highly_specific else 1.0) * (1.0 if confirmed else 0.5)
    thresholds["points"] = points
    graded = points_strength(points)
    assert graded is not None
    spec = "highly specific" if ph.highly_specific else "consistent, not highly specific"
    return met(
        code, f"{why}; phenotype {spec}: {points:g} points", graded, thresholds=thresholds, caveats=caveats
    )


def assign_ps2(inp: VariantEvidenceInput, cfg: AcmgConfig, done: Mapping[str, Evidence]) -> Evidence:
    return _de_novo_evidence("PS2", inp, cfg)


def assign_pm6(inp: VariantEvidenceInput, cfg: AcmgConfig, done: Mapping[str, Evidence]) -> Evidence:
    return _de_novo_evidence("PM6", inp, cfg)


_PM3_POINTS = {
    (Phase.TRANS, "pathogenic"): 1.0,
    (Phase.TRANS, "likely pathogenic"): 0.5,
    (Phase.UNKNOWN, "pathogenic"): 0.5,
    (Phase.UNKNOWN, "likely pathogenic"): 0.25,
    (Phase.TRANS, "uncertain significance"): 0.25,
}


def assign_pm3(inp: VariantEvidenceInput, cfg: AcmgConfig, done: Mapping[str, Evidence]) -> Evidence:
    gene, fam = inp.gene, inp.family
    if gene is None or not gene.inheritance:
        return not_evaluable("PM3", "inheritance of the gene unknown")
    if not gene.recessive:
        return not_met("PM3", f"{gene.symbol} is not associated with a recessive disorder")
    if fam is None:
        return not_evaluable("PM3", "no family or phase data")
    best, why = 0.0, "no other variant in the gene and not homozygous"
    proband = fam.proband
    if proband is not None and proband.zygosity == 2:
        best, why = 0.5, "homozygous in the proband"
    for pv in fam.phased_variants:
        sig = normalise_significance(pv.classification)
        if sig == "pathogenic/likely pathogenic":
            sig = "likely pathogenic"
        p = _PM3_POINTS.get((pv.phase, sig), 0.0)
        if p > best:
            best, why = p, f"{pv.phase.value} with {pv.variant_id} ({pv.classification})"
    strength = points_strength(best)
    thresholds = {"points": best}
    if strength is None:
        return not_met("PM3", f"{why}: {best:g} points", thresholds=thresholds)
    return met("PM3", f"{why}: {best:g} points", strength, thresholds=thresholds)


def count_meioses(fam: FamilyData) -> int:
    """Meioses transmitting the variant from a carrier parent to an affected carrier child."""
    by_id = {m.id: m for m in fam.members}
    mother, father = fam.member(Relation.MOTHER), fam.member(Relation.FATHER)

    def parents(m: FamilyMember) -> list[FamilyMember]:
        ids = [m.mother_id, m.father_id]
        out = [by_id[i] for i in ids if i and i in by_id]
        if m.relation in (Relation.PROBAND, Relation.SIBLING) and not out:
            out = [p for p in (mother, father) if p is not None]
        return out

    return sum(1 for m in fam.members if m.affected and m.carrier for p in parents(m) if p.carrier)


def assign_pp1(inp: VariantEvidenceInput, cfg: AcmgConfig, done: Mapping[str, Evidence]) -> Evidence:
    gene, fam = inp.gene, inp.family
    thresholds = {
        "supporting_meioses": cfg.pp1_supporting_meioses,
        "moderate_meioses": cfg.pp1_moderate_meioses,
        "strong_meioses": cfg.pp1_strong_meioses,
    }
    if fam is None:
        return not_evaluable("PP1", "no family data")
    if fam.informative_meioses is not None:
        n, how = fam.informative_meioses, "supplied"
    else:
        if gene is None or not gene.inheritance:
            return not_evaluable("PP1", "inheritance of the gene unknown")
        if not (gene.dominant or any(m.x_linked for m in gene.inheritance)):
            return not_evaluable("PP1", "automatic meiosis counting covers dominant and X-linked genes only")
        against = [m.id for m in fam.members if m.affected and m.called and not m.carrier]
        if against:
            return not_met("PP1", f"affected relative(s) without the variant: {', '.join(against)}")
        n, how = count_meioses(fam), "counted from the pedigree"
    thresholds["meioses"] = n
    for need, s in (
        (cfg.pp1_strong_meioses, Strength.STRONG),
        (cfg.pp1_moderate_meioses, Strength.MODERATE),
        (cfg.pp1_supporting_meioses, Strength.SUPPORTING),
    ):
        if n >= need:
            return met("PP1", f"{n} co-segregating meioses ({how}) >= {need}", s, thresholds=thresholds)
    return not_met(
        "PP1", f"{n} co-segregating meioses ({how}) < {cfg.pp1_supporting_meioses}", thresholds=thresholds
    )


def assign_bp2(inp: VariantEvidenceInput, cfg: AcmgConfig, done: Mapping[str, Evidence]) -> Evidence:
    fam, gene = inp.family, inp.gene
    if fam is None or not fam.phased_variants:
        return not_evaluable("BP2", "no phase information on other variants in the gene")
    plp = [
        pv
        for pv in fam.phased_variants
        if normalise_significance(pv.classification).startswith(("pathogenic", "likely pathogenic"))
    ]
    cis = [pv for pv in plp if pv.phase is Phase.CIS]
    if cis:
        return met("BP2", f"in cis with pathogenic {cis[0].variant_id}")
    trans = [pv for pv in plp if pv.phase is Phase.TRANS]
    if trans:
        if gene is None or not gene.inheritance or gene.fully_penetrant is None:
            return not_evaluable("BP2", "in trans with a pathogenic variant; inheritance/penetrance unknown")
        dominant_only = gene.inheritance <= {Inheritance.AUTOSOMAL_DOMINANT, Inheritance.X_LINKED_DOMINANT}
        if dominant_only and gene.fully_penetrant:
            return met(
                "BP2", f"in trans with pathogenic {trans[0].variant_id} in a fully penetrant dominant gene"
            )
        return not_met(
            "BP2", "in trans with a pathogenic variant, but the gene is not fully penetrant dominant"
        )
    return not_met("BP2", "not observed with a pathogenic variant in cis or (dominant) in trans")
