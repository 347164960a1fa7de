"""A batch run alerts the subscriptions its new events match, once each, over a real local webhook."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest
from run_support import ACME_SERIES_A, rss, write_run_config

from pipelines.config import load_config
from pipelines.runners.run import run

pytestmark = pytest.mark.slow


def test_run_sends_each_alert_once_to_matching_subscriptions(tmp_path: Path, webhook_receiver) -> None:
    url, received = webhook_receiver.url, webhook_receiver.received
    bluebird = (
        "<item><guid>w2</guid><title>Bluebird Coffee opens a new roastery in Lisbon</title>"
        "<pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate><link>https://news.example.com/w2</link></item>"
    )
    # [delivery] and [[subscriptions]] come after [[sources]], so they must name their tables.
    write_run_config(
        tmp_path,
        news=rss(ACME_SERIES_A, bluebird),
        accounts_csv="account_id,name,domain,owner\nA1,Acme Robotics Inc.,,ana\nB1,Bluebird Coffee Company,,ben\n",
        extra=f"""[delivery]
allow_private = true   # the receiver is on 127.0.0.1
base_delay_seconds = 0
[[subscriptions]]
name = "funding for ana"
owner = "ana"
types = ["funding_round"]
channels = [{{ kind = "webhook", target = "{url}", secret = "s3cret-for-tests" }}]
""",
    )
    cfg = load_config(tmp_path / "c.toml")
    first = run(cfg)
    assert first.alerts is not None and first.alerts.sent == 1
    assert len(received) == 1
    headers, body = received[0]
    payload = json.loads(body)
    assert "Acme Robotics" in json.dumps(payload)
    assert "Bluebird" not in json.dumps(payload)  # an expansion: not what ana subscribed to
    stamp = headers["x-buysignal-timestamp"]
    expected = hmac.new(b"s3cret-for-tests", stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["x-buysignal-signature"] == f"t={stamp},v1={expected}"
    assert headers["idempotency-key"]

    second = run(cfg)  # the same news again: nothing new to alert
    assert second.alerts is not None and second.alerts.enqueued == 0
    assert len(received) == 1
