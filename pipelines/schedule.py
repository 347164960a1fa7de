"""`buysignal schedule`: batch runs at the times cron expressions name, and the lock that keeps runs apart.

The scheduler runs in the foreground (a container's or a service manager's main process): at each tick
it runs the same `pipelines.run.run(cfg)` as `buysignal run`, and stops cleanly on SIGTERM or SIGINT.
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
import contextvars
import fcntl
import functools
import hashlib
import json
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from croniter import croniter

from pipelines.config import Config, ScheduleConfig, load_config, overlay
from pipelines.exits import CommandFailed
from schemas import Clock, system_clock
from schemas.errors import ConfigError

log = logging.getLogger("buysignal.schedule")

DEFAULT_LOCK_NAME = "batch"
# Wake at least this often while waiting for a tick, so a changed wall clock (NTP step, a laptop
# resuming) is noticed instead of sleeping past the tick.
MAX_SLEEP_SECONDS = 60.0
# Config sections this module and the subscriptions commands read that pipelines.config may not know yet.


class RunLockLost(CommandFailed):
    """The run lock this run held is gone (its database connection dropped): another run may have
    started, so this one stops instead of recording success beside it."""

    def __init__(self, name: str, store: str, why: str) -> None:
        self.name = name
        super().__init__(
            f"lost the {name} run lock on {store} ({why}); this run stopped so it can't overlap another "
            "one. Nothing it stored is lost or doubled (writes are idempotent); the next run picks up"
        )


@dataclass
class HeldLock:
    """A run lock this process holds: `check()` raises RunLockLost once it is gone."""

    name: str
    store: str
    verify: Callable[[], str | None] | None = None  # None, or why the lock is gone

    def check(self) -> None:
        """Raise RunLockLost if the lock is no longer held (PostgreSQL only; a file or in-process
        lock lasts as long as the process)."""
        why = self.verify() if self.verify is not None else None
        if why is not None:
            raise RunLockLost(self.name, self.store, why)


_HELD: contextvars.ContextVar[HeldLock | None] = contextvars.ContextVar("buysignal_run_lock", default=None)


def held_run_lock() -> HeldLock | None:
    """The run lock the current run holds (inside `run_lock`), or None when it runs without one."""
    return _HELD.get()


def check_run_lock() -> None:
    """Between a run's stages: raise RunLockLost if the run lock it holds is gone (no-op without one)."""
    lock = _HELD.get()
    if lock is not None:
        lock.check()


class RunLockHeld(CommandFailed):
    """Another run holds the lock on this store; this one was refused (nothing was run)."""

    def __init__(self, name: str, store: str, holder: str) -> None:
        self.name = name
        self.holder = holder
        super().__init__(
            f"another buysignal {name} run is in progress on {store} ({holder}); this run was refused "
            "so the two don't overlap. Wait for it to finish (`buysignal schedule --status` shows recent "
            "runs); a crashed run releases the lock by itself"
        )


# -- the run lock ---------------------------------------------------------------------------------
def _holder_description(clock: Clock) -> dict[str, Any]:
    return {"pid": os.getpid(), "host": socket.gethostname(), "since": clock().isoformat()}


def _advisory_key(name: str) -> int:
    """A stable signed 64-bit key for `pg_try_advisory_lock` (same name -> same lock, any process)."""
    digest = hashlib.sha256(f"buysignal-run-lock:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextlib.contextmanager
def _postgres_lock(store: Any, name: str) -> Iterator[HeldLock]:
    import sqlalchemy as sa

    holder = _holder_description(store.clock)
    app_name = f"buysignal {name} lock pid={holder['pid']} host={holder['host']}"[:63]
    # A connection of its own, kept for the whole run: a session lock lives exactly as long as the
    # session, so a crash (or a lost client) frees it. Keepalives notice a dead peer on long runs,
    # and tcp_user_timeout bounds how long a check waits on one.
    engine = sa.create_engine(
        store.url,
        poolclass=sa.pool.NullPool,
        hide_parameters=True,
        connect_args={
            "application_name": app_name,
            "keepalives": 1,
            "keepalives_idle": 60,
            "keepalives_interval": 10,
            "keepalives_count": 3,
            "tcp_user_timeout": 30_000,
        },
    )
    key = _advisory_key(name)
    try:
        try:
            connection = engine.connect()
        except sa.exc.OperationalError as exc:
            raise ConfigError(
                f"run lock: can't reach {store!r} to take the {name} lock: {str(exc.orig or exc).strip()}; "
                "check the store URL and that the database server is running"
            ) from exc
        with connection as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            got = conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar_one()
            if not got:
                raise RunLockHeld(name, repr(store), _postgres_holder(conn, key))

            def verify() -> str | None:
                try:
                    if _holds_advisory_lock(conn, key):
                        return None
                    return "the database no longer lists it as this session's"
                except sa.exc.SQLAlchemyError as exc:
                    return f"its connection failed: {type(getattr(exc, 'orig', None) or exc).__name__}"

            try:
                yield HeldLock(name, repr(store), verify)
            finally:
                with contextlib.suppress(sa.exc.SQLAlchemyError):
                    conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
    finally:
        engine.dispose()


def _advisory_parts(key: int) -> dict[str, int]:
    # pg_locks shows a bigint advisory key split in two: classid (high half), objid (low half).
    unsigned = key & 0xFFFFFFFFFFFFFFFF
    return {"hi": unsigned >> 32, "lo": unsigned & 0xFFFFFFFF}


def _holds_advisory_lock(conn: Any, key: int) -> bool:
    """Whether this session still holds the advisory lock `key` (raises if the connection is gone)."""
    import sqlalchemy as sa

    held = conn.execute(
        sa.text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND pid = pg_backend_pid() AND classid = :hi AND objid = :lo AND objsubid = 1"
        ),
        _advisory_parts(key),
    ).scalar_one()
    return bool(held)


