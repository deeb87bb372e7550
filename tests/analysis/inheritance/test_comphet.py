"""Compound heterozygous pairs on a hand-built family: KID (affected son), DAD, MUM, SIB (unaffected).

Each gene holds the variants of one situation; the expected verdicts are reasoned in the comments
(phase first, then the parents' genotypes, unaffected carriers of both exclude a pair).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.analysis.inheritance.conftest import write_family
from vardesk.analysis.inheritance import Certainty, Mode, find_candidates
from vardesk.analysis.pedigree import Member, Pedigree
from vardesk.domain.enums import Affected, Sex
from vardesk.domain.errors import Invalid
from vardesk.variants.query import VariantQuery

SAMPLES = ("KID", "DAD", "MUM", "SIB")
# gene → [(pos, KID, DAD, MUM, SIB)]; GT or GT:PS
GENES: dict[str, list[tuple[int, str, str, str, str]]] = {
    # phased 0|1 and 1|0 in one phase set: opposite haplotypes. The parents have no calls there, so
    # they alone could not tell (that would be 'uncertain'); the phase does.
    "PHASED_TRANS": [(1000, "0|1:100", "./.", "./.", "0/0"), (1100, "1|0:100", "./.", "./.", "0/0")],
    # phased 0|1 and 0|1 in one phase set: same haplotype, in cis. Not a compound het.
    "PHASED_CIS": [(2000, "0|1:200", "./.", "./.", "0/0"), (2100, "0|1:200", "./.", "./.", "0/0")],
    # phased, but in different phase sets: phase unknown, so the parents decide (one from each).
    "DIFF_PS": [(3000, "0|1:300", "0/1", "0/0", "0/0"), (3100, "1|0:301", "0/0", "0/1", "0/0")],
    # unphased, one allele from each parent: in trans.
    "TRANS": [(4000, "0/1", "0/1", "0/0", "0/0"), (4100, "0/1", "0/0", "0/1", "0/0")],
    # unphased, both from the father (mother hom-ref at both): in cis.
    "CIS": [(5000, "0/1", "0/1", "0/0", "0/0"), (5100, "0/1", "0/1", "0/0", "0/0")],
    # as TRANS, but the unaffected sister carries both: excluded.
    "SIBSHARE": [(6000, "0/1", "0/1", "0/0", "0/1"), (6100, "0/1", "0/0", "0/1", "0/1")],
    # as TRANS, the sister carries only one of them: still in trans.
    "SIBONE": [(7000, "0/1", "0/1", "0/0", "0/1"), (7100, "0/1", "0/0", "0/1", "0/0")],
    # one paternal (a) and two maternal (b, c): a-b and a-c in trans, b-c both maternal (cis).
    "THREE": [(8000, "0/1", "0/1", "0/0", "0/0"), (8100, "0/1", "0/0", "0/1", "0/0"),
              (8200, "0/1", "0/0", "0/1", "0/0")],
    # one from each parent, but the maternal one is common (gnomAD AF 0.3 below).
    "COMMON": [(9000, "0/1", "0/1", "0/0", "0/0"), (9100, "0/1", "0/0", "0/1", "0/0")],
    # one from each parent, but the unaffected sister is hom-alt for the second: not a candidate side.
    "HOMSIB": [(10000, "0/1", "0/1", "0/0", "0/0"), (10100, "0/1", "0/0", "0/1", "1/1")],
    # both maternal (father hom-ref at both): cis.
    "MATERNAL": [(11000, "0/1", "0/0", "0/1", "0/0"), (11100, "0/1", "0/0", "0/1", "0/0")],
}  # fmt: skip
POS = {gene: [v[0] for v in variants] for gene, variants in GENES.items()}


@pytest.fixture(scope="module")
def family(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Path], Path]:
    rows = [("chr1", pos, "A", "G", gts) for variants in GENES.values() for pos, *gts in variants]
    genes = {
        ("chr1", pos): (gene, 0.3 if pos == 9100 else 0.0001)
        for gene, variants in GENES.items()
        for pos, *_ in variants
    }
    genomes, ann = write_family(tmp_path_factory.mktemp("comphet"), SAMPLES, rows, genes)
    assert ann is not None
    return genomes, ann


def pedigree(genomes: dict[str, Path], sequenced: tuple[str, ...] = SAMPLES) -> Pedigree:
    g = {n: genomes[n] for n in sequenced}
    return Pedigree(
        (
            Member("KID", Sex.MALE, Affected.AFFECTED, "DAD", "MUM", g.get("KID")),
            Member("DAD", Sex.MALE, Affected.UNAFFECTED, genotypes=g.get("DAD")),
            Member("MUM", Sex.FEMALE, Affected.UNAFFECTED, genotypes=g.get("MUM")),
            Member("SIB", Sex.FEMALE, Affected.UNAFFECTED, "DAD", "MUM", g.get("SIB")),
        ),
        "KID",
    )


def comphet(ped: Pedigree, ann: Path, **kw) -> dict[int, tuple[Certainty, str, list[int]]]:
    """position → (certainty, evidence, partner positions) of the compound heterozygous calls."""
    found = list(
        find_candidates(ped, build="GRCh38", annotations=ann, modes=[Mode.COMPOUND_HETEROZYGOUS], **kw)
    )
    by_key = {c.key: c.pos for c in found}
    out = {}
    for c in found:
        call = c.mode(Mode.COMPOUND_HETEROZYGOUS)
        assert call is not None and c.mode_names == [Mode.COMPOUND_HETEROZYGOUS]
        out[c.pos] = (call.certainty, call.evidence, [by_key[k] for k in call.partners])
    return out


def test_trio_with_sibling(family: tuple[dict[str, Path], Path]) -> None:
    genomes, ann = family
    got = comphet(pedigree(genomes), ann)
    consistent = Certainty.CONSISTENT
    each_parent = "in trans: one allele from each parent"
    expected = {
        1000: (consistent, "phased in trans (phase set 100)", [1100]),
        1100: (consistent, "phased in trans (phase set 100)", [1000]),
        3000: (consistent, each_parent, [3100]),
        3100: (consistent, each_parent, [3000]),
        4000: (consistent, each_parent, [4100]),
        4100: (consistent, each_parent, [4000]),
        7000: (consistent, each_parent, [7100]),
        7100: (consistent, each_parent, [7000]),
        8000: (consistent, each_parent, [8100, 8200]),
        8100: (consistent, each_parent, [8000]),
        8200: (consistent, each_parent, [8000]),
        9000: (consistent, each_parent, [9100]),
        9100: (consistent, each_parent, [9000]),
    }
    # absent: PHASED_CIS (same haplotype), CIS and MATERNAL (same parent), SIBSHARE (sister carries
    # both), HOMSIB (sister hom-alt for one side)
    assert got == expected


def test_rare_filter_applies_before_pairing(family: tuple[dict[str, Path], Path]) -> None:
    genomes, ann = family
    got = comphet(pedigree(genomes), ann, query=VariantQuery(max_af=0.01))
    assert 9000 not in got and 9100 not in got  # the maternal half is common: no pair left
    assert got[4000][2] == [4100]


def test_one_parent_missing_is_uncertain(family: tuple[dict[str, Path], Path]) -> None:
    genomes, ann = family
    got = comphet(pedigree(genomes, ("KID", "DAD", "SIB")), ann)
    uncertain = (Certainty.UNCERTAIN, "unphased/uncertain: mother not sequenced")
    # phase still decides PHASED_TRANS / PHASED_CIS
    assert got[1000] == (Certainty.CONSISTENT, "phased in trans (phase set 100)", [1100])
    assert 2000 not in got
    # TRANS: father carries one, the other may be maternal or de novo
    assert got[4000] == (*uncertain, [4100])
    # CIS: the unaffected father carries both (in trans he would be affected; in cis the son got them
    # together from him): excluded with or without the mother
    assert 5000 not in got and 5100 not in got
    # MATERNAL: the father is hom-ref at both, so both came from the mother: cis, excluded
    assert 11000 not in got and 11100 not in got
    # SIBSHARE: the unaffected sister still excludes the pair
    assert 6000 not in got
    # HOMSIB second side is still no candidate (sister hom-alt)
    assert 10000 not in got


def test_proband_only_pairs_are_possible(family: tuple[dict[str, Path], Path]) -> None:
    genomes, ann = family
    got = comphet(pedigree(genomes, ("KID",)), ann)
    # every gene with two (or three) unphased hets pairs up as 'possible'; PHASED_CIS stays excluded
    # by phase, PHASED_TRANS is shown by phase
    assert 2000 not in got and 2100 not in got
    assert got[1000][0] is Certainty.CONSISTENT
    assert got[4000] == (Certainty.POSSIBLE, "proband only", [4100])
    assert got[8100] == (Certainty.POSSIBLE, "proband only", [8000, 8200])  # no parents: b-c allowed
    assert got[10100] == (Certainty.POSSIBLE, "proband only", [10000])  # the sister is not sequenced
    genes_paired = {g for g, positions in POS.items() if positions[0] in got}
    assert genes_paired == set(GENES) - {"PHASED_CIS"}


def test_needs_annotation(family: tuple[dict[str, Path], Path]) -> None:
    genomes, _ = family
    with pytest.raises(Invalid, match="annotation"):
        list(find_candidates(pedigree(genomes), build="GRCh38", modes=[Mode.COMPOUND_HETEROZYGOUS]))
    # by default compound hets are just skipped without annotation
    modes = {m for c in find_candidates(pedigree(genomes), build="GRCh38") for m in c.mode_names}
    assert Mode.COMPOUND_HETEROZYGOUS not in modes
