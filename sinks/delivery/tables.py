"""The delivery tables (SQLAlchemy Core), created by migration 0002_subscriptions (API token owners: 0005).

They live on their own MetaData, next to the store's core tables (`sinks.tables.metadata`); a test
checks that the migrations build exactly both. No foreign keys, like the rest of the store: rows
are joined by their string ids.
"""

from __future__ import annotations

import sqlalchemy as sa

from sinks.tables import JSONType, UTCDateTime

metadata = sa.MetaData()

subscriptions = sa.Table(
    "subscriptions",
    metadata,
    sa.Column("subscription_id", sa.String, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("owner", sa.String, nullable=False),
    sa.Column("filters", JSONType, nullable=False),
    sa.Column("origin", sa.String, nullable=False),
    # sha256 of the feed token: enough to find the subscription, useless to anyone reading the table.
    sa.Column("feed_token_hash", sa.String),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("owner", "name", name="uq_subscriptions_owner_name"),
    sa.Index("ix_subscriptions_feed_token_hash", "feed_token_hash", unique=True),
)

subscription_channels = sa.Table(
    "subscription_channels",
    metadata,
    sa.Column("channel_id", sa.String, primary_key=True),
    sa.Column("subscription_id", sa.String, nullable=False),
    sa.Column("kind", sa.String, nullable=False),
    sa.Column("target", sa.Text, nullable=False),
    sa.Column("secret", sa.Text),
    sa.Column("period", sa.String),
    sa.Column("disabled", sa.Boolean, nullable=False),
    sa.Column("disabled_reason", sa.Text),
    sa.Column("disabled_at", UTCDateTime),
    sa.Column("consecutive_failures", sa.Integer, nullable=False),
    sa.Column("consecutive_dead", sa.Integer, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_subscription_channels_subscription_id", "subscription_id"),
)

alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("alert_id", sa.String, primary_key=True),
    sa.Column("payload", JSONType, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_alerts_created_at", "created_at"),
)

deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("idempotency_key", sa.String, primary_key=True),
    sa.Column("subscription_id", sa.String, nullable=False),
    sa.Column("channel_id", sa.String, nullable=False),
    sa.Column("kind", sa.String, nullable=False),
    sa.Column("alert_id", sa.String),
    sa.Column("period", sa.String),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UTCDateTime),
    sa.Column("last_error", sa.Text),
    sa.Column("sent_at", UTCDateTime),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    sa.Index("ix_deliveries_channel_id", "channel_id"),
    sa.Index("ix_deliveries_subscription_id", "subscription_id"),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("token_id", sa.String, primary_key=True),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("salt", sa.String, nullable=False),
    sa.Column("token_hash", sa.String, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("revoked_at", UTCDateTime),
    sa.Column("last_used_at", UTCDateTime),
    # A rep's token (owner set, admin false) sees only that owner's subscriptions; an admin token
    # (owner NULL) sees all. Migration 0005_token_owners made every older token an admin token.
    sa.Column("owner", sa.String),
    sa.Column("admin", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Index("ix_api_tokens_name", "name"),
    sa.Index("ix_api_tokens_owner", "owner"),
)

ALL_TABLES: tuple[sa.Table, ...] = (subscriptions, subscription_channels, alerts, deliveries, api_tokens)
