"""Subscriptions, channels, alerts and deliveries in the store."""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.dialects import postgresql, sqlite

from schemas.errors import ConfigError
from sinks import tables as core_tables
from sinks.delivery import tables as dt
from sinks.delivery.alerts import matches
from sinks.delivery.models import (
    ACCOUNT_FILTERS,
    MAX_CHANNELS,
    Alert,
    Channel,
    ChannelSpec,
    Delivery,
    DeliveryStatus,
    Subscription,
    SubscriptionFilters,
    SubscriptionOrigin,
    SubscriptionSpec,
    check_email_address,
)
from sinks.delivery.security import (
    TargetResolutionError,
    check_target_url,
    display_target,
    feed_token_hash,
    new_feed_token,
    new_webhook_secret,
    redact,
)
from sinks.store import Store

FILTER_KEYS = tuple(SubscriptionFilters.model_fields)
# How many recent alerts a feed or digest looks through before filtering (bounds the work per request).
SCAN_LIMIT = 5000


@contextmanager
def writing(store: Store) -> Iterator[sa.Connection]:
    """A write transaction on the store (SQLite takes its write lock up front, like the store does)."""
    with store._writing() as conn:
        yield conn


def insert_ignoring_duplicates(store: Store, table: sa.Table) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING on the table's primary key, for either database."""
    insert = postgresql.insert if store.dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing(index_elements=[c.name for c in table.primary_key.columns])


def _new_id() -> str:
    return uuid.uuid4().hex[:16]


# ----------------------------------------------------------------------------------- reading


def _channel(row: Mapping[Any, Any], secret: str | None = None) -> Channel:
    return Channel(
        channel_id=row["channel_id"],
        subscription_id=row["subscription_id"],
        kind=row["kind"],
        target=row["target"] if row["kind"] == "email" else display_target(row["target"]),
        period=row["period"],
        has_secret=bool(row["secret"]),
        secret=secret,
        disabled=bool(row["disabled"]),
        disabled_reason=row["disabled_reason"],
        disabled_at=row["disabled_at"],
        consecutive_failures=row["consecutive_failures"],
        consecutive_dead=row["consecutive_dead"],
        created_at=row["created_at"],
    )


def _load(
    conn: sa.Connection, where: Any = None, *, secrets: Mapping[str, str] | None = None
) -> list[Subscription]:
    s, c = dt.subscriptions.c, dt.subscription_channels.c
    stmt = sa.select(dt.subscriptions).order_by(s.owner, s.name, s.subscription_id)
    if where is not None:
        stmt = stmt.where(where)
    rows = conn.execute(stmt).mappings().all()
    if not rows:
        return []
    ids = [r["subscription_id"] for r in rows]
    channels: dict[str, list[Channel]] = {i: [] for i in ids}
    for ch in conn.execute(
        sa.select(dt.subscription_channels)
        .where(c.subscription_id.in_(ids))
        .order_by(c.created_at, c.channel_id)
    ).mappings():
        channels[ch["subscription_id"]].append(_channel(ch, (secrets or {}).get(ch["channel_id"])))
    return [
        Subscription(
            subscription_id=r["subscription_id"],
            name=r["name"],
            owner=r["owner"],
            filters=SubscriptionFilters.model_validate(r["filters"]),
            channels=channels[r["subscription_id"]],
            origin=r["origin"],
            created_at=r["created_at"],
            updated_at=r["updated_at"],
        )
        for r in rows
    ]


def get_subscription(store: Store, subscription_id: str) -> Subscription | None:
    """One subscription with its channels (secrets hidden), or None."""
    with store.engine.connect() as conn:
        found = _load(conn, dt.subscriptions.c.subscription_id == subscription_id)
    return found[0] if found else None


def subscription_for_channel(store: Store, channel_id: str) -> Subscription | None:
    """The subscription a channel belongs to (with all its channels), or None when there is no such channel."""
    c = dt.subscription_channels.c
    with store.engine.connect() as conn:
        owner_id = conn.execute(sa.select(c.subscription_id).where(c.channel_id == channel_id)).scalar()
        if owner_id is None:
            return None
        found = _load(conn, dt.subscriptions.c.subscription_id == owner_id)
    return found[0] if found else None


