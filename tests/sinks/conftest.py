"""Fixtures for the sinks tests: stores on SQLite and PostgreSQL.

The PostgreSQL fixtures create a uniquely named database on the server of `postgres_server`
(tests/conftest.py: 127.0.0.1:5432 or BUYSIGNAL_TEST_PG, started if it is this machine's stopped
Debian cluster; a skip only when that is impossible, a failure under CI=true) and drop it afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from moving_clock import MovingClock

from sinks import tables
from sinks.delivery import tables as delivery_tables
from sinks.store import Store


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
