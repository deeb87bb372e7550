"""PED reading with validation and PED export, on the CEPH and GIAB pedigrees and malformed files."""

from __future__ import annotations

import pytest

from tests.conftest import TESTDATA
from vardesk.analysis.pedigree import PedEntry
from vardesk.domain.enums import Affected, Sex
from vardesk.domain.errors import Invalid
from vardesk.interchange import phenopackets as px
from vardesk.interchange.ped import (
    case_to_ped,
    generations,
    parse_ped,
    parse_ped_entries,
    ped_to_case,
    read_ped,
    read_ped_entries,
    write_ped,
)

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


# -- parsing and validation, every line's problems at once ------------------------------------------
def test_ashkenazi_trio() -> None:
    entries = read_ped_entries(GIAB / "ashk-trio.ped")
    assert [(e.individual, e.father, e.mother, e.sex, e.affected) for e in entries] == [
        ("HG002", "HG003", "HG004", Sex.MALE, Affected.AFFECTED),
        ("HG003", None, None, Sex.MALE, Affected.UNKNOWN),
        ("HG004", None, None, Sex.FEMALE, Affected.UNKNOWN),
    ]
    assert {e.family for e in entries} == {"ash"}


GOOD = "fam A B C 1 2\nfam B 0 0 1 1\nfam C 0 0 2 1\n"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("# comment\nfam A B C 1\nfam B 0 0 1 1\n", 2, "expected 6 columns"),
        (GOOD.replace("fam C 0 0 2 1", "fam C 0 0 F 1"), 3, "sex must be"),
        (GOOD.replace("A B C 1 2", "A B C 1 3"), 1, "phenotype must be"),
        (GOOD + "fam B 0 0 1 2\n", 4, "already defined on line 2"),
        (GOOD.replace("fam B 0 0 1 1", "fam B 0 0 2 1"), 1, "father 'B' of 'A' is female"),
        (GOOD.replace("fam C 0 0 2 1", "fam C 0 0 1 1"), 1, "mother 'C' of 'A' is male"),
        (GOOD.replace("fam A B C", "fam A B D"), 1, "mother 'D' of 'A' is not an individual of the file"),
        ("fam A B 0 1 2\nfam B A 0 1 2\n", 1, "pedigree cycle: A → B → A"),
        ("fam A A 0 1 2\n", 1, "'A' is their own father"),
        ("fam A B B 1 2\nfam B 0 0 0 1\n", 1, "'B' as both father and mother"),
        ("fam 0 B C 1 2\n", 1, "reserved"),
        ("# nothing\n\n", 0, "no individuals"),
        # a parent outside the family, listed in two other families
        ("f1 A B C 1 2\nf2 B 0 0 1 1\nf3 B 0 0 1 1\nf1 C 0 0 2 1\n", 1, "ambiguous in families f2, f3"),
    ],
)
def test_malformed(text: str, line: int, message: str) -> None:
    with pytest.raises(Invalid) as err:
        parse_ped_entries(text, strict=True)
    assert message in err.value.message
    assert err.value.details["line"] == line
    if line:
        assert f"line {line}:" in err.value.message


def test_implied_founders_keep_their_role() -> None:
    entries = parse_ped_entries("fam A X 0 1 2\n")  # X is named as father but not listed
    assert [(e.individual, e.sex, e.implied) for e in entries] == [
        ("A", Sex.MALE, False),
        ("X", Sex.MALE, True),
    ]
    with pytest.raises(Invalid, match="mother 'X' of 'B' is male") as err:
        parse_ped_entries("fam A X 0 1 2\nfam B 0 X 1 2\n")  # the same unlisted X as a mother
    assert err.value.details["line"] == 2


def test_longer_cycle_reports_its_members() -> None:
    text = "fam A B 0 1 2\nfam B C 0 1 2\nfam C A 0 1 2\n"  # A's father is B, B's is C, C's is A
    with pytest.raises(Invalid, match="A → B → C → A"):
        parse_ped_entries(text)


def test_extra_columns_and_tabs_are_accepted() -> None:
    entries = parse_ped_entries("fam\tA\tB\t0\t1\t-9\tx y\nfam B . . 0 1\n")
    assert entries[0].affected is Affected.UNKNOWN and entries[1].sex is Sex.UNKNOWN
    assert entries[1].father is None and entries[0].father == "B"


def test_every_problem_is_listed_and_own_family_parents() -> None:
    with pytest.raises(Invalid) as err:
        parse_ped_entries("fam A B C 1 2\nfam B 0 0 2 1\nfam C 0 0 2 7\n", strict=True)
    assert [(p["line"], p["message"]) for p in err.value.details["errors"]] == [
        (1, "father 'B' of 'A' is female (line 2)"),
        (3, "phenotype must be 2 (affected), 1 (unaffected), 0 or -9 (unknown), got '7'"),
    ]
    assert err.value.details["line"] == 1 and err.value.message.startswith("PED: 2 problems: line 1: ")
    linked = "f1 A B 0 1 2\nf2 B 0 0 1 1\n"  # B is listed only in another family
    assert [e.individual for e in parse_ped_entries(linked, strict=True)] == ["A", "B"]
    with pytest.raises(Invalid, match="father 'B' of 'A' is not listed in family 'f1'"):
        parse_ped_entries(linked, strict=True, own_family=True)
    implied = parse_ped_entries(linked, own_family=True)[-1]  # a founder of A's family, not f2's B
    assert (implied.family, implied.individual, implied.implied) == ("f1", "B", True)
