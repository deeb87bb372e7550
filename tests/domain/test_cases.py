from __future__ import annotations

import pytest

from vardesk.domain import cases as dc
from vardesk.domain.cases import Case, CaseType
from vardesk.domain.enums import Role
from vardesk.domain.errors import Conflict, Forbidden, Invalid, Unprocessable

REVIEW = dc.DEFAULT_REVIEW_STATUSES


def case(status: str, interpreter: int | None = None) -> Case:
    return Case(
        workspace_id=1,
        project_id=1,
        study_id=1,
        code="C",
        type=CaseType.TRIO,
        created_by=1,
        status=status,
        last_interpreter_id=interpreter,
    )


@pytest.mark.parametrize(
    ("start", "target", "system", "ok"),
    [
        (dc.WAITING_FOR_SAMPLE, dc.WAITING, True, True),
        (dc.WAITING, dc.READY_TO_REVIEW, True, True),
        (dc.WAITING, dc.READY_TO_REVIEW, False, False),  # only the analysis makes a case reviewable
        (dc.READY_TO_REVIEW, "READY FOR INTERPRETATION", False, True),
        ("READY FOR INTERPRETATION", "WAITING FOR APPROVAL", False, True),
        ("WAITING FOR APPROVAL", "READY FOR INTERPRETATION", False, True),
        (dc.WAITING_FOR_SAMPLE, "WAITING FOR APPROVAL", False, False),
        (dc.READY_TO_REVIEW, dc.FAILED, False, True),
        (dc.FAILED, dc.WAITING, False, True),
        (dc.READY_TO_REVIEW, "NO SUCH STATUS", False, False),
    ],
)
def test_transitions(start: str, target: str, system: bool, ok: bool) -> None:
    if ok:
        dc.check_transition(case(start), target, review=REVIEW, by_system=system)
    else:
        with pytest.raises(Conflict):
            dc.check_transition(case(start), target, review=REVIEW, by_system=system)


def test_approved_cases_are_locked_and_approval_is_not_a_status_change() -> None:
    with pytest.raises(Unprocessable, match="locked"):
        dc.check_transition(case(dc.APPROVED), "READY FOR INTERPRETATION", review=REVIEW)
    with pytest.raises(Unprocessable):
        dc.check_editable(case(dc.APPROVED))
    with pytest.raises(Conflict, match="approval action"):
        dc.check_transition(case("WAITING FOR APPROVAL"), dc.APPROVED, review=REVIEW)


def test_four_eyes_and_director_role() -> None:
    c = case("WAITING FOR APPROVAL", interpreter=7)
    with pytest.raises(Forbidden, match="four-eyes"):
        dc.check_approval(c, 7, Role.DIRECTOR)
    for role in (Role.ADMIN, Role.ANALYST, Role.VIEWER):
        with pytest.raises(Forbidden, match="director"):
            dc.check_approval(c, 8, role)
    dc.check_approval(c, 8, Role.DIRECTOR)
    with pytest.raises(Conflict):
        dc.check_approval(case(dc.WAITING), 8, Role.DIRECTOR)


def test_members_per_case_type() -> None:
    dc.check_members(CaseType.TRIO, ["PROBAND", "FATHER", "MOTHER"])
    dc.check_members(CaseType.QUINTET, ["PROBAND", "FATHER", "MOTHER", "SIBLING", "SIBLING"])
    with pytest.raises(Invalid, match="FATHER and a MOTHER"):
        dc.check_members(CaseType.TRIO, ["PROBAND", "FATHER", "SIBLING"])
    with pytest.raises(Invalid, match="at most 1"):
        dc.check_members(CaseType.EXOME, ["PROBAND", "FATHER"])
    with pytest.raises(Invalid, match="exactly one PROBAND"):
        dc.check_members(CaseType.DUO, ["FATHER", "MOTHER"])
    with pytest.raises(Invalid, match="unknown relation"):
        dc.check_members(CaseType.QUAD, ["PROBAND", "COUSIN"])
