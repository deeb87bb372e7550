"""X-linked modes on a hand-built GRCh38 family: KID (affected son), DAD, MUM, BRO (unaffected son),
SIS (affected daughter, the proband of a second pedigree). PAR1 of GRCh38 ends at chrX:2,781,479, so
positions 2,000,000+ are pseudo-autosomal (diploid rules) and 3,000,000+ are X-linked."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.analysis.inheritance.conftest import write_family
from vardesk.analysis.inheritance import Certainty, Mode, find_candidates
from vardesk.analysis.pedigree import Member, Pedigree
from vardesk.domain.enums import Affected, Sex

SAMPLES = ("KID", "DAD", "MUM", "BRO", "SIS")
# pos → KID, DAD, MUM, BRO, SIS genotypes
ROWS = {
    3_000_000: ("1", "0", "0/1", "0", "0/1"),  # hemizygous son, carrier mother: XLR
    3_000_100: ("1/1", "0", "0/1", "0", "0/0"),  # a diploid hom-alt call in a male counts too
    3_000_200: ("1", "0", "0/0", "0", "0/0"),  # absent from both parents: X-linked de novo
    3_000_300: ("1", "1", "0/1", "0", "0/0"),  # the father carries it: not XLR (nor de novo)
    3_000_400: ("1", "0", "0/1", "1", "0/0"),  # the unaffected brother carries it: not XLR
    3_000_500: ("0/1", "0", "0/0", "0", "0/0"),  # a het call in the son, parents hom-ref: X de novo
    3_000_600: ("1", "0", "./.", "0", "0/0"),  # mother no call: XLR only 'possible'
    3_000_700: ("0", "1", "0/1", "0", "1/1"),  # hom-alt daughter, hemizygous father, carrier mother
    3_000_800: ("0", "0", "0/1", "0", "1/1"),  # hom-alt daughter whose father does not carry: not XLR
    2_000_000: ("0/1", "0/0", "0/0", "0/0", "0/0"),  # PAR1: diploid de novo (and dominant)
    2_000_100: ("1/1", "0/1", "0/1", "0/1", "0/0"),  # PAR1: autosomal-like recessive, not XLR
}


@pytest.fixture(scope="module")
def genomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    rows = [("chrX", pos, "C", "T", gts) for pos, gts in sorted(ROWS.items())]
    g, _ = write_family(tmp_path_factory.mktemp("x"), SAMPLES, rows)
    return g


def modes(ped: Pedigree) -> dict[int, list[tuple[Mode, Certainty]]]:
    found = find_candidates(ped, build="GRCh38")
    return {c.pos: [(m.mode, m.certainty) for m in c.modes] for c in found}


def test_male_proband(genomes: dict[str, Path]) -> None:
    ped = Pedigree(
        (
            Member("KID", Sex.MALE, Affected.AFFECTED, "DAD", "MUM", genomes["KID"]),
            Member("DAD", Sex.MALE, Affected.UNAFFECTED, genotypes=genomes["DAD"]),
            Member("MUM", Sex.FEMALE, Affected.UNAFFECTED, genotypes=genomes["MUM"]),
            Member("BRO", Sex.MALE, Affected.UNAFFECTED, "DAD", "MUM", genomes["BRO"]),
        ),
        "KID",
    )
    ok = Certainty.CONSISTENT
    assert modes(ped) == {
        3_000_000: [(Mode.X_LINKED_RECESSIVE, ok)],
        3_000_100: [(Mode.X_LINKED_RECESSIVE, ok)],
        3_000_200: [(Mode.X_LINKED_DE_NOVO, ok)],
        3_000_500: [(Mode.X_LINKED_DE_NOVO, ok)],
        3_000_600: [(Mode.X_LINKED_RECESSIVE, Certainty.POSSIBLE)],
        # PAR1 follows the autosomal rules: unaffected parents and brother hom-ref → de novo and AD
        2_000_000: [(Mode.DE_NOVO, ok), (Mode.AUTOSOMAL_DOMINANT, ok)],
        2_000_100: [(Mode.AUTOSOMAL_RECESSIVE_HOMOZYGOUS, ok)],
    }


def test_female_proband(genomes: dict[str, Path]) -> None:
    ped = Pedigree(
        (
            Member("SIS", Sex.FEMALE, Affected.AFFECTED, "DAD", "MUM", genomes["SIS"]),
            Member("DAD", Sex.MALE, Affected.AFFECTED, genotypes=genomes["DAD"]),
            Member("MUM", Sex.FEMALE, Affected.UNAFFECTED, genotypes=genomes["MUM"]),
        ),
        "SIS",
    )
    # 3,000,000: a het daughter fits no X mode; 3,000,800: the father does not carry it
    assert modes(ped) == {3_000_700: [(Mode.X_LINKED_RECESSIVE, Certainty.CONSISTENT)]}
    # an unaffected hemizygous father contradicts recessive inheritance in his daughter
    unaffected_dad = Pedigree(
        tuple(
            Member("DAD", Sex.MALE, Affected.UNAFFECTED, genotypes=genomes["DAD"]) if m.name == "DAD" else m
            for m in ped.members
        ),
        "SIS",
    )
    assert modes(unaffected_dad) == {}


def test_unknown_sex_proband_gets_no_x_linked_recessive(genomes: dict[str, Path]) -> None:
    ped = Pedigree((Member("KID", Sex.UNKNOWN, Affected.AFFECTED, genotypes=genomes["KID"]),), "KID")
    found = modes(ped)
    assert all(m is not Mode.X_LINKED_RECESSIVE for calls in found.values() for m, _ in calls)
    male = Pedigree((Member("KID", Sex.MALE, Affected.AFFECTED, genotypes=genomes["KID"]),), "KID")
    # alone, a hemizygous / hom-alt son fits XLR as 'possible' (mother not sequenced)
    xlr = {p for p, calls in modes(male).items() if (Mode.X_LINKED_RECESSIVE, Certainty.POSSIBLE) in calls}
    assert xlr == {3_000_000, 3_000_100, 3_000_200, 3_000_300, 3_000_400, 3_000_600}


def test_proband_only_modes_are_possible(genomes: dict[str, Path]) -> None:
    ped = Pedigree.solo("KID", genomes["KID"], Sex.MALE)
    found = {c.pos: c for c in find_candidates(ped, build="GRCh38")}
    # PAR1 het → dominant possible; PAR1 hom-alt → recessive possible; never de novo without parents
    het, hom = found[2_000_000], found[2_000_100]
    assert [(m.mode, m.certainty, m.evidence) for m in het.modes] == [
        (Mode.AUTOSOMAL_DOMINANT, Certainty.POSSIBLE, "proband only")
    ]
    assert [(m.mode, m.certainty, m.evidence) for m in hom.modes] == [
        (Mode.AUTOSOMAL_RECESSIVE_HOMOZYGOUS, Certainty.POSSIBLE, "proband only")
    ]
    assert not any(m in (Mode.DE_NOVO, Mode.X_LINKED_DE_NOVO) for c in found.values() for m in c.mode_names)
    assert het.calls["KID"].gt == "0/1" and list(het.calls) == ["KID"]
