"""RssSource: parsing every feed dialect from local files, and HTTP through httpx.MockTransport."""

from __future__ import annotations

import gzip
import io
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import httpx
import pytest

from schemas import DeadLetter, Document, FeedState
from schemas.errors import ConfigError
from schemas.retry import retry_after_seconds
from sources.rss import USER_AGENT, MemoryFeedState, RssSource

CASES = Path(__file__).resolve().parents[1] / "cases" / "sources" / "feeds"
SHARED = Path(os.environ.get("BUYSIGNAL_SHARED", Path(__file__).resolve().parents[2] / ".." / "shared"))
DEV_FEEDS = SHARED / "devdata" / "feeds"
RSS_BYTES = (CASES / "rss2_news.xml").read_bytes()


def _split(items: list) -> tuple[list[Document], list[DeadLetter]]:
    docs = [i for i in items if isinstance(i, Document)]
    dead = [i for i in items if isinstance(i, DeadLetter)]
    assert len(docs) + len(dead) == len(items)
    return docs, dead


class Sleeps(list):
    """An injected sleep that records how long it was asked to wait instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def scripted(*responses: httpx.Response | Exception) -> tuple[httpx.Client, list[httpx.Request]]:
    """A client whose transport answers with `responses` in order (the last one repeats)."""
    requests: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return httpx.Client(transport=httpx.MockTransport(handler)), requests


def rss_source(url: str, client: httpx.Client, **kwargs) -> tuple[RssSource, Sleeps]:
    sleeps = Sleeps()
    return RssSource([url], client=client, sleep=sleeps, **kwargs), sleeps


URL = "https://news.example.com/feed.xml"


# -- local files --------------------------------------------------------------------------------


def test_rss2_file_entries_become_documents() -> None:
    docs, dead = _split(list(RssSource([str(CASES / "rss2_news.xml")]).read()))
    assert [d.title for d in docs] == [
        "Acme Robotics raises $25M Series B led by Example Ventures",
        "Globex names Jane Doe chief marketing officer",
        None,
    ]
    first, second, third = docs
    # HTML stripped, script dropped, entities decoded, paragraphs on their own lines.
    assert (
        first.text
        == "Acme Robotics, the warehouse automation startup, raised $25 million.\nSecond paragraph & more."
    )
    assert first.published_at == datetime(2025, 11, 20, 9, 0, tzinfo=UTC)  # +0100 converted to UTC
    assert first.url == "https://news.example.com/acme-series-b"
    assert first.source == "Example Startup News"
    # A short guid is prefixed with the feed so it can't collide with another feed's "1001".
    assert first.id == "feeds/rss2_news.xml#1001"
    # A URL guid is already unique and stays as it is.
    assert second.id == "https://news.example.com/globex-cmo"
    assert second.text == "Globex Corporation named Jane Doe its new CMO."  # content:encoded preferred
    assert second.published_at is None
    assert third.text == "Initech opens an office in Lisbon." and third.url is None
    # The entry with neither title nor text is a dead letter naming the feed, not an exception.
    assert len(dead) == 1
    assert dead[0].stage == "source" and dead[0].component == f"rss:{CASES / 'rss2_news.xml'}"
    assert "title" in dead[0].error and "rss2_news.xml" in dead[0].error


def test_ids_are_stable_across_runs_and_differ_between_feeds(tmp_path: Path) -> None:
    copy = tmp_path / "elsewhere" / "rss2_news.xml"  # same file name, another folder
    copy.parent.mkdir()
    copy.write_bytes(RSS_BYTES)
    first = [d.id for d in RssSource([str(CASES / "rss2_news.xml")]).read() if isinstance(d, Document)]
    again = [d.id for d in RssSource([str(CASES / "rss2_news.xml")]).read() if isinstance(d, Document)]
    other = [d.id for d in RssSource([str(copy)]).read() if isinstance(d, Document)]
    assert first == again
    assert len(set(first)) == len(first)
    assert first[1] == other[1]  # a URL id names the story wherever it is read
    assert first[0] != other[0]  # a feed-local guid does not
    relative = os.path.relpath(CASES / "rss2_news.xml")
    from_elsewhere = [d.id for d in RssSource([relative]).read() if isinstance(d, Document)]
    assert from_elsewhere == first  # however the path is written


def test_atom_file() -> None:
    docs, dead = _split(list(RssSource([(CASES / "atom_press.xml").as_uri()]).read()))  # a file:// URL
    assert not dead
    acquisition, no_date = docs
    assert acquisition.title == "Initech acquires Initrode"  # type="html" title stripped
    assert acquisition.published_at == datetime(2025, 11, 21, 17, 0, tzinfo=UTC)  # updated, -05:00 -> UTC
    assert acquisition.id == "tag:press.example.org,2025:initech-initrode"
    assert no_date.text == "Hooli launches HooliPhone."  # xhtml content
    assert no_date.published_at is None
    assert no_date.url is None  # an id like tag:... is not a link


def test_json_feed_file() -> None:
    docs, dead = _split(list(RssSource([str(CASES / "jsonfeed_news.json")]).read()))
    assert [d.title for d in docs] == ["Umbrella Corp lays off 200", None]
    layoffs, partnership = docs
    assert layoffs.source == "Example JSON News & Notes"
    assert layoffs.text == "Umbrella Corp cut 200 jobs."
    assert layoffs.url == "https://json.example.net/posts/1"  # relative url resolved on home_page_url
    assert layoffs.published_at == datetime(2025, 11, 22, 6, 30, tzinfo=UTC)
    assert partnership.id == "https://json.example.net/posts/2"
    assert partnership.published_at == datetime(2025, 11, 23, tzinfo=UTC)  # date_modified fallback
    assert len(dead) == 2  # an item without words, and an item that is not an object
    assert all("jsonfeed_news.json" in d.error for d in dead)


def test_source_name_overrides_feed_title() -> None:
    docs, _ = _split(list(RssSource([str(CASES / "rss2_news.xml")], source_name="startup-news").read()))
    assert {d.source for d in docs} == {"startup-news"}


def test_bozo_feed_keeps_recovered_entries() -> None:
    source = RssSource([str(CASES / "rss_bozo_recoverable.xml")])
    docs, dead = _split(list(source.read()))
    assert [d.title for d in docs] == ["First story & unescaped ampersand", "Second story"]
    # The broken XML is reported once (entries after an error could be lost), the entries kept.
    assert len(dead) == 1 and "not well-formed" in dead[0].error and "kept the 2 entries" in dead[0].error


@pytest.mark.parametrize("name", ["not_a_feed.html", "not_a_feed.json"])
def test_non_feed_file_is_one_dead_letter_naming_it(name: str) -> None:
    feed = str(CASES / name)
    source = RssSource([feed, str(CASES / "atom_press.xml")])
    docs, dead = _split(list(source.read()))
    assert len(dead) == 1 and feed in dead[0].error and dead[0].component == f"rss:{feed}"
    assert len(docs) == 2  # the next feed still read
    assert source.stats[feed].error and source.stats[feed].entries == 0


def test_latin1_feed_is_decoded() -> None:
    docs, _ = _split(list(RssSource([str(CASES / "rss_latin1.xml")]).read()))
    assert docs[0].title == "Müller Logistik übernimmt Spedition Schäfer"
    assert docs[0].source == "Nachrichten für Köln"


def test_gzipped_file_is_unpacked() -> None:
    plain = [d.title for d in RssSource([str(CASES / "rss2_news.xml")]).read() if isinstance(d, Document)]
    packed = [d.title for d in RssSource([str(CASES / "rss2_news.xml.gz")]).read() if isinstance(d, Document)]
    assert packed == plain


def test_missing_file_is_a_dead_letter_with_a_hint(tmp_path: Path) -> None:
    items = list(RssSource(["news.example.com/feed"]).read())
    assert len(items) == 1 and isinstance(items[0], DeadLetter)
    assert "no such file" in items[0].error and "https://" in items[0].error


def test_oversize_file_is_a_dead_letter() -> None:
    items = list(RssSource([str(CASES / "rss2_news.xml")], max_bytes=100).read())
    assert len(items) == 1 and isinstance(items[0], DeadLetter) and "max_bytes" in items[0].error


@pytest.mark.parametrize("feeds", [[], [""], ["ftp://example.com/feed.xml"]])
def test_unusable_feed_list_is_a_config_error(feeds: list[str]) -> None:
    with pytest.raises(ConfigError):
        RssSource(feeds)


# -- HTTP through MockTransport ------------------------------------------------------------------


def test_http_feed_is_fetched_with_a_descriptive_user_agent() -> None:
    client, requests = scripted(
        httpx.Response(200, content=RSS_BYTES, headers={"Content-Type": "application/rss+xml"})
    )
    source, sleeps = rss_source(URL, client)
    docs, dead = _split(list(source.read()))
    assert len(docs) == 3 and len(dead) == 1
    assert requests[0].headers["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("buysignal/") and "github.com/buysignal" in USER_AGENT
    assert "application/rss+xml" in requests[0].headers["accept"]
    assert docs[0].id == f"{URL}#1001"
    assert source.stats[URL].fetched == 1 and source.stats[URL].entries == 3
    assert source.stats[URL].dead_letters == 1 and source.stats[URL].status == 200
    assert sleeps == []


def test_http_relative_links_resolve_against_the_feed_url() -> None:
    body = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
    <item><title>Relative</title><link>/stories/1</link></item></channel></rss>"""
    client, _ = scripted(httpx.Response(200, content=body))
    source, _ = rss_source(URL, client)
    docs, _ = _split(list(source.read()))
    assert docs[0].url == "https://news.example.com/stories/1"


