"""`buysignal schedule`: batch runs at the times cron expressions name, and the lock that keeps runs apart.

The scheduler runs in the foreground (a container's or a service manager's main process): at each tick
it runs the same `pipelines.runners.run.run(cfg)` as `buysignal run`, and stops cleanly on SIGTERM or SIGINT.
A run that is still going when the next tick comes is not doubled: ticks missed while a run went on
are skipped, and the next one is computed from when the run finished.

`run_lock` keeps two runs on one store from overlapping, whichever process or machine starts them:
a PostgreSQL session advisory lock on PostgreSQL, an `flock`ed file beside the database on SQLite.
Both belong to the process that holds them, so a run that crashed (even `kill -9`) leaves no stale
lock behind: the server ends the session, the kernel closes the file. A PostgreSQL lock can also be
lost while its holder lives (the lock's connection dropped, the server restarted): the run checks
it between stages (`check_run_lock`) and, once it is gone, stops with `RunLockLost` and is recorded
as failed, so two runs never both record success. A run killed before it could record its end
stays "running" in the history until the next run that takes the lock closes it as stale.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from croniter import croniter

from pipelines.config import Config, ScheduleConfig, load_config, overlay
from pipelines.runners.lock import DEFAULT_LOCK_NAME, RunLockHeld, run_lock
from schemas import Clock, system_clock
from schemas.errors import ConfigError

log = logging.getLogger("buysignal.schedule")

# Wake at least this often while waiting for a tick, so a changed wall clock (NTP step, a laptop
# resuming) is noticed instead of sleeping past the tick.
MAX_SLEEP_SECONDS = 60.0


# -- the schedule --------------------------------------------------------------------------------
def next_tick(schedule: ScheduleConfig, after: datetime) -> datetime:
    """The first time strictly after `after` at which any of the cron expressions is due (aware UTC)."""
    if not schedule.cron:
        raise ConfigError('schedule: no cron expression; set [schedule] cron = "0 6 * * 1-5" or pass --cron')
    local = after.astimezone(schedule.zone)
    # croniter computes in the start time's zone, so DST changes follow the configured zone.
    return min(croniter(expr, local).get_next(datetime) for expr in schedule.cron).astimezone(UTC)


def upcoming_ticks(schedule: ScheduleConfig, after: datetime, count: int) -> list[datetime]:
    """The next `count` tick times after `after` (to show the schedule, and to test it)."""
    ticks: list[datetime] = []
    moment = after
    for _ in range(count):
        moment = next_tick(schedule, moment)
        ticks.append(moment)
    return ticks


def schedule_from(cfg: Config, cron: Sequence[str] = (), timezone: str | None = None) -> ScheduleConfig:
    """The `[schedule]` table with command-line `--cron`/`--timezone` laid over it (they win)."""
    return overlay(cfg.schedule or ScheduleConfig(), "schedule", cron=list(cron) or None, timezone=timezone)


Runner = Callable[["Config"], Any]


def _default_runner(cfg: Config, clock: Clock = system_clock) -> Any:
    from pipelines.runners.run import run

    return run(cfg, clock=clock)


def run_tick(
    cfg: Config,
    runner: Runner | None = None,
    lock_name: str = DEFAULT_LOCK_NAME,
    *,
    clock: Clock = system_clock,
) -> Any:
    """One scheduled run under the run lock; returns what the runner returned.

    A tick refused because another run holds the lock is recorded in the store's run history with
    status "skipped" (so a missing run is explained), then RunLockHeld is raised.
    """
    if runner is None:
        runner = functools.partial(_default_runner, clock=clock)
    try:
        with run_lock(cfg.store.url, lock_name, clock=clock):
            return runner(cfg)
    except RunLockHeld as exc:
        _record_skipped(cfg.store.url, exc, clock)
        raise


def _record_skipped(store_url: str, exc: RunLockHeld, clock: Clock) -> None:
    from sinks.store import Store

    with Store(store_url, clock=clock) as store:
        run_id = store.start_run({"trigger": "schedule", "lock": exc.name})
        store.finish_run(run_id, "skipped", {}, error=str(exc))


@dataclass
class Scheduler:
    """Runs `runner(cfg)` at every tick of `schedule` until `stop()` (or a signal) asks it to end.

    `clock` says when a tick is due; without a `runner`, each run (`pipelines.runners.run.run`) uses it too."""

    cfg: Config
    schedule: ScheduleConfig
    runner: Runner | None = None
    lock_name: str = DEFAULT_LOCK_NAME
    clock: Clock = system_clock
    # How to sleep (seconds) between looks at the clock; default: wait on the stop event, so a signal
    # ends the wait at once. Tests pass one that moves their clock on instead.
    sleep: Callable[[float], object] | None = None

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._running = False
        self._signals = 0

    def stop(self) -> None:
        """Ask the loop to end; a run in progress is finished first."""
        self._stop.set()

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self._signals += 1
        name = signal.Signals(signum).name
        if self._running and self._signals > 1:
            # A second signal while a run goes on: abort it (run() records it as failed).
            raise KeyboardInterrupt
        if self._running:
            print(
                f"buysignal schedule: {name}: stopping after the current run (send it again to abort the run)",
                file=sys.stderr,
            )
        self._stop.set()

    @contextlib.contextmanager
    def _signal_handlers(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _wait_until(self, moment: datetime) -> bool:
        """Sleep until `moment`; False if asked to stop first."""
        while not self._stop.is_set():
            remaining = (moment - self.clock()).total_seconds()
            if remaining <= 0:
                return True
            (self.sleep or self._stop.wait)(min(remaining, MAX_SLEEP_SECONDS))
        return False

    def run_forever(self) -> int:
        """The scheduler loop (foreground): tick, run, repeat; returns 0 after a clean stop."""
        with self._signal_handlers():
            while not self._stop.is_set():
                tick = next_tick(self.schedule, self.clock())
                print(f"buysignal schedule: next run at {tick:%Y-%m-%d %H:%M:%S} UTC", file=sys.stderr)
                if not self._wait_until(tick):
                    break
                self._tick()
        print("buysignal schedule: stopped", file=sys.stderr)
        return 0

    def _tick(self) -> None:
        self._running = True
        started = self.clock()
        try:
            result = run_tick(self.cfg, self.runner, self.lock_name, clock=self.clock)
            run_id = getattr(result, "run_id", None)
            print(
                f"buysignal schedule: run {run_id or ''} finished".replace("run  ", "run "), file=sys.stderr
            )
        except RunLockHeld as exc:
            print(f"buysignal schedule: tick skipped: {exc}", file=sys.stderr)
        except ConfigError as exc:
            # A config problem won't fix itself by the next tick, but the file may be edited; say so loudly.
            print(f"buysignal schedule: run failed (config): {exc}", file=sys.stderr)
        except Exception as exc:  # one failed run must not end the schedule; run() recorded it as failed
            log.debug("scheduled run failed", exc_info=True)
            print(f"buysignal schedule: run failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        finally:
            self._running = False
            self._signals = 0 if not self._stop.is_set() else self._signals
        missed = _missed_ticks(self.schedule, started, self.clock())
        if missed:
            print(
                f"buysignal schedule: {missed} tick(s) passed during the run and were skipped",
                file=sys.stderr,
            )


def _missed_ticks(schedule: ScheduleConfig, started: datetime, finished: datetime) -> int:
    count, moment = 0, started
    while True:
        moment = next_tick(schedule, moment)
        if moment >= finished or count > 1000:
            return count
        count += 1


# -- the command ---------------------------------------------------------------------------------
def cmd_schedule(args: argparse.Namespace) -> int:
    """`buysignal schedule`: run the batch on the configured cron schedule (or once, with --once)."""
    cfg = load_config(args.config)
    if args.db:
        cfg = cfg.model_copy(update={"store": cfg.store.model_copy(update={"url": args.db})})
    if args.output_dir:
        cfg = cfg.model_copy(update={"output": cfg.output.model_copy(update={"dir": args.output_dir})})
    if args.status:
        return _print_status(cfg.store.url, args.status)
    if args.once:
        summary = run_tick(cfg)
        _print_summary(summary)
        return 0
    schedule = schedule_from(cfg, args.cron or (), args.timezone)
    if args.next:
        for tick in upcoming_ticks(schedule, system_clock(), args.next):
            print(f"{tick.astimezone(schedule.zone).isoformat()}")
        return 0
    next_tick(schedule, system_clock())  # a missing cron is a usage error now, not at the first tick
    if cfg.as_of is not None:
        print(
            f"buysignal schedule: note: the config fixes as_of = {cfg.as_of.isoformat()}, so every run cuts "
            "its lists as of that moment; remove as_of to use each run's own time",
            file=sys.stderr,
        )
    exprs = ", ".join(repr(e) for e in schedule.cron)
    print(
        f"buysignal schedule: running {exprs} ({schedule.timezone}); Ctrl-C or SIGTERM stops", file=sys.stderr
    )
    return Scheduler(cfg, schedule).run_forever()


def _print_summary(summary: Any) -> None:
    with contextlib.suppress(ImportError):
        from pipelines.commands.report import print_run_summary

        print_run_summary(summary)


def close_stale_runs(
    store_url: str, name: str = DEFAULT_LOCK_NAME, *, clock: Clock = system_clock
) -> list[str]:
    """Close the runs still marked "running" if no run holds the lock (their processes were killed
    before recording an end); with the lock held by a live run, nothing is touched."""
    from sinks.store import Store

    try:
        with run_lock(store_url, name, clock=clock), Store(store_url, clock=clock) as store:
            return store.close_stale_runs(
                "stale: its process ended without recording how (killed?); no run held the lock"
            )
    except RunLockHeld:
        return []


def _print_status(store_url: str, count: int) -> int:
    from sinks.store import Store

    closed = close_stale_runs(store_url)
    if closed:
        print(
            f"buysignal schedule: {len(closed)} run(s) marked running had no live process; closed as failed",
            file=sys.stderr,
        )
    with Store(store_url) as store:
        for run in store.runs()[:count]:
            ended = f"{run.finished_at:%Y-%m-%d %H:%M:%S}" if run.finished_at else "-"
            counts = ", ".join(
                f"{k}={v}" for k, v in sorted(run.counts.items()) if not k.startswith("segment:")
            )
            line = f"{run.run_id}\t{run.status}\tstarted {run.started_at:%Y-%m-%d %H:%M:%S}\tended {ended}"
            print(line + (f"\t{counts}" if counts else "") + (f"\t{run.error}" if run.error else ""))
    return 0


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `buysignal schedule` (the lead's CLI calls this from `_add_more_commands`)."""
    p = subparsers.add_parser(
        "schedule",
        help="run the batch at the times the [schedule] cron expressions name (foreground, until SIGTERM)",
        description=(
            "Run `buysignal run` at each tick of the config's [schedule] cron expressions, in the foreground, "
            "until SIGTERM or Ctrl-C. Runs never overlap: a tick that finds another run in progress on the "
            "same store is skipped and recorded with status 'skipped'."
        ),
    )
    p.add_argument("--config", help="TOML config with a [schedule] table (default: the bundled example)")
    p.add_argument("--db", help="store URL (overrides the config and BUYSIGNAL_DB_URL)")
    p.add_argument("--output-dir", help="campaign-list folder (overrides the config)")
    p.add_argument(
        "--cron",
        action="append",
        metavar="EXPR",
        help="cron expression (repeatable; overrides [schedule] cron)",
    )
    p.add_argument("--timezone", help="IANA time zone the cron expressions are read in (default UTC)")
    p.add_argument("--once", action="store_true", help="run one tick now (under the run lock) and exit")
    p.add_argument("--next", type=int, metavar="N", help="print the next N run times and exit")
    p.add_argument(
        "--status",
        type=int,
        nargs="?",
        const=10,
        metavar="N",
        help="print the last N runs (default 10) and exit",
    )
    p.set_defaults(func=cmd_schedule)
    return p
