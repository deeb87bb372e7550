"""Shared fixtures: real catalog databases (SQLite always, PostgreSQL when configured), real servers."""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
import uvicorn

from vardesk.app.composition import Services, build_services
from vardesk.config import Settings, load_settings

REPO = Path(__file__).resolve().parents[1]
TESTDATA = REPO.parent / "shared" / "testdata"
PG_ENV = "VARDESK_TEST_DATABASE_URL"


def _backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get(PG_ENV) else ["sqlite"]


def fresh_database_url(backend: str, tmp: Path) -> Iterator[str]:
    """A new, empty database for one test or module; PostgreSQL databases are dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp / 'catalog.db'}"
        return
    admin_url = sa.make_url(os.environ[PG_ENV])
    name = f"vardesk_t_{secrets.token_hex(5)}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        _drop_database(admin, name)
        admin.dispose()


def _drop_database(admin: sa.Engine, name: str) -> None:
    """Drop a test database, ending this role's leftover sessions first.

    Only our own sessions are terminated: background workers (autovacuum) count as superuser processes,
    which a non-superuser role may not signal; DROP DATABASE itself tells autovacuum to leave, so a short
    retry covers the moment it takes to exit.
    """
    for attempt in range(20):
        with admin.connect() as conn:
            conn.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{name}' AND usename = current_user AND pid <> pg_backend_pid()"
            )
            try:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
                return
            except sa.exc.OperationalError:
                if attempt == 19:
                    raise
        time.sleep(0.25)


def make_settings(data_dir: Path, database_url: str, **over: object) -> Settings:
    base = load_settings(env={}, data_dir=data_dir)
    return replace(
        base,
        database_url=database_url,
        auto_migrate=True,
        job_poll_seconds=0.1,
        job_heartbeat_seconds=0.5,
        job_stale_seconds=3.0,
        api_key_cache_seconds=60,
        log_format="text",
        hash_time_cost=1,
        hash_memory_kib=8192,
        **over,
    )  # type: ignore[arg-type]


@pytest.fixture(params=_backends())
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    yield from fresh_database_url(backend, tmp_path)


@pytest.fixture
def services(database_url: str, tmp_path: Path) -> Iterator[Services]:
    svc = build_services(make_settings(tmp_path / "data", database_url))
    yield svc
    svc.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """The real ASGI app served by uvicorn on loopback in a background thread."""

    def __init__(self, services: Services, run_jobs: bool = True) -> None:
        from vardesk.api.app import create_app

        self.services = services
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(services, run_jobs=run_jobs),
            host="127.0.0.1",
            port=self.port,
            log_config=None,
            access_log=False,
            lifespan="on",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.time() + 20
        while not self.server.started:
            if time.time() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module", params=_backends())
def module_services(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Services]:
    """One catalog shared by the tests of a module (for read-mostly tests that need a populated world)."""
    tmp = tmp_path_factory.mktemp("module")
    gen = fresh_database_url(request.param, tmp)
    url = next(gen)
    svc = build_services(make_settings(tmp / "data", url))
    yield svc
    svc.close()
    gen.close()


@pytest.fixture
def live_server(services: Services) -> Iterator[LiveServer]:
    with LiveServer(services) as srv:
        yield srv


@pytest.fixture(scope="session")
def s3_server() -> Iterator[object]:
    """One S3-compatible server on loopback for the session (tests make their own buckets)."""
    from tests.s3server import moto_s3

    with moto_s3() as server:
        yield server
