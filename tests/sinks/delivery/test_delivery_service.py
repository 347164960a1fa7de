"""Sending to real local receivers: once per alert per channel, signed, retried, dead, disabled,
and never held up by another endpoint."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from delivery_helpers import Clock, Receiver

from sinks.delivery.api import (
    Alert,
    ChannelSpec,
    DeliveryService,
    SubscriptionFilters,
    SubscriptionSpec,
    create_subscription,
    enable_channel,
    list_deliveries,
    list_subscriptions,
)
from sinks.delivery.messages import verify_signature
from sinks.store import Store


def _subscribe(
    store: Store, *channels: ChannelSpec, name: str = "funding", **filters: object
) -> dict[str, str]:
    """Create a subscription (private targets allowed); returns each channel kind's secret."""
    sub = create_subscription(
        store,
        SubscriptionSpec(
            name=name,
            owner="dana@example.com",
            filters=SubscriptionFilters.model_validate(filters),
            channels=list(channels),
        ),
        allow_private=True,
    )
    return {c.kind: c.secret or "" for c in sub.channels}


def _service(store: Store, clock: Clock, **kwargs: object) -> DeliveryService:
    options: dict[str, object] = {
        "allow_private": True,
        "max_attempts": 3,
        "base_delay": 10.0,
        "max_delay": 60.0,
        "timeout": 2.0,
        "now": clock,
    }
    options.update(kwargs)
    return DeliveryService(store, **options)  # type: ignore[arg-type]


def test_slack_and_signed_webhook_get_each_alert_once(
    store: Store, receiver: Receiver, clock: Clock, alerts: list[Alert]
) -> None:
    sqlite_store = store  # this one runs on both databases
    secrets = _subscribe(
        sqlite_store,
        ChannelSpec(kind="slack", target=receiver.url("/slack")),
        ChannelSpec(kind="webhook", target=receiver.url("/hook")),
        types=["funding_round", "executive_hire"],
    )
    secret = secrets["webhook"]
    assert secret
    service = _service(sqlite_store, clock)
    assert service.enqueue(alerts) == 4
    sent_at = clock()
    report = service.deliver_due()
    assert (report.attempted, report.sent, report.dead) == (4, 4, 0)

    # Repeats add nothing: enqueue again, deliver again.
    assert service.enqueue(alerts) == 0
    clock.advance(hours=2)
    assert service.deliver_due().attempted == 0
    assert len(receiver.to("/slack")) == 2 and len(receiver.to("/hook")) == 2

    slack = receiver.to("/slack")[0].json()
    assert set(slack) == {"text", "blocks"} and slack["text"].startswith(("Acme Robotics raised", "Borealis"))
    assert any("Acme Robotics raised a $25M Series B" in json.dumps(r.json()) for r in receiver.to("/slack"))

    hooks = receiver.to("/hook")
    for request in hooks:
        headers = {k.lower(): v for k, v in request.headers.items()}
        signature = headers["x-buysignal-signature"]
        assert verify_signature(secret, request.body, signature, clock=lambda: sent_at)
        assert not verify_signature("wrong-secret", request.body, signature, clock=lambda: sent_at)
        assert signature.startswith(f"t={headers['x-buysignal-timestamp']},v1=")
        # The timestamp is signed: two hours later the same request is a replay, refused.
        assert not verify_signature(secret, request.body, signature, clock=clock)
        body = request.json()
        assert headers["idempotency-key"] == body["id"]
        assert body["type"] == "buysignal.alert" and body["subscription"]["name"] == "funding"
    assert {r.json()["alert"]["event"]["event_id"] for r in hooks} == {"ev-funding-acme", "ev-hire-borealis"}
    assert len({r.headers["Idempotency-Key"] for r in hooks}) == 2
    assert {d.status for d in list_deliveries(sqlite_store)} == {"sent"}


def test_a_failure_is_retried_with_backoff_until_it_succeeds(
    sqlite_store: Store, receiver: Receiver, clock: Clock, alerts: list[Alert]
) -> None:
    receiver.plan("/flaky", 500, ("sleep", 1.0, 200), 200)
    _subscribe(
        sqlite_store, ChannelSpec(kind="webhook", target=receiver.url("/flaky")), types=["funding_round"]
    )
    service = _service(sqlite_store, clock, timeout=0.3)
    service.enqueue(alerts)

    first = service.deliver_due()
    assert (first.sent, first.retrying) == (0, 1) and "HTTP 500" in first.errors[0]
    (row,) = list_deliveries(sqlite_store)
    assert row.status == "pending" and row.attempts == 1
    assert row.next_attempt_at is not None
    wait = (row.next_attempt_at - clock.now).total_seconds()
    assert 5.0 <= wait <= 10.0  # base 10 s, half fixed and half jitter

    # Not due yet: nothing is sent.
    assert service.deliver_due().attempted == 0
    clock.advance(seconds=wait)
    second = service.deliver_due()  # the receiver sleeps past the 0.3 s timeout
    assert second.retrying == 1 and "timed out" in second.errors[0]
    (row,) = list_deliveries(sqlite_store)
    assert row.attempts == 2
    assert row.next_attempt_at is not None
    assert 10.0 <= (row.next_attempt_at - clock.now).total_seconds() <= 20.0  # doubled

    clock.advance(seconds=60)
    third = service.deliver_due()
    assert third.sent == 1
    (row,) = list_deliveries(sqlite_store)
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)
    assert len(receiver.to("/flaky")) == 3


