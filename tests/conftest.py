"""Fixtures every test folder may use: the test clock, a PostgreSQL server, a webhook receiver.

A test that needs a real service calls `require_service` (tests/services.py) when it is missing:
a skip on a laptop, a failure under CI=true."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from hostile_server import HostileServer
from moving_clock import MovingClock
from services import require_service

REPO = Path(__file__).resolve().parents[1]
CASES = REPO / "tests" / "cases"


def shared_dir() -> Path | None:
    """../shared beside the repo (or BUYSIGNAL_SHARED), when it is there."""
    path = Path(os.environ.get("BUYSIGNAL_SHARED", REPO.parent / "shared"))
    return path if path.is_dir() else None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that mostly wait (on `buysignal stream` worker processes, a broker, a database) first,
    then the other slow ones, then the rest: under pytest-xdist (`make test`) the long waits then
    overlap with the quick CPU-bound tests on the other test processes instead of trailing at the end.
    The order is otherwise kept; no test depends on it."""

    def rank(item: pytest.Item) -> int:
        if "stream_worker" in getattr(item, "fixturenames", ()):
            return 0
        return 1 if item.get_closest_marker("slow") else 2

    items.sort(key=rank)


@pytest.fixture(scope="session", autouse=True)
def index_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The account-index cache of every run a test starts (in-process or as a command): a folder of
    the test session's, never the user's ~/.cache."""
    folder = tmp_path_factory.mktemp("index-cache")
    before = os.environ.get("BUYSIGNAL_CACHE_DIR")
    os.environ["BUYSIGNAL_CACHE_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("BUYSIGNAL_CACHE_DIR", None)
    else:
        os.environ["BUYSIGNAL_CACHE_DIR"] = before


@pytest.fixture(scope="session", autouse=True)
def shared_trigger_pipeline() -> Iterator[None]:
    """The bundled spaCy pipeline, loaded once per test session: every in-process run, classify and
    stream step of the tests gets the same (read-only) pipeline instead of loading it again (a few
    seconds each). Other pipelines (a test's own, a training run's) load as usual."""
    import spacy

    from triggers.detector import BUNDLED_MODEL

    real_load = spacy.load
    loaded: dict[str, object] = {}

    def load(name: object, *args: object, **kwargs: object) -> object:
        if args or kwargs or Path(str(name)).resolve() != BUNDLED_MODEL:
            return real_load(name, *args, **kwargs)  # type: ignore[arg-type]
        if "bundled" not in loaded:
            loaded["bundled"] = real_load(name)  # type: ignore[arg-type]
        return loaded["bundled"]

    spacy.load = load  # type: ignore[assignment]
    try:
        yield
    finally:
        spacy.load = real_load


@pytest.fixture
def clock() -> MovingClock:
    """The test's clock, at 2026-11-25 09:00 UTC until the test moves it (pass it wherever code
    takes a `clock`; stores from the fixtures already run on it)."""
    return MovingClock()


@pytest.fixture
def shared() -> Path:
    path = shared_dir()
    if path is None:
        pytest.skip("../shared is absent (dev data lives there, outside the repo)")
    return path


# -- PostgreSQL ---------------------------------------------------------------------------------
# The server the PostgreSQL tests use: 127.0.0.1:5432 as user postgres, or BUYSIGNAL_TEST_PG (a libpq
# conninfo to the maintenance database). When nothing answers there, the machine's own Debian cluster
# is started if one is installed; only when that is impossible do the tests skip (fail under CI=true).
PG_CONNINFO = os.environ.get("BUYSIGNAL_TEST_PG", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The maintenance conninfo of a reachable PostgreSQL server (see `require_service` when none)."""
    try:
        import psycopg
    except ImportError:
        require_service("PostgreSQL", "psycopg is not installed (pip install 'buysignal[postgres]')")
    try:
        with psycopg.connect(PG_CONNINFO, connect_timeout=3):
            pass
    except psycopg.OperationalError as exc:
        # False also when another test process (pytest-xdist) is starting it at this moment, so the
        # server is looked for again either way.
        if not _start_local_cluster() and not _answers_soon(psycopg, 5.0):
            require_service(
                "PostgreSQL", f"no server reachable at {PG_CONNINFO!r} ({exc}); set BUYSIGNAL_TEST_PG"
            )
        if not _answers_soon(psycopg, 30.0):
            require_service("PostgreSQL", f"no server reachable at {PG_CONNINFO!r}, even after starting it")
    return PG_CONNINFO


def _answers_soon(psycopg: Any, within: float) -> bool:
    """Whether the server accepts a connection within `within` seconds (a starting server refuses
    connections for a moment)."""
    deadline = time.monotonic() + within
    while True:
        try:
            with psycopg.connect(PG_CONNINFO, connect_timeout=5):
                return True
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.2)


def _start_local_cluster() -> bool:
    """Start this machine's Debian PostgreSQL cluster if it is installed but stopped."""
    clusters = Path("/etc/postgresql")
    if "BUYSIGNAL_TEST_PG" in os.environ or shutil.which("pg_ctlcluster") is None or not clusters.is_dir():
        return False
    versions = sorted(p.name for p in clusters.iterdir() if (p / "main").is_dir())
    if not versions:
        return False
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start"]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return True


@dataclass
class WebhookReceiver:
    """A real HTTP server on 127.0.0.1 that keeps every POST it receives (headers lower-cased)."""

    url: str
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_port}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()


@pytest.fixture
def hostile_server() -> Iterator[HostileServer]:
    """A hostile feed server on 127.0.0.1 (tests/hostile_server.py): bombs, deep JSON, bad dates,
    NUL bytes, a trickle, a stall, redirects into private addresses."""
    server = HostileServer().start()
    yield server
    server.stop()
