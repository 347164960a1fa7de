"""`buysignal schedule`: cron ticks, the cross-process run lock (SQLite and PostgreSQL), --once, clean stop."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipelines.commands.cli import main as cli_main
from pipelines.commands.schedule import (
    Scheduler,
    next_tick,
    run_tick,
    schedule_from,
    upcoming_ticks,
)
from pipelines.config import ScheduleConfig, config_from_dict, load_config
from pipelines.runners.lock import RunLockHeld, lock_file_path, run_lock
from schemas.errors import ConfigError
from sinks.store import Store

REPO = Path(__file__).resolve().parents[2]


# -- the schedule --------------------------------------------------------------------------------
def test_weekday_mornings_skip_the_weekend():
    schedule = ScheduleConfig(cron="0 6 * * 1-5")
    friday_after = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # a Friday, after that day's run
    assert upcoming_ticks(schedule, friday_after, 3) == [
        datetime(2026, 11, 30, 6, 0, tzinfo=UTC),  # Monday
        datetime(2026, 12, 1, 6, 0, tzinfo=UTC),
        datetime(2026, 12, 2, 6, 0, tzinfo=UTC),
    ]
    # Exactly on a tick, the next one is the following tick (never the same one twice).
    assert next_tick(schedule, datetime(2026, 11, 30, 6, 0, tzinfo=UTC)) == datetime(
        2026, 12, 1, 6, tzinfo=UTC
    )


def test_the_earliest_of_several_expressions_wins_and_time_zones_follow_dst():
    schedule = ScheduleConfig(cron=["0 6 * * 1-5", "30 12 * * *"])
    assert next_tick(schedule, datetime(2026, 11, 28, 0, 0, tzinfo=UTC)) == datetime(
        2026, 11, 28, 12, 30, tzinfo=UTC
    )
    berlin = ScheduleConfig(cron="0 6 * * *", timezone="Europe/Berlin")
    winter = next_tick(berlin, datetime(2026, 11, 25, 0, 0, tzinfo=UTC))
    summer = next_tick(berlin, datetime(2026, 7, 1, 0, 0, tzinfo=UTC))
    assert (winter.hour, summer.hour) == (5, 4)  # 06:00 CET and 06:00 CEST, in UTC


@pytest.mark.parametrize(
    "table, fix",
    [
        ({"cron": "0 6 * *"}, "5-field cron"),
        ({"cron": "0 25 * * *"}, "5-field cron"),
        ({"cron": "0 6 * * *", "timezone": "Mars/Olympus"}, "IANA"),
        ({"cron": "0 6 * * *", "every": "day"}, "every"),
    ],
)
def test_a_bad_schedule_is_a_config_error_that_says_what_to_fix(table, fix):
    with pytest.raises(ConfigError, match=fix):
        schedule_from(config_from_dict({"schedule": table}))


def test_no_cron_at_all_is_a_usage_error(tmp_path, capsys):
    assert cli_main(["schedule", "--db", f"sqlite:///{tmp_path / 'bs.db'}"]) == 2
    assert "[schedule] cron" in capsys.readouterr().err


def test_the_schedule_table_loads_beside_the_rest_of_the_config(tmp_path):
    config = tmp_path / "buysignal.toml"
    config.write_text(
        textwrap.dedent(
            """
            [store]
            url = "sqlite:///runs.db"

            [schedule]
            cron = ["0 6 * * 1-5"]
            timezone = "Europe/Berlin"

            [[subscriptions]]
            name = "EMEA funding"
            owner = "ana"
            types = ["funding_round"]
            """
        ),
        encoding="utf-8",
    )
    cfg = load_config(str(config))
    assert cfg.store.url == "sqlite:///runs.db"
    assert schedule_from(cfg).timezone == "Europe/Berlin"
    assert cfg.subscriptions[0]["owner"] == "ana"
    # --cron on the command line wins over the file, and is checked as the file is.
    assert schedule_from(cfg, cron=["*/5 * * * *"]).cron == ["*/5 * * * *"]
    with pytest.raises(ConfigError, match="schedule.cron"):
        schedule_from(cfg, cron=["every day"])


# -- the run lock ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh PostgreSQL database on the tests' server (tests/conftest.py `postgres_server`)."""
    import psycopg

    name = f"buysignal_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True, connect_timeout=3) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    info = psycopg.conninfo.conninfo_to_dict(postgres_server)
    try:
        yield f"postgresql+psycopg://{info.get('user', 'postgres')}@{info.get('host')}:{info.get('port', 5432)}/{name}"
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def lock_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'buysignal.db'}"
    return str(request.getfixturevalue("postgres_url"))


