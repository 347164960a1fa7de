"""A row the database refuses costs that row only: the batch is written again row by row, the refused
row is kept as a dead letter naming its table, its key and the database's reason (never the SQL or
its parameters), and every other row is stored, on SQLite and PostgreSQL. Records normally can't
carry such values (schemas refuse them at the edge), so these tests build them with model_construct,
as a bug or a plugin might."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from schemas import Account, DeadLetter, Document, TriggerEvent
from sinks.base import Batch
from sinks.store import Store

BEFORE_YEAR_ONE = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))  # no UTC moment


def _doc(doc_id: str, **fields: object) -> Document:
    return Document(id=doc_id, title=f"{doc_id}: Acme Robotics raises $12M Series A", source="wire")


def _event(doc_id: str) -> TriggerEvent:
    return TriggerEvent(
        event_id=f"e-{doc_id}",
        document_id=doc_id,
        type="funding_round",
        company="Acme Robotics",
        confidence=0.9,
        evidence=f"{doc_id}: Acme Robotics raises $12M Series A",
    )


def test_a_refused_row_is_a_dead_letter_and_the_rest_is_stored(store: Store) -> None:
    bad_date = Document.model_construct(**{**_doc("bad").__dict__, "published_at": BEFORE_YEAR_ONE})
    bad_event = TriggerEvent.model_construct(
        **{**_event("a").__dict__, "event_id": "e-bad", "published_at": BEFORE_YEAR_ONE}
    )
    nul = Document.model_construct(**{**_doc("nul").__dict__, "title": "Acme\x00 Robotics"})
    own = DeadLetter.of("source", "rss:x", "a bad entry", "payload", clock=store.clock)
    batch = Batch(
        documents=[_doc("a"), bad_date, nul, _doc("b")],
        events=[_event("a"), bad_event, _event("b")],
        dead_letters=[own],
    )
    refused = store.store_batch(batch)
    nul_refused = store.dialect == "postgresql"  # SQLite stores a NUL; PostgreSQL refuses it
    assert sorted(d.component for d in refused) == sorted(
        ["store:documents", "store:events"] + (["store:documents"] if nul_refused else [])
    )
    assert {d.id for d in store.documents()} == {"a", "b"} | (set() if nul_refused else {"nul"})
    assert {e.event_id for e in store.events()} == {"e-a", "e-b"}
    kept = {d.id: d for d in store.dead_letters()}
    assert own.id in kept and all(d.id in kept for d in refused)
    by_key = {d.error.split(" row ")[1].split(" ")[0]: d for d in refused}
    assert "OverflowError" in by_key["bad"].error and "(source wire)" in by_key["bad"].error
    assert '"id":"bad"' in by_key["bad"].payload  # the record, to fix and replay
    if nul_refused:
        assert "NUL" in by_key["nul"].error
    for letter in refused:
        assert letter.stage == "sink" and "INSERT" not in letter.error and "parameters" not in letter.error
    assert store.refused == refused


def test_single_table_writes_keep_the_good_rows(store: Store) -> None:
    bad = Account.model_construct(**{**Account(account_id="A2", name="x").__dict__, "name": "Glo\x00bex"})
    good = [Account(account_id="A1", name="Acme Robotics"), Account(account_id="A3", name="Initech")]
    written = store.upsert_accounts([good[0], bad, good[1]])
    if store.dialect == "postgresql":
        assert written == 2 and [a.account_id for a in store.accounts()] == ["A1", "A3"]
        assert [d.component for d in store.dead_letters()] == ["store:accounts"]
    else:
        assert written == 3


def test_a_failure_of_the_database_itself_still_stops_the_write(store_url: str) -> None:
    with Store(store_url) as store:  # a database of its own: the table goes
        with store.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE documents"))
        with pytest.raises(sa.exc.DBAPIError):
            store.store_batch(Batch(documents=[_doc("a")]))
        assert store.refused == []
