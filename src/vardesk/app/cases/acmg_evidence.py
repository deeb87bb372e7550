"""A report variant's ACMG/AMP evidence as shown: the automatic evidence with the reviewer's criteria over
it, and the classification the classifiers suggest from that — next to the reviewer's own classification."""

from __future__ import annotations

from typing import Any

from vardesk.analysis.acmg.combine import Combined, combine_stored
from vardesk.analysis.acmg.model import Evidence, Source
from vardesk.domain.cases import ReportVariant


def combined(rv: ReportVariant) -> Combined | None:
    """The combined evidence; None with neither an automatic assessment nor a reviewer's criterion."""
    auto = (rv.acmg or {}).get("automatic") or None
    if not auto and not rv.criteria:
        return None
    return combine_stored(auto, rv.criteria)


def _entry(e: Evidence) -> dict[str, Any]:
    manual = e.source is Source.MANUAL
    replaced = e.automatic if manual and e.automatic is not None and e.automatic.met else None
    return {
        "code": e.criterion,
        "label": e.label,
        "strength": e.strength.value,
        "direction": e.direction.value,
        "source": e.source.value,
        "by": e.by,
        "at": e.at,
        "comment": e.reason if manual else None,
        "explanation": e.explanation,
        "overrides": replaced.label if replaced else None,
    }


def acmg_view(rv: ReportVariant) -> dict[str, Any]:
    """``evidence``: the met criteria that count, each ``{code, label, strength, direction, source
    (manual|automatic), by, at, comment, explanation, overrides}``; ``suggested``: the combined
    classification (``{system, classification, rule, criteria, points, classifications}``) or None."""
    c = combined(rv)
    if c is None:
        return {"evidence": [], "suggested": None}
    return {"evidence": [_entry(e) for e in c.met], "suggested": c.to_dict()}
