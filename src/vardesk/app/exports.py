"""Exporting variants as files: a case's report variants, or the variants of a study matching a search,
as VCF, CSV or JSON, streamed.

A face turns its request into an :class:`ExportCommand` (what to export and in which format) and streams
the :class:`Export` it gets back: the media type, the file name and the bytes, produced lazily so memory
stays bounded whatever the number of variants. Everything that can fail (access, an unknown case or
study, an unknown format) fails when the use case is called, before the first byte is produced.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from vardesk.app.cases.interpretation import (
    EXPORT_COLUMNS,
    TABULAR_COLUMNS,
    InterpretationService,
    export_rows,
)
from vardesk.app.variants import VariantHit, VariantSearch, VariantService
from vardesk.domain.access import Actor
from vardesk.domain.errors import Invalid
from vardesk.interchange.exports import encode, iter_csv, iter_json, iter_vcf

FORMATS = ("vcf", "csv", "json")
MEDIA_TYPE = "application/octet-stream"  # a download, whatever the format
CONFIRMATION_FILTERS = {"CONFIRMED": "Confirmed by an orthogonal method", "FAIL": "Failed confirmation"}
# the annotation columns of a study export, after the site columns
STUDY_ANNOTATION = (
    "gene_symbol",
    "consequence",
    "transcript_id",
    "hgvs_c",
    "hgvs_p",
    "gnomad_af",
    "clinvar_significance",
)
STUDY_COLUMNS = ("chrom", "pos", "ref", "alt", "id", "qual", "filters", *STUDY_ANNOTATION)


@dataclass(frozen=True)
class CaseVariants:
    """The report variants of a case (with each member's genotype)."""

    case: str
    study: str | None = None


@dataclass(frozen=True)
class StudyVariants:
    """Every variant of a study that matches ``search`` (``search.limit`` None: every match)."""

    study: str
    search: VariantSearch


@dataclass(frozen=True)
class ExportCommand:
    what: CaseVariants | StudyVariants
    format: str = "vcf"  # vcf, csv or json, in any case


@dataclass(frozen=True)
class Export:
    media_type: str
    filename: str
    body: Iterator[bytes]


def export_format(value: str | None) -> str:
    fmt = (value or "vcf").lower()
    if fmt not in FORMATS:
        raise Invalid(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    return fmt


def study_row(hit: VariantHit) -> dict[str, Any]:
    """A study variant as an export row: site, annotation and the included samples' values."""
    r = hit.row
    row = {
        "chrom": r["chrom"],
        "pos": r["pos"],
        "ref": r["ref"],
        "alt": r["alt"],
        "id": r.get("rsid") or None,
        "qual": r.get("qual"),
        "filters": r.get("filters") or [],
    }
    row.update({k: r.get(k) for k in STUDY_ANNOTATION if k in r})
    row["samples"] = {s: v for s, v in hit.samples}
    return row


class ExportVariants:
    """The variant export use case; one instance serves any number of exports."""

    def __init__(self, interpretation: InterpretationService, variants: VariantService) -> None:
        self.interpretation = interpretation
        self.variants = variants

    @classmethod
    def of(cls, services: Any) -> ExportVariants:
        return cls(services.interpretation, services.variants)

    def __call__(self, actor: Actor, command: ExportCommand) -> Export:
        what = command.what
        if isinstance(what, CaseVariants):
            return self._case(actor, what, command.format)
        return self._study(actor, what, command.format)

    def _case(self, actor: Actor, what: CaseVariants, fmt: str) -> Export:
        variants = self.interpretation.variants(actor, what.case, study_ref=what.study)
        rows, members = export_rows(variants)
        fmt = export_format(fmt)
        if fmt == "vcf":
            body = iter_vcf(
                rows, samples=members, info=list(EXPORT_COLUMNS), filter_descriptions=CONFIRMATION_FILTERS
            )
        elif fmt == "csv":
            body = iter_csv(rows, columns=TABULAR_COLUMNS)
        else:
            body = iter_json(rows)
        return Export(MEDIA_TYPE, f"{what.case}-variants.{fmt}", encode(body))

    def _study(self, actor: Actor, what: StudyVariants, fmt: str) -> Export:
        fmt = export_format(fmt)
        page, hits = self.variants.stream(actor, what.study, what.search)
        rows = (study_row(h) for h in hits)
        if fmt == "vcf":
            body = iter_vcf(rows, samples=page.samples, info=list(STUDY_ANNOTATION))
        elif fmt == "csv":
            body = iter_csv(rows, columns=STUDY_COLUMNS)  # the header also when nothing matches
        else:
            body = iter_json(rows)
        return Export(MEDIA_TYPE, f"variants.{fmt}", encode(body))
