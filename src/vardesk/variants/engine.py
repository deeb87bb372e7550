"""The variant store's query engine: one DuckDB database per process, a cursor per query, a bounded gate.

Opening a DuckDB connection costs ~20 ms; a cursor on an open database ~0.3 ms. Every query of the variant
store (:mod:`vardesk.variants.query`, the in-house counts) takes a cursor of the process's one database, so
they share its buffer manager (``memory_limit``, spilling to ``temp_directory`` beyond it) and its worker
threads (``threads``) instead of each taking the whole machine.

Heavy work — a request's variant query, an export stream, a case analysis — runs inside
:meth:`QueryEngine.slot`: at most ``slots`` at once, at most ``queue`` waiting for one; a caller beyond
that, or one that waited ``wait_seconds``, gets :class:`Busy` (503 with ``Retry-After``) at once, so a
burst of queries queues or is refused in clear words instead of exhausting the memory. A use case
takes one slot around all of its queries.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb

from vardesk.domain.errors import Busy

__all__ = ["EngineSettings", "QueryEngine", "configure_engine", "engine", "register_filesystem"]


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@dataclass(frozen=True)
class EngineSettings:
    """``slots``/``threads`` 0: one per core; ``queue`` -1: sixteen per slot; ``memory_limit`` per slot."""

    memory_limit_mib: int = 1024
    threads: int = 0
    slots: int = 0
    queue: int = -1
    wait_seconds: float = 60.0
    temp_directory: str = ""

    def resolved(self) -> EngineSettings:
        slots = self.slots if self.slots > 0 else _cores()
        return EngineSettings(
            memory_limit_mib=max(64, self.memory_limit_mib),
            threads=self.threads if self.threads > 0 else _cores(),
            slots=slots,
            queue=self.queue if self.queue >= 0 else 16 * slots,
            wait_seconds=max(0.0, self.wait_seconds),
            temp_directory=self.temp_directory
            or os.path.join(tempfile.gettempdir(), f"vardesk-duckdb-{os.getpid()}"),
        )


class QueryEngine:
    """One in-memory DuckDB database (lazily opened) with cursors, and the gate of heavy queries."""

    def __init__(self, settings: EngineSettings | None = None) -> None:
        self.settings = (settings or EngineSettings()).resolved()
        self._db: duckdb.DuckDBPyConnection | None = None
        self._db_lock = threading.Lock()
        self._sem = threading.BoundedSemaphore(self.settings.slots)
        self._lock = threading.Lock()
        self._admitted = 0  # running or waiting

    # -- the database ------------------------------------------------------------------------------
    def _database(self) -> duckdb.DuckDBPyConnection:
        with self._db_lock:
            if self._db is None:
                s = self.settings
                db = duckdb.connect(
                    config={
                        "threads": s.threads,
                        # the whole database: each slot's share of it, so a full gate stays within bounds
                        "memory_limit": f"{s.memory_limit_mib * s.slots}MB",
                        "temp_directory": s.temp_directory,
                        "preserve_insertion_order": False,
                    }
                )
                for fs in _filesystems.values():
                    db.register_filesystem(fs)
                self._db = db
            return self._db

    def _register(self, fs: Any) -> None:
        with self._db_lock:
            if self._db is not None:
                if fs.protocol in self._db.list_filesystems():
                    self._db.unregister_filesystem(fs.protocol)
                self._db.register_filesystem(fs)

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor (its own connection to the shared database) for one query; closed afterwards."""
        cur = self._database().cursor()
        try:
            yield cur
        finally:
            cur.close()

    def close(self) -> None:
        with self._db_lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    # -- the gate ----------------------------------------------------------------------------------
    @property
    def admitted(self) -> int:
        """Queries running or waiting for a slot now."""
        return self._admitted

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the ``slots`` for the duration, or raise :class:`Busy`. Not re-entrant: take it
        once per use case, around all of its queries."""
        s = self.settings
        busy = Busy(
            "the server is running as many variant queries as it can; try again shortly",
            retry_after=max(1, round(s.wait_seconds / 4)),
        )
        with self._lock:
            if self._admitted >= s.slots + s.queue:
                raise busy
            self._admitted += 1
        try:
            if not self._sem.acquire(timeout=s.wait_seconds):
                raise busy
            try:
                yield
            finally:
                self._sem.release()
        finally:
            with self._lock:
                self._admitted -= 1


_engine = QueryEngine()
_filesystems: dict[str, Any] = {}  # by protocol: what every database of this process reads through


def register_filesystem(fs: Any) -> None:
    """Let the process's queries read paths of ``fs`` (an fsspec filesystem, e.g. the object store's
    ``vardesk-s3://…``), in the engine open now and in any that replaces it."""
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    _filesystems[protocol] = fs
    _engine._register(fs)


def engine() -> QueryEngine:
    """The process's query engine."""
    return _engine


def configure_engine(settings: EngineSettings) -> QueryEngine:
    """Replace the process's engine when ``settings`` differ (the composition root calls this at start)."""
    global _engine
    if _engine.settings != settings.resolved():
        old, _engine = _engine, QueryEngine(settings)
        old.close()
    return _engine
