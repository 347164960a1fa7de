"""The SQL store: every record a run produces, on SQLite (embedded) or PostgreSQL (shared).

Every write is an idempotent upsert on the record's stable id (`INSERT ... ON CONFLICT DO UPDATE`,
batched), so running the same input twice never adds a row and leaves identical contents; run
history is the one table that grows per run, by design. The schema is owned by the Alembic
migrations in `sinks/migrations/` and the store upgrades to the newest one when it opens.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from pydantic import BaseModel
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import (
    ArgumentError,
    DataError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
    StatementError,
)

from schemas import (
    Account,
    CampaignEntry,
    CampaignPerson,
    Clock,
    Contact,
    DeadLetter,
    Document,
    FeedState,
    Match,
    MatchCandidate,
    Opportunity,
    TriggerEvent,
    fingerprint,
    system_clock,
)
from schemas.errors import ConfigError
from sinks import tables as t
from sinks.base import Batch

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
DEFAULT_URL = "sqlite:///buysignal.db"
# Rows per executemany call: big enough to amortise round trips, small enough to bound memory.
CHUNK_ROWS = 2000
SUPPORTED_DIALECTS = ("sqlite", "postgresql")
_MIGRATION_LOCK = threading.Lock()
_WRITE_OPTION = "buysignal_write"

ReviewStatus = Literal["pending", "accepted", "rejected"]
REVIEW_ACCEPTED = "review decision"  # Match.matched_by of an account a person chose in the review queue
R = TypeVar("R", bound=BaseModel)
log = logging.getLogger("buysignal.sinks.store")


def refused_row(exc: BaseException) -> bool:
    """Whether a write failed on the data of a row (a value the database or its driver refuses: a
    NUL in text on PostgreSQL, a date out of range, a constraint), which costs that row only; not
    on the database itself (unreachable, locked, a schema that doesn't fit), which stops the write."""
    if isinstance(exc, DataError | IntegrityError):
        return True
    if isinstance(exc, DBAPIError):
        return False
    # StatementError alone: a value failed while it was bound (e.g. OverflowError putting a date in UTC).
    return isinstance(exc, StatementError | OverflowError | ValueError | TypeError)


def _refusal(exc: BaseException) -> str:
    """What the database said about a row, without the statement or its parameters (they hold the
    whole batch, secrets included)."""
    cause = exc.orig if isinstance(exc, StatementError) and exc.orig is not None else exc
    first = (str(cause).strip().splitlines() or [""])[0]
    return f"{type(cause).__name__}: {first}" if first else type(cause).__name__


@dataclass(frozen=True)
class Run:
    """One run's history row: when it ran, how it ended, what it counted, how it was configured."""

    run_id: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    counts: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True)
class ReviewItem:
    """A match waiting for (or given) a person's decision: a tie between accounts, or a near miss.
    `reason` is "tie" or "near_miss" (Match.review_reason)."""

    id: str
    event_id: str
    company: str | None
    candidates: list[MatchCandidate]
    status: ReviewStatus
    account_id: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None


def needs_review(match: Match) -> bool:
    """Whether a person should decide this match: a tie (ambiguous) or a near miss."""
    return match.ambiguous or match.review_reason is not None


def review_id(event_id: str) -> str:
    """The review item id for an event's match: stable, so re-adding the same match is a no-op."""
    return fingerprint("review", event_id)


def _safe_url(url: sa.URL) -> str:
    return url.render_as_string(hide_password=True)


def _json_ready(value: Any) -> Any:
    """Plain JSON types only (a config summary may hold paths, dates, ...)."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def _dump_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _private_database_file(path: Path) -> None:
    """Create a new SQLite store file readable by its owner only (0600): it holds webhook secrets
    and Slack URLs. SQLite gives its -wal and -shm files the same mode. An existing file is left as
    it is, with a warning when others can read it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            log.warning(
                "store: %s is readable by other users (mode %04o) and holds webhook secrets and Slack "
                "URLs; restrict it with: chmod 600 %s",
                path,
                mode,
                path,
            )
        return
    try:
        os.fchmod(fd, 0o600)  # whatever the umask
    finally:
        os.close(fd)


def _chunks(rows: Sequence[dict[str, Any]], size: int = CHUNK_ROWS) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


