"""Streaming latency and throughput: from producing a Document to its alert on the alerts topic.

Runs the bundled broker and a `buysignal stream` worker process on this machine, then:
- latency p50 / p99 at 50 and at 500 documents per second (target: p99 <= 1 s at 50/s);
- the maximum sustained throughput (a backlog drained as fast as the worker can);
and prints them beside baselines measured in the same run: the broker's own produce -> consume
latency (what Kafka costs before any processing) and the core step's in-process throughput (what
spaCy and the matcher cost without Kafka and the store).

Every document names a different made-up company that is in the generated CRM export, so each one
yields a new matched event, hence exactly one alert. Run: `.venv/bin/python benchmarks/bench_stream.py`
(`--quick` for a shorter run).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipelines.runners.stream.broker import EmbeddedBroker  # noqa: E402
from pipelines.runners.stream.producer import ensure_topics  # noqa: E402
from schemas import Document  # noqa: E402

FIRST = ["Amber", "Birch", "Cinder", "Delta", "Ember", "Fjord", "Granite", "Harbor", "Indigo", "Juniper",
         "Kestrel", "Lumen", "Maple", "Nimbus", "Onyx", "Pillar", "Quartz", "Raven", "Sable", "Tundra",
         "Umber", "Vesper", "Willow", "Xenon", "Yarrow", "Zephyr", "Aspen", "Basalt", "Cobalt", "Dune"]  # fmt: skip
SECOND = ["Forge", "Works", "Labs", "Grid", "Loop", "Peak", "Field", "Stack", "Wave", "Bridge",
          "Harvest", "Signal", "Vault", "Orbit", "Crest", "Point", "Stone", "Line", "Path", "Gate"]  # fmt: skip
THIRD = ["Robotics", "Health", "Systems", "Analytics", "Payments", "Energy", "Logistics", "Security"]
ROUNDS = ["Seed", "Series A", "Series B", "Series C"]
# The bench's own consumers poll often: the bundled broker holds a fetch for its whole wait, and the
# bench must time the worker, not itself.
FETCH_WAIT_MS = 10


ZEROTH = ["", "North "]
N_COMPANIES = len(ZEROTH) * len(FIRST) * len(SECOND) * len(THIRD)


def company(i: int) -> str:
    """The i-th made-up company: 2 x 30 x 20 x 8 = 9600 distinct names."""
    return f"{ZEROTH[i // 4800 % 2]}{FIRST[i % 30]} {SECOND[i // 30 % 20]} {THIRD[i // 600 % 8]}"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def write_config(folder: Path, n_accounts: int) -> Path:
    (folder / "accounts.csv").write_text(
        "account_id,name,domain,owner\n"
        + "".join(f"B-{i},{company(i)} Inc.,acct{i}.example,owner{i % 5}\n" for i in range(n_accounts)),
        encoding="utf-8",
    )
    config = folder / "bench.toml"
    config.write_text(
        'as_of = "2026-11-25T00:00:00Z"\n[crm]\naccounts = "accounts.csv"\n'
        '[[segments]]\nname = "funding_30d"\ntypes = ["funding_round"]\ndays = 30\n',
        encoding="utf-8",
    )
    return config


class Documents:
    """Hands out documents about companies not used yet (each yields a fresh event and alert)."""

    def __init__(self, limit: int) -> None:
        self.next = 0
        self.limit = limit
        self.start = datetime(2026, 11, 20, tzinfo=UTC)

    def take(self) -> Document:
        i = self.next
        if i >= self.limit:
            raise RuntimeError("out of distinct companies; lower the rates or durations")
        self.next += 1
        return Document(
            id=f"bench-{i}",
            title=f"{company(i)} raises ${5 + i % 50}M {ROUNDS[i % 4]} round",
            published_at=self.start + timedelta(seconds=i),
            source="bench",
        )


async def broker_baseline(bootstrap: str, topic: str, rate: float, seconds: float) -> list[float]:
    """Produce -> consume latency of the bare broker at `rate` messages per second."""
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

    await ensure_topics(bootstrap, [topic])
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="latest", fetch_max_wait_ms=FETCH_WAIT_MS
    )
    await consumer.start()
    await consumer.seek_to_end()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=0)
    await producer.start()
    n = int(rate * seconds)
    latencies: list[float] = []

    async def read() -> None:
        while len(latencies) < n:
            for records in (await consumer.getmany(timeout_ms=100)).values():
                now = time.perf_counter()
                latencies.extend(now - float(r.value) for r in records)

    reader = asyncio.create_task(read())
    t0 = time.perf_counter()
    for i in range(n):
        await asyncio.sleep(max(0.0, t0 + i / rate - time.perf_counter()))
        await producer.send(topic, str(time.perf_counter()).encode())
    await asyncio.wait_for(reader, timeout=60)
    await producer.stop()
    await consumer.stop()
    return latencies


class AlertClock:
    """Sends documents and times each one's alert."""

    def __init__(
        self, bootstrap: str, documents_topic: str, alerts_topic: str, alerting: set[str] | None = None
    ) -> None:
        self.bootstrap = bootstrap
        # The documents the core step gives an alert for: only those are timed (a document whose
        # company the detector writes short, say, is matched to no account and alerts nobody).
        self.alerting = alerting
        self.documents_topic = documents_topic
        self.alerts_topic = alerts_topic
        self.sent: dict[str, float] = {}
        self.arrived: dict[str, float] = {}

    async def __aenter__(self) -> AlertClock:
        from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

        self.consumer = AIOKafkaConsumer(
            self.alerts_topic,
            bootstrap_servers=self.bootstrap,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=FETCH_WAIT_MS,
        )
        await self.consumer.start()
        self.producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, linger_ms=0)
        await self.producer.start()
        self.reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.reader.cancel()
        await self.producer.stop()
        await self.consumer.stop()

    async def _read(self) -> None:
        while True:
            for records in (await self.consumer.getmany(timeout_ms=50)).values():
                now = time.perf_counter()
                for record in records:
                    doc_id = json.loads(record.value)["event"]["document_id"]
                    self.arrived.setdefault(doc_id, now)

    async def send(self, doc: Document) -> None:
        self.sent[doc.id] = time.perf_counter()
        await self.producer.send(self.documents_topic, doc.to_json().encode(), key=doc.id.encode())

    def timed(self, ids: list[str]) -> list[str]:
        return [i for i in ids if self.alerting is None or i in self.alerting]

    async def wait_for(self, ids: list[str], timeout: float) -> None:
        ids = self.timed(ids)
        deadline = time.perf_counter() + timeout
        while any(i not in self.arrived for i in ids):
            if time.perf_counter() > deadline:
                missing = sum(i not in self.arrived for i in ids)
                raise TimeoutError(f"{missing} of {len(ids)} alerts did not arrive within {timeout:.0f}s")
            await asyncio.sleep(0.05)

    async def at_rate(self, docs: Documents, rate: float, seconds: float) -> list[float]:
        ids = []
        t0 = time.perf_counter()
        for i in range(int(rate * seconds)):
            await asyncio.sleep(max(0.0, t0 + i / rate - time.perf_counter()))
            doc = docs.take()
            ids.append(doc.id)
            await self.send(doc)
        await self.wait_for(ids, timeout=120)
        return [self.arrived[i] - self.sent[i] for i in self.timed(ids)]

    async def backlog(self, docs: Documents, n: int) -> float:
        """Documents per second while draining `n` documents sent at once."""
        batch = [docs.take() for _ in range(n)]
        t0 = time.perf_counter()
        for doc in batch:
            await self.send(doc)
        ids = [d.id for d in batch]
        await self.wait_for(ids, timeout=600)
        return n / (max(self.arrived[i] for i in self.timed(ids)) - t0)


