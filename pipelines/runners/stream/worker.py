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
import functools
import logging
import queue
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tenacity
from pydantic import ValidationError

from pipelines.config import Config
from pipelines.core.dedup import StoredEvents
from schemas import CampaignEntry, Clock, DeadLetter, Document, Match, TriggerEvent, nul_fields
from schemas.retry import Backoff
from sinks.base import Batch
from sinks.delivery.alerts import alerts_from_batch
from sinks.delivery.models import Alert
from sinks.delivery.sink import accounts_for
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
DEFAULT_MAX_TRIES = 3
# How long a stopping worker waits for a store call already running (a lock wait, a slow database)
# before it leaves the call behind: SIGTERM ends the worker within seconds, never minutes. What that
# call was writing is not acked, so it is read again after the restart (writes are idempotent).
STOP_GRACE = 5.0
STOP_CHECK = 0.2  # how often a waiting worker looks whether it was told to stop (seconds)


class Stopping(BaseException):
    """The worker was told to stop while it waited: what it held is left unacked (a BaseException,
    like asyncio's CancelledError, so no `except Exception` retry loop swallows it)."""


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
    # Longest a fetch waits for data (None: Faust's 1500 ms). See pipelines/runners/stream/transport.py.
    fetch_wait_ms: int | None = 50
    datadir: str | None = None
    deliver_every: float = 1.0  # seconds between alert-delivery passes
    # Tries of a batch, then of each of its messages alone, before a message is a dead letter.
    max_tries: int = DEFAULT_MAX_TRIES
    # Seconds without a heartbeat before the broker hands a worker's partitions to another. A worker
    # joining its group waits about half of it (the bundled broker), or for a killed one to time out.
    session_timeout: float = 6.0

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


def news_only(batch: Batch, known: Sequence[TriggerEvent] | StoredEvents) -> Batch:
    """The batch without the events it left as the store has them (a replayed message, a report
    that adds nothing): the topics carry what is new or changed, not every restatement."""
    stored = known if isinstance(known, StoredEvents) else StoredEvents(known)
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
    alerts: list[Alert] = field(default_factory=list)  # every event's: subscriptions filter them

    @property
    def published_alerts(self) -> list[Alert]:
        """What the alerts topic carries: the alerts a seller can act on (`Alert.actionable`)."""
        return [a for a in self.alerts if a.actionable]


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
        self._known: StoredEvents | None = None
        self._known_loaded = 0.0
        self.lists_every = lists_every
        self.lists_stale = False
        self._lists_written = 0.0

    def setup(self) -> StreamProcessor:
        """Load the CRM snapshot into the store (as a batch run does) and the core step (spaCy,
        account index) once, before the worker joins its consumer group."""
        # Imported here so the edge (decoding, alerts) works without loading spaCy and the matchers.
        from pipelines.config import process_settings
        from pipelines.core import TriggerProcessor
        from pipelines.runners.inputs import load_crm_into_store

        cfg = self.cfg
        crm = load_crm_into_store(cfg, self.store)
        settings = process_settings(cfg, extra_aliases=self.store.aliases(), clock=self.clock)
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

    def known_events(self, since: datetime | None) -> StoredEvents:
        """Stored events in the dedup window, by id and dedup key. Kept in memory and refreshed from
        the store every `known_refresh` seconds (reading them per micro-batch would cost more than
        the batch); our own writes go into it as they are stored, a batch run's arrive with the
        refresh. A micro-batch folds into the few that share an id or a key with its reports."""
        now = time.monotonic()
        if self._known is None or now - self._known_loaded >= self.known_refresh:
            self._known = StoredEvents(self.store.events(since=since))
            self._known_loaded = now
        self._known.since = since  # as the store's query: dated events at or after `since`
        return self._known

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
        return Outcome(batch=batch, alerts=alerts_from_batch(batch, accounts_for(self.store, batch)))

    def _one_by_one(self, docs: list[Document], stored: StoredEvents, dead: list[DeadLetter]) -> Batch:
        assert self.processor is not None
        known = StoredEvents(stored, since=stored.since)  # this batch's own finds go in a copy
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
            known.update(part.events)
        return Batch(
            documents=documents,
            events=list(events.values()),
            matches=list(matches.values()),
            entries=[x for found in entries.values() for x in found],
        )

    def unprocessable(self, message: tuple[bytes | None, str], error: Exception, tries: int) -> DeadLetter:
        """The dead letter of a message that failed every try: where it was, the error, its payload."""
        payload, where = message
        return DeadLetter.of(
            "stream",
            self.component,
            f"{where}: failed {tries} times, last {type(error).__name__}: {error}; kept here and skipped "
            "(the stream goes on)",
            _payload_text(payload),
            clock=self.clock,
        )

    def write(self, outcome: Outcome) -> None:
        """Store the batch (idempotent: writing it twice leaves the same rows)."""
        self.store.write(outcome.batch)
        if self.alert_sink is not None:
            self.alert_sink.enqueue_alerts(outcome.alerts)  # deliver_due sends them
        if self._known is not None:
            self._known.update(outcome.batch.events)
        if outcome.batch.entries:
            self.lists_stale = True

    def refresh_campaign_lists(self, force: bool = False) -> list[Path]:
        """Cut the campaign lists from the store and write the list files, as `buysignal run` does
        after its pipeline; at most every `lists_every` seconds (and when the worker stops), since
        each cut reads every event in the segment windows. Returns the files written."""
        from pipelines.runners.run import publish_campaign_lists

        due = time.monotonic() - self._lists_written >= self.lists_every
        if not self.lists_stale or not (force or due) or self.processor is None:
            return []
        # Cleared before the cut reads the store: a batch stored meanwhile (this runs on its own
        # thread, beside the core step) marks the lists stale again and is in the next cut.
        self.lists_stale = False
        try:
            settings = self._now_settings()
            contacts = self.processor.contacts.contacts if self.processor.contacts is not None else None
            paths = publish_campaign_lists(
                self.store, settings, self.processor.account_map, contacts, self.cfg
            ).paths
        except BaseException:
            self.lists_stale = True
            raise
        self._lists_written = time.monotonic()
        return paths


