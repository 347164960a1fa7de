"""The Faust streaming worker: Documents from a Kafka topic through the core step, continuously.

Per micro-batch (`stream.take_events(n, within=s)`), on one worker thread so the event loop keeps
heartbeating while spaCy runs:

1. decode the payloads; a bad one (not JSON, not a Document, too big) becomes a DeadLetter;
2. run the core step (`TriggerProcessor.process`) against the events already stored in the dedup
   window, so a later report of a stored event merges into it (pipelines.core.fold_reports, as the
   batch runner folds);
3. publish the new or changed events, their alerts and the dead letters, and wait for the broker;
4. write the batch to the store (idempotent upserts);
5. only then hand the batch back to Faust, which acks it (and later commits the offsets).

So delivery is at least once: a crash anywhere before 5 replays the batch, and the replay changes
nothing in the store (same ids, and the events it finds are then known and unchanged). Output
topics may see an event twice after a crash between 3 and 4; they are keyed by event_id.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from pipelines.config import Config
from schemas import CampaignEntry, Clock, DeadLetter, Document, Match, TriggerEvent, nul_fields
from sinks.base import Batch
from sources import safejson

if TYPE_CHECKING:
    from pipelines.core import ProcessSettings, TriggerProcessor

log = logging.getLogger("buysignal.stream")

DEFAULT_PREFIX = "buysignal"
# One partition keeps reports in the order they were published, which is what makes streaming dedup
# give the batch result (the first report names the event). Raise it for parallel workers.
TOPIC_PARTITIONS = 1
DEFAULT_MAX_DOCUMENT_BYTES = 1_000_000
# How much of an oversized payload a dead letter keeps (the rest is counted, not stored).
DEAD_PAYLOAD_KEEP = 10_000
RETRY_MAX_DELAY = 30.0


@dataclass(frozen=True)
class Topics:
    """The topic names for one deployment: `<prefix>.documents`, `.events`, `.alerts`, `.dead_letters`."""

    prefix: str = DEFAULT_PREFIX

    @property
    def documents(self) -> str:
        return f"{self.prefix}.documents"

    @property
    def events(self) -> str:
        return f"{self.prefix}.events"

    @property
    def alerts(self) -> str:
        return f"{self.prefix}.alerts"

    @property
    def dead_letters(self) -> str:
        return f"{self.prefix}.dead_letters"

    def all(self) -> list[str]:
        return [self.documents, self.events, self.alerts, self.dead_letters]


@dataclass(frozen=True)
class StreamSettings:
    """How the worker connects and batches (the config file says what it computes)."""

    broker_url: str
    topic_prefix: str = DEFAULT_PREFIX
    group_id: str | None = None
    batch_size: int = 256
    batch_within: float = 0.1
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES
    poll: bool = False
    poll_interval: float = 300.0
    # Longest a fetch waits for data (None: Faust's 1500 ms). See pipelines/streaming/transport.py.
    fetch_wait_ms: int | None = 50
    datadir: str | None = None
    deliver_every: float = 1.0  # seconds between alert-delivery passes

    @property
    def topics(self) -> Topics:
        return Topics(self.topic_prefix)

    @property
    def app_id(self) -> str:
        """The Faust app id, which is also the consumer group id."""
        return self.group_id or f"{self.topic_prefix}.stream"


# -- payloads at the edge -------------------------------------------------------------------------
def _payload_text(payload: bytes | None, keep: int = DEAD_PAYLOAD_KEEP) -> str:
    if payload is None:
        return ""
    text = payload[:keep].decode("utf-8", errors="replace")
    if len(payload) > keep:
        text += f"... [{len(payload) - keep} more bytes not kept]"
    return text


def decode_document(
    payload: bytes | None, component: str, where: str, max_bytes: int
) -> Document | DeadLetter:
    """One Kafka payload as a Document, or a DeadLetter (stage "stream") that says what was wrong.

    `where` locates the message (e.g. "partition 0 offset 12") so the dead letter can be traced."""

    def dead(reason: str) -> DeadLetter:
        return DeadLetter.of("stream", component, f"{where}: {reason}", _payload_text(payload))

    if payload is None or not payload.strip():
        return dead("empty message; a Document is a JSON object (CONTRACT.md: Document)")
    if len(payload) > max_bytes:
        return dead(
            f"message of {len(payload)} bytes is over the {max_bytes}-byte limit; "
            "split the text or raise --max-document-bytes"
        )
    try:
        obj = safejson.loads(payload)
    except safejson.JsonTooDeep as exc:
        return dead(f"JSON {exc}; a Document nests a few levels")
    except (UnicodeDecodeError, ValueError) as exc:
        return dead(f"not JSON ({exc}); publish one Document JSON object per message")
    if not isinstance(obj, dict):
        return dead(f"a {type(obj).__name__}, not a JSON object; publish one Document object per message")
    try:
        document = Document.model_validate(obj)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(document)'}: {err['msg']}" for err in exc.errors()
        )
        return dead(f"not a Document ({problems}); see CONTRACT.md: Document")
    if bad := nul_fields(document):
        return dead(f"a NUL character (\\x00) in {', '.join(bad)}, which databases can't store; remove it")
    return document


# -- alerts -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Alert:
    """What a seller acts on: the event, the account it was matched to and the campaign segments
    it entered. Published for events matched to an account or entering at least one segment."""

    event: TriggerEvent
    match: Match | None
    entries: tuple[CampaignEntry, ...] = ()

    @property
    def segments(self) -> list[str]:
        return sorted({e.segment for e in self.entries})

    def to_json(self) -> str:
        return json.dumps(
            {
                "alert_id": self.event.event_id,
                "event": self.event.model_dump(mode="json"),
                "match": self.match.model_dump(mode="json") if self.match else None,
                "segments": self.segments,
                "entries": [e.model_dump(mode="json") for e in self.entries],
            },
            ensure_ascii=False,
        )


def build_alerts(batch: Batch) -> list[Alert]:
    """One alert per event in the batch that found an account or entered a segment."""
    matches = {m.event_id: m for m in batch.matches}
    entries: dict[str, list[CampaignEntry]] = {}
    for entry in batch.entries:
        entries.setdefault(entry.event_id, []).append(entry)
    alerts = []
    for event in batch.events:
        match = matches.get(event.event_id)
        found = tuple(entries.get(event.event_id, ()))
        if (match is not None and match.account_id) or found:
            alerts.append(Alert(event=event, match=match, entries=found))
    return alerts


def news_only(batch: Batch, known: Sequence[TriggerEvent]) -> Batch:
    """The batch without the events it left as the store has them (a replayed message, a report
    that adds nothing): the topics carry what is new or changed, not every restatement."""
    stored = {e.event_id: e for e in known}
    events = [e for e in batch.events if stored.get(e.event_id) != e]
    ids = {e.event_id for e in events}
    return Batch(
        documents=batch.documents,
        events=events,
        matches=[m for m in batch.matches if m.event_id in ids],
        entries=[e for e in batch.entries if e.event_id in ids],
        dead_letters=batch.dead_letters,
    )


# -- the core step on micro-batches -------------------------------------------------------------
@dataclass
class StreamCounts:
    batches: int = 0
    documents: int = 0
    events: int = 0
    alerts: int = 0
    dead_letters: int = 0
    published: int = 0  # by the poller
    source_dead_letters: int = 0  # the poller's unreadable feeds and entries

    def line(self) -> str:
        polled = (
            f"; poller published {self.published} documents, {self.source_dead_letters} dead letters"
            if self.published or self.source_dead_letters
            else ""
        )
        return (
            f"{self.batches} batches, {self.documents} documents, {self.events} events, "
            f"{self.alerts} alerts, {self.dead_letters} dead letters{polled}"
        )


@dataclass
class Outcome:
    """One micro-batch's results, ready to publish and store."""

    batch: Batch
    alerts: list[Alert] = field(default_factory=list)


