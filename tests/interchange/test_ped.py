"""PED reading with validation and PED export, on the CEPH and GIAB pedigrees."""

from __future__ import annotations

import pytest

from tests.conftest import TESTDATA
from vardesk.analysis.pedigree import PedEntry
from vardesk.interchange import phenopackets as px
from vardesk.interchange.ped import (
    case_to_ped,
    generations,
    parse_ped,
    ped_to_case,
    read_ped,
    write_ped,
)
from vardesk.domain.enums import Affected, Sex
from vardesk.domain.errors import Invalid

GIAB = TESTDATA / "giab-trio-grch37"
CEPH = GIAB / "ceph.ped"


def test_ceph_round_trip_is_byte_identical() -> None:
    ped = read_ped(CEPH, strict_parents=False)
    assert len(ped.records) == 603 and len(ped.families) == 34
    assert write_ped(ped.records) == CEPH.read_text()
    assert parse_ped(write_ped(ped.records), strict_parents=False).records == ped.records


def test_ceph_has_three_generations() -> None:
    ped = read_ped(CEPH, strict_parents=False)
    depth = generations(ped.records)
    assert depth["1408"] == 3 and set(depth.values()) == {3}
    kid = next(r for r in ped.family("1408") if r.individual == "1011")
    father = next(r for r in ped.family("1408") if r.individual == kid.father)
    assert (kid.father, kid.mother, father.father) == ("1012", "1014", "1020")
    assert kid.sex == Sex.FEMALE and kid.affected == Affected.UNKNOWN and kid.line == 1


def test_ceph_parents_outside_their_family_are_errors_unless_allowed() -> None:
    with pytest.raises(Invalid) as err:
        read_ped(CEPH)
    lines = [e["line"] for e in err.value.details["errors"]]
    assert lines == [349, 349, 598]
    assert "line 598: father '8477' of '8476' is not listed in family '1354'" in err.value.message
    lenient = read_ped(CEPH, strict_parents=False)
    assert lenient.warnings == [
        "line 349: 2024's father 2033 is not listed in family 1459",
        "line 349: 2024's mother 2034 is not listed in family 1459",
        "line 598: 8476's father 8477 is not listed in family 1354",
    ]
    # the reference is kept, not dropped
    assert next(r for r in lenient.records if r.individual == "8476").father == "8477"


def test_trio() -> None:
    ped = read_ped(GIAB / "ashk-trio.ped")
    assert ped.warnings == []
    assert ped.records == [
        PedEntry("ash", "HG002", "HG003", "HG004", Sex.MALE, Affected.AFFECTED),
        PedEntry("ash", "HG003", None, None, Sex.MALE, Affected.UNKNOWN),
        PedEntry("ash", "HG004", None, None, Sex.FEMALE, Affected.UNKNOWN),
    ]
    assert generations(ped.records) == {"ash": 2}


def test_every_problem_is_reported_with_its_line() -> None:
    text = (
        "# family with problems\n"
        "f\ta\tb\tc\t1\t0\n"  # 2: father b is female; a -> c -> a is a cycle
        "f\tb\t0\t0\t2\t0\n"  # 3
        "f\tc\ta\t0\t2\t0\n"  # 4
        "\n"
        "f\ta\t0\t0\t1\t0\n"  # 6: duplicate
        "f\td\t0\t0\t3\t9\n"  # 7: bad sex and phenotype
        "f\te\te\t0\t1\t0\n"  # 8: own father
        "f\tg\tz\tz\t1\t0\n"  # 9: unknown parent (twice) and the same as father and mother
        "f\th\t0\tb\n"  # 10: too few columns
        "f\ti\t0\ta\t1\t-9\n"  # 11: mother is male
    )
    with pytest.raises(Invalid) as err:
        parse_ped(text)
    got = [(e["line"], e["message"]) for e in err.value.details["errors"]]
    assert got == [
        (2, "father 'b' of 'a' is female (line 3)"),
        (2, "pedigree cycle: a → c → a (each is a child of the next)"),
        (6, "individual 'a' of family 'f' already defined on line 2"),
        (7, "sex must be 1 (male), 2 (female) or 0 (unknown), got '3'"),
        (7, "phenotype must be 2 (affected), 1 (unaffected), 0 or -9 (unknown), got '9'"),
        (8, "'e' is their own father"),
        (9, "'g' has 'z' as both father and mother"),
        (9, "father 'z' of 'g' is not listed in family 'f'"),
        (9, "mother 'z' of 'g' is not listed in family 'f'"),
        (10, "expected 6 columns (family, individual, father, mother, sex, phenotype), got 4"),
        (11, "mother 'a' of 'i' is male (line 2)"),
    ]
    assert err.value.details["line"] == 2


def test_longer_cycles_and_space_separated_lines() -> None:
    with pytest.raises(Invalid, match="pedigree cycle: x → z → y → x "):
        parse_ped("F x z 0 1 0\nF y x 0 1 0\nF z y 0 1 0\n")
    ok = parse_ped("F  x  0  0  1  2  A G\nF y x 0 0 -9\n")  # extra genotype columns ignored
    assert ok.records[1] == PedEntry("F", "y", "x", None, Sex.UNKNOWN, Affected.UNKNOWN)


def test_case_exported_to_ped_and_back() -> None:
    records = read_ped(GIAB / "ashk-trio.ped").records
    case = ped_to_case(records, px.new_meta("vardesk"))
    assert case.proband == "HG002"
    text = case_to_ped(case)
    assert text == (GIAB / "ashk-trio.ped").read_text()
    assert case_to_ped(case, "other").startswith("other\tHG002\tHG003\tHG004\t1\t2\n")
    broken = ped_to_case(records, px.new_meta("vardesk"))
    broken.individual("HG003").sex = Sex.FEMALE
    with pytest.raises(Invalid, match="father 'HG003' of 'HG002' is female"):
        case_to_ped(broken)
    with pytest.raises(Invalid):
        ped_to_case(read_ped(CEPH, strict_parents=False).records, px.new_meta("vardesk"))
