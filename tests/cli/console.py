"""Running the installed ``vardesk`` console script as a user would, against a given catalog."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def console_script() -> str:
    """The ``vardesk`` script of this interpreter's installation (PYTHONPATH decides which source runs)."""
    beside = Path(sys.executable).parent / "vardesk"
    found = str(beside) if beside.exists() else shutil.which("vardesk")
    assert found, "the vardesk console script is not installed (pip install -e .)"
    return found


def vardesk(
    args: list[str], data_dir: Path | None = None, database_url: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VARDESK_HASH_TIME_COST": "1", "VARDESK_HASH_MEMORY_KIB": "8192"}
    env.pop("VARDESK_TRACEBACK", None)
    if data_dir is not None:
        env["VARDESK_DATA_DIR"] = str(data_dir)
    if database_url is not None:
        env["VARDESK_DATABASE_URL"] = database_url
        env["VARDESK_AUTO_MIGRATE"] = "true"
    return subprocess.run(
        [console_script(), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def assert_clean_failure(r: subprocess.CompletedProcess[str], fragment: str, code: int = 1) -> None:
    """Exit ``code``, one ``vardesk: error: …`` line naming ``fragment``, no traceback."""
    assert r.returncode == code, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr, r.stderr
    errors = [line for line in r.stderr.splitlines() if line.startswith("vardesk: error: ")]
    assert errors, r.stderr
    assert fragment in errors[-1], (fragment, r.stderr)
