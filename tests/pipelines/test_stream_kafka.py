"""The streaming worker against a real Kafka-compatible broker (started once per session, see
conftest.py): same results as the batch run, nothing lost or doubled across kill -9, bad payloads
dead-lettered, clean shutdown on SIGTERM."""

from __future__ import annotations

import json
import socket
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from stream_support import STREAM_CASES, KafkaBroker, consume, never, produce_raw, wait_until

from pipelines.commands.stream import Topics, publish_documents
from pipelines.config import load_config, process_settings
from schemas import Document

pytestmark = [pytest.mark.kafka, pytest.mark.slow]
CONFIG = STREAM_CASES / "config.toml"
# Tables both runners fill; run history, feed state and dead letters carry run-specific times.
COMPARED = ("documents", "events", "matches", "campaign_entries", "accounts", "review_queue")


def unique_prefix(name: str) -> str:
    """Topics and consumer group of their own for each test: one broker serves the whole session."""
    return f"t{uuid.uuid4().hex[:8]}.{name}"


def store_rows(url: str) -> dict[str, list[dict[str, Any]]]:
    from sinks.store import Store

    store = Store(url)
    try:
        dump = store.dump()
    finally:
        store.close()
    return {name: dump.get(name, []) for name in COMPARED}


def count(url: str, table: str) -> int:
    """Rows in a table of the worker's store, 0 before the worker created it. Read-only: no migration
    run, so polling does not compete with the worker for the database."""
    import sqlalchemy as sa

    from sinks.store import Store

    store = Store(url, migrate=False)
    try:
        return store.counts()[table]
    except sa.exc.OperationalError:
        return 0
    finally:
        store.close()


def test_publish_documents_puts_each_document_on_the_topic_keyed_by_id(kafka_broker: KafkaBroker) -> None:
    topic = unique_prefix("pub") + ".documents"
    docs = [Document(id=f"d{i}", title=f"Company {i} raises $1M seed", source="t") for i in range(5)]
    assert publish_documents(iter(docs), kafka_broker.url, topic) == 5
    got = consume(kafka_broker.bootstrap, topic, at_least=5)
    assert [r.key for r in got] == [f"d{i}".encode() for i in range(5)]
    assert [Document.model_validate_json(r.value) for r in got] == docs


