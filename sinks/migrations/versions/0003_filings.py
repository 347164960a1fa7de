"""Filings: an SEC filing's own facts on its events, and a document's structured events.

Revision ID: 0003_filings
Revises: 0002_subscriptions
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003_filings"
down_revision: str | None = "0002_subscriptions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of the column type as of this revision (later revisions must not change it here).
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    # Both optional (NULL for news): TriggerEvent.filing and Document.events (schemas/records.py).
    op.add_column("events", sa.Column("filing", JSON))
    op.add_column("documents", sa.Column("events", JSON))


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("events")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("filing")