class Store:
    """The buysignal database, and a sink (name "store") that writes whole batches into it.

    `url` is a SQLAlchemy URL: `sqlite:///path.db` (the default, embedded), `sqlite://` (in
    memory) or `postgresql+psycopg://user@host:5432/dbname`. Opening upgrades the schema to the
    newest migration unless `migrate=False`. `clock` says what time it is for everything stamped in
    this store (run history, review decisions, subscriptions and deliveries); tests pass their own.
    """

    name: ClassVar[str] = "store"

    def __init__(
        self, url: str = DEFAULT_URL, *, migrate: bool = True, echo: bool = False, clock: Clock = system_clock
    ) -> None:
        self.clock = clock
        try:
            parsed = sa.make_url(url)
        except ArgumentError as exc:
            raise ConfigError(
                "store: the store URL is not a database URL; use e.g. "
                f"{DEFAULT_URL!r} or "
                "'postgresql+psycopg://user@host:5432/dbname'"
            ) from exc
        if parsed.get_backend_name() not in SUPPORTED_DIALECTS:
            raise ConfigError(
                f"store: database {parsed.get_backend_name()!r} in {_safe_url(parsed)!r} is not supported; "
                f"use one of {', '.join(SUPPORTED_DIALECTS)} (e.g. {DEFAULT_URL!r})"
            )
        # Rows the database refused since this store was opened (each also kept as a dead letter).
        self.refused: list[DeadLetter] = []
        if parsed.drivername in ("postgresql", "postgres"):
            # psycopg 3 is the driver buysignal ships with (buysignal[postgres]), not SQLAlchemy's psycopg2.
            parsed = parsed.set(drivername="postgresql+psycopg")
        self.url = parsed
        self.engine = self._create_engine(parsed, echo)
        self.dialect: str = self.engine.dialect.name
        if migrate:
            try:
                self.migrate()
            except OperationalError as exc:
                self.engine.dispose()
                raise ConfigError(
                    f"store: can't open {_safe_url(parsed)!r}: {str(exc.orig or exc).strip()}; check the URL "
                    "(host, port, database name, user) and that the database server is running"
                ) from exc

    @staticmethod
    def _create_engine(url: sa.URL, echo: bool) -> sa.Engine:
        # A failed statement's message (and echo) would otherwise carry its parameters (webhook
        # secrets, token hashes, CRM rows) into errors, logs and the run history.
        kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if url.get_backend_name() == "sqlite":
            database = url.database or ""
            in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
            if in_memory:
                # One shared connection, or every checkout would see a new, empty database.
                kwargs.update(poolclass=sa.pool.StaticPool, connect_args={"check_same_thread": False})
            else:
                if not database.startswith("file:"):  # a plain path (a file: URI is the caller's)
                    _private_database_file(Path(database).expanduser())
                kwargs["connect_args"] = {"timeout": 30}
        try:
            engine = sa.create_engine(url, **kwargs)
        except (ArgumentError, NoSuchModuleError) as exc:
            raise ConfigError(
                f"store: can't use {_safe_url(url)!r} ({exc}); check the driver part of the URL, "
                "e.g. 'postgresql+psycopg://' (pip install 'buysignal[postgres]')"
            ) from exc
        if engine.dialect.name == "sqlite":
            file_based = not kwargs.get("poolclass")

            @sa.event.listens_for(engine, "connect")
            def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
                if file_based:
                    # WAL lets readers (a dashboard, `sqlite3`) look while a run writes.
                    cursor = dbapi_connection.cursor()
                    cursor.execute("PRAGMA journal_mode=WAL")
                    cursor.execute("PRAGMA synchronous=NORMAL")
                    cursor.close()
                # Take transactions away from the sqlite3 module, which doesn't BEGIN before DDL
                # (a migration would not be atomic); SQLAlchemy's "begin" event issues BEGIN instead.
                dbapi_connection.isolation_level = None

            @sa.event.listens_for(engine, "begin")
            def _sqlite_begin(conn: sa.Connection) -> None:
                # Writers take the write lock up front, so two processes never both read "empty"
                # and then collide (and a read-then-write transaction can't fail to upgrade).
                writing = conn.get_execution_options().get(_WRITE_OPTION)
                conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

        return engine

    @contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        """A connection in a write transaction: committed on success, rolled back on error."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(**{_WRITE_OPTION: True})
            with conn.begin():
                yield conn

    # ----------------------------------------------------------------- schema and lifecycle

    def _alembic_config(self) -> Config:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        # configparser interpolation: a literal % in a password must be doubled.
        config.set_main_option("sqlalchemy.url", self.url.render_as_string(False).replace("%", "%%"))
        return config

    def migrate(self, revision: str = "head") -> str | None:
        """Upgrade the schema to `revision` (the newest by default) and return the revision now in force.

        Safe to call on every open: it does nothing when the database is already there.
        """
        config = self._alembic_config()
        # Alembic keeps its migration context in a module global: one migration per process at a
        # time (Beam may set up several writers in threads). Across processes, env.py takes a
        # PostgreSQL advisory lock, and SQLite serialises writers itself.
        with _MIGRATION_LOCK, self._writing() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
        return self.revision()

    def revision(self) -> str | None:
        """The migration revision the database is at (None for an empty database)."""
        with self.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"version_table": t.VERSION_TABLE})
            return context.get_current_revision()

    @staticmethod
    def head_revision() -> str | None:
        """The newest migration revision this version of buysignal ships."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        return ScriptDirectory.from_config(config).get_current_head()

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({_safe_url(self.url)!r})"

    # ----------------------------------------------------------------- the upsert machinery

    def _insert(self, table: sa.Table) -> Any:
        return (postgresql.insert if self.dialect == "postgresql" else sqlite.insert)(table)

    def _upsert(
        self,
        conn: sa.Connection,
        table: sa.Table,
        rows: Iterable[dict[str, Any]],
        update: Sequence[str] | None = None,
    ) -> int:
        """Insert or update `rows` on the table's primary key; returns the number of distinct rows.

        `update` names the columns a conflict overwrites (default: every non-key column). Rows
        with the same key in one call collapse to the last one, since one INSERT can't touch a
        row twice on PostgreSQL.
        """
        keys = [c.name for c in table.primary_key.columns]
        unique: dict[tuple[Any, ...], dict[str, Any]] = {}
        for row in rows:
            unique[tuple(row[k] for k in keys)] = row
        if not unique:
            return 0
        columns = update if update is not None else [c.name for c in table.columns if c.name not in keys]
        stmt = self._insert(table)
        if columns:
            changed = None
            if self.dialect == "postgresql":
                # Skip rows a re-run leaves as they were: no new row versions, no table bloat.
                changed = sa.tuple_(*(table.c[n] for n in columns)).is_distinct_from(
                    sa.tuple_(*(stmt.excluded[n] for n in columns))
                )
            stmt = stmt.on_conflict_do_update(
                index_elements=keys, set_={name: stmt.excluded[name] for name in columns}, where=changed
            )
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=keys)
        values = list(unique.values())
        for chunk in _chunks(values):
            conn.execute(stmt, list(chunk))
        return len(values)

    @staticmethod
    def _rows(records: Iterable[BaseModel], table: sa.Table) -> list[dict[str, Any]]:
        names = {c.name for c in table.columns}
        json_names = {c.name for c in table.columns if isinstance(c.type, sa.JSON)}
        rows = []
        for record in records:
            plain = record.model_dump()
            # JSON columns take JSON values (a Filing's dates as text); a field a record leaves out
            # of its dump when empty (Document.events, TriggerEvent.filing) is stored as NULL.
            as_json = record.model_dump(mode="json") if json_names else plain
            rows.append(
                {
                    name: (as_json if name in json_names else plain).get(name)
                    for name in type(record).model_fields
                    if name in names
                }
            )
        return rows

    @staticmethod
    def _entry_rows(entries: Iterable[CampaignEntry]) -> list[dict[str, Any]]:
        rows = []
        for entry in entries:
            row = entry.model_dump()
            row["account_key"] = entry.account_id or ""
            rows.append(row)
        return rows

    def _write(self, table: sa.Table, records: Iterable[BaseModel]) -> int:
        records = list(records)
        try:
            with self._writing() as conn:
                return self._upsert(conn, table, self._rows(records, table))
        except Exception as exc:
            if not refused_row(exc):
                raise
            log.warning("store: %s refused a row (%s); writing row by row", table.name, _refusal(exc))
        with self._writing() as conn:
            refused = self._upsert_each(conn, table, records)
            self._add_dead_letters(conn, refused)
        self.refused.extend(refused)
        return len(records) - len(refused)

    def _upsert_each(
        self,
        conn: sa.Connection,
        table: sa.Table,
        records: Sequence[BaseModel],
        rows: Sequence[dict] | None = None,
    ) -> list[DeadLetter]:
        """Write `records` one by one, each in its own savepoint: a row the database refuses
        becomes a dead letter (stage "sink") and the others are written."""
        rows = self._rows(records, table) if rows is None else rows
        refused: list[DeadLetter] = []
        for record, row in zip(records, rows, strict=True):
            try:
                with conn.begin_nested():
                    self._upsert(conn, table, [row])
            except Exception as exc:
                if not refused_row(exc):
                    raise
                refused.append(self._refused(table, record, exc))
        return refused

    def _refused(self, table: sa.Table, record: BaseModel, exc: BaseException) -> DeadLetter:
        key = ", ".join(str(getattr(record, c.name, "?")) for c in table.primary_key.columns)
        source = getattr(record, "source", None)
        try:
            payload = record.model_dump_json()
        except Exception:  # a record the database refused may not serialise either
            payload = repr(record)[:10_000]
        return DeadLetter.of(
            "sink",
            f"store:{table.name}",
            f"store: the database refused {table.name} row {key}"
            + (f" (source {source})" if source else "")
            + f": {_refusal(exc)}; the rest of the batch was stored",
            payload,
            clock=self.clock,
        )

    def _read(self, model: type[R], stmt: sa.Select[Any], drop: Sequence[str] = ()) -> list[R]:
        with self.engine.connect() as conn:
            result = conn.execute(stmt).mappings().all()
        out = []
        for row in result:
            data = {k: v for k, v in row.items() if k not in drop}
            out.append(model.model_validate(data))
        return out

    # ----------------------------------------------------------------- writers

    def upsert_documents(self, documents: Iterable[Document]) -> int:
        """Store documents by id (the text the events came from); returns how many distinct ids were written.

        Every `upsert_*` method works the same way: one transaction, batched, idempotent."""
        return self._write(t.documents, documents)

    def upsert_events(self, events: Iterable[TriggerEvent]) -> int:
        """Store trigger events by event_id."""
        return self._write(t.events, events)

    def upsert_matches(self, matches: Iterable[Match]) -> int:
        """Store each event's match (one per event_id); a person's review decision for the event wins
        over what the matcher said (see `apply_review_decisions`)."""
        with self._writing() as conn:
            decided = self._apply_decisions(conn, list(matches))
            return self._upsert(conn, t.matches, self._rows(decided, t.matches))

    def apply_review_decisions(self, matches: Iterable[Match]) -> list[Match]:
        """The matches with the review decisions applied, so a re-run keeps what a person decided: an
        accepted event gets the chosen account, a rejected one that the matcher still sends to review
        (a tie or a near miss) gets none (both method "review", not ambiguous, nothing to review). Call it before building campaign entries from
        fresh matches."""
        with self.engine.connect() as conn:
            return self._apply_decisions(conn, list(matches))

    def _apply_decisions(self, conn: sa.Connection, matches: list[Match]) -> list[Match]:
        if not matches:
            return matches
        q = t.review_queue.c
        decisions = {
            event_id: (status, account_id)
            for event_id, status, account_id in conn.execute(
                sa.select(q.event_id, q.status, q.account_id).where(q.status != "pending")
            ).tuples()
        }
        if not decisions or not any(m.event_id in decisions for m in matches):
            return matches
        wanted = {account for status, account in decisions.values() if status == "accepted" and account}
        a = t.accounts.c
        names = dict(
            conn.execute(sa.select(a.account_id, a.name).where(a.account_id.in_(sorted(wanted))))
            .tuples()
            .all()
        )
        out = []
        for match in matches:
            status, chosen = decisions.get(match.event_id, ("pending", None))
            if status == "accepted" and chosen and (match.account_id != chosen or match.ambiguous):
                name = names.get(chosen) or next(
                    (c.account_name for c in match.candidates if c.account_id == chosen), None
                )
                match = match.model_copy(
                    update={
                        "account_id": chosen,
                        "account_name": name,
                        "ambiguous": False,
                        "method": "review",
                        "matched_by": REVIEW_ACCEPTED,
                        "review_reason": None,
                    }
                )
            elif status == "rejected" and needs_review(match):
                # The person said none of these candidates; a later confident match still passes.
                match = match.model_copy(
                    update={
                        "account_id": None,
                        "account_name": None,
                        "ambiguous": False,
                        "method": "review",
                        "matched_by": None,
                        "review_reason": None,
                    }
                )
            out.append(match)
        return out

    def upsert_accounts(self, accounts: Iterable[Account]) -> int:
        """Store the CRM accounts snapshot by account_id."""
        return self._write(t.accounts, accounts)

    def upsert_contacts(self, contacts: Iterable[Contact]) -> int:
        """Store the CRM contacts snapshot by contact_id."""
        return self._write(t.contacts, contacts)

    def upsert_opportunities(self, opportunities: Iterable[Opportunity]) -> int:
        """Store the CRM opportunities snapshot by opportunity_id."""
        return self._write(t.opportunities, opportunities)

    def upsert_campaign_entries(self, entries: Iterable[CampaignEntry]) -> int:
        """Add or refresh campaign entries without removing any (streaming micro-batches)."""
        with self._writing() as conn:
            return self._upsert(conn, t.campaign_entries, self._entry_rows(entries))

    def replace_campaign_entries(
        self,
        entries: Iterable[CampaignEntry],
        segments: Iterable[str] | None = None,
        people: Iterable[CampaignPerson] | None = None,
    ) -> int:
        """Make `entries` the whole content of each recomputed segment, in one transaction.

        A batch run recomputes its segments, so rows that fell out of a window must go: every row
        of the segments named in `segments` (plus any segment the entries mention) is replaced.
        A named segment with no entries ends up empty. `people` (the people lists), when given,
        replace the stored people rows of the same segments.
        """
        rows = self._entry_rows(entries)
        names = set(segments or ()) | {row["segment"] for row in rows}
        person_rows = self._rows(people, t.campaign_people) if people is not None else None
        if person_rows is not None:
            names |= {row["segment"] for row in person_rows}
        with self._writing() as conn:
            if names:
                conn.execute(
                    sa.delete(t.campaign_entries).where(t.campaign_entries.c.segment.in_(sorted(names)))
                )
                if person_rows is not None:
                    conn.execute(
                        sa.delete(t.campaign_people).where(t.campaign_people.c.segment.in_(sorted(names)))
                    )
            if person_rows:
                self._upsert(conn, t.campaign_people, person_rows)
            return self._upsert(conn, t.campaign_entries, rows)

    def listed_keys(self, segments: Iterable[str] | None = None) -> set[tuple[str, str, str]]:
        """The keys (segment, account or contact id, event id) of every stored list row, accounts
        and people: what the previous run listed, for the `new` column of the next one."""
        e, pp = t.campaign_entries.c, t.campaign_people.c
        first = sa.select(e.segment, e.account_key, e.event_id)
        second = sa.select(pp.segment, pp.contact_id, pp.event_id)
        if segments is not None:
            wanted = sorted(set(segments))
            first, second = first.where(e.segment.in_(wanted)), second.where(pp.segment.in_(wanted))
        with self.engine.connect() as conn:
            keys = {(a, b, c) for a, b, c in conn.execute(first).tuples()}
            keys |= {(a, b, c) for a, b, c in conn.execute(second).tuples()}
        return keys

    def exported_keys(self, segment: str, format: str) -> set[tuple[str, str, str]]:
        """The keys (segment, record id, event id) `buysignal export` already wrote for this segment
        in this format."""
        x = t.exported_rows.c
        stmt = sa.select(x.segment, x.record_id, x.event_id).where(x.segment == segment, x.format == format)
        with self.engine.connect() as conn:
            return {(a, b, c) for a, b, c in conn.execute(stmt).tuples()}

    def record_export(self, segment: str, format: str, keys: Iterable[tuple[str, str, str]]) -> str:
        """Remember that these rows (keys as from `exported_keys`) were exported; returns the export's
        id. A row exported again keeps its first export id and time."""
        now = self.clock()
        export_id = f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        rows = [
            {
                "segment": seg,
                "format": format,
                "record_id": record,
                "event_id": event,
                "export_id": export_id,
                "exported_at": now,
            }
            for seg, record, event in keys
            if seg == segment
        ]
        with self._writing() as conn:
            self._upsert(conn, t.exported_rows, rows, update=[])
        return export_id

    def add_dead_letters(self, dead_letters: Iterable[DeadLetter]) -> int:
        """Keep records that could not be processed, by id.

        The first `occurred_at` of an id is kept: a re-run recreates the same dead letter with a new
        time, and the store must stay identical.
        """
        with self._writing() as conn:
            return self._add_dead_letters(conn, dead_letters)

    def _add_dead_letters(self, conn: sa.Connection, dead_letters: Iterable[DeadLetter]) -> int:
        rows = self._rows(dead_letters, t.dead_letters)
        return self._upsert(conn, t.dead_letters, rows, update=["stage", "component", "error", "payload"])

    # ----------------------------------------------------------------- the Sink protocol

    def write(self, batch: Batch) -> None:
        """Store a whole batch in one transaction; ties and near misses also join the review queue,
        and a pending review item whose event the matcher now decides on its own leaves it.

        Campaign entries are upserted (added), which suits streaming micro-batches; a batch run
        that recomputes its segments calls `replace_campaign_entries` so stale rows go. A row the
        database refuses costs only that row (see `store_batch`).
        """
        self.store_batch(batch)

    def store_batch(self, batch: Batch) -> list[DeadLetter]:
        """`write`, returning the records the database refused. The batch goes in one transaction;
        when a row's data is refused (a NUL on PostgreSQL, a value out of range), the batch is
        written again row by row, each row in a savepoint, so only the refused rows are lost: each
        becomes a dead letter (stage "sink", naming the table, the row and the database's reason),
        stored with the batch's own and returned. A failure of the database itself still raises."""
        try:
            with self._writing() as conn:
                self._write_batch(conn, batch)
            return []
        except Exception as exc:
            if not refused_row(exc):
                raise
            log.warning("store: a row of the batch was refused (%s); writing row by row", _refusal(exc))
        with self._writing() as conn:
            refused = self._write_batch_rows(conn, batch)
            self._add_dead_letters(conn, [*batch.dead_letters, *refused])
        self.refused.extend(refused)
        return refused

    def _write_batch(self, conn: sa.Connection, batch: Batch) -> None:
        self._upsert(conn, t.documents, self._rows(batch.documents, t.documents))
        self._upsert(conn, t.events, self._rows(batch.events, t.events))
        matches = self._apply_decisions(conn, list(batch.matches))
        self._upsert(conn, t.matches, self._rows(matches, t.matches))
        self._add_reviews(conn, [m for m in matches if needs_review(m)])
        self._drop_settled_reviews(conn, [m.event_id for m in matches if not needs_review(m)])
        self._upsert(conn, t.campaign_entries, self._entry_rows(batch.entries))
        self._add_dead_letters(conn, batch.dead_letters)

    def _write_batch_rows(self, conn: sa.Connection, batch: Batch) -> list[DeadLetter]:
        refused = self._upsert_each(conn, t.documents, batch.documents)
        refused += self._upsert_each(conn, t.events, batch.events)
        for match in self._apply_decisions(conn, list(batch.matches)):
            try:
                with conn.begin_nested():
                    self._upsert(conn, t.matches, self._rows([match], t.matches))
                    if needs_review(match):
                        self._add_reviews(conn, [match])
                    else:
                        self._drop_settled_reviews(conn, [match.event_id])
            except Exception as exc:
                if not refused_row(exc):
                    raise
                refused.append(self._refused(t.matches, match, exc))
        refused += self._upsert_each(conn, t.campaign_entries, batch.entries, self._entry_rows(batch.entries))
        return refused

    # ----------------------------------------------------------------- feed state

    def get_feed_state(self, url: str) -> FeedState | None:
        """What the last fetch of `url` left (ETag, Last-Modified), or None if never fetched."""
        found = self._read(FeedState, sa.select(t.feed_state).where(t.feed_state.c.url == url))
        return found[0] if found else None

    def set_feed_state(self, state: FeedState) -> None:
        """Remember a feed's fetch state for the next conditional GET."""
        self._write(t.feed_state, [state])

    # ----------------------------------------------------------------- run history

    def start_run(self, config_summary: Mapping[str, Any] | str | None = None) -> str:
        """Record that a run started (status "running") and return its id.

        `config_summary` is what the run was asked to do (a mapping, or a text kept as {"summary": text}).
        """
        if isinstance(config_summary, str):
            config_summary = {"summary": config_summary}
        started = self.clock()
        run_id = f"{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        with self._writing() as conn:
            conn.execute(
                sa.insert(t.runs).values(
                    run_id=run_id,
                    started_at=started,
                    status="running",
                    counts={},
                    config=_json_ready(dict(config_summary or {})),
                )
            )
        return run_id

    def finish_run(
        self, run_id: str, status: str, counts: Mapping[str, Any] | None = None, error: str | None = None
    ) -> None:
        """Record how a run ended (e.g. "ok", "failed"), what it counted and the error if any."""
        with self._writing() as conn:
            result = conn.execute(
                sa.update(t.runs)
                .where(t.runs.c.run_id == run_id)
                .values(
                    finished_at=self.clock(),
                    status=status,
                    counts=_json_ready(dict(counts or {})),
                    error=error,
                )
            )
        if result.rowcount == 0:
            raise KeyError(f"store: no run {run_id!r} to finish; pass the id that start_run() returned")

    def close_stale_runs(self, reason: str, *, keep: str | None = None) -> list[str]:
        """Close every run still marked "running" (but `keep`) as failed with `reason`; returns their
        ids. Call it only while holding the run lock: then no other run can be going, and a
        "running" row is one whose process was killed before it could record its end."""
        r = t.runs.c
        with self._writing() as conn:
            stmt = sa.select(r.run_id).where(r.status == "running")
            if keep is not None:
                stmt = stmt.where(r.run_id != keep)
            stale = list(conn.execute(stmt).scalars())
            if stale:
                conn.execute(
                    sa.update(t.runs)
                    .where(r.run_id.in_(stale), r.status == "running")
                    .values(status="failed", finished_at=self.clock(), error=reason)
                )
        return stale

    def runs(self) -> list[Run]:
        """Run history, newest first."""
        stmt = sa.select(t.runs).order_by(t.runs.c.started_at.desc(), t.runs.c.run_id.desc())
        with self.engine.connect() as conn:
            return [Run(**dict(row)) for row in conn.execute(stmt).mappings()]

    # ----------------------------------------------------------------- review queue and aliases

    def add_review_items(self, matches: Iterable[Match]) -> list[str]:
        """Queue matches for a person to decide (pass the ties and near misses, see `needs_review`);
        returns their review ids.

        Re-adding a match refreshes its company, candidates and reason but keeps any decision made.
        """
        matches = list(matches)
        with self._writing() as conn:
            self._add_reviews(conn, matches)
        return [review_id(m.event_id) for m in matches]

    def _add_reviews(self, conn: sa.Connection, matches: Sequence[Match]) -> int:
        rows = [
            {
                "id": review_id(m.event_id),
                "event_id": m.event_id,
                "company": m.company,
                "candidates": [c.model_dump() for c in m.candidates],
                "status": "pending",
                "account_id": None,
                "decided_at": None,
                "reason": m.review_reason or ("tie" if m.ambiguous else "near_miss"),
            }
            for m in matches
        ]
        return self._upsert(conn, t.review_queue, rows, update=["company", "candidates", "reason"])

    def _drop_settled_reviews(self, conn: sa.Connection, event_ids: Sequence[str]) -> None:
        """Pending review items of events the matcher now decides alone (an alias was added, the
        threshold changed): nothing is left for a person there. Decided items stay."""
        q = t.review_queue.c
        for start in range(0, len(event_ids), CHUNK_ROWS):
            chunk = list(event_ids[start : start + CHUNK_ROWS])
            conn.execute(sa.delete(t.review_queue).where(q.event_id.in_(chunk), q.status == "pending"))

    @staticmethod
    def _review(row: sa.RowMapping) -> ReviewItem:
        return ReviewItem(
            id=row["id"],
            event_id=row["event_id"],
            company=row["company"],
            candidates=[MatchCandidate.model_validate(c) for c in row["candidates"]],
            status=row["status"],
            account_id=row["account_id"],
            decided_at=row["decided_at"],
            reason=row["reason"],
        )

    def list_reviews(self, status: ReviewStatus | None = "pending") -> list[ReviewItem]:
        """Review items with the given status (None = all), in a stable order."""
        stmt = sa.select(t.review_queue).order_by(t.review_queue.c.company, t.review_queue.c.id)
        if status is not None:
            stmt = stmt.where(t.review_queue.c.status == status)
        with self.engine.connect() as conn:
            return [self._review(row) for row in conn.execute(stmt).mappings()]

    def decide_review(self, id: str, accept: bool, account_id: str | None = None) -> ReviewItem:
        """Accept (with `account_id`, default the top candidate) or reject a review item.

        Accepting records the company as an alias of the account, so the matcher gets it right next
        time, and sets the event's stored match to that account; rejecting means none of the
        candidates, so the match is left without an account. Either way the decision outlives re-runs
        (see `apply_review_decisions`); deciding again replaces the earlier decision.
        """
        with self._writing() as conn:
            row = conn.execute(sa.select(t.review_queue).where(t.review_queue.c.id == id)).mappings().first()
            if row is None:
                raise KeyError(f"store: no review item {id!r}; list_reviews() shows the ids")
            item = self._review(row)
            source = f"review:{id}"
            conn.execute(sa.delete(t.aliases).where(t.aliases.c.created_from == source))
            chosen: str | None = None
            if accept:
                chosen = account_id or (item.candidates[0].account_id if item.candidates else None)
                if chosen is None:
                    raise ValueError(
                        f"store: review item {id!r} ({item.company!r}) has no candidates; "
                        "pass account_id=... to accept it"
                    )
                if item.company:
                    self._upsert(
                        conn,
                        t.aliases,
                        [{"alias": item.company, "account_id": chosen, "created_from": source}],
                    )
                name = conn.execute(
                    sa.select(t.accounts.c.name).where(t.accounts.c.account_id == chosen)
                ).scalar_one_or_none()
                if name is None:
                    name = next((c.account_name for c in item.candidates if c.account_id == chosen), None)
            else:
                name = None
            conn.execute(
                sa.update(t.matches)
                .where(t.matches.c.event_id == item.event_id)
                .values(
                    account_id=chosen,
                    account_name=name,
                    method="review",
                    ambiguous=False,
                    matched_by=REVIEW_ACCEPTED if accept else None,
                    review_reason=None,
                )
            )
            conn.execute(
                sa.update(t.review_queue)
                .where(t.review_queue.c.id == id)
                .values(
                    status="accepted" if accept else "rejected", account_id=chosen, decided_at=self.clock()
                )
            )
            decided = (
                conn.execute(sa.select(t.review_queue).where(t.review_queue.c.id == id)).mappings().one()
            )
            return self._review(decided)

    def add_alias(self, alias: str, account_id: str, created_from: str = "manual") -> None:
        """Record that `alias` (a company name as news writes it) means `account_id`."""
        with self._writing() as conn:
            self._upsert(
                conn, t.aliases, [{"alias": alias, "account_id": account_id, "created_from": created_from}]
            )

    def aliases(self) -> dict[str, str]:
        """Every known alias -> account_id (from accepted reviews and manual entries)."""
        with self.engine.connect() as conn:
            return dict(conn.execute(sa.select(t.aliases.c.alias, t.aliases.c.account_id)).tuples().all())

    # ----------------------------------------------------------------- readers

    def event_ids(self) -> set[str]:
        """The ids of every stored event."""
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(t.events.c.event_id)).scalars())

    def document_ids(self) -> set[str]:
        """The ids of every stored document (cheap: no bodies are read)."""
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(t.documents.c.id)).scalars())

    def documents(self) -> list[Document]:
        """All stored documents, by id."""
        return self._read(Document, sa.select(t.documents).order_by(t.documents.c.id))

    def events(
        self,
        since: datetime | None = None,
        types: Iterable[str] | None = None,
        *,
        until: datetime | None = None,
    ) -> list[TriggerEvent]:
        """Stored events, oldest first; `since` keeps those published at or after it and `until`
        those published at or before it (dated ones only), `types` keeps those of the given types."""
        stmt = sa.select(t.events).order_by(t.events.c.published_at, t.events.c.event_id)
        if since is not None:
            stmt = stmt.where(t.events.c.published_at >= since)
        if until is not None:
            stmt = stmt.where(t.events.c.published_at <= until)
        if types is not None:
            stmt = stmt.where(t.events.c.type.in_(sorted(set(types))))
        return self._read(TriggerEvent, stmt)

    def matches(self, event_ids: Iterable[str] | None = None) -> list[Match]:
        """Every event's match (or those of `event_ids`), by event_id."""
        stmt = sa.select(t.matches).order_by(t.matches.c.event_id)
        if event_ids is None:
            return self._read(Match, stmt)
        return self._read_by_keys(Match, stmt, t.matches.c.event_id, event_ids)

    def accounts(self, account_ids: Iterable[str] | None = None) -> list[Account]:
        """The stored CRM accounts (or those of `account_ids`), by account_id."""
        stmt = sa.select(t.accounts).order_by(t.accounts.c.account_id)
        if account_ids is None:
            return self._read(Account, stmt)
        return self._read_by_keys(Account, stmt, t.accounts.c.account_id, account_ids)

    def _read_by_keys(
        self, model: type[R], stmt: sa.Select[Any], column: sa.Column[Any], keys: Iterable[str]
    ) -> list[R]:
        """`_read` of the rows whose `column` is one of `keys`, asked a thousand keys at a time (a
        statement's parameter limit), in key order."""
        wanted = sorted(set(keys))
        out: list[R] = []
        for start in range(0, len(wanted), 1000):
            out.extend(self._read(model, stmt.where(column.in_(wanted[start : start + 1000]))))
        return out

    def events_by_id(self, event_ids: Iterable[str]) -> list[TriggerEvent]:
        """The stored events with these ids (those that exist), by event_id."""
        stmt = sa.select(t.events).order_by(t.events.c.event_id)
        return self._read_by_keys(TriggerEvent, stmt, t.events.c.event_id, event_ids)

    def event_fold_fields(self, since: datetime, until: datetime) -> Iterator[Any]:
        """What deduplication compares of each event published in [since, until] (event_id, type,
        company, counterparty, person, role, round), as light rows, not records: a run asks this
        per chunk and keeps only the few that share a dedup key with its reports."""
        c = t.events.c
        stmt = (
            sa.select(c.event_id, c.type, c.company, c.counterparty, c.person, c.role, c.round)
            .where(c.published_at >= since, c.published_at <= until)
            .order_by(c.published_at, c.event_id)
        )
        with self.engine.connect() as conn:
            yield from conn.execute(stmt)

    # ----------------------------------------------------------------- the running run's ledger

    def record_run_events(self, run_id: str, written: Iterable[tuple[str, bool]]) -> int:
        """Note (event id, made by this run) for events a run wrote; an id noted twice stays made
        by the run if it was either time. Idempotent."""
        rows: dict[str, bool] = {}
        for event_id, new in written:
            rows[event_id] = rows.get(event_id, False) or new
        if not rows:
            return 0
        stmt = self._insert(t.run_events)
        stmt = stmt.on_conflict_do_update(
            index_elements=["run_id", "event_id"],
            set_={"new": sa.or_(t.run_events.c.new, stmt.excluded.new)},
        )
        values = [{"run_id": run_id, "event_id": k, "new": v} for k, v in rows.items()]
        with self._writing() as conn:
            for chunk in _chunks(values):
                conn.execute(stmt, list(chunk))
        return len(values)

    def run_event_counts(self, run_id: str) -> dict[str, int]:
        """Per run, each event once: "type:<type>" counts, "matched" and "unmatched"."""
        r, e, m = t.run_events.c, t.events.c, t.matches.c
        by_type = (
            sa.select(e.type, sa.func.count())
            .select_from(t.run_events.join(t.events, e.event_id == r.event_id))
            .where(r.run_id == run_id)
            .group_by(e.type)
        )
        matched = (
            sa.select(sa.func.count())
            .select_from(t.run_events.join(t.matches, m.event_id == r.event_id))
            .where(r.run_id == run_id, m.account_id.is_not(None))
        )
        total = sa.select(sa.func.count()).select_from(t.run_events).where(r.run_id == run_id)
        with self.engine.connect() as conn:
            counts = {f"type:{kind}": int(n) for kind, n in conn.execute(by_type)}
            counts["matched"] = int(conn.execute(matched).scalar_one())
            counts["unmatched"] = int(conn.execute(total).scalar_one()) - counts["matched"]
        return counts

    def run_new_event_ids(self, run_id: str) -> list[str]:
        """The events a run made (not stored before it), by id."""
        stmt = (
            sa.select(t.run_events.c.event_id)
            .where(t.run_events.c.run_id == run_id, t.run_events.c.new.is_(True))
            .order_by(t.run_events.c.event_id)
        )
        with self.engine.connect() as conn:
            return [row[0] for row in conn.execute(stmt)]

    def clear_run_events(self, keep: str | None = None) -> None:
        """Drop the ledger rows of every run but `keep` (a finished run's, a crashed run's)."""
        stmt = sa.delete(t.run_events)
        if keep is not None:
            stmt = stmt.where(t.run_events.c.run_id != keep)
        with self._writing() as conn:
            conn.execute(stmt)

    def matched_account_count(self) -> int:
        """How many distinct accounts stored events are matched to."""
        stmt = sa.select(sa.func.count(sa.distinct(t.matches.c.account_id))).where(
            t.matches.c.account_id.is_not(None)
        )
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def review_count(self, status: ReviewStatus = "pending") -> int:
        """How many review items have this status."""
        stmt = sa.select(sa.func.count()).select_from(t.review_queue).where(t.review_queue.c.status == status)
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def contacts(self) -> list[Contact]:
        """The stored CRM contacts, by contact_id."""
        return self._read(Contact, sa.select(t.contacts).order_by(t.contacts.c.contact_id))

    def opportunities(self) -> list[Opportunity]:
        """The stored CRM opportunities, by opportunity_id."""
        return self._read(Opportunity, sa.select(t.opportunities).order_by(t.opportunities.c.opportunity_id))

    def campaign_entries(self, segment: str | None = None) -> list[CampaignEntry]:
        """Campaign entries (of one segment, or all) by segment, newest event first, then account name."""
        stmt = sa.select(t.campaign_entries)
        if segment is not None:
            stmt = stmt.where(t.campaign_entries.c.segment == segment)
        entries = self._read(CampaignEntry, stmt, drop=("account_key",))
        # Sorted here, the way build_entries sorts: SQL NULL and text ordering differ by database.
        return sorted(
            entries,
            key=lambda e: (
                e.segment,
                -e.event_date.toordinal(),
                e.account_name is None,
                (e.account_name or "").casefold(),
                e.event_id,
            ),
        )

    def campaign_people(self, segment: str | None = None) -> list[CampaignPerson]:
        """People-list rows (of one segment, or all) by segment, newest event first, then name."""
        stmt = sa.select(t.campaign_people)
        if segment is not None:
            stmt = stmt.where(t.campaign_people.c.segment == segment)
        people = self._read(CampaignPerson, stmt)
        return sorted(
            people,
            key=lambda p: (p.segment, -p.event_date.toordinal(), p.full_name.casefold(), p.contact_id),
        )

    def dead_letters(
        self, since: datetime | None = None, stage: str | None = None, component: str | None = None
    ) -> list[DeadLetter]:
        """Kept dead letters, oldest first: all, or those first recorded at or after `since`, of one
        `stage` or one `component`."""
        d = t.dead_letters.c
        stmt = sa.select(t.dead_letters).order_by(d.occurred_at, d.id)
        if since is not None:
            stmt = stmt.where(d.occurred_at >= since)
        if stage is not None:
            stmt = stmt.where(d.stage == stage)
        if component is not None:
            stmt = stmt.where(d.component == component)
        return self._read(DeadLetter, stmt)

    def feed_states(self) -> list[FeedState]:
        """Every remembered feed fetch state, by URL."""
        return self._read(FeedState, sa.select(t.feed_state).order_by(t.feed_state.c.url))

    def counts(self) -> dict[str, int]:
        """Rows per table (every table, run history included)."""
        with self.engine.connect() as conn:
            return {
                table.name: int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
                for table in t.ALL_TABLES
            }

    def dump(self) -> dict[str, list[dict[str, Any]]]:
        """Every table but run history as plain JSON-ready rows, in key order: equal dumps mean equal
        contents (the "run twice -> identical" check), on SQLite and PostgreSQL alike."""
        out: dict[str, list[dict[str, Any]]] = {}
        with self.engine.connect() as conn:
            for table in t.DUMPED_TABLES:
                keys = [c.name for c in table.primary_key.columns]
                rows = [
                    {k: _dump_value(v) for k, v in row.items()}
                    for row in conn.execute(sa.select(table)).mappings()
                ]
                # Sorted here, not in SQL: PostgreSQL's collation may order text differently from SQLite.
                rows.sort(key=lambda r: tuple(str(r[k]) for k in keys))
                out[table.name] = rows
        return out

    def dump_json(self) -> str:
        """`dump()` as canonical JSON text (sorted keys), e.g. to diff two stores."""
        return json.dumps(self.dump(), sort_keys=True, ensure_ascii=False, indent=1)
