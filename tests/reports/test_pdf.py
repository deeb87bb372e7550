"""Render clinical reports to PDF and read them back with poppler: text, header/footer bands and pixels."""

from __future__ import annotations

import os
import re
import time
from dataclasses import replace
from pathlib import Path

import pytest

from tests.reports import pdftools as pt
from tests.reports.sample import sample_document
from vardesk.reports.model import NO_REPORTABLE_VARIANTS, ReportStatus
from vardesk.reports.pdf import PREVIEW_BANNER, harfbuzz_subsetting, render_html, render_pdf

pytestmark = pt.needs_poppler

SCRIPT_NOTE = 'Family requested copy. <script>alert("x")</script> & <b>not bold</b>'
BANNER_FILL = (0xFD, 0xEC, 0xEE)  # the preview banner's background colour in report.css


def _write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("reports")
    final = render_pdf(sample_document(ReportStatus.FINAL, comments=SCRIPT_NOTE))
    return {
        "final": _write(tmp, "final.pdf", final),
        "final_again": _write(
            tmp, "final2.pdf", render_pdf(sample_document(ReportStatus.FINAL, comments=SCRIPT_NOTE))
        ),
        "preview": _write(tmp, "preview.pdf", render_pdf(sample_document(ReportStatus.PREVIEW))),
        "amended": _write(tmp, "amended.pdf", render_pdf(sample_document(ReportStatus.AMENDED))),
        "empty_letter": _write(
            tmp,
            "empty.pdf",
            render_pdf(
                sample_document(ReportStatus.FINAL, primary_findings=(), secondary_findings=()),
                page_size="Letter",
            ),
        ),
    }


def test_findings_are_printed_with_their_interpretation(pdfs: dict[str, Path]) -> None:
    body = pt.flat(pt.text(pdfs["final"]))
    for expected in (
        "SCN1A",
        "NM_001165963.4",
        "c.2836C>T",
        "p.(Arg946Cys)",
        "KCNQ2",
        "c.1678C>T",
        "Uncertain significance",
        "BRCA2",
        "c.5946del",
        "p.(Ser1982ArgfsTer22)",
        "Heterozygous",
        "Pathogenic",
        "PS2, PM1, PM2_Supporting, PP3, PS4_Moderate",
        "Result: POSITIVE",
        "Secondary findings",
        "Mean coverage (target) 186×",
        "Target bases ≥ 20× 99.2%",
        "HP:0011097 Epileptic spasm",
        "Maya Okafor",
        "Approved by (Laboratory Director)",
    ):
        assert expected in body, expected
    # primary findings come before secondary findings
    assert body.index("SCN1A") < body.index("KCNQ2") < body.index("Secondary findings") < body.index("BRCA2")


def test_every_page_header_carries_patient_name_dob_and_accession(pdfs: dict[str, Path]) -> None:
    for key in ("final", "preview", "amended"):
        n = pt.page_count(pdfs[key])
        assert n >= 2, f"{key}: the sample report should span several pages"
        for page in range(1, n + 1):
            header = pt.flat(pt.text(pdfs[key], page, height=pt.HEADER_PT))
            assert "QUINTERO-LIND, Ada" in header, (key, page, header)
            assert "ACC-778812" in header, (key, page, header)
            assert "2019-07-03" in header, (key, page, header)


def test_every_page_is_numbered_page_x_of_y(pdfs: dict[str, Path]) -> None:
    pdf = pdfs["final"]
    n = pt.page_count(pdf)
    assert f"Page 1 of {n}" in pt.text(pdf, 1)
    for page in range(1, n + 1):
        footer = pt.flat(pt.text(pdf, page, y=pt.FOOTER_FROM_PT, height=100))
        assert f"Page {page} of {n}" in footer
        assert "CLIA 05D2145789" in footer


def test_preview_is_marked_on_every_page_and_final_is_not(pdfs: dict[str, Path]) -> None:
    preview, final = pdfs["preview"], pdfs["final"]
    for page in range(1, pt.page_count(preview) + 1):
        assert PREVIEW_BANNER in pt.flat(pt.text(preview, page, height=pt.HEADER_PT))
    final_text = pt.text(final)
    assert PREVIEW_BANNER not in final_text
    assert "PRELIMINARY" not in final_text
    assert "Not signed." in pt.flat(pt.text(preview))
    # the banner is drawn, not just written: its fill colour covers a band of page 1 of the preview only
    _, _, preview_px = pt.rgb_pixels(preview, 1)
    _, _, final_px = pt.rgb_pixels(final, 1)
    assert pt.count_colour(preview_px, BANNER_FILL) > 1000
    assert pt.count_colour(final_px, BANNER_FILL) == 0


def test_amended_report_is_marked_with_its_reason(pdfs: dict[str, Path]) -> None:
    pdf = pdfs["amended"]
    for page in range(1, pt.page_count(pdf) + 1):
        assert "AMENDED REPORT" in pt.text(pdf, page, height=pt.HEADER_PT)
    body = pt.flat(pt.text(pdf))
    assert "Reason for amendment: Updated the SCN1A classification" in body
    assert "R-2024-00113 v2" in body
    assert "AMENDED" not in pt.text(pdfs["final"])


