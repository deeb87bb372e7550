"""The automatic ACMG/AMP assessment of one candidate of a case: its annotation row with the bundle's gene
knowledge and gene models, the family's genotypes and the phenotype match, through both classifiers."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from vardesk.analysis.acmg import assess, input_from_annotation
from vardesk.analysis.acmg.inputs import FamilyData
from vardesk.analysis.acmg.inputs import PhenotypeMatch as AcmgPhenotype
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
