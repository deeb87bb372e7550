"""The public reference slices of tests/testdata as reference bundles (built, not committed)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import TESTDATA
from vardesk.annotate.bundle import build_bundle

SAMD11 = TESTDATA / "reference-slices" / "grch37-SAMD11"


def samd11_bundle(out: Path) -> Path:
    """The GRCh37 SAMD11 slice (chr1:860k) as a bundle at ``out`` (id ``GRCh37-slice-1``)."""
    build_bundle(
        build="GRCh37",
        gff3=SAMD11 / "SAMD11.grch37.gff3",
        fasta=SAMD11 / "grch37_chr1_860k.fa.gz",
        out=out,
        version="slice-1",
    )
    return out
