"""What a failed or mistaken run must not do: lose feed entries, run on the wrong thing, or crash."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from run_support import ACME_SERIES_A, rss, write_run_config

import pipelines.runners.run as run_module
from pipelines.commands.cli import main
from pipelines.config import load_config
from pipelines.core.dedup import deduplicate
from pipelines.runners.inputs import read_history
from schemas import TriggerEvent
from schemas.errors import ConfigError
from sinks.store import Store

pytestmark = pytest.mark.slow

FEED = rss(ACME_SERIES_A).encode()


@pytest.fixture
def etag_feed() -> Iterator[tuple[str, list[str]]]:
    """A feed server that answers 304 to a matching If-None-Match; records 200/304 per request."""
    answers: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            if self.headers.get("If-None-Match") == '"v1"':
                answers.append("304")
                self.send_response(304)
                self.end_headers()
                return
            answers.append("200")
            self.send_response(200)
            self.send_header("ETag", '"v1"')
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(FEED)))
            self.end_headers()
            self.wfile.write(FEED)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/feed.xml", answers
    server.shutdown()


def write_config(tmp_path: Path, feed: str, extra: str = "") -> Path:
    return write_run_config(
        tmp_path, feeds=(feed,), accounts_csv="account_id,name\nA1,Acme Robotics Inc.\n", extra=extra
    )


def test_a_failed_run_leaves_feed_state_alone_so_nothing_is_lost(
    tmp_path: Path, etag_feed: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, answers = etag_feed
    cfg = load_config(write_config(tmp_path, url))

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the pipeline died")

    with monkeypatch.context() as m:
        m.setattr(run_module, "run_batch", broken)
        with pytest.raises(RuntimeError):
            run_module.run(cfg)
    summary = run_module.run(cfg)  # fetched in full again: the failed run committed no ETag
    assert answers == ["200", "200"]
    assert summary.segment_rows["funding_30d"] == 1
    run_module.run(cfg)  # now the ETag is remembered
    assert answers == ["200", "200", "304"]
    with Store(cfg.store.url) as store:
        assert [r.status for r in store.runs()] == ["succeeded", "succeeded", "failed"]


def test_a_sqlite_store_on_a_distributed_runner_is_a_usage_error(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, "feed.xml")
    assert main(["run", "--config", str(cfg), "--runner=FlinkRunner"]) == 2
    with Store(f"sqlite:///{tmp_path / 'bs.db'}") as store:
        assert store.runs() == []  # refused before anything ran


@pytest.mark.parametrize("args", [["stray.toml"], ["--confg", "x.toml"], ["--no-such-beam-flag=1"]])
def test_unknown_run_arguments_are_usage_errors(tmp_path: Path, args: list[str]) -> None:
    assert main(["run", "--config", str(write_config(tmp_path, "feed.xml")), *args]) == 2


def test_a_source_key_typo_is_a_config_error_before_the_run(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, "feed.xml", extra="max_retrys = 2")
    assert main(["run", "--config", str(cfg)]) == 2
    with pytest.raises(ConfigError, match="max_retrys"):
        run_module.run(load_config(cfg))


def test_history_file_bad_lines_are_dead_letters_and_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    good = {"event_id": "h1", "document_id": "d1", "type": "ipo", "company": "Acme", "confidence": 0.9,
            "evidence": "Acme files for IPO", "published_at": "2025-01-02T00:00:00Z"}  # fmt: skip
    path = tmp_path / "history.jsonl"
    path.write_bytes(
        json.dumps(good).encode()
        + b"\n\xff\xfe not utf-8\n"
        + b"[" * 100_000
        + b"\n"
        + b'{"event_id": "x"}\n'
    )
    events, dead = read_history(path)
    assert [e.event_id for e in events] == ["h1"]
    assert len(dead) == 3
    with pytest.raises(ConfigError, match="missing.jsonl"):
        read_history(tmp_path / "missing.jsonl")


def test_dedup_of_reports_sharing_an_id_does_not_depend_on_their_order() -> None:
    base = {"event_id": "same", "document_id": "d", "type": "funding_round", "company": "Acme",
            "round": "series_b", "confidence": 0.9, "published_at": "2026-11-20T00:00:00Z"}  # fmt: skip
    a = TriggerEvent.model_validate({**base, "evidence": "Acme raises $25M", "source": "feed-a"})
    b = TriggerEvent.model_validate({**base, "evidence": "Acme raises $25M Series B", "source": "feed-b"})
    assert deduplicate([a, b]) == deduplicate([b, a])


def test_match_skips_records_with_wrong_types_or_absurd_nesting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("account_id,name\nA1,Acme Robotics Inc.\n", encoding="utf-8")
    src = tmp_path / "in.jsonl"
    src.write_text(
        '{"id": "1", "company": "Acme Robotics", "url": 5}\n'
        + "[" * 100_000
        + "\n"
        + '{"id": "2", "company": "Acme Robotics"}\n',
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    assert main(["match", "--accounts", str(accounts), str(src), "-o", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["2"] and rows[0]["account_id"] == "A1"
    assert "2 skipped" in capsys.readouterr().err