def list_subscriptions(store: Store, owner: str | None = None) -> list[Subscription]:
    """Every subscription (or one owner's), with channels and their disabled state, by owner and name."""
    with store.engine.connect() as conn:
        return _load(conn, dt.subscriptions.c.owner == owner if owner is not None else None)


# ----------------------------------------------------------------------------------- writing


def check_filters(conn: sa.Connection, filters: SubscriptionFilters) -> None:
    """ValueError when a filter is on an account field (owner, industry, type, country, territory)
    that no stored CRM account fills: the accounts export has no such column (or leaves it empty),
    so the filter could never let an alert through, and the rep would wait for nothing. With no
    accounts stored yet (before the first run) there is nothing to check against."""
    a = core_tables.accounts.c
    if conn.execute(sa.select(a.account_id).limit(1)).first() is None:
        return
    filled = []
    missing = []
    for filter_name, field in ACCOUNT_FILTERS.items():
        column = a[field]
        has_values = (
            conn.execute(sa.select(a.account_id).where(column.is_not(None), column != "").limit(1)).first()
            is not None
        )
        if has_values:
            filled.append(f"{filter_name} ({field})")
        elif getattr(filters, filter_name):
            missing.append((filter_name, field))
    if missing:
        names = ", ".join(f"filters.{name}" for name, _ in missing)
        fields = " or ".join(field for _, field in missing)
        raise ValueError(
            f"delivery: {names} can never match: no CRM account in the store has a {fields} (the accounts "
            "export has no such column, or leaves it empty). Remove the filter, or add the column to the "
            f"export; filters that can match here: {', '.join(filled) or 'none of the account filters'}"
        )


def _normalised(spec: ChannelSpec) -> ChannelSpec:
    # Email digests are daily unless asked otherwise; the stored channel always says which.
    if spec.kind == "email" and spec.period is None:
        return spec.model_copy(update={"period": "daily"})
    return spec


def _validated_channel(
    spec: ChannelSpec,
    *,
    allow_private: bool,
    allowed_hosts: Sequence[str],
    generate_secret: bool = True,
    strict_dns: bool = True,
) -> ChannelSpec:
    """The spec with defaults filled in, or ValueError / UnsafeTargetError saying what to fix.

    With `strict_dns` off (config files, read where DNS may be down), a host that does not
    resolve is accepted here; the sender checks every address again before each request."""
    spec = _normalised(spec)
    if spec.kind == "email":
        try:
            check_email_address(spec.target)
        except ValueError as exc:
            raise ValueError(f"delivery: email channel target {spec.target!r} {exc}") from None
        if spec.secret:
            raise ValueError("delivery: an email channel takes no secret")
        return spec
    if spec.period is not None:
        raise ValueError(f"delivery: {spec.kind} channels send each alert at once; 'period' is for email")
    try:
        check_target_url(spec.target, allow_private=allow_private, allowed_hosts=allowed_hosts)
    except TargetResolutionError:
        if strict_dns:
            raise
    if spec.kind == "slack":
        if spec.secret:
            raise ValueError("delivery: a slack channel takes no secret (the webhook URL is the secret)")
        return spec
    if spec.secret or not generate_secret:
        return spec
    return spec.model_copy(update={"secret": new_webhook_secret()})


def _insert_channel(conn: sa.Connection, subscription_id: str, spec: ChannelSpec, now: datetime) -> str:
    channel_id = _new_id()
    conn.execute(
        sa.insert(dt.subscription_channels).values(
            channel_id=channel_id,
            subscription_id=subscription_id,
            kind=spec.kind,
            target=spec.target,
            secret=spec.secret,
            period=spec.period,
            disabled=False,
            consecutive_failures=0,
            consecutive_dead=0,
            created_at=now,
        )
    )
    return channel_id


def _name_taken(conn: sa.Connection, owner: str, name: str, except_id: str | None = None) -> bool:
    s = dt.subscriptions.c
    stmt = sa.select(s.subscription_id).where(s.owner == owner, s.name == name)
    if except_id is not None:
        stmt = stmt.where(s.subscription_id != except_id)
    return conn.execute(stmt).first() is not None


