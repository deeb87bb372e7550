"""PED parsing and validation: the shared PED files and malformed ones, with line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.analysis.inheritance.conftest import CEPH, PED
from vardesk.analysis.pedigree import Member, Pedigree, parse_ped, read_ped
from vardesk.domain.enums import Affected, Sex
from vardesk.domain.errors import Invalid


def test_ashkenazi_trio() -> None:
    entries = read_ped(PED)
    assert [(e.individual, e.father, e.mother, e.sex, e.affected) for e in entries] == [
        ("HG002", "HG003", "HG004", Sex.MALE, Affected.AFFECTED),
        ("HG003", None, None, Sex.MALE, Affected.UNKNOWN),
        ("HG004", None, None, Sex.FEMALE, Affected.UNKNOWN),
    ]
    assert {e.family for e in entries} == {"ash"}


def test_ceph_three_generations() -> None:
    if not CEPH.exists():
        pytest.skip("shared test data not available")
    entries = read_ped(CEPH)
    lines = [line for line in CEPH.read_text().splitlines() if line.strip()]
    listed = [e for e in entries if not e.implied]
    assert len(listed) == len(lines)  # one individual a line, none dropped
    families = {line.split()[0] for line in lines}
    assert {e.family for e in entries} == families and "1408" in families
    # a line with only a mother known: "1420 2568 0 2574 2 0"
    e = next(e for e in entries if (e.family, e.individual) == ("1420", "2568"))
    assert (e.father, e.mother, e.sex) == (None, "2574", Sex.FEMALE)
    # line 598 "1354 8476 8477 8478 2 0": 8477 is listed nowhere, an implied male founder
    implied = [e for e in entries if e.implied]
    assert [(i.family, i.individual, i.sex, i.line) for i in implied] == [("1354", "8477", Sex.MALE, 598)]
    with pytest.raises(Invalid, match="father '8477' of '8476' is not an individual of the file") as err:
        read_ped(CEPH, strict=True)
    assert err.value.details["line"] == 598
    with pytest.raises(Invalid, match="families"):
        Pedigree.from_ped(entries, genotypes={})
    ped = Pedigree.from_ped(entries, family="1408", proband="1011", genotypes={"1011": Path("1011.parquet")})
    assert ped.father is not None and ped.father.name == "1012"
    assert ped.mother is not None and ped.mother.name == "1014"
    # grandparents of the proband through the mother: 1014's parents are 1018 and 1017
    assert ped.member("1014").father == "1018" and ped.member("1014").mother == "1017"
    assert ped.relatives() == []  # only the proband has genotypes
    # line 349 "1459 2024 2033 2034 2 0": the parents are listed in family 1458 and join the pedigree
    linked = Pedigree.from_ped(entries, family="1459", proband="2024", genotypes={"2024": Path("x.parquet")})
    assert linked.father is not None and linked.father.name == "2033" and linked.father.sex is Sex.MALE
    assert linked.mother is not None and linked.mother.name == "2034"


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
        parse_ped(text, strict=True)
    assert message in err.value.message
    assert err.value.details["line"] == line
    if line:
        assert f"line {line}:" in err.value.message


def test_implied_founders_keep_their_role() -> None:
    entries = parse_ped("fam A X 0 1 2\n")  # X is named as father but not listed
    assert [(e.individual, e.sex, e.implied) for e in entries] == [
        ("A", Sex.MALE, False),
        ("X", Sex.MALE, True),
    ]
    with pytest.raises(Invalid, match="mother 'X' of 'B' is male") as err:
        parse_ped("fam A X 0 1 2\nfam B 0 X 1 2\n")  # the same unlisted X as a mother
    assert err.value.details["line"] == 2


def test_longer_cycle_reports_its_members() -> None:
    text = "fam A B 0 1 2\nfam B C 0 1 2\nfam C A 0 1 2\n"  # A's father is B, B's is C, C's is A
    with pytest.raises(Invalid, match="A → B → C → A"):
        parse_ped(text)


def test_extra_columns_and_tabs_are_accepted() -> None:
    entries = parse_ped("fam\tA\tB\t0\t1\t-9\tx y\nfam B . . 0 1\n")
    assert entries[0].affected is Affected.UNKNOWN and entries[1].sex is Sex.UNKNOWN
    assert entries[1].father is None and entries[0].father == "B"


def test_pedigree_checks_its_members(tmp_path: Path) -> None:
    g = tmp_path / "a.parquet"
    with pytest.raises(Invalid, match="not a member"):
        Pedigree((Member("A", genotypes=g),), "Z")
    with pytest.raises(Invalid, match="has no genotypes"):
        Pedigree((Member("A"),), "A")
    with pytest.raises(Invalid, match="father 'B' of 'A' is not an individual"):
        Pedigree((Member("A", father="B", genotypes=g),), "A")
    with pytest.raises(Invalid, match="appears twice"):
        Pedigree((Member("A", genotypes=g), Member("A")), "A")
    ped = Pedigree((Member("A", father="B", genotypes=g), Member("B", Sex.MALE)), "A")
    assert ped.with_genotypes({"B": g}).sequenced == {"A": g, "B": g}


def test_every_problem_is_listed_and_own_family_parents() -> None:
    with pytest.raises(Invalid) as err:
        parse_ped("fam A B C 1 2\nfam B 0 0 2 1\nfam C 0 0 2 7\n", strict=True)
    assert [(p["line"], p["message"]) for p in err.value.details["errors"]] == [
        (1, "father 'B' of 'A' is female (line 2)"),
        (3, "phenotype must be 2 (affected), 1 (unaffected), 0 or -9 (unknown), got '7'"),
    ]
    assert err.value.details["line"] == 1 and err.value.message.startswith("PED: 2 problems: line 1: ")
    linked = "f1 A B 0 1 2\nf2 B 0 0 1 1\n"  # B is listed only in another family
    assert [e.individual for e in parse_ped(linked, strict=True)] == ["A", "B"]
    with pytest.raises(Invalid, match="father 'B' of 'A' is not listed in family 'f1'"):
        parse_ped(linked, strict=True, own_family=True)
    implied = parse_ped(linked, own_family=True)[-1]  # a founder of A's family, not f2's B
    assert (implied.family, implied.individual, implied.implied) == ("f1", "B", True)
