"""Test helpers for the delivery tests: a clock you can move and the local receivers' state."""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

# The tests' moving clock (tests/moving_clock.py; the `clock` fixture is in tests/conftest.py), so
# backoff and digest periods take no real time.
from moving_clock import MovingClock as Clock

__all__ = ["Clock", "Mailbox", "Received", "Receiver"]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A local HTTP server; each path answers by plan: a status code, ("sleep", seconds, status),
    or ("wait_for", other_path, seconds) = hold the request until `other_path` has been called."""

    port: int = 0
    requests: list[Received] = field(default_factory=list)
    plans: dict[str, list[Any]] = field(default_factory=dict)
    arrived: dict[str, threading.Event] = field(default_factory=lambda: defaultdict(threading.Event))
    saw_other: dict[str, bool] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def plan(self, path: str, *actions: Any) -> None:
        self.plans[path] = list(actions)

    def to(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]

    def next_action(self, path: str) -> Any:
        with self.lock:
            actions = self.plans.get(path) or [200]
            return actions.pop(0) if len(actions) > 1 else actions[0]


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[tuple[list[str], bytes]] = field(default_factory=list)
