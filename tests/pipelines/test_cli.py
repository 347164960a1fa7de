"""The command-line contract (CONTRACT.md): JSONL in and out, stderr for talk, exit 0/1/2."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.commands.cli import main

CASES = Path(__file__).resolve().parents[1] / "cases" / "pipelines"


def run_cli(*args: str, stdin: str | bytes | None = None) -> subprocess.CompletedProcess[str]:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines.commands.cli", *args], input=data, capture_output=True, timeout=300
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8", "replace")
    )


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """`buysignal ARGS` in this process (the same `main`, with stdin, stdout and stderr swapped):
    no new interpreter and no spaCy load per call. `run_cli` keeps one real process in the suite."""

    def invoke(*args: str, stdin: str | bytes | None = None) -> subprocess.CompletedProcess[str]:
        data = stdin.encode() if isinstance(stdin, str) else (stdin or b"")
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's own usage errors
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out, err)

    return invoke


def lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


DOCS = [
    {
        "id": "doc-1",
        "title": "Acme Robotics raises $25M Series B led by Harbor Point Ventures",
        "published_at": "2026-11-20T10:00:00Z",
        "source": "wire",
        "url": "https://news.example.com/1",
    },
    {"id": "doc-2", "title": "Northwind Analytics appoints Jane Doe as Chief Marketing Officer"},
    {"id": "doc-3", "title": "10 productivity tools every founder should try"},
]


def test_classify_reads_stdin_and_writes_contract_events():
    stdin = "\n".join(json.dumps(d) for d in DOCS) + "\n"
    proc = run_cli("classify", stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    events = lines(proc.stdout)
    by_doc = {e["document_id"]: e for e in events}
    assert by_doc["doc-1"]["type"] == "funding_round"
    assert by_doc["doc-1"]["round"] == "series_b"
    assert by_doc["doc-1"]["amount"] == 25000000
    assert by_doc["doc-1"]["currency"] == "USD"
    assert by_doc["doc-1"]["published_at"].startswith("2026-11-20T10:00:00")
    assert by_doc["doc-2"]["type"] == "executive_hire"
    assert by_doc["doc-2"]["role"] == "cmo"
    assert "doc-3" not in by_doc
    for e in events:
        doc = next(d for d in DOCS if d["id"] == e["document_id"])
        assert e["evidence"] in doc["title"]
        assert 0 <= e["confidence"] <= 1
    assert "3 documents" in proc.stderr


def test_classify_skips_bad_lines_and_reports_them(tmp_path: Path, cli):
    src = tmp_path / "docs.jsonl"
    src.write_bytes(
        b'{"id": "ok-1", "title": "Acme Robotics raises $10M seed round"}\n'
        b"not json\n"
        b'{"id": "no-text"}\n'
        b'{"id": "latin", "title": "Caf\xe9 chain raises \xa35m"}\n'
        b'{"id": "ok-2", "title": "Bluebird acquires Tern Labs"}\n'
    )
    out = tmp_path / "events.jsonl"
    proc = cli("classify", str(src), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    ids = {e["document_id"] for e in lines(out.read_text())}
    assert {"ok-1", "ok-2"} <= ids
    assert proc.stdout == ""
    assert "3 skipped" in proc.stderr
    assert "line 2" in proc.stderr and "line 3" in proc.stderr and "line 4" in proc.stderr


def test_classify_min_confidence_filters(cli):
    stdin = "\n".join(json.dumps(d) for d in DOCS[:2]) + "\n"
    everything = lines(cli("classify", "--min-confidence", "0", stdin=stdin).stdout)
    assert len(everything) >= 2
    top = max(e["confidence"] for e in everything)
    low = min(e["confidence"] for e in everything)
    kept = lines(cli("classify", "--min-confidence", str(low + 1e-9), stdin=stdin).stdout)
    assert all(e["confidence"] > low for e in kept) and len(kept) < len(everything) or top == low


def test_match_adds_account_fields(tmp_path: Path, cli):
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(
        "account_id,name,domain,owner\n"
        'A1,"Acme Robotics, Inc.",acmerobotics.example,ana\n'
        "A2,Northwind Analytics Ltd,northwind.example,ben\n"
        "A3,Bluebird Coffee Company,bluebird.example,cy\n",
        encoding="utf-8",
    )
    stdin = "\n".join(
        json.dumps(o)
        for o in [
            {"id": "1", "company": "Acme Robotics"},
            {"event_id": "2", "company": "Northwind Analytics", "type": "funding_round"},
            {"id": "3", "company": "Totally Unknown Widgets"},
            {"id": "4", "company": None},
            {"id": "5"},
        ]
    )
    proc = cli("match", "--accounts", str(accounts), stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    out = lines(proc.stdout)
    assert [o.get("id", o.get("event_id")) for o in out] == ["1", "2", "3", "4"]
    assert out[0]["account_id"] == "A1" and out[0]["account_name"] == "Acme Robotics, Inc."
    assert out[1]["account_id"] == "A2" and out[1]["type"] == "funding_round"
    assert out[2]["account_id"] is None and out[3]["account_id"] is None
    for o in out:
        assert {"account_id", "account_name", "score", "method", "ambiguous", "candidates"} <= set(o)
        assert {"matched_by", "review_reason"} <= set(o)
        assert 0 <= o["score"] <= 100
        assert len(o["candidates"]) <= 3
    assert out[0]["matched_by"] == "exact name" and out[2]["matched_by"] is None
    assert "line 5" in proc.stderr


def test_match_marks_ties_and_near_misses_for_review(tmp_path: Path, cli):
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(
        "Id,Name,Website,OwnerId\n"
        "001Hs00000MeRiDIAV,Meridian Health Partners,meridianhealthpartners.example,sam\n"
        "001Hs00000MeRiCIAV,Meridian Capital Group,meridiancap.example,jane\n"
        '001Hs00000ClAyLIAV,"Clay Labs, Inc.",https://www.clay.com,jane\n',
        encoding="utf-8",
    )
    stdin = "\n".join(
        json.dumps({"id": str(i), "company": c})
        for i, c in enumerate(["Meridian", "Meridian Health Ventures", "Clay"], 1)
    )
    out = lines(cli("match", "--accounts", str(accounts), stdin=stdin).stdout)
    tie, near, clay = out
    assert tie["account_id"] is None and tie["ambiguous"] and tie["review_reason"] == "tie"
    assert near["account_id"] is None and near["review_reason"] == "near_miss"
    assert near["candidates"][0]["account_id"] == "001Hs00000MeRiDIAV"
    assert clay["account_id"] == "001Hs00000ClAyLIAV" and clay["matched_by"] == "name is the domain clay.com"
    strict = lines(cli("match", "--accounts", str(accounts), "--review-min", "80", stdin=stdin).stdout)
    assert strict[1]["review_reason"] is None and strict[0]["review_reason"] == "tie"


def test_match_with_unrecognised_headers_is_a_usage_error(tmp_path: Path, cli):
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("foo,bar\n1,2\n", encoding="utf-8")
    proc = cli("match", "--accounts", str(accounts), stdin='{"id": "1", "company": "x"}\n')
    assert proc.returncode == 2
    assert "accounts.csv" in proc.stderr and "Name" in proc.stderr


def test_ingest_rss_local_file_and_unreachable_url(tmp_path: Path, cli):
    feed = tmp_path / "feed.xml"
    feed.write_text(
        """<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
        <item><guid>g1</guid><title>Acme raises $5M seed</title><link>https://news.example.com/a</link>
        <pubDate>Tue, 10 Nov 2026 10:00:00 GMT</pubDate></item>
        <item><guid>g2</guid><title>Bluebird opens Berlin office</title></item>
        </channel></rss>""",
        encoding="utf-8",
    )
    proc = cli("ingest", "rss", str(feed), "http://127.0.0.1:9/feed.xml", "--retries", "1")
    assert proc.returncode == 0, proc.stderr
    docs = lines(proc.stdout)
    assert [d["title"] for d in docs] == ["Acme raises $5M seed", "Bluebird opens Berlin office"]
    assert docs[0]["published_at"].startswith("2026-11-10T10:00:00")
    assert "127.0.0.1:9" in proc.stderr


def test_bad_usage_exits_2(cli):
    assert cli("classify", "--min-confidence").returncode == 2
    assert cli("nope").returncode == 2
    assert cli("match").returncode == 2  # --accounts is required


def test_missing_input_file_exits_2(tmp_path: Path):
    assert main(["classify", str(tmp_path / "missing.jsonl")]) == 2


@pytest.mark.parametrize("cmd", [["run", "--config", "/nonexistent/buysignal.toml"]])
def test_run_with_missing_config_exits_2(cmd: list[str]):
    assert main(cmd) == 2
