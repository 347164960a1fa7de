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

import hashlib
import logging
import os
import pickle
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import apache_beam as beam
import numpy as np
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import (
    GoogleCloudOptions,
    PipelineOptions,
    PortableOptions,
    SetupOptions,
    StandardOptions,
)

from pipelines.config import Config, SourceConfig
from pipelines.core import (
    ProcessSettings,
    TriggerProcessor,
    Version,
    fold_versions,
    restate,
)
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
LEDGER = "ledger"


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


class SeenIds:
    """The document ids a run has read, so a document in two sources (or twice in one) is processed
    once, the first time. Kept as 16-byte digests in one sorted array, checked a chunk at a time: a
    million ids cost 16 MB, where a set of the ids themselves would cost over a hundred."""

    def __init__(self) -> None:
        self._seen = np.empty(0, dtype="S16")

    @staticmethod
    def _digest(doc_id: str) -> bytes:
        return hashlib.blake2b(doc_id.encode("utf-8"), digest_size=16).digest()

    def first_reads(self, documents: Sequence[Document]) -> list[Document]:
        """The documents whose ids were not read before (nor earlier in `documents`); remembers them."""
        if not documents:
            return []
        digests = np.array([self._digest(d.id) for d in documents], dtype="S16")
        fresh = np.ones(len(documents), dtype=bool)
        if self._seen.size:
            at = np.searchsorted(self._seen, digests).clip(max=self._seen.size - 1)
            fresh &= self._seen[at] != digests
        _, first = np.unique(digests, return_index=True)  # the first of repeats within the chunk
        once = np.zeros(len(documents), dtype=bool)
        once[first] = True
        fresh &= once
        self._seen = np.union1d(self._seen, digests[fresh])
        return [doc for doc, keep in zip(documents, fresh, strict=True) if keep]

    def __len__(self) -> int:
        return int(self._seen.size)


@dataclass
class Chunk:
    """One chunk of a run's input. Its documents are staged as a JSON Lines file that the pipeline
    reads (`path`), so neither the driver nor the pipeline graph holds them; the job changes and the
    dead letters read beside them are few and ride along."""

    path: str | None = None
    documents: int = 0
    job_changes: list[JobChange] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)

    def read_documents(self) -> Iterator[Document]:
        """The staged documents (tests, small runs)."""
        if self.path is None:
            return
        with FileSystems.open(self.path) as fh:
            for line in fh:
                yield Document.model_validate_json(line)


