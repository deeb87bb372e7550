"""``vardesk cases batch FILE.csv``: the cases of an Emedgene batch CSV, checked whole, then created.

The file is checked first (every row, and a dry run of every case against the workspace); if any row has a
problem, each is printed (``row N, column 'X': …``), the result file lists them and nothing is created.
Otherwise the cases are created one family after the other with a progress bar. The result CSV has the
input's columns and, for each row, ``Errors`` and ``Case Id`` (as Emedgene's batch CLI writes them).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from vardesk.cli.output import check_input_file, check_output_file, write_atomically

if TYPE_CHECKING:
    from vardesk.app.cases.emedgene_batch import BatchPlan
    from vardesk.app.composition import Services


def result_path(source: Path) -> Path:
    """``<name>_results.csv`` beside the input."""
    return source.with_name(f"{source.stem}_results.csv")


def result_csv(plan: BatchPlan, errors: dict[int, list[str]], cases: dict[int, str]) -> str:
    """The ``[Data]`` line, the input's columns + ``Errors`` + ``Case Id``, one line per input row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    width = len(plan.header)
    writer.writerow(["[Data]"])
    writer.writerow([*plan.header, "Errors", "Case Id"])
    for row, cells in plan.rows:
        padded = [*cells[:width], *[""] * (width - len(cells))]
        writer.writerow([*padded, "; ".join(errors.get(row, [])), cases.get(row, "")])
    return out.getvalue()


def cases_batch(services: Services, args: argparse.Namespace) -> int:
    from vardesk.cli.data import ProgressBar, operator_actor
    from vardesk.cli.errors import fail

    source = check_input_file(args.file, "batch file")
    output = check_output_file(args.output or result_path(source))
    actor = operator_actor(services, args.workspace, args.as_user)
    plan = services.case_batch.check(actor, source.read_bytes())
    errors: dict[int, list[str]] = {}
    for problem in plan.problems:
        errors.setdefault(problem.row, []).append(problem.text().split(": ", 1)[1])
    if not plan.valid:
        for problem in plan.problems:
            print(problem.text(), file=sys.stderr)
        if plan.rows:
            write_atomically(output, result_csv(plan, errors, {}))
        rows = len({p.row for p in plan.problems})
        where = f" (see {output})" if plan.rows else ""
        return fail(f"{len(plan.problems)} problem(s) in {rows} row(s); no case was created{where}")
    if args.dry_run:
        print(json.dumps({"valid": True, "rows": len(plan.rows), "cases": len(plan.families)}))
        return 0
    bar = ProgressBar()

    def progress(done: int, total: int) -> None:
        bar.update(100.0 * done / total, f"creating cases: {done} of {total}")

    bar.update(0.0, f"creating cases: 0 of {len(plan.families)}")
    try:
        outcomes = services.case_batch.create(actor, plan, progress)
    finally:
        bar.close()
    cases = {o.row: o.case for o in outcomes if o.case}
    for o in outcomes:
        if o.error:
            errors.setdefault(o.row, []).append(o.error)
    write_atomically(output, result_csv(plan, errors, cases))
    failed = [o for o in outcomes if o.error]
    created = len(set(cases.values()))
    print(json.dumps({"created": created, "failed": len(failed), "results": str(output)}))
    if failed:
        return fail(f"{len({o.error for o in failed})} case(s) could not be created (see {output})")
    return 0


def add_parsers(sub: argparse._SubParsersAction, services_factory: object) -> None:  # type: ignore[type-arg]
    c = sub.add_parser("cases", help="cases").add_subparsers(dest="cases_command", required=True)
    s = c.add_parser(
        "batch",
        help="create the cases of an Emedgene batch CSV (all rows checked first; none created on a problem)",
    )
    s.add_argument("file", metavar="FILE.csv")
    s.add_argument("--workspace", required=True)
    s.add_argument(
        "--as", dest="as_user", required=True, metavar="USER_EMAIL", help="create them as this user"
    )
    s.add_argument(
        "-o", "--output", metavar="RESULTS.csv", help="the result file (default: FILE_results.csv)"
    )
    s.add_argument("--dry-run", action="store_true", help="check the file only")

    def run(args: argparse.Namespace) -> int:
        services = services_factory()  # type: ignore[operator]
        try:
            return cases_batch(services, args)
        finally:
            services.close()

    s.set_defaults(func=run)
