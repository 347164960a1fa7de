"""`buysignal run` against the hostile server (tests/hostile_server.py): bombs, a stalled body,
redirects into private addresses and deep JSON cost one dead letter each, and the good feed beside
them is read, detected, matched and stored; the run exits 0."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hostile_server import CAP, HostileServer, Route, bombs, deep_json, json_feed, rss, rss_item
from run_support import write_run_config

from pipelines.cli import main
from sinks.store import Store

pytestmark = pytest.mark.slow

ACCOUNTS = "account_id,name\nA1,Acme Robotics Inc.\n"
GOOD = rss(rss_item("g1", "Acme Robotics raises $12M Series A led by Harbor Point Ventures"))


def test_a_run_survives_the_hostile_server_and_stores_the_good_feed(
    tmp_path: Path, hostile_server: HostileServer
) -> None:
    hostile_server.routes["/good.xml"] = Route(body=GOOD)
    hostile_server.routes["/deep.json"] = Route(
        body=b'{"version": "https://jsonfeed.org/version/1.1", "items": [' + deep_json().encode() + b"]}"
    )
    hostile_server.routes["/deep-item.json"] = Route(
        body=json_feed({"id": "d", "title": "Deep", "tags": json.loads(deep_json(100))})
    )
    port = hostile_server.server.server_port
    hostile = [
        *(f"/bomb/{name}" for name in sorted(bombs())),
        "/stall",
        "/deep.json",
        "/deep-item.json",
        f"/redirect?to=http://localhost:{port}/good.xml",
        "/redirect?to=http://169.254.169.254/latest/meta-data/",
    ]
    feeds = tuple(hostile_server.url(path) for path in [*hostile, "/good.xml"])
    cfg = write_run_config(
        tmp_path,
        accounts_csv=ACCOUNTS,
        feeds=feeds,
        extra=f"max_bytes = {CAP}\ndeadline = 1\nmax_retries = 0",
    )
    assert main(["run", "--config", str(cfg)]) == 0
    with Store(f"sqlite:///{tmp_path / 'bs.db'}") as store:
        documents = store.documents()
        events = store.events()
        dead = store.dead_letters()
        runs = store.runs()
    assert [d.title for d in documents] == ["Acme Robotics raises $12M Series A led by Harbor Point Ventures"]
    assert [(e.type, e.company) for e in events] == [("funding_round", "Acme Robotics")]
    components = sorted(d.component for d in dead)
    assert components == sorted(f"rss:{hostile_server.url(path)}" for path in hostile)
    assert all(hostile_server.url("") in d.error for d in dead)  # each names its feed
    assert runs[0].status == "succeeded"
    assert hostile_server.hits.count("/good.xml") == 1  # only the configured fetch, never via a redirect
