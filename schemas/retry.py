"""Retrying what may heal (network errors, HTTP 429 and 5xx): the one backoff rule and the one
Retry-After parser, shared by the feed and EDGAR fetchers, alert delivery and the streaming worker.

`Backoff` is exponential with "equal jitter" (half of each wait fixed, half random, so many clients
never retry in lockstep and a retry never comes early), capped, and never shorter than what the
server asked for in Retry-After (itself capped, so a server can't park us for a year). It is also a
tenacity wait strategy, so a plain retry loop is `tenacity.Retrying(wait=Backoff(...), ...)`.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from schemas.clock import system_clock

__all__ = ["Backoff", "retry_after_seconds"]


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """An HTTP Retry-After header as seconds from `now` (default the system clock): delta-seconds
    or an HTTP date, 0 when it is past; None when absent or unreadable, so the caller backs off on
    its own."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or system_clock())).total_seconds()
    if math.isnan(seconds):
        return None
    return max(0.0, seconds)


@dataclass
class Backoff:
    """How long to wait after the n-th failure in a row: up to `first` seconds after the first,
    twice as long after each next one, at most `max_delay`; half of it fixed, half random; never less
    than a Retry-After (capped at `max_delay`)."""

    first: float = 1.0
    max_delay: float = 60.0
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        if self.first < 0 or self.max_delay < 0:
            raise ValueError("backoff: first and max_delay are seconds, >= 0")

    def delay(self, failures: int, retry_after: float | None = None) -> float:
        """Seconds to wait after `failures` failed attempts (1 = the first failed)."""
        longest = min(self.max_delay, self.first * 2 ** max(0, failures - 1))
        wait = longest / 2 + self.rng.uniform(0, longest / 2)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_delay))
        return wait

    def __call__(self, retry_state: Any) -> float:
        """As a tenacity wait strategy: the delay after `retry_state.attempt_number` failures."""
        return self.delay(retry_state.attempt_number)