# -- threads ---------------------------------------------------------------------------------------
class OwnThread(Executor):
    """An executor of one daemon thread that runs the calls given to it in order. Unlike a
    ThreadPoolExecutor, a call stuck in I/O (a lock wait, a slow feed) can't keep the process from
    exiting: `shutdown(timeout=...)` waits that long, then leaves it behind."""

    def __init__(self, name: str) -> None:
        self._calls: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]] | None] = (
            queue.SimpleQueue()
        )
        self._closed = False
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if self._closed:
            raise RuntimeError("the worker thread is shut down")
        future: Future[Any] = Future()
        self._calls.put((future, functools.partial(fn, **kwargs) if kwargs else fn, args))
        return future

    def _work(self) -> None:
        while (call := self._calls.get()) is not None:
            future, fn, args = call
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn(*args)
            except BaseException as exc:  # handed to whoever awaits the call
                future.set_exception(exc)
            else:
                future.set_result(result)

    def shutdown(
        self, wait: bool = True, *, cancel_futures: bool = False, timeout: float | None = None
    ) -> None:
        self._closed = True
        if cancel_futures:
            while True:
                try:
                    call = self._calls.get_nowait()
                except queue.Empty:
                    break
                if call is not None:
                    call[0].cancel()
        self._calls.put(None)
        if wait:
            self._thread.join(timeout)

    @property
    def busy(self) -> bool:
        """Whether a call is still running (after a shutdown that timed out)."""
        return self._thread.is_alive()


