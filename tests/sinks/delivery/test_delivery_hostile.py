"""Delivery against hostile input and hostile endpoints: one bad channel never touches another,
replies are never read past a small cap (or decompressed), every delivery has a deadline, and what
readers get can't be turned against them (Slack injection, `javascript:` links)."""

from __future__ import annotations

import asyncio
import email
import gzip
import json
import re
import socketserver
import threading
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.policy import default as default_policy
from typing import Any

import pytest
import sqlalchemy as sa
from delivery_helpers import Clock, Mailbox, Receiver
from pydantic import ValidationError

from schemas.errors import ConfigError
from sinks.delivery import tables as dt
from sinks.delivery.api import (
    Alert,
    ChannelSpec,
    DeliveryService,
    DeliverySettings,
    SubscriptionFilters,
    SubscriptionSpec,
    create_subscription,
    list_deliveries,
    list_subscriptions,
    render_atom,
    sync_from_config,
)
from sinks.delivery.messages import email_digest, slack_message, webhook_payload
from sinks.delivery.service import REPLY_READ_BYTES
from sinks.store import Store


@dataclass
class Hostile:
    """What the hostile server did: bytes it managed to send per path."""

    port: int = 0
    sent: dict[str, int] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


_BOMB: bytes | None = None


def _bomb() -> bytes:
    """64 MB of zeros, gzipped twice: about a hundred bytes on the wire."""
    global _BOMB
    if _BOMB is None:
        _BOMB = gzip.compress(gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9), compresslevel=9)
    return _BOMB


@pytest.fixture
def hostile() -> Iterator[Hostile]:
    state = Hostile()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            sock = self.request
            sock.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, rest = data.partition(b"\r\n\r\n")
            path = head.split(b" ")[1].decode()
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
            while len(rest) < length:
                rest += sock.recv(65536)
            sent = 0
            try:
                if path == "/bomb":
                    body = _bomb()
                    sock.sendall(
                        b"HTTP/1.1 500 Oops\r\nContent-Encoding: gzip, gzip\r\n"
                        + f"Content-Length: {len(body)}\r\n\r\n".encode()
                        + body
                    )
                    sent = len(body)
                elif path in ("/endless", "/endless-ok"):
                    status = b"200 OK" if path == "/endless-ok" else b"500 Oops"
                    sock.sendall(b"HTTP/1.1 " + status + b"\r\nTransfer-Encoding: chunked\r\n\r\n")
                    chunk = b"%x\r\n%s\r\n" % (65536, b"x" * 65536)
                    while not state.stop.is_set() and sent < 512 * 1024 * 1024:
                        sock.sendall(chunk)
                        sent += 65536
                elif path == "/trickle":
                    sock.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                    while not state.stop.wait(0.05):  # one byte at a time, never finishing
                        sock.sendall(b"a")
                        sent += 1
            except OSError:
                pass  # the client hung up: what the tests want
            finally:
                state.sent[path] = state.sent.get(path, 0) + sent

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.stop.set()
        server.shutdown()
        server.server_close()


def _subscribe(store: Store, *channels: ChannelSpec, name: str = "s", owner: str = "dana@example.com") -> str:
    sub = create_subscription(
        store,
        SubscriptionSpec(
            name=name,
            owner=owner,
            filters=SubscriptionFilters(types=["funding_round"]),
            channels=list(channels),
        ),
        allow_private=True,
    )
    return sub.subscription_id


def _service(store: Store, clock: Clock, **kwargs: Any) -> DeliveryService:
    options: dict[str, Any] = {"allow_private": True, "timeout": 2.0, "now": clock, "base_delay": 10.0}
    options.update(kwargs)
    return DeliveryService(store, **options)


# ----------------------------------------------------------------------------------- the edge


