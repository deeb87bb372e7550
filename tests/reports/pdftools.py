"""Read rendered PDFs back with poppler-utils (pdftotext, pdftoppm, pdfinfo)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

POPPLER = all(shutil.which(t) for t in ("pdftotext", "pdftoppm", "pdfinfo"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdftoppm) not installed")

HEADER_PT = 85  # the top page margin (30 mm) in points: the running header lives there
FOOTER_FROM_PT = 780  # below the A4 content area: the running footer


def _run(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True).stdout


def info(pdf: Path) -> dict[str, str]:
    out = _run("pdfinfo", "-isodates", pdf)
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def page_count(pdf: Path) -> int:
    return int(info(pdf)["Pages"])


def text(pdf: Path, page: int | None = None, *, y: int = 0, height: int | None = None) -> str:
    """The (layout) text of one page or all pages, optionally of a horizontal band in points."""
    args: list[str | Path] = ["pdftotext", "-layout", "-enc", "UTF-8"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    if height is not None:
        args += ["-x", "0", "-y", str(y), "-W", "2000", "-H", str(height)]
    return _run(*args, pdf, "-")


def flat(s: str) -> str:
    """Whitespace collapsed, so wrapped lines compare as one sentence."""
    return re.sub(r"\s+", " ", s).strip()


def rgb_pixels(pdf: Path, page: int, dpi: int = 40) -> tuple[int, int, bytes]:
    """Page ``page`` rasterised by pdftoppm as (width, height, RGB bytes)."""
    raw = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), str(pdf)],
        check=True,
        capture_output=True,
    ).stdout
    m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", raw)
    assert m, "pdftoppm did not write a PPM"
    w, h = int(m.group(1)), int(m.group(2))
    return w, h, raw[m.end() : m.end() + 3 * w * h]


def count_colour(rgb: bytes, colour: tuple[int, int, int]) -> int:
    target = bytes(colour)
    return sum(1 for i in range(0, len(rgb), 3) if rgb[i : i + 3] == target)


def png_page(pdf: Path, page: int, out: Path, dpi: int = 60) -> tuple[int, int]:
    """Write page ``page`` as PNG to ``out`` (a path without suffix gets ``.png``); its (width, height)."""
    stem = out.with_suffix("")
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-singlefile",
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            str(pdf),
            str(stem),
        ],
        check=True,
    )
    data = stem.with_suffix(".png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
