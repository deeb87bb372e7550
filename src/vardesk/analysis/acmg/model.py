"""Core ACMG/AMP vocabulary: criteria, strengths, evidence records and their JSON form.

Criterion codes, default strengths and rule texts follow Richards et al. 2015 (Genet Med 17:405,
Tables 3 and 4). Strength modifiers (``PVS1_Strong``, ``PM2_Supporting`` …) follow the ClinGen
Sequence Variant Interpretation (SVI) convention: the code keeps its name, the applied strength
changes and the label gains a suffix. The vocabulary itself (codes, strengths, directions, the
strengths each code may take) is defined once in :mod:`vardesk.domain.acmg`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from vardesk.domain.acmg import (
    CRITERIA,
    CRITERION_ORDER,
    AcmgCriterion,
    CriterionInfo,
    Direction,
    Strength,
    criterion,
)

__all__ = [
    "CRITERIA",
    "CRITERION_ORDER",
    "CriterionInfo",
    "Direction",
    "Evidence",
    "Source",
    "Status",
    "Strength",
    "criterion",
    "met",
    "not_evaluable",
    "not_met",
]


class Status(StrEnum):
    MET = "MET"
    NOT_MET = "NOT_MET"
    NOT_EVALUABLE = "NOT_EVALUABLE"


class Source(StrEnum):
    AUTOMATIC = "automatic"
    MANUAL = "manual"


Scalar = str | int | float | bool | None
Thresholds = dict[str, Scalar]


@dataclass(frozen=True)
class Evidence:
    """The outcome of one criterion for one variant."""

    criterion: str
    status: Status
    strength: Strength
    direction: Direction
    rule: str
    explanation: str
    thresholds: Mapping[str, Scalar] = field(default_factory=dict)
    data_sources: Mapping[str, str] = field(default_factory=dict)
    caveats: tuple[str, ...] = ()
    source: Source = Source.AUTOMATIC
    reason: str | None = None
    by: str | None = None
    at: str | None = None
    automatic: Evidence | None = None  # what the automatic assigner said, for manual entries

    @property
    def met(self) -> bool:
        return self.status is Status.MET

    @property
    def label(self) -> str:
        """``PVS1`` at its default strength, ``PVS1_Strong`` otherwise."""
        return AcmgCriterion(self.criterion, self.strength).label

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "criterion": self.criterion,
            "label": self.label,
            "status": self.status.value,
            "strength": self.strength.value,
            "direction": self.direction.value,
            "source": self.source.value,
            "rule": self.rule,
            "explanation": self.explanation,
            "thresholds": dict(sorted(self.thresholds.items())),
            "data_sources": dict(sorted(self.data_sources.items())),
            "caveats": list(self.caveats),
        }
        if self.source is Source.MANUAL:
            d["reason"] = self.reason
            d["by"] = self.by
            d["at"] = self.at
            d["automatic"] = self.automatic.to_dict() if self.automatic else None
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Evidence:
        """An evidence record from its :meth:`to_dict` form (as stored with a report variant)."""
        info = criterion(str(d["criterion"]))
        auto = d.get("automatic")
        return cls(
            criterion=info.code,
            status=Status(d.get("status") or Status.NOT_EVALUABLE),
            strength=Strength(d.get("strength") or info.default_strength),
            direction=info.direction,
            rule=str(d.get("rule") or info.rule),
            explanation=str(d.get("explanation") or ""),
            thresholds=dict(d.get("thresholds") or {}),
            data_sources=dict(d.get("data_sources") or {}),
            caveats=tuple(d.get("caveats") or ()),
            source=Source(d.get("source") or Source.AUTOMATIC),
            reason=d.get("reason"),
            by=d.get("by"),
            at=d.get("at"),
            automatic=cls.from_dict(auto) if isinstance(auto, Mapping) else None,
        )


def _make(
    code: str,
    status: Status,
    explanation: str,
    strength: Strength | None,
    thresholds: Mapping[str, Scalar] | None,
    sources: Mapping[str, str] | None,
    caveats: tuple[str, ...] | list[str],
) -> Evidence:
    info = criterion(code)
    return Evidence(
        criterion=info.code,
        status=status,
        strength=strength or info.default_strength,
        direction=info.direction,
        rule=info.rule,
        explanation=explanation,
        thresholds=dict(thresholds or {}),
        data_sources={k: v for k, v in (sources or {}).items() if v},
        caveats=tuple(caveats),
    )


def met(
    code: str,
    explanation: str,
    strength: Strength | None = None,
    *,
    thresholds: Mapping[str, Scalar] | None = None,
    sources: Mapping[str, str] | None = None,
    caveats: tuple[str, ...] | list[str] = (),
) -> Evidence:
    return _make(code, Status.MET, explanation, strength, thresholds, sources, caveats)


def not_met(
    code: str,
    explanation: str,
    *,
    thresholds: Mapping[str, Scalar] | None = None,
    sources: Mapping[str, str] | None = None,
    caveats: tuple[str, ...] | list[str] = (),
) -> Evidence:
    return _make(code, Status.NOT_MET, explanation, None, thresholds, sources, caveats)


def not_evaluable(
    code: str,
    explanation: str,
    *,
    thresholds: Mapping[str, Scalar] | None = None,
    sources: Mapping[str, str] | None = None,
    caveats: tuple[str, ...] | list[str] = (),
) -> Evidence:
    return _make(code, Status.NOT_EVALUABLE, explanation, None, thresholds, sources, caveats)