def _create(
    conn: sa.Connection,
    spec: SubscriptionSpec,
    channels: Sequence[ChannelSpec],
    origin: SubscriptionOrigin,
    now: datetime,
) -> Subscription:
    if _name_taken(conn, spec.owner, spec.name):
        raise ValueError(
            f"delivery: {spec.owner!r} already has a subscription named {spec.name!r}; pick another name "
            "or update that one"
        )
    subscription_id = _new_id()
    token = new_feed_token()
    conn.execute(
        sa.insert(dt.subscriptions).values(
            subscription_id=subscription_id,
            name=spec.name,
            owner=spec.owner,
            filters=spec.filters.model_dump(mode="json"),
            origin=origin,
            feed_token_hash=feed_token_hash(token),
            created_at=now,
            updated_at=now,
        )
    )
    secrets = {}
    for index, channel in enumerate(channels):
        # A microsecond apart, so listings keep the order the channels were given in.
        channel_id = _insert_channel(conn, subscription_id, channel, now + timedelta(microseconds=index))
        if channel.kind == "webhook" and channel.secret:
            secrets[channel_id] = channel.secret
    created = _load(conn, dt.subscriptions.c.subscription_id == subscription_id, secrets=secrets)[0]
    return created.model_copy(update={"feed_token": token})


def create_subscription(
    store: Store,
    spec: SubscriptionSpec,
    *,
    allow_private: bool = False,
    allowed_hosts: Sequence[str] = (),
) -> Subscription:
    """Create a subscription with its channels. The answer carries the feed token and generated
    webhook secrets in clear, once; later reads never show them. Raises ValueError (bad spec, e.g.
    a name the owner already uses) or UnsafeTargetError (a webhook URL pointing at a private address)."""
    channels = [
        _validated_channel(c, allow_private=allow_private, allowed_hosts=allowed_hosts) for c in spec.channels
    ]
    with writing(store) as conn:
        check_filters(conn, spec.filters)
        return _create(conn, spec, channels, "api", store.clock())


def _channel_key(kind: str, target: str, period: str | None) -> tuple[str, str, str]:
    return (kind, target.strip(), period or "")


def _replace_channels(
    conn: sa.Connection, subscription_id: str, wanted: Sequence[ChannelSpec], now: datetime
) -> dict[str, str]:
    """Make the subscription's channels exactly `wanted`: same kind+target+period keeps the channel
    (its id, state and secret unless a new secret is given); returns new/changed webhook secrets."""
    c = dt.subscription_channels.c
    existing = {
        _channel_key(r.kind, r.target, r.period): r
        for r in conn.execute(
            sa.select(c.channel_id, c.kind, c.target, c.period, c.secret).where(
                c.subscription_id == subscription_id
            )
        )
    }
    secrets: dict[str, str] = {}
    keep: set[str] = set()
    for spec in wanted:
        key = _channel_key(spec.kind, spec.target, spec.period)
        row = existing.get(key)
        if row is None:
            channel_id = _insert_channel(conn, subscription_id, spec, now)
            if spec.kind == "webhook" and spec.secret:
                secrets[channel_id] = spec.secret
        else:
            channel_id = row.channel_id
            if spec.kind == "webhook" and spec.secret and spec.secret != row.secret:
                conn.execute(
                    sa.update(dt.subscription_channels)
                    .where(c.channel_id == channel_id)
                    .values(secret=spec.secret)
                )
        keep.add(channel_id)
    gone = [r.channel_id for r in existing.values() if r.channel_id not in keep]
    if gone:
        _delete_channels(conn, gone)
    return secrets


def _delete_channels(conn: sa.Connection, channel_ids: Sequence[str]) -> None:
    d = dt.deliveries.c
    conn.execute(sa.delete(dt.deliveries).where(d.channel_id.in_(channel_ids), d.status == "pending"))
    conn.execute(
        sa.delete(dt.subscription_channels).where(dt.subscription_channels.c.channel_id.in_(channel_ids))
    )