@pytest.mark.parametrize(
    "name", ["EMEA\r\nBcc: everyone@example.com", "line\nbreak", "tab\tok?\x00", "rtl\u202eevil", "a\u2028b"]
)
def test_names_with_control_characters_are_refused_at_the_edge(sqlite_store: Store, name: str) -> None:
    with pytest.raises(ValidationError, match="one line of plain text"):
        SubscriptionSpec(name=name, owner="ana")
    with pytest.raises(ValidationError, match="one line of plain text"):
        SubscriptionSpec(name="ok", owner=name)
    with pytest.raises(ConfigError, match="one line of plain text"):
        sync_from_config(sqlite_store, [{"name": name, "owner": "ana"}])
    assert list_subscriptions(sqlite_store) == []


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "email", "target": "ana@example.com\r\nBcc: all@example.com"},
        {"kind": "email", "target": "Ana <ana@example.com>"},
        {"kind": "email", "target": "ana@localhost"},
        {"kind": "webhook", "target": "https://hooks.example.com/a b"},
        {"kind": "webhook", "target": "https://hooks.example.com/a\r\nX: y"},
        {"kind": "webhook", "target": "https://hooks.example.com/h", "secret": "with space"},
    ],
)
def test_channel_targets_and_secrets_are_checked_at_the_edge(
    sqlite_store: Store, spec: dict[str, str]
) -> None:
    with pytest.raises((ValidationError, ValueError)):
        create_subscription(
            sqlite_store,
            SubscriptionSpec(name="n", owner="o", channels=[ChannelSpec.model_validate(spec)]),
            allow_private=True,
        )
    assert list_subscriptions(sqlite_store) == []


def test_filter_values_and_the_sender_address_are_checked_too() -> None:
    with pytest.raises(ValidationError, match="one line"):
        SubscriptionSpec(name="n", owner="o", filters=SubscriptionFilters(territories=["EM\r\nEA"]))
    with pytest.raises(ConfigError, match="mail_from"):
        DeliverySettings.from_config({"mail_from": "alerts@example.com\r\nBcc: x@example.com"})
    assert (
        DeliverySettings.from_config({"mail_from": "buysignal@localhost"}).mail_from == "buysignal@localhost"
    )


def test_a_subscription_has_a_bounded_number_of_channels() -> None:
    many = [ChannelSpec(kind="email", target=f"rep{i}@example.com") for i in range(21)]
    with pytest.raises(ValidationError, match="at most 20"):
        SubscriptionSpec(name="n", owner="o", channels=many)


# ----------------------------------------------------------------------------------- isolation


def _corrupt(store: Store, subscription_id: str, **channel_values: str) -> None:
    """What an older version could store: values the edge now refuses, written straight to the table."""
    c = dt.subscription_channels.c
    with store.engine.begin() as conn:
        conn.execute(
            sa.update(dt.subscription_channels)
            .where(c.subscription_id == subscription_id)
            .values(**channel_values)
        )


def test_a_digest_that_cannot_be_built_only_fails_itself(
    sqlite_store: Store, mailbox: Mailbox, clock: Clock, alerts: list[Alert]
) -> None:
    bad = _subscribe(sqlite_store, ChannelSpec(kind="email", target="bad@example.com"), name="bad")
    _subscribe(sqlite_store, ChannelSpec(kind="email", target="good@example.com"), name="good")
    _corrupt(sqlite_store, bad, target="bad@example.com\r\nBcc: everyone@example.com")
    s = dt.subscriptions.c
    with sqlite_store.engine.begin() as conn:  # and a name with a line break, as stored before the check
        conn.execute(
            sa.update(dt.subscriptions).where(s.subscription_id != bad).values(name="good\r\nBcc: x@y.z")
        )
    service = _service(sqlite_store, clock, smtp=(mailbox.host, mailbox.port), mail_from="alerts@example.com")
    service.enqueue(alerts)
    clock.advance(days=1)

    report = service.deliver_due()  # never raises
    assert (report.sent, report.dead) == (1, 1)
    assert "can't be built" in report.errors[0]
    ((recipients, raw),) = mailbox.messages
    assert recipients == ["good@example.com"]
    message = email.message_from_bytes(raw, policy=default_policy)
    assert message["Bcc"] is None and "\n" not in str(message["Subject"])
    assert str(message["Subject"]).startswith("buysignal: 1 new trigger for good Bcc: x@y.z (")

    # The good digest was recorded: later passes (and runs) send nothing again.
    clock.advance(hours=1)
    assert service.deliver_due().attempted == 0
    clock.advance(days=3)
    service.deliver_due()
    assert len(mailbox.messages) == 1
    statuses = {d.subscription_id == bad: d.status for d in list_deliveries(sqlite_store)}
    assert statuses == {True: "dead", False: "sent"}


