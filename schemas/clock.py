"""The one clock: every piece of buysignal that needs "now" is handed a `Clock` and calls it.

A clock is any callable that returns the current moment as a timezone-aware UTC datetime. Code
takes one as a parameter (defaulting to `system_clock`), so a test passes its own and moves time
by hand instead of sleeping, and a run on a date fixed by config reads that date everywhere.
This module is the only place that reads the machine's wall clock (tests/schemas/test_clock.py checks).
Monotonic timers for durations and timeouts (`time.monotonic`) are not "now" and stay as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The machine's wall clock, timezone-aware (UTC): the default clock everywhere."""
    return datetime.now(UTC)


def fixed_clock(moment: datetime) -> Clock:
    """A clock that always says `moment` (a config's `as_of`, a replay): aware datetimes only."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"clock: {moment!r} has no time zone; give an aware datetime (e.g. ...+00:00)")
    at = moment.astimezone(UTC)
    return lambda: at


def today(clock: Clock = system_clock) -> date:
    """The clock's current date in UTC."""
    return clock().astimezone(UTC).date()
