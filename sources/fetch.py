"""One HTTP GET under hard limits: what every source that reads the internet fetches through.

A server we read from is a stranger. Three things it could do to a run, and what stops each:

- **Decompression bombs.** httpx decodes a body without a limit, so a 2 KB response sent as
  `Content-Encoding: gzip, gzip` grows to gigabytes in memory. Here the raw bytes are decoded
  layer by layer (gzip, deflate, br, zstd, in any number and order), each layer pulled a bounded
  piece at a time, and the reading stops as soon as any layer's output passes `max_bytes`: memory
  stays near `max_bytes` whatever the encoding.
- **Slow servers.** httpx's timeout is per read, so a server trickling one byte a second holds a
  fetch for as long as it likes. Here a fetch has a total `deadline`: connect, redirects, headers
  and the whole body together. A watchdog thread shuts the connection's socket at the deadline, so
  even a server that falls silent mid-body cannot hold the fetch longer.
- **Redirects into the operator's network.** A public feed that answers "302 Location:
  http://169.254.169.254/..." would make buysignal fetch the cloud metadata service (SSRF). Redirects
  are followed here one by one, and one whose host is not the configured URL's own host must resolve
  only to public addresses (schemas/addresses.py, the check webhook targets use too).

`bounded_get` is the entry point; the sources turn its `FetchError`s into their own errors.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from schemas.addresses import host_addresses, unsafe_reason

__all__ = [
    "ACCEPT_ENCODING",
    "BodyTooLarge",
    "BoundedResponse",
    "DeadlineExceeded",
    "FetchError",
    "FetchLimits",
    "RedirectRefused",
    "bounded_get",
    "decode_bounded",
]

# How much each decoding layer hands on per pull: small enough that a bomb never gets far past
# the cap before it is noticed, big enough that a normal feed costs few calls.
PIECE = 64 * 1024
# zstd frames name the window they need; RFC 9659 lets HTTP decoders refuse more than 8 MB, so a
# hostile frame can't make us allocate a large window before a single byte comes out.
ZSTD_MAX_WINDOW = 8 * 1024 * 1024

try:  # optional codecs: without them such a body is refused, never passed on undecoded
    import brotli as _brotli
except ImportError:  # pragma: no cover - brotli is a dependency
    _brotli = None
try:
    import zstandard as _zstd
except ImportError:  # pragma: no cover - zstandard is a dependency
    _zstd = None  # type: ignore[assignment]

ACCEPT_ENCODING = ", ".join(
    ["gzip", "deflate", *(["br"] if _brotli is not None else []), *(["zstd"] if _zstd is not None else [])]
)


class FetchError(Exception):
    """A fetch that broke a limit or could not be decoded; asking again right away won't help."""


class BodyTooLarge(FetchError):
    """The body (raw or once decoded, at any layer) is more than the byte limit. `produced`: how many
    bytes that layer had handed on when reading stopped (at most the limit and one piece more)."""

    def __init__(self, message: str, produced: int = 0) -> None:
        super().__init__(message)
        self.produced = produced


class DeadlineExceeded(FetchError):
    """The fetch took longer than its total deadline."""


class RedirectRefused(FetchError):
    """A redirect to a private address, to a non-http(s) URL, or one hop too many."""


@dataclass(frozen=True)
class FetchLimits:
    """The limits of one GET: `max_bytes` of body (on the wire and once decoded, every layer),
    `deadline` seconds for all of it (connect, redirects, headers, body), at most `max_redirects` hops."""

    max_bytes: int = 10_000_000
    deadline: float = 60.0
    max_redirects: int = 5

    def __post_init__(self) -> None:
        if self.max_bytes <= 0 or self.deadline <= 0 or self.max_redirects < 0:
            raise ValueError("fetch limits: max_bytes and deadline must be > 0, max_redirects >= 0")


# -- decoding, bounded ---------------------------------------------------------------------------


class _Reader(Protocol):
    def read(self, size: int = -1) -> bytes: ...


class _Chunks:
    """The raw body as a reader: hands out at most `size` bytes of the chunks per read."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while not self._buffer:
            chunk = next(self._chunks, None)
            if chunk is None:
                return b""
            self._buffer = chunk
        if size < 0:
            size = len(self._buffer)
        piece, self._buffer = self._buffer[:size], self._buffer[size:]
        return piece


class _Capped:
    """A layer's output, counted: more than `limit` bytes in all is BodyTooLarge."""

    def __init__(self, source: _Reader, limit: int, what: str) -> None:
        self._source = source
        self._limit = limit
        self._what = what
        self.total = 0

    def read(self, size: int = -1) -> bytes:
        piece = self._source.read(size)
        self.total += len(piece)
        if self.total > self._limit:
            raise BodyTooLarge(
                f"body is more than {self._limit} bytes {self._what}; stopped reading", produced=self.total
            )
        return piece