def _postgres_holder(conn: Any, key: int) -> str:
    """Who holds the advisory lock, from pg_locks (a bigint key is split into classid/objid)."""
    import sqlalchemy as sa

    row = (
        conn.execute(
            sa.text(
                "SELECT a.pid, a.application_name, a.backend_start FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
                "AND l.classid = :hi AND l.objid = :lo AND l.objsubid = 1"
            ),
            _advisory_parts(key),
        )
        .mappings()
        .first()
    )
    if row is None:
        return "held by another database session"
    return f"held by {row['application_name'] or 'a database session'} (server pid {row['pid']}) since {row['backend_start']:%Y-%m-%d %H:%M:%S %Z}"


def lock_file_path(database: str, name: str = DEFAULT_LOCK_NAME) -> Path:
    """The lock file a SQLite store's runs share: beside the database file, named after it."""
    db = Path(database).expanduser().resolve()
    return db.with_name(f"{db.name}.{name}.lock")


@contextlib.contextmanager
def _file_lock(path: Path, name: str, store: str, clock: Clock) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            # flock belongs to this open file: the kernel drops it when the process dies, however it dies.
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunLockHeld(name, store, _file_holder(path)) from None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(_holder_description(clock)).encode(), 0)
            yield
        finally:
            # The file stays (removing a lock file races with a process about to lock it); emptied,
            # it says nobody holds it.
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _file_holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return f"lock file {path}"
    return f"held by pid {info.get('pid')} on {info.get('host')} since {info.get('since')}; lock file {path}"


_MEMORY_LOCKS: dict[str, threading.Lock] = {}
_MEMORY_LOCKS_GUARD = threading.Lock()


@contextlib.contextmanager
def _memory_lock(name: str, store: str) -> Iterator[None]:
    # An in-memory SQLite database exists in one process only, so a lock in that process suffices.
    with _MEMORY_LOCKS_GUARD:
        lock = _MEMORY_LOCKS.setdefault(name, threading.Lock())
    if not lock.acquire(blocking=False):
        raise RunLockHeld(name, store, "held by another thread of this process")
    try:
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def run_lock(
    store_url: str, name: str = DEFAULT_LOCK_NAME, *, clock: Clock = system_clock
) -> Iterator[HeldLock]:
    """Hold the store's `name` run lock for the block, or raise RunLockHeld at once if someone has it.

    Wrap every batch run in it (`buysignal run`, each scheduled tick) so two runs on the same store,
    from any process or machine, never overlap. It never waits: a refused run is the caller's to
    report. PostgreSQL: a session advisory lock (`pg_try_advisory_lock`), per database. SQLite: an
    `flock` on `<database>.<name>.lock` beside the file (local disks; not for NFS). Either is freed
    when its process ends, however it ends, so a crashed run can't block the next one. Yields the
    `HeldLock`, also available to the run inside as `held_run_lock()` / `check_run_lock()`.
    """
    from sinks.store import Store

    store = Store(store_url, migrate=False, clock=clock)
    try:
        shown = repr(store)
        if store.dialect == "postgresql":
            with _postgres_lock(store, name) as held:
                yield from _holding(held)
            return
        database = store.url.database or ""
        if database in ("", ":memory:") or database.startswith("file::memory:"):
            with _memory_lock(name, shown):
                yield from _holding(HeldLock(name, shown))
            return
        with _file_lock(lock_file_path(database, name), name, shown, clock):
            yield from _holding(HeldLock(name, shown))
    finally:
        store.close()


def _holding(held: HeldLock) -> Iterator[HeldLock]:
    token = _HELD.set(held)
    try:
        yield held
    finally:
        _HELD.reset(token)


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
    from pipelines.run import run

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

    `clock` says when a tick is due; without a `runner`, each run (`pipelines.run.run`) uses it too."""

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
        from pipelines.report import print_run_summary

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