def core_processor(config: Path) -> Any:
    from pipelines.config import load_config, process_settings
    from pipelines.core import TriggerProcessor

    return TriggerProcessor(process_settings(load_config(config))).setup()


def alerting_documents(processor: Any, n: int, batch_size: int) -> set[str]:
    """The ids of the first `n` documents the core step gives an alert of their own for (a matched
    event, or one that enters a segment), as the worker would: an event whose dedup key another
    document's event shares may merge into that one (the detector sometimes writes a company
    short), so neither is timed."""
    from collections import Counter

    from pipelines.core.dedup import dedup_key
    from sinks.delivery.alerts import alerts_from_batch

    docs = Documents(limit=N_COMPANIES)
    items = [docs.take() for _ in range(n)]
    keys: dict[str, set[str]] = {}
    alerting: set[str] = set()
    for start in range(0, n, batch_size):
        batch = processor.process(items[start : start + batch_size])
        for event in batch.events:
            keys.setdefault(event.document_id, set()).add(dedup_key(event))
        alerting.update(a.event.document_id for a in alerts_from_batch(batch, {}) if a.actionable)
    shared = Counter(k for found in keys.values() for k in found)
    return {d for d in alerting if all(shared[k] == 1 for k in keys.get(d, ()))}


def core_throughput(processor: Any, n: int, batch_size: int) -> float:
    """Documents per second through the core step alone (no Kafka, no store)."""
    docs = Documents(limit=N_COMPANIES)
    items = [docs.take() for _ in range(n)]
    processor.process(items[:batch_size])  # warm up
    t0 = time.perf_counter()
    for start in range(0, n, batch_size):
        processor.process(items[start : start + batch_size])
    return n / (time.perf_counter() - t0)


