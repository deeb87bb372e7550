from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

TESTDATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "testdata"
GIAB = TESTDATA / "giab-trio-grch37" / "ashk-trio.vcf.gz"

_BCFTOOLS = (
    "import sys; from pysam import bcftools as b; out = getattr(b, sys.argv[1])(*sys.argv[2:]); "
    "sys.stdout.buffer.write(out if isinstance(out, bytes) else out.encode())"
)


def run_bcftools(command: str, *args: str) -> str:
    """pysam's bcftools in a child process (it keeps state between calls in one process)."""
    done = subprocess.run(
        [sys.executable, "-c", _BCFTOOLS, command, *args], capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture(scope="session")
def bcftools() -> Callable[..., str]:
    return run_bcftools


@pytest.fixture(scope="session")
def giab() -> Path:
    if not GIAB.exists():
        pytest.skip("shared test data not available")
    return GIAB


HEADER = (
    "##fileformat=VCFv4.2\n"
    "##contig=<ID=chr1,length=248956422>\n"
    "##contig=<ID=chrX,length=156040895>\n"
    '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">\n'
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">\n'
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">\n'
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">\n'
)
CHROM_LINE = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"


@pytest.fixture
def write_vcf(tmp_path: Path) -> Callable[..., Path]:
    """Write VCF text (tab-separated; ``|`` in records stands for tabs when ``bars``) to a file."""

    def write(text: str, name: str = "in.vcf", *, bars: bool = False) -> Path:
        if bars:
            text = "\n".join(
                line if line.startswith("#") else line.replace(" | ", "\t") for line in text.split("\n")
            )
        path = tmp_path / name
        path.write_bytes(text.encode())
        return path

    return write
