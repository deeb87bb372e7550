"""``vardesk genome import`` and ``vardesk bundle build | install | list``."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from vardesk.cli.output import check_input_file, check_output_dir, check_output_file, write_atomically
from vardesk.domain.errors import Forbidden, NotFound, VardeskError

if TYPE_CHECKING:  # the service container (DuckDB, pysam, pyarrow, …) is imported by the commands
    from vardesk.app.composition import Services
    from vardesk.domain.access import Actor


class ProgressBar:
    """Progress on standard error, never going backwards.

    On a terminal: one line redrawn in place, ``[####……] 42.0% indexing: 1,234 records, 3.1 of 7.4 MiB``.
    Otherwise (a log, a pipe): one line per stage and per 10 % step, ``vardesk: progress 40.0% …``.
    """

    def __init__(self, stream=None, *, tty: bool | None = None) -> None:  # type: ignore[no-untyped-def]
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.percent = 0.0
        self._stage: str | None = None
        self._step = -1
        self._drawn = ""
        self._drawn_at = 0.0

    def update(self, percent: float, message: str) -> None:
        self.percent = max(self.percent, min(100.0, float(percent)))
        stage = message.split(":", 1)[0]
        if self.tty:
            now = time.monotonic()
            if stage == self._stage and self.percent < 100 and now - self._drawn_at < 0.1:
                return  # at most ten redraws a second within a stage
            width = max(40, shutil.get_terminal_size((100, 20)).columns - 1)
            filled = int(self.percent / 5)
            line = f"[{'#' * filled}{'.' * (20 - filled)}] {self.percent:5.1f}% {message}"[:width]
            if line != self._drawn:
                self.stream.write("\r" + line.ljust(len(self._drawn)))
                self.stream.flush()
                self._drawn, self._drawn_at = line, now
            self._stage = stage
            return
        step = int(self.percent // 10)
        if stage != self._stage or step > self._step:
            self.stream.write(f"vardesk: progress {self.percent:5.1f}% {message}\n")
            self.stream.flush()
        self._stage, self._step = stage, max(step, self._step)

    def close(self) -> None:
        if self.tty and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = ""


class _CountingReader:
    """A binary file that tells a callback how many bytes have been read from it."""

    def __init__(self, fh, total: int, report) -> None:  # type: ignore[no-untyped-def]
        self.fh, self.total, self.report, self.done = fh, max(total, 1), report, 0

    def read(self, n: int = -1) -> bytes:
        block = self.fh.read(n)
        self.done += len(block)
        self.report(self.done, self.total)
        return block


def _mib(n: int) -> str:
    return f"{n / 2**20:,.1f} MiB"


def operator_actor(services: Services, workspace: str, email: str | None) -> Actor:
    """The CLI acts as a named user of the workspace, by default its first admin."""
    from vardesk.domain.access import Actor
    from vardesk.domain.enums import Role

    ws = services.admin.get_workspace(workspace)
    with services.ctx.uow() as uow:
        if email:
            user = uow.users.by_email(ws.id or 0, email)
            if user is None:
                raise NotFound(f"no user {email!r} in workspace {ws.code!r}")
        else:
            admins = [u for u in uow.users.in_workspace(ws.id or 0) if u.role is Role.ADMIN and u.active]
            if not admins:
                raise Forbidden(f"workspace {ws.code!r} has no active admin; pass --as EMAIL")
            user = admins[0]
    return Actor(user_id=user.id or 0, workspace_id=ws.id or 0, login=user.login, role=user.role, via="cli")


def _pairs(values: list[str] | None, flag: str, shape: str) -> dict[str, str]:
    """``SAMPLE=VALUE`` options (repeatable) as a mapping; a malformed one is an error, not ignored."""
    from vardesk.domain.errors import Invalid

    out: dict[str, str] = {}
    for pair in values or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise Invalid(f"{flag} takes {shape}; got {pair!r}")
        out[key.strip()] = value.strip()
    return out


def genome_import(services: Services, args: argparse.Namespace) -> int:
    from vardesk.app.genomes import ByteSource, ImportGenomeCommand
    from vardesk.domain.enums import JobState

    started = time.perf_counter()
    source = check_input_file(args.file, "VCF")
    actor = operator_actor(services, args.workspace, args.as_user)
    study = args.study if ":" in (args.study or "") else f"{args.project}:{args.study or 'default'}"
    labels = _pairs(args.sample_label, "--sample-label", "SAMPLE=LABEL")
    sample_ids = _pairs(args.sample_name, "--sample-name", "SAMPLE=ID")
    bar = ProgressBar()
    try:
        total = source.stat().st_size
        with source.open("rb") as raw:
            imported = services.import_genome.run(
                ImportGenomeCommand(
                    actor=actor,
                    study=study,
                    source=ByteSource(
                        _CountingReader(
                            raw,
                            total,
                            lambda done, of: bar.update(0.0, f"copying: {_mib(done)} of {_mib(of)}"),
                        ),
                        source.name,
                    ),
                    folder=args.path,
                    build=args.build,
                    sample_labels=labels,
                    sample_ids=sample_ids,
                    rename_duplicates=args.rename_samples,
                    annotate=not args.no_annotate,
                    on_received=lambda size: bar.update(
                        # not the file's name: progress lines end up in logs, and file names carry PHI
                        0.0,
                        f"validating: every record ({_mib(size)})",
                    ),
                )
            )
        view, job = imported.view, imported.job
        assert job is not None  # the command asks for indexing
        summary: dict[str, object] = {
            "file": view.file.code,
            "study": view.study.fqn,
            "job": job.code,
            "genomes": [{"id": g.id, "sample": g.code, "label": g.label} for g in view.genomes],
        }
        bar.update(0.0, f"queued: indexing job {job.code}")
        if args.wait:
            services.start_executor()
            while True:
                with services.ctx.uow() as uow:
                    current = uow.jobs.by_code(job.code)
                assert current is not None
                if current.state.finished:
                    break
                state = current.state.value.lower()
                bar.update(current.progress, current.progress_message or f"{state}: indexing job {job.code}")
                time.sleep(0.2)
            if current.state is JobState.DONE:
                bar.update(100.0, "done")
    finally:
        bar.close()
    if args.wait:
        summary["state"] = current.state.value
        if current.state is not JobState.DONE:
            summary["error"] = current.error
            print(json.dumps(summary, indent=2))
            print(f"vardesk: error: indexing failed: {current.error}", file=sys.stderr)
            return 1
        result = (current.result or {}).get("files", [{}])[0]
        summary.update(
            records_read=result.get("records_read"),
            records_kept=result.get("variants"),
            build=result.get("build"),
            annotation=result.get("annotation"),
        )
    summary["seconds"] = round(time.perf_counter() - started, 2)
    print(json.dumps(summary, indent=2))
    return 0


# gene-knowledge files a bundle may hold (kinds of vardesk.knowledge.gene_evidence)
KNOWLEDGE_FILES = {
    "gene_constraint": "gnomAD gene constraint TSV (v2.1.1 lof_metrics.by_gene or v4 constraint_metrics)",
    "clingen_dosage": "ClinGen dosage sensitivity gene list (ClinGen_gene_curation_list_GRCh38.tsv)",
    "clingen_validity": "ClinGen gene-disease validity CSV export",
    "hotspots": "hotspot / critical-domain BED (chrom start end name [gene])",
}


def _knowledge_args(args: argparse.Namespace) -> tuple[tuple[str, Path, str | None], ...]:
    out = []
    for kind in KNOWLEDGE_FILES:
        path = getattr(args, kind, None)
        if path:
            check_input_file(path, f"--{kind.replace('_', '-')} file")
            out.append((kind, Path(path), getattr(args, f"{kind}_version", None)))
    return tuple(out)


def bundle_build(args: argparse.Namespace) -> int:
    for flag in ("gff3", "fasta", "clinvar", "mane"):
        if getattr(args, flag):
            check_input_file(getattr(args, flag), f"--{flag} file")
    knowledge = _knowledge_args(args)
    for gnomad in args.gnomad or []:
        check_input_file(gnomad, "--gnomad file")
    check_output_dir(args.out)
    from vardesk.app.bundles import BuildBundle, BuildBundleCommand

    built = BuildBundle().run(
        BuildBundleCommand(
            build=args.build,
            gff3=Path(args.gff3),
            fasta=Path(args.fasta),
            out=Path(args.out),
            gnomad=tuple(Path(p) for p in args.gnomad or []),
            clinvar=Path(args.clinvar) if args.clinvar else None,
            mane=Path(args.mane) if args.mane else None,
            version=args.version,
            knowledge=knowledge,
        )
    )
    print(
        json.dumps(
            {
                "id": built.id,
                "version": built.version,
                "build": built.build,
                "out": str(args.out),
                "stats": built.stats,
            },
            indent=2,
            default=str,
        )
    )
    return 0


def bundle_install(services: Services, args: argparse.Namespace) -> int:
    manifest = services.annotation.install(
        Path(args.dir), workspace=args.workspace, default=args.default, actor="cli"
    )
    outdated = services.annotation.outdated_files(manifest.build)
    print(
        json.dumps(
            {
                "id": manifest.id,
                "version": manifest.version,
                "build": manifest.build,
                "synthetic": manifest.is_synthetic,
                "enabled": services.annotation.enablements().get(manifest.id, []),
                "files_to_reannotate": len(outdated),
                "hint": f"vardesk bundle reannotate --build {manifest.build} --workspace W"
                if outdated
                else "",
            }
        )
    )
    return 0


def bundle_reannotate(services: Services, args: argparse.Namespace) -> int:
    actor = operator_actor(services, args.workspace, args.as_user)
    jobs = services.indexing.reannotate(actor, args.build)
    print(json.dumps({"jobs": [j.code for j in jobs], "files": sum(len(j.params["files"]) for j in jobs)}))
    return 0


def bundle_enable(services: Services, args: argparse.Namespace) -> int:
    row = services.annotation.enable(
        args.bundle_id, workspace=args.workspace, default=args.default, actor="cli"
    )
    print(
        json.dumps({"id": row.bundle_id, "build": row.build, "scope": row.scope, "workspace": args.workspace})
    )
    return 0


def bundle_list(services: Services) -> int:
    enabled = services.annotation.enablements()
    rows = [
        {
            "id": m.id,
            "version": m.version,
            "build": m.build,
            "created": m.created,
            "synthetic": m.is_synthetic,
            "enabled": enabled.get(m.id, []),
        }
        for m in services.annotation.bundles()
    ]
    print(json.dumps(rows, indent=2))
    return 0


def report_approve(services: Services, args: argparse.Namespace) -> int:
    from vardesk.app.commands import ApproveReport

    case = _case_ref(services, args.report_id)
    actor = operator_actor(services, case[0], args.as_user)
    view = services.cases.approve_report(actor, ApproveReport(case=case[1]))
    print(
        json.dumps(
            {
                "case": view.case.code,
                "status": view.case.status,
                "version": view.case.version,
                "approved_by": args.as_user,
                "report_approved_date": str(view.case.report_approved_date),
            }
        )
    )
    return 0


def report_pdf(services: Services, args: argparse.Namespace) -> int:
    output = check_output_file(args.output)  # before the report is rendered
    case = _case_ref(services, args.report_id)
    actor = operator_actor(services, case[0], args.as_user)
    pdf = services.reports.render_and_wait(actor, case[1], "final" if args.final else "preview")
    write_atomically(output, pdf)
    print(json.dumps({"case": case[1], "file": args.output, "bytes": len(pdf), "final": bool(args.final)}))
    return 0


def _case_ref(services: Services, ref: str) -> tuple[str, str]:
    """(workspace code, case uuid) of a case given by numeric id, uuid or code."""
    with services.ctx.uow() as uow:
        case = uow.cases.get(int(ref)) if ref.isdigit() else uow.cases.by_uuid(ref)
        if case is None:
            matches = [
                c
                for ws in uow.workspaces.list()
                for c in uow.cases.in_studies(
                    [
                        s.id
                        for p in uow.projects.search(ws.id or 0, {})
                        for s in uow.studies.in_projects([p.id])
                    ],
                    {"code": ref},
                )
            ]
            case = matches[0] if len(matches) == 1 else None
        if case is None:
            raise NotFound(f"report {ref!r} not found")
        ws = uow.workspaces.get(case.workspace_id)
        assert ws is not None
        return ws.code, case.uuid


def add_parsers(sub: argparse._SubParsersAction, run: object) -> None:  # type: ignore[type-arg]
    g = sub.add_parser("genome", help="genomes").add_subparsers(dest="genome_command", required=True)
    s = g.add_parser("import", help="upload a VCF into a project's study, index and annotate it")
    s.add_argument("file")
    s.add_argument("--workspace", required=True)
    s.add_argument("--project", required=True)
    s.add_argument("--study", help="study id in the project (default: the project's default study)")
    s.add_argument("--path", default="", help="folder of the file in the study, e.g. data/")
    s.add_argument("--build", help="GRCh37 or GRCh38, when the file does not say")
    s.add_argument("--sample-label", action="append", metavar="SAMPLE=LABEL")
    s.add_argument(
        "--sample-name",
        action="append",
        metavar="SAMPLE=ID",
        help="the sample id a sample of the file gets in the study (e.g. to import a re-run)",
    )
    s.add_argument(
        "--rename-samples",
        action="store_true",
        help="give a sample the study already has a numbered id (HG002_2) instead of refusing the file",
    )
    s.add_argument("--as", dest="as_user", metavar="EMAIL", help="act as this user (default: first admin)")
    s.add_argument("--no-annotate", action="store_true")
    s.add_argument("--wait", action="store_true", help="run the indexing here and wait for it")
    s.set_defaults(func=run("genome_import"))

    b = sub.add_parser("bundle", help="reference bundles").add_subparsers(
        dest="bundle_command", required=True
    )
    s = b.add_parser("build", help="build a versioned bundle from FASTA, GFF3, gnomAD, ClinVar, MANE files")
    s.add_argument("--build", required=True, choices=["GRCh37", "GRCh38"])
    s.add_argument("--gff3", required=True)
    s.add_argument("--fasta", required=True)
    s.add_argument("--gnomad", action="append", help="gnomAD sites VCF (repeatable)")
    s.add_argument("--clinvar")
    s.add_argument("--mane", help="MANE summary TSV")
    for kind, what in KNOWLEDGE_FILES.items():
        flag = kind.replace("_", "-")
        s.add_argument(f"--{flag}", help=f"{what} (optional, for the ACMG/AMP evidence)")
        s.add_argument(f"--{flag}-version", help=f"version of the --{flag} file (default: its file name)")
    s.add_argument("--version")
    s.add_argument("--out", required=True)
    s.set_defaults(func=run("bundle_build"))
    s = b.add_parser(
        "install", help="register a built bundle with this server; it annotates only where it is enabled"
    )
    s.add_argument("dir")
    s.add_argument("--workspace", help="enable it for this workspace (code)")
    s.add_argument("--default", action="store_true", help="make it the server default for its build")
    s.set_defaults(func=run("bundle_install"))
    s = b.add_parser("enable", help="enable an installed bundle for a workspace, or as the server default")
    s.add_argument("bundle_id")
    where = s.add_mutually_exclusive_group(required=True)
    where.add_argument("--workspace", help="workspace code")
    where.add_argument("--default", action="store_true", help="the server default for the bundle's build")
    s.set_defaults(func=run("bundle_enable"))
    s = b.add_parser("reannotate", help="queue re-annotation of files annotated with an older bundle")
    s.add_argument("--build", required=True, choices=["GRCh37", "GRCh38"])
    s.add_argument("--workspace", required=True)
    s.add_argument("--as", dest="as_user", metavar="EMAIL")
    s.set_defaults(func=run("bundle_reannotate"))
    s = b.add_parser("list", help="installed bundles and where each is enabled")
    s.set_defaults(func=run("bundle_list"))

    r = sub.add_parser("report", help="clinical reports").add_subparsers(dest="report_command", required=True)
    s = r.add_parser("approve", help="approve a report as a director (four-eyes rule applies)")
    s.add_argument("report_id", help="case id, uuid or code")
    s.add_argument("--as", dest="as_user", required=True, metavar="USER_EMAIL")
    s.set_defaults(func=run("report_approve"))
    s = r.add_parser("pdf", help="write the preview PDF, or the final one with --final")
    s.add_argument("report_id", help="case id, uuid or code")
    s.add_argument("--final", action="store_true")
    s.add_argument(
        "--as", dest="as_user", metavar="USER_EMAIL", help="read as this user (default: first admin)"
    )
    s.add_argument("-o", "--output", required=True)
    s.set_defaults(func=run("report_pdf"))


def dispatch(name: str, args: argparse.Namespace, services_factory: object) -> int:
    if name == "bundle_build":
        return bundle_build(args)
    services = services_factory()  # type: ignore[operator]
    try:
        if name == "genome_import":
            return genome_import(services, args)
        if name == "bundle_install":
            return bundle_install(services, args)
        if name == "bundle_enable":
            return bundle_enable(services, args)
        if name == "bundle_reannotate":
            return bundle_reannotate(services, args)
        if name == "report_approve":
            return report_approve(services, args)
        if name == "report_pdf":
            return report_pdf(services, args)
        return bundle_list(services)
    except VardeskError:
        raise
    finally:
        services.close()
