from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pysam
import pytest

from vardesk.annotate.keys import with_keys

TESTDATA = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"


@pytest.fixture(scope="session")
def testdata() -> Path:
    if not TESTDATA.is_dir():
        pytest.skip(f"test data not found at {TESTDATA}")
    return TESTDATA


def records_table(vcf: Path) -> tuple[pa.Table, list[dict]]:
    """Variant table of a VCF's records as written (one row per ALT), plus the raw records."""
    rows: list[tuple[str, int, str, str]] = []
    recs = []
    with pysam.VariantFile(str(vcf)) as vf:
        for rec in vf:
            info = {k: rec.info[k] for k in rec.info}
            recs.append(
                {"chrom": rec.chrom, "pos": rec.pos, "ref": rec.ref, "alts": rec.alts or (".",), "info": info}
            )
            for alt in rec.alts or (".",):
                rows.append((rec.chrom, rec.pos, rec.ref, alt))
    chrom, pos, ref, alt = (list(x) for x in zip(*rows, strict=True)) if rows else ([], [], [], [])
    t = pa.table(
        {"chrom": pa.array(chrom, pa.string()), "pos": pa.array(pos, pa.int32()), "ref": ref, "alt": alt}
    )
    return with_keys(t), recs


@pytest.fixture(scope="session")
def vcf_records():
    return records_table
