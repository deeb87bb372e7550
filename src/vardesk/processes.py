"""Which process owns a thing left on disk or in the catalog, and whether that process still lives.

An owner tag names a process by host, pid and start time (clock ticks since boot, with a short boot id, on
Linux), so a pid reused by another process after a crash or a reboot does not keep a dead owner "alive".
Only owners on *this* host can be judged: an owner on another host is never said to be dead.
"""

from __future__ import annotations

import os
import re
import socket
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Owner:
    host: str
    pid: int
    start: str  # "<boot>.<ticks>" on Linux, "" when the platform cannot tell


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname()) or "localhost"


@cache
def _boot_id() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id") as fh:
            return fh.read().strip().replace("-", "")[:8]
    except OSError:
        return ""


def _start_ticks(pid: int) -> str | None:
    """The process's start time; None when there is no such process; "" when it cannot be told."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            stat = fh.read()
    except FileNotFoundError:
        return None
    except OSError:
        return ""
    fields = stat[stat.rfind(")") + 2 :].split()  # the command name may hold spaces and parentheses
    return f"{_boot_id()}.{fields[19]}" if len(fields) > 19 else ""


def current() -> Owner:
    pid = os.getpid()
    return Owner(_host(), pid, _start_ticks(pid) or "")


def is_dead(owner: Owner) -> bool:
    """True only when ``owner`` is on this host and no longer runs (its pid gone, or now another's)."""
    if owner.host != _host():
        return False
    if os.path.isdir("/proc/self"):
        start = _start_ticks(owner.pid)
        if start is None:
            return True
        return bool(owner.start and start and owner.start != start)
    try:
        os.kill(owner.pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def tag(owner: Owner | None = None) -> str:
    """``owner`` (this process by default) as a file-name-safe tag: ``<pid>_<start>_<host>``."""
    o = owner or current()
    return f"{o.pid}_{o.start}_{o.host}"


def parse_tag(text: str) -> Owner | None:
    """The owner a tag (or a name starting ``<tag>_``) names; None when it is not one."""
    parts = text.split("_", 3)
    if len(parts) < 3 or not parts[0].isdigit() or not re.fullmatch(r"[0-9a-f]*\.?[0-9]*", parts[1]):
        return None
    return Owner(parts[2], int(parts[0]), parts[1])
