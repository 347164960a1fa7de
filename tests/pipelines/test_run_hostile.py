"""`buysignal run` against the hostile server (tests/hostile_server.py) and hostile files, on SQLite
and PostgreSQL: bombs, a stalled body, redirects into private addresses, deep JSON, dates no clock
can hold and NUL bytes cost one dead letter each, naming its source and record; the good feed, rows
and lines beside them are read, detected, matched and stored; the run exits 0, and so does the next
one over the same (re-fetched) input."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_server import BAD_DATE, CAP, HostileServer, Route, bombs, deep_json, json_feed, rss, rss_item
from run_support import write_run_config

from pipelines.commands.cli import main
from sinks.store import Store

pytestmark = pytest.mark.slow

ACCOUNTS = "account_id,name\nA1,Acme Robotics Inc.\nA2,Glo\x00bex Corp\nA3,Initech\n"
GOOD_TITLE = "Acme Robotics raises $12M Series A led by Harbor Point Ventures"
GOOD = rss(rss_item("g1", GOOD_TITLE))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bs.db'}"
        return
    import psycopg

    server = request.getfixturevalue("postgres_server")
    name = f"buysignal_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True, connect_timeout=3) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    info = psycopg.conninfo.conninfo_to_dict(server)
    try:
        yield f"postgresql+psycopg://{info.get('user', 'postgres')}@{info.get('host')}:{info.get('port', 5432)}/{name}"
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_run_survives_hostile_input_and_stores_the_good_records(
    tmp_path: Path, hostile_server: HostileServer, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = hostile_server
    server.routes["/good.xml"] = Route(body=GOOD)
    server.routes["/deep.json"] = Route(
        body=b'{"version": "https://jsonfeed.org/version/1.1", "items": [' + deep_json().encode() + b"]}"
    )
    server.routes["/mixed.json"] = Route(
        body=json_feed(
            {"id": "deep", "title": "Deep", "tags": json.loads(deep_json(100))},
            {"id": "nul", "title": "Initech raises \x00$3M seed"},
            {"id": "old", "title": "Initech opens an office in Lisbon", "date_published": BAD_DATE},
        )
    )
    port = server.server.server_port
    hostile = [
        *(f"/bomb/{name}" for name in sorted(bombs())),
        "/stall",
        "/deep.json",
        f"/redirect?to=http://localhost:{port}/good.xml",
        "/redirect?to=http://169.254.169.254/latest/meta-data/",
    ]
    feeds = tuple(server.url(path) for path in [*hostile, "/mixed.json", "/good.xml"])
    (tmp_path / "docs.jsonl").write_text(
        "\n".join(
            [
                json.dumps({"id": "d-ok", "title": "Globex names Ana Ruiz chief marketing officer"}),
                json.dumps({"id": "d-date", "title": "Initech acquires Hooli", "published_at": BAD_DATE}),
                json.dumps({"id": "d-nul", "title": "Initech\x00 acquires Hooli"}),
                deep_json(),
            ]
        ),
        encoding="utf-8",
    )
    (tmp_path / "moves.csv").write_text(
        f"person,new_title,new_company,date\nJane Doe,CMO,Acme Robotics,{BAD_DATE}\nRaj Patel,CFO,Initech,2026-11-20\n",
        encoding="utf-8",
    )
    cfg = write_run_config(
        tmp_path,
        accounts_csv=ACCOUNTS,
        feeds=feeds,
        extra=(
            f"max_bytes = {CAP}\ndeadline = 1\nmax_retries = 0\n"
            '[[sources]]\ntype = "documents"\nname = "docs"\npath = "docs.jsonl"\n'
            '[[sources]]\ntype = "job_changes"\npath = "moves.csv"\n'
        ),
    )
    monkeypatch.setenv("BUYSIGNAL_DB_URL", store_url)
    assert main(["run", "--config", str(cfg)]) == 0
    with Store(store_url) as store:
        documents = {d.id: d for d in store.documents()}
        events = store.events()
        dead = store.dead_letters()
        accounts = [a.account_id for a in store.accounts()]
        matches = {m.event_id: m.account_id for m in store.matches()}
        runs = store.runs()
    # The good records, whole.
    assert any(d.title == GOOD_TITLE for d in documents.values())
    assert (
        "d-ok" in documents
        and documents[next(k for k in documents if k.endswith("old"))].published_at is None
    )
    funding = [e for e in events if e.type == "funding_round" and e.company == "Acme Robotics"]
    assert len(funding) == 1 and matches[funding[0].event_id] == "A1"
    assert accounts == ["A1", "A3"]
    assert any(d.startswith("jobchange:") for d in documents)  # Raj Patel's move
    # One dead letter per hostile thing, each naming where it came from and what it was.
    errors = "\n".join(f"{d.component} | {d.error}" for d in dead)
    for path in hostile:
        assert f"rss:{server.url(path)} | " in errors, path
    for expected in [
        "entry 1 (deep) is not usable: nested more than 64 levels",
        "Document",  # the NUL title in the JSON Feed
        "docs.jsonl line 2",
        "docs.jsonl line 3",
        "docs.jsonl line 4",
        "moves.csv line 2",
        "accounts.csv line 3: a NUL character",
    ]:
        assert expected in errors, expected
    assert "outside the years 1-9999" in errors and "NUL character" in errors
    assert runs[0].status == "succeeded"
    assert server.hits.count("/good.xml") == 1  # only the configured fetch, never via a redirect

    # The next run reads the same input again and succeeds again: nothing sticks.
    assert main(["run", "--config", str(cfg)]) == 0
    with Store(store_url) as store:
        assert [r.status for r in store.runs()] == ["succeeded", "succeeded"]
        assert len(store.dead_letters()) == len(dead)  # the same dead letters, not new ones