def test_no_findings_prints_the_negative_statement_on_letter_paper(pdfs: dict[str, Path]) -> None:
    pdf = pdfs["empty_letter"]
    body = pt.flat(pt.text(pdf))
    assert NO_REPORTABLE_VARIANTS in body
    assert "Result: NEGATIVE" in body
    assert "No reportable secondary findings were identified." in body
    assert "Variant interpretation" not in body
    assert "(letter)" in pt.info(pdf)["Page size"]
    assert "(A4)" in pt.info(pdfs["final"])["Page size"]


def test_user_text_is_escaped_not_interpreted(pdfs: dict[str, Path]) -> None:
    html = render_html(sample_document(ReportStatus.FINAL, comments=SCRIPT_NOTE))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;not bold&lt;/b&gt;" in html
    assert SCRIPT_NOTE in pt.flat(pt.text(pdfs["final"]))


def test_output_is_deterministic_and_dated_from_the_report(pdfs: dict[str, Path]) -> None:
    assert pdfs["final"].read_bytes() == pdfs["final_again"].read_bytes()
    meta = pt.info(pdfs["final"])
    assert meta["CreationDate"] == "2024-03-14T00:00:00Z"
    assert meta["ModDate"] == "2024-03-14T00:00:00Z"
    assert "QUINTERO" not in meta["Title"]  # no PHI beyond the accession in document metadata


def test_fonts_are_subset_with_harfbuzz() -> None:
    """The install provides HarfBuzz-Subset (Debian libharfbuzz-subset0), WeasyPrint's supported path."""
    assert harfbuzz_subsetting(), "install libharfbuzz-subset0 (HarfBuzz-Subset >= 4.1)"


@pytest.mark.parametrize("subsetter", ["harfbuzz", "fonttools"])
def test_font_subsets_do_not_depend_on_the_clock(subsetter: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """fontTools stamps the fonts it writes with the current time unless pinned: two renders on either side
    of a second boundary must still be identical, and the pin must not outlive the render."""
    import weasyprint.pdf.fonts

    if subsetter == "fonttools":  # as on a host without libharfbuzz-subset0
        monkeypatch.setattr(weasyprint.pdf.fonts, "harfbuzz_subset", None)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    doc = sample_document(ReportStatus.FINAL)
    first = render_pdf(doc)
    time.sleep(1.05)
    assert render_pdf(doc) == first
    assert "SOURCE_DATE_EPOCH" not in os.environ


def test_page_one_rasterises(pdfs: dict[str, Path], tmp_path: Path) -> None:
    width, height = pt.png_page(pdfs["preview"], 1, tmp_path / "page1")
    assert abs(height / width - 297 / 210) < 0.01  # A4 portrait


def test_logo_is_inlined(tmp_path: Path) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    doc = sample_document()
    doc = replace(doc, laboratory=replace(doc.laboratory, logo_path=logo))
    html = render_html(doc)
    assert 'src="data:image/svg+xml;base64,' in html
    assert str(tmp_path) not in html


def test_unknown_page_size_is_refused() -> None:
    with pytest.raises(ValueError, match="page size"):
        render_html(sample_document(), page_size="A5")


def test_long_results_table_repeats_its_header_and_keeps_rows_whole(tmp_path: Path) -> None:
    doc = sample_document()
    base = doc.primary_findings[1]
    many = tuple(
        replace(base, gene=f"GENE{i:02d}", hgvs_c=f"c.{100 + i}C>T", hgvs_p=f"p.(Arg{30 + i}Trp)")
        for i in range(30)
    )
    pdf = _write(tmp_path, "long.pdf", render_pdf(replace(doc, primary_findings=many, secondary_findings=())))
    pages = [pt.text(pdf, p) for p in range(1, pt.page_count(pdf) + 1)]
    row_pages = [i for i, page in enumerate(pages) if re.search(r"^\s*GENE\d\d\s+NM_", page, re.M)]
    assert len(row_pages) >= 2, "30 findings should not fit on one page"
    for i in row_pages:  # the header row is repeated on every page the table reaches
        lines = [line.split() for line in pages[i].splitlines()]
        assert ["Gene", "Variant", "Zygosity", "Inheritance", "Classification", "Confirmation"] in lines, i
    for n in range(30):  # no row is split across pages: transcript, c. and p. print together
        row = rf"GENE{n:02d}\s+NM_172107\.4[^\n]*\n\s*c\.{100 + n}C>T\s*\n\s*p\.\(Arg{30 + n}Trp\)"
        assert sum(bool(re.search(row, page)) for page in pages) == 1, n


def test_patient_sex_and_tiers_print_in_the_report_wording() -> None:
    html = render_html(sample_document(ReportStatus.FINAL))
    assert "<tr><th>Sex</th><td>Female</td></tr>" in html
    assert 'class="cls cls-p">Pathogenic<' in html and 'class="cls cls-vus">Uncertain significance<' in html
