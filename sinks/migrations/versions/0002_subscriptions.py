"""Subscriptions and delivery: subscriptions, their channels, alerts, deliveries and API tokens.

Revision ID: 0002_subscriptions
Revises: 0001_initial
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002_subscriptions"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the column types as of this revision (later revisions must not change them here).
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("subscription_id", sa.String, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("owner", sa.String, nullable=False),
        sa.Column("filters", JSON, nullable=False),
        sa.Column("origin", sa.String, nullable=False),
        sa.Column("feed_token_hash", sa.String),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.UniqueConstraint("owner", "name", name="uq_subscriptions_owner_name"),
    )
    op.create_index("ix_subscriptions_feed_token_hash", "subscriptions", ["feed_token_hash"], unique=True)
    op.create_table(
        "subscription_channels",
        sa.Column("channel_id", sa.String, primary_key=True),
        sa.Column("subscription_id", sa.String, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("secret", sa.Text),
        sa.Column("period", sa.String),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("disabled_reason", sa.Text),
        sa.Column("disabled_at", TIMESTAMP),
        sa.Column("consecutive_failures", sa.Integer, nullable=False),
        sa.Column("consecutive_dead", sa.Integer, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
    )
    op.create_index("ix_subscription_channels_subscription_id", "subscription_channels", ["subscription_id"])
    op.create_table(
        "alerts",
        sa.Column("alert_id", sa.String, primary_key=True),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
    )
    op.create_index("ix_alerts_created_at", "alerts", ["created_at"])
    op.create_table(
        "deliveries",
        sa.Column("idempotency_key", sa.String, primary_key=True),
        sa.Column("subscription_id", sa.String, nullable=False),
        sa.Column("channel_id", sa.String, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("alert_id", sa.String),
        sa.Column("period", sa.String),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", TIMESTAMP),
        sa.Column("last_error", sa.Text),
        sa.Column("sent_at", TIMESTAMP),
        sa.Column("created_at", TIMESTAMP, nullable=False),
    )
    op.create_index("ix_deliveries_status_next_attempt_at", "deliveries", ["status", "next_attempt_at"])
    op.create_index("ix_deliveries_channel_id", "deliveries", ["channel_id"])
    op.create_index("ix_deliveries_subscription_id", "deliveries", ["subscription_id"])
    op.create_table(
        "api_tokens",
        sa.Column("token_id", sa.String, primary_key=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("salt", sa.String, nullable=False),
        sa.Column("token_hash", sa.String, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("revoked_at", TIMESTAMP),
        sa.Column("last_used_at", TIMESTAMP),
    )
    op.create_index("ix_api_tokens_name", "api_tokens", ["name"])


def downgrade() -> None:
    for table in ("api_tokens", "deliveries", "alerts", "subscription_channels", "subscriptions"):
        op.drop_table(table)
