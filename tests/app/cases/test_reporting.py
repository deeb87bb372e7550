"""How a case's patient fields become the report's patient and specimen facts."""

from __future__ import annotations

from datetime import date

import pytest

from vardesk.app.cases.reporting import parse_date, patient_facts
from vardesk.domain.enums import Sex

TODAY = date(2026, 12, 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2000-01-31", date(2000, 1, 31)),
        ("2000-01-31T10:00:00", date(2000, 1, 31)),
        ("1/31/2000", date(2000, 1, 31)),
        ("1/1/00", date(2000, 1, 1)),
        ("9/9/14", date(2014, 9, 9)),
        ("3/4/65", date(1965, 3, 4)),
        ("2/30/2000", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_dates_as_the_faces_write_them(text: str, expected: date | None) -> None:
    assert parse_date(text, TODAY) == expected


def test_each_fact_once_and_the_rest_as_rows() -> None:
    facts, extra, named = patient_facts(
        {
            "Patient First Name": "John",
            "last name": "Doe",
            "Patient DOB": "1/1/2000",
            "Patient Sex": "Male",
            "Date Specimen Collected": "soon",
            "Patient Age": "24",
            "Sex": "Female",
            "Family ID": "",
        },
        TODAY,
    )
    assert facts == {"first_name": "John", "last_name": "Doe", "dob": date(2000, 1, 1), "sex": Sex.MALE}
    # an unreadable date and a contradicting second field are shown as entered, never dropped
    assert extra == {"Date Specimen Collected": "soon", "Patient Age": "24", "Sex": "Female", "Family ID": ""}
    assert named["sex"] == "Patient Sex"
