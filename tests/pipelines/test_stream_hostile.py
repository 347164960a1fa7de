"""The streaming worker against hostile messages, a failing database and a stalled feed, on the
real broker (conftest.py) and PostgreSQL: a message that fails at decode or at the store write is a
dead letter after a bounded number of tries and the documents after it are stored, also after a
kill -9 mid-retry; SIGTERM stops a worker within seconds whatever it waits on; `--poll` polls on
its own thread, so a published document never waits for a slow feed."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hostile_server import BAD_DATE, HostileServer, deep_json
from stream_support import STREAM_CASES, KafkaBroker, produce_raw, wait_until

from pipelines.commands.stream import Topics

pytestmark = [pytest.mark.slow]
CONFIG = STREAM_CASES / "config.toml"
POISON = "Poison Pill Corp raises $1M seed"  # the database refuses to store this title (a trigger)


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


def _sql(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(statement)


def _migrated(url: str) -> None:
    from sinks.store import Store

    Store(url).close()


def _refuse_titles_like(url: str, table: str = "documents", pattern: str = "Poison%") -> None:
    """A database that refuses some rows for reasons of its own (a trigger): not a data error the
    store can pin on one row, so only the stream's bounded tries get past it."""
    _sql(
        url,
        "CREATE OR REPLACE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
        "RAISE EXCEPTION 'refused by the database'; END $$ LANGUAGE plpgsql",
    )
    condition = f"WHEN (NEW.title LIKE '{pattern}')" if table == "documents" else ""
    _sql(
        url,
        f"CREATE TRIGGER refuse_{table} BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW {condition} EXECUTE FUNCTION refuse()",
    )


def _doc(doc_id: str, title: str, **extra: Any) -> bytes:
    return json.dumps({"id": doc_id, "title": title, "source": "wire", **extra}).encode()


def _stored(url: str) -> tuple[set[str], list[Any]]:
    import sqlalchemy as sa

    from sinks.store import Store

    store = Store(url, migrate=False)
    try:
        return store.document_ids(), store.dead_letters()
    except sa.exc.OperationalError:  # the worker has not created its SQLite store yet
        return set(), []
    finally:
        store.close()


@pytest.mark.kafka
@pytest.mark.postgres
def test_poison_messages_are_dead_letters_after_bounded_tries_and_later_ones_are_stored(
    kafka_broker: KafkaBroker, stream_worker: Any, pg_url: str
) -> None:
    _migrated(pg_url)
    _refuse_titles_like(pg_url)
    prefix = f"t{uuid.uuid4().hex[:8]}.poison"
    produce_raw(
        kafka_broker.bootstrap,
        Topics(prefix).documents,
        [
            _doc("good-1", "Okapi Freight raises $12M Series A"),
            _doc("poison", POISON),
            deep_json().encode(),
            _doc("nul", "Tern Labs\x00 raises $3M seed"),
            _doc("dated", "Tern Labs raises $3M seed", published_at=BAD_DATE),
            _doc("good-2", "Heron Grid raises $30M Series B"),
        ],
    )
    args = ("--config", str(CONFIG), "--db", pg_url, "--broker", kafka_broker.url, "--topic-prefix", prefix)
    worker = stream_worker(*args, "--max-tries", "2", "--batch-size", "1")
    worker.start()
    # Killed while it tries the poison: the restart reads it again, and must get past it again.
    wait_until(lambda: "try 1 of 2" in worker.log() or not worker.alive(), "the poison's first failure")
    worker.kill9()
    worker.start()
    wait_until(lambda: "good-2" in _stored(pg_url)[0] or not worker.alive(), "the document after the poison")
    assert worker.terminate() == 0, worker.log()[-3000:]
    ids, dead = _stored(pg_url)
    assert {"good-1", "good-2"} <= ids and not ids & {"poison", "nul", "dated"}
    errors = [d.error for d in dead]
    assert any("failed 2 times" in e and "refused by the database" in e for e in errors), errors
    assert any("too deep" in e for e in errors)
    assert any("NUL character" in e for e in errors)
    assert any("outside the years 1-9999" in e for e in errors)
    assert (
        len([e for e in errors if "failed 2 times" in e]) == 1
    )  # the replay after the kill: the same dead letter