def update_subscription(
    store: Store,
    subscription_id: str,
    spec: SubscriptionSpec,
    *,
    allow_private: bool = False,
    allowed_hosts: Sequence[str] = (),
) -> Subscription:
    """Replace name, owner, filters and channels. A channel with the same kind, target and period
    as a stored one keeps its id, state and secret; stored channels not in `spec.channels` go.
    Webhook secrets are only generated for new channels (and shown in this answer only).

    Channel targets are the full URLs: listings show them redacted, so to change only filters or
    names without retyping targets, keep the channels by calling `update_filters` instead."""
    channels = list(spec.channels)
    s = dt.subscriptions.c
    with writing(store) as conn:
        if (
            conn.execute(sa.select(s.subscription_id).where(s.subscription_id == subscription_id)).first()
            is None
        ):
            raise KeyError(f"delivery: no subscription {subscription_id!r}")
        known = {
            _channel_key(r.kind, r.target, r.period)
            for r in conn.execute(
                sa.select(dt.subscription_channels).where(
                    dt.subscription_channels.c.subscription_id == subscription_id
                )
            )
        }
        checked = [
            _normalised(ch)
            if _channel_key(ch.kind, ch.target, _normalised(ch).period) in known
            else _validated_channel(ch, allow_private=allow_private, allowed_hosts=allowed_hosts)
            for ch in channels
        ]
        if _name_taken(conn, spec.owner, spec.name, except_id=subscription_id):
            raise ValueError(f"delivery: {spec.owner!r} already has a subscription named {spec.name!r}")
        check_filters(conn, spec.filters)
        now = store.clock()
        conn.execute(
            sa.update(dt.subscriptions)
            .where(s.subscription_id == subscription_id)
            .values(
                name=spec.name, owner=spec.owner, filters=spec.filters.model_dump(mode="json"), updated_at=now
            )
        )
        secrets = _replace_channels(conn, subscription_id, checked, now)
        return _load(conn, s.subscription_id == subscription_id, secrets=secrets)[0]


def update_filters(
    store: Store,
    subscription_id: str,
    filters: SubscriptionFilters,
    *,
    name: str | None = None,
    owner: str | None = None,
) -> Subscription:
    """Change a subscription's filters (and optionally its name or owner), leaving its channels alone."""
    s = dt.subscriptions.c
    with writing(store) as conn:
        row = conn.execute(sa.select(s.name, s.owner).where(s.subscription_id == subscription_id)).first()
        if row is None:
            raise KeyError(f"delivery: no subscription {subscription_id!r}")
        new_name, new_owner = name or row.name, owner or row.owner
        if _name_taken(conn, new_owner, new_name, except_id=subscription_id):
            raise ValueError(f"delivery: {new_owner!r} already has a subscription named {new_name!r}")
        check_filters(conn, filters)
        conn.execute(
            sa.update(dt.subscriptions)
            .where(s.subscription_id == subscription_id)
            .values(
                name=new_name,
                owner=new_owner,
                filters=filters.model_dump(mode="json"),
                updated_at=store.clock(),
            )
        )
        return _load(conn, s.subscription_id == subscription_id)[0]


def delete_subscription(store: Store, subscription_id: str) -> bool:
    """Delete a subscription, its channels and its pending deliveries; False when there was none."""
    with writing(store) as conn:
        return _delete_subscription(conn, subscription_id)


def _delete_subscription(conn: sa.Connection, subscription_id: str) -> bool:
    c = dt.subscription_channels.c
    channel_ids = [
        r[0] for r in conn.execute(sa.select(c.channel_id).where(c.subscription_id == subscription_id))
    ]
    if channel_ids:
        _delete_channels(conn, channel_ids)
    result = conn.execute(
        sa.delete(dt.subscriptions).where(dt.subscriptions.c.subscription_id == subscription_id)
    )
    return bool(result.rowcount)


def add_channel(
    store: Store,
    subscription_id: str,
    spec: ChannelSpec,
    *,
    allow_private: bool = False,
    allowed_hosts: Sequence[str] = (),
) -> Channel:
    """Add one channel to a subscription (the answer shows a generated webhook secret once)."""
    checked = _validated_channel(spec, allow_private=allow_private, allowed_hosts=allowed_hosts)
    with writing(store) as conn:
        if get_subscription_row(conn, subscription_id) is None:
            raise KeyError(f"delivery: no subscription {subscription_id!r}")
        c = dt.subscription_channels.c
        count = conn.execute(
            sa.select(sa.func.count())
            .select_from(dt.subscription_channels)
            .where(c.subscription_id == subscription_id)
        ).scalar_one()
        if count >= MAX_CHANNELS:
            raise ValueError(
                f"delivery: subscription {subscription_id!r} already has {count} channels, the most one may "
                "have; remove one first, or make another subscription"
            )
        channel_id = _insert_channel(conn, subscription_id, checked, store.clock())
        row = _channel_row(conn, channel_id)
    assert row is not None
    return _channel(row, checked.secret if checked.kind == "webhook" else None)


