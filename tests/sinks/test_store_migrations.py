"""The store's schema comes from its Alembic migrations, and they agree with the code's tables."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from schemas import (
    Account,
    CampaignEntry,
    Contact,
    DeadLetter,
    Document,
    FeedState,
    Match,
    Opportunity,
    TriggerEvent,
)
from sinks import tables as t
from sinks.delivery import tables as delivery_tables
from sinks.store import MIGRATIONS_DIR, Store


def test_an_empty_database_is_migrated_to_head_on_open(store_url: str) -> None:
    with Store(store_url, migrate=False) as bare:
        assert bare.revision() is None
        assert "events" not in sa.inspect(bare.engine).get_table_names()
    with Store(store_url) as store:
        assert store.revision() == Store.head_revision() is not None
        names = set(sa.inspect(store.engine).get_table_names())
        assert {table.name for table in t.ALL_TABLES} | {t.VERSION_TABLE} <= names
        assert store.migrate() == Store.head_revision()  # again: nothing to do


def all_tables() -> sa.MetaData:
    """The core tables and the delivery tables: together, what the migrations must build."""
    combined = sa.MetaData()
    for table in (*t.metadata.tables.values(), *delivery_tables.metadata.tables.values()):
        table.to_metadata(combined)
    return combined


def test_the_migrations_build_exactly_the_tables_the_code_uses(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, all_tables())
    # The version table is Alembic's own; anything else is drift between migration and code.
    diff = [d for d in diff if not (d[0] == "remove_table" and d[1].name == t.VERSION_TABLE)]
    assert diff == []


def test_downgrade_to_nothing_and_back(store: Store) -> None:
    config = store._alembic_config()
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert store.revision() is None
    assert "events" not in sa.inspect(store.engine).get_table_names()
    assert store.migrate() == Store.head_revision()
    assert store.counts()["events"] == 0


@pytest.mark.parametrize(
    ("model", "table", "extra_columns"),
    [
        (Document, t.documents, set()),
        (TriggerEvent, t.events, set()),
        (Match, t.matches, set()),
        (Account, t.accounts, set()),
        (Contact, t.contacts, set()),
        (Opportunity, t.opportunities, set()),
        (CampaignEntry, t.campaign_entries, {"account_key"}),
        (DeadLetter, t.dead_letters, set()),
        (FeedState, t.feed_state, set()),
    ],
)
def test_every_record_field_has_a_column(model: type, table: sa.Table, extra_columns: set[str]) -> None:
    # A field added to a record without a migration would be silently dropped by the store.
    assert set(model.model_fields) == {c.name for c in table.columns} - extra_columns


def test_the_migration_environment_ships_inside_the_package() -> None:
    # Found by path next to sinks/store.py, so it works from an installed wheel too.
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert (MIGRATIONS_DIR / "script.py.mako").is_file()
    assert (MIGRATIONS_DIR / "versions" / "0001_initial.py").is_file()
    assert (MIGRATIONS_DIR / "__init__.py").is_file() and (
        MIGRATIONS_DIR / "versions" / "__init__.py"
    ).is_file()


def test_concurrent_opens_migrate_once(postgres_url: str) -> None:
    # Several workers (Beam, Faust) may open a fresh database at the same moment.
    from concurrent.futures import ThreadPoolExecutor

    def open_store(_: int) -> str | None:
        with Store(postgres_url) as store:
            return store.revision()

    with ThreadPoolExecutor(max_workers=3) as pool:
        revisions = list(pool.map(open_store, range(3)))
    assert revisions == [Store.head_revision()] * 3


WORKER = """
import sys
from datetime import UTC, datetime
from schemas import TriggerEvent
from sinks.store import Store
url, worker = sys.argv[1], int(sys.argv[2])
events = [
    TriggerEvent(event_id=f"w{worker}-{n}", document_id="d", type="ipo", confidence=0.5, evidence="x",
                 published_at=datetime(2026, 1, 1, tzinfo=UTC))
    for n in range(300)
]
with Store(url) as store:
    for start in range(0, 300, 50):
        store.upsert_events(events[start:start + 50])
    print(store.revision())
"""


def test_processes_opening_a_fresh_store_together(store_url: str) -> None:
    # Separate processes (Beam workers) migrate the same empty database and write at once.
    import subprocess
    import sys

    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, store_url, str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(3)
    ]
    results = [worker.communicate(timeout=120) for worker in workers]
    assert [w.returncode for w in workers] == [0, 0, 0], [err for _, err in results]
    assert [out.strip() for out, _ in results] == [Store.head_revision()] * 3
    with Store(store_url) as store:
        assert store.counts()["events"] == 900


def test_0006_says_what_is_known_of_matches_stored_before_it(store_url: str) -> None:
    with Store(store_url, migrate=False) as old:
        old.migrate("0005_token_owners")
        with old.engine.begin() as conn:
            rows = [
                ("e1", "A1", "domain", False),
                ("e2", None, "fuzzy", True),
                ("e3", None, "none", False),
            ]
            for event_id, account_id, method, ambiguous in rows:
                conn.execute(
                    sa.text(
                        "INSERT INTO matches (event_id, account_id, score, method, ambiguous, candidates) "
                        "VALUES (:e, :a, 90, :m, :amb, '[]')"
                    ),
                    {"e": event_id, "a": account_id, "m": method, "amb": ambiguous},
                )
            conn.execute(
                sa.text(
                    "INSERT INTO review_queue (id, event_id, candidates, status) VALUES ('r2', 'e2', '[]', 'pending')"
                )
            )
    with Store(store_url) as store:
        got = {m.event_id: (m.matched_by, m.review_reason) for m in store.matches()}
        assert got == {"e1": ("domain", None), "e2": (None, "tie"), "e3": (None, None)}
        assert [r.reason for r in store.list_reviews()] == ["tie"]