@pytest.mark.kafka
@pytest.mark.postgres
def test_sigterm_stops_a_worker_that_can_store_nothing(
    kafka_broker: KafkaBroker, stream_worker: Any, pg_url: str
) -> None:
    # Not even a dead letter can be stored: the worker keeps trying (it must not skip what it can't
    # keep), and SIGTERM still stops it at once.
    _migrated(pg_url)
    _refuse_titles_like(pg_url)
    _refuse_titles_like(pg_url, table="dead_letters")
    prefix = f"t{uuid.uuid4().hex[:8]}.down"
    produce_raw(kafka_broker.bootstrap, Topics(prefix).documents, [_doc("poison", POISON)])
    args = ("--config", str(CONFIG), "--db", pg_url, "--broker", kafka_broker.url, "--topic-prefix", prefix)
    worker = stream_worker(*args, "--max-tries", "2")
    worker.start()
    wait_until(
        lambda: "can't keep the dead letter" in worker.log() or not worker.alive(),
        "the dead letter's failure",
    )
    assert worker.terminate(timeout=20) == 0, worker.log()[-3000:]
    # The database is back: the message is read again (never acked) and dead-lettered.
    _sql(pg_url, "DROP TRIGGER refuse_dead_letters ON dead_letters")
    worker.start()
    wait_until(lambda: _stored(pg_url)[1] or not worker.alive(), "the poison's dead letter")
    assert worker.terminate() == 0


@pytest.mark.kafka
@pytest.mark.postgres
def test_sigterm_stops_a_worker_stuck_in_a_store_call(
    kafka_broker: KafkaBroker, stream_worker: Any, pg_url: str
) -> None:
    import psycopg

    _migrated(pg_url)
    prefix = f"t{uuid.uuid4().hex[:8]}.stuck"
    args = ("--config", str(CONFIG), "--db", pg_url, "--broker", kafka_broker.url, "--topic-prefix", prefix)
    worker = stream_worker(*args)
    with psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://")) as holder:
        holder.execute("LOCK TABLE documents IN ACCESS EXCLUSIVE MODE")  # held until the block ends
        worker.start()
        produce_raw(
            kafka_broker.bootstrap,
            Topics(prefix).documents,
            [_doc("d1", "Okapi Freight raises $12M Series A")],
        )
        wait_until(
            lambda: (
                "stream: consuming" in worker.log()
                and "documents" in _pending_locks(holder)
                or not worker.alive()
            ),
            "the worker to wait on the lock",
        )
        assert worker.terminate(timeout=20) == 0, worker.log()[-3000:]
    assert "leaving it" in worker.log()


def _pending_locks(conn: Any) -> str:
    rows = conn.execute(
        "SELECT relation::regclass::text FROM pg_locks WHERE NOT granted AND relation IS NOT NULL"
    ).fetchall()
    return " ".join(r[0] for r in rows)


