"""A run that loses its PostgreSQL run lock stops and is recorded as failed (two runs never both
record success); runs killed mid-way are recognised as stale and closed; the store is private."""

from __future__ import annotations

import logging
import os
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from moving_clock import MovingClock
from run_support import ACME_SERIES_A, rss, write_run_config
from test_schedule import LockHolder

from pipelines.commands.cli import main as cli_main
from pipelines.commands.schedule import close_stale_runs
from pipelines.config import load_config
from pipelines.runners import run as run_module
from pipelines.runners.lock import (
    RunLockLost,
    check_run_lock,
    held_run_lock,
    run_lock,
)
from pipelines.runners.run import run
from sinks.delivery import tables as dt
from sinks.store import Store


@pytest.fixture
def pg_url(postgres_server: str) -> Iterator[str]:
    import psycopg

    name = f"buysignal_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True, connect_timeout=3) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    info = psycopg.conninfo.conninfo_to_dict(postgres_server)
    try:
        yield f"postgresql+psycopg://{info.get('user', 'postgres')}@{info.get('host')}:{info.get('port', 5432)}/{name}"
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_lock_connection(url: str) -> int:
    """What a network blip or a server restart does: end this process's lock session."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            ended = conn.execute(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name LIKE :name AND pid <> pg_backend_pid()"
                ),
                {"name": f"buysignal batch lock pid={os.getpid()} %"},
            ).scalar_one()
    finally:
        engine.dispose()
    return int(ended)


def test_a_lost_postgres_lock_is_noticed(pg_url: str) -> None:
    Store(pg_url).close()
    with run_lock(pg_url) as held:
        assert held_run_lock() is held
        check_run_lock()  # held: fine
        assert drop_lock_connection(pg_url) == 1
        with pytest.raises(RunLockLost, match="lost the batch run lock"):
            check_run_lock()
        # ... and this is why: another run can take the lock now.
        with run_lock(pg_url):
            pass
    assert held_run_lock() is None
    check_run_lock()  # outside any run: nothing to check


def test_file_and_memory_locks_cannot_be_lost(tmp_path: Path) -> None:
    for url in (f"sqlite:///{tmp_path / 'b.db'}", "sqlite://"):
        with run_lock(url) as held:
            held.check()
            check_run_lock()


@pytest.mark.slow
def test_a_run_that_loses_its_lock_fails_and_records_it(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    config = write_run_config(
        tmp_path,
        news=rss(ACME_SERIES_A),
        accounts_csv="account_id,name,domain,owner\nA1,Acme Robotics Inc.,,ana\n",
    )
    real_batch = run_module.run_batch

    def batch_then_blip(*args: Any, **kwargs: Any) -> Any:
        counts = real_batch(*args, **kwargs)
        drop_lock_connection(pg_url)  # mid-run, after the pipeline stored its batch
        return counts

    monkeypatch.setattr(run_module, "run_batch", batch_then_blip)
    assert cli_main(["run", "--config", str(config), "--db", pg_url]) == 1
    assert "lost the batch run lock" in capsys.readouterr().err
    with Store(pg_url) as store:
        (record,) = store.runs()
    assert record.status == "failed" and "RunLockLost" in (record.error or "")

    # The next run, with its lock intact, succeeds (and the stored batch was not doubled).
    monkeypatch.setattr(run_module, "run_batch", real_batch)
    cfg = load_config(config)
    cfg = cfg.model_copy(update={"store": cfg.store.model_copy(update={"url": pg_url})})
    with run_lock(pg_url):
        summary = run(cfg)
    with Store(pg_url) as store:
        assert [r.status for r in store.runs()] == ["succeeded", "failed"]
        assert store.runs()[0].run_id == summary.run_id


# -- stale runs ----------------------------------------------------------------------------------------


def test_a_killed_run_is_closed_by_the_next_one_under_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_run_config(tmp_path, news=rss(), accounts_csv="account_id,name\nA1,Acme\n")
    cfg = load_config(config)
    with Store(cfg.store.url) as store:
        killed = store.start_run({"summary": "a run that was kill -9ed"})
    # A run outside the lock (a library caller) leaves other rows alone: it can't know.
    run(cfg)
    with Store(cfg.store.url) as store:
        assert {r.run_id: r.status for r in store.runs()}[killed] == "running"
    with run_lock(cfg.store.url):
        current = run(cfg)
    with Store(cfg.store.url) as store:
        runs = {r.run_id: r for r in store.runs()}
    assert runs[killed].status == "failed" and runs[killed].finished_at is not None
    assert f"stale: its process ended without recording how (killed?); closed by run {current.run_id}" == (
        runs[killed].error
    )
    assert runs[current.run_id].status == "succeeded"


def test_status_closes_stale_runs_only_when_no_run_holds_the_lock(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    with Store(url) as store:
        stale = store.start_run({})
    holder = LockHolder(url)
    try:
        assert close_stale_runs(url) == []  # a live run holds the lock: its row may be real
    finally:
        holder.release()
    assert close_stale_runs(url) == [stale]
    with Store(url) as store:
        (record,) = store.runs()
    assert record.status == "failed" and "no run held the lock" in (record.error or "")


# -- the store itself ----------------------------------------------------------------------------------


def test_a_new_sqlite_store_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "buysignal.db"
    old = os.umask(0o022)
    try:
        with Store(f"sqlite:///{path}") as store:
            store.start_run({})  # writes: the WAL and shared-memory files appear
            files = [p for p in path.parent.iterdir() if p.name.startswith("buysignal.db")]
            assert {p.name for p in files} >= {"buysignal.db", "buysignal.db-wal"}
            for p in files:
                assert stat.S_IMODE(p.stat().st_mode) == 0o600, p.name
    finally:
        os.umask(old)


def test_an_existing_world_readable_store_gets_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "old.db"
    Store(f"sqlite:///{path}").close()
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="buysignal.sinks.store"):
        Store(f"sqlite:///{path}").close()
    assert "chmod 600" in caplog.text and stat.S_IMODE(path.stat().st_mode) == 0o644  # left as it is


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_sql_parameters_never_reach_an_error_message(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}" if backend == "sqlite" else request.getfixturevalue("pg_url")
    row = {
        "token_id": "t1",
        "name": "n",
        "salt": "s",
        "token_hash": "SECRET-HASH-VALUE",
        "created_at": MovingClock()(),
        "admin": True,
    }
    with Store(url) as store:
        with store.engine.begin() as conn:
            conn.execute(sa.insert(dt.api_tokens).values(**row))
        with pytest.raises(sa.exc.IntegrityError) as failed, store.engine.begin() as conn:
            conn.execute(sa.insert(dt.api_tokens).values(**row))
    assert "SECRET-HASH-VALUE" not in str(failed.value)
    assert "parameters hidden" in str(failed.value)
