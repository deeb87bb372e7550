"""Core ACMG/AMP vocabulary: criteria, strengths, evidence records and their JSON form.

Criterion codes, default strengths and rule texts follow Richards et al. 2015 (Genet Med 17:405,
Tables 3 and 4). Strength modifiers (``PVS1_Strong``, ``PM2_Supporting`` …) follow the ClinGen
Sequence Variant Interpretation (SVI) convention: the code keeps its name, the applied strength
changes and the label gains a suffix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Direction(StrEnum):
    PATHOGENIC = "pathogenic"
    BENIGN = "benign"


class Strength(StrEnum):
    STAND_ALONE = "STAND_ALONE"
    VERY_STRONG = "VERY_STRONG"
    STRONG = "STRONG"
    MODERATE = "MODERATE"
    SUPPORTING = "SUPPORTING"

    @property
    def suffix(self) -> str:
        return {
            Strength.STAND_ALONE: "StandAlone",
            Strength.VERY_STRONG: "VeryStrong",
            Strength.STRONG: "Strong",
            Strength.MODERATE: "Moderate",
            Strength.SUPPORTING: "Supporting",
        }[self]

    @property
    def rank(self) -> int:
        """Larger is stronger."""
        return {
            Strength.SUPPORTING: 1,
            Strength.MODERATE: 2,
            Strength.STRONG: 3,
            Strength.VERY_STRONG: 4,
            Strength.STAND_ALONE: 5,
        }[self]


class Status(StrEnum):
    MET = "MET"
    NOT_MET = "NOT_MET"
    NOT_EVALUABLE = "NOT_EVALUABLE"


class Source(StrEnum):
    AUTOMATIC = "automatic"
    MANUAL = "manual"


@dataclass(frozen=True)
class CriterionInfo:
    code: str
    direction: Direction
    default_strength: Strength
    rule: str
    automatic: bool


_P, _B = Direction.PATHOGENIC, Direction.BENIGN
_VS, _S, _M, _SP, _SA = (
    Strength.VERY_STRONG,
    Strength.STRONG,
    Strength.MODERATE,
    Strength.SUPPORTING,
    Strength.STAND_ALONE,
)

# (code, direction, default strength, rule text paraphrasing Richards et al. 2015 Tables 3-4, automatic?)
_CRITERIA: tuple[tuple[str, Direction, Strength, str, bool], ...] = (
    ("PVS1", _P, _VS, "Null variant in a gene where loss of function is a known mechanism of disease", True),
    ("PS1", _P, _S, "Same amino-acid change as an established pathogenic variant", True),
    ("PS2", _P, _S, "De novo (maternity and paternity confirmed) in a patient with the disease", True),
    ("PS3", _P, _S, "Well-established functional studies show a damaging effect", False),
    ("PS4", _P, _S, "Prevalence in affected individuals significantly increased over controls", False),
    ("PM1", _P, _M, "Located in a mutational hot spot or critical functional domain", False),
    ("PM2", _P, _M, "Absent from controls (or extremely low frequency if recessive)", True),
    ("PM3", _P, _M, "For recessive disorders, detected in trans with a pathogenic variant", True),
    ("PM4", _P, _M, "Protein length change: in-frame indel in a non-repeat region or stop-loss", True),
    ("PM5", _P, _M, "Novel missense change at a residue where another pathogenic missense is known", True),
    ("PM6", _P, _M, "Assumed de novo, without confirmation of paternity and maternity", True),
    ("PP1", _P, _SP, "Co-segregation with disease in multiple affected family members", True),
    ("PP2", _P, _SP, "Missense in a gene with a low rate of benign missense where missense is common", True),
    ("PP3", _P, _SP, "Computational evidence supports a deleterious effect", True),
    ("PP4", _P, _SP, "Patient phenotype or family history highly specific for the gene", True),
    ("PP5", _P, _SP, "Reputable source reports the variant as pathogenic", False),
    ("BA1", _B, _SA, "Allele frequency above 5% in a large population data set", True),
    ("BS1", _B, _S, "Allele frequency greater than expected for the disorder", True),
    (
        "BS2",
        _B,
        _S,
        "Observed in a healthy adult with the genotype that would cause a penetrant disease",
        True,
    ),
    ("BS3", _B, _S, "Well-established functional studies show no damaging effect", False),
    ("BS4", _B, _S, "Lack of segregation in affected members of a family", False),
    ("BP1", _B, _SP, "Missense in a gene where primarily truncating variants cause disease", True),
    ("BP2", _B, _SP, "In trans with a pathogenic variant (dominant, fully penetrant) or in cis (any)", True),
    ("BP3", _B, _SP, "In-frame indel in a repetitive region without known function", False),
    ("BP4", _B, _SP, "Computational evidence suggests no impact on gene or gene product", True),
    ("BP5", _B, _SP, "Found in a case with an alternate molecular basis for disease", False),
    ("BP6", _B, _SP, "Reputable source reports the variant as benign", False),
    ("BP7", _B, _SP, "Synonymous (or deep intronic) with no predicted splice impact", True),
)

CRITERIA: dict[str, CriterionInfo] = {
    code: CriterionInfo(code, d, s, rule, auto) for code, d, s, rule, auto in _CRITERIA
}
CRITERION_ORDER: tuple[str, ...] = tuple(c[0] for c in _CRITERIA)


def criterion(code: str) -> CriterionInfo:
    try:
        return CRITERIA[code.upper()]
    except KeyError:
        raise ValueError(f"unknown ACMG/AMP criterion {code!r}") from None


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
        if self.strength is criterion(self.criterion).default_strength:
            return self.criterion
        return f"{self.criterion}_{self.strength.suffix}"

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
