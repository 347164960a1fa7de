"""The batch runner: the core step as an Apache Beam pipeline.

DirectRunner on one machine by default; any other runner (Flink, Spark, Dataflow) takes the same
pipeline with its own options (`[beam] runner` and `options` in the config, or extra command-line
flags). The configured sources are read by the driver first (`read_sources`), so feed state for
conditional GET is committed only once the whole run has succeeded: a failed run re-fetches the same
entries next time instead of getting "304 Not Modified" for entries it never processed. The pipeline
then detects, deduplicates, matches and writes to the store from a DoFn that writes in batches;
campaign lists are cut from the store afterwards, so they cover every stored event in each segment's
window, not only this run's.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import (
    PipelineOptions,
    PortableOptions,
    SetupOptions,
    StandardOptions,
)

from pipelines.config import Config, SourceConfig
from pipelines.core import ProcessSettings, TriggerProcessor, Version, fold_versions, restate
from pipelines.core.dedup import dedup_key
from pipelines.runners import plugins
from schemas import DeadLetter, Document, FeedState, JobChange, Match, TriggerEvent
from schemas.errors import ConfigError
from sinks.base import Batch
from sinks.store import Store
from sources.base import FeedStateStore, storable

log = logging.getLogger(__name__)
NAMESPACE = "buysignal"
DEAD = "dead_letters"


def build_source(spec: SourceConfig, cfg_base_dir: str, store: FeedStateStore | None) -> Any:
    """A configured source, constructed from its registered class and its config keys; keys the
    source doesn't take are a ConfigError naming the source."""
    cls = plugins.load("buysignal.sources", spec.type)
    kwargs = dict(spec.model_extra or {})
    base = Config(base_dir=cfg_base_dir)
    for key in ("path", "feeds", "paths", "files", "tickers_file"):
        if key in kwargs:
            value = kwargs[key]
            kwargs[key] = (
                [base.input_path(v) for v in value] if isinstance(value, list) else base.input_path(value)
            )
    if spec.type in ("rss", "sec_edgar"):
        kwargs.setdefault("source_name", spec.name)
        if store is not None:
            kwargs.setdefault("state", store)
    try:
        return cls(**kwargs)
    except TypeError as exc:
        label = f"[[sources]] type = {spec.type!r}" + (f", name = {spec.name!r}" if spec.name else "")
        given = ", ".join(sorted(spec.model_extra or {})) or "none"
        raise ConfigError(f"{label}: {exc} (keys given: {given}); see the README for its keys") from exc


@dataclass
class SourceRead:
    """What the configured sources gave: documents (one per id), job changes and dead letters."""

    documents: list[Document] = field(default_factory=list)
    job_changes: list[JobChange] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the sources found worth telling a person


