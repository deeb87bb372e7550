"""Running the bcftools bundled in pysam in a child process, and small htslib helpers.

bcftools keeps static state between calls inside one process (csq remembers the last position
and then reports false "not sorted" errors), so every call runs in a fresh Python child.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pysam

from vardesk.domain.errors import Invalid

_CHILD = (
    "import sys\n"
    "from pysam import bcftools\n"
    "cmd = sys.argv[1]\n"
    "try:\n"
    "    out = getattr(bcftools, cmd)(*sys.argv[2:], catch_stdout=False)\n"
    "except Exception as exc:\n"
    "    sys.stderr.write(str(exc))\n"
    "    sys.exit(2)\n"
)


def bcftools_popen(command: str, args: Sequence[str | Path]) -> subprocess.Popen[bytes]:
    """Start ``bcftools <command> <args>`` in a child; the caller waits and checks it."""
    argv = [sys.executable, "-c", _CHILD, command, *[str(a) for a in args]]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def check(proc: subprocess.Popen[bytes], what: str) -> str:
    """Wait for a child started by ``bcftools_popen``; its stderr text, or ``Invalid`` on failure."""
    _, err = proc.communicate()
    text = err.decode(errors="replace")
    if proc.returncode != 0:
        raise Invalid(f"bcftools {what} failed: {text.strip()[-2000:]}")
    return text


def run_bcftools(command: str, args: Sequence[str | Path]) -> None:
    """Run one bcftools command in a child process; output goes where ``args`` say (``-o``)."""
    check(bcftools_popen(command, args), command)


def tool_versions() -> dict[str, str]:
    htslib = getattr(pysam.version, "__htslib_version__", "unknown")
    return {"pysam": pysam.__version__, "htslib": htslib, "bcftools": f"{htslib} (pysam)"}


def is_bgzf(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(18)
    return len(head) >= 16 and head[:4] == b"\x1f\x8b\x08\x04" and head[12:14] == b"BC"


def index_fasta(path: Path) -> None:
    """Create ``.fai`` (and ``.gzi`` for bgzipped FASTA) when missing."""
    with pysam.FastaFile(str(path)) as fa:
        fa.nreferences  # noqa: B018 - opening builds the index
