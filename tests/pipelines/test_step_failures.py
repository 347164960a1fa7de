"""A record a step of the core fails on (detection, champion matching, account matching) is one dead
letter naming the step, the record and its source, in the batch run and in the stream's `process`;
the records beside it go on. The failures are injected: the steps themselves never fail on these
sentences, which is the point of testing what happens when one does."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from run_support import rss, write_run_config

from pipelines.config import load_config
from pipelines.core import ProcessSettings, TriggerProcessor
from pipelines.runners.run import run
from schemas import Document, TriggerEvent
from sinks.store import Store

pytestmark = pytest.mark.slow

ACME = "Acme Robotics raises $12M Series A led by Harbor Point Ventures"
INITECH = "Initech raises $40M Series B led by Northwind Capital"
ACCOUNTS = "account_id,name\nA1,Acme Robotics Inc.\nA2,Initech\n"


def _item(guid: str, title: str) -> str:
    return f"<item><guid>{guid}</guid><title>{title}</title><pubDate>Mon, 23 Nov 2026 09:00:00 GMT</pubDate></item>"


@pytest.fixture
def failing_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Detection fails on any batch holding the Initech story (and on it alone); matching fails on
    any event whose company is Initech."""
    detect, match = TriggerProcessor.detect, TriggerProcessor.match

    def flaky_detect(self: TriggerProcessor, docs: Any) -> Any:
        docs = list(docs)
        if any("Initech" in (d.title or "") and "detect" in d.id for d in docs):
            raise RuntimeError("the detector choked")
        return detect(self, docs)

    def flaky_match(self: TriggerProcessor, event: TriggerEvent) -> Any:
        if event.company == "Initech":
            raise RuntimeError("the matcher choked")
        return match(self, event)

    monkeypatch.setattr(TriggerProcessor, "detect", flaky_detect)
    monkeypatch.setattr(TriggerProcessor, "match", flaky_match)


def test_the_batch_run_keeps_going_past_a_failing_step(tmp_path: Path, failing_steps: None) -> None:
    news = rss(
        _item("acme", ACME), _item("detect-initech", INITECH), _item("match-initech", INITECH + " again")
    )
    cfg = load_config(write_run_config(tmp_path, accounts_csv=ACCOUNTS, news=news))
    summary = run(cfg)
    with Store(cfg.store.url) as store:
        events = store.events()
        dead = store.dead_letters()
    assert [(e.company, e.type) for e in events] == [("Acme Robotics", "funding_round")]
    by_stage = {d.stage: d for d in dead}
    assert set(by_stage) == {"trigger", "match"}
    assert (
        "triggers:detector: Document" in by_stage["trigger"].error
        and "detect-initech" in by_stage["trigger"].error
    )
    assert "the detector choked" in by_stage["trigger"].error and "from Wire" in by_stage["trigger"].error
    assert (
        "matchers:accounts: TriggerEvent" in by_stage["match"].error
        and "the matcher choked" in by_stage["match"].error
    )
    assert summary.counts.dead_letters == 2


def test_the_stream_step_keeps_going_past_a_failing_step(tmp_path: Path, failing_steps: None) -> None:
    (tmp_path / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    settings = ProcessSettings(
        accounts_path=str(tmp_path / "accounts.csv"), as_of=datetime(2026, 11, 25, tzinfo=UTC)
    )
    processor = TriggerProcessor(settings).setup()
    docs = [
        Document(id="acme", title=ACME, source="Wire"),
        Document(id="detect-initech", title=INITECH, source="Wire"),
        Document(id="match-initech", title=INITECH + " again", source="Wire"),
    ]
    batch = processor.process(docs)
    assert [(e.company, e.type) for e in batch.events] == [("Acme Robotics", "funding_round")]
    assert [m.account_id for m in batch.matches] == ["A1"]
    assert sorted(d.stage for d in batch.dead_letters) == ["match", "trigger"]
    assert [d.id for d in batch.documents] == ["acme", "detect-initech", "match-initech"]
