"""Alerts as a sink after the store, the [delivery] settings, and the delivery loop."""

from __future__ import annotations

import asyncio

import pytest
from delivery_helpers import Clock, Receiver

from schemas import Account
from schemas.errors import ConfigError
from sinks.base import Batch
from sinks.delivery.api import (
    Alert,
    AlertSink,
    ChannelSpec,
    DeliveryService,
    DeliverySettings,
    SubscriptionFilters,
    SubscriptionSpec,
    accounts_for,
    alerts_from_batch,
    alerts_from_store,
    create_subscription,
    list_deliveries,
)
from sinks.store import Store


def _subscribe(store: Store, target: str, **filters: object) -> None:
    create_subscription(
        store,
        SubscriptionSpec(
            name="s",
            owner="dana@example.com",
            filters=SubscriptionFilters.model_validate(filters),
            channels=[ChannelSpec(kind="slack", target=target)],
        ),
        allow_private=True,
    )


def test_the_alert_sink_sends_a_batch_once(
    sqlite_store: Store, receiver: Receiver, batch: Batch, accounts: dict[str, Account]
) -> None:
    sqlite_store.upsert_accounts(accounts.values())
    sqlite_store.write(batch)
    _subscribe(sqlite_store, receiver.url("/s"), territories=["EMEA"])
    assert set(accounts_for(sqlite_store, batch)) == {"A1", "A2", "A3"}

    sink = AlertSink(sqlite_store, settings=DeliverySettings(allow_private=True))
    sink.write(batch)
    sink.write(batch)  # the same batch again (a re-run): nothing new
    sink.close()
    assert sink.enqueued == 2
    assert len(receiver.to("/s")) == 2
    assert sum(r.sent for r in sink.reports) == 2


def test_inside_an_event_loop_the_sink_only_enqueues(
    sqlite_store: Store, receiver: Receiver, batch: Batch, accounts: dict[str, Account]
) -> None:
    _subscribe(sqlite_store, receiver.url("/s"))
    sink = AlertSink(sqlite_store, settings=DeliverySettings(allow_private=True), accounts=accounts)

    async def agent() -> None:
        sink.write(batch)
        report = await sink.service.adeliver_due()
        assert report.sent == 3

    asyncio.run(agent())
    assert len(receiver.to("/s")) == 3 and sink.reports == []


def test_delivery_settings_from_the_config(monkeypatch: pytest.MonkeyPatch, sqlite_store: Store) -> None:
    settings = DeliverySettings.from_config(
        {"smtp_host": "mail.internal", "max_attempts": 2, "max_age_days": 7}
    )
    monkeypatch.delenv("BUYSIGNAL_TEST_SMTP_PW", raising=False)
    service = settings.service(sqlite_store)
    assert service.smtp == ("mail.internal", 25) and service.max_attempts == 2
    assert DeliverySettings.from_config(None) == DeliverySettings()
    with pytest.raises(ConfigError, match="max_attempts"):
        DeliverySettings.from_config({"max_attempts": 0})
    with pytest.raises(ConfigError, match="smtp_pasword"):
        DeliverySettings.from_config({"smtp_pasword": "hunter2"})
    with pytest.raises(ConfigError, match="BUYSIGNAL_TEST_SMTP_PW"):
        DeliverySettings(smtp_password_env="BUYSIGNAL_TEST_SMTP_PW").service(sqlite_store)
    monkeypatch.setenv("BUYSIGNAL_TEST_SMTP_PW", "pa55")
    assert (
        DeliverySettings(smtp_password_env="BUYSIGNAL_TEST_SMTP_PW").service(sqlite_store).smtp_password
        == "pa55"
    )
    assert "pa55" not in repr(service)


def test_an_oversized_payload_is_dead_at_once(
    sqlite_store: Store, receiver: Receiver, clock: Clock, alerts: list[Alert]
) -> None:
    _subscribe(sqlite_store, receiver.url("/s"), types=["funding_round"])
    service = DeliveryService(sqlite_store, allow_private=True, max_payload_bytes=200, now=clock)
    service.enqueue(alerts)
    report = service.deliver_due()
    assert report.dead == 1 and receiver.requests == []
    (row,) = list_deliveries(sqlite_store)
    assert row.status == "dead" and "limit" in (row.last_error or "")


def test_the_delivery_loop_runs_until_stopped(
    sqlite_store: Store, receiver: Receiver, clock: Clock, alerts: list[Alert]
) -> None:
    _subscribe(sqlite_store, receiver.url("/s"))
    service = DeliveryService(sqlite_store, allow_private=True, now=clock)
    service.enqueue(alerts)

    async def main() -> None:
        stop = asyncio.Event()
        loop_task = asyncio.create_task(service.run_forever(interval=0.01, stop=stop))

        async def all_arrived() -> None:
            while len(receiver.to("/s")) < 3:
                await asyncio.sleep(0.01)

        await asyncio.wait_for(all_arrived(), timeout=10)
        stop.set()
        await asyncio.wait_for(loop_task, timeout=5)

    asyncio.run(main())
    assert len(receiver.to("/s")) == 3


def test_alerts_from_store_match_alerts_from_the_batch(
    store: Store, batch: Batch, accounts: dict[str, Account]
) -> None:
    store.upsert_accounts(accounts.values())
    store.write(batch)
    ids = [e.event_id for e in batch.events]
    assert alerts_from_store(store, ids) == alerts_from_batch(batch, accounts)
    assert alerts_from_store(store, []) == []
