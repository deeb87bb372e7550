"""Reviewer criteria combined with the automatic evidence by the same classifiers.

A report variant keeps the automatic assessment of its analysis run (``Assessment.to_dict()`` form) and
the criteria a reviewer recorded (:class:`~vardesk.domain.acmg.ManualCriterion`). :func:`combine` puts them
together: a reviewer's criterion replaces the automatic evidence for the same code (the automatic record is
kept inside it), a criterion the assigners did not meet is added, and every classifier runs over the result
— the suggested classification shown next to the reviewer's own. Removing the reviewer's criterion gives the
automatic evidence back, since nothing here is stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from vardesk.analysis.acmg.classifiers import DEFAULT_CLASSIFIERS, Classifier, ClassifierResult
from vardesk.analysis.acmg.model import (
    CRITERION_ORDER,
    Evidence,
    Source,
    Status,
    not_evaluable,
)
from vardesk.domain.acmg import ManualCriterion


def manual_record(entry: ManualCriterion, automatic: Evidence | None = None) -> Evidence:
    """A reviewer's criterion as met evidence at the strength they gave, with who/when/why."""
    info = entry.criterion.info
    said = f"set by {entry.by or 'a reviewer'}"
    return Evidence(
        criterion=info.code,
        status=Status.MET,
        strength=entry.strength,
        direction=info.direction,
        rule=info.rule,
        explanation=f"{said}: {entry.comment}" if entry.comment else said,
        source=Source.MANUAL,
        reason=entry.comment,
        by=entry.by,
        at=entry.at,
        automatic=automatic,
    )


@dataclass(frozen=True)
class Combined:
    evidence: tuple[Evidence, ...]  # every criterion in Richards order
    classifications: tuple[ClassifierResult, ...]

    @property
    def met(self) -> tuple[Evidence, ...]:
        return tuple(e for e in self.evidence if e.met)

    @property
    def suggested(self) -> ClassifierResult:
        """The first classifier's result (the ACMG/AMP 2015 rules by default)."""
        return self.classifications[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.suggested.to_dict(),
            "classifications": [r.to_dict() for r in self.classifications],
        }


def combine(
    automatic: Iterable[Evidence],
    manual: Iterable[ManualCriterion],
    classifiers: tuple[Classifier, ...] = DEFAULT_CLASSIFIERS,
) -> Combined:
    """The automatic evidence with the reviewer's criteria over it, classified by every classifier."""
    auto = {e.criterion: e for e in automatic}
    by_code = {m.code: m for m in manual}  # a later entry for a code wins
    evidence = []
    for code in CRITERION_ORDER:
        if code in by_code:
            evidence.append(manual_record(by_code[code], auto.get(code)))
        elif code in auto:
            evidence.append(auto[code])
        else:
            evidence.append(not_evaluable(code, "no automatic assessment; set manually with a reason"))
    ordered = tuple(evidence)
    return Combined(ordered, tuple(c.classify(ordered) for c in classifiers))


def combine_stored(
    automatic: Mapping[str, Any] | None,
    manual: Iterable[ManualCriterion],
    classifiers: tuple[Classifier, ...] = DEFAULT_CLASSIFIERS,
) -> Combined:
    """:func:`combine` over an automatic assessment in its stored (``to_dict``) form, or none."""
    docs = (automatic or {}).get("evidence") or []
    return combine((Evidence.from_dict(d) for d in docs), manual, classifiers)
