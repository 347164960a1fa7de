"""Fixtures for the delivery tests: a batch of alerts, a clock you can move, and real local receivers
(an HTTP server and an SMTP server on 127.0.0.1). Stores on SQLite and PostgreSQL come from
tests/sinks/conftest.py (`store`)."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from delivery_helpers import Clock, Mailbox, Received, Receiver
from services import require_service

from schemas import Account, CampaignEntry, Match, TriggerEvent
from sinks.base import Batch
from sinks.delivery.api import Alert, alerts_from_batch
from sinks.store import Store

CASES = Path(__file__).resolve().parents[2] / "cases" / "delivery"


# ----------------------------------------------------------------------------------- stores


@pytest.fixture
def sqlite_store(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    """An empty, migrated SQLite store on the test's clock (for the sending tests, where the database
    is not the point)."""
    with Store(f"sqlite:///{tmp_path / 'buysignal.db'}", clock=clock) as opened:
        yield opened


# ----------------------------------------------------------------------------------- records


@pytest.fixture(scope="session")
def case() -> dict[str, Any]:
    return json.loads((CASES / "batch.json").read_text(encoding="utf-8"))


@pytest.fixture
def accounts(case: dict[str, Any]) -> dict[str, Account]:
    return {a["account_id"]: Account.model_validate(a) for a in case["accounts"]}


@pytest.fixture
def batch(case: dict[str, Any]) -> Batch:
    return Batch(
        events=[TriggerEvent.model_validate(e) for e in case["events"]],
        matches=[Match.model_validate(m) for m in case["matches"]],
        entries=[CampaignEntry.model_validate(e) for e in case["entries"]],
    )


@pytest.fixture
def alerts(batch: Batch, accounts: dict[str, Account]) -> list[Alert]:
    return alerts_from_batch(batch, accounts)


# ----------------------------------------------------------------------------------- HTTP receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with state.lock:
                state.requests.append(Received(self.path, dict(self.headers.items()), body))
            state.arrived[self.path].set()
            action = state.next_action(self.path)
            status = 200
            if isinstance(action, int):
                status = action
            elif action[0] == "sleep":
                time.sleep(action[1])
                status = action[2]
            elif action[0] == "wait_for":
                state.saw_other[self.path] = state.arrived[action[1]].wait(action[2])
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            # The client may have given up already (a timeout test): nothing to answer then.
            with contextlib.suppress(OSError):
                self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


# ----------------------------------------------------------------------------------- SMTP receiver


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A local SMTP server (aiosmtpd) that keeps every message it receives."""
    try:
        import aiosmtpd.controller as controller_mod
    except ImportError:
        require_service("the local SMTP server", "aiosmtpd is not installed (pip install -e '.[dev]')")
    box = Mailbox("127.0.0.1", _free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            box.messages.append(
                (list(envelope.rcpt_tos), bytes(envelope.original_content or envelope.content))
            )
            return "250 OK"

    controller = controller_mod.Controller(Handler(), hostname=box.host, port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
