"""Campaign list files (CSV, JSON Lines) and the dead-letter file."""

from __future__ import annotations

import csv
import json
import os
from datetime import date
from pathlib import Path

import pytest
from sink_factories import make_entry

from schemas.errors import ConfigError
from sinks.base import Batch
from sinks.campaigns import (
    CSV_COLUMNS,
    CampaignJsonWriter,
    CampaignListWriter,
    default_segments,
)

CASES = Path(__file__).resolve().parents[1] / "cases" / "sinks"


def entries() -> list:
    return [
        make_entry(
            1,
            evidence='Company 1 raises $25M, led by "Sequoia"\nsecond line',
            owner=None,
            domain="company1.example",
            trigger_count=2,
            round="series_b",
            amount=25_000_000,
            currency="USD",
            investors=["Sequoia", "Granite Bay Ventures"],
            matched_by="name is the domain company1.example",
        ),
        make_entry(2, segment="any_trigger_7d", account_id=None, account_name=None, url=None),
        make_entry(3, event_date=date(2026, 11, 1), days_since_event=24, company="Überlingen Café AG"),
    ]


def test_one_csv_per_segment_with_the_agreed_columns(tmp_path: Path) -> None:
    writer = CampaignListWriter(tmp_path / "out")
    paths = writer.write_entries(entries())
    assert [p.name for p in paths] == ["any_trigger_7d.csv", "funding_30d.csv"]
    with (tmp_path / "out" / "funding_30d.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert list(CSV_COLUMNS[:9]) == [
        "account_id",
        "account_name",
        "domain",
        "owner",
        "new",
        "trigger_type",
        "event_date",
        "days_since_event",
        "trigger_count",
    ]
    assert {"round", "amount", "currency", "investors", "person", "title", "role", "counterparty"} <= set(
        CSV_COLUMNS
    )
    assert rows[0]["evidence"] == 'Company 1 raises $25M, led by "Sequoia"\nsecond line'
    assert rows[0]["owner"] == ""  # None is an empty cell
    assert rows[1]["company"] == "Überlingen Café AG" and rows[1]["event_date"] == "2026-11-01"


def test_csv_matches_the_reviewed_example(tmp_path: Path) -> None:
    CampaignListWriter(tmp_path).write_entries(entries())
    expected = (CASES / "funding_30d.csv").read_bytes()
    assert (tmp_path / "funding_30d.csv").read_bytes() == expected


def test_empty_segments_get_a_header_only_file(tmp_path: Path) -> None:
    writer = CampaignListWriter(tmp_path, segments=["funding_30d", "new_marketing_leader_90d"])
    paths = writer.write_entries([])
    assert [p.name for p in paths] == ["funding_30d.csv", "new_marketing_leader_90d.csv"]
    assert (tmp_path / "funding_30d.csv").read_text(encoding="utf-8") == ",".join(CSV_COLUMNS) + "\n"


def test_entries_and_segments_can_be_given_directly(tmp_path: Path) -> None:
    writer = CampaignListWriter(tmp_path)
    paths = writer.write(entries()[:1], default_segments())
    assert paths == writer.paths
    assert [p.name for p in paths] == [
        "any_trigger_7d.csv",
        "funding_30d.csv",
        "new_marketing_leader_90d.csv",
    ]
    assert (tmp_path / "funding_30d.csv").read_text(encoding="utf-8").count("ev-00001") == 1


def test_a_rewrite_replaces_the_whole_list(tmp_path: Path) -> None:
    writer = CampaignListWriter(tmp_path, segments=["funding_30d"])
    writer.write(Batch(entries=entries()))
    writer.write(Batch(entries=[]))
    assert (tmp_path / "funding_30d.csv").read_text(encoding="utf-8") == ",".join(CSV_COLUMNS) + "\n"


def test_the_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    writer = CampaignListWriter(tmp_path)
    writer.write_entries(entries())
    before = (tmp_path / "funding_30d.csv").read_bytes()

    def crash(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        writer.write_entries([make_entry(9)])
    assert (tmp_path / "funding_30d.csv").read_bytes() == before  # the old list is whole
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "any_trigger_7d.csv",
        "funding_30d.csv",
    ]  # no temp left


def test_spreadsheet_formulas_are_defused_in_csv_only(tmp_path: Path) -> None:
    evil = make_entry(1, company='=HYPERLINK("http://x")', evidence="+1 234 raises", account_name="@Acme")
    CampaignListWriter(tmp_path, formats=("csv", "json")).write_entries([evil])
    with (tmp_path / "funding_30d.csv").open(encoding="utf-8", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert (row["company"], row["evidence"], row["account_name"]) == (
        '\'=HYPERLINK("http://x")',
        "'+1 234 raises",
        "'@Acme",
    )
    line = json.loads((tmp_path / "funding_30d.jsonl").read_text(encoding="utf-8"))
    assert line["company"] == '=HYPERLINK("http://x")'
    CampaignListWriter(tmp_path, escape_formulas=False).write_entries([evil])
    with (tmp_path / "funding_30d.csv").open(encoding="utf-8", newline="") as handle:
        assert next(csv.DictReader(handle))["company"] == '=HYPERLINK("http://x")'


def test_json_lines_writer(tmp_path: Path) -> None:
    writer = CampaignJsonWriter(tmp_path)
    assert writer.name == "campaign_json"
    paths = writer.write_entries(entries())
    assert [p.name for p in paths] == ["any_trigger_7d.jsonl", "funding_30d.jsonl"]
    lines = [
        json.loads(line) for line in (tmp_path / "funding_30d.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert [list(line) for line in lines] == [list(CSV_COLUMNS)] * 2
    assert lines[0]["event_date"] == "2026-11-20" and lines[0]["days_since_event"] == 5
    assert lines[1]["company"] == "Überlingen Café AG"


def test_an_unknown_format_names_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="csv, json"):
        CampaignListWriter(tmp_path, formats=("xlsx",))