@pytest.mark.kafka
def test_poll_never_holds_up_published_documents(
    kafka_broker: KafkaBroker, stream_worker: Any, tmp_path: Path, hostile_server: HostileServer
) -> None:
    (tmp_path / "accounts.csv").write_text("account_id,name\nA1,Okapi Freight\n", encoding="utf-8")
    config = tmp_path / "poll.toml"
    config.write_text(
        f"""as_of = "2026-11-25T00:00:00Z"
[crm]
accounts = "accounts.csv"
[[sources]]
type = "rss"
name = "slow"
feeds = ["{hostile_server.url("/stall")}"]
deadline = 120
""",
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'poll.db'}"
    prefix = f"t{uuid.uuid4().hex[:8]}.poll"
    worker = stream_worker(
        "--config", str(config), "--db", url, "--broker", kafka_broker.url, "--topic-prefix", prefix, "--poll"
    )
    worker.start()
    wait_until(
        lambda: "/stall" in hostile_server.hits or not worker.alive(), "the poller to fetch the slow feed"
    )
    produce_raw(
        kafka_broker.bootstrap, Topics(prefix).documents, [_doc("d1", "Okapi Freight raises $12M Series A")]
    )
    wait_until(lambda: "d1" in _stored(url)[0] or not worker.alive(), "the published document")
    assert "stream poller:" not in worker.log()  # the poll is still waiting on the slow feed
    assert worker.terminate(timeout=20) == 0, worker.log()[-3000:]


def test_own_thread_runs_calls_in_order_and_leaves_a_stuck_one_behind() -> None:
    import threading

    from pipelines.runners.stream.worker import OwnThread

    thread = OwnThread("test")
    assert [thread.submit(pow, 2, n).result(5) for n in range(4)] == [1, 2, 4, 8]
    with pytest.raises(ZeroDivisionError):
        thread.submit(divmod, 1, 0).result(5)
    started, release = threading.Event(), threading.Event()

    def stuck_call() -> bool:
        started.set()
        return release.wait(30)

    stuck = thread.submit(stuck_call)
    queued = thread.submit(pow, 2, 10)
    assert started.wait(5)
    thread.shutdown(cancel_futures=True, timeout=0.2)  # returns although a call still runs
    assert thread.busy and queued.cancelled() and not stuck.done()
    release.set()
    assert stuck.result(5) is True


@pytest.mark.kafka
def test_poll_reads_past_the_hostile_server(
    kafka_broker: KafkaBroker, stream_worker: Any, tmp_path: Path, hostile_server: HostileServer
) -> None:
    from hostile_server import CAP, Route, json_feed, rss, rss_item

    hostile_server.routes["/good.xml"] = Route(body=rss(rss_item("g1", "Okapi Freight raises $12M Series A")))
    hostile_server.routes["/deep.json"] = Route(
        body=json_feed({"id": "x", "title": "Deep", "tags": json.loads(deep_json(100))})
    )
    port = hostile_server.server.server_port
    hostile = [
        "/bomb/gzip-gzip",
        "/bomb/zstd",
        "/bomb/br",
        "/deep.json",
        f"/redirect?to=http://localhost:{port}/good.xml",
    ]
    feeds = ", ".join(f'"{hostile_server.url(path)}"' for path in [*hostile, "/good.xml"])
    (tmp_path / "accounts.csv").write_text("account_id,name\nA1,Okapi Freight\n", encoding="utf-8")
    config = tmp_path / "poll.toml"
    config.write_text(
        f'as_of = "2026-11-25T00:00:00Z"\n[crm]\naccounts = "accounts.csv"\n'
        f'[[sources]]\ntype = "rss"\nname = "hostile"\nfeeds = [{feeds}]\nmax_bytes = {CAP}\nmax_retries = 0\n',
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'poll.db'}"
    prefix = f"t{uuid.uuid4().hex[:8]}.hpoll"
    worker = stream_worker(
        "--config", str(config), "--db", url, "--broker", kafka_broker.url, "--topic-prefix", prefix, "--poll"
    )
    worker.start()
    wait_until(
        lambda: len(_stored(url)[0]) >= 1 and len(_stored(url)[1]) >= len(hostile) or not worker.alive(),
        "the poll",
    )
    assert worker.terminate(timeout=20) == 0, worker.log()[-3000:]
    ids, dead = _stored(url)
    assert len(ids) == 1  # the good feed's story
    assert sorted(d.component for d in dead) == sorted(f"rss:{hostile_server.url(path)}" for path in hostile)
