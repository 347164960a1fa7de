"""A clock tests move by hand (see schemas/clock.py), so time passes without waiting for it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# Where test clocks start: a fixed Wednesday, so "today" never depends on when the tests run.
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


class MovingClock:
    """A `schemas.Clock` that says `now` until a test moves it on with `advance`."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        """Move the clock on by a `timedelta(**kwargs)` (days=1, hours=2, seconds=0.5, ...)."""
        self.now += timedelta(**kwargs)
