"""Fixtures for the sinks tests: stores on SQLite and PostgreSQL.

The PostgreSQL fixture creates a uniquely named database on 127.0.0.1:5432 (user postgres, or
BUYSIGNAL_TEST_PG, a libpq conninfo to the maintenance database) and drops it afterwards. When no
server answers there it starts the machine's own Debian cluster if one is installed, and skips only
when that is impossible.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from moving_clock import MovingClock

from sinks import tables
from sinks.delivery import tables as delivery_tables
from sinks.store import Store

PG_CONNINFO = os.environ.get("BUYSIGNAL_TEST_PG", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The maintenance conninfo of a reachable PostgreSQL server (skips when there is none)."""
    psycopg = pytest.importorskip("psycopg", reason="psycopg (buysignal[postgres]) is not installed")
    try:
        with psycopg.connect(PG_CONNINFO, connect_timeout=3):
            pass
    except psycopg.OperationalError as exc:
        if not _start_local_cluster():
            pytest.skip(f"no PostgreSQL server reachable at {PG_CONNINFO!r}: {exc}")
        try:
            with psycopg.connect(PG_CONNINFO, connect_timeout=10):
                pass
        except psycopg.OperationalError as again:
            pytest.skip(f"no PostgreSQL server reachable at {PG_CONNINFO!r}, even after starting it: {again}")
    return PG_CONNINFO


def _start_local_cluster() -> bool:
    """Start this machine's Debian PostgreSQL cluster if it is installed but stopped."""
    clusters = Path("/etc/postgresql")
    if "BUYSIGNAL_TEST_PG" in os.environ or shutil.which("pg_ctlcluster") is None or not clusters.is_dir():
        return False
    versions = sorted(p.name for p in clusters.iterdir() if (p / "main").is_dir())
    if not versions:
        return False
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start"]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return True


@contextmanager
def _fresh_database(conninfo: str) -> Iterator[str]:
    """A uniquely named PostgreSQL database for the duration of the block, then dropped."""
    import psycopg

    name = f"buysignal_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    info = psycopg.conninfo.conninfo_to_dict(conninfo)
    user = info.get("user", "postgres")
    host = info.get("host", "127.0.0.1")
    port = info.get("port", 5432)
    try:
        yield f"postgresql+psycopg://{user}@{host}:{port}/{name}"
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database for one test (migration tests need one)."""
    with _fresh_database(postgres_server) as url:
        yield url


@pytest.fixture(scope="session")
def shared_postgres_url(postgres_server: str) -> Iterator[str]:
    """One database for the session's store tests, emptied before each (creating one per test is slow)."""
    with _fresh_database(postgres_server) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database URL per backend: a new SQLite file, and a fresh, empty PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('store') / 'buysignal.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path, clock: MovingClock) -> Iterator[Store]:
    """An empty, migrated store on each backend, on the test's clock."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'buysignal.db'}"
    else:
        url = str(request.getfixturevalue("shared_postgres_url"))
    with Store(url, clock=clock) as opened:
        if opened.dialect == "postgresql":
            every = (*tables.ALL_TABLES, *delivery_tables.ALL_TABLES)
            names = ", ".join(table.name for table in every)
            with opened.engine.begin() as conn:
                conn.exec_driver_sql(f"TRUNCATE {names}")
        yield opened