class _Zlib:
    """gzip (several members too) or deflate (zlib-wrapped or raw, as servers send both)."""

    def __init__(self, source: _Reader, encoding: str) -> None:
        self._source = source
        self._encoding = encoding
        self._gzip = encoding == "gzip"
        self._inflater = self._new(zlib.MAX_WBITS | 16 if self._gzip else zlib.MAX_WBITS)
        self._started = False
        self._done = False

    @staticmethod
    def _new(wbits: int) -> Any:
        return zlib.decompressobj(wbits)

    def read(self, size: int = -1) -> bytes:
        size = PIECE if size < 0 else size
        while not self._done:
            inflater = self._inflater
            if inflater.unconsumed_tail:
                data = inflater.unconsumed_tail
            elif inflater.eof:
                rest = inflater.unused_data or self._source.read(PIECE)
                if not self._gzip or not rest.strip(b"\x00"):
                    self._done = True  # trailing bytes after a deflate stream (or gzip padding) are ignored
                    break
                self._inflater = self._new(zlib.MAX_WBITS | 16)  # the next gzip member
                data = rest
            else:
                data = self._source.read(PIECE)
                if not data:
                    self._done = True
                    try:
                        return inflater.flush()
                    except zlib.error as exc:  # pragma: no cover - flush of a complete stream
                        raise FetchError(f"{self._encoding}-encoded body is corrupt ({exc})") from exc
            try:
                out = self._inflater.decompress(data, size)
            except zlib.error as exc:
                if not self._started and not self._gzip:
                    # "deflate" is often sent without its zlib header: try it raw, as browsers do.
                    self._started = True
                    self._inflater = self._new(-zlib.MAX_WBITS)
                    out = self._retry_raw(data, size)
                else:
                    raise FetchError(f"{self._encoding}-encoded body is corrupt ({exc})") from exc
            self._started = True
            if out:
                return out
        return b""

    def _retry_raw(self, data: bytes, size: int) -> bytes:
        try:
            out: bytes = self._inflater.decompress(data, size)
        except zlib.error as exc:
            raise FetchError(f"deflate-encoded body is corrupt ({exc})") from exc
        return out


class _Brotli:
    def __init__(self, source: _Reader) -> None:
        assert _brotli is not None
        self._source = source
        self._decoder = _brotli.Decompressor()
        self._done = False
        self._pending = b""  # the output limit is a growth stop, not exact: keep what is past `size`

    def read(self, size: int = -1) -> bytes:
        size = PIECE if size < 0 else size
        if not self._pending:
            self._pending = self._next(size)
        piece, self._pending = self._pending[:size], self._pending[size:]
        return piece

    def _next(self, size: int) -> bytes:
        assert _brotli is not None
        while not self._done:
            try:
                if not self._decoder.can_accept_more_data():
                    out = self._decoder.process(b"", output_buffer_limit=size)
                else:
                    data = self._source.read(PIECE)
                    if not data:
                        self._done = True
                        if not self._decoder.is_finished():
                            raise FetchError("br-encoded body is cut short")
                        break
                    out = self._decoder.process(data, output_buffer_limit=size)
            except _brotli.error as exc:
                raise FetchError(f"br-encoded body is corrupt ({exc})") from exc
            if out:
                return bytes(out)
        return b""


class _Zstd:
    def __init__(self, source: _Reader) -> None:
        assert _zstd is not None
        decompressor = _zstd.ZstdDecompressor(max_window_size=ZSTD_MAX_WINDOW)
        self._reader = decompressor.stream_reader(
            source,  # type: ignore[arg-type]  # it only calls read()
            read_across_frames=True,
            closefd=False,
        )

    def read(self, size: int = -1) -> bytes:
        size = PIECE if size < 0 else size
        try:
            return bytes(self._reader.read(size))
        except _zstd.ZstdError as exc:
            raise FetchError(f"zstd-encoded body is corrupt or needs too big a window ({exc})") from exc