class SourceReader:
    """The configured sources, read lazily in config order and handed out in chunks of at most
    `size` documents, each staged in `stage_dir` (a local folder, or the `--temp_location` a
    distributed runner's workers can read), so a run holds none of its input in memory however
    big it is. A document id seen twice (the same article in two feeds) is kept once, the first.
    Every source is built here, before any is read, so a config mistake stops the run before it
    starts. Use it as a context manager: the staged files go when it closes."""

    BUFFER = 1_000  # documents checked against the ids read so far at once

    def __init__(self, cfg: Config, state: FeedStateStore | None, stage_dir: str | None = None) -> None:
        self.specs = list(cfg.sources)
        self.sources = [build_source(spec, cfg.base_dir, state) for spec in cfg.sources]
        self.notes: list[str] = []  # what the sources found worth telling a person, once read
        self.seen = SeenIds()
        self.duplicates = 0
        self._own_dir = stage_dir is None
        self.stage_dir = stage_dir or tempfile.mkdtemp(prefix="buysignal-run-")
        self._staged = 0

    def __enter__(self) -> SourceReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove what was staged (the whole folder when the reader made it)."""
        if self._own_dir:
            shutil.rmtree(self.stage_dir, ignore_errors=True)

    def fraction_read(self) -> float | None:
        """How far through their input the sources are (0..1), when the sources that hold most of it
        can tell (a documents file can; a feed is small and read at once); None otherwise."""
        known = [
            f for f in (getattr(s, "fraction_read", lambda: None)() for s in self.sources) if f is not None
        ]
        return sum(known) / len(known) if known else None

    def chunks(self, size: int) -> Iterator[Chunk]:
        """The input in chunks of at most `size` documents (job changes and dead letters ride with
        the documents read beside them); at least one chunk, maybe empty. A chunk's staged file is
        removed when the next chunk is asked for."""
        chunk = Chunk()
        writer: Any = None
        buffer: list[Document] = []
        sent = False

        def flush() -> None:
            nonlocal writer
            for doc in self._first_reads(buffer):
                if writer is None:
                    chunk.path = FileSystems.join(self.stage_dir, f"chunk-{self._staged:06d}.jsonl")
                    self._staged += 1
                    writer = FileSystems.create(chunk.path)
                writer.write(doc.to_json().encode("utf-8") + b"\n")
                chunk.documents += 1
            buffer.clear()

        def done() -> Chunk:
            nonlocal writer, chunk
            flush()
            if writer is not None:
                writer.close()
                writer = None
            finished, chunk = chunk, Chunk()
            return finished

        for spec, source in zip(self.specs, self.sources, strict=True):
            label = f"{spec.type}:{spec.name}" if spec.name else spec.type
            for item in storable(source.read(), label):
                if isinstance(item, Document):
                    buffer.append(item)
                    if len(buffer) >= self.BUFFER or chunk.documents + len(buffer) >= size:
                        flush()
                elif isinstance(item, JobChange):
                    chunk.job_changes.append(item)
                elif isinstance(item, DeadLetter):
                    chunk.dead_letters.append(item)
                if chunk.documents >= size:
                    finished = done()
                    yield finished
                    sent = True
                    self._remove(finished)
            self.notes.extend(getattr(source, "notes", ()))
        last = done()
        if last.documents or last.job_changes or last.dead_letters or not sent:
            yield last
            self._remove(last)

    def _remove(self, chunk: Chunk) -> None:
        if chunk.path is not None:
            FileSystems.delete([chunk.path])

    def _first_reads(self, documents: list[Document]) -> list[Document]:
        fresh = self.seen.first_reads(documents)
        self.duplicates += len(documents) - len(fresh)
        return fresh


def read_sources(cfg: Config, state: FeedStateStore | None) -> SourceRead:
    """Every configured source, read in one go (small inputs, tests): the chunks of `SourceReader`
    put together."""
    read = SourceRead()
    with SourceReader(cfg, state) as reader:
        for chunk in reader.chunks(size=1 << 62):
            read.documents += list(chunk.read_documents())
            read.job_changes += chunk.job_changes
            read.dead_letters += chunk.dead_letters
        read.notes = list(reader.notes)
    return read


# One core step per worker process (per thread under Beam's multi_threading mode): the DoFns of a
# run, and of every chunk's pipeline in it, share it instead of loading spaCy and the account index
# each. It is rebuilt from the settings alone, so a distributed worker makes its own the same way.
_PROCESSORS: dict[tuple[bytes, int], TriggerProcessor] = {}
_PROCESSORS_LOCK = threading.Lock()


def _file_stamp(path: str | None) -> tuple[str, int, int] | None:
    if not path:
        return None
    try:
        info = os.stat(path)
    except OSError:
        return (path, -1, -1)
    return (path, info.st_size, info.st_mtime_ns)


def shared_processor(settings: ProcessSettings) -> TriggerProcessor:
    """The core step for these settings in this process and thread, set up on first use. The CRM
    files' size and time are part of the key, so an export changed between two runs of one process
    (a scheduler) is read again."""
    stamps = tuple(
        _file_stamp(p) for p in (settings.accounts_path, settings.contacts_path, settings.aliases_path)
    )
    key = (pickle.dumps((settings, stamps)), threading.get_ident())
    with _PROCESSORS_LOCK:
        processor = _PROCESSORS.get(key)
    if processor is None:
        processor = TriggerProcessor(settings).setup()
        with _PROCESSORS_LOCK:
            # Only the newest settings stay (a long-lived process must not keep one per run).
            for stale in [k for k in _PROCESSORS if k[1] == key[1]]:
                del _PROCESSORS[stale]
            _PROCESSORS[key] = processor
    return processor


class _WithProcessor(beam.DoFn):
    def __init__(self, settings: ProcessSettings) -> None:
        self.settings = settings

    def setup(self) -> None:
        self.processor = shared_processor(self.settings)


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


# (dedup key, event id, published_at) of one report: what the store is asked about.
Probe = tuple[str, str, datetime | None]
# (dedup keys, event ids, earliest and latest date) of a chunk's reports.
ProbeSummary = tuple[set[str], set[str], datetime | None, datetime | None]


def probe(event: TriggerEvent) -> Probe:
    return dedup_key(event), event.event_id, event.published_at


class SummariseProbes(beam.CombineFn):  # type: ignore[misc]
    """The dedup keys, event ids and date range of all of a chunk's reports, in one element."""

    def create_accumulator(self) -> ProbeSummary:
        return set(), set(), None, None

    def add_input(self, acc: ProbeSummary, item: Probe) -> ProbeSummary:
        keys, ids, lo, hi = acc
        key, event_id, when = item
        keys.add(key)
        ids.add(event_id)
        if when is not None:
            lo = when if lo is None else min(lo, when)
            hi = when if hi is None else max(hi, when)
        return keys, ids, lo, hi

    def merge_accumulators(self, accs: Iterable[ProbeSummary]) -> ProbeSummary:
        out = self.create_accumulator()
        for keys, ids, lo, hi in accs:
            out[0].update(keys)
            out[1].update(ids)
            dates = [d for d in (out[2], out[3], lo, hi) if d is not None]
            out = (out[0], out[1], min(dates) if dates else None, max(dates) if dates else None)
        return out

    def extract_output(self, acc: ProbeSummary) -> ProbeSummary:
        return acc


