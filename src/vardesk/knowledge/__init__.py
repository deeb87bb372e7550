"""Reference knowledge that ships with Vardesk's dependencies and works without an installed bundle.

``genes``: the gene catalogue (HGNC symbols, aliases, previous symbols and ids; MANE transcripts;
gene locations), used for panel validation and gene-level assignment.
"""

from vardesk.knowledge.genes import GeneCatalogue, gene_catalogue
from vardesk.knowledge.models import (
    Candidate,
    Gene,
    GeneLocation,
    ManeTranscript,
    MatchKind,
    PanelGene,
    PanelGeneResult,
    Resolution,
    ResolutionStatus,
)
from vardesk.knowledge.sources import DataSource, GeneDataUnavailable

__all__ = [
    "Candidate",
    "DataSource",
    "Gene",
    "GeneCatalogue",
    "GeneDataUnavailable",
    "GeneLocation",
    "ManeTranscript",
    "MatchKind",
    "PanelGene",
    "PanelGeneResult",
    "Resolution",
    "ResolutionStatus",
    "gene_catalogue",
]
