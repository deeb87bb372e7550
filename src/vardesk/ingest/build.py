"""Genome build detection from ``##reference`` and ``##contig`` (names and lengths)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from vardesk.domain.errors import Invalid
from vardesk.domain.variant_key import canonical_chrom

_NAMES = [str(i) for i in range(1, 23)] + ["X", "Y", "MT"]

GRCH37_LENGTHS: dict[str, int] = dict(
    zip(
        _NAMES,
        [
            249250621, 243199373, 198022430, 191154276, 180915260, 171115067, 159138663, 146364022,
            141213431, 135534747, 135006516, 133851895, 115169878, 107349540, 102531392, 90354753,
            81195210, 78077248, 59128983, 63025520, 48129895, 51304566, 155270560, 59373566, 16569,
        ],
        strict=True,
    )
)  # fmt: skip
GRCH38_LENGTHS: dict[str, int] = dict(
    zip(
        _NAMES,
        [
            248956422, 242193529, 198295559, 190214555, 181538259, 170805979, 159345973, 145138636,
            138394717, 133797422, 135086622, 133275309, 114364328, 107043718, 101991189, 90338345,
            83257441, 80373285, 58617616, 64444167, 46709983, 50818468, 156040895, 57227415, 16569,
        ],
        strict=True,
    )
)  # fmt: skip
BUILD_LENGTHS = {"GRCh37": GRCH37_LENGTHS, "GRCh38": GRCH38_LENGTHS}
HG19_CHRM_LENGTH = 16571  # UCSC hg19 chrM (the Yoruba mitochondrion), also GRCh37-based

_ALIASES = {
    "grch37": "GRCh37", "hg19": "GRCh37", "b37": "GRCh37", "hs37d5": "GRCh37", "37": "GRCh37",
    "grch38": "GRCh38", "hg38": "GRCh38", "b38": "GRCh38", "38": "GRCh38",
}  # fmt: skip
_REF_PATTERNS = [
    (re.compile(r"grch37|hg19|hs37d5|human_g1k_v37|\bb37\b|_b37|ucsc\.hg19|37d5", re.I), "GRCh37"),
    (re.compile(r"grch38|hg38|assembly38|\bb38\b|_b38|GCA_000001405\.15", re.I), "GRCh38"),
]


def normalise_build(name: str) -> str:
    """``hg19``/``b37``/``GRCh37`` → ``GRCh37``; ``hg38``/``GRCh38`` → ``GRCh38``; else :class:`Invalid`."""
    build = _ALIASES.get(name.strip().lower())
    if build is None:
        raise Invalid(f"unknown genome build {name!r}; expected GRCh37 or GRCh38")
    return build


def build_from_reference(reference: str | None) -> str | None:
    if not reference:
        return None
    hits = {build for pattern, build in _REF_PATTERNS if pattern.search(reference)}
    return hits.pop() if len(hits) == 1 else None


def build_from_contigs(contigs: Mapping[str, int | None]) -> tuple[str | None, str]:
    """(build, evidence) from contig lengths; (None, "") when no main contig has a known length.

    Raises :class:`Invalid` when some lengths are GRCh37's and others GRCh38's.
    """
    votes: dict[str, str] = {}
    for name, length in contigs.items():
        if length is None:
            continue
        canon = canonical_chrom(name)
        if canon == "MT":
            if length == HG19_CHRM_LENGTH:
                votes.setdefault("GRCh37", f"contig {name} length {length}")
            continue
        for build, table in BUILD_LENGTHS.items():
            if table.get(canon) == length:
                votes.setdefault(build, f"contig {name} length {length}")
    if len(votes) > 1:
        raise Invalid(
            f"contig lengths mix GRCh37 and GRCh38 ({votes['GRCh37']} is GRCh37, {votes['GRCh38']} is GRCh38)"
        )
    if not votes:
        return None, ""
    build, evidence = next(iter(votes.items()))
    return build, evidence


def detect_build(
    contigs: Mapping[str, int | None], reference: str | None, expected: str | None = None
) -> str | None:
    """The file's build, checked against ``expected``; ``None`` when nothing tells and none is expected.

    Contig lengths win over the ``##reference`` text; the two contradicting each other is
    :class:`Invalid`, and so is a detected build that contradicts ``expected``.
    """
    want = normalise_build(expected) if expected else None
    by_contigs, evidence = build_from_contigs(contigs)
    by_ref = build_from_reference(reference)
    if by_contigs and by_ref and by_contigs != by_ref:
        raise Invalid(
            f"##reference says {by_ref} but {evidence} is {by_contigs}",
        )
    found = by_contigs or by_ref
    why = evidence if by_contigs else f"##reference={reference}"
    if want and found and found != want:
        raise Invalid(f"file is {found} ({why}) but {want} was expected")
    return found or want
