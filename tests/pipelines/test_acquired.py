"""The acquired side of an acquisition: the acquired company's account gets a trigger of its own
(type `acquired`), segmentable like any other, the same in batch and stream."""

from __future__ import annotations

import csv
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from run_support import rss, write_run_config

from pipelines.config import load_config
from pipelines.core import acquired_event
from pipelines.core.dedup import deduplicate
from pipelines.runners.run import run
from schemas import Filing, TriggerEvent
from sinks.store import Store

SOURCES = Path(__file__).resolve().parents[1] / "cases" / "sources"
T0 = datetime(2026, 11, 20, 10, tzinfo=UTC)


def acquisition(doc: str, company: str | None, target: str | None, **more: object) -> TriggerEvent:
    return TriggerEvent(
        event_id=TriggerEvent.make_id(doc, "acquisition", company, target),
        document_id=doc,
        type="acquisition",
        company=company,
        counterparty=target,
        amount=8_000_000_000,
        currency="USD",
        confidence=0.87,
        evidence=f"{company} completes acquisition of {target}",
        published_at=T0,
        url=f"https://news.example.com/{doc}",
        source="wire",
        **more,  # type: ignore[arg-type]
    )


def test_an_acquisition_gives_the_acquired_company_its_own_event() -> None:
    deal = acquisition("d1", "Salesforce", "Informatica")
    acquired = acquired_event(deal)
    assert acquired is not None
    assert (acquired.type, acquired.company, acquired.counterparty) == (
        "acquired",
        "Informatica",
        "Salesforce",
    )
    assert acquired.document_id == "d1" and acquired.evidence == deal.evidence
    assert (acquired.published_at, acquired.url, acquired.source) == (
        deal.published_at,
        deal.url,
        deal.source,
    )
    assert (acquired.amount, acquired.currency, acquired.confidence) == (8_000_000_000, "USD", 0.87)
    assert acquired.event_id not in (deal.event_id, "")
    # the same acquisition always gives the same event (batch and stream derive it apart), and
    # its id does not hang on how the companies' legal forms are written
    assert acquired_event(deal) == acquired
    again = acquired_event(acquisition("d1", "Salesforce, Inc.", "Informatica LLC"))
    assert again is not None and again.event_id == acquired.event_id


def test_only_an_acquisition_with_a_named_other_company_has_an_acquired_side() -> None:
    assert acquired_event(acquisition("d1", "Salesforce", None)) is None
    assert acquired_event(acquisition("d1", "Salesforce", "  ")) is None
    assert acquired_event(acquisition("d1", "Salesforce Inc", "Salesforce")) is None
    partnership = acquisition("d1", "Salesforce", "Informatica").model_copy(update={"type": "partnership"})
    assert acquired_event(partnership) is None


def test_the_filing_stays_with_the_acquirer() -> None:
    # A filing's CIK and tickers are the filer's (the acquirer): on the acquired side they would
    # match the acquirer's account.
    filing = Filing(form="8-K", cik="0000012345", tickers=["ACQR"], items=["2.01"])
    acquired = acquired_event(acquisition("d1", "Acquirer Corp", "Target Systems", filing=filing))
    assert acquired is not None and acquired.filing is None and acquired.company == "Target Systems"


def test_two_reports_of_one_acquisition_give_one_acquired_event() -> None:
    first = acquisition("d1", "Salesforce", "Informatica")
    second = acquisition("d2", "Salesforce", "Informatica Inc.").model_copy(
        update={"published_at": T0 + timedelta(hours=5), "source": "other-wire"}
    )
    derived = [e for e in (acquired_event(first), acquired_event(second)) if e is not None]
    merged = deduplicate([first, second, *derived])
    acquired = [e for e in merged if e.type == "acquired"]
    assert len(acquired) == 1 and acquired[0].sources == ["other-wire", "wire"]
    assert len([e for e in merged if e.type == "acquisition"]) == 1


@pytest.mark.slow
def test_a_run_puts_the_acquired_account_on_its_own_segment(tmp_path: Path) -> None:
    news = rss(
        "<item><guid>a1</guid><title>Salesforce completes acquisition of Informatica</title>"
        "<pubDate>Fri, 20 Nov 2026 09:00:00 GMT</pubDate><link>https://news.example.com/a1</link></item>"
    )
    cfg_path = write_run_config(
        tmp_path,
        news=news,
        accounts_csv="",
        extra="""
[[segments]]
name = "acquired_90d"
description = "Being acquired: a new owner reviews every vendor"
types = ["acquired"]
days = 90

[[segments]]
name = "acquirers_90d"
types = ["acquisition"]
days = 90
""",
    )
    shutil.copy(SOURCES / "accounts_salesforce_api.csv", tmp_path / "accounts.csv")
    summary = run(load_config(cfg_path))
    assert summary.segment_rows == {"acquired_90d": 1, "acquirers_90d": 1}
    with Store(f"sqlite:///{tmp_path / 'bs.db'}") as store:
        events = {e.type: e for e in store.events()}
        matches = {m.event_id: m for m in store.matches()}
    acquired, deal = events["acquired"], events["acquisition"]
    assert (acquired.company, acquired.counterparty) == ("Informatica", "Salesforce")
    assert matches[acquired.event_id].account_id == "001Hs00000InFoRIAV"
    assert matches[deal.event_id].account_id == "001Hs00000SaLeSIAV"
    with (tmp_path / "out" / "acquired_90d.csv").open(encoding="utf-8") as fh:
        (row,) = list(csv.DictReader(fh))
    assert (row["account_id"], row["trigger_type"]) == ("001Hs00000InFoRIAV", "acquired")
