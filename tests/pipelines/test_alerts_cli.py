"""`buysignal alerts replay` and POST /api/v1/channels/ID/replay: dead alerts sent again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from moving_clock import MovingClock
from test_serve import SPEC, auth, load_seed

from pipelines.commands.cli import main as cli_main
from pipelines.commands.serve.app import ServeSettings, create_app
from sinks.base import Batch
from sinks.delivery import api as delivery
from sinks.store import Store


def _dead_webhook(url: str, target: str, clock: MovingClock) -> str:
    """A store with one subscription whose webhook deliveries all died (the target was refused
    while private targets were not allowed); returns the channel id."""
    seed = load_seed()
    with Store(url, clock=clock) as store:
        store.upsert_accounts(seed["accounts"])
        spec = delivery.SubscriptionSpec.model_validate(
            {**SPEC, "filters": {}, "channels": [{"kind": "webhook", "target": target}]}
        )
        sub = delivery.create_subscription(store, spec, allow_private=True)
        batch = Batch(events=seed["events"], matches=seed["matches"], entries=seed["entries"])
        alerts = delivery.alerts_from_batch(batch, {a.account_id: a for a in seed["accounts"]})
        strict = delivery.DeliveryService(store, max_attempts=1, now=clock, disable_after=100)
        assert strict.enqueue(alerts) == 4
        dead = 0
        for _ in range(4):  # a failing endpoint gets one try per pass; the rest wait their turn
            report = strict.deliver_due()
            dead += report.dead
            assert not report.disabled_channels
        assert dead == 4
        return sub.channels[0].channel_id


def _config(tmp_path: Path, url: str) -> str:
    path = tmp_path / "c.toml"
    path.write_text(f'[store]\nurl = "{url}"\n[delivery]\nallow_private = true\n', encoding="utf-8")
    return str(path)


def test_replay_sends_a_channels_dead_alerts_again(
    tmp_path: Path, webhook_receiver: Any, capsys: Any
) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    clock = MovingClock()
    channel = _dead_webhook(url, webhook_receiver.url, clock)
    assert webhook_receiver.received == []

    assert cli_main(["alerts", "replay", "--channel", channel, "--config", _config(tmp_path, url)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {"channel_id": channel, "requeued": 4, "sent": 4, "retrying": 0, "dead": 0, "errors": []}
    assert len(webhook_receiver.received) == 4
    keys = {headers["idempotency-key"] for headers, _ in webhook_receiver.received}
    with Store(url) as store:
        deliveries = delivery.list_deliveries(store, channel_id=channel)
    assert {d.status for d in deliveries} == {"sent"} and keys == {d.idempotency_key for d in deliveries}

    # Nothing dead any more: a second replay requeues nothing and sends nothing.
    assert cli_main(["alerts", "replay", "--channel", channel, "--config", _config(tmp_path, url)]) == 0
    assert json.loads(capsys.readouterr().out) == {"channel_id": channel, "requeued": 0}
    assert len(webhook_receiver.received) == 4


def test_since_and_no_send(tmp_path: Path, webhook_receiver: Any, capsys: Any) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    channel = _dead_webhook(url, webhook_receiver.url, MovingClock())  # created 2026-11-25 09:00
    config = _config(tmp_path, url)
    assert (
        cli_main(["alerts", "replay", "--channel", channel, "--config", config, "--since", "2026-11-26"]) == 0
    )
    assert json.loads(capsys.readouterr().out)["requeued"] == 0
    assert (
        cli_main(
            [
                "alerts",
                "replay",
                "--channel",
                channel,
                "--config",
                config,
                "--since",
                "2026-11-25T08:00Z",
                "--no-send",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out) == {"channel_id": channel, "requeued": 4}
    assert webhook_receiver.received == []
    with Store(url) as store:
        assert {d.status for d in delivery.list_deliveries(store, channel_id=channel)} == {"pending"}


def test_replay_refuses_unknown_and_disabled_channels(tmp_path: Path, capsys: Any) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    channel = _dead_webhook(url, "http://127.0.0.1:9/hook", MovingClock())
    config = _config(tmp_path, url)
    assert cli_main(["alerts", "replay", "--channel", "nope", "--config", config]) == 2
    assert "no channel 'nope'" in capsys.readouterr().err
    assert (
        cli_main(["alerts", "replay", "--channel", channel, "--config", config, "--since", "last tuesday"])
        == 2
    )
    assert "ISO 8601" in capsys.readouterr().err
    with Store(url) as store:
        delivery.disable_channel(store, channel, "endpoint moved")
    assert cli_main(["alerts", "replay", "--channel", channel, "--config", config]) == 2
    assert "enable it first" in capsys.readouterr().err


def test_the_api_replays_too(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    channel = _dead_webhook(url, "http://127.0.0.1:9/hook", MovingClock())
    with Store(url) as store:
        token = delivery.create_api_token(store, "ana", owner="ana")
    app = create_app(ServeSettings(store_url=url, delivery=delivery.DeliverySettings(allow_private=True)))
    try:
        client = TestClient(app, headers=auth(token))
        later = client.post(f"/api/v1/channels/{channel}/replay", params={"since": "2026-12-01T00:00:00Z"})
        assert later.json() == {"channel_id": channel, "requeued": 0}
        answer = client.post(f"/api/v1/channels/{channel}/replay")
        assert answer.status_code == 200 and answer.json() == {"channel_id": channel, "requeued": 4}
        client.post(f"/api/v1/channels/{channel}/disable", json={"reason": "moving"})
        assert client.post(f"/api/v1/channels/{channel}/replay").status_code == 409
    finally:
        app.state.store.close()
