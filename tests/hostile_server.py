"""A hostile HTTP server on 127.0.0.1: what a stranger's feed server can do to a reader.

Decompression bombs of every Content-Encoding and of nested layers, deeply nested JSON, dates no
clock can hold, NUL bytes, a body trickled a byte at a time, a body that stops half-way, and
redirects into private addresses, each at its own path, next to well-behaved feeds. The tests of
the sources, the batch run and the stream all aim at it (`hostile_server` fixture in conftest.py).

Bombs are built cheaply (concatenated gzip members and zstd frames, one small compression each) and
once per test session. `DECODED` says how big each one would be once decoded: always far past the
limit the tests set (`CAP`), so a reader that decodes without a bound would have to hold it all.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import json
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CAP = 1_000_000  # the max_bytes the tests give the readers
MB = 1 << 20
BAD_DATE = "0001-01-01T00:00:00+14:00"  # a valid ISO date whose UTC moment is before year 1
DEEP = 100_000  # levels of nesting in the deep JSON


@functools.cache
def _zeros_gzip_member() -> bytes:
    return gzip.compress(b"\0" * MB, 9)


@functools.cache
def _zeros_zstd_frame() -> bytes:
    import zstandard

    return zstandard.ZstdCompressor(level=3).compress(b"\0" * MB)


@functools.cache
def bombs() -> dict[str, tuple[str, bytes, int]]:
    """name -> (Content-Encoding, body, bytes once decoded)."""
    import brotli

    gzip_gib = _zeros_gzip_member() * 1024  # 1 GiB of zeros in ~1 MB: too big to send, fine to wrap
    gzip_256 = _zeros_gzip_member() * 256
    deflate = zlib.compressobj(6)
    deflate_16 = b"".join(deflate.compress(b"\0" * MB) for _ in range(16)) + deflate.flush()
    br_64 = brotli.compress(b"\0" * (64 * MB), quality=1)
    return {
        "gzip": ("gzip", gzip_256, 256 * MB),
        "gzip-gzip": ("gzip, gzip", gzip.compress(gzip_gib, 9), 1024 * MB),
        "x-gzip-gzip-gzip": ("x-gzip, gzip, gzip", gzip.compress(gzip.compress(gzip_gib, 9), 9), 1024 * MB),
        "deflate": ("deflate", deflate_16, 16 * MB),
        "br": ("br", br_64, 64 * MB),
        "zstd": ("zstd", _zeros_zstd_frame() * 1024, 1024 * MB),
        "br-gzip": ("br, gzip", gzip.compress(br_64, 9), 64 * MB),
        "zstd-deflate": ("zstd, deflate", zlib.compress(_zeros_zstd_frame() * 1024, 9), 1024 * MB),
    }


def rss(*items: str, title: str = "Wire") -> bytes:
    """An RSS 2.0 feed with these <item> elements."""
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{"".join(items)}</channel></rss>'
    return body.encode("utf-8")


def rss_item(guid: str, title: str, date: str = "Mon, 23 Nov 2026 09:00:00 GMT") -> str:
    return f"<item><guid>{guid}</guid><title>{title}</title><pubDate>{date}</pubDate><link>https://news.example.com/{guid}</link></item>"


def json_feed(*items: object, title: str = "Hostile JSON") -> bytes:
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": title, "items": list(items)}
    return json.dumps(feed).encode("utf-8")


def deep_json(levels: int = DEEP) -> str:
    """A JSON value nested `levels` deep ([[[...]]]): json.loads and every recursive walk give up."""
    return "[" * levels + "]" * levels


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class TickingTimer:
    """A monotonic timer (seconds) that only the server moves: one second per trickled byte, so a
    trickle of a minute takes no real minute."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class HostileServer:
    """The server. `url(path)` is its address for a path; `routes` holds the static ones (add your
    own); /trickle, /stall and /redirect are behaviours (see the handler)."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.timer = TickingTimer()
        self.trickle_aborted = threading.Event()  # the client hung up on /trickle
        self.release = threading.Event()  # lets /stall end at teardown
        self.hits: list[str] = []
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> HostileServer:
        self.thread.start()
        for name, (encoding, body, _) in bombs().items():
            self.routes[f"/bomb/{name}"] = Route(
                body=body,
                headers={"Content-Type": "application/rss+xml", "Content-Encoding": encoding},
            )
        return self

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                parts = urlsplit(self.path)
                server.hits.append(parts.path)
                behaviour: Callable[[], None] | None = {
                    "/trickle": self._trickle,
                    "/stall": self._stall,
                    "/redirect": lambda: self._redirect(parse_qs(parts.query)),
                }.get(parts.path)
                if behaviour is not None:
                    behaviour()
                    return
                route = server.routes.get(parts.path)
                if route is None:
                    self.send_error(404)
                    return
                self.send_response(route.status)
                for key, value in route.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                # The reader may stop early, as it should with a bomb.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(route.body)

            def _trickle(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Connection", "close")
                self.end_headers()
                body = rss(rss_item("t1", "Slow News raises $1M")) * 100
                try:
                    for byte in body:  # one byte, one (fake) second
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        server.timer.now += 1.0
                except (BrokenPipeError, ConnectionResetError):
                    server.trickle_aborted.set()
                self.close_connection = True

            def _stall(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                try:
                    self.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    return
                server.release.wait(60)  # then silence, until the test is over
                self.close_connection = True

            def _redirect(self, query: dict[str, list[str]]) -> None:
                self.send_response(int(query.get("status", ["302"])[0]))
                self.send_header("Location", query["to"][0])
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        return Handler
