"""``vardesk acmg classify``: ACMG/AMP classes for every allele of a VCF, without a case."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from vardesk.cli.output import atomic_output, check_input_file, check_output_file

FLUSH_EVERY = 1_000  # records between flushes of standard output (a reader sees them as they come)


def cmd_classify(args: argparse.Namespace, services_factory: Callable[[], Any]) -> int:
    from vardesk.app import acmg_classify as ac

    source = check_input_file(args.input, "input VCF")
    output = check_output_file(args.output) if args.output else None
    services = None
    bundle = None
    try:
        if args.bundle:
            services = services_factory()
            bundle = services.annotation.bundle(args.bundle)
        records = ac.classify_vcf(source, build=args.build, sex=args.sex, bundle=bundle)
        line = ac.tsv_line if args.format == "tsv" else ac.jsonl_line
        header = ac.TSV_HEADER if args.format == "tsv" else ""
        if output is None:
            _write(sys.stdout, header, records, line, flush=True)
        else:
            with atomic_output(output) as fh:
                _write(fh, header, records, line, flush=False)
    finally:
        if services is not None:
            services.close()
    return 0


def _write(fh: Any, header: str, records: Any, line: Callable[[dict[str, Any]], str], *, flush: bool) -> None:
    fh.write(header)
    for n, rec in enumerate(records, 1):
        fh.write(line(rec))
        if flush and n % FLUSH_EVERY == 0:
            fh.flush()
    fh.flush()


def add_parsers(sub: Any, services_factory: Callable[[], Any]) -> None:
    a = sub.add_parser("acmg", help="ACMG/AMP classification").add_subparsers(
        dest="acmg_command", required=True
    )
    s = a.add_parser(
        "classify",
        help="classify every allele of a VCF (no case is created); one JSON line or TSV row per allele",
        description="Classify every ALT allele of a VCF with Vardesk's automatic ACMG/AMP evidence and the "
        "ClinGen SVI points. Annotation: the VCF's own VEP CSQ / snpEff ANN / bcftools BCSQ, or an "
        "installed reference bundle (--bundle). Records are written as they are classified.",
    )
    s.add_argument("input", metavar="INPUT.vcf[.gz]", help="the VCF (plain, gzip or bgzip)")
    s.add_argument("--build", required=True, choices=["GRCh37", "GRCh38"], help="the VCF's genome build")
    s.add_argument("--bundle", metavar="ID", help="annotate with this installed reference bundle")
    s.add_argument("--sex", choices=["male", "female"], help="the sample's sex, given to the evidence")
    s.add_argument("--format", choices=["jsonl", "tsv"], default="jsonl", help="output format (jsonl)")
    s.add_argument(
        "-o",
        "--output",
        metavar="F",
        help="write to this file (only once complete) instead of standard output",
    )
    s.set_defaults(func=lambda args: cmd_classify(args, services_factory))
