"""Ambiguous matches wait for a person; their decision is remembered as an alias for later runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from run_support import ACME_SERIES_A, rss, write_run_config

from pipelines.cli import main
from pipelines.config import load_config
from pipelines.run import run
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