class PendingFeedState:
    """Feed state as sources see it during a run: reads from the store, writes held back until
    `commit`, which the run calls only after everything it read is processed and stored."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.pending: dict[str, FeedState] = {}

    def get_feed_state(self, url: str) -> FeedState | None:
        return self.pending.get(url) or self.store.get_feed_state(url)

    def set_feed_state(self, state: FeedState) -> None:
        self.pending[state.url] = state

    def commit(self) -> None:
        for state in self.pending.values():
            self.store.set_feed_state(state)
        self.pending.clear()


def read_sources(cfg: Config, state: FeedStateStore | None) -> SourceRead:
    """Read every configured source, in config order. A document id seen twice (the same article
    in two feeds) is kept once, the first; every source is built before any is read, so a config
    mistake stops the run before it starts."""
    sources = [build_source(spec, cfg.base_dir, state) for spec in cfg.sources]
    read = SourceRead()
    seen: set[str] = set()
    for spec, source in zip(cfg.sources, sources, strict=True):
        label = f"{spec.type}:{spec.name}" if spec.name else spec.type
        for item in storable(source.read(), label):
            if isinstance(item, Document):
                if item.id not in seen:
                    seen.add(item.id)
                    read.documents.append(item)
            elif isinstance(item, JobChange):
                read.job_changes.append(item)
            elif isinstance(item, DeadLetter):
                read.dead_letters.append(item)
        read.notes.extend(getattr(source, "notes", ()))
    return read


class _WithProcessor(beam.DoFn):
    def __init__(self, settings: ProcessSettings) -> None:
        self.settings = settings

    def setup(self) -> None:
        self.processor = TriggerProcessor(self.settings).setup()


class DetectTriggers(_WithProcessor):
    """spaCy over documents, batched: Beam hands us batches via BatchElements upstream."""

    def process(self, docs: Sequence[Document]) -> Iterator[Any]:
        counter = Metrics.counter(NAMESPACE, "events")
        for _doc, events in self.processor.reports(docs):
            counter.inc(len(events))
            yield from events
        yield from _dead_letters(self.processor)


class JobChangeTriggers(_WithProcessor):
    def process(self, change: JobChange) -> Iterator[Any]:
        yield from self.processor.job_change_events_or_refuse(change)
        yield from _dead_letters(self.processor)


def _dead_letters(processor: TriggerProcessor) -> Iterator[Any]:
    """The records the core step failed on, counted and tagged for the store."""
    for dead in processor.drain_dead_letters():
        Metrics.counter(NAMESPACE, "dead_letters").inc()
        yield beam.pvalue.TaggedOutput(DEAD, dead)


def restate_id(element: tuple[str, dict[str, list[TriggerEvent]]]) -> Version:
    """The core's `restate` on one event id's reports and stored copy, as CoGroupByKey hands them."""
    _, found = element
    stored = found["stored"]
    return restate(found["reports"], stored[0] if stored else None)


class FoldReports(beam.DoFn):
    """The core's `fold_versions` on the versions that share a dedup key: one event per real-world
    event, across outlets and across runs."""

    def __init__(self, window_days: int) -> None:
        self.window_days = window_days

    def process(self, element: tuple[str, Any]) -> Iterator[Any]:
        key, versions = element
        try:
            folded = list(fold_versions(versions, self.window_days))
        except Exception as exc:  # the reports of one real-world event are theirs alone
            for version in versions:
                Metrics.counter(NAMESPACE, "dead_letters").inc()
                yield beam.pvalue.TaggedOutput(
                    DEAD,
                    DeadLetter.of(
                        "trigger",
                        "pipelines:dedup",
                        f"pipelines:dedup: event {version.event.event_id} (key {key}) could not be merged "
                        f"with its other reports: {type(exc).__name__}: {exc}",
                        version.event.to_json(),
                    ),
                )
            return
        yield from folded


class MatchAccounts(_WithProcessor):
    def process(self, event: TriggerEvent) -> Iterator[Any]:
        match = self.processor.match_or_refuse(event)
        if match is None:  # matching failed on this event: it is a dead letter, not stored half-done
            yield from _dead_letters(self.processor)
            return
        Metrics.counter(NAMESPACE, "matched" if match.account_id else "unmatched").inc()
        Metrics.counter(NAMESPACE, f"type:{event.type}").inc()
        yield event
        yield beam.pvalue.TaggedOutput("matches", match)


class WriteToStore(beam.DoFn):
    """Idempotent upserts into the store, a bundle at a time."""

    def __init__(self, store_url: str, flush_every: int = 500) -> None:
        self.store_url = store_url
        self.flush_every = flush_every

    def setup(self) -> None:
        self.store = Store(self.store_url)

    def start_bundle(self) -> None:
        self._pending: dict[str, list[Any]] = {"documents": [], "events": [], "matches": [], "dead": []}
        self._size = 0

    def process(self, record: Any) -> None:
        kind = (
            "documents"
            if isinstance(record, Document)
            else "events"
            if isinstance(record, TriggerEvent)
            else "matches"
            if isinstance(record, Match)
            else "dead"
        )
        self._pending[kind].append(record)
        self._size += 1
        if self._size >= self.flush_every:
            self._flush()

    def _flush(self) -> None:
        p = self._pending
        if self._size:
            refused = self.store.store_batch(
                Batch(
                    documents=p["documents"], events=p["events"], matches=p["matches"], dead_letters=p["dead"]
                )
            )
            if refused:  # rows the database would not take: kept as dead letters, counted here
                Metrics.counter(NAMESPACE, "dead_letters").inc(len(refused))
        self.start_bundle()

    def finish_bundle(self) -> None:
        self._flush()

    def teardown(self) -> None:
        self.store.close()


@dataclass
class RunCounts:
    documents: int = 0
    events: int = 0
    matched: int = 0
    unmatched: int = 0
    dead_letters: int = 0
    extra: dict[str, int] = field(default_factory=dict)


def pipeline_options(cfg: Config, extra_args: Sequence[str] = ()) -> PipelineOptions:
    """Beam options: the config's runner and options, then anything given on the command line."""
    opts = PipelineOptions([f"--runner={cfg.beam.runner}", *cfg.beam.options, *extra_args])
    opts.view_as(SetupOptions).save_main_session = False
    if opts.view_as(StandardOptions).runner in (None, "DirectRunner"):
        opts.view_as(StandardOptions).runner = "DirectRunner"
    return opts