def content_encodings(headers: Mapping[str, str] | httpx.Headers) -> list[str]:
    """The Content-Encoding layers in the order they were applied (decode them in reverse)."""
    values = (
        headers.get_list("content-encoding")
        if isinstance(headers, httpx.Headers)
        else [headers.get("content-encoding", "")]
    )
    layers = []
    for value in values:
        for part in value.split(","):
            name = part.strip().lower()
            if name and name != "identity":
                layers.append("gzip" if name == "x-gzip" else name)
    return layers


def _layer(source: _Reader, encoding: str) -> _Reader:
    if encoding in ("gzip", "deflate"):
        return _Zlib(source, encoding)
    if encoding == "br" and _brotli is not None:
        return _Brotli(source)
    if encoding == "zstd" and _zstd is not None:
        return _Zstd(source)
    raise FetchError(
        f"body is sent with Content-Encoding {encoding!r}, which buysignal can't decode "
        f"(it asks for {ACCEPT_ENCODING})"
    )


def decode_bounded(chunks: Iterator[bytes], encodings: list[str], max_bytes: int) -> bytes:
    """The body of `chunks` (raw, as sent) decoded through every layer of `encodings` (in the order
    they were applied), at most `max_bytes` at every layer: BodyTooLarge as soon as one has more,
    FetchError for a corrupt or unknown encoding."""
    reader: _Reader = _Capped(_Chunks(chunks), max_bytes, "as sent")
    for depth, encoding in enumerate(reversed(encodings), start=1):
        what = "once decoded" + (
            f" ({depth} of {len(encodings)} Content-Encoding layers)" if depth > 1 else ""
        )
        reader = _Capped(_layer(reader, encoding), max_bytes, what)
    out = bytearray()
    while True:
        piece = reader.read(PIECE)
        if not piece:
            return bytes(out)
        out += piece


def decode_prefix(chunks: Iterator[bytes], encodings: list[str], size: int, max_raw: int) -> bytes:
    """The first `size` decoded bytes of a body (nothing past them is decoded), reading at most
    `max_raw` bytes as sent."""
    reader: _Reader = _Capped(_Chunks(chunks), max_raw, "as sent")
    for encoding in reversed(encodings):
        reader = _layer(reader, encoding)
    out = bytearray()
    while len(out) < size:
        piece = reader.read(min(PIECE, size - len(out)))
        if not piece:
            break
        out += piece
    return bytes(out)


# -- the deadline --------------------------------------------------------------------------------


class _Watchdog:
    """Shuts the sockets of a fetch once its deadline passes, so a read blocked on a silent server
    returns at once (an error the fetch reports as the deadline). Real time, on its own thread."""

    def __init__(self, seconds: float) -> None:
        self._lock = threading.Lock()
        self._streams: list[Any] = []
        self.fired = False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def cancel(self) -> None:
        self._timer.cancel()

    def trace(self, event: str, info: Mapping[str, Any]) -> None:
        """httpx's "trace" extension: catch each connection as soon as it is made."""
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            self.watch(info.get("return_value"))

    def watch(self, stream: Any) -> None:
        if stream is None:
            return
        with self._lock:
            self._streams.append(stream)
            fired = self.fired
        if fired:
            _shut(stream)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            streams = list(self._streams)
        for stream in streams:
            _shut(stream)


def _shut(stream: Any) -> None:
    try:
        sock = stream.get_extra_info("socket")
    except Exception:  # a mock or closed stream has no socket to shut
        return
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)


# -- redirects -------------------------------------------------------------------------------------


def check_redirect(origin: str, target: str) -> None:
    """Refuse (RedirectRefused) a redirect from the configured URL `origin` to `target` that is not
    http(s), or goes to another host that resolves to a private, loopback, link-local or metadata
    address. The configured host itself is the operator's choice and stays allowed."""
    parts = urlsplit(target)
    if parts.scheme.lower() not in ("http", "https"):
        raise RedirectRefused(f"redirect to {target!r} refused: only http(s) redirects are followed")
    if _host(target) == _host(origin):
        return
    try:
        host, addresses = host_addresses(target)
    except (OSError, ValueError) as exc:
        raise RedirectRefused(f"redirect to {target!r} refused: can't resolve its host ({exc})") from exc
    for address in addresses:
        reason = unsafe_reason(address)
        if reason:
            raise RedirectRefused(
                f"redirect to {target!r} refused: {host} is {address}, {reason}; a feed may not send "
                "buysignal into a private network (configure that URL directly if you mean it)"
            )


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").rstrip(".").lower()