class StreamProcessor:
    """The streaming side of the core step. Not thread-safe: call it from one thread (the worker's
    executor), since spaCy pipelines and the store connection are used without locks."""

    def __init__(
        self,
        cfg: Config,
        store: Any,
        topics: Topics,
        max_document_bytes: int,
        known_refresh: float = 60.0,
        lists_every: float = 60.0,
        clock: Clock | None = None,
    ) -> None:
        self.cfg = cfg
        self.store = store
        # "Now" for segment windows and the dedup lookback: the store's clock unless one is given.
        self.clock: Clock = clock or store.clock
        self.topics = topics
        self.max_document_bytes = max_document_bytes
        self.processor: TriggerProcessor | None = None
        self.alert_sink: Any = None
        self.component = f"stream:{topics.documents}"
        self.known_refresh = known_refresh
        self._known: dict[str, TriggerEvent] | None = None
        self._known_loaded = 0.0
        self.lists_every = lists_every
        self.lists_stale = False
        self._lists_written = 0.0

    def setup(self) -> StreamProcessor:
        """Load the CRM snapshot into the store (as a batch run does) and the core step (spaCy,
        account index) once, before the worker joins its consumer group."""
        # Imported here so the edge (decoding, alerts) works without loading spaCy and the matchers.
        from pipelines.core import ProcessSettings, TriggerProcessor, load_crm_into_store

        cfg = self.cfg
        crm = load_crm_into_store(cfg, self.store)
        settings = ProcessSettings.from_config(cfg, extra_aliases=self.store.aliases(), clock=self.clock)
        self.processor = TriggerProcessor(settings, crm=crm).setup()
        self.alert_sink = self._alert_sink()
        return self

    def _alert_sink(self) -> Any:
        """Subscriptions get this worker's alerts: config subscriptions are synced, alerts are
        enqueued with each store write, and `deliver_due` (on its own thread) sends them."""
        from sinks.delivery import api as delivery_api
        from sinks.delivery.sink import AlertSink

        cfg = self.cfg
        if cfg.subscriptions:
            delivery_api.sync_from_config(
                self.store,
                cfg.subscriptions,
                allow_private=cfg.delivery.allow_private,
                allowed_hosts=cfg.delivery.allowed_hosts,
            )
        return AlertSink(self.store, settings=cfg.delivery, deliver=False)

    def deliver_due(self) -> None:
        """Send the alerts that are due (retries included); a failure waits for the next call."""
        if self.alert_sink is None:
            return
        try:
            report = self.alert_sink.service.deliver_due()
        except Exception as exc:  # delivery never stops the stream; the queue keeps what is unsent
            log.error("stream: alert delivery failed (%s: %s)", type(exc).__name__, exc)
            return
        if report.attempted:
            log.info(
                "stream: alerts sent %d, retrying %d, dead %d", report.sent, report.retrying, report.dead
            )

    def _now_settings(self) -> ProcessSettings:
        # A worker runs for weeks: segment windows and the dedup lookback follow the clock, unless
        # the config pins `as_of` (tests, replays).
        assert self.processor is not None
        return replace(self.processor.settings, as_of=self.cfg.now(self.clock))

    def known_events(self, since: datetime | None) -> list[TriggerEvent]:
        """Stored events in the dedup window. Kept in memory and refreshed from the store every
        `known_refresh` seconds (reading them all per micro-batch would cost more than the batch);
        our own writes go into the cache as they are stored, a batch run's arrive with the refresh."""
        now = time.monotonic()
        if self._known is None or now - self._known_loaded >= self.known_refresh:
            self._known = {e.event_id: e for e in self.store.events(since=since)}
            self._known_loaded = now
        if since is None:
            return list(self._known.values())
        # as the store's query: dated events at or after `since`
        return [e for e in self._known.values() if e.published_at is not None and e.published_at >= since]

    def handle(self, messages: Sequence[tuple[bytes | None, str]]) -> Outcome:
        """Payloads (with where they came from) -> the batch to publish and store."""
        from pipelines.core import recent_window

        if self.processor is None:
            self.setup()
        assert self.processor is not None
        docs: dict[str, Document] = {}
        dead: list[DeadLetter] = []
        for payload, where in messages:
            item = decode_document(payload, self.component, where, self.max_document_bytes)
            if isinstance(item, DeadLetter):
                dead.append(item)
            else:
                docs[item.id] = item  # the same document twice in a batch counts once
        self.processor.settings = self._now_settings()
        known = self.known_events(recent_window(self.processor.settings))
        try:
            batch = self.processor.process(list(docs.values()), known_events=known)
        except Exception as exc:  # one bad document must not sink its whole batch
            log.warning("stream: batch of %d documents failed (%s); retrying one by one", len(docs), exc)
            batch = self._one_by_one(list(docs.values()), known, dead)
        batch = news_only(batch, known)
        batch.dead_letters = [*batch.dead_letters, *dead]
        return Outcome(batch=batch, alerts=build_alerts(batch))

    def _one_by_one(self, docs: list[Document], known: list[TriggerEvent], dead: list[DeadLetter]) -> Batch:
        assert self.processor is not None
        documents: list[Document] = []
        # By event id: a later document's report of an event supersedes the earlier version.
        events: dict[str, TriggerEvent] = {}
        matches: dict[str, Match] = {}
        entries: dict[str, list[CampaignEntry]] = {}
        for doc in docs:
            try:
                part = self.processor.process([doc], known_events=known)
            except Exception as exc:
                dead.append(DeadLetter.of("stream", "stream:core", exc, doc.to_json()))
                continue
            documents.extend(part.documents)
            ids = {e.event_id for e in part.events}
            events.update((e.event_id, e) for e in part.events)
            matches.update((m.event_id, m) for m in part.matches)
            for event_id in ids:
                entries[event_id] = [x for x in part.entries if x.event_id == event_id]
            # later documents of this batch must see the events found so far, as in one batch
            known = [*[e for e in known if e.event_id not in ids], *part.events]
        return Batch(
            documents=documents,
            events=list(events.values()),
            matches=list(matches.values()),
            entries=[x for found in entries.values() for x in found],
        )

    def write(self, outcome: Outcome) -> None:
        """Store the batch (idempotent: writing it twice leaves the same rows)."""
        self.store.write(outcome.batch)
        if self.alert_sink is not None:
            self.alert_sink.write(outcome.batch)  # enqueue only: deliver_due sends
        if self._known is not None:
            self._known.update((e.event_id, e) for e in outcome.batch.events)
        if outcome.batch.entries:
            self.lists_stale = True

    def refresh_campaign_lists(self, force: bool = False) -> list[Path]:
        """Cut the campaign lists from the store and write the list files, as `buysignal run` does
        after its pipeline; at most every `lists_every` seconds (and when the worker stops), since
        each cut reads every event in the segment windows. Returns the files written."""
        from pipelines.run import publish_campaign_lists

        due = time.monotonic() - self._lists_written >= self.lists_every
        if not self.lists_stale or not (force or due) or self.processor is None:
            return []
        settings = self._now_settings()
        contacts = self.processor.contacts.contacts if self.processor.contacts is not None else None
        paths = publish_campaign_lists(
            self.store, settings, self.processor.account_map, contacts, self.cfg
        ).paths
        self.lists_stale = False
        self._lists_written = time.monotonic()
        return paths


