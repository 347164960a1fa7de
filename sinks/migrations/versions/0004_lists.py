"""Lists: one row per account with the event's fields, people lists, and what was exported.

Revision ID: 0004_lists
Revises: 0003_filings
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_lists"
down_revision: str | None = "0003_filings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the column types as of this revision (later revisions must not change them here).
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


_ENTRY_COLUMNS: tuple[tuple[str, Any, dict[str, Any]], ...] = (
    ("domain", sa.String, {}),
    ("trigger_count", sa.Integer, {"nullable": False, "server_default": sa.text("1")}),
    ("person", sa.Text, {}),
    ("title", sa.Text, {}),
    ("role", sa.String, {}),
    ("round", sa.String, {}),
    ("amount", sa.Float, {}),
    ("currency", sa.String, {}),
    ("investors", JSON, {"nullable": False, "server_default": sa.text("'[]'")}),
    ("counterparty", sa.Text, {}),
    ("contact_id", sa.String, {}),
)


def upgrade() -> None:
    # CampaignEntry's new fields (schemas/records.py); rows of earlier runs get the defaults.
    for name, type_, options in _ENTRY_COLUMNS:
        op.add_column("campaign_entries", sa.Column(name, type_, **options))
    op.create_table(
        "campaign_people",
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
    )
    op.create_table(
        "exported_rows",
        sa.Column("segment", sa.String, primary_key=True),
        sa.Column("format", sa.String, primary_key=True),
        sa.Column("record_id", sa.String, primary_key=True),
        sa.Column("event_id", sa.String, primary_key=True),
        sa.Column("export_id", sa.String, nullable=False),
        sa.Column("exported_at", TIMESTAMP, nullable=False),
    )
    op.create_index("ix_exported_rows_export_id", "exported_rows", ["export_id"])


def downgrade() -> None:
    op.drop_index("ix_exported_rows_export_id", table_name="exported_rows")
    op.drop_table("exported_rows")
    op.drop_table("campaign_people")
    with op.batch_alter_table("campaign_entries") as batch:
        for name, _, _ in reversed(_ENTRY_COLUMNS):
            batch.drop_column(name)
