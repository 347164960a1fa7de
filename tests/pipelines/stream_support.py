"""Helpers for the streaming tests: talk to the test broker, wait for the worker, run worker processes."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
STREAM_CASES = REPO / "tests" / "cases" / "stream"
# How long a test waits for the worker to reach a state before it fails (a timeout, not a speed check).
WAIT_SECONDS = 120.0


@dataclass
class KafkaBroker:
    """Where the test broker listens."""

    bootstrap: str

    @property
    def url(self) -> str:
        return f"kafka://{self.bootstrap}"


def consume(bootstrap: str, topic: str, *, at_least: int, timeout: float = WAIT_SECONDS) -> list[Any]:
    """Read `topic` from the beginning until `at_least` messages arrived (or `timeout` passed);
    returns aiokafka ConsumerRecords. No consumer group: nothing is committed."""
    from aiokafka import AIOKafkaConsumer

    async def run() -> list[Any]:
        consumer = AIOKafkaConsumer(
            topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
        )
        await consumer.start()
        got: list[Any] = []
        deadline = time.monotonic() + timeout
        try:
            while len(got) < at_least and time.monotonic() < deadline:
                batches = await consumer.getmany(timeout_ms=200)
                for records in batches.values():
                    got.extend(records)
        finally:
            await consumer.stop()
        return got

    return asyncio.run(run())


def produce_raw(bootstrap: str, topic: str, payloads: list[bytes | None]) -> None:
    """Send raw payloads (good or deliberately bad) to `topic`, in order.

    The topic is created first as the project's own producer creates it (one partition): a topic the
    broker auto-creates gets its default number of partitions, across which the worker reads in no
    set order, so "the document after X" would not be after X."""
    from aiokafka import AIOKafkaProducer

    from pipelines.runners.stream.producer import ensure_topics

    async def run() -> None:
        await ensure_topics(bootstrap, [topic])
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await producer.start()
        try:
            for payload in payloads:
                await producer.send_and_wait(topic, payload)
        finally:
            await producer.stop()

    asyncio.run(run())


def wait_until(
    condition: Callable[[], Any], what: str, timeout: float = WAIT_SECONDS, every: float = 0.1
) -> Any:
    """Poll `condition` until it returns something truthy; fail the test naming `what` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


def never(condition: Callable[[], Any], what: str, within: float, every: float = 0.05) -> None:
    """Watch `condition` for `within` seconds and fail the test naming `what` the moment it holds.

    How a test checks that something does *not* happen: a bounded wait on the very condition, which
    ends early on a failure, rather than a sleep and a single look afterwards."""
    deadline = time.monotonic() + within
    while True:
        if condition():
            pytest.fail(f"{what} happened within {within:.1f}s")
        if time.monotonic() > deadline:
            return
        time.sleep(every)


@dataclass
class WorkerProcess:
    """A `buysignal stream` process started by a test."""

    args: list[str]
    log_path: Path
    cwd: Path
    process: subprocess.Popen[bytes] | None = None
    runs: int = 0
    env: dict[str, str] = field(default_factory=dict)

    def start(self) -> WorkerProcess:
        self.runs += 1
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child owns it
        log.write(f"\n==== start {self.runs}\n".encode())
        log.flush()
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pipelines.commands.cli", "--verbose", "stream", *self.args],
            cwd=self.cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
        log.close()
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def kill9(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)

    def terminate(self, timeout: float = 60.0) -> int:
        """SIGTERM and wait: the exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(30)
            pytest.fail(f"the worker did not stop within {timeout:.0f}s of SIGTERM:\n{self.log()[-3000:]}")

    def stop_quietly(self) -> None:
        if self.alive():
            assert self.process is not None
            self.process.kill()
            self.process.wait(30)
