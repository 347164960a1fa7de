"""RssSource against a real HTTP server on 127.0.0.1 (sockets, headers and streaming as in production)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from schemas import DeadLetter, Document
from sources.rss import MemoryFeedState, RssSource

RSS_BYTES = (
    Path(__file__).resolve().parents[1] / "cases" / "sources" / "feeds" / "rss2_news.xml"
).read_bytes()


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0
    content_length: bool = True


class FeedServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a handler still sleeping (timeout test) must not hold up teardown

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.replies: list[Reply] = []
        self.seen: list[dict[str, str]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/feed.xml"

    def script(self, *replies: Reply) -> None:
        self.replies = list(replies)

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the client hung up on a slow reply on purpose


class _Handler(BaseHTTPRequestHandler):
    server: FeedServer

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self.server.seen.append({k.lower(): v for k, v in self.headers.items()})
        replies = self.server.replies
        reply = replies.pop(0) if len(replies) > 1 else replies[0]
        if reply.delay:
            time.sleep(reply.delay)
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.content_length:
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if reply.body and reply.status != 304:
            self.wfile.write(reply.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[FeedServer]:
    srv = FeedServer()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def test_plain_fetch(server: FeedServer) -> None:
    server.script(Reply(body=RSS_BYTES, headers={"Content-Type": "application/rss+xml; charset=utf-8"}))
    items = list(RssSource([server.url], sleep=Sleeps()).read())
    assert sum(isinstance(i, Document) for i in items) == 3
    assert server.seen[0]["user-agent"].startswith("buysignal/")


def test_503_then_success_honours_retry_after(server: FeedServer) -> None:
    server.script(Reply(503, headers={"Retry-After": "3"}), Reply(body=RSS_BYTES))
    sleeps = Sleeps()
    source = RssSource([server.url], sleep=sleeps)
    items = list(source.read())
    assert sum(isinstance(i, Document) for i in items) == 3
    assert sleeps == [3.0] and len(server.seen) == 2 and source.stats[server.url].retries == 1


def test_429_then_success_backs_off(server: FeedServer) -> None:
    server.script(Reply(429), Reply(body=RSS_BYTES))
    sleeps = Sleeps()
    items = list(RssSource([server.url], sleep=sleeps, backoff=0.25).read())
    assert sum(isinstance(i, Document) for i in items) == 3
    assert len(sleeps) == 1 and 0.25 <= sleeps[0] <= 0.5


def test_conditional_get_etag_304(server: FeedServer) -> None:
    state = MemoryFeedState()
    server.script(Reply(body=RSS_BYTES, headers={"ETag": 'W/"abc"'}), Reply(304))
    source = RssSource([server.url], state=state, sleep=Sleeps())
    assert len(list(source.read())) == 4
    assert list(source.read()) == []
    assert server.seen[1]["if-none-match"] == 'W/"abc"'
    assert source.stats[server.url].not_modified == 1


def test_conditional_get_last_modified_304(server: FeedServer) -> None:
    state = MemoryFeedState()
    stamp = "Thu, 20 Nov 2025 10:00:00 GMT"
    server.script(Reply(body=RSS_BYTES, headers={"Last-Modified": stamp}), Reply(304))
    source = RssSource([server.url], state=state, sleep=Sleeps())
    list(source.read())
    assert list(source.read()) == []
    assert server.seen[1]["if-modified-since"] == stamp and "if-none-match" not in server.seen[1]


def test_oversize_body_without_length_is_cut_off(server: FeedServer) -> None:
    server.script(Reply(body=b"<rss>" + b"x" * 200_000, content_length=False))
    items = list(RssSource([server.url], max_bytes=50_000, sleep=Sleeps()).read())
    assert len(items) == 1 and isinstance(items[0], DeadLetter) and "max_bytes" in items[0].error


def test_timeout_becomes_a_dead_letter(server: FeedServer) -> None:
    server.script(Reply(body=RSS_BYTES, delay=1.0))
    sleeps = Sleeps()
    items = list(RssSource([server.url], timeout=0.2, max_retries=1, sleep=sleeps).read())
    assert len(items) == 1 and isinstance(items[0], DeadLetter)
    assert "Timeout" in items[0].error and server.url in items[0].error
    assert len(sleeps) == 1  # retried once, then gave up


def test_unreachable_port_becomes_a_dead_letter() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/feed.xml"
    sleeps = Sleeps()
    items = list(RssSource([url], max_retries=2, sleep=sleeps).read())
    assert len(items) == 1 and isinstance(items[0], DeadLetter)
    assert "ConnectError" in items[0].error and url in items[0].error
    assert len(sleeps) == 2
