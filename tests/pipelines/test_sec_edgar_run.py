"""SEC filings through the whole batch run (Beam): structured events stored as the forms state them,
matched by CIK first, and an amended Form D updating its stored event instead of adding one."""

from __future__ import annotations

from pathlib import Path

import pytest
from run_support import rss, write_run_config

from pipelines.config import load_config
from pipelines.runners.run import run
from sinks.store import Store

pytestmark = pytest.mark.slow

EDGAR = Path(__file__).resolve().parents[1] / "cases" / "sources" / "edgar"
ACCOUNTS = (
    "account_id,name,CIK\n"
    "A1,Exelon,1109357\n"  # the CIK column decides, though the filing says EXELON CORP
    "A2,Upshot Real Estate Fund II LP,\n"
)


def amended_upshot(folder: Path) -> Path:
    """The Upshot Form D of tests/cases, edited into the amendment a year later ($4,000,000 sold)."""
    text = (EDGAR / "0001745524-18-000001.txt").read_text(encoding="latin-1")
    amended = (
        text.replace("0001745524-18-000001", "0001745524-19-000002")
        .replace("CONFORMED SUBMISSION TYPE:\tD", "CONFORMED SUBMISSION TYPE:\tD/A")
        .replace("<ACCEPTANCE-DATETIME>20180705114812", "<ACCEPTANCE-DATETIME>20190705114812")
        .replace("<isAmendment>false</isAmendment>", "<isAmendment>true</isAmendment>")
        .replace("<totalAmountSold>0</totalAmountSold>", "<totalAmountSold>4000000</totalAmountSold>")
    )
    path = folder / "0001745524-19-000002.txt"
    path.write_text(amended, encoding="latin-1")
    return path


def config(folder: Path, files: list[Path]) -> Path:
    listed = ", ".join(f'"{f}"' for f in files)
    return write_run_config(
        folder,
        accounts_csv=ACCOUNTS,
        news=rss(),
        extra=f'[[sources]]\ntype = "sec_edgar"\nfiles = [{listed}]\n',
    )


def test_filings_run_through_the_batch_pipeline_and_an_amendment_updates_its_event(tmp_path: Path) -> None:
    first = [EDGAR / "0000950137-05-004969.txt", EDGAR / "0001745524-18-000001.txt"]
    cfg = load_config(config(tmp_path, first))
    run(cfg)
    store = Store(cfg.store.url)
    try:
        events = {e.type: e for e in store.events()}
        matches = {m.event_id: m for m in store.matches()}
        hire, funding = events["executive_hire"], events["funding_round"]
        assert (hire.person, hire.role) == ("Thomas J. Ridge", "board")
        assert (matches[hire.event_id].account_id, matches[hire.event_id].method) == ("A1", "cik")
        assert funding.amount == 0 and matches[funding.event_id].account_id == "A2"
        assert hire.document_id in store.document_ids()
    finally:
        store.close()

    cfg = load_config(config(tmp_path, [*first, amended_upshot(tmp_path)]))
    run(cfg)
    store = Store(cfg.store.url)
    try:
        funding_events = [e for e in store.events() if e.type == "funding_round"]
        assert [(e.event_id, e.amount) for e in funding_events] == [(funding.event_id, 4_000_000)]
    finally:
        store.close()
