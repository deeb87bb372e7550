"""``vardesk cases batch FILE.csv``: the cases of an Emedgene batch CSV, checked whole, then created.

The file is checked first (every row, and a dry run of every case against the workspace); if any row has a
problem, each is printed (``row N, column 'X': …``), the result file lists them and nothing is created.
Otherwise the cases are created one family after the other with a progress bar. The result CSV has the
input's columns and, for each row, ``Errors`` and ``Case Id`` (as Emedgene's batch CLI writes them). With
``--wait`` the analyses run in this process and the command waits (up to ``--timeout``) until each created
case is ready or failed; the result CSV then also has ``Case Status``.
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


def result_csv(
    plan: BatchPlan,
    errors: dict[int, list[str]],
    cases: dict[int, str],
    states: dict[str, str] | None = None,
) -> str:
    """The ``[Data]`` line, the input's columns + ``Errors`` + ``Case Id`` (+ ``Case Status`` after
    ``--wait``), one line per input row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    width = len(plan.header)
    writer.writerow(["[Data]"])
    writer.writerow([*plan.header, "Errors", "Case Id", *(["Case Status"] if states is not None else [])])
    for row, cells in plan.rows:
        padded = [*cells[:width], *[""] * (width - len(cells))]
        line = [*padded, "; ".join(errors.get(row, [])), cases.get(row, "")]
        if states is not None:
            line.append(states.get(cases.get(row, ""), ""))
        writer.writerow(line)
    return out.getvalue()


def wait_for_cases(services: Services, actor: object, names: list[str], timeout: float) -> dict[str, str]:
    """Run the analyses here (as ``vardesk import --wait`` does) and wait until each case is ready or
    failed, with a progress bar."""
    from vardesk.cli.data import ProgressBar

    services.start_executor()
    bar = ProgressBar()

    def progress(done: int, total: int) -> None:
        bar.update(100.0 * done / max(total, 1), f"analysing: {done} of {total} cases finished")

    try:
        return services.case_intake.wait_ready(
            actor,  # type: ignore[arg-type]
            services.settings.emedgene_project,
            names,
            timeout,
            progress,
        )
    finally:
        bar.close()


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
    names = list(dict.fromkeys(cases.values()))
    states = wait_for_cases(services, actor, names, args.timeout) if args.wait else None
    write_atomically(output, result_csv(plan, errors, cases, states))
    failed = [o for o in outcomes if o.error]
    summary: dict[str, object] = {"created": len(names), "failed": len(failed), "results": str(output)}
    if states is not None:
        summary["cases"] = states
    print(json.dumps(summary))
    if failed:
        return fail(f"{len({o.error for o in failed})} case(s) could not be created (see {output})")
    if states is not None:
        late = [n for n, st in states.items() if st == "timeout"]
        bad = [n for n, st in states.items() if st == "failed"]
        if bad or late:
            parts = [f"{len(bad)} case(s) failed their analysis"] if bad else []
            parts += [f"{len(late)} not ready after {args.timeout:g} s"] if late else []
            return fail(f"{' and '.join(parts)} (see {output})")
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
    s.add_argument(
        "--wait",
        action="store_true",
        help="run the analyses here and wait until every created case is ready (Delivered) or failed",
    )
    s.add_argument(
        "--timeout",
        type=float,
        default=3600.0,
        metavar="SECONDS",
        help="with --wait: give up after this long (default 3600); exits 1 if a case is not ready",
    )

    def run(args: argparse.Namespace) -> int:
        services = services_factory()  # type: ignore[operator]
        try:
            return cases_batch(services, args)
        finally:
            services.close()

    s.set_defaults(func=run)
