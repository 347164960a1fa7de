"""The batch runner: the core step as an Apache Beam pipeline.

DirectRunner on one machine by default; any other runner (Flink, Spark, Dataflow) takes the same
pipeline with its own options (`[beam] runner` and `options` in the config, or extra command-line
flags). Sources are read inside the pipeline (one element per configured source), so feeds are
fetched in parallel on a distributed runner; results go to the store from a DoFn that writes in
batches, and campaign lists are cut from the store afterwards, so they cover every stored event in
each segment's window, not only this run's.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions, SetupOptions, StandardOptions

from pipelines import plugins
from pipelines.config import Config, SourceConfig
from pipelines.core import ProcessSettings, TriggerProcessor
from pipelines.dedup import dedup_key, deduplicate
from schemas import DeadLetter, Document, JobChange, Match, TriggerEvent
from sinks.base import Batch
from sinks.store import Store

log = logging.getLogger(__name__)
NAMESPACE = "buysignal"
DOCS, JOBS, DEAD = "documents", "job_changes", "dead_letters"


def build_source(spec: SourceConfig, cfg_base_dir: str, store: Store | None) -> Any:
    """A configured source, constructed from its registered class and its config keys."""
    cls = plugins.load("buysignal.sources", spec.type)
    kwargs = dict(spec.model_extra or {})
    base = Config(base_dir=cfg_base_dir)
    for key in ("path", "feeds", "paths"):
        if key in kwargs:
            value = kwargs[key]
            kwargs[key] = (
                [base.input_path(v) for v in value] if isinstance(value, list) else base.input_path(value)
            )
    if spec.type == "rss":
        kwargs.setdefault("source_name", spec.name)
        if store is not None:
            kwargs.setdefault("state", store)
    return cls(**kwargs)


class ReadSource(beam.DoFn):
    """Reads one configured source; documents, job changes and dead letters go to their outputs."""

    def __init__(self, base_dir: str, store_url: str) -> None:
        self.base_dir = base_dir
        self.store_url = store_url
        self.read_count = Metrics.counter(NAMESPACE, "documents")
        self.dead_count = Metrics.counter(NAMESPACE, "dead_letters")

    def setup(self) -> None:
        self.store = Store(self.store_url)

    def process(self, spec: SourceConfig) -> Iterator[Any]:
        source = build_source(spec, self.base_dir, self.store)
        for item in source.read():
            if isinstance(item, Document):
                self.read_count.inc()
                yield beam.pvalue.TaggedOutput(DOCS, item)
            elif isinstance(item, JobChange):
                yield beam.pvalue.TaggedOutput(JOBS, item)
            elif isinstance(item, DeadLetter):
                self.dead_count.inc()
                yield beam.pvalue.TaggedOutput(DEAD, item)

    def teardown(self) -> None:
        self.store.close()


class _WithProcessor(beam.DoFn):
    def __init__(self, settings: ProcessSettings) -> None:
        self.settings = settings

    def setup(self) -> None:
        self.processor = TriggerProcessor(self.settings).setup()


class DetectTriggers(_WithProcessor):
    """spaCy over documents, batched: Beam hands us batches via BatchElements upstream."""

    def process(self, docs: Sequence[Document]) -> Iterator[Any]:
        counter = Metrics.counter(NAMESPACE, "events")
        for doc, events in self.processor.detect(docs):
            for event in events:
                counter.inc()
                yield event
                if not doc.id.startswith("jobchange:"):
                    yield from self.processor.champions(event, doc)
        for dead in self.processor.drain_dead_letters():
            Metrics.counter(NAMESPACE, "dead_letters").inc()
            yield beam.pvalue.TaggedOutput(DEAD, dead)


class JobChangeTriggers(_WithProcessor):
    def process(self, change: JobChange) -> Iterator[TriggerEvent]:
        yield from self.processor.job_change_events(change)


class MergeReports(beam.DoFn):
    """One event per real-world event, across outlets and across runs (stored events in the window)."""

    def __init__(self, window_days: int) -> None:
        self.window_days = window_days

    def process(
        self, element: tuple[str, Any], known: dict[str, list[TriggerEvent]]
    ) -> Iterator[TriggerEvent]:
        key, group = element
        fresh = list(group)
        stored = known.get(key, [])
        seen = {e.event_id for e in fresh}
        stored_by_id = {e.event_id: e for e in stored}
        for event in deduplicate([*stored, *fresh], self.window_days, known=stored_by_id):
            # A stored event this run did not report again stays as it is.
            if event.event_id in seen or stored_by_id.get(event.event_id) != event:
                yield event


class MatchAccounts(_WithProcessor):
    def process(self, event: TriggerEvent) -> Iterator[Any]:
        match = self.processor.match(event)
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
            self.store.write(
                Batch(
                    documents=p["documents"], events=p["events"], matches=p["matches"], dead_letters=p["dead"]
                )
            )
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


def run_batch(
    cfg: Config,
    settings: ProcessSettings,
    known_events: Sequence[TriggerEvent],
    extra_events: Sequence[TriggerEvent] = (),
    extra_args: Sequence[str] = (),
) -> RunCounts:
    """Build and run the Beam pipeline; returns what it counted."""
    known: dict[str, list[TriggerEvent]] = {}
    for event in known_events:
        known.setdefault(dedup_key(event), []).append(event)
    with beam.Pipeline(options=pipeline_options(cfg, extra_args)) as p:
        read = (
            p
            | "Sources" >> beam.Create(list(cfg.sources))
            | "Read" >> beam.ParDo(ReadSource(cfg.base_dir, cfg.store.url)).with_outputs(DOCS, JOBS, DEAD)
        )
        docs = read[DOCS]
        found = (
            docs
            | "Batch" >> beam.BatchElements(min_batch_size=32, max_batch_size=512)
            | "Detect" >> beam.ParDo(DetectTriggers(settings)).with_outputs(DEAD, main="events")
        )
        moved = read[JOBS] | "JobChanges" >> beam.ParDo(JobChangeTriggers(settings))
        seeded = p | "History" >> beam.Create(list(extra_events))
        known_side = p | "Known" >> beam.Create([known])
        merged = (
            (found.events, moved, seeded)
            | "AllEvents" >> beam.Flatten()
            | "Key" >> beam.Map(lambda e: (dedup_key(e), e))
            | "Group" >> beam.GroupByKey()
            | "Dedup" >> beam.ParDo(MergeReports(settings.dedup_days), beam.pvalue.AsSingleton(known_side))
        )
        matched = merged | "Match" >> beam.ParDo(MatchAccounts(settings)).with_outputs(
            "matches", main="events"
        )
        (
            (docs, matched.events, matched.matches, read[DEAD], found[DEAD])
            | "ToStore" >> beam.Flatten()
            | "Write" >> beam.ParDo(WriteToStore(cfg.store.url))
        )
    result = p.result
    counts = RunCounts()
    for metric in result.metrics().query(MetricsFilter().with_namespace(NAMESPACE))["counters"]:
        name = metric.key.metric.name
        value = int(metric.committed or 0)
        if hasattr(counts, name) and name != "extra":
            setattr(counts, name, getattr(counts, name) + value)
        else:
            counts.extra[name] = counts.extra.get(name, 0) + value
    return counts
