"""The public surface of alert delivery: what the server, the CLI and the pipelines call.

Reps subscribe to trigger feeds (`create_subscription`, or `sync_from_config` for teams that run no
server); each run turns its batch into alerts (`alerts_from_batch`) and hands them to a
`DeliveryService` (`enqueue`, then `deliver_due`), which sends every alert to every matching
subscription channel exactly once, retrying with backoff and disabling endpoints that keep failing.
Every subscription also has a private Atom feed (`subscription_for_feed_token`, `feed_alerts`,
`render_atom`). API tokens for the server live here too (`create_api_token`, `authenticate_api_token`:
a token is a rep's, seeing only that owner's subscriptions, or an admin's).

Everything takes an open `sinks.store.Store`; the delivery tables come with its migrations.
"""

from __future__ import annotations

from sinks.delivery.alerts import alerts_from_batch, matches
from sinks.delivery.atom import render_atom
from sinks.delivery.links import safe_link
from sinks.delivery.messages import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    SIGNATURE_TOLERANCE_SECONDS,
    TIMESTAMP_HEADER,
    sign,
    verify_signature,
)
from sinks.delivery.models import (
    CHANNEL_KINDS,
    MAX_CHANNELS,
    Alert,
    ApiToken,
    Channel,
    ChannelKind,
    ChannelSpec,
    Delivery,
    DeliveryReport,
    DeliveryStatus,
    DigestPeriod,
    Principal,
    Subscription,
    SubscriptionFilters,
    SubscriptionSpec,
)
from sinks.delivery.repository import (
    add_channel,
    create_subscription,
    delete_subscription,
    disable_channel,
    enable_channel,
    feed_alerts,
    get_subscription,
    list_deliveries,
    list_subscriptions,
    remove_channel,
    replay_dead,
    rotate_feed_token,
    subscription_for_channel,
    subscription_for_feed_token,
    sync_from_config,
    update_filters,
    update_subscription,
)
from sinks.delivery.security import (
    UnsafeTargetError,
    authenticate_api_token,
    check_target_url,
    create_api_token,
    list_api_tokens,
    redact,
    revoke_api_token,
    verify_api_token,
)
from sinks.delivery.service import DeliveryService, idempotency_key
from sinks.delivery.sink import AlertSink, DeliverySettings, accounts_for, alerts_from_store

__all__ = [
    "CHANNEL_KINDS",
    "IDEMPOTENCY_HEADER",
    "MAX_CHANNELS",
    "SIGNATURE_HEADER",
    "SIGNATURE_TOLERANCE_SECONDS",
    "TIMESTAMP_HEADER",
    "Alert",
    "AlertSink",
    "ApiToken",
    "Channel",
    "ChannelKind",
    "ChannelSpec",
    "Delivery",
    "DeliveryReport",
    "DeliveryService",
    "DeliverySettings",
    "DeliveryStatus",
    "DigestPeriod",
    "Principal",
    "Subscription",
    "SubscriptionFilters",
    "SubscriptionSpec",
    "UnsafeTargetError",
    "accounts_for",
    "add_channel",
    "alerts_from_batch",
    "alerts_from_store",
    "authenticate_api_token",
    "check_target_url",
    "create_api_token",
    "create_subscription",
    "delete_subscription",
    "disable_channel",
    "enable_channel",
    "feed_alerts",
    "get_subscription",
    "idempotency_key",
    "list_api_tokens",
    "list_deliveries",
    "list_subscriptions",
    "matches",
    "redact",
    "remove_channel",
    "render_atom",
    "replay_dead",
    "revoke_api_token",
    "rotate_feed_token",
    "safe_link",
    "sign",
    "subscription_for_channel",
    "subscription_for_feed_token",
    "sync_from_config",
    "update_filters",
    "update_subscription",
    "verify_api_token",
    "verify_signature",
]