class LookupStored(beam.DoFn):
    """The stored events a chunk's reports can fold into, read from the store by the worker: the
    stored copies of the reported event ids, and the events published within the dedup window of
    the reports that share a dedup key with one. Nothing comes from the driver, and a chunk reads
    the few events it needs, not every event of the window."""

    def __init__(self, store_url: str, window_days: int) -> None:
        self.store_url = store_url
        self.window_days = window_days

    def setup(self) -> None:
        self.store = Store(self.store_url, migrate=False)

    def process(self, summary: ProbeSummary) -> Iterator[TriggerEvent]:
        keys, ids, lo, hi = summary
        if not ids:
            return
        copies = self.store.events_by_id(ids)
        yield from copies
        # A stored copy's key counts too: the copy may be the version that stays.
        keys = keys | {dedup_key(e) for e in copies}
        if lo is None or hi is None:
            return
        # a day's margin beyond the window: a report's date may differ from its document's
        margin = timedelta(days=max(self.window_days, 1) + 1)
        others = {
            row.event_id
            for row in self.store.event_fold_fields(lo - margin, hi + margin)
            if row.event_id not in ids and dedup_key(row) in keys
        }
        yield from self.store.events_by_id(others)

    def teardown(self) -> None:
        self.store.close()


def restate_id(element: tuple[str, dict[str, list[TriggerEvent]]]) -> Version:
    """The core's `restate` on one event id's reports and stored copy, as CoGroupByKey hands them."""
    _, found = element
    stored = found["stored"]
    return restate(found["reports"], stored[0] if stored else None)


class FoldReports(beam.DoFn):
    """The core's `fold_versions` on the versions that share a dedup key: one event per real-world
    event, across outlets, chunks and runs. Each event also goes to the run's ledger, marked new
    when no stored event was folded into it."""

    def __init__(self, window_days: int) -> None:
        self.window_days = window_days

    def process(self, element: tuple[str, Any]) -> Iterator[Any]:
        key, versions = element
        versions = list(versions)
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
        stored = {v.event.event_id for v in versions if v.stored}
        for event in folded:
            yield event
            yield beam.pvalue.TaggedOutput(LEDGER, (event.event_id, event.event_id not in stored))


class MatchAccounts(_WithProcessor):
    def process(self, event: TriggerEvent) -> Iterator[Any]:
        match = self.processor.match_or_refuse(event)
        if match is None:  # matching failed on this event: it is a dead letter, not stored half-done
            yield from _dead_letters(self.processor)
            return
        yield event
        yield beam.pvalue.TaggedOutput("matches", match)