def get_subscription_row(conn: sa.Connection, subscription_id: str) -> Any:
    s = dt.subscriptions.c
    return conn.execute(sa.select(dt.subscriptions).where(s.subscription_id == subscription_id)).first()


def _channel_row(conn: sa.Connection, channel_id: str) -> Mapping[Any, Any] | None:
    c = dt.subscription_channels.c
    return (
        conn.execute(sa.select(dt.subscription_channels).where(c.channel_id == channel_id)).mappings().first()
    )


def remove_channel(store: Store, channel_id: str) -> bool:
    """Remove one channel and its pending deliveries; False when there was none."""
    with writing(store) as conn:
        if _channel_row(conn, channel_id) is None:
            return False
        _delete_channels(conn, [channel_id])
    return True


def _set_channel(store: Store, channel_id: str, **values: Any) -> Channel:
    with writing(store) as conn:
        result = conn.execute(
            sa.update(dt.subscription_channels)
            .where(dt.subscription_channels.c.channel_id == channel_id)
            .values(**values)
        )
        if not result.rowcount:
            raise KeyError(f"delivery: no channel {channel_id!r}")
        row = _channel_row(conn, channel_id)
    assert row is not None
    return _channel(row)


def enable_channel(store: Store, channel_id: str) -> Channel:
    """Re-enable a channel (e.g. after it was disabled automatically) and reset its failure counts."""
    return _set_channel(
        store,
        channel_id,
        disabled=False,
        disabled_reason=None,
        disabled_at=None,
        consecutive_failures=0,
        consecutive_dead=0,
    )


def disable_channel(store: Store, channel_id: str, reason: str) -> Channel:
    """Disable a channel by hand; its deliveries wait until it is enabled again."""
    return _set_channel(
        store,
        channel_id,
        disabled=True,
        disabled_reason=redact(reason) or "disabled by hand",
        disabled_at=store.clock(),
    )


def rotate_feed_token(store: Store, subscription_id: str) -> str:
    """A new feed token for the subscription (the old feed URL stops working); returns it in clear."""
    token = new_feed_token()
    with writing(store) as conn:
        result = conn.execute(
            sa.update(dt.subscriptions)
            .where(dt.subscriptions.c.subscription_id == subscription_id)
            .values(feed_token_hash=feed_token_hash(token), updated_at=store.clock())
        )
    if not result.rowcount:
        raise KeyError(f"delivery: no subscription {subscription_id!r}")
    return token


def subscription_for_feed_token(store: Store, token: str) -> Subscription | None:
    """The subscription whose private feed URL carries `token`, or None.

    Looked up by the token's sha256, which the database compares; the stored hash is then compared
    again in constant time, so neither the lookup nor the answer leaks the token."""
    if not token or len(token) > 256:
        return None
    wanted = feed_token_hash(token)
    s = dt.subscriptions.c
    with store.engine.connect() as conn:
        row = conn.execute(
            sa.select(s.subscription_id, s.feed_token_hash).where(s.feed_token_hash == wanted)
        ).first()
        if row is None or not hmac.compare_digest(row.feed_token_hash or "", wanted):
            return None
        found = _load(conn, s.subscription_id == row.subscription_id)
    return found[0] if found else None


# ----------------------------------------------------------------------------------- alerts


def alert_from_row(row: Mapping[Any, Any]) -> Alert:
    """An alert as stored in the alerts table."""
    return Alert.model_validate({**row["payload"], "created_at": row["created_at"]})


def stored_alerts(
    store: Store,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = SCAN_LIMIT,
) -> list[Alert]:
    """Enqueued alerts, newest first, created in [since, until)."""
    a = dt.alerts.c
    stmt = sa.select(dt.alerts).order_by(a.created_at.desc(), a.alert_id).limit(limit)
    if since is not None:
        stmt = stmt.where(a.created_at >= since)
    if until is not None:
        stmt = stmt.where(a.created_at < until)
    with store.engine.connect() as conn:
        return [alert_from_row(r) for r in conn.execute(stmt).mappings()]


