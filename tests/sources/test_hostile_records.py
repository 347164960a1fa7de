"""Records a stranger's feed or file can hold that once stopped whole runs: JSON nested past any
record's shape, dates no clock can hold, NUL bytes. Each costs one dead letter naming its source and
record; the records beside it are read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hostile_server import BAD_DATE, HostileServer, Route, deep_json, json_feed

from pipelines.runners.stream.worker import decode_document
from schemas import DeadLetter, Document
from sources import safejson
from sources.base import storable
from sources.crm import read_accounts
from sources.files import DocumentsFileSource
from sources.jobchanges import JobChangesSource
from sources.rss import RssSource

GOOD_ITEM = {"id": "g1", "title": "Acme Robotics raises $12M Series A led by Harbor Point Ventures"}


def _split(items: list[object]) -> tuple[list[Document], list[DeadLetter]]:
    return [i for i in items if isinstance(i, Document)], [i for i in items if isinstance(i, DeadLetter)]


# -- nesting ---------------------------------------------------------------------------------------


def test_nesting_is_measured_without_recursion() -> None:
    assert not safejson.nesting_exceeds({"a": [1, {"b": []}]}, 4)  # dict, list, dict, list
    assert safejson.nesting_exceeds({"a": [1, {"b": []}]}, 3)
    assert safejson.nesting_exceeds(json.loads("[" * 900 + "]" * 900), 64)
    assert not safejson.nesting_exceeds("[[[[", 0)  # a string is not nesting
    with pytest.raises(safejson.JsonTooDeep, match="too deep to read"):
        safejson.loads(deep_json())
    with pytest.raises(safejson.JsonTooDeep, match="more than 64 levels"):
        safejson.loads("[" * 65 + "]" * 65)
    assert safejson.loads("[" * 64 + "]" * 64)


def test_a_deep_json_feed_item_is_one_dead_letter(hostile_server: HostileServer) -> None:
    deep_item = {"id": "d1", "title": "Deep", "tags": json.loads("[" * 200 + "]" * 200)}
    hostile_server.routes["/feed.json"] = Route(body=json_feed(deep_item, GOOD_ITEM))
    docs, dead = _split(list(RssSource(hostile_server.url("/feed.json")).read()))
    assert [d.title for d in docs] == [GOOD_ITEM["title"]]
    assert len(dead) == 1 and "entry 1 (d1)" in dead[0].error and "more than 64 levels" in dead[0].error


def test_a_json_feed_too_deep_to_parse_is_one_dead_letter(hostile_server: HostileServer) -> None:
    body = b'{"version": "https://jsonfeed.org/version/1.1", "items": [' + deep_json().encode() + b"]}"
    hostile_server.routes["/deep.json"] = Route(body=body)
    hostile_server.routes["/good.json"] = Route(body=json_feed(GOOD_ITEM))
    source = RssSource([hostile_server.url("/deep.json"), hostile_server.url("/good.json")])
    docs, dead = _split(list(source.read()))
    assert len(docs) == 1
    assert len(dead) == 1 and "nested too deep" in dead[0].error


def test_a_deep_documents_line_is_a_dead_letter_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    good = json.dumps({"id": "a", "title": "Acme Robotics raises $12M Series A"})
    path.write_text(f"{good}\n{deep_json()}\n" + '{"id": "b", "title": ' + deep_json(80) + "}\n")
    docs, dead = _split(list(DocumentsFileSource(path).read()))
    assert [d.id for d in docs] == ["a"]
    assert ["line 2" in d.error for d in dead] == [True, False]
    assert "line 3" in dead[1].error and "more than 64 levels" in dead[1].error


def test_a_deep_kafka_payload_is_a_dead_letter() -> None:
    dead = decode_document(deep_json().encode(), "stream:test", "partition 0 offset 7", 10_000_000)
    assert isinstance(dead, DeadLetter) and "offset 7" in dead.error and "too deep" in dead.error


# -- dates -----------------------------------------------------------------------------------------


def test_a_json_feed_date_before_year_one_in_utc_is_dropped_not_fatal(hostile_server: HostileServer) -> None:
    # Like any date a feed writes that no clock can hold: the entry is kept, undated.
    item = {**GOOD_ITEM, "date_published": BAD_DATE}
    hostile_server.routes["/dates.json"] = Route(body=json_feed(item))
    docs, dead = _split(list(RssSource(hostile_server.url("/dates.json")).read()))
    assert [d.published_at for d in docs] == [None] and dead == []


def test_a_documents_line_dated_before_year_one_in_utc_is_a_dead_letter(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    lines = [
        {"id": "a", "title": "Acme Robotics raises $12M", "published_at": BAD_DATE},
        {"id": "b", "title": "ok"},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines))
    docs, dead = _split(list(DocumentsFileSource(path).read()))
    assert [d.id for d in docs] == ["b"]
    assert "line 1" in dead[0].error and "outside the years 1-9999" in dead[0].error


def test_a_job_change_dated_before_year_one_in_utc_is_a_dead_letter(tmp_path: Path) -> None:
    path = tmp_path / "moves.csv"
    path.write_text(
        f"person,new_title,new_company,date\nJane Doe,CMO,Acme,{BAD_DATE}\nRaj Patel,CFO,Initech,2026-11-20\n"
    )
    items = list(JobChangesSource(path).read())
    assert [type(i).__name__ for i in items] == ["DeadLetter", "JobChange", "Document"]
    assert "moves.csv line 2" in items[0].error and "outside the years 1-9999" in items[0].error


# -- NUL characters --------------------------------------------------------------------------------


def test_nul_characters_are_dead_letters_naming_the_line_or_entry(
    tmp_path: Path, hostile_server: HostileServer
) -> None:
    hostile_server.routes["/nul.json"] = Route(
        body=json_feed({"id": "n", "title": "Acme\x00 Robotics"}, GOOD_ITEM)
    )
    docs, dead = _split(list(RssSource(hostile_server.url("/nul.json")).read()))
    assert (
        len(docs) == 1
        and "entry 1 (" in dead[0].error
        and "#n) has a NUL character (\\x00) in title" in dead[0].error
    )

    (tmp_path / "docs.jsonl").write_text(json.dumps({"id": "a", "title": "x", "text": "y\x00z"}) + "\n")
    docs, dead = _split(list(DocumentsFileSource(tmp_path / "docs.jsonl").read()))
    assert docs == [] and "line 1: a NUL character (\\x00) in text" in dead[0].error

    (tmp_path / "accounts.csv").write_text("account_id,name,owner\nA1,Acme,ana\nA2,Globex,b\x00b\n")
    accounts, dead = read_accounts(tmp_path / "accounts.csv")
    assert [a.account_id for a in accounts] == ["A1"] and "line 3: a NUL character (\\x00) in owner" in dead[
        0
    ].error
    assert "\x00" not in dead[0].payload  # a dead letter is always storable: the NUL is spelled out


def test_the_edge_check_catches_a_nul_from_any_source() -> None:
    items = list(storable([Document(id="a", title="x\x00y"), Document(id="b", title="ok")], "plugin:x"))
    assert [type(i).__name__ for i in items] == ["DeadLetter", "Document"]
    assert (
        items[0].component == "plugin:x"
        and "Document a has a NUL character (\\x00) in title" in items[0].error
    )
