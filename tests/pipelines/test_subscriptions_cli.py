"""`buysignal subscriptions ...`: subscriptions, channels and API tokens managed straight in the store."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from pipelines.commands.cli import main
from sinks.delivery import api as delivery
from sinks.store import Store


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'buysignal.db'}"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict], str]:
    code = main(["subscriptions", *argv])
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return code, lines, err


def test_add_list_update_remove_round_trip(db, capsys):
    code, [sub], err = run(
        capsys,
        "add", "--db", db, "--name", "EMEA funding", "--owner", "ana",
        "--type", "funding_round", "--territory", "EMEA", "--min-confidence", "0.7",
        "--email", "ana@example.com", "--digest", "weekly",
        "--public-url", "https://signals.example.com",
    )  # fmt: skip
    assert code == 0
    assert sub["feed_url"] == f"https://signals.example.com/feeds/{sub['feed_token']}.atom"
    assert "shown this once" in err
    assert sub["filters"]["types"] == ["funding_round"] and sub["filters"]["territories"] == ["EMEA"]
    sid = sub["subscription_id"]

    code, listed, _ = run(capsys, "list", "--db", db)
    assert [s["subscription_id"] for s in listed] == [sid]
    assert listed[0]["feed_token"] is None  # never shown again
    assert run(capsys, "list", "--db", db, "--owner", "ben")[1] == []

    code, [updated], _ = run(capsys, "update", sid, "--db", db, "--territory", "", "--min-confidence", "0.9")
    assert code == 0
    assert updated["filters"]["territories"] == [] and updated["filters"]["min_confidence"] == 0.9
    assert updated["filters"]["types"] == ["funding_round"]  # untouched options stay
    assert updated["channels"][0]["channel_id"] == sub["channels"][0]["channel_id"]  # channels kept

    code, [replaced], err = run(capsys, "update", sid, "--db", db, "--webhook", "http://127.0.0.1:9/hook",
                                "--allow-private-targets")  # fmt: skip
    assert code == 0 and "replaced" in err
    assert [c["kind"] for c in replaced["channels"]] == ["webhook"] and replaced["channels"][0]["secret"]

    code, _lines, _ = run(capsys, "list", "--db", db, "--table")
    assert code == 0
    assert run(capsys, "remove", sid, "--db", db)[0] == 0
    assert run(capsys, "list", "--db", db)[1] == []


def test_unknown_ids_and_bad_values_are_usage_errors(db, capsys):
    code, _, err = run(capsys, "remove", "nope", "--db", db)
    assert code == 2 and "no subscription 'nope'" in err
    code, _, err = run(capsys, "add", "--db", db, "--name", "x", "--owner", "o", "--min-confidence", "2")
    assert code == 2 and "min_confidence" in err
    code, _, err = run(capsys, "disable-channel", "nope", "--reason", "x", "--db", db)
    assert code == 2 and "no channel" in err


def test_a_refused_webhook_never_shows_its_secret(db, capsys):
    code, _, err = run(
        capsys, "add", "--db", db, "--name", "x", "--owner", "o",
        "--webhook", "http://10.9.8.7/hook?key=HUSHHUSHHUSH", "--webhook-secret", "SIGNINGSECRET123",
    )  # fmt: skip
    assert code == 2
    assert "private" in err
    assert "HUSHHUSHHUSH" not in err and "SIGNINGSECRET123" not in err


def test_channel_health_shows_disabled_channels_and_why(db, capsys):
    _, [sub], _ = run(capsys, "add", "--db", db, "--name", "n", "--owner", "o", "--email", "o@example.com")
    channel_id = sub["channels"][0]["channel_id"]
    assert run(capsys, "channels", "--db", db, "--disabled")[1] == []
    code, [channel], _ = run(capsys, "disable-channel", channel_id, "--reason", "mailbox full", "--db", db)
    assert code == 0 and channel["disabled"] is True
    code, health, _ = run(capsys, "channels", "--db", db, "--disabled")
    assert [(h["channel_id"], h["disabled_reason"]) for h in health] == [(channel_id, "mailbox full")]
    run(capsys, "enable-channel", channel_id, "--db", db)
    assert run(capsys, "channels", "--db", db, "--disabled")[1] == []


def test_api_tokens_are_shown_once_and_can_be_revoked(db, capsys):
    code = main(["subscriptions", "token", "create", "ci-bot", "--admin", "--db", db])
    out, err = capsys.readouterr()
    token = out.strip()
    assert code == 0 and token and token not in err
    with Store(db) as store:
        assert delivery.verify_api_token(store, token)
    code, tokens, _ = run(capsys, "token", "list", "--db", db)
    assert [t["name"] for t in tokens] == ["ci-bot"] and token not in json.dumps(tokens)
    assert run(capsys, "token", "revoke", "ci-bot", "--db", db)[0] == 0
    with Store(db) as store:
        assert not delivery.verify_api_token(store, token)
    assert run(capsys, "token", "revoke", "ci-bot-2", "--db", db)[0] == 2


def test_sync_makes_the_store_hold_the_configs_subscriptions(tmp_path, capsys):
    config = tmp_path / "buysignal.toml"
    body = textwrap.dedent(
        f"""
        [store]
        url = "sqlite:///{tmp_path / "synced.db"}"

        [[subscriptions]]
        name = "EMEA funding"
        owner = "ana"
        types = ["funding_round"]
        territories = ["EMEA"]
        channels = [{{ kind = "email", target = "ana@example.com", period = "daily" }}]

        [[subscriptions]]
        name = "New CMOs"
        owner = "ben"
        types = ["executive_hire"]
        """
    )
    config.write_text(body, encoding="utf-8")
    code, synced, _ = run(capsys, "sync", "--config", str(config))
    assert code == 0 and sorted(s["name"] for s in synced) == ["EMEA funding", "New CMOs"]
    code, listed, _ = run(capsys, "list", "--config", str(config))
    assert sorted((s["owner"], s["origin"]) for s in listed) == [("ana", "config"), ("ben", "config")]

    config.write_text(body.split('[[subscriptions]]\nname = "New CMOs"')[0], encoding="utf-8")
    run(capsys, "sync", "--config", str(config))
    assert [s["name"] for s in run(capsys, "list", "--config", str(config))[1]] == ["EMEA funding"]


def test_the_configs_delivery_allow_private_is_the_cli_setting_too(tmp_path, capsys):
    config = tmp_path / "buysignal.toml"
    config.write_text(f'[store]\nurl = "sqlite:///{tmp_path / "p.db"}"\n', encoding="utf-8")
    hook = [
        "add",
        "--name",
        "n",
        "--owner",
        "ana",
        "--webhook",
        "http://127.0.0.1:9/hook",
        "--config",
        str(config),
    ]
    code, _, err = run(capsys, *hook)
    assert code == 2 and "loopback" in err
    assert run(capsys, *hook, "--allow-private-targets")[0] == 0  # the flag: the same setting, here
    text = config.read_text(encoding="utf-8") + "[delivery]\nallow_private = true\n"
    config.write_text(text, encoding="utf-8")
    hook[2] = "m"
    assert run(capsys, *hook)[0] == 0
