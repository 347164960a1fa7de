"""Subscriptions, channels, feeds and the delivery queue in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from schemas.errors import ConfigError
from sinks import tables as core_tables
from sinks.delivery import tables as dt
from sinks.delivery.api import (
    Alert,
    ChannelSpec,
    DeliveryService,
    SubscriptionFilters,
    SubscriptionSpec,
    UnsafeTargetError,
    create_subscription,
    delete_subscription,
    feed_alerts,
    get_subscription,
    list_deliveries,
    list_subscriptions,
    rotate_feed_token,
    subscription_for_feed_token,
    sync_from_config,
    update_subscription,
)
from sinks.store import Store

HOOK = "https://93.184.216.34/services/T0ABCDEF1/B0ABCDEF2/aB3dE5gH7jK9mN1pQ3rS5tU7"


def _spec(name: str = "funding", owner: str = "dana@example.com", **filters: object) -> SubscriptionSpec:
    return SubscriptionSpec(
        name=name,
        owner=owner,
        filters=SubscriptionFilters.model_validate(filters),
        channels=[
            ChannelSpec(kind="slack", target=HOOK),
            ChannelSpec(kind="webhook", target="https://93.184.216.34/buysignal"),
            ChannelSpec(kind="email", target="dana@example.com", period="weekly"),
        ],
    )


def test_the_migration_builds_exactly_the_delivery_tables(store: Store) -> None:
    assert store.revision() == Store.head_revision() is not None
    combined = sa.MetaData()
    for table in (*core_tables.metadata.tables.values(), *dt.metadata.tables.values()):
        table.to_metadata(combined)
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), combined)
    assert [d for d in diff if not (d[0] == "remove_table" and d[1].name == core_tables.VERSION_TABLE)] == []


def test_downgrade_to_0001_drops_only_the_delivery_tables(store: Store) -> None:
    config = store._alembic_config()
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0001_initial")
    names = set(sa.inspect(store.engine).get_table_names())
    assert not names & {t.name for t in dt.ALL_TABLES}
    assert "events" in names
    assert store.migrate() == Store.head_revision()


def test_create_list_update_delete(store: Store) -> None:
    created = create_subscription(store, _spec(types=["funding_round"]))
    assert created.feed_token and len(created.feed_token) >= 40
    webhook = next(c for c in created.channels if c.kind == "webhook")
    assert webhook.secret and webhook.has_secret
    email = next(c for c in created.channels if c.kind == "email")
    assert email.period == "weekly"

    listed = list_subscriptions(store)
    assert [s.subscription_id for s in listed] == [created.subscription_id]
    again = listed[0]
    assert again.feed_token is None and all(c.secret is None for c in again.channels)
    slack = next(c for c in again.channels if c.kind == "slack")
    assert "aB3dE5gH7jK9mN1pQ3rS5tU7" not in slack.target and slack.target.startswith(
        "https://93.184.216.34/services/"
    )
    assert not slack.disabled and slack.disabled_reason is None
    assert list_subscriptions(store, owner="lee@example.com") == []

    with pytest.raises(ValueError, match="already has a subscription"):
        create_subscription(store, _spec())

    spec = _spec(name="funding+execs", types=["funding_round", "executive_hire"])
    changed = update_subscription(
        store,
        created.subscription_id,
        spec.model_copy(
            update={"channels": [spec.channels[0], ChannelSpec(kind="email", target="team@example.com")]}
        ),
    )
    assert changed.name == "funding+execs"
    assert changed.filters.types == ["funding_round", "executive_hire"]
    kept = next(c for c in changed.channels if c.kind == "slack")
    assert kept.channel_id == slack.channel_id  # same target: same channel
    assert sorted(c.kind for c in changed.channels) == ["email", "slack"]
    assert next(c for c in changed.channels if c.kind == "email").period == "daily"

    assert get_subscription(store, created.subscription_id) is not None
    assert delete_subscription(store, created.subscription_id)
    assert not delete_subscription(store, created.subscription_id)
    assert get_subscription(store, created.subscription_id) is None
    with store.engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(dt.subscription_channels)).scalar_one() == 0
        )


def test_private_webhook_targets_are_refused_unless_allowed(store: Store) -> None:
    spec = SubscriptionSpec(
        name="x", owner="o", channels=[ChannelSpec(kind="webhook", target="http://169.254.169.254/latest")]
    )
    with pytest.raises(UnsafeTargetError):
        create_subscription(store, spec)
    assert list_subscriptions(store) == []
    local = spec.model_copy(update={"channels": [ChannelSpec(kind="webhook", target="http://127.0.0.1:9/h")]})
    assert create_subscription(store, local, allow_private=True).channels[0].kind == "webhook"
    with pytest.raises(ValueError, match="email"):
        create_subscription(
            store,
            SubscriptionSpec(
                name="y", owner="o", channels=[ChannelSpec(kind="email", target="not-an-address")]
            ),
        )


def test_the_feed_token_finds_its_subscription_until_rotated(store: Store, alerts: list[Alert]) -> None:
    created = create_subscription(store, _spec(owners=["dana@example.com"]))
    other = create_subscription(store, _spec(name="lee", owner="lee@example.com"))
    assert created.feed_token and other.feed_token
    found = subscription_for_feed_token(store, created.feed_token)
    assert found is not None and found.subscription_id == created.subscription_id
    assert subscription_for_feed_token(store, created.feed_token + "x") is None
    assert subscription_for_feed_token(store, "") is None
    with store.engine.connect() as conn:
        dumped = str([dict(r) for r in conn.execute(sa.select(dt.subscriptions)).mappings()])
    assert created.feed_token not in dumped

    DeliveryService(store).enqueue(alerts)
    shown = feed_alerts(store, found)
    assert {a.alert_id for a in shown} == {"ev-funding-acme", "ev-layoffs-cobalt"}
    assert all(a.created_at is not None for a in shown)

    new_token = rotate_feed_token(store, created.subscription_id)
    assert subscription_for_feed_token(store, created.feed_token) is None
    assert subscription_for_feed_token(store, new_token).subscription_id == created.subscription_id  # type: ignore[union-attr]


def test_enqueue_creates_each_delivery_once(store: Store, alerts: list[Alert]) -> None:
    dana = create_subscription(store, _spec(owners=["dana@example.com"]))
    create_subscription(store, _spec(name="execs", owner="lee@example.com", types=["executive_hire"]))
    service = DeliveryService(store)
    # dana: 2 alerts x 2 push channels; lee: 1 alert x 2 push channels; email waits for the digest.
    assert service.enqueue(alerts) == 6
    assert service.enqueue(alerts) == 0
    assert service.enqueue(alerts[:1]) == 0
    rows = list_deliveries(store)
    assert len(rows) == 6 and {r.status for r in rows} == {"pending"}
    assert len({r.idempotency_key for r in rows}) == 6
    assert {r.alert_id for r in list_deliveries(store, subscription_id=dana.subscription_id)} == {
        "ev-funding-acme",
        "ev-layoffs-cobalt",
    }
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(dt.alerts)).scalar_one() == len(alerts)


CONFIG: list[dict[str, Any]] = [
    {
        "name": "EMEA funding",
        "owner": "dana@example.com",
        "types": ["funding_round"],
        "territory": "EMEA",
        "min_confidence": 0.7,
        "channels": [
            {"kind": "webhook", "target": "https://93.184.216.34/in"},
            {"kind": "email", "target": "dana@example.com"},
        ],
    },
    {"name": "execs", "owner": "lee@example.com", "filters": {"types": ["executive_hire"]}},
]


def test_sync_from_config_upserts_by_owner_and_name(store: Store) -> None:
    api_made = create_subscription(store, _spec(name="mine", owner="dana@example.com"))
    first = sync_from_config(store, CONFIG)
    assert [s.name for s in first] == ["EMEA funding", "execs"]
    assert first[0].filters.territories == ["EMEA"] and first[0].filters.min_confidence == 0.7
    assert {s.origin for s in first} == {"config"}
    before = {s.subscription_id: s for s in list_subscriptions(store)}
    assert len(before) == 3

    # Running it again changes nothing: same ids, same channels, same secrets.
    with store.engine.connect() as conn:
        secrets_before = sorted(
            r[0] or "" for r in conn.execute(sa.select(dt.subscription_channels.c.secret))
        )
    sync_from_config(store, CONFIG)
    after = {s.subscription_id: s for s in list_subscriptions(store)}
    assert after.keys() == before.keys()
    assert [c.channel_id for s in after.values() for c in s.channels] == [
        c.channel_id for s in before.values() for c in s.channels
    ]
    with store.engine.connect() as conn:
        secrets_after = sorted(r[0] or "" for r in conn.execute(sa.select(dt.subscription_channels.c.secret)))
    assert secrets_after == secrets_before

    # Edit one, drop the other: the dropped config subscription goes, the API one stays.
    edited = [{**CONFIG[0], "types": ["funding_round", "ipo"]}]
    sync_from_config(store, edited)
    names = {s.name: s for s in list_subscriptions(store)}
    assert set(names) == {"EMEA funding", "mine"}
    assert names["EMEA funding"].filters.types == ["funding_round", "ipo"]
    assert names["mine"].subscription_id == api_made.subscription_id


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ({"name": "x"}, "owner"),
        ({"name": "x", "owner": "o", "types": ["funding"]}, "types"),
        ({"name": "x", "owner": "o", "colour": "red"}, "colour"),
        ({"name": "x", "owner": "o", "channels": [{"kind": "pager", "target": "t"}]}, "kind"),
        (
            {"name": "x", "owner": "o", "channels": [{"kind": "webhook", "target": "http://10.1.2.3/h"}]},
            "10.1.2.3",
        ),
    ],
)
def test_sync_from_config_names_what_to_fix(store: Store, entry: dict[str, object], fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment) as caught:
        sync_from_config(store, [entry])
    assert "subscriptions[0]" in str(caught.value)
    assert list_subscriptions(store) == []


def test_sync_from_config_refuses_duplicates(store: Store) -> None:
    with pytest.raises(ConfigError, match="repeats"):
        sync_from_config(store, [CONFIG[1], CONFIG[1]])
