"""Email digests to a real local SMTP server: one per subscription, channel and closed period."""

from __future__ import annotations

import email
from email.message import EmailMessage
from email.policy import default as default_policy

from delivery_helpers import Clock, Mailbox

from sinks.delivery.api import (
    Alert,
    ChannelSpec,
    DeliveryService,
    SubscriptionFilters,
    SubscriptionSpec,
    create_subscription,
    list_deliveries,
)
from sinks.delivery.service import digest_period, period_bounds
from sinks.store import Store


def _digest_subscription(store: Store, period: str = "daily", **filters: object) -> None:
    create_subscription(
        store,
        SubscriptionSpec(
            name="EMEA desk",
            owner="dana@example.com",
            filters=SubscriptionFilters.model_validate(filters),
            channels=[ChannelSpec(kind="email", target="dana@example.com", period=period)],  # type: ignore[arg-type]
        ),
    )


def _service(store: Store, clock: Clock, mailbox: Mailbox, **kwargs: object) -> DeliveryService:
    return DeliveryService(
        store,
        smtp=(mailbox.host, mailbox.port),
        mail_from="alerts@buysignal.example",
        now=clock,
        timeout=5.0,
        **kwargs,  # type: ignore[arg-type]
    )


def _parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=default_policy)
    assert isinstance(message, EmailMessage)
    return message


def test_a_daily_digest_is_sent_once_after_the_day_closes(
    sqlite_store: Store, mailbox: Mailbox, clock: Clock, alerts: list[Alert]
) -> None:
    _digest_subscription(sqlite_store, territories=["EMEA"])
    service = _service(sqlite_store, clock, mailbox)
    assert service.enqueue(alerts) == 0  # email waits for the digest; nothing per alert

    # The day is still open: no digest yet.
    assert service.deliver_due().digests_created == 0
    assert mailbox.messages == []

    clock.advance(days=1)
    report = service.deliver_due()
    assert (report.digests_created, report.sent) == (1, 1)
    # Again, and the day after with nothing new: no second digest for that day, none for an empty one.
    assert service.deliver_due().attempted == 0
    clock.advance(days=1)
    assert service.deliver_due().attempted == 0
    assert len(mailbox.messages) == 1

    recipients, raw = mailbox.messages[0]
    assert recipients == ["dana@example.com"]
    message = _parse(raw)
    assert message["Subject"] == "buysignal: 2 new triggers for EMEA desk (2026-11-25)"
    assert message["From"] == "alerts@buysignal.example"
    assert message.is_multipart()
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    plain = text.get_content()
    assert (
        "Acme Robotics raised a $25M Series B" in plain and "Cobalt & Sons <Ltd> announced layoffs" in plain
    )
    assert "Borealis" not in plain
    assert "Cobalt &amp; Sons &lt;Ltd&gt;" in html.get_content()
    (delivery,) = list_deliveries(sqlite_store)
    assert (delivery.kind, delivery.period, delivery.status) == ("email", "2026-11-25", "sent")


def test_a_weekly_digest_covers_the_iso_week(
    sqlite_store: Store, mailbox: Mailbox, clock: Clock, alerts: list[Alert]
) -> None:
    _digest_subscription(sqlite_store, period="weekly")
    service = _service(sqlite_store, clock, mailbox)
    service.enqueue(alerts)  # Wednesday 2026-11-25
    clock.advance(days=3)  # Saturday: the week is still open
    assert service.deliver_due().attempted == 0
    clock.advance(days=2)  # Monday 2026-11-30
    assert service.deliver_due().sent == 1
    assert service.deliver_due().attempted == 0
    (message,) = [_parse(raw) for _, raw in mailbox.messages]
    assert message["Subject"] == "buysignal: 3 new triggers for EMEA desk (2026-W48)"


def test_an_unreachable_mail_server_is_retried(
    sqlite_store: Store, mailbox: Mailbox, clock: Clock, alerts: list[Alert]
) -> None:
    _digest_subscription(sqlite_store)
    broken = DeliveryService(sqlite_store, smtp=("127.0.0.1", 9), now=clock, timeout=2.0, base_delay=60.0)
    broken.enqueue(alerts)
    clock.advance(days=1)
    report = broken.deliver_due()
    assert report.retrying == 1 and mailbox.messages == []
    clock.advance(hours=1)
    assert _service(sqlite_store, clock, mailbox).deliver_due().sent == 1
    assert len(mailbox.messages) == 1
    (delivery,) = list_deliveries(sqlite_store)
    assert (delivery.status, delivery.attempts) == ("sent", 2)


def test_digest_periods() -> None:
    from datetime import UTC, datetime

    moment = datetime(2026, 11, 25, 23, 59, tzinfo=UTC)
    assert digest_period("daily", moment)[0] == "2026-11-25"
    label, start, end = digest_period("weekly", moment)
    assert label == "2026-W48" and start == datetime(2026, 11, 23, tzinfo=UTC) and (end - start).days == 7
    assert period_bounds("weekly", label) == (start, end)
    assert period_bounds("daily", "2026-11-25") == digest_period("daily", moment)[1:]
