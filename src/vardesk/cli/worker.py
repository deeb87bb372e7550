"""``vardesk worker``: run jobs from the broker (``VARDESK_BROKER_URL``) in this machine's processes."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def _queues(text: str) -> list[str]:
    from vardesk.app.composition import JOB_QUEUE_NAMES

    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in JOB_QUEUE_NAMES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown queue(s) {', '.join(unknown) or '(none)'}; use {', '.join(JOB_QUEUE_NAMES)}"
        )
    return names


def at_least_one(text: str) -> int:
    """An argparse type: an integer of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def add_parser(sub: Any) -> None:
    s = sub.add_parser(
        "worker",
        help="run jobs from the broker (VARDESK_BROKER_URL) until stopped",
        description="Run jobs from the broker in pool processes of this machine. Every worker and server "
        "of a deployment shares the catalog, the store and the broker.",
    )
    s.add_argument(
        "--queues",
        type=_queues,
        default=None,
        metavar="Q[,Q…]",
        help="the queues to take jobs from: ingest (indexing, annotation, analyses), reports (report "
        "rendering, exports), light (webhook deliveries); default: all",
    )
    s.add_argument(
        "--concurrency",
        type=at_least_one,
        default=None,
        metavar="N",
        help="jobs at once, one pool process each (default: VARDESK_JOB_WORKERS, 2)",
    )
    s.set_defaults(func=cmd_worker)


def cmd_worker(args: argparse.Namespace) -> int:
    from vardesk.app.composition import run_job_worker
    from vardesk.config import load_settings
    from vardesk.logs import configure_logging

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    return run_job_worker(
        settings, args.queues, args.concurrency, lambda line: print(line, file=sys.stderr, flush=True)
    )
