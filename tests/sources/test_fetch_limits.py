"""Fetching under hard limits (sources/fetch.py), against the hostile server on 127.0.0.1: bombs of
every Content-Encoding stop at the byte cap while they decode, a trickle and a stall stop at the
deadline, redirects into private addresses are not followed, and good feeds beside them are read."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib

import brotli
import httpx
import pytest
import zstandard
from hostile_server import CAP, HostileServer, Route, bombs, rss, rss_item

from schemas import DeadLetter, Document
from sources.fetch import (
    PIECE,
    BodyTooLarge,
    FetchError,
    FetchLimits,
    RedirectRefused,
    bounded_get,
    decode_bounded,
)
from sources.rss import RssSource
from sources.sec_edgar import EdgarFetchError, EdgarHttp, RateLimiter

GOOD = rss(rss_item("g1", "Acme Robotics raises $12M Series A led by Harbor Point Ventures"))


def _pieces(body: bytes, size: int = 4096) -> list[bytes]:
    return [body[i : i + size] for i in range(0, len(body), size)]


def _source(*feeds: str, server: HostileServer | None = None, **kwargs: object) -> RssSource:
    kwargs.setdefault("max_bytes", CAP)
    kwargs.setdefault("max_retries", 0)
    return RssSource(list(feeds), sleep=lambda _: None, **kwargs)  # type: ignore[arg-type]


def _split(items: list[object]) -> tuple[list[Document], list[DeadLetter]]:
    return [i for i in items if isinstance(i, Document)], [i for i in items if isinstance(i, DeadLetter)]


# -- decoding, bounded ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(bombs()))
def test_every_bomb_stops_at_the_cap_while_it_decodes(name: str) -> None:
    encoding, body, decoded = bombs()[name]
    assert decoded >= 16 * CAP and len(body) < CAP  # small on the wire, huge once decoded
    layers = [e.strip().replace("x-gzip", "gzip") for e in encoding.split(",")]
    tracemalloc.start()
    try:
        with pytest.raises(BodyTooLarge, match=f"more than {CAP} bytes once decoded") as caught:
            decode_bounded(iter(_pieces(body)), layers, CAP)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The layer that broke the cap had handed on at most one piece past it: nothing decodes further.
    assert caught.value.produced <= CAP + PIECE
    assert peak < 8 * CAP, f"{name}: {peak} bytes allocated while decoding"


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", lambda b: gzip.compress(b)),
        ("x-gzip", lambda b: gzip.compress(b)),
        ("deflate", lambda b: zlib.compress(b)),
        ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send it
        ("br", lambda b: brotli.compress(b)),
        ("zstd", lambda b: zstandard.ZstdCompressor().compress(b)),
        ("gzip, gzip", lambda b: gzip.compress(gzip.compress(b))),
        ("br, zstd", lambda b: zstandard.ZstdCompressor().compress(brotli.compress(b))),
        ("identity", lambda b: b),
    ],
)
def test_honest_encodings_decode_to_the_feed(encoding: str, encode, hostile_server: HostileServer) -> None:
    hostile_server.routes["/feed"] = Route(body=encode(GOOD), headers={"Content-Encoding": encoding})
    docs, dead = _split(list(_source(hostile_server.url("/feed")).read()))
    assert [d.title for d in docs] == ["Acme Robotics raises $12M Series A led by Harbor Point Ventures"]
    assert dead == []


def test_a_body_just_under_the_cap_is_read_and_one_just_over_is_not() -> None:
    body = b"x" * CAP
    assert decode_bounded(iter(_pieces(gzip.compress(body))), ["gzip"], CAP) == body
    with pytest.raises(BodyTooLarge):
        decode_bounded(iter(_pieces(gzip.compress(body + b"x"))), ["gzip"], CAP)


def test_corrupt_and_unknown_encodings_are_errors_not_garbage() -> None:
    with pytest.raises(FetchError, match="gzip-encoded body is corrupt"):
        decode_bounded(iter([b"\x1f\x8b\x08\x00not gzip at all"]), ["gzip"], CAP)
    with pytest.raises(FetchError, match="Content-Encoding 'compress'"):
        decode_bounded(iter([b"abc"]), ["compress"], CAP)


# -- the sources against the hostile server -------------------------------------------------------


def test_rss_bombs_are_dead_letters_and_the_good_feed_is_read(hostile_server: HostileServer) -> None:
    hostile_server.routes["/good.xml"] = Route(body=GOOD)
    feeds = [hostile_server.url(f"/bomb/{name}") for name in sorted(bombs())] + [
        hostile_server.url("/good.xml")
    ]
    source = _source(*feeds)
    tracemalloc.start()
    try:
        docs, dead = _split(list(source.read()))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [d.title for d in docs] == ["Acme Robotics raises $12M Series A led by Harbor Point Ventures"]
    assert len(dead) == len(bombs())
    for letter, feed in zip(dead, feeds, strict=False):
        assert letter.component == f"rss:{feed}"
        assert f"more than {CAP} bytes once decoded" in letter.error and "raise max_bytes" in letter.error
    assert peak < 8 * CAP  # never near the gigabytes the bombs hold


def test_a_trickle_stops_at_the_deadline_not_per_read(hostile_server: HostileServer) -> None:
    # One byte per (fake) second, each read well inside the 20 s read timeout: only a total deadline stops it.
    source = _source(hostile_server.url("/trickle"), deadline=30, timer=hostile_server.timer)
    started = hostile_server.timer()
    docs, dead = _split(list(source.read()))
    assert docs == []
    assert len(dead) == 1 and "30s deadline" in dead[0].error
    assert hostile_server.timer() - started < 10_000  # it hung up long before the server was done
    assert hostile_server.trickle_aborted.wait(10)


def test_a_server_that_falls_silent_is_cut_at_the_deadline(hostile_server: HostileServer) -> None:
    # The read timeout (30 s) would wait; the watchdog shuts the socket at the 0.5 s deadline.
    source = _source(hostile_server.url("/stall"), deadline=0.5, timeout=30)
    docs, dead = _split(list(source.read()))
    assert docs == [] and len(dead) == 1
    assert "0.5s deadline" in dead[0].error, dead[0].error


@pytest.mark.parametrize(
    "target",
    [
        "http://localhost:{port}/good.xml",  # another name for this machine
        "http://[::1]:{port}/good.xml",
        "http://0.0.0.0:{port}/good.xml",
        "http://169.254.169.254/latest/meta-data/",  # the cloud metadata service
        "http://10.0.0.1/admin",
        "http://[::ffff:127.0.0.1]:{port}/good.xml",
        "http://2130706433:{port}/good.xml",  # 127.0.0.1 as one number
        "file:///etc/passwd",
    ],
)
def test_redirects_into_private_addresses_are_not_followed(
    hostile_server: HostileServer, target: str
) -> None:
    hostile_server.routes["/good.xml"] = Route(body=GOOD)
    port = hostile_server.server.server_port
    where = hostile_server.url(f"/redirect?to={target.format(port=port)}")
    docs, dead = _split(list(_source(where).read()))
    assert docs == [] and len(dead) == 1
    assert "refused" in dead[0].error, dead[0].error
    assert "/good.xml" not in hostile_server.hits


def test_a_redirect_on_the_feeds_own_host_is_followed(hostile_server: HostileServer) -> None:
    hostile_server.routes["/good.xml"] = Route(body=GOOD)
    where = hostile_server.url(f"/redirect?status=301&to={hostile_server.url('/good.xml')}")
    docs, dead = _split(list(_source(where).read()))
    assert len(docs) == 1 and dead == []


def test_a_redirect_loop_stops(hostile_server: HostileServer) -> None:
    hostile_server.routes["/loop"] = Route(status=302, headers={"Location": "/loop"})
    with httpx.Client() as client, pytest.raises(RedirectRefused, match="more than 5 redirects"):  # noqa: SIM117
        with bounded_get(client, hostile_server.url("/loop"), limits=FetchLimits(max_redirects=5)):
            pass
    assert hostile_server.hits.count("/loop") == 6


def _edgar(limits: dict[str, object] | None = None) -> EdgarHttp:
    return EdgarHttp(
        httpx.Client(),
        "Test Co test@example.com",
        limiters=[RateLimiter(1000, sleep=lambda _: None)],
        sleep=lambda _: None,
        max_retries=0,
        max_bytes=CAP,
        **(limits or {}),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("name", ["gzip-gzip", "deflate", "zstd"])
def test_edgar_bombs_are_permanent_fetch_errors(hostile_server: HostileServer, name: str) -> None:
    with pytest.raises(EdgarFetchError, match=f"more than {CAP} bytes") as caught:
        _edgar().get(hostile_server.url(f"/bomb/{name}"))
    assert caught.value.permanent


def test_edgar_deadline_and_private_redirects(hostile_server: HostileServer) -> None:
    with pytest.raises(EdgarFetchError, match="0.5s deadline") as slow:
        _edgar({"deadline": 0.5, "timeout": 30}).get(hostile_server.url("/stall"))
    assert not slow.value.permanent  # slow today; the next run tries the filing again
    port = hostile_server.server.server_port
    with pytest.raises(EdgarFetchError, match="refused") as redirected:
        _edgar().get(hostile_server.url(f"/redirect?to=http://localhost:{port}/x"))
    assert redirected.value.permanent
