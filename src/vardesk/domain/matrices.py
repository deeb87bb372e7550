"""The catalog's record of a genotype matrix (:mod:`vardesk.variants.matrix`): which genomes it holds, in
which order, built from which state of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vardesk.domain.models import new_uuid, utcnow


@dataclass(eq=False)
class GenotypeMatrix:
    """One matrix of a study: its members' genome ids in column-group order, the fingerprint of the
    genomes' state (genotype file, annotation source) and of the layout it was built from — a matrix
    whose fingerprint no longer matches is stale and not read — and its blob key."""

    workspace_id: int
    study_id: int
    members_key: str  # the sorted genome ids, "3,4,5": one matrix per set of genomes
    genome_ids: list[int]
    fingerprint: str
    layout: int
    blob_key: str
    rows: int = 0
    case_id: int | None = None  # the case it was built for (None: a multi-sample file's genomes)
    info: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    uuid: str = field(default_factory=new_uuid)
    built_at: datetime = field(default_factory=utcnow)