class LockHolder:
    """Another process that takes the run lock and keeps it until told to go (or killed)."""

    def __init__(self, store_url: str, name: str = "batch") -> None:
        code = (
            "import sys\n"
            "from pipelines.runners.lock import run_lock\n"
            f"with run_lock({store_url!r}, {name!r}):\n"
            "    print('held', flush=True)\n"
            "    sys.stdin.readline()\n"
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        assert line.strip() == "held", self.proc.stderr.read() if self.proc.stderr else line

    def release(self) -> None:
        if self.proc.poll() is None and self.proc.stdin:
            self.proc.stdin.write("\n")
            self.proc.stdin.flush()
        assert self.proc.wait(timeout=60) == 0

    def crash(self) -> None:
        self.proc.kill()  # SIGKILL: no cleanup code runs
        self.proc.wait(timeout=60)

    def stop_quietly(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=60)


@pytest.fixture
def lock_holders() -> Iterator[list[LockHolder]]:
    made: list[LockHolder] = []
    yield made
    for holder in made:
        holder.stop_quietly()


def test_a_second_run_is_refused_while_another_process_holds_the_lock(lock_store_url, lock_holders):
    Store(lock_store_url).close()  # migrated, as a real run would leave it
    holder = LockHolder(lock_store_url)
    lock_holders.append(holder)
    with (
        pytest.raises(RunLockHeld, match="another buysignal batch run is in progress") as refused,
        run_lock(lock_store_url),
    ):
        pytest.fail("the lock was granted twice")
    assert "refused" in str(refused.value)
    if lock_store_url.startswith("sqlite"):
        assert f"pid {holder.proc.pid}" in str(refused.value)
    # Another lock name is another lock.
    with run_lock(lock_store_url, name="stream"):
        pass
    holder.release()
    with run_lock(lock_store_url):
        pass


def test_a_crashed_run_does_not_leave_the_lock_behind(lock_store_url, lock_holders):
    Store(lock_store_url).close()
    holder = LockHolder(lock_store_url)
    lock_holders.append(holder)
    with pytest.raises(RunLockHeld), run_lock(lock_store_url):
        pass
    holder.crash()
    with run_lock(lock_store_url):  # granted at once: the dead process's lock went with it
        pass


def test_the_lock_also_keeps_two_runs_in_one_process_apart(tmp_path):
    url = f"sqlite:///{tmp_path / 'buysignal.db'}"
    with run_lock(url):
        assert lock_file_path(str(tmp_path / "buysignal.db")).is_file()
        with pytest.raises(RunLockHeld), run_lock(url):
            pass
    with run_lock(url):
        pass
    with run_lock("sqlite://"), pytest.raises(RunLockHeld), run_lock("sqlite://"):  # in memory: per process
        pass


def test_a_refused_tick_is_recorded_as_skipped(tmp_path, lock_holders, capsys):
    url = f"sqlite:///{tmp_path / 'buysignal.db'}"
    Store(url).close()
    lock_holders.append(LockHolder(url))
    assert cli_main(["schedule", "--once", "--db", url, "--output-dir", str(tmp_path / "out")]) == 1
    assert "another buysignal batch run is in progress" in capsys.readouterr().err
    with Store(url) as store:
        runs = store.runs()
    assert [r.status for r in runs] == ["skipped"]
    assert "in progress" in (runs[0].error or "")
    assert not (tmp_path / "out").exists()  # nothing ran


# -- ticking --------------------------------------------------------------------------------------------
class FakeTime:
    """A clock that moves only when the scheduler sleeps: ticks come at once, no real waiting."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def clock(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def demo_config_on(url: str):
    cfg = load_config(None)
    return cfg.model_copy(update={"store": cfg.store.model_copy(update={"url": url})})


def test_the_scheduler_runs_each_tick_under_the_lock_until_stopped(tmp_path):
    cfg = demo_config_on(f"sqlite:///{tmp_path / 'buysignal.db'}")
    time = FakeTime(datetime(2026, 11, 27, 5, 59, 30, tzinfo=UTC))  # a Friday
    ran: list[datetime] = []

    def runner(run_cfg):
        with pytest.raises(RunLockHeld), run_lock(run_cfg.store.url):  # the tick holds the lock
            pass
        ran.append(time.now)
        if len(ran) == 2:
            scheduler.stop()

    scheduler = Scheduler(
        cfg, ScheduleConfig(cron="0 6 * * 1-5"), runner=runner, clock=time.clock, sleep=time.sleep
    )
    assert scheduler.run_forever() == 0
    assert ran == [datetime(2026, 11, 27, 6, 0, tzinfo=UTC), datetime(2026, 11, 30, 6, 0, tzinfo=UTC)]


def test_a_failed_run_does_not_end_the_schedule(tmp_path, capsys):
    cfg = demo_config_on(f"sqlite:///{tmp_path / 'bs.db'}")
    time = FakeTime(datetime(2026, 11, 25, 0, 30, tzinfo=UTC))
    calls: list[datetime] = []

    def runner(_cfg):
        calls.append(time.now)
        if len(calls) == 1:
            raise RuntimeError("feed server down")
        scheduler.stop()

    scheduler = Scheduler(
        cfg, ScheduleConfig(cron="0 * * * *"), runner=runner, clock=time.clock, sleep=time.sleep
    )
    assert scheduler.run_forever() == 0
    assert [c.hour for c in calls] == [1, 2]
    assert "run failed: RuntimeError: feed server down" in capsys.readouterr().err


@pytest.mark.slow
def test_once_runs_the_batch_now_and_records_it(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'buysignal.db'}"
    # The small streaming fixture (a dozen documents), not the demo: what is tested is the tick.
    small = str(REPO / "tests" / "cases" / "stream" / "config.toml")
    args = ["schedule", "--once", "--config", small, "--db", url, "--output-dir", str(tmp_path / "out")]
    assert cli_main(args) == 0
    with Store(url) as store:
        runs = store.runs()
        assert len(runs) == 1
        run = runs[0]
        assert run.status == "succeeded" and run.finished_at is not None and run.finished_at >= run.started_at
        assert run.counts["documents"] > 0 and run.counts["events"] > 0
        assert store.campaign_entries()
    assert (tmp_path / "out" / "funding_30d.csv").is_file()
    # --status shows it.
    capsys.readouterr()
    assert cli_main(["schedule", "--status", "--db", url]) == 0
    assert run.run_id in capsys.readouterr().out


def test_run_tick_returns_the_runner_result_and_frees_the_lock(tmp_path):
    url = f"sqlite:///{tmp_path / 'bs.db'}"
    cfg = demo_config_on(url)
    assert run_tick(cfg, runner=lambda _c: "done") == "done"
    with pytest.raises(ZeroDivisionError):
        run_tick(cfg, runner=lambda _c: 1 / 0)
    with run_lock(url):  # released after a failure too
        pass


def test_sigterm_stops_the_scheduler_cleanly(tmp_path):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipelines.commands.cli",
            "schedule",
            "--cron",
            "0 0 1 1 *",
            "--db",
            f"sqlite:///{tmp_path / 'bs.db'}",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        seen = []
        for line in proc.stderr or ():
            seen.append(line)
            if "next run at" in line:
                break
        # The next 1 January, whichever year the machine's clock is in (the process runs on it).
        assert any(re.search(r"next run at \d{4}-01-01 00:00:00 UTC", line) for line in seen), seen
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert "stopped" in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
