"""The one backoff rule and Retry-After parser (schemas.retry), and Backoff as a tenacity wait."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime

import pytest
import tenacity

from schemas.retry import Backoff, retry_after_seconds


def test_each_wait_doubles_is_half_fixed_half_random_and_capped() -> None:
    backoff = Backoff(first=2.0, max_delay=10.0, rng=random.Random(7))
    for failures, (low, high) in enumerate([(1, 2), (2, 4), (4, 8), (5, 10), (5, 10)], start=1):
        waits = [backoff.delay(failures) for _ in range(50)]
        assert all(low <= w <= high for w in waits), (failures, min(waits), max(waits))


def test_a_retry_after_is_a_floor_but_never_above_the_cap() -> None:
    backoff = Backoff(first=1.0, max_delay=30.0)
    assert backoff.delay(1, retry_after=7.0) == 7.0
    assert backoff.delay(1, retry_after=86_400.0) == 30.0
    assert backoff.delay(1, retry_after=0.0) <= 1.0  # "now" does not shorten our own wait


def test_retry_after_is_seconds_or_an_http_date() -> None:
    now = datetime(2025, 11, 20, 10, 0, tzinfo=UTC)
    assert retry_after_seconds(" 120 ", now) == 120
    assert retry_after_seconds("Thu, 20 Nov 2025 10:00:45 GMT", now) == 45
    assert retry_after_seconds("Thu, 20 Nov 2025 09:00:00 GMT", now) == 0
    assert retry_after_seconds("nan", now) is None and retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None) is None and retry_after_seconds("") is None


def test_backoff_is_a_tenacity_wait_strategy() -> None:
    slept: list[float] = []
    calls = iter([ConnectionError("down"), ConnectionError("down"), "up"])

    async def flaky() -> str:
        outcome = next(calls)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    retrying = tenacity.AsyncRetrying(
        wait=Backoff(first=4.0, max_delay=60.0),
        retry=tenacity.retry_if_exception_type(Exception),
        sleep=sleep,
    )
    assert asyncio.run(retrying(flaky)) == "up"
    assert len(slept) == 2 and 2.0 <= slept[0] <= 4.0 and 4.0 <= slept[1] <= 8.0


def test_negative_seconds_are_refused() -> None:
    with pytest.raises(ValueError, match="seconds"):
        Backoff(first=-1.0)
