"""Ambiguous matches wait for a person; their decision is remembered as an alias for later runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from run_support import ACME_SERIES_A, rss, write_run_config

from pipelines.commands.cli import main
from pipelines.config import load_config
from pipelines.runners.run import run
from sinks.store import Store

pytestmark = pytest.mark.slow


def setup_run(tmp_path: Path) -> Path:
    # Two accounts the news name fits equally well: a person has to say which one is meant.
    return write_run_config(
        tmp_path,
        news=rss(ACME_SERIES_A),
        accounts_csv="account_id,name,domain,owner\nA1,Acme Robotics Inc.,,ana\nA2,Acme Robotics GmbH,,ben\n",
    )


def test_review_accept_assigns_the_account_and_is_remembered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    cfg_path = setup_run(tmp_path)
    cfg = load_config(cfg_path)
    first = run(cfg)
    assert first.review_pending == 1
    assert first.segment_rows["funding_30d"] == 0  # an ambiguous match is not put on a list

    db = cfg.store.url
    assert main(["review", "list", "--db", db]) == 0
    listing = capsys.readouterr().out
    assert "Acme Robotics" in listing and "A1" in listing and "A2" in listing

    with Store(db) as store:
        item = store.list_reviews("pending")[0]
    assert main(["review", "accept", item.id, "--account", "A2", "--db", db]) == 0
    assert main(["review", "accept", "no-such-id", "--db", db]) == 2

    second = run(cfg)
    assert second.review_pending == 0
    assert second.segment_rows["funding_30d"] == 1
    with Store(db) as store:
        assert store.aliases().get("Acme Robotics") == "A2"
        (match,) = [m for m in store.matches()]
        assert match.account_id == "A2" and not match.ambiguous


def test_review_reject_leaves_the_event_unassigned(tmp_path: Path):
    cfg = load_config(setup_run(tmp_path))
    run(cfg)
    with Store(cfg.store.url) as store:
        item = store.list_reviews("pending")[0]
    assert main(["review", "reject", item.id, "--db", cfg.store.url]) == 0
    summary = run(cfg)
    assert summary.review_pending == 0
    assert summary.segment_rows["funding_30d"] == 0
    with Store(cfg.store.url) as store:
        assert [r.status for r in store.list_reviews(None)] == ["rejected"]


REPORT_EXPORT = Path(__file__).resolve().parents[1] / "cases" / "sources" / "accounts_salesforce_report.csv"


def item(guid: str, title: str) -> str:
    return (
        f"<item><guid>{guid}</guid><title>{title}</title>"
        f"<pubDate>Mon, 23 Nov 2026 09:00:00 GMT</pubDate><link>https://news.example.com/{guid}</link></item>"
    )


def test_ties_and_near_misses_reach_review_and_matches_say_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # the review table on one line per candidate
    # A Salesforce report export (report labels, 15-character ids, its footer) with two Meridian accounts.
    cfg_path = write_run_config(
        tmp_path,
        news=rss(
            item("m1", "Meridian raises $40M Series B"),
            item("m2", "Meridian Health Ventures raises $12M seed round"),
            item("m3", "Clay raises $100M Series C"),
        ),
        accounts_csv=REPORT_EXPORT.read_text(encoding="utf-8"),
    )
    cfg = load_config(cfg_path)
    summary = run(cfg)
    assert summary.review_pending == 2
    with Store(cfg.store.url) as store:
        matches = {m.company: m for m in store.matches()}
        reviews = {r.company: r for r in store.list_reviews("pending")}
    tie, near, clay = matches["Meridian"], matches["Meridian Health Ventures"], matches["Clay"]
    assert tie.account_id is None and tie.ambiguous and tie.review_reason == "tie"
    assert reviews["Meridian"].reason == "tie"
    assert {c.account_id for c in reviews["Meridian"].candidates} == {
        "001Hs00000MeRiDIAV",
        "001Hs00000MeRiCIAV",
    }
    assert near.account_id is None and near.review_reason == "near_miss" and not near.ambiguous
    assert reviews["Meridian Health Ventures"].reason == "near_miss"
    assert reviews["Meridian Health Ventures"].candidates[0].account_id == "001Hs00000MeRiDIAV"
    assert (clay.account_id, clay.method, clay.matched_by) == (
        "001Hs00000ClAyLIAV",
        "domain_name",
        "name is the domain clay.com",
    )

    assert main(["review", "list", "--db", cfg.store.url]) == 0
    listing = capsys.readouterr().out
    assert "tie" in listing and "near miss" in listing
    assert "001Hs00000MeRiDIAV: Meridian Health Partners (67)" in listing
    assert "001Hs00000MeRiCIAV: Meridian Capital Group" in listing

    # Accepting the near miss assigns the account and says why; the next run finds it by the alias
    # the decision left.
    assert main(["review", "accept", reviews["Meridian Health Ventures"].id, "--db", cfg.store.url]) == 0
    with Store(cfg.store.url) as store:
        decided = {m.company: m for m in store.matches()}["Meridian Health Ventures"]
    assert (decided.account_id, decided.method, decided.matched_by, decided.review_reason) == (
        "001Hs00000MeRiDIAV",
        "review",
        "review decision",
        None,
    )
    again = run(cfg)
    assert again.review_pending == 1
    with Store(cfg.store.url) as store:
        rematched = {m.company: m for m in store.matches()}["Meridian Health Ventures"]
        assert [r.company for r in store.list_reviews("pending")] == ["Meridian"]
    assert (rematched.account_id, rematched.matched_by) == ("001Hs00000MeRiDIAV", "alias")