def test_stream_gives_the_batch_result_and_dead_letters_bad_payloads(
    kafka_broker: KafkaBroker, stream_worker: Any, tmp_path: Path
) -> None:
    from pipelines.runners.run import run

    # The batch run (Beam) on the fixture feeds.
    cfg = load_config(CONFIG)
    batch_url = f"sqlite:///{tmp_path / 'batch.db'}"
    cfg = cfg.model_copy(
        update={
            "store": cfg.store.model_copy(update={"url": batch_url}),
            "output": cfg.output.model_copy(update={"dir": str(tmp_path / "lists")}),
        }
    )
    first = run(cfg)
    expected = store_rows(batch_url)
    assert expected["events"], "the fixture feeds must yield events, or this test proves nothing"
    nameless = [e for e in expected["events"] if not e["company"]]
    assert len(nameless) == 2, "the offering notices are two events without a company"
    # A re-run over its own store: the same counts and the same rows (each event id once).
    again = run(cfg)
    assert (again.counts, again.events_by_type) == (first.counts, first.events_by_type)
    assert store_rows(batch_url) == expected
    tallowmere = [
        e for e in expected["events"] if e["type"] == "funding_round" and "Tallowmere" in (e["company"] or "")
    ]
    assert len(tallowmere) == 1 and len(json.loads(json.dumps(tallowmere[0]["sources"]))) == 2
    # The acquired side of "Brindle Analytics to acquire Saltmarsh Data": its own event, matched to
    # the Saltmarsh account and on the acquired segment (compared with the stream below).
    (acquired,) = [e for e in expected["events"] if e["type"] == "acquired"]
    assert (acquired["company"], acquired["counterparty"]) == ("Saltmarsh Data", "Brindle Analytics")
    assert {m["event_id"]: m["account_id"] for m in expected["matches"]}[acquired["event_id"]] == "A-107"
    assert [e["account_id"] for e in expected["campaign_entries"] if e["segment"] == "acquired_30d"] == [
        "A-107"
    ]

    # The same feeds through the stream worker: its poller publishes them, small batches so the
    # two reports of one round land in different micro-batches.
    prefix = unique_prefix("golden")
    topics = Topics(prefix)
    stream_url = f"sqlite:///{tmp_path / 'stream.db'}"
    worker = stream_worker(
        "--config", str(CONFIG), "--db", stream_url, "--broker", kafka_broker.url,
        "--topic-prefix", prefix, "--poll", "--interval", "3600", "--batch-size", "2",
        "--max-document-bytes", "20000", "--output-dir", str(tmp_path / "stream-lists"),
    )  # fmt: skip
    worker.start()
    n_docs = len(expected["documents"])
    wait_until(
        lambda: count(stream_url, "documents") >= n_docs or not worker.alive(),
        "the stream to store every document",
    )
    assert worker.alive(), worker.log()[-3000:]
    got = store_rows(stream_url)
    # The campaign entries are compared after the worker stops (below): it cuts them on a thread of
    # their own, at most every --lists-every seconds and at the stop, so here they may still be a cut
    # taken before the last micro-batch.
    for table in COMPARED:
        if table != "campaign_entries":
            assert got[table] == expected[table], f"{table} differs between stream and batch"

    # Every stored event was published; matched ones as alerts with their segments.
    events = consume(kafka_broker.bootstrap, topics.events, at_least=len(expected["events"]))
    assert {r.key.decode() for r in events} == {e["event_id"] for e in expected["events"]}
    matched = {m["event_id"] for m in expected["matches"] if m["account_id"]}
    alerts = consume(kafka_broker.bootstrap, topics.alerts, at_least=len(matched))
    by_id = {r.key.decode(): json.loads(r.value) for r in alerts}
    assert matched <= set(by_id)
    for entry in expected["campaign_entries"]:
        assert entry["segment"] in by_id[entry["event_id"]]["segments"]

    # Bad payloads: dead-letter topic and store, and the worker carries on.
    bad = [b"{not json", b'{"id": "no-words"}', json.dumps({"id": "huge", "title": "x" * 30_000}).encode()]
    produce_raw(kafka_broker.bootstrap, topics.documents, bad)
    dead = consume(kafka_broker.bootstrap, topics.dead_letters, at_least=3)
    assert len(dead) == 3
    errors = [json.loads(r.value)["error"] for r in dead]
    assert (
        "not JSON" in errors[0] and "needs at least one of" in errors[1] and "20000-byte limit" in errors[2]
    )
    wait_until(lambda: count(stream_url, "dead_letters") >= 3, "the dead letters in the store")

    # Replayed messages (the same documents again, as after a crash) change nothing; then a later
    # report of a stored event merges into it (one event, one more source), in the store.
    replayed = [
        Document.model_validate_json(r.value)
        for r in consume(kafka_broker.bootstrap, topics.documents, at_least=n_docs)
        if r.value and r.value.startswith(b"{") and b'"notice-' in r.value
    ]
    assert len(replayed) == 2
    publish_documents(replayed, kafka_broker.url, topics.documents)
    later = Document(
        id="late-report-1",
        title="Tallowmere Robotics raises $25M Series B led by Harbor Point Ventures",
        published_at=datetime(2026, 11, 24, 12, tzinfo=UTC),
        source="late-outlet",
        url="https://late-outlet.example/tallowmere",
    )
    publish_documents([later], kafka_broker.url, topics.documents)

    def merged() -> list[dict[str, Any]]:
        rows = [e for e in store_rows(stream_url)["events"] if e["event_id"] == tallowmere[0]["event_id"]]
        return rows if rows and "late-outlet" in rows[0]["sources"] else []

    wait_until(merged, "the late report to merge into the stored event")
    funding = [
        e
        for e in store_rows(stream_url)["events"]
        if e["type"] == "funding_round" and "Tallowmere" in (e["company"] or "")
    ]
    assert len(funding) == 1
    after = store_rows(stream_url)
    assert [e for e in after["events"] if not e["company"]] == nameless
    assert len({e["event_id"] for e in after["events"]}) == len(after["events"]) == len(expected["events"])

    assert worker.terminate() == 0, worker.log()[-3000:]
    assert "stopped;" in worker.log()
    # The campaign entries and list files, cut from the store at the stop as the batch run cuts them
    # (one more source on the Tallowmere round does not change its rows).
    assert store_rows(stream_url)["campaign_entries"] == expected["campaign_entries"]
    batch_lists = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "lists").iterdir()}
    stream_lists = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "stream-lists").iterdir()}
    assert batch_lists and stream_lists == batch_lists


