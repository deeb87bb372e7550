"""The ACMG/AMP criterion vocabulary: written forms accepted, unknown codes and strengths ClinGen SVI does
not allow refused naming the value."""

from __future__ import annotations

import pytest

from vardesk.domain.acmg import CRITERIA, AcmgCriterion, ManualCriterion, Strength, parse_strength
from vardesk.domain.errors import Invalid

S = Strength


@pytest.mark.parametrize(
    ("written", "code", "strength", "label"),
    [
        ("PVS1", "PVS1", S.VERY_STRONG, "PVS1"),
        ("pvs1", "PVS1", S.VERY_STRONG, "PVS1"),
        ("PM2_Supporting", "PM2", S.SUPPORTING, "PM2_Supporting"),
        ("PM2_supporting", "PM2", S.SUPPORTING, "PM2_Supporting"),
        ("PM2_P", "PM2", S.SUPPORTING, "PM2_Supporting"),
        ("PM2-Supporting", "PM2", S.SUPPORTING, "PM2_Supporting"),
        ("PM2 supporting", "PM2", S.SUPPORTING, "PM2_Supporting"),
        ("PVS1 (strong)", "PVS1", S.STRONG, "PVS1_Strong"),
        ("PVS1(Strong)", "PVS1", S.STRONG, "PVS1_Strong"),
        ("PVS1_Strong", "PVS1", S.STRONG, "PVS1_Strong"),
        ("PVS1_S", "PVS1", S.STRONG, "PVS1_Strong"),
        ("PS3_Moderate", "PS3", S.MODERATE, "PS3_Moderate"),
        ("PS3_M", "PS3", S.MODERATE, "PS3_Moderate"),
        ("PS2_VeryStrong", "PS2", S.VERY_STRONG, "PS2_VeryStrong"),
        ("PS2 (very strong)", "PS2", S.VERY_STRONG, "PS2_VeryStrong"),
        ("PS2_Very_Strong", "PS2", S.VERY_STRONG, "PS2_VeryStrong"),
        ("PP3_Moderate", "PP3", S.MODERATE, "PP3_Moderate"),
        ("BP4_Strong", "BP4", S.STRONG, "BP4_Strong"),
        ("BS1_Supporting", "BS1", S.SUPPORTING, "BS1_Supporting"),
        ("BA1", "BA1", S.STAND_ALONE, "BA1"),
        ("BA1 (stand-alone)", "BA1", S.STAND_ALONE, "BA1"),
        ("PM2 (moderate)", "PM2", S.MODERATE, "PM2"),
        ("  BP7 ", "BP7", S.SUPPORTING, "BP7"),
    ],
)
def test_written_forms_are_accepted(written: str, code: str, strength: Strength, label: str) -> None:
    c = AcmgCriterion.parse(written)
    assert (c.code, c.strength, c.label) == (code, strength, label)


@pytest.mark.parametrize(
    ("code", "strength", "expected"),
    [
        ("PM2", "supporting", S.SUPPORTING),
        ("PM2", "SUPPORTING", S.SUPPORTING),
        ("PVS1", "very strong", S.VERY_STRONG),
        ("PVS1", "VERY_STRONG", S.VERY_STRONG),
        ("PS3", "Moderate", S.MODERATE),
        ("PM2_P", "supporting", S.SUPPORTING),  # both agree
        ("BA1", "stand-alone", S.STAND_ALONE),
    ],
)
def test_a_code_with_a_separate_strength(code: str, strength: str, expected: Strength) -> None:
    assert AcmgCriterion.parse(code, strength).strength is expected


@pytest.mark.parametrize(
    ("written", "named"),
    [
        ("PX9", "'PX9'"),
        ("PM7", "'PM7'"),
        ("BS5", "'BS5'"),
        ("pathogenic", "'pathogenic'"),
        ("", "''"),
        ("PM2_Weak", "'Weak'"),
        ("PVS1 (mild)", "'mild'"),
    ],
)
def test_an_unknown_code_or_strength_is_refused_naming_it(written: str, named: str) -> None:
    with pytest.raises(Invalid, match=named) as err:
        AcmgCriterion.parse(written)
    assert "PVS1" in err.value.message or "strength" in err.value.message


@pytest.mark.parametrize(
    ("written", "allowed"),
    [
        ("PM2_Strong", "moderate, supporting"),  # SVI: PM2 never above moderate
        ("PM2_VeryStrong", "moderate, supporting"),
        ("BA1_Supporting", "stand-alone"),
        ("PVS1_StandAlone", "very strong, strong, moderate, supporting"),
        ("PP5_Strong", "supporting"),
        ("BS1_VeryStrong", "strong, supporting"),
        ("BP1_Moderate", "supporting"),
        ("PS3_VeryStrong", "strong, moderate, supporting"),
    ],
)
def test_a_strength_svi_does_not_allow_is_refused(written: str, allowed: str) -> None:
    with pytest.raises(Invalid, match="ClinGen SVI allows " + allowed) as err:
        AcmgCriterion.parse(written)
    assert repr(written) in err.value.message


def test_contradicting_strengths_are_refused() -> None:
    with pytest.raises(Invalid, match="'PM2_P'"):
        AcmgCriterion.parse("PM2_P", "moderate")


def test_every_code_may_be_applied_at_its_default_strength() -> None:
    assert len(CRITERIA) == 28
    for info in CRITERIA.values():
        assert info.allowed[0] is info.default_strength
        assert AcmgCriterion.parse(info.code).label == info.code


def test_strength_words() -> None:
    assert parse_strength("Very Strong") is S.VERY_STRONG
    assert parse_strength("p") is S.SUPPORTING
    with pytest.raises(Invalid, match="'weak'"):
        parse_strength("weak")


def test_stored_entries_and_labels_read_back() -> None:
    entry = ManualCriterion(
        AcmgCriterion("PM2", S.SUPPORTING), by="ana", at="2026-12-03T18:00:00Z", comment="x"
    )
    assert ManualCriterion.from_stored(entry.to_dict()) == entry
    assert entry.to_dict() == {
        "code": "PM2",
        "strength": "SUPPORTING",
        "by": "ana",
        "at": "2026-12-03T18:00:00Z",
        "comment": "x",
    }
    legacy = ManualCriterion.from_stored("PS2_VeryStrong")
    assert (legacy.code, legacy.strength, legacy.by, legacy.comment) == ("PS2", S.VERY_STRONG, None, None)
    # a label stored before the SVI rules applied to input is read as it is, never dropped
    assert ManualCriterion.from_stored("PM2_Strong").label == "PM2_Strong"
