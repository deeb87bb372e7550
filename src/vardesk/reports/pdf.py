"""Render a :class:`ReportDocument` to HTML (Jinja2, autoescaped) and to PDF (WeasyPrint, CSS paged media).

The output is deterministic: the PDF's creation and modification dates are the report date, nothing else in
it depends on the clock, and the laboratory's logo is inlined, so WeasyPrint loads no file or URL.

Embedded fonts: WeasyPrint subsets them with HarfBuzz (``libharfbuzz-subset`` >= 4.1, Debian
``libharfbuzz-subset0``), which writes no timestamp, and falls back to fontTools when that library is
missing. fontTools stamps every font it writes (``head.modified``) with the current time — the subset on
that path, and variable or colour fonts on both — so two renders a second apart differed in the font
stream. Rendering pins that stamp to the report date through the reproducible-builds variable
``SOURCE_DATE_EPOCH``, which fontTools honours; either path then gives the same bytes for the same document.
HarfBuzz is the supported path (WeasyPrint will drop the fallback); a missing library is logged.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import UTC, date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import DictLoader, Environment, StrictUndefined

from vardesk.reports.model import NO_SECONDARY_FINDINGS, ReportDocument, ReportStatus
from vardesk.resources import package_texts

log = logging.getLogger("vardesk.reports")
PREVIEW_BANNER = "PRELIMINARY — NOT FOR CLINICAL USE"
PAGE_SIZES = ("A4", "Letter")

_STATUS_LABEL = {
    ReportStatus.PREVIEW: "Preliminary (not approved)",
    ReportStatus.FINAL: "Final",
    ReportStatus.AMENDED: "Amended",
}


def _fdate(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat()


def _fdatetime(value: datetime | None) -> str:
    if value is None:
        return "—"
    text = value.strftime("%Y-%m-%d %H:%M")
    if value.tzinfo is not None:
        offset = value.strftime("%z")
        text += " UTC" if offset == "+0000" else f" {offset[:3]}:{offset[3:]}"
    return text


# read at import: a reinstall under a running server must not take its templates away
_TEMPLATES = package_texts("vardesk.reports", "templates")


@cache
def _environment() -> Environment:
    env = Environment(
        loader=DictLoader(_TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["fdate"] = _fdate
    env.filters["fdatetime"] = _fdatetime
    return env


def _pdf_date(doc: ReportDocument) -> str:
    """The report date at midnight UTC, as the PDF's creation and modification dates."""
    return datetime.combine(doc.report.report_date, time(0, 0), tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _context(doc: ReportDocument, page_size: str) -> dict[str, Any]:
    ctx: dict[str, Any] = {f.name: getattr(doc, f.name) for f in fields(doc)}
    ctx.update(
        lab=doc.laboratory,
        status=doc.report.status.value,
        status_label=_STATUS_LABEL[doc.report.status],
        title=f"{doc.test.name} — accession {doc.report.accession}",
        pdf_date=_pdf_date(doc),
        page_size=page_size,
        logo_uri=_logo_data_uri(doc.laboratory.logo_path),
        primary=list(doc.primary_findings),
        secondary=list(doc.secondary_findings),
        secondary_analysed=doc.secondary_findings_analysed,
        no_secondary_statement=NO_SECONDARY_FINDINGS,
        preview_banner=PREVIEW_BANNER,
        extra=sorted(doc.extra.items()),
        summary=doc.summary,
    )
    return ctx


def render_html(doc: ReportDocument, *, page_size: str | None = None) -> str:
    """The report as one self-contained HTML page (styles inline), the input of :func:`render_pdf`."""
    size = page_size or doc.page_size
    if size not in PAGE_SIZES:
        raise ValueError(f"page size must be one of {', '.join(PAGE_SIZES)}, not {size!r}")
    return _environment().get_template("report.html.j2").render(_context(doc, size))


def _logo_data_uri(path: Path | None) -> str:
    """The logo inlined as a data: URI, so rendering never reads a file or URL named by the HTML."""
    if path is None or not path.is_file():
        return ""
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if not mime.startswith("image/"):
        raise ValueError(f"laboratory logo is not an image: {path}")
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def harfbuzz_subsetting() -> bool:
    """Whether WeasyPrint subsets fonts with HarfBuzz here (else with its fontTools fallback)."""
    from weasyprint.pdf import fonts

    return fonts.harfbuzz_subset is not None and bool(fonts.harfbuzz.hb_version_atleast(4, 1, 0))


@cache
def _check_subsetter() -> None:
    """Log once when fonts will be subset with the fontTools fallback."""
    if not harfbuzz_subsetting():
        log.warning(
            "HarfBuzz-Subset >= 4.1 is not available (Debian: libharfbuzz-subset0); report fonts are "
            "subset with WeasyPrint's fontTools fallback, which its next versions drop"
        )


_FONT_CLOCK = threading.Lock()  # SOURCE_DATE_EPOCH is process-wide: one render at a time sets it


@contextmanager
def _font_timestamps_at(when: datetime) -> Iterator[None]:
    """fontTools' "now" is ``when`` while rendering (``SOURCE_DATE_EPOCH``), then as before."""
    with _FONT_CLOCK:
        before = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = str(int(when.timestamp()))
        try:
            yield
        finally:
            if before is None:
                os.environ.pop("SOURCE_DATE_EPOCH", None)
            else:
                os.environ["SOURCE_DATE_EPOCH"] = before


def render_pdf(doc: ReportDocument, *, page_size: str | None = None) -> bytes:
    """The report as PDF bytes: running PHI header and "Page X of Y" on every page, preview watermark and
    banner on drafts, "AMENDED REPORT" on amendments. Identical documents give identical bytes."""
    from weasyprint import HTML

    _check_subsetter()
    html = render_html(doc, page_size=page_size)
    report_day = datetime.combine(doc.report.report_date, time(0, 0), tzinfo=UTC)
    with _font_timestamps_at(report_day):
        pdf = HTML(string=html).write_pdf(
            pdf_identifier=f"vardesk-{doc.report.report_id}-v{doc.report.version}".encode(),
        )
    assert pdf is not None  # write_pdf returns bytes when no target is given
    return pdf