COMPANIES = [
    "Amberfield", "Bellweather", "Cobaltine", "Dunmore", "Eastbrook", "Fallowmere", "Glenrock", "Hartwell",
    "Ironvale", "Juniperline", "Kestrelton", "Larkspur", "Moorgate", "Northwind", "Oakhurst", "Pinebrook",
]  # fmt: skip
ROUNDS = ["Seed", "Series A", "Series B", "Series C"]


def generated_documents(n: int) -> list[Document]:
    """Deterministic headlines: funding rounds (some reported by two outlets) and executive hires,
    oldest first, as a feed poller publishes them."""
    start = datetime(2026, 11, 10, tzinfo=UTC)
    docs = []
    for i in range(n):
        company = f"{COMPANIES[i % len(COMPANIES)]} {['Labs', 'Systems', 'Robotics', 'Health'][i // 16 % 4]}"
        when = start + timedelta(minutes=30 * i)
        if i % 3 == 2:
            title = f"{company} appoints Jordan Vale{i} as chief financial officer"
        else:
            title = f"{company} raises ${5 + i % 40}M {ROUNDS[i // 64 % 4]} round"
        docs.append(Document(id=f"gen-{i}", title=title, published_at=when, source=f"outlet-{i % 2}"))
    return docs


def test_kill_9_and_sigterm_mid_stream_lose_nothing_and_double_nothing(
    kafka_broker: KafkaBroker, stream_worker: Any, tmp_path: Path
) -> None:
    from pipelines.core import TriggerProcessor

    docs = generated_documents(600)
    cfg = load_config(CONFIG)
    expected = TriggerProcessor(process_settings(cfg)).setup().process(docs)
    assert expected.events, "the generated documents must yield events, or this test proves nothing"

    prefix = unique_prefix("kill")
    url = f"sqlite:///{tmp_path / 'stream.db'}"
    assert publish_documents(docs, kafka_broker.url, Topics(prefix).documents) == len(docs)
    args = ("--config", str(CONFIG), "--db", url, "--broker", kafka_broker.url, "--topic-prefix", prefix)
    worker = stream_worker(*args, "--batch-size", "3")
    worker.start()
    # Killed once a third is stored: past the first offset commits, far from the end.
    third = len(docs) // 3
    wait_until(
        lambda: count(url, "documents") >= third or not worker.alive(), "a third of the documents", every=0.02
    )
    assert worker.alive(), worker.log()[-3000:]
    worker.kill9()
    assert count(url, "documents") < len(docs), "the worker finished before the kill; use more documents"

    # Restarted, then stopped with SIGTERM mid-stream: a clean exit, and what it stored stays stored.
    worker.start()
    wait_until(
        lambda: count(url, "documents") >= 2 * third or not worker.alive(),
        "two thirds of the documents",
        every=0.02,
    )
    assert worker.terminate() == 0, worker.log()[-3000:]
    assert count(url, "documents") < len(docs), "the worker finished before the SIGTERM; use more documents"

    worker.start()
    wait_until(
        lambda: count(url, "documents") >= len(docs) or not worker.alive(), "every document after restarts"
    )
    assert worker.alive(), worker.log()[-3000:]
    assert worker.terminate() == 0
    assert worker.log().count("buysignal stream: stopped;") == 2  # the two clean stops, not the kill

    from sinks.store import Store

    store = Store(url)
    try:
        stored = store.events()
        assert len(stored) == len({e.event_id for e in stored})
        assert {e.event_id: sorted(e.sources) for e in stored} == {
            e.event_id: sorted(e.sources) for e in expected.events
        }
        assert {m.event_id for m in store.matches()} == {e.event_id for e in expected.events}
        assert len(store.documents()) == len(docs)
    finally:
        store.close()


