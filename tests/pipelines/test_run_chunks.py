"""A run reads its sources a chunk at a time: the store ends up as one chunk would leave it, a document
id is read once however far apart its copies are, and feed state waits for the whole run."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from moving_clock import MovingClock
from run_support import ACME_SERIES_A, rss, write_run_config

import pipelines.runners.run as run_module
from pipelines.config import Config, load_config
from pipelines.runners.batch import SeenIds, SourceReader, stage_dir
from schemas import Document
from schemas.errors import ConfigError
from sinks.store import Store

pytestmark = pytest.mark.slow

ACCOUNTS = "account_id,name\nA1,Acme Robotics Inc.\nA2,Brindle Freight Ltd\nA3,Corvid Health GmbH\n"


def chunked(cfg: Config, size: int, folder: Path) -> Config:
    return cfg.model_copy(
        update={
            "beam": cfg.beam.model_copy(update={"chunk_size": size}),
            "store": cfg.store.model_copy(update={"url": f"sqlite:///{folder / f'chunks-{size}.db'}"}),
            "output": cfg.output.model_copy(update={"dir": str(folder / f"out-{size}")}),
        }
    )


def dump(cfg: Config) -> dict:
    store = Store(cfg.store.url)
    try:
        return store.dump()
    finally:
        store.close()


def documents_file(folder: Path, docs: list[dict]) -> Path:
    path = folder / "docs.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return path


def documents_config(folder: Path, docs: list[dict]) -> Config:
    documents_file(folder, docs)
    (folder / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    (folder / "c.toml").write_text(
        'as_of = "2026-11-25T00:00:00Z"\n[crm]\naccounts = "accounts.csv"\n'
        '[[sources]]\ntype = "documents"\npath = "docs.jsonl"\n',
        encoding="utf-8",
    )
    return load_config(folder / "c.toml")


def doc(i: int, title: str, day: int) -> dict:
    return {
        "id": f"d{i}",
        "title": title,
        "published_at": f"2026-11-{day:02d}T09:00:00Z",
        "source": f"outlet{i}",
    }


def test_the_demo_in_chunks_of_seven_documents_counts_and_stores_what_one_chunk_does(
    tmp_path: Path, clock: MovingClock
) -> None:
    # The demo's feeds are not in date order, so where two reports of one event land in different
    # chunks the earlier chunk's report names it (as consecutive runs do) and an event id may differ
    # from the one-chunk run; what is stored and counted is the same.
    demo = load_config(None)
    whole, pieces = chunked(demo, 100_000, tmp_path), chunked(demo, 7, tmp_path)
    one = run_module.run(whole, clock=clock)
    many = run_module.run(pieces, clock=clock)
    assert many.counts.documents == one.counts.documents >= 60
    assert (many.counts, many.events_by_type, many.segment_rows, many.matched_accounts) == (
        one.counts,
        one.events_by_type,
        one.segment_rows,
        one.matched_accounts,
    )
    a, b = dump(whole), dump(pieces)
    for table in ("documents", "accounts", "contacts", "feed_state"):
        assert b[table] == a[table], table
    # (a dead letter is stamped when its record was read, not with the run's clock)
    assert [{**d, "occurred_at": None} for d in b["dead_letters"]] == [
        {**d, "occurred_at": None} for d in a["dead_letters"]
    ]
    assert Counter(e["type"] for e in b["events"]) == Counter(e["type"] for e in a["events"])
    assert len(b["matches"]) == len(a["matches"]) == len(a["events"])
    assert Counter(e["segment"] for e in b["campaign_entries"]) == Counter(
        e["segment"] for e in a["campaign_entries"]
    )


def test_reports_of_one_event_in_different_chunks_fold_into_one_event(tmp_path: Path) -> None:
    # Three outlets report one round on three days; chunks of one document put each in its own
    # pipeline, and each later report must fold into the stored event as the first one did.
    docs = [
        doc(1, "Brindle Freight raises $20M Series B led by Oakhurst Capital", 10),
        doc(2, "Corvid Health names Dana Whitfield chief financial officer", 11),
        doc(3, "Brindle Freight raises $20 million in Series B funding", 12),
        doc(4, "Brindle Freight lands $20M Series B to expand its fleet software", 13),
    ]
    cfg = documents_config(tmp_path, docs)
    whole, pieces = chunked(cfg, 1_000, tmp_path), chunked(cfg, 1, tmp_path)
    run_module.run(whole)
    run_module.run(pieces)
    stored = dump(pieces)
    funding = [e for e in stored["events"] if e["type"] == "funding_round"]
    assert len(funding) == 1
    assert sorted(funding[0]["sources"]) == ["outlet1", "outlet3", "outlet4"]
    assert funding[0]["document_id"] == "d1"  # the first report names it, as in one chunk
    assert stored == dump(whole)


def test_a_document_id_read_again_in_a_later_chunk_is_kept_once_the_first(tmp_path: Path) -> None:
    docs = [
        doc(1, "Brindle Freight raises $20M Series B led by Oakhurst Capital", 10),
        doc(2, "Corvid Health names Dana Whitfield chief financial officer", 11),
        {**doc(1, "Corvid Health acquires Brindle Freight for $90 million", 12)},  # same id, later
    ]
    cfg = chunked(documents_config(tmp_path, docs), 1, tmp_path)
    summary = run_module.run(cfg)
    stored = dump(cfg)
    assert summary.counts.documents == 2
    assert [d["title"] for d in stored["documents"] if d["id"] == "d1"] == [docs[0]["title"]]
    assert "acquisition" not in {e["type"] for e in stored["events"]}


def test_a_run_that_fails_in_a_later_chunk_commits_no_feed_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = "".join(
        ACME_SERIES_A.replace("<guid>w1</guid>", f"<guid>w{i}</guid>").replace("/w1<", f"/w{i}<")
        for i in range(3)
    )
    cfg = chunked(
        load_config(write_run_config(tmp_path, accounts_csv=ACCOUNTS, news=rss(items))), 1, tmp_path
    )
    committed: list[object] = []
    monkeypatch.setattr(run_module.PendingFeedState, "commit", lambda self: committed.append(self))
    real = run_module.run_batch
    calls: list[int] = []

    def second_chunk_dies(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the pipeline died in chunk 2")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(run_module, "run_batch", second_chunk_dies)
    with pytest.raises(RuntimeError, match="chunk 2"):
        run_module.run(cfg)
    assert committed == [] and len(calls) == 2
    store = Store(cfg.store.url)
    runs = store.runs()
    store.close()
    assert [r.status for r in runs] == ["failed"]


def test_seen_ids_keep_the_first_of_each_id_across_and_within_chunks() -> None:
    seen = SeenIds()

    def docs(*ids: str) -> list[Document]:
        return [Document(id=i, title=f"title {i} {n}") for n, i in enumerate(ids)]

    first = seen.first_reads(docs("a", "b", "a", "c"))
    assert [(d.id, d.title) for d in first] == [("a", "title a 0"), ("b", "title b 1"), ("c", "title c 3")]
    assert [d.id for d in seen.first_reads(docs("c", "d", "b", "e", "d"))] == ["d", "e"]
    assert seen.first_reads([]) == [] and len(seen) == 5
    many = seen.first_reads(docs(*(f"id-{k}" for k in range(5000)), "a"))
    assert len(many) == 5000 and len(seen) == 5005


def test_the_reader_hands_out_bounded_chunks_and_always_at_least_one(tmp_path: Path) -> None:
    cfg = documents_config(tmp_path, [doc(i, f"Headline number {i} about something", 10) for i in range(10)])
    with SourceReader(cfg, None) as reader:
        chunks = [(c.documents, [d.id for d in c.read_documents()]) for c in reader.chunks(4)]
        assert reader.fraction_read() == 1.0
        staged = Path(reader.stage_dir)
        assert staged.is_dir() and not list(staged.iterdir())  # each chunk's file went after its turn
    assert not staged.exists()
    assert chunks == [(4, ["d0", "d1", "d2", "d3"]), (4, ["d4", "d5", "d6", "d7"]), (2, ["d8", "d9"])]
    (tmp_path / "docs.jsonl").write_text("", encoding="utf-8")
    with SourceReader(cfg, None) as reader:
        assert [(c.documents, c.path) for c in reader.chunks(4)] == [(0, None)]


def test_a_runner_on_other_machines_needs_a_temp_location_its_workers_can_read(tmp_path: Path) -> None:
    local = PipelineOptions(["--runner=DirectRunner"])
    assert stage_dir(local, "r1") is None
    remote = PipelineOptions(["--runner=FlinkRunner"])
    with pytest.raises(ConfigError, match="--temp_location"):
        stage_dir(remote, "r1")
    shared = PipelineOptions(["--runner=FlinkRunner", f"--temp_location={tmp_path}"])
    assert stage_dir(shared, "r1") == str(tmp_path / "buysignal-run-r1")
