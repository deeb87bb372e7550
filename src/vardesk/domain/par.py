"""The pseudo-autosomal regions (PARs) of each human genome build, where a male is diploid.

1-based, inclusive, as the Genome Reference Consortium gives them. Everything that decides
hemizygosity or an X-linked fit (the inheritance patterns, the gene burden, the Emedgene zygosity)
reads this one table with the genome's own build.
"""

from __future__ import annotations

from typing import NamedTuple


class Par(NamedTuple):
    name: str  # PAR1, PAR2
    chrom: str  # X or Y (no "chr")
    start: int
    end: int


PSEUDOAUTOSOMAL: dict[str, tuple[Par, ...]] = {
    "GRCh37": (
        Par("PAR1", "X", 60_001, 2_699_520),
        Par("PAR2", "X", 154_931_044, 155_260_560),
        Par("PAR1", "Y", 10_001, 2_649_520),
        Par("PAR2", "Y", 59_034_050, 59_363_566),
    ),
    "GRCh38": (
        Par("PAR1", "X", 10_001, 2_781_479),
        Par("PAR2", "X", 155_701_383, 156_030_895),
        Par("PAR1", "Y", 10_001, 2_781_479),
        Par("PAR2", "Y", 56_887_903, 57_217_415),
    ),
}
BUILD_ALIASES = {"hg19": "GRCh37", "b37": "GRCh37", "grch37": "GRCh37", "hg38": "GRCh38", "grch38": "GRCh38"}


def _build(build: str) -> str:
    name = BUILD_ALIASES.get(build.strip().lower(), build)
    if name not in PSEUDOAUTOSOMAL:
        raise ValueError(f"no pseudo-autosomal regions for genome build {build!r}")
    return name


def pars(build: str, chrom: str = "X") -> tuple[Par, ...]:
    """The PARs of ``chrom`` (X or Y, with or without ``chr``) in ``build`` (GRCh37/hg19, GRCh38/hg38)."""
    c = bare_chrom(chrom)
    return tuple(p for p in PSEUDOAUTOSOMAL[_build(build)] if p.chrom == c)


def bare_chrom(chrom: str) -> str:
    return (chrom[3:] if chrom.lower().startswith("chr") else chrom).upper()


def in_par(chrom: str, pos: int, build: str) -> bool:
    """True inside a PAR of chrX/chrY of the build."""
    c = bare_chrom(chrom)
    return c in ("X", "Y") and any(p.start <= pos <= p.end for p in pars(build, c))


def hemizygous_in_male(chrom: str, pos: int, build: str) -> bool:
    """chrX or chrY outside the build's PARs: one copy in a male."""
    return bare_chrom(chrom) in ("X", "Y") and not in_par(chrom, pos, build)
