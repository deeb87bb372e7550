"""Output paths of the command line: checked before any work is done, written atomically.

A command that writes a file calls :func:`check_output_file` first (so a wrong ``-o`` fails in a
second, not after minutes of work) and :func:`write_atomically` last: the bytes go to a temporary
file in the same directory that is renamed over the target only once complete, so a failure never
leaves a half-written file behind.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from vardesk.domain.errors import Invalid


def check_output_file(path: str | Path) -> Path:
    """``path`` as a file this process can create or replace; :class:`Invalid` naming why not."""
    target = Path(path)
    if str(path) == "" or target.name in ("", ".", ".."):
        raise Invalid(f"output path {str(path)!r} does not name a file")
    if target.is_dir():
        raise Invalid(f"output path {target} is a directory; give a file name")
    parent = target.parent
    if not parent.exists():
        raise Invalid(f"cannot write {target}: directory {parent} does not exist")
    if not parent.is_dir():
        raise Invalid(f"cannot write {target}: {parent} is not a directory")
    if target.exists() and not os.access(target, os.W_OK):
        raise Invalid(f"cannot write {target}: the existing file is not writable")
    _probe(parent, target)
    return target


def _probe(directory: Path, target: Path) -> None:
    """Create and remove a file in ``directory``: permission bits alone do not tell (root, read-only
    mounts, special file systems)."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".vardesk-probe.", dir=directory)
    except OSError as exc:
        raise Invalid(f"cannot write {target}: {exc.strerror or exc} in {directory}") from None
    os.close(fd)
    os.unlink(tmp)


def check_output_dir(path: str | Path) -> Path:
    """``path`` as a directory that can be created (with its parents) or filled; :class:`Invalid` if not."""
    target = Path(path)
    if target.exists():
        if not target.is_dir():
            raise Invalid(f"output path {target} exists and is not a directory")
        _probe(target, target)
        return target
    ancestor = target.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise Invalid(f"cannot create {target}: {ancestor} is not a directory")
    _probe(ancestor, target)
    return target


def check_input_file(path: str | Path, what: str = "input file") -> Path:
    source = Path(path)
    if not source.exists():
        raise Invalid(f"{what} {source} does not exist")
    if not source.is_file():
        raise Invalid(f"{what} {source} is not a file")
    if not os.access(source, os.R_OK):
        raise Invalid(f"{what} {source} is not readable")
    return source


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomically(path: str | Path, data: bytes | str) -> int:
    """Write ``data`` to ``path`` through a temporary sibling renamed into place; returns the byte count."""
    payload = data.encode() if isinstance(data, str) else data
    with atomic_output(path, binary=True) as fh:
        fh.write(payload)
    return len(payload)


_WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG, errno.EIO}


@contextmanager
def atomic_output(path: str | Path, *, binary: bool = False) -> Iterator[Any]:
    """A file (text unless ``binary``) written in place of ``path`` only if the block completes: a
    temporary sibling, renamed over the target at the end and removed on any failure, so nothing
    half-written is ever left."""
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise Invalid(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _default_mode())
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError) and exc.errno in _WRITE_ERRORS:
            # disk full, file system gone read-only, …: not an error of whatever the block was reading
            raise Invalid(f"cannot write {target}: {exc.strerror or exc}") from None
        raise
