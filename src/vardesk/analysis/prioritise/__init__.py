"""Gene prioritisation: a VAAST-style burden score per gene, an HPO phenotype match, one ranked list.

See docs/prioritisation.md. Entry point: :func:`prioritise`.
"""

from vardesk.analysis.prioritise.burden import BurdenConfig, score_genes
from vardesk.analysis.prioritise.candidates import from_candidates
from vardesk.analysis.prioritise.model import (
    Family,
    FamilyMember,
    GeneBurden,
    Genotype,
    Model,
    ScoreTerm,
    VariantCall,
)
from vardesk.analysis.prioritise.modes import allowed_models
from vardesk.analysis.prioritise.phenotype import (
    DiseaseMatch,
    MatchedTerm,
    PhenotypeIndex,
    PhenotypeMatch,
    phenotype_index,
)
from vardesk.analysis.prioritise.rank import (
    Explanation,
    ModeFit,
    PrioritiseConfig,
    RankedGene,
    Rule,
    combine,
    explanations,
    prioritise,
    rank_genes,
)
from vardesk.analysis.prioritise.severity import severity_weight

__all__ = [
    "BurdenConfig",
    "DiseaseMatch",
    "Explanation",
    "Family",
    "FamilyMember",
    "GeneBurden",
    "Genotype",
    "MatchedTerm",
    "Model",
    "ModeFit",
    "PhenotypeIndex",
    "PhenotypeMatch",
    "PrioritiseConfig",
    "RankedGene",
    "Rule",
    "ScoreTerm",
    "VariantCall",
    "allowed_models",
    "combine",
    "explanations",
    "from_candidates",
    "phenotype_index",
    "prioritise",
    "rank_genes",
    "score_genes",
    "severity_weight",
]
