"""How the command line ends: ``vardesk: error: <reason>`` on standard error and exit 1, never a traceback.

Usage errors stay argparse's (exit 2). ``VARDESK_TRACEBACK=1`` prints the traceback of an
unexpected error as well, for a bug report.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

from vardesk.domain.errors import VardeskError, error_text

EXIT_ERROR = 1
EXIT_INTERRUPTED = 130


def _os_reason(exc: OSError) -> str:
    reason = exc.strerror or str(exc) or type(exc).__name__
    names = [n for n in (exc.filename, exc.filename2) if n is not None]
    return f"{reason}: {' -> '.join(map(str, names))}" if names else reason


def _database_reason(exc: BaseException) -> str | None:
    """A catalog database error (unreachable server, wrong credentials), when SQLAlchemy raised one."""
    sa_exc = sys.modules.get("sqlalchemy.exc")
    if sa_exc is None or not isinstance(exc, sa_exc.SQLAlchemyError):
        return None
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip()
    return f"catalog database error: {text.splitlines()[0] if text else type(orig).__name__}"


def reason_for(exc: BaseException) -> str:
    """One line that says what went wrong, for any exception a command can raise."""
    if isinstance(exc, VardeskError):
        return error_text(exc)
    database = _database_reason(exc)
    if database is not None:
        return database
    if isinstance(exc, OSError):
        return _os_reason(exc)
    if isinstance(exc, ValueError):  # bad settings and values the services reject before the domain does
        return str(exc) or type(exc).__name__
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"internal error ({type(exc).__name__}{': ' + detail if detail else ''})"


def fail(reason: str) -> int:
    print(f"vardesk: error: {reason}", file=sys.stderr, flush=True)
    return EXIT_ERROR


def run_command(func: Callable[[Any], int | None], args: Any) -> int:
    """Run one command; every failure becomes ``vardesk: error: …`` and exit 1 (130 on Ctrl-C)."""
    try:
        code = int(func(args) or 0)
        sys.stdout.flush()
        return code
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader of our output went away (``vardesk openapi | head``): not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 - the one place that turns any failure into a message
        if os.environ.get("VARDESK_TRACEBACK", "").lower() in ("1", "true", "yes"):
            traceback.print_exc()
        return fail(reason_for(exc))