def test_a_bug_in_one_channel_never_reaches_another(
    sqlite_store: Store,
    receiver: Receiver,
    clock: Clock,
    alerts: list[Alert],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _subscribe(sqlite_store, ChannelSpec(kind="slack", target=receiver.url("/broken")), name="broken")
    _subscribe(sqlite_store, ChannelSpec(kind="webhook", target=receiver.url("/fine")), name="fine")
    import sinks.delivery.service as service_module

    real = service_module.slack_message

    def explode(subscription: Any, alert: Alert) -> Any:
        raise RuntimeError("a bug in the Slack renderer")

    monkeypatch.setattr(service_module, "slack_message", explode)
    service = _service(sqlite_store, clock)
    service.enqueue(alerts)
    report = service.deliver_due()
    assert (report.sent, report.retrying) == (1, 1)
    assert "RuntimeError: a bug in the Slack renderer" in report.errors[0]
    assert len(receiver.to("/fine")) == 1 and receiver.to("/broken") == []

    monkeypatch.setattr(service_module, "slack_message", real)
    clock.advance(hours=1)
    assert service.deliver_due().sent == 1  # fixed: the retry goes out


def test_the_delivery_loop_outlives_a_failed_pass(sqlite_store: Store, clock: Clock) -> None:
    service = _service(sqlite_store, clock)
    calls = []
    stop = asyncio.Event()

    async def failing_pass() -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("Header values may not contain linefeed or carriage return characters")
        stop.set()
        return await real_pass()

    real_pass = service.adeliver_due
    service.adeliver_due = failing_pass  # type: ignore[method-assign]
    asyncio.run(service.run_forever(interval=0, stop=stop))
    assert len(calls) == 2


# ----------------------------------------------------------------------------------- hostile replies


def test_a_gzip_bomb_reply_is_never_decompressed(
    sqlite_store: Store, hostile: Hostile, clock: Clock, alerts: list[Alert]
) -> None:
    _bomb()  # built before measuring
    _subscribe(sqlite_store, ChannelSpec(kind="webhook", target=hostile.url("/bomb")))
    service = _service(sqlite_store, clock)
    service.enqueue(alerts)
    tracemalloc.start()
    try:
        report = service.deliver_due()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.retrying == 1 and report.errors[0].endswith("HTTP 500 from the endpoint")
    assert peak < 16 * 1024 * 1024  # the bomb would be 64 MB decoded


@pytest.mark.parametrize("path", ["/endless", "/endless-ok"])
def test_an_endless_reply_is_read_only_up_to_the_cap(
    sqlite_store: Store, hostile: Hostile, clock: Clock, alerts: list[Alert], path: str
) -> None:
    _subscribe(sqlite_store, ChannelSpec(kind="webhook", target=hostile.url(path)))
    service = _service(sqlite_store, clock, deadline=30.0)
    service.enqueue(alerts)
    report = service.deliver_due()
    if path == "/endless-ok":
        assert report.sent == 1  # a 2xx body is never read at all
    else:
        assert report.retrying == 1
        error = report.errors[0]
        assert "HTTP 500 from the endpoint: " in error and error.count("x") <= 250
    hostile.stop.set()
    # The client hung up long before the server was done (it would have sent 512 MB).
    assert REPLY_READ_BYTES < 1024 * 1024
    assert hostile.sent.get(path, 0) < 64 * 1024 * 1024 or path not in hostile.sent


def test_a_trickling_endpoint_meets_the_deadline(
    sqlite_store: Store, hostile: Hostile, receiver: Receiver, clock: Clock, alerts: list[Alert]
) -> None:
    _subscribe(sqlite_store, ChannelSpec(kind="webhook", target=hostile.url("/trickle")), name="slow")
    _subscribe(sqlite_store, ChannelSpec(kind="slack", target=receiver.url("/quick")), name="quick")
    # Each byte comes well within the timeout; only the deadline ends it.
    service = _service(sqlite_store, clock, timeout=0.5, deadline=0.6)
    service.enqueue(alerts)
    report = service.deliver_due()
    assert (report.sent, report.retrying) == (1, 1)
    assert any("0.6s deadline" in e for e in report.errors)
    assert len(receiver.to("/quick")) == 1


# ----------------------------------------------------------------------------------- outputs


def _alert(alerts: list[Alert], **event: Any) -> Alert:
    base = alerts[0]
    return base.model_copy(update={"event": base.event.model_copy(update=event)})


SPOOF = "https://x/e|Open your bank statement> <!channel> <https://y"


def _links(text: str) -> list[str]:
    return re.findall(r"<([^<>]*)>", text)


def _texts(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        t
        for block in message["blocks"]
        for t in [block.get("text"), *block.get("fields", []), *block.get("elements", [])]
        if t
    ]


@pytest.mark.parametrize(
    ("url", "link"),
    [
        (SPOOF, None),  # spaces: not a URL at all, so no link
        (
            "https://x/e|Open_your_bank_statement><!channel><https://y",
            "https://x/e%7COpen_your_bank_statement%3E%3C!channel%3E%3Chttps://y",
        ),
    ],
)
def test_slack_links_and_mentions_cannot_be_injected(alerts: list[Alert], url: str, link: str | None) -> None:
    sub = list_subscriptions_stub()
    alert = _alert(alerts, url=url, company="<!channel> Acme *bold* <https://evil|click>")
    alert = alert.model_copy(update={"account_name": None})
    message = slack_message(sub, alert)
    texts = [message["text"]] + [t["text"] for t in _texts(message)]
    for text in texts:
        assert "<!" not in text and "<@" not in text
    found = [found for text in texts for found in _links(text)]
    label = "&lt;!channel&gt; Acme *bold* &lt;https://evil|click&gt; raised a $25M Series B"
    # At most one link, the article's, percent-encoded whole.
    assert found == ([] if link is None else [f"{link}|{label}"])
    assert all(t.get("verbatim") is True for t in _texts(message))
    assert "EMEA &lt;!here&gt; desk" in json.dumps(message)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<b>x</b>",
        "//evil.example/x",
    ],
)
def test_only_http_links_leave(alerts: list[Alert], url: str) -> None:
    sub = list_subscriptions_stub()
    alert = _alert(alerts, url=url)
    atom = render_atom(sub, [alert], feed_url="https://signals.example/feeds/t.atom").decode()
    slack = json.dumps(slack_message(sub, alert))
    payload = webhook_payload(sub, alert, idempotency_key="k", timestamp=_now())
    digest = email_digest(
        sub,
        [alert],
        to="a@example.com",
        mail_from="b@example.com",
        period_label="p",
        idempotency_key="k",
        sent_at=_now(),
    )
    parts = [digest.get_body((kind,)) for kind in ("plain", "html")]
    mail = "".join(part.get_content() for part in parts if part is not None)  # type: ignore[attr-defined]
    for text in (atom, slack, mail):
        assert url not in text and url.lower().split("(")[0] not in text.lower()
    assert payload["alert"]["event"]["url"] is None
    # An ordinary link still goes everywhere.
    good = _alert(alerts, url="https://news.example/a?b=1&c=2")
    assert (
        'href="https://news.example/a?b=1&amp;c=2"'
        in render_atom(sub, [good], feed_url="https://s/f").decode()
    )
    assert "<https://news.example/a?b=1&amp;c=2|" in json.dumps(slack_message(sub, good))
    assert webhook_payload(sub, good, idempotency_key="k", timestamp=_now())["alert"]["event"]["url"] == (
        "https://news.example/a?b=1&c=2"
    )


def test_feed_text_never_holds_characters_xml_cannot_carry(alerts: list[Alert]) -> None:
    import feedparser

    sub = list_subscriptions_stub()
    alert = _alert(alerts, evidence="Acme raised\x00 a round\x1b[31m", company="Acme\x0b")
    parsed = feedparser.parse(render_atom(sub, [alert], feed_url="https://s/f"))
    assert not parsed.bozo and len(parsed.entries) == 1


def _now() -> Any:
    from moving_clock import START

    return START


def list_subscriptions_stub() -> Any:
    from sinks.delivery.models import Subscription

    return Subscription(
        subscription_id="sub1",
        name="EMEA <!here> desk",
        owner="dana@example.com",
        filters=SubscriptionFilters(),
        created_at=_now(),
        updated_at=_now(),
    )