def test_embedded_broker_demo_stops_cleanly_on_sigterm(stream_worker: Any, tmp_path: Path) -> None:
    from pipelines.runners.stream.broker import free_port

    port = free_port()
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    worker = stream_worker(
        "--config", str(CONFIG), "--db", url, "--embedded-broker", "--embedded-port", str(port),
        "--topic-prefix", "demo",
    )  # fmt: skip
    worker.start()

    def listening() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return not worker.alive()

    wait_until(listening, "the embedded broker to listen")
    doc = Document(id="demo-1", title="Okapi Freight raises $12M Series A", source="demo")
    publish_documents([doc], f"kafka://127.0.0.1:{port}", "demo.documents")
    wait_until(lambda: count(url, "documents") >= 1 or not worker.alive(), "the worker to store the document")
    assert worker.terminate() == 0, worker.log()[-3000:]
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass  # the broker went with the worker


def test_stream_alerts_a_subscribed_webhook_once(
    kafka_broker: KafkaBroker, stream_worker: Any, tmp_path: Path, webhook_receiver: Any
) -> None:
    cfg = tmp_path / "alerts.toml"
    cfg.write_text(
        f"""as_of = "2026-11-25T00:00:00Z"
[crm]
accounts = "{STREAM_CASES / "crm" / "accounts.csv"}"
[delivery]
allow_private = true   # the receiver is on 127.0.0.1
[[subscriptions]]
name = "funding"
owner = "ben.carter"
types = ["funding_round"]
channels = [{{ kind = "webhook", target = "{webhook_receiver.url}", secret = "k" }}]
""",
        encoding="utf-8",
    )
    prefix = unique_prefix("alerts")
    url = f"sqlite:///{tmp_path / 'alerts.db'}"
    worker = stream_worker(
        "--config", str(cfg), "--db", url, "--broker", kafka_broker.url, "--topic-prefix", prefix,
    )  # fmt: skip
    worker.start()
    docs = [
        Document(id="a-1", title="Okapi Freight raises $12M Series A", source="wire",
                 published_at=datetime(2026, 11, 24, tzinfo=UTC)),
        Document(id="a-2", title="Corvid Health opens an office in Madrid", source="wire",
                 published_at=datetime(2026, 11, 24, tzinfo=UTC)),
    ]  # fmt: skip
    publish_documents(docs, kafka_broker.url, Topics(prefix).documents)
    wait_until(lambda: webhook_receiver.received or not worker.alive(), "the webhook to receive the alert")
    # The same news again, then a new unsubscribed story: once that is stored (one partition, in
    # order), the repeat was processed too; then no second webhook may come during two more
    # delivery passes (the worker runs one a second).
    later = Document(id="a-3", title="Brindle Analytics launches a forecasting app", source="wire")
    publish_documents([docs[0], later], kafka_broker.url, Topics(prefix).documents)
    wait_until(lambda: count(url, "documents") >= 3 or not worker.alive(), "the worker to store all three")
    never(lambda: len(webhook_receiver.received) > 1, "a second webhook", within=2.5)
    assert worker.terminate() == 0, worker.log()[-3000:]
    bodies = [json.loads(body) for _, body in webhook_receiver.received]
    assert len(bodies) == 1, (
        bodies
    )  # one alert, once: the expansion is not subscribed, the repeat adds nothing
    assert "Okapi Freight" in json.dumps(bodies[0])
