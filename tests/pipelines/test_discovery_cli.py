"""`buysignal discover` end to end: a Salesforce opportunities export plus matched events (a JSONL
file, or the store) in; a table, report files and segments out; plain exit-2 messages on bad input."""

from __future__ import annotations

import csv
import json
import tomllib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from schemas import Account, Match, TriggerEvent

pytest.importorskip("sources.crm", reason="discover reads opportunities through sources.crm")
from pipelines.commands.cli import main  # noqa: E402

START = date(2024, 1, 1)
HEADER = [
    "Id",
    "AccountId",
    "Name",
    "StageName",
    "Amount",
    "CreatedDate",
    "CloseDate",
    "IsWon",
    "IsClosed",
    "OwnerId",
]


def _world() -> tuple[list[TriggerEvent], dict[str, str], list[list[str]], list[Account]]:
    """150 accounts with a won or lost deal every year; 50 raise a round, 30 of them win 20-60 days
    later. Rows are Salesforce export rows."""
    accounts = [Account(account_id=f"001A{i:03d}", name=f"Company {i}") for i in range(150)]
    events: list[TriggerEvent] = []
    event_accounts: dict[str, str] = {}
    rows: list[list[str]] = []

    def deal(account_id: str, close: date, won: bool) -> None:
        created = close - timedelta(days=30)
        rows.append(
            [f"006A{len(rows):05d}", account_id, "Deal", "Closed Won" if won else "Closed Lost", "1000.00",
             f"{created.isoformat()}T10:00:00.000Z", close.isoformat(), str(won).lower(), "true", "ana.ruiz"]
        )  # fmt: skip

    for i, acc in enumerate(accounts):
        for year in (0, 365):
            deal(acc.account_id, START + timedelta(days=year + (i * 37) % 365), i % 4 == 0)
        if i < 50:
            t = 30 + (i * 13) % 600
            event = TriggerEvent(
                event_id=f"ev{i}",
                document_id=f"doc{i}",
                type="funding_round",
                company=acc.name,
                round="series_a",
                confidence=0.9,
                evidence=f"{acc.name} raises a Series A",
                published_at=datetime.combine(START + timedelta(days=t), datetime.min.time(), UTC),
            )
            events.append(event)
            event_accounts[event.event_id] = acc.account_id
            if i % 5 < 3:
                deal(acc.account_id, START + timedelta(days=t + 20 + i % 40), True)
    return events, event_accounts, rows, accounts


def _write_opportunities(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def _write_matched_events(path: Path, events: list[TriggerEvent], event_accounts: dict[str, str]) -> Path:
    """What `buysignal match` writes: each event with account_id, score, method ... added."""
    with path.open("w", encoding="utf-8") as fh:
        for event in events:
            obj = json.loads(event.to_json())
            account_id = event_accounts.get(event.event_id)
            obj.update(
                account_id=account_id, account_name=None, score=100.0, method="name_exact", ambiguous=False
            )
            fh.write(json.dumps(obj) + "\n")
        fh.write("{not json\n")  # one bad line: skipped and counted, the run goes on
    return path


def test_discover_from_matched_events_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events, event_accounts, rows, _ = _world()
    opps = _write_opportunities(tmp_path / "opportunities.csv", rows)
    matched = _write_matched_events(tmp_path / "matched.jsonl", events, event_accounts)
    config = tmp_path / "buysignal.toml"
    config.write_text('# mine\n[store]\nurl = "sqlite:///x.db"\n', encoding="utf-8")
    code = main(
        ["discover", "--opportunities", str(opps), "--events", str(matched), "--as-of", "2025-12-31",
         "--permutations", "99", "--out", str(tmp_path / "out"), "--write-segments", str(config)]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "recommend" in out and "funding round" in out
    assert "1 event lines skipped" in err
    for name in ("discovery.csv", "discovery.png", "discovery.html"):
        assert (tmp_path / "out" / name).stat().st_size > 0
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    # Wins come 20-60 days after the round, so the best-supported window is 60 days.
    assert "discovered-funding-round-60d" in [s["name"] for s in data["segments"]]
    assert config.read_text(encoding="utf-8").startswith('# mine\n[store]\nurl = "sqlite:///x.db"\n')


def test_discover_from_the_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store_module = pytest.importorskip("sinks.store")
    events, event_accounts, rows, accounts = _world()
    url = f"sqlite:///{tmp_path / 'buysignal.db'}"
    store = store_module.Store(url)
    try:
        store.upsert_events(events)
        store.upsert_matches(
            [
                Match(event_id=e, account_id=a, score=100.0, method="name_exact")
                for e, a in event_accounts.items()
            ]
        )
        store.upsert_accounts(accounts)
    finally:
        store.close()
    opps = _write_opportunities(tmp_path / "opportunities.csv", rows)
    code = main(
        ["discover", "--opportunities", str(opps), "--db", url, "--windows", "90", "--permutations", "99"]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "recommend" in out


def test_no_won_deals_exit_2_with_a_plain_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events, event_accounts, rows, _ = _world()
    lost = [[*r[:3], "Closed Lost", r[4], r[5], r[6], "false", "true", r[9]] for r in rows]
    opps = _write_opportunities(tmp_path / "opportunities.csv", lost)
    matched = _write_matched_events(tmp_path / "matched.jsonl", events, event_accounts)
    code = main(["discover", "--opportunities", str(opps), "--events", str(matched)])
    _, err = capsys.readouterr()
    assert code == 2
    assert "buysignal discover: none of the" in err and "closed-won" in err
    assert "Traceback" not in err


def test_missing_store_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, rows, _ = _world()
    opps = _write_opportunities(tmp_path / "opportunities.csv", rows)
    code = main(["discover", "--opportunities", str(opps), "--db", f"sqlite:///{tmp_path / 'none.db'}"])
    _, err = capsys.readouterr()
    assert code == 2
    assert "no store at" in err and "--events" in err
    assert not (tmp_path / "none.db").exists()  # looking did not create an empty database
