"""Command-line start-up benchmark: ``vardesk --help`` and ``vardesk --version`` as a user runs them.

    python bench/cli.py [--runs 10] [--script PATH]

Each command runs ``--runs`` times as a fresh subprocess of the ``vardesk`` console script (the one on
PATH unless ``--script``), with this checkout's ``src`` first on PYTHONPATH; ``python -c pass`` is timed
the same way as the floor no command line can go under. The last line is machine-readable:
``help_median_s=… help_p90_s=… version_median_s=… version_p90_s=…``. Target: median < 0.3 s each.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_S = 0.3


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{model}, {os.cpu_count()} cores, {ram_gb:.1f} GiB RAM, Python {platform.python_version()}"


def timings(cmd: list[str], runs: int, env: dict[str, str]) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out.append(time.perf_counter() - started)
    return out


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.9 * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--script", help="the vardesk console script (default: the one on PATH)")
    args = parser.parse_args()

    script = args.script or shutil.which("vardesk")
    if not script:
        sys.exit("bench/cli.py: no vardesk console script on PATH (pip install -e .), or give --script")
    src = str(HERE.parent / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p)}
    print(f"machine: {machine()}")
    print(f"script: {script} (source: {src})")
    floor = timings([sys.executable, "-c", "pass"], args.runs, env)
    print(f"python -c pass: median {statistics.median(floor):.3f} s, p90 {p90(floor):.3f} s (the floor)")
    figures = {}
    for name in ("help", "version"):
        runs = timings([script, f"--{name}"], args.runs, env)
        median = statistics.median(runs)
        figures[name] = (median, p90(runs))
        verdict = "ok" if median < TARGET_S else f"OVER the {TARGET_S} s target"
        print(
            f"vardesk --{name}: median {median:.3f} s, p90 {p90(runs):.3f} s, "
            f"min {min(runs):.3f} s over {args.runs} runs ({verdict})"
        )
    print(" ".join(f"{n}_median_s={m:.3f} {n}_p90_s={q:.3f}" for n, (m, q) in figures.items()))


if __name__ == "__main__":
    main()