def test_retry_after_is_honoured(
    sqlite_store: Store, receiver: Receiver, clock: Clock, alerts: list[Alert]
) -> None:
    receiver.plan("/busy", 429, 200)
    _subscribe(sqlite_store, ChannelSpec(kind="slack", target=receiver.url("/busy")), types=["funding_round"])
    service = _service(sqlite_store, clock, max_delay=600.0)
    service.enqueue(alerts)

    # The local server sends no Retry-After; check the arithmetic directly as well.
    assert service.backoff(1, retry_after=300.0) == 300.0
    assert service.backoff(1, retry_after=10_000.0) == 600.0
    service.deliver_due()
    (row,) = list_deliveries(sqlite_store)
    # The start of the reply is quoted (the local server answers "ok").
    assert row.status == "pending" and row.last_error == "HTTP 429 from the endpoint: ok"


def test_after_max_attempts_the_delivery_is_dead_and_the_endpoint_disabled(
    sqlite_store: Store, receiver: Receiver, clock: Clock, alerts: list[Alert]
) -> None:
    receiver.plan("/broken", 503)
    receiver.plan("/fine", 200)
    _subscribe(
        sqlite_store,
        ChannelSpec(kind="webhook", target=receiver.url("/broken")),
        ChannelSpec(kind="slack", target=receiver.url("/fine")),
        matched_only=False,
    )
    service = _service(sqlite_store, clock, max_attempts=2, disable_after=2)
    assert service.enqueue(alerts) == 8

    reports = []
    for _ in range(6):
        reports.append(service.deliver_due())
        clock.advance(minutes=5)
    broken_requests = receiver.to("/broken")
    # Two deliveries die after 2 attempts each, then the endpoint is disabled: 4 requests, no more.
    assert len(broken_requests) == 4
    assert sum(r.dead for r in reports) == 2
    (sub,) = list_subscriptions(sqlite_store)
    broken = next(c for c in sub.channels if c.kind == "webhook")
    fine = next(c for c in sub.channels if c.kind == "slack")
    assert broken.disabled and broken.disabled_at is not None
    assert broken.disabled_reason is not None and "2 deliveries in a row" in broken.disabled_reason
    assert "HTTP 503" in broken.disabled_reason
    assert not fine.disabled and len(receiver.to("/fine")) == 4
    statuses = sorted(d.status for d in list_deliveries(sqlite_store, channel_id=broken.channel_id))
    assert statuses == ["dead", "dead", "pending", "pending"]
    assert any(broken.channel_id in r.disabled_channels for r in reports)

    # A disabled endpoint gets nothing new; enabling it again sends what waited.
    assert service.enqueue(alerts) == 0
    receiver.plan("/broken", 200)
    enable_channel(sqlite_store, broken.channel_id)
    clock.advance(hours=1)
    assert service.deliver_due().sent == 2
    assert len(receiver.to("/broken")) == 6


def test_a_slow_endpoint_does_not_hold_up_another(
    sqlite_store: Store, receiver: Receiver, clock: Clock, alerts: list[Alert]
) -> None:
    # Each endpoint holds its request until the other one has received its own. Sent one after
    # the other, the first would wait in vain (and record it); sent concurrently, both see the other.
    receiver.plan("/a", ("wait_for", "/b", 3.0))
    receiver.plan("/b", ("wait_for", "/a", 3.0))
    _subscribe(
        sqlite_store,
        ChannelSpec(kind="webhook", target=receiver.url("/a")),
        ChannelSpec(kind="slack", target=receiver.url("/b")),
        types=["funding_round"],
    )
    service = _service(sqlite_store, clock, timeout=5.0)
    service.enqueue(alerts)
    report = service.deliver_due()
    assert report.sent == 2
    assert receiver.saw_other == {"/a": True, "/b": True}


def test_a_timed_out_endpoint_only_delays_itself(
    sqlite_store: Store, receiver: Receiver, clock: Clock, alerts: list[Alert]
) -> None:
    receiver.plan("/slow", ("sleep", 1.0, 200))
    _subscribe(
        sqlite_store,
        ChannelSpec(kind="webhook", target=receiver.url("/slow")),
        ChannelSpec(kind="slack", target=receiver.url("/quick")),
        matched_only=False,
    )
    service = _service(sqlite_store, clock, timeout=0.3)
    service.enqueue(alerts)
    report = service.deliver_due()
    # All four alerts reached the quick endpoint in the same pass; the slow one timed out once and
    # its other three deliveries wait for its backoff instead of each burning a timeout now.
    assert len(receiver.to("/quick")) == 4
    assert len(receiver.to("/slow")) == 1
    assert report.sent == 4 and report.retrying == 1
    slow = [d for d in list_deliveries(sqlite_store) if d.kind == "webhook"]
    assert sorted(d.attempts for d in slow) == [0, 0, 0, 1]