def feed_alerts(store: Store, subscription: Subscription, *, limit: int = 50) -> list[Alert]:
    """The newest enqueued alerts that match the subscription, newest first (what its feed shows)."""
    out = []
    for alert in stored_alerts(store):
        if matches(subscription, alert):
            out.append(alert)
            if len(out) >= limit:
                break
    return out


def _delivery(row: Mapping[Any, Any]) -> Delivery:
    data = dict(row)
    if data.get("last_error"):
        data["last_error"] = redact(data["last_error"])
    return Delivery.model_validate(data)


def list_deliveries(
    store: Store,
    *,
    subscription_id: str | None = None,
    status: DeliveryStatus | None = None,
    channel_id: str | None = None,
    limit: int = 200,
) -> list[Delivery]:
    """Deliveries, newest first, optionally of one subscription, channel or status (errors redacted)."""
    d = dt.deliveries.c
    stmt = sa.select(dt.deliveries).order_by(d.created_at.desc(), d.idempotency_key).limit(limit)
    if subscription_id is not None:
        stmt = stmt.where(d.subscription_id == subscription_id)
    if channel_id is not None:
        stmt = stmt.where(d.channel_id == channel_id)
    if status is not None:
        stmt = stmt.where(d.status == status)
    with store.engine.connect() as conn:
        return [_delivery(r) for r in conn.execute(stmt).mappings()]


def replay_dead(store: Store, channel_id: str, *, since: datetime | None = None) -> int:
    """Give a channel's dead deliveries (those created at or after `since`, if given) another full
    set of attempts, due now; returns how many. They keep their idempotency keys, so a receiver
    that did get one after all can tell it is the same. KeyError when there is no such channel;
    ValueError when the channel is disabled (enable it first, or they would only wait)."""
    d = dt.deliveries.c
    with writing(store) as conn:
        channel = _channel_row(conn, channel_id)
        if channel is None:
            raise KeyError(f"delivery: no channel {channel_id!r}")
        if channel["disabled"]:
            raise ValueError(
                f"delivery: channel {channel_id!r} is disabled ({channel['disabled_reason'] or 'by hand'}); "
                "enable it first, then replay"
            )
        stmt = (
            sa.update(dt.deliveries)
            .where(d.channel_id == channel_id, d.status == "dead")
            .values(status="pending", attempts=0, next_attempt_at=store.clock(), last_error=None)
        )
        if since is not None:
            stmt = stmt.where(d.created_at >= since)
        replayed = int(conn.execute(stmt).rowcount or 0)
        if replayed:
            # A fresh start for the channel's health too: the replay is a deliberate new try.
            conn.execute(
                sa.update(dt.subscription_channels)
                .where(dt.subscription_channels.c.channel_id == channel_id)
                .values(consecutive_failures=0, consecutive_dead=0)
            )
    return replayed


# ----------------------------------------------------------------------------------- config


def _spec_from_config(index: int, raw: Mapping[str, Any]) -> SubscriptionSpec:
    label = f"subscriptions[{index}]" + (
        f" ({raw.get('name')!r})" if isinstance(raw, Mapping) and raw.get("name") else ""
    )
    if not isinstance(raw, Mapping):
        raise ConfigError(f"config: {label} must be a table with name, owner, filters and channels")
    data = dict(raw)
    filters = dict(data.pop("filters", None) or {})
    for key in FILTER_KEYS:
        if key in data:
            filters[key] = data.pop(key)
    # Singular spellings read naturally in TOML ("type = 'ipo'", "territory = 'EMEA'").
    for key in [k for k in data if k not in SubscriptionSpec.model_fields]:
        plural = key + "s" if not key.endswith("y") else key[:-1] + "ies"
        if plural in FILTER_KEYS and plural not in filters:
            value = data.pop(key)
            filters[plural] = value if isinstance(value, list) else [value]
    try:
        return SubscriptionSpec.model_validate({**data, "filters": filters})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'subscription'}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(
            f"config: {label} is invalid: {redact(problems)}. Known filter keys: {', '.join(FILTER_KEYS)}; "
            "channels are tables of kind (slack|webhook|email), target, secret, period"
        ) from exc


