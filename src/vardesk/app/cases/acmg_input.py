"""The automatic ACMG/AMP assessment of one candidate of a case: its annotation row with the bundle's gene
knowledge and gene models, the family's genotypes and the phenotype match, through both classifiers."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from vardesk.analysis.acmg import assess, input_from_annotation
from vardesk.analysis.acmg.inputs import FamilyData, Phase, PhasedVariant
from vardesk.analysis.acmg.inputs import PhenotypeMatch as AcmgPhenotype
from vardesk.analysis.inheritance import Candidate
from vardesk.app.cases.gene_knowledge import EMPTY as EMPTY_KNOWLEDGE
from vardesk.app.cases.gene_knowledge import gene_facts, regions_at
from vardesk.app.cases.gene_knowledge import versions as knowledge_versions
from vardesk.domain.transcript import Transcript
from vardesk.knowledge.gene_evidence import GeneKnowledge


def automatic_acmg(
    row: dict[str, Any] | None,
    build: str,
    gnomad_version: str | None,
    clinvar_version: str | None,
    *,
    family: FamilyData | None = None,
    phenotype: AcmgPhenotype | None = None,
    knowledge: GeneKnowledge = EMPTY_KNOWLEDGE,
    transcripts: dict[str, Transcript] | None = None,
) -> dict[str, Any]:
    """The ACMG/AMP evidence knowable from the annotation, the gene knowledge of the bundle, the family's
    genotypes and the phenotype match, with both classifiers' results."""
    if row is None:
        return {}
    more: dict[str, Any] = {}
    if family is not None:
        more["family"] = family
    if phenotype is not None:
        more["phenotype"] = phenotype
    symbol = row.get("gene_symbol")
    if symbol and not knowledge.empty:
        more["gene"] = gene_facts(knowledge, str(symbol), row.get("gene_id"))
        more["regions"] = regions_at(knowledge, str(row["chrom"]), int(row["pos"]), str(symbol))
    inp = input_from_annotation(
        row,
        build=build,
        gnomad_version=gnomad_version,
        clinvar_version=clinvar_version,
        transcripts=transcripts,
        **more,
    )
    if not knowledge.empty:
        extra = {**inp.provenance.extra, **knowledge_versions(knowledge)}
        inp = replace(inp, provenance=replace(inp.provenance, extra=extra))
    assessment = assess(inp)
    doc = assessment.to_dict()
    met = [e for e in doc["evidence"] if e.get("status") == "MET"]
    return {
        "met": [e.get("label") or e.get("criterion") for e in met],
        "classifications": doc["classifications"],
        "provenance": doc["provenance"],
        "evidence": doc["evidence"],
    }


def _carrier(c: Candidate, name: str | None) -> bool | None:
    """Whether member ``name`` carries candidate ``c`` (no call: hom-ref); None without that member."""
    if name is None:
        return None
    call = c.calls.get(name)
    return call is not None and call.called and call.zygosity in (1, 2, 3)


def phase_of(a: Candidate, b: Candidate, mother: str | None, father: str | None) -> Phase:
    """Phase of two heterozygous variants of the proband from the parents' genotypes: one from each parent
    → trans; both from one parent and neither from the other → cis; otherwise unknown."""
    ma, fa, mb, fb = (_carrier(x, p) for x in (a, b) for p in (mother, father))
    if None in (ma, fa, mb, fb):
        return Phase.UNKNOWN
    if (ma and not fa and fb and not mb) or (fa and not ma and mb and not fb):
        return Phase.TRANS
    if (ma and mb and not fa and not fb) or (fa and fb and not ma and not mb):
        return Phase.CIS
    return Phase.UNKNOWN


def phased_partners(
    c: Candidate, candidates: list[Candidate], proband: str, mother: str | None, father: str | None
) -> tuple[PhasedVariant, ...]:
    """The proband's other heterozygous candidates in ``c``'s gene with their phase (PM3 and BP2). A
    partner's class is its ClinVar significance when reviewed (≥ 1 star), else uncertain significance."""
    mine = c.calls.get(proband)
    if not c.gene or mine is None or mine.zygosity != 1:
        return ()
    out = []
    for other in candidates:
        call = other.calls.get(proband)
        if other.key == c.key or other.gene != c.gene or call is None or call.zygosity != 1:
            continue
        a = other.annotation
        reviewed = (a.get("clinvar_stars") or 0) >= 1 and a.get("clinvar_significance")
        sig = str(a["clinvar_significance"]) if reviewed else "Uncertain significance"
        variant_id = f"{other.chrom}-{other.pos}-{other.ref}-{other.alt}"
        out.append(PhasedVariant(variant_id, phase_of(c, other, mother, father), sig))
    return tuple(out)
