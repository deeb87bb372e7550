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
from vardesk.analysis.prioritise.phenotype import MatchedTerm, PhenotypeIndex, PhenotypeMatch, phenotype_index
from vardesk.analysis.prioritise.rank import (
    PrioritiseConfig,
    RankedGene,
    Rule,
    combine,
    prioritise,
    rank_genes,
)
from vardesk.analysis.prioritise.severity import severity_weight

__all__ = [
    "BurdenConfig",
    "Family",
    "FamilyMember",
    "GeneBurden",
    "Genotype",
    "MatchedTerm",
    "Model",
    "PhenotypeIndex",
    "PhenotypeMatch",
    "PrioritiseConfig",
    "RankedGene",
    "Rule",
    "ScoreTerm",
    "VariantCall",
    "combine",
    "from_candidates",
    "phenotype_index",
    "prioritise",
    "rank_genes",
    "score_genes",
    "severity_weight",
]
