"""The first store schema: documents, events, matches, CRM snapshots, campaign entries, dead letters,
feed state, run history, the review queue and aliases.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the column types as of this revision (later revisions must not change them here).
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("title", sa.Text),
        sa.Column("text", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("published_at", TIMESTAMP),
        sa.Column("source", sa.String),
    )
    op.create_table(
        "events",
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
        sa.Column("investors", JSON, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("published_at", TIMESTAMP),
        sa.Column("url", sa.Text),
        sa.Column("source", sa.String),
        sa.Column("sources", JSON, nullable=False),
        sa.Column("contact_id", sa.String),
        sa.Column("account_id", sa.String),
    )
    op.create_index("ix_events_published_at", "events", ["published_at"])
    op.create_index("ix_events_type", "events", ["type"])
    op.create_table(
        "matches",
        sa.Column("event_id", sa.String, primary_key=True),
        sa.Column("company", sa.Text),
        sa.Column("account_id", sa.String),
        sa.Column("account_name", sa.Text),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("method", sa.String, nullable=False),
        sa.Column("ambiguous", sa.Boolean, nullable=False),
        sa.Column("candidates", JSON, nullable=False),
    )
    op.create_index("ix_matches_account_id", "matches", ["account_id"])
    op.create_table(
        "accounts",
        sa.Column("account_id", sa.String, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("domain", sa.String),
        sa.Column("owner", sa.String),
        sa.Column("industry", sa.String),
        sa.Column("type", sa.String),
        sa.Column("country", sa.String),
        sa.Column("territory", sa.String),
        sa.Column("aliases", JSON, nullable=False),
        sa.Column("extra", JSON, nullable=False),
    )
    op.create_table(
        "contacts",
        sa.Column("contact_id", sa.String, primary_key=True),
        sa.Column("first_name", sa.String),
        sa.Column("last_name", sa.String),
        sa.Column("full_name", sa.String, nullable=False),
        sa.Column("email", sa.String),
        sa.Column("title", sa.Text),
        sa.Column("account_id", sa.String),
        sa.Column("company", sa.Text),
        sa.Column("owner", sa.String),
    )
    op.create_index("ix_contacts_account_id", "contacts", ["account_id"])
    op.create_table(
        "opportunities",
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
    )
    op.create_index("ix_opportunities_account_id", "opportunities", ["account_id"])
    op.create_table(
        "campaign_entries",
        sa.Column("segment", sa.String, primary_key=True),
        sa.Column("event_id", sa.String, primary_key=True),
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
    )
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("stage", sa.String, nullable=False),
        sa.Column("component", sa.String, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("occurred_at", TIMESTAMP, nullable=False),
    )
    op.create_table(
        "feed_state",
        sa.Column("url", sa.Text, primary_key=True),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.String),
        sa.Column("fetched_at", TIMESTAMP),
        sa.Column("status", sa.Integer),
    )
    op.create_table(
        "runs",
        sa.Column("run_id", sa.String, primary_key=True),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("counts", JSON, nullable=False),
        sa.Column("config", JSON, nullable=False),
        sa.Column("error", sa.Text),
    )
    op.create_index("ix_runs_started_at", "runs", ["started_at"])
    op.create_table(
        "review_queue",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("event_id", sa.String, nullable=False),
        sa.Column("company", sa.Text),
        sa.Column("candidates", JSON, nullable=False),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("account_id", sa.String),
        sa.Column("decided_at", TIMESTAMP),
    )
    op.create_index("ix_review_queue_status", "review_queue", ["status"])
    op.create_table(
        "aliases",
        sa.Column("alias", sa.Text, primary_key=True),
        sa.Column("account_id", sa.String, nullable=False),
        sa.Column("created_from", sa.String, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "aliases",
        "review_queue",
        "runs",
        "feed_state",
        "dead_letters",
        "campaign_entries",
        "opportunities",
        "contacts",
        "accounts",
        "matches",
        "events",
        "documents",
    ):
        op.drop_table(table)
