"""Per-variant modes on the GIAB Ashkenazi trio against independent bcftools expressions.

Sample columns of the VCF: 0 = HG002 (son, affected), 1 = HG003 (father), 2 = HG004 (mother), as in
``ashk-trio.ped`` (the parents' phenotype is 0, unknown). bcftools runs on ``norm -m-`` output, so a
multi-allelic record counts per ALT like the store's rows. The file holds chromosomes 1 and 2 only.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.analysis.inheritance.conftest import PED, bcftools_sites
from vardesk.analysis.inheritance import Certainty, Mode, find_candidates
from vardesk.analysis.pedigree import Member, Pedigree
from vardesk.domain.enums import Affected, Sex
from vardesk.interchange.ped import read_ped_entries
from vardesk.variants.query import VariantQuery

DE_NOVO = 'GT[0]="het" && GT[1]="RR" && GT[2]="RR"'
# Our AR-homozygous definition: proband hom-alt, each parent het or no call (unaffected relatives
# are not hom-alt; the parents are the only relatives here).
AR_HOM = 'GT[0]="AA" && (GT[1]="het" || GT[1]="mis") && (GT[2]="het" || GT[2]="mis")'


@pytest.fixture(scope="module")
def trio(giab_trio: dict[str, Path]) -> Pedigree:
    return Pedigree.from_ped(read_ped_entries(PED), genotypes=giab_trio)


def sites(candidates, mode: Mode | None = None) -> set[tuple[str, int, str, str]]:
    return {(c.chrom, c.pos, c.ref, c.alt) for c in candidates if mode is None or mode in c.mode_names}


def test_ped_gives_the_trio_roles(trio: Pedigree) -> None:
    assert trio.proband == "HG002"  # the only affected individual
    assert trio.father is not None and trio.father.name == "HG003" and trio.father.sex is Sex.MALE
    assert trio.mother is not None and trio.mother.name == "HG004" and trio.mother.sex is Sex.FEMALE
    assert trio.index.sex is Sex.MALE and trio.father.affected is Affected.UNKNOWN


def test_de_novo_equals_bcftools(trio: Pedigree, giab_norm: Path) -> None:
    found = list(find_candidates(trio, build="GRCh37", modes=[Mode.DE_NOVO]))
    expected = set(bcftools_sites(giab_norm, DE_NOVO))
    assert len(expected) > 10
    assert sites(found) == expected
    assert len(found) == len(expected)  # one row per variant
    assert all(c.mode(Mode.DE_NOVO).certainty is Certainty.CONSISTENT for c in found)
    assert all(c.zygosity == {"HG002": 1, "HG003": 0, "HG004": 0} for c in found)


def test_de_novo_parental_thresholds_equal_bcftools(trio: Pedigree, giab_norm: Path) -> None:
    found = find_candidates(trio, build="GRCh37", modes=[Mode.DE_NOVO], min_parent_dp=30, min_parent_gq=50)
    expr = DE_NOVO + " && FMT/DP[1]>=30 && FMT/DP[2]>=30 && FMT/GQ[1]>=50 && FMT/GQ[2]>=50"
    expected = set(bcftools_sites(giab_norm, expr))
    assert 0 < len(expected) < len(bcftools_sites(giab_norm, DE_NOVO))  # the thresholds bite
    assert sites(found) == expected


def test_base_query_filters_apply_to_the_proband(trio: Pedigree, giab_norm: Path) -> None:
    query = VariantQuery(min_gq=90, regions=["1"])
    found = find_candidates(trio, build="GRCh37", query=query, modes=[Mode.DE_NOVO])
    expected = set(bcftools_sites(giab_norm, DE_NOVO + ' && FMT/GQ[0]>=90 && CHROM="1"'))
    assert expected and sites(found) == expected


def test_recessive_homozygous_equals_bcftools(trio: Pedigree, giab_norm: Path) -> None:
    found = list(find_candidates(trio, build="GRCh37", modes=[Mode.AUTOSOMAL_RECESSIVE_HOMOZYGOUS]))
    expected = set(bcftools_sites(giab_norm, AR_HOM))
    assert len(expected) > 100 and sites(found) == expected
    # 'consistent' exactly where both parents are called het (no-calls make it only 'possible')
    consistent = {s for c in found if c.modes[0].certainty is Certainty.CONSISTENT for s in sites([c])}
    assert consistent == set(bcftools_sites(giab_norm, 'GT[0]="AA" && GT[1]="het" && GT[2]="het"'))


def test_dominant_depends_on_the_parents_status(giab_trio: dict[str, Path], giab_norm: Path) -> None:
    def run(father: Affected, mother: Affected) -> set[tuple[str, int, str, str]]:
        ped = Pedigree(
            (
                Member("HG002", Sex.MALE, Affected.AFFECTED, "HG003", "HG004", giab_trio["HG002"]),
                Member("HG003", Sex.MALE, father, genotypes=giab_trio["HG003"]),
                Member("HG004", Sex.FEMALE, mother, genotypes=giab_trio["HG004"]),
            ),
            "HG002",
        )
        return sites(find_candidates(ped, build="GRCh37", modes=[Mode.AUTOSOMAL_DOMINANT]))

    # parents of unknown status constrain nothing: every het of the proband
    assert run(Affected.UNKNOWN, Affected.UNKNOWN) == set(bcftools_sites(giab_norm, 'GT[0]="het"'))
    # unaffected parents must be hom-ref: only de novo variants are left
    assert run(Affected.UNAFFECTED, Affected.UNAFFECTED) == set(bcftools_sites(giab_norm, DE_NOVO))
    # an affected father must share the het, the unaffected mother must not carry it
    expected = set(bcftools_sites(giab_norm, 'GT[0]="het" && GT[1]="het" && GT[2]="RR"'))
    assert expected and run(Affected.AFFECTED, Affected.UNAFFECTED) == expected


def test_key_order_and_paging(trio: Pedigree) -> None:
    everything = list(find_candidates(trio, build="GRCh37"))
    keys = [(c.key, c.chrom, c.alt) for c in everything]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    page = list(find_candidates(trio, build="GRCh37", query=VariantQuery(skip=40, limit=25)))
    assert [c.key for c in page] == [c.key for c in everything[40:65]]
    # without annotation every mode but compound heterozygous is tried; the counts are bcftools'
    assert {m for c in everything for m in c.mode_names} == {
        Mode.DE_NOVO,
        Mode.AUTOSOMAL_DOMINANT,
        Mode.AUTOSOMAL_RECESSIVE_HOMOZYGOUS,
    }