def sync_from_config(
    store: Store,
    subscriptions: Sequence[Mapping[str, Any]],
    *,
    allow_private: bool = False,
    allowed_hosts: Sequence[str] = (),
    prune: bool = True,
) -> list[Subscription]:
    """Upsert subscriptions from the config file's `[[subscriptions]]` tables, keyed by (owner, name).

    Each table: name, owner, filter keys (types, segments, owners, account_ids, industries,
    account_types, countries, territories, min_confidence, matched_only; at the top level or in a
    `filters` table) and optional `channels` (a list of {kind, target, secret, period}). Running it
    again with the same config changes nothing. With `prune`, a subscription that came from the
    config and is no longer there is removed; subscriptions created through the API are never
    touched unless the config names the same (owner, name). Returns the subscriptions in config
    order (new ones carry their feed token). Raises `schemas.errors.ConfigError` naming the
    subscription and the field to fix.
    """
    specs = [_spec_from_config(i, raw) for i, raw in enumerate(subscriptions)]
    seen: dict[tuple[str, str], int] = {}
    for i, spec in enumerate(specs):
        key = (spec.owner, spec.name)
        if key in seen:
            raise ConfigError(
                f"config: subscriptions[{i}] repeats owner {spec.owner!r} and name {spec.name!r} "
                f"(also subscriptions[{seen[key]}]); give each subscription of an owner its own name"
            )
        seen[key] = i
    checked: list[list[ChannelSpec]] = []
    for i, spec in enumerate(specs):
        try:
            checked.append(
                [
                    _validated_channel(
                        c,
                        allow_private=allow_private,
                        allowed_hosts=allowed_hosts,
                        generate_secret=False,
                        strict_dns=False,
                    )
                    for c in spec.channels
                ]
            )
        except ValueError as exc:
            raise ConfigError(f"config: subscriptions[{i}] ({spec.name!r}): {redact(str(exc))}") from exc
    s = dt.subscriptions.c
    out: list[Subscription] = []
    now = store.clock()
    with writing(store) as conn:
        for i, spec in enumerate(specs):
            try:
                check_filters(conn, spec.filters)
            except ValueError as exc:
                raise ConfigError(f"config: subscriptions[{i}] ({spec.name!r}): {redact(str(exc))}") from exc
        for spec, channels in zip(specs, checked, strict=True):
            row = conn.execute(
                sa.select(s.subscription_id, s.filters, s.origin).where(
                    s.owner == spec.owner, s.name == spec.name
                )
            ).first()
            if row is None:
                out.append(_create(conn, spec, [_with_secret(c) for c in channels], "config", now))
                continue
            filters = spec.filters.model_dump(mode="json")
            if row.filters != filters or row.origin != "config":
                conn.execute(
                    sa.update(dt.subscriptions)
                    .where(s.subscription_id == row.subscription_id)
                    .values(filters=filters, origin="config", updated_at=now)
                )
            # A config channel without a secret keeps the one generated when it was created.
            kept = [_with_secret(c) for c in _keep_secrets(conn, row.subscription_id, channels)]
            secrets = _replace_channels(conn, row.subscription_id, kept, now)
            out.append(_load(conn, s.subscription_id == row.subscription_id, secrets=secrets)[0])
        if prune:
            wanted = {(spec.owner, spec.name) for spec in specs}
            for r in conn.execute(
                sa.select(s.subscription_id, s.owner, s.name).where(s.origin == "config")
            ).all():
                if (r.owner, r.name) not in wanted:
                    _delete_subscription(conn, r.subscription_id)
    return out


def _with_secret(spec: ChannelSpec) -> ChannelSpec:
    if spec.kind == "webhook" and not spec.secret:
        return spec.model_copy(update={"secret": new_webhook_secret()})
    return spec


def _keep_secrets(
    conn: sa.Connection, subscription_id: str, channels: Sequence[ChannelSpec]
) -> list[ChannelSpec]:
    """Channels whose secret was generated (not given in the config) keep the stored secret."""
    c = dt.subscription_channels.c
    stored = {
        _channel_key(r.kind, r.target, r.period): r.secret
        for r in conn.execute(
            sa.select(c.kind, c.target, c.period, c.secret).where(c.subscription_id == subscription_id)
        )
    }
    return [
        ch.model_copy(update={"secret": stored[_channel_key(ch.kind, ch.target, ch.period)]})
        if ch.kind == "webhook" and not ch.secret and _channel_key(ch.kind, ch.target, ch.period) in stored
        else ch
        for ch in channels
    ]
