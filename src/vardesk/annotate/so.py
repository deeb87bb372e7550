"""The Sequence Ontology vocabulary the annotators use: domain data, kept in :mod:`vardesk.domain.so`."""

from __future__ import annotations

from vardesk.domain.so import (
    BCFTOOLS_TO_SO,
    IMPACT,
    RANK,
    SEVERITY,
    SO_ACCESSIONS,
    UNKNOWN_RANK,
    impact,
    rank,
    to_so,
    worst,
)

__all__ = [
    "BCFTOOLS_TO_SO",
    "IMPACT",
    "RANK",
    "SEVERITY",
    "SO_ACCESSIONS",
    "UNKNOWN_RANK",
    "impact",
    "rank",
    "to_so",
    "worst",
]
