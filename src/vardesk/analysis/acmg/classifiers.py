"""Classifiers combining met evidence into a five-tier class, behind one interface.

* :class:`Acmg2015Classifier` — Richards et al. 2015, Table 5. Criteria count at their applied
  strength (``PVS1_Strong`` counts as a strong). Benign moderate counts as supporting and benign
  very strong as strong (the 2015 rules have no such levels). A second very strong counts as a
  strong. When the pathogenic side reaches P/LP and the benign side reaches B/LB the evidence is
  contradictory → VUS; BA1 is stand-alone benign.
* :class:`PointsClassifier` — the ClinGen SVI point scale (Tavtigian et al. 2018, Genet Med 20:1054;
  Tavtigian et al. 2020, Hum Mutat 41:1734): very strong 8, strong 4, moderate 2, supporting 1,
  benign negative; P >= 10, LP 6..9, VUS 0..5, LB -1..-6, B <= -7; BA1 stand-alone benign.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from vardesk.analysis.acmg.model import Direction, Evidence, Strength
from vardesk.domain.enums import Classification

C = Classification
POINTS = {
    Strength.VERY_STRONG: 8,
    Strength.STRONG: 4,
    Strength.MODERATE: 2,
    Strength.SUPPORTING: 1,
    Strength.STAND_ALONE: 8,
}


@dataclass(frozen=True)
class ClassifierResult:
    system: str
    classification: Classification
    rule: str
    criteria: tuple[str, ...]  # labels of the met criteria used
    points: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "classification": self.classification.value,
            "rule": self.rule,
            "criteria": list(self.criteria),
            "points": self.points,
        }


class Classifier(Protocol):
    name: str

    def classify(self, evidence: Iterable[Evidence]) -> ClassifierResult: ...


def _met(evidence: Iterable[Evidence]) -> list[Evidence]:
    return [e for e in evidence if e.met]


def _labels(evidence: list[Evidence]) -> tuple[str, ...]:
    return tuple(e.label for e in evidence)


_PATHOGENIC_KEYS = {Strength.STRONG: "ps", Strength.MODERATE: "pm", Strength.SUPPORTING: "pp"}


@dataclass(frozen=True)
class Counts:
    pvs: int = 0
    ps: int = 0
    pm: int = 0
    pp: int = 0
    ba: int = 0
    bs: int = 0
    bp: int = 0

    @classmethod
    def of(cls, evidence: list[Evidence]) -> Counts:
        n = {"pvs": 0, "ps": 0, "pm": 0, "pp": 0, "ba": 0, "bs": 0, "bp": 0}
        for e in evidence:
            s = e.strength
            if e.direction is Direction.PATHOGENIC:
                key = _PATHOGENIC_KEYS.get(s, "pvs")
            elif s is Strength.STAND_ALONE:
                key = "ba"
            elif s in (Strength.VERY_STRONG, Strength.STRONG):
                key = "bs"
            else:
                key = "bp"
            n[key] += 1
        if n["pvs"] > 1:  # a second very strong is at least a strong
            n["ps"] += n["pvs"] - 1
            n["pvs"] = 1
        return cls(**n)


def _pathogenic_2015(c: Counts) -> tuple[Classification, str] | None:
    vs, s, m, p = c.pvs, c.ps, c.pm, c.pp
    rules: tuple[tuple[bool, Classification, str], ...] = (
        (vs >= 1 and s >= 1, C.PATHOGENIC, "Pathogenic (i)(a): 1 very strong and >=1 strong"),
        (vs >= 1 and m >= 2, C.PATHOGENIC, "Pathogenic (i)(b): 1 very strong and >=2 moderate"),
        (
            vs >= 1 and m == 1 and p >= 1,
            C.PATHOGENIC,
            "Pathogenic (i)(c): 1 very strong, 1 moderate, 1 supporting",
        ),
        (vs >= 1 and p >= 2, C.PATHOGENIC, "Pathogenic (i)(d): 1 very strong and >=2 supporting"),
        (s >= 2, C.PATHOGENIC, "Pathogenic (ii): >=2 strong"),
        (s == 1 and m >= 3, C.PATHOGENIC, "Pathogenic (iii)(a): 1 strong and >=3 moderate"),
        (
            s == 1 and m == 2 and p >= 2,
            C.PATHOGENIC,
            "Pathogenic (iii)(b): 1 strong, 2 moderate, >=2 supporting",
        ),
        (
            s == 1 and m == 1 and p >= 4,
            C.PATHOGENIC,
            "Pathogenic (iii)(c): 1 strong, 1 moderate, >=4 supporting",
        ),
        (vs >= 1 and m == 1, C.LIKELY_PATHOGENIC, "Likely pathogenic (i): 1 very strong and 1 moderate"),
        (s == 1 and 1 <= m <= 2, C.LIKELY_PATHOGENIC, "Likely pathogenic (ii): 1 strong and 1-2 moderate"),
        (s == 1 and p >= 2, C.LIKELY_PATHOGENIC, "Likely pathogenic (iii): 1 strong and >=2 supporting"),
        (m >= 3, C.LIKELY_PATHOGENIC, "Likely pathogenic (iv): >=3 moderate"),
        (m == 2 and p >= 2, C.LIKELY_PATHOGENIC, "Likely pathogenic (v): 2 moderate and >=2 supporting"),
        (m == 1 and p >= 4, C.LIKELY_PATHOGENIC, "Likely pathogenic (vi): 1 moderate and >=4 supporting"),
    )
    return next(((cls, rule) for ok, cls, rule in rules if ok), None)


def _benign_2015(c: Counts) -> tuple[Classification, str] | None:
    if c.ba >= 1:
        return C.BENIGN, "Benign (i): 1 stand-alone (BA1)"
    if c.bs >= 2:
        return C.BENIGN, "Benign (ii): >=2 strong"
    if c.bs == 1 and c.bp >= 1:
        return C.LIKELY_BENIGN, "Likely benign (i): 1 strong and 1 supporting"
    if c.bp >= 2:
        return C.LIKELY_BENIGN, "Likely benign (ii): >=2 supporting"
    return None


class Acmg2015Classifier:
    name = "ACMG/AMP 2015"

    def classify(self, evidence: Iterable[Evidence]) -> ClassifierResult:
        used = _met(evidence)
        c = Counts.of(used)
        path, ben = _pathogenic_2015(c), _benign_2015(c)
        labels = _labels(used)
        if ben is not None and ben[0] is C.BENIGN and c.ba >= 1:
            return ClassifierResult(self.name, C.BENIGN, ben[1], labels)
        if path and ben:
            rule = f"Uncertain significance (ii): contradictory — {path[1]}; {ben[1]}"
            return ClassifierResult(self.name, C.UNCERTAIN_SIGNIFICANCE, rule, labels)
        hit = path or ben
        if hit:
            return ClassifierResult(self.name, hit[0], hit[1], labels)
        return ClassifierResult(
            self.name, C.UNCERTAIN_SIGNIFICANCE, "Uncertain significance (i): criteria not met", labels
        )


def points_of(e: Evidence) -> int:
    p = POINTS[e.strength]
    return p if e.direction is Direction.PATHOGENIC else -p


class PointsClassifier:
    name = "ClinGen SVI points"

    def classify(self, evidence: Iterable[Evidence]) -> ClassifierResult:
        used = _met(evidence)
        labels = _labels(used)
        total = sum(points_of(e) for e in used if e.strength is not Strength.STAND_ALONE)
        if any(e.direction is Direction.BENIGN and e.strength is Strength.STAND_ALONE for e in used):
            return ClassifierResult(self.name, C.BENIGN, "BA1 stand-alone", labels, total)
        if total >= 10:
            cls, rule = C.PATHOGENIC, ">= 10 points"
        elif total >= 6:
            cls, rule = C.LIKELY_PATHOGENIC, "6 to 9 points"
        elif total >= 0:
            cls, rule = C.UNCERTAIN_SIGNIFICANCE, "0 to 5 points"
        elif total >= -6:
            cls, rule = C.LIKELY_BENIGN, "-1 to -6 points"
        else:
            cls, rule = C.BENIGN, "<= -7 points"
        return ClassifierResult(self.name, cls, f"{total} points: {rule}", labels, total)


DEFAULT_CLASSIFIERS: tuple[Classifier, ...] = (Acmg2015Classifier(), PointsClassifier())
