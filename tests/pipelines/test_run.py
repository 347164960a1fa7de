"""End to end through Apache Beam (DirectRunner): sources -> triggers -> matches -> store and lists."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pipelines.config import load_config
from pipelines.runners.run import run
from sinks.store import Store

pytestmark = pytest.mark.slow


def demo_config(tmp_path: Path):
    cfg = load_config(None)
    return cfg.model_copy(
        update={
            "store": cfg.store.model_copy(update={"url": f"sqlite:///{tmp_path / 'bs.db'}"}),
            "output": cfg.output.model_copy(update={"dir": str(tmp_path / "out")}),
        }
    )


def test_demo_run_twice_leaves_identical_store(tmp_path: Path):
    cfg = demo_config(tmp_path)
    first = run(cfg)
    store = Store(cfg.store.url)
    dump1 = store.dump()
    store.close()
    second = run(cfg)
    store = Store(cfg.store.url)
    dump2 = store.dump()
    runs = store.runs()
    store.close()

    assert dump1 == dump2
    assert len(runs) == 2 and all(r.status == "succeeded" for r in runs)
    assert first.counts.documents >= 60
    assert first.events_by_type.get("funding_round", 0) >= 5
    assert first.matched_accounts >= 10
    assert first.dead_letters >= 1  # the broken feed and the broken CRM row are reported, not fatal
    assert second.segment_rows == first.segment_rows
    # The same counts on the second run: every event id is one event (`buysignal run --demo` twice
    # once reported more events the second time, over an identical store).
    assert (second.counts, second.events_by_type, second.matched_accounts, second.dead_letters) == (
        first.counts,
        first.events_by_type,
        first.matched_accounts,
        first.dead_letters,
    )
    assert first.segment_rows["funding_30d"] >= 3

    for path in first.list_paths:
        assert path.is_file()
    funding = next(p for p in first.list_paths if p.name == "funding_30d.csv")
    rows = list(csv.DictReader(funding.open(encoding="utf-8")))
    assert rows and rows[0]["trigger_type"] == "funding_round"
    assert {
        "account_id",
        "account_name",
        "owner",
        "trigger_type",
        "event_date",
        "days_since_event",
        "company",
        "evidence",
        "url",
    } <= set(rows[0])
    assert all(0 <= int(r["days_since_event"]) <= 30 for r in rows)
    assert len({r["account_id"] for r in rows}) == len(rows)  # one row per account
    assert first.new_rows == first.segment_rows  # the first run: every row is new
    assert second.new_rows == {name: 0 for name in second.new_rows}  # the second: nothing is
    assert all(r["new"] == "false" for r in rows)  # (the files are the second run's)

    # pipelines/example/README.md: who had a new marketing leader in the 90 days to 2026-11-25.
    leaders = next(p for p in first.list_paths if p.name == "new_marketing_leader_90d.csv")
    names = {r["account_name"]: r for r in csv.DictReader(leaders.open(encoding="utf-8"))}
    assert {
        "Northwind Analytics Ltd",
        "Polar Signal Inc.",
        "Bramble Commerce Inc.",
        "Larkspur Learning",
        "Meridian HR Software",
        "Foxglove Health Inc",
        "Emberly GmbH",
        "Irisford Analytics Inc",
    } == set(names)  # not the Emberstone Freight promotion
    assert names["Polar Signal Inc."]["trigger_count"] == "2"  # Jordan Ellis and Ingrid Halvorsen
    assert names["Bramble Commerce Inc."]["title"] == "VP Marketing"
    people = next(p for p in first.list_paths if p.name == "new_marketing_leader_90d.people.csv")
    titles = [r["title"] for r in csv.DictReader(people.open(encoding="utf-8"))]
    assert titles and all(any(k in t.lower() for k in ("marketing", "demand gen", "growth")) for t in titles)


def test_bad_inputs_become_dead_letters_and_the_run_goes_on(tmp_path: Path):
    (tmp_path / "good.xml").write_text(
        """<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
        <item><guid>w1</guid><title>Acme Robotics raises $12M Series A led by Harbor Point Ventures</title>
        <pubDate>Mon, 23 Nov 2026 09:00:00 GMT</pubDate><link>https://news.example.com/w1</link></item>
        </channel></rss>""",
        encoding="utf-8",
    )
    (tmp_path / "broken.xml").write_text("<rss><channel><item><title>cut off", encoding="utf-8")
    (tmp_path / "accounts.csv").write_bytes(
        b"account_id,name,domain,owner\r\nA1,Acme Robotics Inc.,acmerobotics.example,ana\r\n"
        b",Nameless row,,\r\nA2,Caf\xe9 Bleu SARL,,ben\r\n"
    )
    (tmp_path / "jobs.csv").write_text(
        "person,new_title,new_company,previous_company,date,url\n,CMO,Acme,,2026-11-20,\n", encoding="utf-8"
    )
    (tmp_path / "c.toml").write_text(
        f"""as_of = "2026-11-25T00:00:00Z"
[store]
url = "sqlite:///{tmp_path / "bs.db"}"
[output]
dir = "{tmp_path / "out"}"
[[sources]]
type = "rss"
name = "wire"
feeds = ["good.xml", "broken.xml", "http://127.0.0.1:9/unreachable.xml", "missing.xml"]
max_retries = 1
[[sources]]
type = "job_changes"
path = "jobs.csv"
[crm]
accounts = "accounts.csv"
opportunities = "opportunities.csv"
""",
        encoding="utf-8",
    )
    # No close date here has a day over 12: the run reads them month first and says it guessed.
    (tmp_path / "opportunities.csv").write_text(
        "opportunity_id,account_id,name,stage,close_date\nO1,A1,Robots,Closed Won,03/04/2026\n",
        encoding="utf-8",
    )
    summary = run(load_config(tmp_path / "c.toml"))
    assert any("opportunities.csv" in n and "a guess" in n for n in summary.notes), summary.notes
    store = Store(f"sqlite:///{tmp_path / 'bs.db'}")
    dead = store.dead_letters()
    events = store.events()
    matches = {m.event_id: m for m in store.matches()}
    accounts = {a.account_id: a for a in store.accounts()}
    store.close()
    components = " ".join(d.component + " " + d.error for d in dead)
    assert "broken.xml" in components
    assert "127.0.0.1:9" in components
    assert "missing.xml" in components
    assert "accounts.csv" in components
    assert "jobs.csv" in components
    assert accounts["A2"].name == "Café Bleu SARL"  # cp1252 file read, not dropped
    funding = [e for e in events if e.type == "funding_round"]
    assert len(funding) == 1 and matches[funding[0].event_id].account_id == "A1"
    assert summary.segment_rows["funding_30d"] == 1


def test_a_config_without_crm_says_why_the_lists_are_empty() -> None:
    from pipelines.config import config_from_dict
    from pipelines.runners.run import crm_notes

    notes = crm_notes(config_from_dict({}), accounts=0, contacts=0)
    assert any("no [crm] accounts export" in n and "matched_only" in n for n in notes)
    assert any("no [crm] contacts export" in n and "people lists" in n for n in notes)
    both = config_from_dict({"crm": {"accounts": "a.csv", "contacts": "c.csv"}})
    assert crm_notes(both, accounts=3, contacts=5) == []