# -- the GET ---------------------------------------------------------------------------------------


class BoundedResponse:
    """The final response of a `bounded_get` (after redirects), with its body not read yet."""

    def __init__(
        self, response: httpx.Response, limits: FetchLimits, deadline_check: Callable[[], None]
    ) -> None:
        self.response = response
        self.limits = limits
        self._check = deadline_check

    @property
    def status_code(self) -> int:
        return self.response.status_code

    @property
    def reason_phrase(self) -> str:
        return self.response.reason_phrase

    @property
    def headers(self) -> httpx.Headers:
        return self.response.headers

    @property
    def url(self) -> str:
        return str(self.response.url)

    @property
    def is_success(self) -> bool:
        return self.response.is_success

    def _body(self) -> tuple[Iterator[bytes], list[str]]:
        """The raw chunks and the layers to decode. A response built in memory (httpx.MockTransport
        in tests) was decoded when it was made and has no raw stream left: its content is the body."""
        if self.response.is_stream_consumed:
            return iter([self.response.content]), []
        return self._raw(), content_encodings(self.headers)

    def _raw(self) -> Iterator[bytes]:
        for chunk in self.response.iter_raw():
            self._check()
            yield chunk
        self._check()

    def read(self, max_bytes: int | None = None) -> bytes:
        """The whole decoded body, at most `max_bytes` (default the limits') at every layer."""
        cap = self.limits.max_bytes if max_bytes is None else max_bytes
        declared = self.headers.get("content-length", "")
        if declared.isascii() and declared.isdecimal() and int(declared) > cap:
            raise BodyTooLarge(f"body is {declared} bytes, more than {cap}")
        chunks, encodings = self._body()
        return decode_bounded(chunks, encodings, cap)

    def read_prefix(self, size: int) -> bytes:
        """At most the first `size` decoded bytes (an error page's gist, say)."""
        chunks, encodings = self._body()
        return decode_prefix(chunks, encodings, size, self.limits.max_bytes)


@contextmanager
def bounded_get(
    client: httpx.Client,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float = 20.0,
    limits: FetchLimits | None = None,
    timer: Callable[[], float] = time.monotonic,
) -> Iterator[BoundedResponse]:
    """GET `url` with `client` under `limits`: redirects followed one by one and checked
    (RedirectRefused), the whole fetch within `limits.deadline` seconds (DeadlineExceeded, also
    while the body is read), the body read only through `BoundedResponse.read`. httpx errors
    (connect, read timeout, protocol) pass through for the caller to retry. `timer` measures the
    deadline (seconds, monotonic); tests pass their own."""
    limits = limits or FetchLimits()
    started = timer()

    def remaining() -> float:
        left = limits.deadline - (timer() - started)
        if left <= 0:
            raise DeadlineExceeded(f"took more than the {limits.deadline:g}s deadline; stopped")
        return left

    watchdog = _Watchdog(limits.deadline)

    def check_deadline() -> None:
        if watchdog.fired:
            raise DeadlineExceeded(f"took more than the {limits.deadline:g}s deadline; stopped")
        remaining()

    sent = {**(headers or {})}
    sent.setdefault("Accept-Encoding", ACCEPT_ENCODING)
    request = client.build_request(
        "GET",
        url,
        headers=sent,
        timeout=httpx.Timeout(min(timeout, remaining())),
        extensions={"trace": watchdog.trace},
    )
    response: httpx.Response | None = None
    watchdog.start()
    try:
        hops = 0
        while True:
            response = client.send(request, stream=True, follow_redirects=False)
            watchdog.watch(response.extensions.get("network_stream"))
            if not response.has_redirect_location or response.next_request is None:
                break
            following = response.next_request
            response.close()
            hops += 1
            if hops > limits.max_redirects:
                raise RedirectRefused(
                    f"more than {limits.max_redirects} redirects; stopped at {following.url}"
                )
            check_redirect(url, str(following.url))
            following.extensions = {
                **following.extensions,
                "timeout": httpx.Timeout(min(timeout, remaining())).as_dict(),
            }
            request = following
        yield BoundedResponse(response, limits, check_deadline)
    except httpx.HTTPError as exc:
        if watchdog.fired or timer() - started >= limits.deadline:
            raise DeadlineExceeded(f"took more than the {limits.deadline:g}s deadline; stopped") from exc
        raise
    finally:
        watchdog.cancel()
        if response is not None:
            response.close()
