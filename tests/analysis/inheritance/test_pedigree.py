"""The family an analysis runs on: pedigrees from the shared PED files, members checked when built."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.analysis.inheritance.conftest import CEPH
from vardesk.analysis.pedigree import Member, PedEntry, Pedigree, validate_ped
from vardesk.domain.enums import Affected, Sex
from vardesk.domain.errors import Invalid
from vardesk.interchange.ped import read_ped_entries


def test_ceph_three_generations() -> None:
    if not CEPH.exists():
        pytest.skip("shared test data not available")
    entries = read_ped_entries(CEPH)
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
        read_ped_entries(CEPH, strict=True)
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


def test_entries_are_validated_however_they_were_read() -> None:
    entries = [
        PedEntry("fam", "A", "B", "C", Sex.FEMALE, Affected.AFFECTED, 1),
        PedEntry("fam", "B", None, None, Sex.FEMALE, Affected.UNAFFECTED, 2),
    ]
    with pytest.raises(Invalid) as err:
        validate_ped(entries, source="members", found=[(2, "a problem of the source")])
    assert [(p["line"], p["message"]) for p in err.value.details["errors"]] == [
        (1, "father 'B' of 'A' is female (line 2)"),
        (1, "mother 'C' of 'A' is not an individual of the file"),
        (2, "a problem of the source"),
    ]
    assert err.value.message.startswith("members: 3 problems: line 1: ")
    implied = validate_ped(
        entries[1:] + [PedEntry("fam", "A", None, "C", Sex.MALE, Affected.AFFECTED, 3)], strict=False
    )
    assert [(i.individual, i.sex, i.implied, i.line) for i in implied] == [("C", Sex.FEMALE, True, 3)]
