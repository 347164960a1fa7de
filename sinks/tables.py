"""The store's tables, as SQLAlchemy Core metadata (what the code reads and writes).

The schema itself is created and changed only by the Alembic migrations in `sinks/migrations/`;
this module describes the head revision so queries are typed. A test checks that the migrations
and these tables agree, so the two can't drift apart.

No foreign keys on purpose: records arrive in any order (a match before its event in a streaming
micro-batch, an event whose document came from another run), and a store that refused them would
drop data. Stable string ids join the tables instead.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect

metadata = sa.MetaData()
# Alembic's bookkeeping table, named for us so the store can share a PostgreSQL database with other
# Alembic users.
VERSION_TABLE = "buysignal_alembic_version"


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timezone-aware datetime that is stored as UTC and always read back as aware UTC.

    SQLite has no time zones and PostgreSQL returns the session's zone; normalising both ways
    makes the same record read back equal on either database (and the dump identical).
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        # SQLite stores text; a naive UTC value keeps its sort order and comparisons right.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# JSONB on PostgreSQL (indexable, compact), plain JSON text elsewhere.
JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("title", sa.Text),
    sa.Column("text", sa.Text),
    sa.Column("url", sa.Text),
    sa.Column("published_at", UTCDateTime),
    sa.Column("source", sa.String),
    sa.Column("events", JSONType),  # structured events a source read from a form (0003)
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("event_id", sa.String, primary_key=True),
    sa.Column("document_id", sa.String, nullable=False),
    sa.Column("type", sa.String, nullable=False),
    sa.Column("company", sa.Text),
    sa.Column("counterparty", sa.Text),
    sa.Column("person", sa.Text),
    sa.Column("title", sa.Text),
    sa.Column("role", sa.String),
    sa.Column("round", sa.String),
    sa.Column("amount", sa.Float),
    sa.Column("currency", sa.String),
    sa.Column("investors", JSONType, nullable=False),
    sa.Column("confidence", sa.Float, nullable=False),
    sa.Column("evidence", sa.Text, nullable=False),
    sa.Column("published_at", UTCDateTime),
    sa.Column("url", sa.Text),
    sa.Column("source", sa.String),
    sa.Column("sources", JSONType, nullable=False),
    sa.Column("contact_id", sa.String),
    sa.Column("account_id", sa.String),
    sa.Column("filing", JSONType),  # an SEC filing's own facts, for events from filings (0003)
    sa.Index("ix_events_published_at", "published_at"),
    sa.Index("ix_events_type", "type"),
)

matches = sa.Table(
    "matches",
    metadata,
    sa.Column("event_id", sa.String, primary_key=True),
    sa.Column("company", sa.Text),
    sa.Column("account_id", sa.String),
    sa.Column("account_name", sa.Text),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("method", sa.String, nullable=False),
    sa.Column("ambiguous", sa.Boolean, nullable=False),
    sa.Column("candidates", JSONType, nullable=False),
    sa.Column("matched_by", sa.Text),  # why the account was assigned, in words (0006)
    sa.Column("review_reason", sa.String),  # "tie" | "near_miss" | NULL (0006)
    sa.Index("ix_matches_account_id", "account_id"),
)

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("account_id", sa.String, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("domain", sa.String),
    sa.Column("owner", sa.String),
    sa.Column("industry", sa.String),
    sa.Column("type", sa.String),
    sa.Column("country", sa.String),
    sa.Column("territory", sa.String),
    sa.Column("aliases", JSONType, nullable=False),
    sa.Column("extra", JSONType, nullable=False),
)

contacts = sa.Table(
    "contacts",
    metadata,
    sa.Column("contact_id", sa.String, primary_key=True),
    sa.Column("first_name", sa.String),
    sa.Column("last_name", sa.String),
    sa.Column("full_name", sa.String, nullable=False),
    sa.Column("email", sa.String),
    sa.Column("title", sa.Text),
    sa.Column("account_id", sa.String),
    sa.Column("company", sa.Text),
    sa.Column("owner", sa.String),
    sa.Index("ix_contacts_account_id", "account_id"),
)

opportunities = sa.Table(
    "opportunities",
    metadata,
    sa.Column("opportunity_id", sa.String, primary_key=True),
    sa.Column("account_id", sa.String),
    sa.Column("name", sa.Text),
    sa.Column("stage", sa.String),
    sa.Column("amount", sa.Float),
    sa.Column("created_date", sa.Date),
    sa.Column("close_date", sa.Date),
    sa.Column("is_won", sa.Boolean),
    sa.Column("is_closed", sa.Boolean),
    sa.Column("owner", sa.String),
    sa.Index("ix_opportunities_account_id", "account_id"),
)

campaign_entries = sa.Table(
    "campaign_entries",
    metadata,
    sa.Column("segment", sa.String, primary_key=True),
    sa.Column("event_id", sa.String, primary_key=True),
    # Key part: the account id, or "" for an unmatched entry (a key column can't be NULL).
    sa.Column("account_key", sa.String, primary_key=True),
    sa.Column("account_id", sa.String),
    sa.Column("account_name", sa.Text),
    sa.Column("owner", sa.String),
    sa.Column("trigger_type", sa.String, nullable=False),
    sa.Column("event_date", sa.Date, nullable=False),
    sa.Column("days_since_event", sa.Integer, nullable=False),
    sa.Column("company", sa.Text),
    sa.Column("evidence", sa.Text, nullable=False),
    sa.Column("url", sa.Text),
    sa.Column("confidence", sa.Float, nullable=False),
    # The account's domain, how many qualifying events it had, and the event's own fields (0004).
    sa.Column("domain", sa.String),
    sa.Column("trigger_count", sa.Integer, nullable=False, server_default=sa.text("1")),
    sa.Column("person", sa.Text),
    sa.Column("title", sa.Text),
    sa.Column("role", sa.String),
    sa.Column("round", sa.String),
    sa.Column("amount", sa.Float),
    sa.Column("currency", sa.String),
    sa.Column("investors", JSONType, nullable=False, server_default=sa.text("'[]'")),
    sa.Column("counterparty", sa.Text),
    sa.Column("contact_id", sa.String),
    sa.Column("matched_by", sa.Text),  # why the account was assigned (0006)
)

# The people lists: contacts at the accounts of each segment's list, as the last run cut them (0004).
campaign_people = sa.Table(
    "campaign_people",
    metadata,
    sa.Column("segment", sa.String, primary_key=True),
    sa.Column("contact_id", sa.String, primary_key=True),
    sa.Column("first_name", sa.String),
    sa.Column("last_name", sa.String),
    sa.Column("full_name", sa.String, nullable=False),
    sa.Column("email", sa.String),
    sa.Column("title", sa.Text),
    sa.Column("account_id", sa.String),
    sa.Column("account_name", sa.Text),
    sa.Column("domain", sa.String),
    sa.Column("owner", sa.String),
    sa.Column("reason", sa.String, nullable=False),
    sa.Column("trigger_type", sa.String, nullable=False),
    sa.Column("event_date", sa.Date, nullable=False),
    sa.Column("event_id", sa.String, nullable=False),
    sa.Column("trigger_person", sa.Text),
    sa.Column("trigger_title", sa.Text),
    sa.Column("evidence", sa.Text, nullable=False),
    sa.Column("url", sa.Text),
    sa.Column("matched_by", sa.Text),  # why the account was assigned (0006)
)

# What `buysignal export` handed out, per segment and format: a row is new until it was exported (0004).
exported_rows = sa.Table(
    "exported_rows",
    metadata,
    sa.Column("segment", sa.String, primary_key=True),
    sa.Column("format", sa.String, primary_key=True),
    sa.Column("record_id", sa.String, primary_key=True),  # the account id ("" if none) or contact id
    sa.Column("event_id", sa.String, primary_key=True),
    sa.Column("export_id", sa.String, nullable=False),
    sa.Column("exported_at", UTCDateTime, nullable=False),
    sa.Index("ix_exported_rows_export_id", "export_id"),
)

dead_letters = sa.Table(
    "dead_letters",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("stage", sa.String, nullable=False),
    sa.Column("component", sa.String, nullable=False),
    sa.Column("error", sa.Text, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("occurred_at", UTCDateTime, nullable=False),
)

feed_state = sa.Table(
    "feed_state",
    metadata,
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.String),
    sa.Column("fetched_at", UTCDateTime),
    sa.Column("status", sa.Integer),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("run_id", sa.String, primary_key=True),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("counts", JSONType, nullable=False),
    sa.Column("config", JSONType, nullable=False),
    sa.Column("error", sa.Text),
    sa.Index("ix_runs_started_at", "started_at"),
)

review_queue = sa.Table(
    "review_queue",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("event_id", sa.String, nullable=False),
    sa.Column("company", sa.Text),
    sa.Column("candidates", JSONType, nullable=False),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("account_id", sa.String),
    sa.Column("decided_at", UTCDateTime),
    sa.Column("reason", sa.String),  # "tie" | "near_miss" (0006)
    sa.Index("ix_review_queue_status", "status"),
)

aliases = sa.Table(
    "aliases",
    metadata,
    sa.Column("alias", sa.Text, primary_key=True),
    sa.Column("account_id", sa.String, nullable=False),
    sa.Column("created_from", sa.String, nullable=False),
)

# The running run's ledger: each event id it wrote, once, and whether it made the event (0005).
run_events = sa.Table(
    "run_events",
    metadata,
    sa.Column("run_id", sa.String, primary_key=True),
    sa.Column("event_id", sa.String, primary_key=True),
    sa.Column("new", sa.Boolean, nullable=False),
)

# What `Store.dump()` covers: everything a re-run must leave identical (run history grows by design).
DUMPED_TABLES: tuple[sa.Table, ...] = (
    documents,
    events,
    matches,
    accounts,
    contacts,
    opportunities,
    campaign_entries,
    campaign_people,
    dead_letters,
    feed_state,
    review_queue,
    aliases,
)
# Export history grows per export, like run history, so a re-run leaves the dump identical.
ALL_TABLES: tuple[sa.Table, ...] = (*DUMPED_TABLES, runs, exported_rows, run_events)