def test_503_is_retried_with_backoff_then_succeeds() -> None:
    client, requests = scripted(
        httpx.Response(503), httpx.Response(503), httpx.Response(200, content=RSS_BYTES)
    )
    source, sleeps = rss_source(URL, client, backoff=0.5)
    docs, dead = _split(list(source.read()))
    assert len(docs) == 3 and len(requests) == 3
    assert len(sleeps) == 2
    assert 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0  # exponential, with jitter
    assert source.stats[URL].retries == 2


def test_429_honours_retry_after_seconds() -> None:
    client, _ = scripted(
        httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, content=RSS_BYTES)
    )
    source, sleeps = rss_source(URL, client)
    docs, _ = _split(list(source.read()))
    assert sleeps == [7.0] and len(docs) == 3


def test_retry_after_is_capped() -> None:
    client, _ = scripted(
        httpx.Response(503, headers={"Retry-After": "86400"}), httpx.Response(200, content=RSS_BYTES)
    )
    source, sleeps = rss_source(URL, client, max_delay=30)
    list(source.read())
    assert sleeps == [30]


def test_retry_after_http_date() -> None:
    now = datetime(2025, 11, 20, 10, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("Thu, 20 Nov 2025 10:00:45 GMT", now=now) == 45
    assert retry_after_seconds("Thu, 20 Nov 2025 09:00:00 GMT", now=now) == 0  # in the past: go now
    assert retry_after_seconds("120", now=now) == 120
    assert retry_after_seconds("soon", now=now) is None
    assert retry_after_seconds(None) is None


def test_gives_up_after_max_retries_with_one_dead_letter() -> None:
    client, requests = scripted(httpx.Response(500))
    source, sleeps = rss_source(URL, client, max_retries=3)
    items = list(source.read())
    assert len(items) == 1 and isinstance(items[0], DeadLetter)
    assert URL in items[0].error and "4 attempt" in items[0].error and "HTTP 500" in items[0].error
    assert len(requests) == 4 and len(sleeps) == 3 and source.stats[URL].retries == 3


def test_404_is_not_retried() -> None:
    client, requests = scripted(httpx.Response(404))
    source, sleeps = rss_source(URL, client)
    items = list(source.read())
    assert len(items) == 1 and isinstance(items[0], DeadLetter) and "404" in items[0].error
    assert len(requests) == 1 and sleeps == []


@pytest.mark.parametrize(
    "error",
    [httpx.ReadTimeout("timed out"), httpx.ConnectTimeout("timed out"), httpx.ConnectError("refused")],
)
def test_timeouts_and_connection_errors_are_retried_then_dead_lettered(error: Exception) -> None:
    client, requests = scripted(error)
    source, sleeps = rss_source(URL, client, max_retries=2)
    items = list(source.read())
    assert len(items) == 1 and isinstance(items[0], DeadLetter)
    assert type(error).__name__ in items[0].error
    assert len(requests) == 3 and len(sleeps) == 2


def test_timeout_then_success() -> None:
    client, _ = scripted(httpx.ReadTimeout("slow"), httpx.Response(200, content=RSS_BYTES))
    source, sleeps = rss_source(URL, client)
    docs, _ = _split(list(source.read()))
    assert len(docs) == 3 and len(sleeps) == 1


def test_conditional_get_with_etag_and_last_modified() -> None:
    state = MemoryFeedState()
    validators = {"ETag": '"v1"', "Last-Modified": "Thu, 20 Nov 2025 10:00:00 GMT"}
    client, requests = scripted(
        httpx.Response(200, content=RSS_BYTES, headers=validators), httpx.Response(304)
    )
    source, _ = rss_source(URL, client, state=state)
    assert len(list(source.read())) == 4
    stored = state.get_feed_state(URL)
    assert (
        stored is not None and stored.etag == '"v1"' and stored.last_modified == validators["Last-Modified"]
    )
    assert "if-none-match" not in requests[0].headers

    assert list(source.read()) == []  # 304: nothing new, and that's fine
    assert requests[1].headers["if-none-match"] == '"v1"'
    assert requests[1].headers["if-modified-since"] == validators["Last-Modified"]
    assert source.stats[URL].not_modified == 1 and source.stats[URL].fetched == 0
    kept = state.get_feed_state(URL)
    assert kept is not None and kept.etag == '"v1"' and kept.status == 304


def test_only_last_modified_is_sent_when_no_etag_was_seen() -> None:
    state = MemoryFeedState({URL: FeedState(url=URL, last_modified="Wed, 19 Nov 2025 08:00:00 GMT")})
    client, requests = scripted(httpx.Response(304))
    source, _ = rss_source(URL, client, state=state)
    assert list(source.read()) == []
    assert requests[0].headers["if-modified-since"] == "Wed, 19 Nov 2025 08:00:00 GMT"
    assert "if-none-match" not in requests[0].headers


def test_validators_of_an_unreadable_body_are_not_stored() -> None:
    state = MemoryFeedState()
    client, _ = scripted(
        httpx.Response(200, content=b"<html><body>oops</p></html>", headers={"ETag": '"bad"'})
    )
    source, _ = rss_source(URL, client, state=state)
    items = list(source.read())
    assert len(items) == 1 and isinstance(items[0], DeadLetter)
    assert state.get_feed_state(URL) is None  # else the next run would get a 304 and never see the entries


def test_oversize_streamed_body_is_cut_off() -> None:
    sent: list[int] = []

    def body() -> Iterator[bytes]:
        for _ in range(1000):
            sent.append(1)
            yield b"x" * 1024

    client, _ = scripted(httpx.Response(200, content=body()))  # no Content-Length: must count as it reads
    source, _ = rss_source(URL, client, max_bytes=10_000)
    items = list(source.read())
    assert len(items) == 1 and isinstance(items[0], DeadLetter) and "max_bytes" in items[0].error
    assert len(sent) < 1000  # stopped reading, didn't download everything


def test_oversize_declared_length_is_refused() -> None:
    client, _ = scripted(httpx.Response(200, content=b"x" * 5000))
    source, _ = rss_source(URL, client, max_bytes=1000)
    items = list(source.read())
    assert len(items) == 1 and isinstance(items[0], DeadLetter) and "max_bytes" in items[0].error


def test_gzip_content_encoding_is_decoded() -> None:
    client, _ = scripted(
        httpx.Response(200, content=gzip.compress(RSS_BYTES), headers={"Content-Encoding": "gzip"})
    )
    source, _ = rss_source(URL, client)
    assert len([i for i in source.read() if isinstance(i, Document)]) == 3


def test_redirects_are_followed() -> None:
    client, requests = scripted(
        httpx.Response(301, headers={"Location": "https://news.example.com/new-feed.xml"}),
        httpx.Response(200, content=RSS_BYTES),
    )
    source, _ = rss_source(URL, client)
    assert len([i for i in source.read() if isinstance(i, Document)]) == 3
    assert str(requests[-1].url) == "https://news.example.com/new-feed.xml"


def test_json_feed_over_http() -> None:
    client, _ = scripted(httpx.Response(200, content=(CASES / "jsonfeed_news.json").read_bytes()))
    source, _ = rss_source("https://json.example.net/feed.json", client)
    docs, dead = _split(list(source.read()))
    assert len(docs) == 2 and len(dead) == 2


def test_one_failing_feed_does_not_stop_the_others() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/gone.xml":
            return httpx.Response(410)
        return httpx.Response(200, content=RSS_BYTES)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    gone = "https://news.example.com/gone.xml"
    source = RssSource([gone, URL, str(CASES / "atom_press.xml")], client=client, sleep=Sleeps())
    docs, dead = _split(list(source.read()))
    assert len(docs) == 3 + 2
    assert [d.component for d in dead] == [f"rss:{gone}", f"rss:{URL}"]  # the feed, then a bad entry
    assert source.stats[gone].error and source.stats[URL].entries == 3
    assert source.summary() == (
        "rss: 3 feed(s), 2 fetched, 0 not modified, 1 failed; 5 documents, 2 dead letters, 0 retries"
    )


# -- the real-world and broken feeds in the shared dev data -----------------------------------


def _dev_feed_files() -> list[Path]:
    if not DEV_FEEDS.is_dir():
        return []
    return sorted(
        p
        for p in DEV_FEEDS.rglob("*")
        if p.is_file() and not p.name.endswith(".serde.json") and not p.name.upper().startswith("LICENSE")
    )


def _expected_documents(path: Path) -> int:
    """What feedparser (or, for JSON Feed, json) reads from the file: entries with a title or text."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{":
        try:
            items = json.loads(data).get("items", [])
        except ValueError:
            return 0
        words = ("title", "content_text", "content_html", "summary")
        return sum(
            1 for i in items if isinstance(i, dict) and any(str(i.get(k) or "").strip() for k in words)
        )
    parsed = feedparser.parse(io.BytesIO(data))
    return sum(
        1
        for e in parsed.entries
        if str(e.get("title") or "").strip()
        or str(e.get("summary") or "").strip()
        or any(str(c.get("value") or "").strip() for c in e.get("content") or [])
    )


@pytest.mark.skipif(not _dev_feed_files(), reason=f"shared dev feeds not found at {DEV_FEEDS}")
def test_every_readable_entry_of_the_dev_feeds_is_read() -> None:
    files = _dev_feed_files()
    source = RssSource([str(p) for p in files])
    items = list(source.read())  # must not raise, whatever the files hold
    assert all(isinstance(i, Document | DeadLetter) for i in items)
    # Per feed, from the counters the source keeps as it reads.
    mismatches = {
        p.relative_to(DEV_FEEDS).as_posix(): (source.stats[str(p)].entries, _expected_documents(p))
        for p in files
        if source.stats[str(p)].entries != _expected_documents(p)
    }
    assert mismatches == {}, "Documents read vs entries feedparser reads with a title or text"
    assert sum(isinstance(i, Document) for i in items) == sum(s.entries for s in source.stats.values())
    assert sum(s.entries for s in source.stats.values()) > 250  # the folder holds ~300 readable entries


@pytest.mark.skipif(not (DEV_FEEDS / "feed-rs").is_dir(), reason=f"shared dev feeds not found at {DEV_FEEDS}")
def test_dev_json_feeds() -> None:
    folder = DEV_FEEDS / "feed-rs" / "fixture" / "jsonfeed"
    files = sorted(p for p in folder.glob("*.json") if not p.name.endswith(".serde.json"))
    assert len(files) == 3
    for path in files:
        items = json.loads(path.read_bytes())["items"]
        docs, dead = _split(list(RssSource([str(path)]).read()))
        assert len(docs) + len(dead) == len(items), path.name
        assert docs, path.name
        assert all(d.title or d.text for d in docs)
        ids = [d.id for d in docs]
        assert len(set(ids)) == len(ids), path.name


def test_validators_are_not_stored_when_reading_stops_half_way() -> None:
    state = MemoryFeedState()
    client, _ = scripted(httpx.Response(200, content=RSS_BYTES, headers={"ETag": '"v1"'}))
    source, _ = rss_source(URL, client, state=state)
    items = source.read()
    assert isinstance(next(items), Document)
    items.close()  # the consumer stopped (crash, Ctrl-C): the next run must fetch the feed again
    assert state.get_feed_state(URL) is None
    list(source.read())
    assert state.get_feed_state(URL) is not None


def test_read_feed_can_be_called_alone() -> None:
    items = list(RssSource([str(CASES / "atom_press.xml")]).read_feed(str(CASES / "atom_press.xml")))
    assert len(items) == 2
