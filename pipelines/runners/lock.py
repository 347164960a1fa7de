"""The run lock: two runs on one store never overlap, whichever process or machine starts them.

A PostgreSQL session advisory lock on PostgreSQL, an `flock`ed file beside the database on SQLite.
Both belong to the process that holds them, so a run that crashed (even `kill -9`) leaves no stale
lock behind: the server ends the session, the kernel closes the file. A PostgreSQL lock can also be
lost while its holder lives (the lock's connection dropped, the server restarted): the run checks it
between stages (`check_run_lock`) and, once it is gone, stops with `RunLockLost`. `buysignal run`
and `buysignal schedule` both take it; it lives with the runners so neither command imports the other.
"""

from __future__ import annotations

import contextlib
import contextvars
import fcntl
import hashlib
import json
import os
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemas import Clock, system_clock
from schemas.errors import CommandFailed, ConfigError

DEFAULT_LOCK_NAME = "batch"


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