def test_private_targets_are_refused_when_sending(
    sqlite_store: Store, receiver: Receiver, clock: Clock, alerts: list[Alert]
) -> None:
    # Created while private targets were allowed; the sender, configured without, refuses it.
    _subscribe(
        sqlite_store,
        ChannelSpec(kind="webhook", target=receiver.url("/hook", host="localhost")),
        types=["funding_round"],
    )
    service = _service(sqlite_store, clock, allow_private=False)
    service.enqueue(alerts)
    report = service.deliver_due()
    # A refusal is this delivery's error, retried like any other; it does not switch the channel off.
    assert (report.retrying, report.dead, report.disabled_channels) == (1, 0, [])
    assert receiver.requests == [] and "loopback" in report.errors[0]
    (sub,) = list_subscriptions(sqlite_store)
    assert not sub.channels[0].disabled
    (pending,) = list_deliveries(sqlite_store)
    assert pending.status == "pending" and "loopback" in (pending.last_error or "")
    # Allowed by host: the retry goes through.
    allowed = _service(sqlite_store, clock, allow_private=False, allowed_hosts=["localhost"])
    clock.advance(hours=1)
    assert allowed.deliver_due().sent == 1
    assert len(receiver.to("/hook")) == 1
    assert allowed.enqueue(alerts) == 0  # the delivery is not created again


def test_errors_never_show_the_secret_parts_of_a_target(
    sqlite_store: Store, receiver: Receiver, clock: Clock, alerts: list[Alert]
) -> None:
    token = "T0ABCDEF1/B0ABCDEF2/aB3dE5gH7jK9mN1pQ3rS5tU7"
    receiver.plan(f"/services/{token}", 500)
    _subscribe(
        sqlite_store,
        ChannelSpec(kind="slack", target=receiver.url(f"/services/{token}")),
        types=["ipo"],
        matched_only=False,
    )
    # An unreachable port as well: the connection error mentions the URL in some httpx versions.
    _subscribe(
        sqlite_store,
        ChannelSpec(kind="slack", target=f"http://127.0.0.1:9/services/{token}?key=s3cr3tkey"),
        name="down",
        types=["ipo"],
        matched_only=False,
    )
    service = _service(sqlite_store, clock, timeout=1.0)
    service.enqueue(alerts)
    report = service.deliver_due()
    assert report.retrying == 2
    text = json.dumps([d.model_dump(mode="json") for d in list_deliveries(sqlite_store)]) + " ".join(
        report.errors
    )
    text += json.dumps([s.model_dump(mode="json") for s in list_subscriptions(sqlite_store)])
    assert "aB3dE5gH7jK9mN1pQ3rS5tU7" not in text and "s3cr3tkey" not in text


def test_max_age_keeps_old_news_out_of_push_channels(
    sqlite_store: Store, receiver: Receiver, clock: Clock, alerts: list[Alert]
) -> None:
    _subscribe(sqlite_store, ChannelSpec(kind="slack", target=receiver.url("/s")), matched_only=False)
    service = _service(sqlite_store, clock, max_age=timedelta(days=1, hours=12))
    # The clock says 2026-11-25 09:00: the two events of 11-23 are older than 36 hours.
    assert service.enqueue(alerts) == 2
    assert {d.alert_id for d in list_deliveries(sqlite_store)} == {"ev-layoffs-cobalt", "ev-ipo-unknown"}


def test_bad_settings_are_refused(sqlite_store: Store) -> None:
    for bad in ({"max_attempts": 0}, {"timeout": 0}, {"base_delay": 10.0, "max_delay": 1.0}):
        with pytest.raises(ValueError):
            DeliveryService(sqlite_store, **bad)  # type: ignore[arg-type]


def test_an_allowed_host_is_reached_at_the_address_that_was_checked(
    sqlite_store: Store, receiver: Receiver, clock: Clock, alerts: list[Alert]
) -> None:
    _subscribe(
        sqlite_store,
        ChannelSpec(kind="webhook", target=receiver.url("/hook", host="localhost")),
        types=["ipo"],
    )
    service = _service(sqlite_store, clock, allow_private=False, allowed_hosts=["localhost"])
    assert service.enqueue([a.model_copy(update={"account_id": "A9"}) for a in alerts]) == 1
    assert service.deliver_due().sent == 1
    (request,) = receiver.to("/hook")
    # Sent to the checked IP, with the name the user gave in the Host header.
    assert request.headers["Host"] == f"localhost:{receiver.port}"


def test_two_workers_never_claim_the_same_delivery(
    sqlite_store: Store, receiver: Receiver, clock: Clock, alerts: list[Alert]
) -> None:
    _subscribe(sqlite_store, ChannelSpec(kind="slack", target=receiver.url("/s")), matched_only=False)
    first, second = _service(sqlite_store, clock), _service(sqlite_store, clock)
    first.enqueue(alerts)
    groups, _, _ = first._claim(clock.now)
    assert sum(len(rows) for rows in groups.values()) == 4
    again, _, _ = second._claim(clock.now)
    assert again == {}