DISTRIBUTABLE_STORES = ("postgresql", "mysql", "mariadb")
LOCAL_RUNNERS = ("DirectRunner", "BundleBasedDirectRunner", "SwitchingDirectRunner", "PrismRunner")


def check_runner_and_store(cfg: Config, options: PipelineOptions) -> None:
    """A SQLite file lives on one machine: on a distributed runner each worker would write its own
    copy and the run would look empty. Say so before anything runs."""
    runner = options.view_as(StandardOptions).runner or "DirectRunner"
    name = runner if isinstance(runner, str) else type(runner).__name__
    # LOOPBACK: a portable runner's workers run in this very process (a local Flink, say).
    in_process = (options.view_as(PortableOptions).environment_type or "").upper() == "LOOPBACK"
    if name not in LOCAL_RUNNERS and not in_process and cfg.store.url.startswith("sqlite"):
        raise ConfigError(
            f"the {name} runs on other machines, but the store is a SQLite file ({cfg.store.url}); "
            "set [store] url (or BUYSIGNAL_DB_URL) to a PostgreSQL database the workers can reach"
        )


def run_batch(
    cfg: Config,
    settings: ProcessSettings,
    known_events: Sequence[TriggerEvent],
    read: SourceRead,
    extra_events: Sequence[TriggerEvent] = (),
    extra_args: Sequence[str] = (),
) -> RunCounts:
    """Build and run the Beam pipeline over what the sources gave; returns what it counted."""
    options = pipeline_options(cfg, extra_args)
    with beam.Pipeline(options=options) as p:
        docs = p | "Documents" >> beam.Create(read.documents)
        found = (
            docs
            | "Batch" >> beam.BatchElements(min_batch_size=32, max_batch_size=512)
            | "Detect" >> beam.ParDo(DetectTriggers(settings)).with_outputs(DEAD, main="events")
        )
        moved = (
            p
            | "JobChanges" >> beam.Create(read.job_changes)
            | beam.ParDo(JobChangeTriggers(settings)).with_outputs(DEAD, main="events")
        )
        seeded = p | "History" >> beam.Create(list(extra_events))
        reports = (found.events, moved.events, seeded) | "AllEvents" >> beam.Flatten()
        stored = p | "Known" >> beam.Create(list(known_events))
        merged = (
            {
                "reports": reports | "ReportsById" >> beam.Map(lambda e: (e.event_id, e)),
                "stored": stored | "StoredById" >> beam.Map(lambda e: (e.event_id, e)),
            }
            | "ById" >> beam.CoGroupByKey()
            | "Restate" >> beam.Map(restate_id)
            | "Key" >> beam.Map(lambda v: (dedup_key(v.event), v))
            | "ByKey" >> beam.GroupByKey()
            | "Fold" >> beam.ParDo(FoldReports(settings.dedup_days)).with_outputs(DEAD, main="events")
        )
        matched = merged.events | "Match" >> beam.ParDo(MatchAccounts(settings)).with_outputs(
            "matches", DEAD, main="events"
        )
        (
            (docs, matched.events, matched.matches, found[DEAD], moved[DEAD], merged[DEAD], matched[DEAD])
            | "ToStore" >> beam.Flatten()
            | "Write" >> beam.ParDo(WriteToStore(cfg.store.url))
        )
    result = p.result
    counts = RunCounts(documents=len(read.documents), dead_letters=len(read.dead_letters))
    for metric in result.metrics().query(MetricsFilter().with_namespace(NAMESPACE))["counters"]:
        name = metric.key.metric.name
        value = int(metric.committed or 0)
        if hasattr(counts, name) and name != "extra":
            setattr(counts, name, getattr(counts, name) + value)
        else:
            counts.extra[name] = counts.extra.get(name, 0) + value
    return counts