class WriteToStore(beam.DoFn):
    """Idempotent upserts into the store, a bundle at a time, and the run's ledger of the events
    it wrote (`run_id`; none, no ledger)."""

    def __init__(self, store_url: str, run_id: str | None = None, flush_every: int = 2000) -> None:
        self.store_url = store_url
        self.run_id = run_id
        self.flush_every = flush_every

    def setup(self) -> None:
        self.store = Store(self.store_url, migrate=False)

    def start_bundle(self) -> None:
        self._pending: dict[str, list[Any]] = {
            "documents": [],
            "events": [],
            "matches": [],
            "dead": [],
            "ledger": [],
        }
        self._size = 0

    def process(self, record: Any) -> None:
        kind = (
            "documents"
            if isinstance(record, Document)
            else "events"
            if isinstance(record, TriggerEvent)
            else "matches"
            if isinstance(record, Match)
            else "ledger"
            if isinstance(record, tuple)
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
            if self.run_id is not None:
                self.store.record_run_events(self.run_id, p["ledger"])
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

    def add(self, other: RunCounts) -> None:
        """Count another chunk of the run in."""
        self.documents += other.documents
        self.events += other.events
        self.matched += other.matched
        self.unmatched += other.unmatched
        self.dead_letters += other.dead_letters
        for name, value in other.extra.items():
            self.extra[name] = self.extra.get(name, 0) + value


def pipeline_options(cfg: Config, extra_args: Sequence[str] = ()) -> PipelineOptions:
    """Beam options: the config's runner and options, then anything given on the command line."""
    opts = PipelineOptions([f"--runner={cfg.beam.runner}", *cfg.beam.options, *extra_args])
    opts.view_as(SetupOptions).save_main_session = False
    if opts.view_as(StandardOptions).runner in (None, "DirectRunner"):
        opts.view_as(StandardOptions).runner = "DirectRunner"
    return opts


DISTRIBUTABLE_STORES = ("postgresql", "mysql", "mariadb")
LOCAL_RUNNERS = ("DirectRunner", "BundleBasedDirectRunner", "SwitchingDirectRunner", "PrismRunner")


def runs_here(options: PipelineOptions) -> bool:
    """Whether the pipeline's workers run on this machine (the DirectRunner, in one process or in
    several; a portable runner with LOOPBACK workers), so they can read its files."""
    runner = options.view_as(StandardOptions).runner or "DirectRunner"
    name = runner if isinstance(runner, str) else type(runner).__name__
    # LOOPBACK: a portable runner's workers run in this very process (a local Flink, say).
    in_process = (options.view_as(PortableOptions).environment_type or "").upper() == "LOOPBACK"
    return name in LOCAL_RUNNERS or in_process


def check_runner_and_store(cfg: Config, options: PipelineOptions) -> None:
    """A SQLite file lives on one machine: on a distributed runner each worker would write its own
    copy and the run would look empty. Say so before anything runs. The same for where the input
    is staged: the workers must be able to read it."""
    runner = options.view_as(StandardOptions).runner or "DirectRunner"
    name = runner if isinstance(runner, str) else type(runner).__name__
    if not runs_here(options) and cfg.store.url.startswith("sqlite"):
        raise ConfigError(
            f"the {name} runs on other machines, but the store is a SQLite file ({cfg.store.url}); "
            "set [store] url (or BUYSIGNAL_DB_URL) to a PostgreSQL database the workers can reach"
        )
    stage_dir(options, run_id="check")


def stage_dir(options: PipelineOptions, run_id: str) -> str | None:
    """Where a run stages its chunks of input for the workers: None (a private local folder) when
    they run here, else under the pipeline's `--temp_location` (gs://, s3://, a shared folder)."""
    if runs_here(options):
        return None
    temp = options.view_as(GoogleCloudOptions).temp_location
    if not temp:
        runner = options.view_as(StandardOptions).runner
        raise ConfigError(
            f"the {runner} runs on other machines and reads the run's input from files staged for it; "
            "pass --temp_location (or [beam] options) with a location every worker can read, "
            "e.g. gs://my-bucket/tmp"
        )
    return FileSystems.join(temp, f"buysignal-run-{run_id}")


def run_batch(
    cfg: Config,
    settings: ProcessSettings,
    read: Chunk,
    *,
    run_id: str | None = None,
    extra_events: Sequence[TriggerEvent] = (),
    extra_args: Sequence[str] = (),
) -> RunCounts:
    """Build and run the Beam pipeline over one chunk of what the sources gave; returns what it
    counted (documents, reports, dead letters; the run counts its events from its ledger)."""
    options = pipeline_options(cfg, extra_args)
    window = settings.dedup_days
    with beam.Pipeline(options=options) as p:
        if read.path is None:
            docs = p | "Documents" >> beam.Create([])
        else:
            docs = (
                p
                | "Documents" >> beam.io.ReadFromText(read.path)
                | "Parse" >> beam.Map(Document.model_validate_json)
            )
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
        stored = (
            reports
            | "Probe" >> beam.Map(probe)
            | "Summarise" >> beam.CombineGlobally(SummariseProbes())
            | "LookupStored" >> beam.ParDo(LookupStored(cfg.store.url, window))
        )
        merged = (
            {
                "reports": reports | "ReportsById" >> beam.Map(lambda e: (e.event_id, e)),
                "stored": stored | "StoredById" >> beam.Map(lambda e: (e.event_id, e)),
            }
            | "ById" >> beam.CoGroupByKey()
            | "Restate" >> beam.Map(restate_id)
            | "Key" >> beam.Map(lambda v: (dedup_key(v.event), v))
            | "ByKey" >> beam.GroupByKey()
            | "Fold" >> beam.ParDo(FoldReports(window)).with_outputs(DEAD, LEDGER, main="events")
        )
        matched = merged.events | "Match" >> beam.ParDo(MatchAccounts(settings)).with_outputs(
            "matches", DEAD, main="events"
        )
        (
            (
                docs,
                matched.events,
                matched.matches,
                found[DEAD],
                moved[DEAD],
                merged[DEAD],
                matched[DEAD],
                merged[LEDGER],
            )
            | "ToStore" >> beam.Flatten()
            | "Write" >> beam.ParDo(WriteToStore(cfg.store.url, run_id))
        )
    result = p.result
    counts = RunCounts(documents=read.documents, dead_letters=len(read.dead_letters))
    for metric in result.metrics().query(MetricsFilter().with_namespace(NAMESPACE))["counters"]:
        name = metric.key.metric.name
        value = int(metric.committed or 0)
        if hasattr(counts, name) and name != "extra":
            setattr(counts, name, getattr(counts, name) + value)
        else:
            counts.extra[name] = counts.extra.get(name, 0) + value
    return counts
