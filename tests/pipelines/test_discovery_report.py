"""Trigger discovery output: terminal table, CSV, PNG, self-contained HTML, and segments appended to
a TOML config without disturbing it."""

from __future__ import annotations

import base64
import csv
import re
import shutil
import struct
import tomllib
import zlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from pipelines.commands.discover import (
    DiscoveryReport,
    discover,
    render_terminal,
    write_csv,
    write_html,
    write_png,
    write_report_files,
    write_segments,
)
from pipelines.commands.discover.report import CSV_COLUMNS
from schemas import Account, Opportunity, Segment, TriggerEvent
from schemas.errors import ConfigError

CASES = Path(__file__).resolve().parents[1] / "cases" / "discovery"
START = date(2024, 1, 1)


def _event(event_id: str, type_: str, day: date, **fields: object) -> TriggerEvent:
    return TriggerEvent(
        event_id=event_id,
        document_id=f"doc-{event_id}",
        type=type_,  # type: ignore[arg-type]
        confidence=0.9,
        evidence="synthetic",
        published_at=datetime(day.year, day.month, day.day, tzinfo=UTC),
        **fields,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def report() -> DiscoveryReport:
    """A deterministic world: 200 accounts win once a year at staggered dates; 60 raise a Series B
    and 36 of those win 20-60 days later; 12 hire a CMO (too few to say anything)."""
    accounts = [Account(account_id=f"A{i:03d}", name=f"Company <{i}> & Co") for i in range(200)]
    events: list[TriggerEvent] = []
    event_accounts: dict[str, str] = {}
    opps: list[Opportunity] = []
    for i, acc in enumerate(accounts):
        for year_start in (0, 365):
            close = START + timedelta(days=year_start + (i * 37) % 365)
            opps.append(
                Opportunity(
                    opportunity_id=f"O{len(opps)}",
                    account_id=acc.account_id,
                    created_date=close - timedelta(days=30),
                    close_date=close,
                    is_won=i % 3 == 0,
                    is_closed=True,
                )
            )
        if i < 60:
            t = 30 + (i * 11) % 600
            ev = _event(
                f"F{i}", "funding_round", START + timedelta(days=t), company=acc.name, round="series_b"
            )
            events.append(ev)
            event_accounts[ev.event_id] = acc.account_id
            if i % 5 < 3:
                close = START + timedelta(days=t + 20 + i % 40)
                opps.append(
                    Opportunity(
                        opportunity_id=f"O{len(opps)}",
                        account_id=acc.account_id,
                        close_date=close,
                        is_won=True,
                        is_closed=True,
                    )
                )
        elif i < 72:
            ev = _event(f"H{i}", "executive_hire", START + timedelta(days=(i * 53) % 700), role="cmo")
            events.append(ev)
            event_accounts[ev.event_id] = acc.account_id
    result = discover(
        events, event_accounts, opps, accounts, permutations=99, as_of=datetime(2025, 12, 31, tzinfo=UTC)
    )
    assert result.recommendations, "the planted Series B effect should be recommended"
    return result


def test_terminal_table_shows_findings_and_thin_rows(report: DiscoveryReport) -> None:
    console = Console(record=True, width=220)
    render_terminal(report, console)
    text = console.export_text()
    assert "funding round: Series B" in text
    assert "recommend" in text
    assert "not enough data" in text  # the CMO hires
    assert "Recommended triggers" in text
    assert report.recommendations[0].segment.name in text


def test_csv_has_every_row_and_column(report: DiscoveryReport, tmp_path: Path) -> None:
    path = write_csv(report, tmp_path / "discovery.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(report.rows)
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    best = report.recommendations[0].row
    match = [r for r in rows if r["trigger"] == best.trigger and r["window_days"] == str(best.window_days)]
    assert match and match[0]["verdict"] == "recommend"
    assert float(match[0]["lift"]) == pytest.approx(best.lift, rel=1e-4)


def _png_chunks(data: bytes) -> list[bytes]:
    """Walk a PNG's chunks, checking every CRC: a truncated or corrupt file fails here."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, kinds = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        kinds.append(kind)
        pos += 12 + length
    return kinds


def test_png_is_a_valid_png(report: DiscoveryReport, tmp_path: Path) -> None:
    data = write_png(report, tmp_path / "lift.png").read_bytes()
    kinds = _png_chunks(data)
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
    width, height = struct.unpack(">II", data[16:24])
    assert width > 300 and height > 150


def test_png_without_testable_rows_is_still_valid(tmp_path: Path) -> None:
    empty = DiscoveryReport(rows=[], recommendations=[], notes=["nothing"])
    kinds = _png_chunks(write_png(empty, tmp_path / "empty.png").read_bytes())
    assert kinds[-1] == b"IEND"


def test_html_is_self_contained_and_has_the_table(report: DiscoveryReport, tmp_path: Path) -> None:
    png = write_png(report, tmp_path / "lift.png")
    page = write_html(report, tmp_path / "report.html", png=png).read_text(encoding="utf-8")
    # No external assets: no http(s) or protocol-relative src/href, no stylesheet links, no scripts.
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    assert "<link" not in page.lower() and "<script" not in page.lower() and "@import" not in page
    assert "data:image/png;base64," in page
    assert "<table" in page and "funding round: Series B" in page
    assert report.recommendations[0].sentence.replace("&", "&amp;") in page
    assert "as often (95% CI" in page and "as likely" not in page
    assert "not that they cause" in page  # the caveat is there
    assert "<style>" in page
    assert "<details><summary>Not enough data yet" in page  # the CMO hires, folded away


def test_html_without_findings_says_so_plainly(tmp_path: Path) -> None:
    events = [_event("e1", "funding_round", date(2025, 1, 10), round="seed")]
    opps = [
        Opportunity(
            opportunity_id="o1",
            account_id="A",
            created_date=date(2025, 1, 1),
            close_date=date(2025, 3, 1),
            is_won=True,
        ),
        Opportunity(
            opportunity_id="o2",
            account_id="B",
            created_date=date(2025, 1, 1),
            close_date=date(2025, 12, 1),
            is_won=False,
        ),
    ]
    thin = discover(events, {"e1": "A"}, opps, permutations=0)
    page = write_html(thin, tmp_path / "thin.html").read_text(encoding="utf-8")
    assert "No trigger is recommended yet" in page
    assert "only 1 won deal" in page
    assert "data:image/png;base64,iVBOR" in page


def test_html_draws_the_chart_itself_when_not_given_one(report: DiscoveryReport, tmp_path: Path) -> None:
    page = write_html(report, tmp_path / "report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64,iVBOR" in page  # base64 of the PNG signature


def test_report_files_are_written_together(report: DiscoveryReport, tmp_path: Path) -> None:
    files = write_report_files(report, tmp_path / "out")
    assert sorted(files) == ["csv", "html", "png"]
    assert all(path.is_file() and path.stat().st_size > 0 for path in files.values())
    assert base64.b64encode(files["png"].read_bytes()).decode("ascii") in files["html"].read_text(
        encoding="utf-8"
    )


def test_write_segments_appends_valid_toml_and_keeps_the_text(
    report: DiscoveryReport, tmp_path: Path
) -> None:
    config = tmp_path / "buysignal.toml"
    shutil.copy(CASES / "config_with_comments.toml", config)
    original = config.read_text(encoding="utf-8")
    added = write_segments(config, report.segments)
    assert [s.name for s in added] == [s.name for s in report.segments]
    text = config.read_text(encoding="utf-8")
    assert text.startswith(original)
    data = tomllib.loads(text)
    assert data["store"]["url"] == "sqlite:///buysignal.db"
    names = [s["name"] for s in data["segments"]]
    assert names == ["fresh-funding", *[s.name for s in report.segments]]
    for table in data["segments"][1:]:
        assert Segment.model_validate(table) in report.segments

    # Idempotent: the second run adds nothing and leaves the file byte for byte.
    assert write_segments(config, report.segments) == []
    assert config.read_text(encoding="utf-8") == text


def test_write_segments_skips_names_already_present(tmp_path: Path) -> None:
    config = tmp_path / "buysignal.toml"
    shutil.copy(CASES / "config_with_comments.toml", config)
    mine = Segment(name="fresh-funding", types=["funding_round"], days=90)
    new = Segment(
        name="cmo.hires_60d",
        description='CMO "hires"\\ with\ta tab, é and \x7f',
        types=["executive_hire"],
        roles=["cmo"],
        days=60,
    )
    added = write_segments(config, [mine, new, new])
    assert added == [new]
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    assert [s["name"] for s in data["segments"]] == ["fresh-funding", "cmo.hires_60d"]
    assert Segment.model_validate(data["segments"][1]) == new


def test_write_segments_creates_a_missing_file(tmp_path: Path) -> None:
    config = tmp_path / "new" / "buysignal.toml"
    write_segments(config, [Segment(name="a", types=["ipo"], days=30)])
    assert tomllib.loads(config.read_text(encoding="utf-8"))["segments"][0]["name"] == "a"


def test_write_segments_refuses_files_it_cannot_append_to(tmp_path: Path) -> None:
    seg = Segment(name="a", types=["ipo"], days=30)
    inline = tmp_path / "inline.toml"
    inline.write_text('segments = [{name = "b", days = 10}]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[\[segments\]\]"):
        write_segments(inline, [seg])
    assert inline.read_text(encoding="utf-8") == 'segments = [{name = "b", days = 10}]\n'
    broken = tmp_path / "broken.toml"
    broken.write_text("[store\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        write_segments(broken, [seg])
