"""When a failed delivery is tried again: a limit on attempts over the project's one backoff rule
and Retry-After parser (schemas.retry). `DeliveryService` asks this module and nothing else."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from schemas.retry import Backoff


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
        """Seconds to wait after the `attempts`-th failure (the project's one backoff rule)."""
        return Backoff(first=self.base_delay, max_delay=self.max_delay, rng=self.rng).delay(
            attempts, retry_after
        )
