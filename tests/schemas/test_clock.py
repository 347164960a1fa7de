"""One clock: only schemas/clock.py reads the wall clock; everything else is handed a `Clock`."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from schemas import DeadLetter, fixed_clock, system_clock, today

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("schemas", "sources", "triggers", "matchers", "sinks", "pipelines")
CLOCK_MODULE = Path("schemas/clock.py")
# datetime.now / datetime.utcnow / datetime.today / date.today, however `datetime` was imported.
_NOW_ATTRS = {"now", "utcnow", "today"}
_DATE_TYPES = {"datetime", "date"}
_WALL_CLOCK_FUNCTIONS = {"time", "time_ns"}  # time.time(): "now" as a number


def wall_clock_reads(source: str) -> list[tuple[int, str]]:
    """(line, what) for every read of the wall clock in `source` that bypasses the clock."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            base = node.value
            base_name = (
                base.id
                if isinstance(base, ast.Name)
                else base.attr
                if isinstance(base, ast.Attribute)
                else ""
            )
            if node.attr in _NOW_ATTRS and base_name in _DATE_TYPES:
                found.append((node.lineno, f"{base_name}.{node.attr}"))
            elif node.attr == "utcnow":
                found.append((node.lineno, f"{base_name}.utcnow"))
            elif node.attr in _WALL_CLOCK_FUNCTIONS and base_name == "time":
                found.append((node.lineno, f"time.{node.attr}"))
        elif isinstance(node, ast.Name) and node.id == "utcnow" and isinstance(node.ctx, ast.Load):
            found.append((node.lineno, "utcnow"))
        elif isinstance(node, ast.ImportFrom) and node.module == "time":
            found += [(node.lineno, f"time.{a.name}") for a in node.names if a.name in _WALL_CLOCK_FUNCTIONS]
    return sorted(found)


def test_no_module_but_the_clock_reads_the_wall_clock() -> None:
    offenders = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            relative = path.relative_to(REPO)
            if relative == CLOCK_MODULE:
                continue
            for line, what in wall_clock_reads(path.read_text(encoding="utf-8")):
                offenders.append(f"{relative}:{line}: {what}")
    assert not offenders, (
        "these read the wall clock directly; take a `clock: schemas.Clock` (default "
        "`schemas.system_clock`) and call it instead, so tests can move time:\n" + "\n".join(offenders)
    )


@pytest.mark.parametrize(
    ("source", "what"),
    [
        ("from datetime import datetime, UTC\nx = datetime.now(UTC)", "datetime.now"),
        ("import datetime\nx = datetime.datetime.utcnow()", "datetime.utcnow"),
        ("from datetime import date\nx = date.today()", "date.today"),
        ("import datetime as dt\nx = dt.date.today()", "date.today"),
        ("from schemas import utcnow\nx = utcnow()", "utcnow"),
        ("from pydantic import Field\nf = Field(default_factory=datetime.now)", "datetime.now"),
        ("import time\nx = time.time()", "time.time"),
        ("from time import time", "time.time"),
    ],
)
def test_the_check_sees_each_way_of_reading_the_wall_clock(source: str, what: str) -> None:
    assert [w for _, w in wall_clock_reads(source)] == [what]


def test_durations_and_the_clock_itself_are_allowed() -> None:
    source = (
        "import time\nstart = time.monotonic()\ntime.sleep(1)\nnow = clock()\nwhen = datetime(2026, 1, 1)"
    )
    assert wall_clock_reads(source) == []


def test_the_system_clock_is_aware_utc() -> None:
    now = system_clock()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)


def test_a_fixed_clock_says_its_moment_in_utc() -> None:
    from zoneinfo import ZoneInfo

    berlin = datetime(2026, 11, 25, 0, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    clock = fixed_clock(berlin)
    assert clock() == clock() == berlin and clock().tzinfo == UTC
    assert today(clock).isoformat() == "2026-11-24"  # still the 24th in UTC
    with pytest.raises(ValueError, match="no time zone"):
        fixed_clock(datetime(2026, 11, 25))


def test_a_dead_letter_is_stamped_by_the_clock_it_is_given() -> None:
    at = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    dead = DeadLetter.of("source", "rss:x", ValueError("bad"), {"id": 1}, clock=fixed_clock(at))
    assert dead.occurred_at == at
