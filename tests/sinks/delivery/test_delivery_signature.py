"""Webhook signatures: timestamp and body signed together (`t=...,v1=...`), refused outside the
tolerance, and the README's receiver example agrees with the sender."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from delivery_helpers import Clock, Receiver

from sinks.delivery.api import (
    SIGNATURE_TOLERANCE_SECONDS,
    Alert,
    ChannelSpec,
    DeliveryService,
    SubscriptionSpec,
    create_subscription,
    sign,
    verify_signature,
)
from sinks.delivery.messages import parse_signature
from sinks.store import Store

README = Path(__file__).resolve().parents[3] / "README.md"
SECRET = "whsec_test-secret-for-signatures"
BODY = b'{"id":"k1","type":"buysignal.alert"}'


def test_the_signature_covers_the_timestamp(clock: Clock) -> None:
    stamp = int(clock().timestamp())
    header = sign(SECRET, BODY, stamp)
    assert re.fullmatch(rf"t={stamp},v1=[0-9a-f]{{64}}", header)
    assert verify_signature(SECRET, BODY, header, clock=clock)
    # Another timestamp with the same v1 (a replay with a fresh t=) does not verify.
    forged = header.replace(f"t={stamp}", f"t={stamp + 600}")
    clock.advance(seconds=600)
    assert not verify_signature(SECRET, BODY, forged, clock=clock)


@pytest.mark.parametrize("seconds", [-SIGNATURE_TOLERANCE_SECONDS - 1, SIGNATURE_TOLERANCE_SECONDS + 1])
def test_outside_the_tolerance_is_refused(clock: Clock, seconds: int) -> None:
    header = sign(SECRET, BODY, int(clock().timestamp()))
    clock.advance(seconds=seconds)
    assert not verify_signature(SECRET, BODY, header, clock=clock)
    assert verify_signature(SECRET, BODY, header, clock=clock, tolerance=abs(seconds))


@pytest.mark.parametrize(
    "header",
    [None, "", "sha256=abc", "t=,v1=abc", "t=12x,v1=abc", "v1=abc", "t=1", "t=1,v1=", "," * 5000],
)
def test_malformed_headers_are_refused(clock: Clock, header: str | None) -> None:
    assert not verify_signature(SECRET, BODY, header, clock=clock)


def test_any_of_several_v1_signatures_may_match(clock: Clock) -> None:
    stamp = int(clock().timestamp())
    good = sign(SECRET, BODY, stamp)
    other = sign("the-old-secret-during-rotation", BODY, stamp).split(",")[1]
    header = f"{good.split(',')[0]},{other},{good.split(',')[1]}"
    assert parse_signature(header) == (stamp, [other[3:], good.split(",")[1][3:]])
    assert verify_signature(SECRET, BODY, header, clock=clock)
    assert not verify_signature(SECRET, BODY + b" ", header, clock=clock)


def _readme_example() -> dict[str, Any]:
    text = README.read_text(encoding="utf-8")
    block = text.split("<!-- webhook-verify-example -->", 1)[1]
    code = block.split("```python", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(compile(code, "README.md example", "exec"), namespace)
    return namespace


def test_the_readme_receiver_accepts_a_real_delivery(
    sqlite_store: Store, receiver: Receiver, clock: Clock, alerts: list[Alert]
) -> None:
    sub = create_subscription(
        sqlite_store,
        SubscriptionSpec(
            name="s", owner="o", channels=[ChannelSpec(kind="webhook", target=receiver.url("/h"))]
        ),
        allow_private=True,
    )
    secret = sub.channels[0].secret
    assert secret
    service = DeliveryService(sqlite_store, allow_private=True, now=clock, timeout=2.0)
    service.enqueue(alerts[:1])
    sent_at = clock().timestamp()
    assert service.deliver_due().sent == 1
    (request,) = receiver.to("/h")
    header = request.headers["X-Buysignal-Signature"]
    verify = _readme_example()["verify"]
    assert verify(secret, request.body, header, now=sent_at)
    assert verify(secret, request.body, header, now=sent_at + 299)
    assert not verify(secret, request.body, header, now=sent_at + 301)  # a replay, later
    assert not verify(secret, request.body + b"x", header, now=sent_at)
    assert not verify("another-secret", request.body, header, now=sent_at)
    # The key a receiver de-duplicates on is the body's id, in the header too.
    assert request.headers["Idempotency-Key"] == request.json()["id"]
    # And the library helper agrees with the example.
    assert verify_signature(secret, request.body, header, clock=lambda: clock.now)
    clock.advance(seconds=SIGNATURE_TOLERANCE_SECONDS + 1)
    assert not verify_signature(secret, request.body, header, clock=clock)
    assert timedelta(seconds=SIGNATURE_TOLERANCE_SECONDS) == timedelta(minutes=5)
