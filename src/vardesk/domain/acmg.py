"""The ACMG/AMP criterion vocabulary: codes, strengths, the strengths each code may be applied at, and the
criteria a reviewer records on a report variant.

Criterion codes, default strengths and rule texts follow Richards et al. 2015 (Genet Med 17:405, Tables 3
and 4). Strength modifiers (``PVS1_Strong``, ``PM2_Supporting`` …) follow the ClinGen Sequence Variant
Interpretation (SVI) convention: the code keeps its name, the applied strength changes and the label gains
a suffix. This module is the one definition; ``vardesk.analysis.acmg`` builds its evidence on it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from vardesk.domain.errors import Invalid


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

    @property
    def words(self) -> str:
        return self.value.lower().replace("_", " ").replace("stand alone", "stand-alone")


@dataclass(frozen=True)
class CriterionInfo:
    code: str
    direction: Direction
    default_strength: Strength
    rule: str
    automatic: bool
    allowed: tuple[Strength, ...]  # the strengths it may be applied at (default first)


_P, _B = Direction.PATHOGENIC, Direction.BENIGN
_VS, _S, _M, _SP, _SA = (
    Strength.VERY_STRONG,
    Strength.STRONG,
    Strength.MODERATE,
    Strength.SUPPORTING,
    Strength.STAND_ALONE,
)
_DOWN_FROM_STRONG = (_S, _M, _SP)

# (code, direction, default strength, rule text paraphrasing Richards et al. 2015 Tables 3-4, automatic?,
#  strengths it may be applied at). The modifications allowed follow the ClinGen SVI recommendations:
#  PVS1 decision tree (Abou Tayoun 2018: Strong/Moderate/Supporting); de novo PS2/PM6 and in-trans PM3
#  point scales (up to VeryStrong); functional PS3/BS3 (Brnich 2019: Strong/Moderate/Supporting, benign
#  Strong/Supporting); PM2 at Supporting, never above Moderate (SVI 2020); segregation PP1 up to Strong
#  (Jarvik & Browning 2016); computational PP3/BP4 up to Strong, BP4 Moderate (Pejaver 2022); PP4, PS4,
#  PM1, PM5 up/down one step as ClinGen expert panels apply them; BA1 only stand-alone; the other
#  supporting criteria (PP2, PP5, BP1-BP3, BP5-BP7) at Supporting only; no benign criterion above Strong.
_CRITERIA: tuple[tuple[str, Direction, Strength, str, bool, tuple[Strength, ...]], ...] = (
    (
        "PVS1",
        _P,
        _VS,
        "Null variant in a gene where loss of function is a known mechanism of disease",
        True,
        (_VS, _S, _M, _SP),
    ),
    ("PS1", _P, _S, "Same amino-acid change as an established pathogenic variant", True, _DOWN_FROM_STRONG),
    (
        "PS2",
        _P,
        _S,
        "De novo (maternity and paternity confirmed) in a patient with the disease",
        True,
        (_S, _VS, _M, _SP),
    ),
    ("PS3", _P, _S, "Well-established functional studies show a damaging effect", False, _DOWN_FROM_STRONG),
    (
        "PS4",
        _P,
        _S,
        "Prevalence in affected individuals significantly increased over controls",
        False,
        _DOWN_FROM_STRONG,
    ),
    ("PM1", _P, _M, "Located in a mutational hot spot or critical functional domain", False, (_M, _S, _SP)),
    ("PM2", _P, _M, "Absent from controls (or extremely low frequency if recessive)", True, (_M, _SP)),
    (
        "PM3",
        _P,
        _M,
        "For recessive disorders, detected in trans with a pathogenic variant",
        True,
        (_M, _VS, _S, _SP),
    ),
    (
        "PM4",
        _P,
        _M,
        "Protein length change: in-frame indel in a non-repeat region or stop-loss",
        True,
        (_M, _SP),
    ),
    (
        "PM5",
        _P,
        _M,
        "Novel missense change at a residue where another pathogenic missense is known",
        True,
        (_M, _S, _SP),
    ),
    (
        "PM6",
        _P,
        _M,
        "Assumed de novo, without confirmation of paternity and maternity",
        True,
        (_M, _VS, _S, _SP),
    ),
    (
        "PP1",
        _P,
        _SP,
        "Co-segregation with disease in multiple affected family members",
        True,
        (_SP, _S, _M),
    ),
    (
        "PP2",
        _P,
        _SP,
        "Missense in a gene with a low rate of benign missense where missense is common",
        True,
        (_SP,),
    ),
    ("PP3", _P, _SP, "Computational evidence supports a deleterious effect", True, (_SP, _S, _M)),
    ("PP4", _P, _SP, "Patient phenotype or family history highly specific for the gene", True, (_SP, _S, _M)),
    ("PP5", _P, _SP, "Reputable source reports the variant as pathogenic", False, (_SP,)),
    ("BA1", _B, _SA, "Allele frequency above 5% in a large population data set", True, (_SA,)),
    ("BS1", _B, _S, "Allele frequency greater than expected for the disorder", True, (_S, _SP)),
    (
        "BS2",
        _B,
        _S,
        "Observed in a healthy adult with the genotype that would cause a penetrant disease",
        True,
        (_S, _SP),
    ),
    ("BS3", _B, _S, "Well-established functional studies show no damaging effect", False, (_S, _SP)),
    ("BS4", _B, _S, "Lack of segregation in affected members of a family", False, (_S, _SP)),
    ("BP1", _B, _SP, "Missense in a gene where primarily truncating variants cause disease", True, (_SP,)),
    (
        "BP2",
        _B,
        _SP,
        "In trans with a pathogenic variant (dominant, fully penetrant) or in cis (any)",
        True,
        (_SP,),
    ),
    ("BP3", _B, _SP, "In-frame indel in a repetitive region without known function", False, (_SP,)),
    (
        "BP4",
        _B,
        _SP,
        "Computational evidence suggests no impact on gene or gene product",
        True,
        (_SP, _S, _M),
    ),
    ("BP5", _B, _SP, "Found in a case with an alternate molecular basis for disease", False, (_SP,)),
    ("BP6", _B, _SP, "Reputable source reports the variant as benign", False, (_SP,)),
    ("BP7", _B, _SP, "Synonymous (or deep intronic) with no predicted splice impact", True, (_SP,)),
)

CRITERIA: dict[str, CriterionInfo] = {
    code: CriterionInfo(code, d, s, rule, auto, allowed) for code, d, s, rule, auto, allowed in _CRITERIA
}
CRITERION_ORDER: tuple[str, ...] = tuple(c[0] for c in _CRITERIA)
KNOWN_CODES = "PVS1, PS1-PS4, PM1-PM6, PP1-PP5, BA1, BS1-BS4, BP1-BP7"


def criterion(code: str) -> CriterionInfo:
    try:
        return CRITERIA[code.upper()]
    except KeyError:
        raise ValueError(f"unknown ACMG/AMP criterion {code!r}") from None


# the written forms of a strength: ``Supporting``, ``supporting``, ``P`` (as in ``PM2_P``), ``very strong`` …
_STRENGTH_WORDS: dict[str, Strength] = {}
for _s, _names in {
    Strength.STAND_ALONE: ("standalone", "sa", "a", "ba"),
    Strength.VERY_STRONG: ("verystrong", "vs", "vstr"),
    Strength.STRONG: ("strong", "s", "str"),
    Strength.MODERATE: ("moderate", "m", "mod"),
    Strength.SUPPORTING: ("supporting", "p", "sup", "supp"),
}.items():
    for _n in _names:
        _STRENGTH_WORDS[_n] = _s

_WRITTEN = re.compile(
    r"^\s*(?P<code>[A-Za-z]{2,3}\d+)\s*(?:[_\-\s]\s*(?P<a>[A-Za-z][A-Za-z_\-\s]*?)|\(\s*(?P<b>[^)]*?)\s*\))?\s*$"
)


def parse_strength(value: Any) -> Strength:
    """``STRONG``, ``Strong``, ``strong``, ``very strong``, ``very_strong``, ``VeryStrong``, ``S`` …"""
    key = re.sub(r"[\s_\-]", "", str(value or "")).lower()
    if key in _STRENGTH_WORDS:
        return _STRENGTH_WORDS[key]
    raise Invalid(
        f"ACMG/AMP strength {value!r} is not one of stand-alone, very strong, strong, moderate, supporting",
        field="strength",
        value=str(value),
    )


@dataclass(frozen=True)
class AcmgCriterion:
    """A criterion code applied at a strength (``PM2`` at supporting is shown ``PM2_Supporting``)."""

    code: str
    strength: Strength

    @property
    def info(self) -> CriterionInfo:
        return criterion(self.code)

    @property
    def label(self) -> str:
        """``PVS1`` at its default strength, ``PVS1_Strong`` otherwise."""
        if self.strength is self.info.default_strength:
            return self.code
        return f"{self.code}_{self.strength.suffix}"

    @classmethod
    def parse(
        cls, written: Any, strength: Any = None, *, recorded: Collection[AcmgCriterion] = ()
    ) -> AcmgCriterion:
        """A criterion in any of its common written forms — ``PM2``, ``PM2_Supporting``, ``PM2_P``,
        ``PM2-supporting``, ``PVS1 (strong)`` — or a code with a separate strength. Refuses (``Invalid``,
        naming the value) an unknown code, an unknown strength and a strength ClinGen SVI does not allow
        for the code (``PM2_Strong``, ``BA1_Supporting``) unless it is one already ``recorded`` (stored
        before the rules applied to input, and sent back as it is shown)."""
        text = str(written if written is not None else "").strip()
        m = _WRITTEN.match(text)
        code = (m.group("code") if m else text).upper()
        if m is None or code not in CRITERIA:
            raise Invalid(
                f"{text!r} is not an ACMG/AMP criterion code (known: {KNOWN_CODES}; a strength may follow, "
                "e.g. PM2_Supporting, PM2_P, PVS1 (strong))",
                field="criteria",
                value=text,
            )
        info = CRITERIA[code]
        suffix = m.group("a") or m.group("b")
        if suffix and strength not in (None, ""):
            given = (parse_strength(suffix), parse_strength(strength))
            if given[0] is not given[1]:
                raise Invalid(f"{text!r} names a strength different from {strength!r}", value=text)
        chosen = strength if strength not in (None, "") else suffix
        try:
            s = parse_strength(chosen) if chosen else info.default_strength
        except Invalid:
            raise Invalid(
                f"{text!r}: {chosen!r} is not an ACMG/AMP strength "
                "(stand-alone, very strong, strong, moderate, supporting)",
                field="criteria",
                value=text,
            ) from None
        if s not in info.allowed and cls(code, s) not in recorded:
            allowed = ", ".join(a.words for a in info.allowed)
            raise Invalid(
                f"{text!r}: {code} cannot be applied at {s.words} (ClinGen SVI allows {allowed})",
                field="criteria",
                value=text,
            )
        return cls(code, s)


@dataclass(frozen=True)
class ManualCriterion:
    """A criterion a reviewer recorded on a report variant, with who, when (ISO 8601) and why."""

    criterion: AcmgCriterion
    by: str | None = None
    at: str | None = None
    comment: str | None = None

    @property
    def code(self) -> str:
        return self.criterion.code

    @property
    def strength(self) -> Strength:
        return self.criterion.strength

    @property
    def label(self) -> str:
        return self.criterion.label

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "strength": self.strength.value,
            "by": self.by,
            "at": self.at,
            "comment": self.comment,
        }

    @classmethod
    def from_stored(cls, value: str | Mapping[str, Any]) -> ManualCriterion:
        """A stored entry: ``{code, strength, by, at, comment}``, or a label as rows before typed criteria
        kept them (``PM2_Supporting``). Stored values are read as they are: the SVI rules apply to input,
        so a criterion recorded before them is never dropped."""
        if isinstance(value, str):
            code, _, suffix = value.strip().partition("_")
            info = criterion(code)
            return cls(AcmgCriterion(info.code, parse_strength(suffix) if suffix else info.default_strength))
        info = criterion(str(value["code"]))
        raw = value.get("strength")
        return cls(
            AcmgCriterion(info.code, Strength(raw) if raw else info.default_strength),
            by=value.get("by"),
            at=value.get("at"),
            comment=value.get("comment"),
        )


def labels(entries: list[ManualCriterion] | tuple[ManualCriterion, ...]) -> list[str]:
    """The entries as the strings clients read (``["PVS1", "PM2_Supporting"]``)."""
    return [e.label for e in entries]