# -- the Faust app ----------------------------------------------------------------------------------
def build_app(
    settings: StreamSettings, processor: StreamProcessor, counts: StreamCounts | None = None
) -> Any:
    """The Faust app: one agent on the documents topic, plus the feed poller when asked for."""
    import faust

    from pipelines.runners.stream.broker import faust_broker_url

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
        broker_session_timeout=settings.session_timeout,
        broker_rebalance_timeout=4.0,
        broker_heartbeat_interval=min(1.0, settings.session_timeout / 3),
        broker_commit_interval=1.0,
        stream_wait_empty=True,
        producer_acks=-1,
        # An oversized message must reach us to become a dead letter, not stall the fetcher.
        consumer_max_fetch_size=max(4 * settings.max_document_bytes, 4_194_304),
        producer_max_request_size=max(2 * DEAD_PAYLOAD_KEEP + 100_000, 1_048_576),
    )
    if settings.fetch_wait_ms is not None:
        from pipelines.runners.stream.transport import quick_fetch_transport

        # Before the first topic: topics create the conductor, which creates the transport.
        app.transport = quick_fetch_transport(settings.fetch_wait_ms)(app.conf.broker_consumer, app)
    raw = app.topic(
        topics.documents, value_type=bytes, key_type=bytes, value_serializer="raw", key_serializer="raw"
    )
    out = {
        name: app.topic(name, value_type=bytes, key_type=bytes, value_serializer="raw", key_serializer="raw")
        for name in (topics.events, topics.alerts, topics.dead_letters)
    }
    executor = OwnThread("buysignal-core")
    app.buysignal_executor = executor  # type: ignore[attr-defined]
    app.buysignal_tmpdir = None if settings.datadir else datadir  # type: ignore[attr-defined]

    async def publish(outcome: Outcome) -> None:
        batch = outcome.batch
        futures = []
        for event in batch.events:
            futures.append(
                await out[topics.events].send(key=event.event_id.encode(), value=event.to_json().encode())
            )
        for alert in outcome.published_alerts:
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

    async def unless_stopping(awaitable: Awaitable[Any]) -> Any:
        """Await `awaitable`, but give up on it (Stopping) as soon as the worker is told to stop:
        Faust waits for every message in hand before it stops, so a store call stuck on a lock or
        a broker that is down must not keep it waiting. What was in hand is not acked."""
        task = asyncio.ensure_future(awaitable)
        while True:
            done, _ = await asyncio.wait({task}, timeout=STOP_CHECK)
            if done:
                return task.result()
            if app.should_stop:
                task.add_done_callback(lambda t: t.cancelled() or t.exception())  # nobody awaits it now
                raise Stopping()

    async def pause(seconds: float) -> None:
        """Sleep, but not past a stop."""
        await unless_stopping(asyncio.sleep(seconds))

    def in_thread(fn: Callable[..., Any], *args: Any) -> Awaitable[Any]:
        return unless_stopping(asyncio.get_running_loop().run_in_executor(executor, fn, *args))

    async def attempt(messages: list[tuple[bytes | None, str]]) -> Outcome:
        """One try at messages: the core step, publishing, then the store write."""
        if app.should_stop:
            raise Stopping()
        outcome: Outcome = await in_thread(processor.handle, messages)
        await unless_stopping(publish(outcome))
        await in_thread(processor.write, outcome)
        return outcome

    async def tries(
        messages: list[tuple[bytes | None, str]], times: int
    ) -> tuple[Outcome | None, Exception | None]:
        """`attempt` up to `times` times, waiting between tries as every retry in the project does
        (schemas.retry.Backoff, run by tenacity); the outcome, or the last error. A stop (Stopping,
        a BaseException) is never retried."""
        number = 0

        async def logged() -> Outcome:
            nonlocal number
            number += 1
            try:
                return await attempt(messages)
            except Exception as exc:  # any failure: tried again, then isolated (see settle)
                log.error(
                    "stream: %d message(s) from %s failed (%s: %s), try %d of %d",
                    len(messages),
                    messages[0][1],
                    type(exc).__name__,
                    exc,
                    number,
                    times,
                )
                raise

        retrying = tenacity.AsyncRetrying(
            stop=tenacity.stop_after_attempt(times),
            wait=Backoff(first=1.0, max_delay=RETRY_MAX_DELAY),
            retry=tenacity.retry_if_exception_type(Exception),
            sleep=pause,
            reraise=True,
        )
        try:
            return await retrying(logged), None
        except Exception as exc:
            return None, exc

    async def dead_letter(message: tuple[bytes | None, str], error: Exception) -> Outcome:
        """A message that failed every try: its dead letter, published and stored. Retried (with
        backoff, until the worker stops) while that fails too: then the store or the broker is
        down, not the message, and the message itself is tried again first."""
        backoff = Backoff(first=1.0, max_delay=RETRY_MAX_DELAY)
        failures = 0
        while True:
            dead = processor.unprocessable(message, error, settings.max_tries)
            outcome = Outcome(batch=Batch(dead_letters=[dead]))
            try:
                await unless_stopping(publish(outcome))
                await in_thread(processor.store.add_dead_letters, [dead])
                return outcome
            except Exception as exc:  # the store or the broker itself: wait, then try the message again
                failures += 1
                delay = backoff.delay(failures)
                log.error(
                    "stream: can't keep the dead letter of %s either (%s: %s); retrying in %.1fs",
                    message[1],
                    type(exc).__name__,
                    exc,
                    delay,
                )
                await pause(delay)
            retried, again = await tries([message], settings.max_tries)
            if retried is not None:
                return retried
            error = again or error

    async def settle(messages: list[tuple[bytes | None, str]]) -> list[Outcome]:
        """Process, publish and store a micro-batch. After `max_tries` failures of the whole batch,
        each message is tried alone; one that still fails is a dead letter, so one message can
        never hold up the stream (nor, read again after a restart, hold it up again)."""
        outcome, error = await tries(messages, settings.max_tries)
        if outcome is not None:
            return [outcome]
        outcomes = []
        for message in messages:
            alone, failure = (
                (None, error) if len(messages) == 1 else await tries([message], settings.max_tries)
            )
            if alone is None:
                assert failure is not None
                alone = await dead_letter(message, failure)
            outcomes.append(alone)
        return outcomes

    # The campaign lists are cut on their own thread: a cut reads every event in the segment
    # windows, and the next micro-batch must not wait behind it.
    lists_thread = OwnThread("buysignal-lists")
    app.buysignal_lists_thread = lists_thread  # type: ignore[attr-defined]

    def lists_refreshed(done: asyncio.Future[Any]) -> None:
        exc = None if done.cancelled() else done.exception()
        if exc is not None:  # the lists are redone after the next batch, or at the stop
            log.error("stream: campaign lists not refreshed (%s: %s)", type(exc).__name__, exc)

    @app.agent(raw, name=f"{settings.app_id}.process")
    async def process_documents(stream: Any) -> None:
        refreshing: asyncio.Future[Any] | None = None
        async for events in stream.take_events(settings.batch_size, within=settings.batch_within):
            messages = [
                (e.message.value, f"partition {e.message.partition} offset {e.message.offset}")
                for e in events
            ]
            try:
                outcomes = await settle(messages)
            except BaseException as exc:
                # Stopped before it was stored: keep Faust from acking these when `take_events`
                # unwinds (it acks in a `finally`), so their offsets are never committed and they
                # are read again.
                for e in events:
                    e.message.acked = True
                if isinstance(exc, Stopping):
                    log.warning(
                        "stream: stopping; %d message(s) in hand are read again at the next start",
                        len(events),
                    )
                    return
                raise
            counts.batches += 1
            for outcome in outcomes:
                counts.documents += len(outcome.batch.documents)
                counts.events += len(outcome.batch.events)
                counts.alerts += len(outcome.published_alerts)
                counts.dead_letters += len(outcome.batch.dead_letters)
            log.info("stream: %s", counts.line())
            if processor.lists_stale and (refreshing is None or refreshing.done()):
                refreshing = asyncio.get_running_loop().run_in_executor(
                    lists_thread, processor.refresh_campaign_lists
                )
                refreshing.add_done_callback(lists_refreshed)

    app.buysignal_agent = process_documents  # type: ignore[attr-defined]

    # Alerts go out on their own thread, so a slow webhook never holds up the documents.
    delivery_executor = OwnThread("buysignal-delivery")
    app.buysignal_delivery_thread = delivery_executor  # type: ignore[attr-defined]

    @app.timer(interval=settings.deliver_every)
    async def deliver_alerts() -> None:
        await asyncio.get_running_loop().run_in_executor(delivery_executor, processor.deliver_due)

    if settings.poll:
        from pipelines.runners.stream.poller import FeedPoller

        poller = FeedPoller(processor.cfg, processor.store)
        # Its own thread: a poll waits on feeds (up to each one's deadline), and documents already
        # published must not wait behind it.
        poll_thread = OwnThread("buysignal-poll")
        app.buysignal_poll_thread = poll_thread  # type: ignore[attr-defined]

        @app.task
        async def poll_feeds() -> None:
            loop = asyncio.get_running_loop()
            while not app.should_stop:
                try:
                    fresh, dead = await loop.run_in_executor(poll_thread, poller.poll)
                    futures = [
                        await raw.send(key=doc.id.encode(), value=doc.to_json().encode()) for doc in fresh
                    ]
                    futures += [
                        await out[topics.dead_letters].send(key=d.id.encode(), value=d.to_json().encode())
                        for d in dead
                    ]
                    await asyncio.gather(*futures)
                    await loop.run_in_executor(poll_thread, poller.remember, fresh)
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
        # The poller and the sender only fetch and send: what they were doing is done again next
        # time (conditional GET, pending deliveries), so they are not waited for. The core thread
        # may be writing: it gets STOP_GRACE seconds.
        for thread in (getattr(app, "buysignal_poll_thread", None), app.buysignal_delivery_thread):
            if thread is not None:
                thread.shutdown(wait=False, cancel_futures=True)
        app.buysignal_executor.shutdown(cancel_futures=True, timeout=STOP_GRACE)
        app.buysignal_lists_thread.shutdown(cancel_futures=True, timeout=STOP_GRACE)
        if app.buysignal_executor.busy or app.buysignal_lists_thread.busy:
            log.warning(
                "stream: a store call still runs after %.0fs; leaving it (its batch was not acked and "
                "is read again at the next start)",
                STOP_GRACE,
            )
        else:
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
