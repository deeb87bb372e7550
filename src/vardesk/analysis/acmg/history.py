"""Append-only classification history: computed classes and user overrides with who/when/why.

Pure model: a history is a tuple of :class:`ClassificationRecord`; every function returns a new,
longer tuple and never changes an earlier record. Persistence is the caller's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vardesk.analysis.acmg.classifiers import ClassifierResult
from vardesk.domain.enums import Classification

History = tuple["ClassificationRecord", ...]


@dataclass(frozen=True)
class ClassificationRecord:
    classification: Classification  # the class in force after this record
    computed: Classification  # what the classifier said (kept beside an override)
    system: str
    by: str
    at: str  # ISO 8601, supplied by the caller
    is_override: bool = False
    reason: str | None = None
    criteria: tuple[str, ...] = ()
    points: int | None = None
    rule: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "classification": self.classification.value,
            "computed": self.computed.value,
            "system": self.system,
            "by": self.by,
            "at": self.at,
            "is_override": self.is_override,
            "reason": self.reason,
            "criteria": list(self.criteria),
            "points": self.points,
            "rule": self.rule,
        }


def record_computed(history: History, result: ClassifierResult, *, by: str, at: str) -> History:
    """Append the classifier's result as the class in force."""
    rec = ClassificationRecord(
        classification=result.classification,
        computed=result.classification,
        system=result.system,
        by=by,
        at=at,
        criteria=result.criteria,
        points=result.points,
        rule=result.rule,
    )
    return (*history, rec)


def record_override(
    history: History,
    classification: Classification,
    *,
    reason: str,
    by: str,
    at: str,
    computed: ClassifierResult | None = None,
) -> History:
    """Append a user's class; the computed one (given, or the latest recorded) stays beside it."""
    if not reason or not reason.strip():
        raise ValueError("an override needs a reason")
    if computed is None and not history:
        raise ValueError("nothing computed to override: pass the classifier result")
    rule: str | None
    if computed is not None:
        base_cls, system = computed.classification, computed.system
        criteria, points, rule = computed.criteria, computed.points, computed.rule
    else:
        last = history[-1]
        base_cls, system = last.computed, last.system
        criteria, points, rule = last.criteria, last.points, last.rule
    rec = ClassificationRecord(
        classification=classification,
        computed=base_cls,
        system=system,
        by=by,
        at=at,
        is_override=True,
        reason=reason.strip(),
        criteria=criteria,
        points=points,
        rule=rule,
    )
    return (*history, rec)


def current(history: History) -> ClassificationRecord | None:
    return history[-1] if history else None
