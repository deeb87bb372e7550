"""Reading a confirmation VCF: the exported report variants with FILTER set to CONFIRMED or FAIL."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pysam

from vardesk.domain.access import Actor
from vardesk.domain.errors import Invalid
from vardesk.domain.variant_key import canonical_chrom


def confirmation_rows(data: bytes) -> list[tuple[str, int, str, str, str]]:
    """(chrom, pos, ref, alt, FILTER) per ALT of every record; plain or compressed VCF bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "confirmation.vcf"
        path.write_bytes(data)
        rows = []
        try:
            with pysam.VariantFile(str(path)) as vcf:
                for rec in vcf:
                    flt = ";".join(rec.filter.keys()) or "."
                    for alt in rec.alts or ():
                        rows.append((canonical_chrom(rec.chrom), rec.pos, rec.ref, alt, flt))
        except (OSError, ValueError) as exc:
            # htslib names the scratch file it could not open: say what was wrong, not where
            reason = str(exc).replace(f"'{path}'", "the file").replace(str(path), "the file")
            raise Invalid(f"the confirmation file is not a readable VCF: {reason}") from None
    return rows


@dataclass(frozen=True)
class ConfirmationResult:
    outcome: dict[str, Any]  # confirmed, failed and ignored counts, the unmatched chrom:pos:ref:alt keys
    rows: list[tuple[str, int, str, str, str]]  # what the file said, per ALT


def apply_confirmation_file(
    interpretation: Any, actor: Actor, case_ref: str, data: bytes, *, study_ref: str | None = None
) -> ConfirmationResult:
    """The confirmation round trip of every face: read the VCF, then set CONFIRMED / FAILED_CONFIRMATION
    on the case's report variants it names (``interpretation`` is the InterpretationService)."""
    rows = confirmation_rows(data)
    outcome = interpretation.apply_confirmation(actor, case_ref, rows, study_ref=study_ref)
    return ConfirmationResult(outcome, rows)