# -- the Faust app ----------------------------------------------------------------------------------
def build_app(
    settings: StreamSettings, processor: StreamProcessor, counts: StreamCounts | None = None
) -> Any:
    """The Faust app: one agent on the documents topic, plus the feed poller when asked for."""
    import faust

    from pipelines.streaming.broker import faust_broker_url

    counts = counts if counts is not None else StreamCounts()
    topics = settings.topics
    # Faust wants a data folder even without tables; a throwaway one unless configured.
    datadir = settings.datadir or tempfile.mkdtemp(prefix="buysignal-stream-")
    app = faust.App(
        settings.app_id,
        broker=faust_broker_url(settings.broker_url),
        store="memory://",  # no tables: the SQL store is the state
        datadir=datadir,
        web_enabled=False,
        topic_partitions=TOPIC_PARTITIONS,
        topic_replication_factor=1,
        consumer_auto_offset_reset="earliest",
        # Small timeouts: one worker per group is the usual deployment, and a restarted worker
        # should take its partitions back within seconds, not the default minute.
        broker_session_timeout=6.0,
        broker_rebalance_timeout=4.0,
        broker_heartbeat_interval=1.0,
        broker_commit_interval=1.0,
        stream_wait_empty=True,
        producer_acks=-1,
        # An oversized message must reach us to become a dead letter, not stall the fetcher.
        consumer_max_fetch_size=max(4 * settings.max_document_bytes, 4_194_304),
        producer_max_request_size=max(2 * DEAD_PAYLOAD_KEEP + 100_000, 1_048_576),
    )
    if settings.fetch_wait_ms is not None:
        from pipelines.streaming.transport import quick_fetch_transport

        # Before the first topic: topics create the conductor, which creates the transport.
        app.transport = quick_fetch_transport(settings.fetch_wait_ms)(app.conf.broker_consumer, app)
    raw = app.topic(
        topics.documents, value_type=bytes, key_type=bytes, value_serializer="raw", key_serializer="raw"
    )
    out = {
        name: app.topic(name, value_type=bytes, key_type=bytes, value_serializer="raw", key_serializer="raw")
        for name in (topics.events, topics.alerts, topics.dead_letters)
    }
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="buysignal-core")
    app.buysignal_executor = executor  # type: ignore[attr-defined]
    app.buysignal_tmpdir = None if settings.datadir else datadir  # type: ignore[attr-defined]

    async def publish(outcome: Outcome) -> None:
        batch = outcome.batch
        futures = []
        for event in batch.events:
            futures.append(
                await out[topics.events].send(key=event.event_id.encode(), value=event.to_json().encode())
            )
        for alert in outcome.alerts:
            futures.append(
                await out[topics.alerts].send(
                    key=alert.event.event_id.encode(), value=alert.to_json().encode()
                )
            )
        for dead in batch.dead_letters:
            futures.append(
                await out[topics.dead_letters].send(key=dead.id.encode(), value=dead.to_json().encode())
            )
        # Wait for the broker to have them all before the store write and the ack.
        await asyncio.gather(*futures)

    async def retrying(what: str, step: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        # Failures here are retriable (broker or database restarting): wait and try again, never
        # ack a batch that was not published and stored. Only shutdown (cancellation) stops it.
        delay = 0.5
        while True:
            try:
                return await step(*args)
            except Exception as exc:
                log.error(
                    "stream: %s failed (%s: %s); retrying in %.1fs", what, type(exc).__name__, exc, delay
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_DELAY)

    @app.agent(raw, name=f"{settings.app_id}.process")
    async def process_documents(stream: Any) -> None:
        loop = asyncio.get_running_loop()
        async for events in stream.take_events(settings.batch_size, within=settings.batch_within):
            messages = [
                (e.message.value, f"partition {e.message.partition} offset {e.message.offset}")
                for e in events
            ]
            try:
                outcome = await retrying(
                    "processing", loop.run_in_executor, executor, processor.handle, messages
                )
                await retrying("publishing", publish, outcome)
                await retrying("the store write", loop.run_in_executor, executor, processor.write, outcome)
            except BaseException:
                # Not stored: keep Faust from acking these when `take_events` unwinds (it acks in a
                # `finally`), so their offsets are never committed and they are read again.
                for e in events:
                    e.message.acked = True
                raise
            counts.batches += 1
            counts.documents += len(outcome.batch.documents)
            counts.events += len(outcome.batch.events)
            counts.alerts += len(outcome.alerts)
            counts.dead_letters += len(outcome.batch.dead_letters)
            log.info("stream: %s", counts.line())
            if processor.lists_stale:
                try:
                    await loop.run_in_executor(executor, processor.refresh_campaign_lists)
                except Exception as exc:  # the lists are redone at the next batch or at the stop
                    log.error("stream: campaign lists not refreshed (%s: %s)", type(exc).__name__, exc)

    app.buysignal_agent = process_documents  # type: ignore[attr-defined]

    # Alerts go out on their own thread, so a slow webhook never holds up the documents.
    delivery_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="buysignal-delivery")

    @app.timer(interval=settings.deliver_every)
    async def deliver_alerts() -> None:
        await asyncio.get_running_loop().run_in_executor(delivery_executor, processor.deliver_due)

    if settings.poll:
        from pipelines.streaming.poller import FeedPoller

        poller = FeedPoller(processor.cfg, processor.store)

        @app.task
        async def poll_feeds() -> None:
            loop = asyncio.get_running_loop()
            while not app.should_stop:
                try:
                    fresh, dead = await loop.run_in_executor(executor, poller.poll)
                    futures = [
                        await raw.send(key=doc.id.encode(), value=doc.to_json().encode()) for doc in fresh
                    ]
                    futures += [
                        await out[topics.dead_letters].send(key=d.id.encode(), value=d.to_json().encode())
                        for d in dead
                    ]
                    await asyncio.gather(*futures)
                    await loop.run_in_executor(executor, poller.remember, fresh)
                    counts.published += len(fresh)
                    counts.source_dead_letters += len(dead)
                    log.info(
                        "stream poller: %d new documents published, %d dead letters", len(fresh), len(dead)
                    )
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # a failed poll is retried at the next interval
                    log.error(
                        "stream poller: poll failed (%s: %s); next try in %.0fs",
                        type(exc).__name__,
                        exc,
                        settings.poll_interval,
                    )
                await asyncio.sleep(settings.poll_interval)

    return app


