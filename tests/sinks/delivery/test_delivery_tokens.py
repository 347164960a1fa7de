"""API tokens: a rep's or an admin's, older tokens become admin tokens, and checking one never
waits for the database's write lock."""

from __future__ import annotations

import sqlite3
import threading
import uuid

import pytest
import sqlalchemy as sa
from alembic import command
from delivery_helpers import Clock

from sinks.delivery import tables as dt
from sinks.delivery.api import Principal, authenticate_api_token, create_api_token, list_api_tokens
from sinks.delivery.security import _hash_token
from sinks.store import Store


def test_a_token_is_a_reps_or_an_admins(sqlite_store: Store) -> None:
    rep = create_api_token(sqlite_store, "ana's phone", owner="ana")
    admin = create_api_token(sqlite_store, "ops", admin=True)
    ana = authenticate_api_token(sqlite_store, rep)
    assert ana is not None and (ana.owner, ana.admin) == ("ana", False)
    assert ana.may_see("ana") and not ana.may_see("ben") and not ana.may_see("Ana")
    boss = authenticate_api_token(sqlite_store, admin)
    assert boss is not None and boss.admin and boss.may_see("anyone")
    for bad in ({}, {"owner": "ana", "admin": True}, {"owner": "  "}):
        with pytest.raises(ValueError, match="whose token"):
            create_api_token(sqlite_store, "x", **bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="one line"):
        create_api_token(sqlite_store, "x", owner="ana\r\nben")
    assert {t.name for t in list_api_tokens(sqlite_store)} == {"ana's phone", "ops"}


def test_tokens_made_before_owners_existed_become_admin_tokens(store: Store) -> None:
    """Migration 0005: a token row of 0004 (no owner, no admin column) keeps working, as admin."""
    config = store._alembic_config()
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0004_lists")
    token_id, secret, salt = uuid.uuid4().hex[:12], "an-old-secret-value", "0" * 32
    with store.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO api_tokens (token_id, name, salt, token_hash, created_at) "
                "VALUES (:i, 'legacy', :s, :h, :c)"
            ),
            {"i": token_id, "s": salt, "h": _hash_token(salt, secret), "c": store.clock()},
        )
    store.migrate()
    principal = authenticate_api_token(store, f"bs_{token_id}_{secret}")
    assert principal == Principal(token_id=token_id, name="legacy", owner=None, admin=True)


def test_last_used_is_written_at_most_every_few_minutes(sqlite_store: Store, clock: Clock) -> None:
    token = create_api_token(sqlite_store, "t", owner="ana")

    def last_used() -> object:
        (listed,) = list_api_tokens(sqlite_store)
        return listed.last_used_at

    authenticate_api_token(sqlite_store, token)
    first = last_used()
    assert first == clock()
    clock.advance(minutes=1)
    authenticate_api_token(sqlite_store, token)
    assert last_used() == first  # no write for every request
    clock.advance(minutes=5)
    authenticate_api_token(sqlite_store, token)
    assert last_used() == clock()


def test_a_held_sqlite_write_lock_never_makes_a_token_check_wait(sqlite_store: Store) -> None:
    token = create_api_token(sqlite_store, "t", owner="ana")
    database = sqlite_store.url.database
    assert database
    holder = sqlite3.connect(database, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # someone else is writing (a run, say)
        # The check answers at once, without recording the use (the 30 s busy wait would fail this
        # test by timing out the writer below instead).
        principal = authenticate_api_token(sqlite_store, token)
        assert principal is not None and principal.owner == "ana"
        (listed,) = list_api_tokens(sqlite_store)
        assert listed.last_used_at is None
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    authenticate_api_token(sqlite_store, token)
    (listed,) = list_api_tokens(sqlite_store)
    assert listed.last_used_at is not None
    # The pooled connection got its normal busy timeout back.
    with sqlite_store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_a_locked_token_row_on_postgresql_never_makes_a_check_wait(postgres_url: str, clock: Clock) -> None:
    with Store(postgres_url, clock=clock) as store:
        _check_under_row_lock(store)


def _check_under_row_lock(store: Store) -> None:
    token = create_api_token(store, "t", owner="ana")
    token_id = token.split("_")[1]
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        with store.engine.begin() as conn:
            conn.execute(
                sa.select(dt.api_tokens).where(dt.api_tokens.c.token_id == token_id).with_for_update()
            )
            locked.set()
            release.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert locked.wait(10)
        principal = authenticate_api_token(store, token)
        assert principal is not None and principal.owner == "ana"
        (listed,) = list_api_tokens(store)
        assert listed.last_used_at is None
    finally:
        release.set()
        thread.join()
