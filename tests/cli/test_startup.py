"""``vardesk --help`` and ``--version`` answer at once: the command line imports no heavy module until a
command runs (behaviour checked on ``sys.modules``; the timing is bench/cli.py's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.console import vardesk
from vardesk import __version__

HEAVY = ("duckdb", "pysam", "pyarrow", "fastapi", "sqlalchemy", "weasyprint", "uvicorn", "numpy")

_PROBE = """
import contextlib, io, json, sys
from vardesk.cli.main import build_parser, main
build_parser()
for argv in {argvs!r}:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            main(argv)
        except SystemExit:
            pass
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def heavy_modules_after(argvs: list[list[str]], data_dir: Path | None = None) -> list[str]:
    code = _PROBE.format(argvs=argvs, heavy=HEAVY)
    env = dict(os.environ)
    if data_dir is not None:
        env |= {"VARDESK_DATA_DIR": str(data_dir), "VARDESK_DATABASE_URL": f"sqlite:///{data_dir / 'c.db'}"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60, env=env
    )
    return json.loads(out.stdout)


def test_importing_the_command_line_imports_no_heavy_module() -> None:
    assert heavy_modules_after([]) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["--version"],
        ["genome", "import", "--help"],
        ["report", "pdf", "--help"],
        ["bundle", "build", "--help"],
        ["admin", "create-user", "--help"],
        ["cases", "batch", "--help"],
        ["serve", "--help"],
        ["report", "pdf", "1"],  # a usage error (no -o) is reported before anything is imported
    ],
    ids=" ".join,
)
def test_help_version_and_usage_errors_import_no_heavy_module(argv: list[str]) -> None:
    assert heavy_modules_after([argv]) == []


def test_a_command_does_import_what_it_needs(tmp_path: Path) -> None:
    """The probe can fail: running a command that needs the services loads them."""
    assert "sqlalchemy" in heavy_modules_after([["bundle", "list"]], tmp_path)


def test_console_script_version_and_help() -> None:
    r = vardesk(["--version"])
    assert r.returncode == 0 and r.stdout.strip() == f"vardesk {__version__}"
    r = vardesk(["--help"])
    assert r.returncode == 0 and "genome" in r.stdout and "report" in r.stdout
    r = vardesk(["report", "pdf", "--help"])
    assert r.returncode == 0 and "--output" in r.stdout
