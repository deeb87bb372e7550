"""The query engine: one DuckDB database with cursors, its limits, and the gate of heavy queries."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vardesk.domain.errors import Busy
from vardesk.variants.engine import EngineSettings, QueryEngine


def test_cursors_share_one_database_with_its_limits(tmp_path: Path) -> None:
    eng = QueryEngine(EngineSettings(memory_limit_mib=256, threads=1, slots=2, temp_directory=str(tmp_path)))
    pq.write_table(pa.table({"key": [1, 2, 3]}), tmp_path / "t.parquet")
    with eng.cursor() as a, eng.cursor() as b:
        a.execute("CREATE TABLE shared AS SELECT 41 AS x")  # a table of the database, not of a cursor
        assert b.execute("SELECT x + 1 FROM shared").fetchone() == (42,)
        assert b.execute("SELECT current_setting('threads')").fetchone() == (1,)
        limit = b.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        assert limit.replace(" ", "") in ("512.0MiB", "488.2MiB", "512MiB", "488.2MB", "512.0MB")
        assert a.execute(f"SELECT sum(key) FROM read_parquet('{tmp_path / 't.parquet'}')").fetchone() == (6,)
    eng.close()
    with eng.cursor() as c:  # a closed engine opens its database again
        assert c.execute("SELECT 1").fetchone() == (1,)
    eng.close()


def test_the_gate_queues_then_refuses_with_retry_after() -> None:
    eng = QueryEngine(EngineSettings(slots=1, queue=1, wait_seconds=2.0))
    held, release, order = threading.Event(), threading.Event(), []

    def holder() -> None:
        with eng.slot():
            held.set()
            release.wait(5)
            order.append("first")

    def waiter() -> None:
        with eng.slot():
            order.append("second")

    t1 = threading.Thread(target=holder)
    t1.start()
    assert held.wait(5)
    t2 = threading.Thread(target=waiter)
    t2.start()
    deadline = time.time() + 5
    while eng.admitted < 2 and time.time() < deadline:
        time.sleep(0.01)
    assert eng.admitted == 2
    started = time.perf_counter()
    with pytest.raises(Busy) as caught:  # one running, one waiting: a third is refused at once
        with eng.slot():
            pass
    assert time.perf_counter() - started < 0.5 and caught.value.retry_after >= 1
    release.set()
    t1.join(5)
    t2.join(5)
    assert order == ["first", "second"] and eng.admitted == 0


def test_a_wait_longer_than_allowed_is_refused() -> None:
    eng = QueryEngine(EngineSettings(slots=1, queue=4, wait_seconds=0.2))
    with eng.slot():
        errors: list[Exception] = []

        def late() -> None:
            try:
                with eng.slot():
                    pass
            except Busy as exc:
                errors.append(exc)

        t = threading.Thread(target=late)
        t.start()
        t.join(5)
    assert len(errors) == 1 and "try again" in errors[0].message
    with eng.slot():  # free again once the holder left
        assert eng.admitted == 1
