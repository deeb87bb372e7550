"""The pseudo-autosomal regions of each build (GRC coordinates, 1-based inclusive)."""

from __future__ import annotations

import pytest

from vardesk.domain.par import hemizygous_in_male, in_par, pars


def test_par_boundaries_of_each_build() -> None:
    assert [(p.name, p.start, p.end) for p in pars("GRCh37")] == [
        ("PAR1", 60_001, 2_699_520),
        ("PAR2", 154_931_044, 155_260_560),
    ]
    assert [(p.name, p.start, p.end) for p in pars("hg38", "chrX")] == [
        ("PAR1", 10_001, 2_781_479),
        ("PAR2", 155_701_383, 156_030_895),
    ]
    assert [(p.start, p.end) for p in pars("GRCh37", "Y")] == [(10_001, 2_649_520), (59_034_050, 59_363_566)]
    assert [(p.start, p.end) for p in pars("GRCh38", "Y")] == [(10_001, 2_781_479), (56_887_903, 57_217_415)]


@pytest.mark.parametrize(
    ("chrom", "pos", "build", "par"),
    [
        ("X", 2_699_520, "GRCh37", True),  # last base of GRCh37 PAR1
        ("X", 2_699_521, "GRCh37", False),
        ("X", 2_750_000, "GRCh37", False),  # inside GRCh38 PAR1, outside GRCh37's
        ("chrX", 2_750_000, "GRCh38", True),
        ("X", 155_000_000, "GRCh37", True),
        ("X", 155_000_000, "GRCh38", False),
        ("1", 100, "GRCh37", False),
    ],
)
def test_in_par_uses_the_build(chrom: str, pos: int, build: str, par: bool) -> None:
    assert in_par(chrom, pos, build) is par
    assert hemizygous_in_male(chrom, pos, build) is (chrom.removeprefix("chr") in ("X", "Y") and not par)


def test_unknown_build_is_an_error() -> None:
    with pytest.raises(ValueError, match="T2T"):
        pars("T2T")
