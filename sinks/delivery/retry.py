"""When a failed delivery is tried again: the one place delivery's retry rules live.

Exponential backoff with a cap and jitter, at least what the endpoint asked for in Retry-After, and
a limit on attempts. `DeliveryService` asks this module and nothing else, so a project-wide retry
helper can replace it in one place.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """An HTTP Retry-After header as seconds from `now` (it may be a number or an HTTP date);
    None when absent or unreadable."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds else None  # NaN is not a delay
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


@dataclass
class RetryPolicy:
    """How often and how late a failed delivery is retried.

    `max_attempts` attempts in all (the first included); after the n-th failure the next try waits
    `base_delay * 2**(n-1)` seconds, capped at `max_delay`, half of it fixed and half random (so
    retries of many alerts spread out but never come early), and never less than a Retry-After
    (itself capped at `max_delay`, so an endpoint can't park a delivery for a year)."""

    max_attempts: int = 5
    base_delay: float = 30.0
    max_delay: float = 3600.0
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("delivery: max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < self.base_delay:
            raise ValueError("delivery: need 0 <= base_delay <= max_delay (seconds)")

    def exhausted(self, attempts: int) -> bool:
        """Whether `attempts` failed attempts are all a delivery gets."""
        return attempts >= self.max_attempts

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        """Seconds to wait after the `attempts`-th failure."""
        delay = min(self.max_delay, self.base_delay * (2 ** max(0, attempts - 1)))
        delay = delay / 2 + self.rng.uniform(0, delay / 2)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.max_delay))
        return delay
