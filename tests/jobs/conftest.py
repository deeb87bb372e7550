"""A real Redis for the broker tests: one ``redis-server`` per test session on a free loopback port, no
persistence; each user of it gets a database of its own, emptied first. Skipped only where the
``redis-server`` binary is missing (CI installs it)."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest
import redis

from tests.conftest import free_port


class RedisServer:
    def __init__(self, port: int, proc: subprocess.Popen) -> None:
        self.port, self.proc = port, proc
        self._dbs = itertools.count(0)

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, db=db, socket_timeout=5)

    def new_database(self) -> str:
        """The URL of a database no other user has (1-15, handed out in turn), emptied."""
        db = next(self._dbs) % 15 + 1
        with self.client(db) as c:
            c.flushdb()
        return f"redis://127.0.0.1:{self.port}/{db}"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    args = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    proc = subprocess.Popen(
        [binary, *args, "--dir", str(workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    server = RedisServer(port, proc)
    deadline = time.time() + 10
    while True:
        try:
            with server.client() as c:
                if c.ping():
                    break
        except redis.ConnectionError:
            pass
        assert proc.poll() is None and time.time() < deadline, "redis-server did not start"
        time.sleep(0.02)
    yield server
    proc.terminate()
    proc.wait(timeout=10)
