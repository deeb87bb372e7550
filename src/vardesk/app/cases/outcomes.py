"""The worklist's diagnostic yield: of the cases signed out each month, how many reported a diagnosis.

A signed-out case counts as solved when its report carries a primary finding classified pathogenic or
likely pathogenic by the reviewer; read-only over the cases the actor may read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vardesk.app.cases.records import CaseView
from vardesk.app.context import ServiceContext
from vardesk.domain.cases import APPROVED, ToReport
from vardesk.domain.enums import Classification

DIAGNOSTIC = {Classification.PATHOGENIC.value, Classification.LIKELY_PATHOGENIC.value}


def diagnostic_yield(
    ctx: ServiceContext, views: Sequence[CaseView], months: int = 12
) -> list[dict[str, Any]]:
    """Per month of sign-out (the last ``months`` that had one): ``approved``, ``solved`` and ``share``;
    ``views`` are cases the caller already read (and so authorised)."""
    signed = [v.case for v in views if v.case.status == APPROVED and v.case.report_approved_date is not None]
    table: dict[str, list[int]] = {}
    with ctx.uow() as uow:
        for case in signed:
            found = uow.report_variants.of_case(case.id or 0)
            solved = any(
                rv.to_report is ToReport.PRIMARY_FINDING and rv.classification in DIAGNOSTIC for rv in found
            )
            entry = table.setdefault(case.report_approved_date.strftime("%Y-%m"), [0, 0])  # type: ignore[union-attr]
            entry[0] += 1
            entry[1] += int(solved)
    return [
        {"month": m, "approved": n, "solved": s, "share": s / n if n else 0.0}
        for m, (n, s) in sorted(table.items())[-months:]
    ]