async def measure(args: argparse.Namespace, broker: EmbeddedBroker, folder: Path, config: Path) -> None:
    prefix = "bench"
    docs_topic, alerts_topic = f"{prefix}.documents", f"{prefix}.alerts"
    seconds = 4.0 if args.quick else 10.0
    base = {r: await broker_baseline(broker.bootstrap, f"baseline-{r}", r, seconds) for r in (50, 500)}
    backlog_n = 1000 if args.quick else 3000
    processor = core_processor(config)
    used = 1 + int(50 * seconds + 500 * seconds * 0.6) + backlog_n + 100
    alerting = alerting_documents(processor, used, args.batch_size)
    print(f"{len(alerting):,} of the first {used:,} documents alert (only those are timed)")

    log = open(folder / "worker.log", "wb")  # noqa: SIM115
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    worker = subprocess.Popen(
        [sys.executable, "-m", "pipelines.commands.cli", "stream", "--config", str(config),
         "--db", f"sqlite:///{folder / 'bench.db'}", "--broker", broker.url, "--topic-prefix", prefix,
         "--batch-size", str(args.batch_size), "--batch-within", str(args.batch_within)],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=folder,
    )  # fmt: skip
    try:
        docs = Documents(limit=N_COMPANIES)
        async with AlertClock(broker.bootstrap, docs_topic, alerts_topic, alerting) as clock:
            started = time.perf_counter()
            warm = docs.take()
            while warm.id not in alerting:
                warm = docs.take()
            await clock.send(warm)
            await clock.wait_for([warm.id], timeout=180)
            print(f"worker ready (first alert) after {time.perf_counter() - started:.1f}s")
            # 500/s for less time: the companies (hence distinct alerts) are finite.
            results = {
                r: await clock.at_rate(docs, r, seconds if r == 50 else seconds * 0.6) for r in (50, 500)
            }
            throughput = await clock.backlog(docs, backlog_n)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(60)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()
    core = core_throughput(processor, 1000 if args.quick else 2000, args.batch_size)

    print("\nend-to-end latency, document produced -> alert consumed")
    print(
        f"{'rate':>8} {'n':>6} {'p50 ms':>9} {'p99 ms':>9} {'broker p50':>11} {'broker p99':>11} {'p99 ratio':>10}"
    )
    for rate, lat in results.items():
        b = base[rate]
        p50, p99 = percentile(lat, 50) * 1000, percentile(lat, 99) * 1000
        b50, b99 = percentile(b, 50) * 1000, percentile(b, 99) * 1000
        print(
            f"{rate:>6}/s {len(lat):>6} {p50:>9.1f} {p99:>9.1f} {b50:>11.1f} {b99:>11.1f} {p99 / b99:>9.1f}x"
        )
    p99_50 = percentile(results[50], 99)
    verdict = "meets" if p99_50 <= 1.0 else "MISSES"
    print(f"target p99 <= 1000 ms at 50 documents/s: {verdict} ({p99_50 * 1000:.0f} ms)")
    print(f"\nmax sustained throughput (backlog of {backlog_n}): {throughput:,.0f} documents/s")
    print(f"core step alone, in process (baseline): {core:,.0f} documents/s")
    print(
        f"streaming / core step: {throughput / core:.2f}x  (mean latency at 50/s: {statistics.mean(results[50]) * 1000:.0f} ms)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (about a minute)")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--batch-within", type=float, default=0.05)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-stream-") as tmp:
        folder = Path(tmp)
        config = write_config(folder, N_COMPANIES)
        with EmbeddedBroker() as broker:
            asyncio.run(measure(args, broker, folder, config))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