def run_worker(
    settings: StreamSettings,
    processor: StreamProcessor,
    *,
    verbose: bool = False,
    on_stop: Callable[[StreamCounts], None] | None = None,
) -> int:
    """Run the worker in this process until SIGTERM/SIGINT; returns the exit code."""
    from faust.worker import Worker

    counts = StreamCounts()
    app = build_app(settings, processor, counts)
    worker = Worker(
        app,
        loglevel="INFO" if verbose else "WARNING",
        quiet=True,
        redirect_stdouts=False,
        override_logging=False,
        stdout=sys.stderr,
        stderr=sys.stderr,
    )
    worker.spinner = None  # it draws on stderr with cursor codes, which garbles logs
    started = time.monotonic()
    code = 0
    try:
        worker.execute_from_commandline()
    except SystemExit as exc:
        code = int(exc.code or 0) if not isinstance(exc.code, str) else 1
    finally:
        app.buysignal_executor.shutdown(wait=True)
        try:
            paths = processor.refresh_campaign_lists(force=True)
            if paths:
                log.info("stream: campaign lists written to %s", paths[0].parent)
        except Exception as exc:  # the store has the entries; only the list files are behind
            log.error("stream: campaign lists not written at stop (%s: %s)", type(exc).__name__, exc)
        if app.buysignal_tmpdir:
            shutil.rmtree(app.buysignal_tmpdir, ignore_errors=True)
        if on_stop is not None:
            on_stop(counts)
    log.info("stream: worker ran %.0fs", time.monotonic() - started)
    return code
