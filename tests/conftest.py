"""Fixtures every test folder may use."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from moving_clock import MovingClock

REPO = Path(__file__).resolve().parents[1]
CASES = REPO / "tests" / "cases"


def shared_dir() -> Path | None:
    """../shared beside the repo (or BUYSIGNAL_SHARED), when it is there."""
    path = Path(os.environ.get("BUYSIGNAL_SHARED", REPO.parent / "shared"))
    return path if path.is_dir() else None


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
