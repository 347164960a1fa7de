"""RSS 0.9x/1.0/2.0, Atom and JSON Feed entries as Documents.

Feeds are fetched with httpx through sources/fetch.py (a byte cap at every decoding layer, a total
deadline per fetch, redirects into private networks refused; retries with backoff and Retry-After,
conditional GET) and parsed from the bytes: feedparser for the XML dialects, `json` for JSON Feed, which
feedparser does not read. One bad entry becomes a DeadLetter; one feed that can't be read at all
becomes one DeadLetter naming it; the other feeds and entries go on.
"""

from __future__ import annotations

import io
import json
import logging
import random
import re
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urljoin, urlparse
from urllib.request import url2pathname

import feedparser
import httpx
from pydantic import ValidationError

from schemas import Clock, DeadLetter, Document, FeedState, fingerprint, nul_fields, system_clock
from schemas.errors import ConfigError
from schemas.retry import Backoff, retry_after_seconds
from sources.base import FeedStateStore, SourceItem
from sources.fetch import BodyTooLarge, DeadlineExceeded, FetchError, FetchLimits, bounded_get
from sources.plaintext import html_to_text, looks_like_html, normalise_whitespace
from sources.safejson import MAX_JSON_DEPTH, nesting_exceeds
from sources.state import MemoryFeedState

__all__ = [
    "USER_AGENT",
    "FeedError",
    "FeedStats",
    "MemoryFeedState",
    "ParsedFeed",
    "RssSource",
    "parse_feed",
]

log = logging.getLogger("buysignal.sources.rss")


def _buysignal_version() -> str:
    try:
        return version("buysignal")
    except PackageNotFoundError:
        return "0"


USER_AGENT = f"buysignal/{_buysignal_version()} (+https://github.com/buysignal/buysignal)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
# Worth another try: the server is busy or broken for now, not refusing this request for good.
RETRIABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504}) | frozenset(range(520, 530))
_RETRIABLE_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
# Entry ids that are already globally unique need no feed prefix.
_GLOBAL_ID = re.compile(r"^(https?|urn|tag):\S", re.IGNORECASE)
_JSON_FEED_VERSION = "https://jsonfeed.org/version/"
_UTF8_BOM = b"\xef\xbb\xbf"


class FeedError(Exception):
    """A whole feed could not be read (unreachable, HTTP error, too big, not a feed)."""


@dataclass
class FeedStats:
    """What reading one feed did, for the CLI to print and for monitoring skips."""

    feed: str
    fetched: int = 0  # 1 when a body was fetched (HTTP 200 or a local file)
    not_modified: int = 0  # 1 when the server answered 304 to a conditional GET
    entries: int = 0  # Documents yielded
    dead_letters: int = 0  # bad entries, or the feed itself
    retries: int = 0
    bytes: int = 0
    status: int | None = None  # last HTTP status (None for local files)
    error: str | None = None  # why the feed as a whole failed

    def as_dict(self) -> dict[str, Any]:
        """The counters as a plain dict (for JSON logs)."""
        return asdict(self)


@dataclass(frozen=True)
class ParsedFeed:
    """A feed's title, home page and entries in one neutral shape, whatever the format."""

    title: str | None
    link: str | None
    format: str  # feedparser's version ("rss20", "atom10", ...) or "json1" / "json1.1"
    entries: list[dict[str, Any]]
    bozo: str | None = None  # feedparser's complaint about a feed it still recovered entries from


@dataclass(frozen=True)
class _Fetched:
    content: bytes
    url: str  # after redirects
    headers: Mapping[str, str]
    validators: FeedState | None  # what to remember once the body parsed (HTTP only)


class RssSource:
    """Documents from RSS, Atom and JSON Feed feeds, each an http(s) URL, a file:// URL or a path."""

    name: ClassVar[str] = "rss"

    def __init__(
        self,
        feeds: Sequence[str] | str,
        *,
        source_name: str | None = None,
        state: FeedStateStore | None = None,
        client: httpx.Client | None = None,
        timeout: float = 20,
        max_retries: int = 4,
        backoff: float = 0.5,
        max_delay: float = 60.0,
        max_bytes: int = 10_000_000,
        deadline: float = 60.0,
        max_redirects: int = 5,
        user_agent: str = USER_AGENT,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        clock: Clock = system_clock,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        if isinstance(feeds, str):
            feeds = [feeds]
        self.feeds: list[str] = [str(f).strip() for f in feeds]
        if not self.feeds:
            raise ConfigError("rss source: no feeds given; pass at least one feed URL or feed file")
        for feed in self.feeds:
            _check_feed_address(feed)
        if min(timeout, max_bytes, deadline) <= 0 or min(max_retries, backoff, max_delay, max_redirects) < 0:
            raise ConfigError(
                "rss source: timeout, deadline and max_bytes must be > 0; max_retries, max_redirects, "
                "backoff and max_delay >= 0"
            )
        self.source_name = source_name
        self.state: FeedStateStore | None = state
        self.client = client
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_delay = max_delay
        self.max_bytes = max_bytes
        # Per fetch: every byte on the wire and at every decoding layer, and the whole fetch's time.
        self.limits = FetchLimits(max_bytes=max_bytes, deadline=deadline, max_redirects=max_redirects)
        self.timer = timer  # measures the deadline (monotonic seconds); tests move their own
        self.user_agent = user_agent
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.clock = clock
        self.stats: dict[str, FeedStats] = {}

    def read(self) -> Iterator[SourceItem]:
        """Every entry of every feed as a Document; a bad entry or an unreadable feed as a DeadLetter."""
        self.stats = {}
        own_client: httpx.Client | None = None
        if self.client is None and any(_is_remote(f) for f in self.feeds):
            own_client = httpx.Client(timeout=self.timeout)  # redirects: bounded_get follows and checks them
        try:
            for feed in self.feeds:
                yield from self.read_feed(feed, client=self.client or own_client)
        finally:
            if own_client is not None:
                own_client.close()

    def summary(self) -> str:
        """One line on what the last `read` did, for the CLI's stderr."""
        stats = list(self.stats.values())
        return (
            f"rss: {len(stats)} feed(s), {sum(s.fetched for s in stats)} fetched, "
            f"{sum(s.not_modified for s in stats)} not modified, {sum(s.error is not None for s in stats)} failed; "
            f"{sum(s.entries for s in stats)} documents, {sum(s.dead_letters for s in stats)} dead letters, "
            f"{sum(s.retries for s in stats)} retries"
        )

    def read_feed(self, feed: str, *, client: httpx.Client | None = None) -> Iterator[Document | DeadLetter]:
        """One feed's entries (see `read`); its counters land in `self.stats[feed]`."""
        own_client: httpx.Client | None = None
        if client is None and self.client is None and _is_remote(feed):
            own_client = httpx.Client(timeout=self.timeout)  # redirects: bounded_get follows and checks them
        try:
            yield from self._read_feed(feed, client or self.client or own_client)
        finally:
            if own_client is not None:
                own_client.close()

    def _read_feed(self, feed: str, client: httpx.Client | None) -> Iterator[Document | DeadLetter]:
        stats = self.stats[feed] = FeedStats(feed=feed)
        component = f"rss:{feed}"
        got: tuple[_Fetched, ParsedFeed] | None = None
        try:
            if client is not None and _is_remote(feed):
                fetched = self._fetch_http(feed, client, stats)
            else:
                fetched = self._fetch_file(feed, stats)
            if fetched is not None:  # None: 304 Not Modified, nothing new since the last run
                got = (
                    fetched,
                    parse_feed(fetched.content, feed, headers=fetched.headers, base_url=fetched.url),
                )
        except FeedError as exc:
            # Only the message lives on: the exception's frames hold what was read (up to max_bytes).
            stats.error = str(exc)
        if stats.error is not None:
            stats.dead_letters += 1
            log.warning("%s", stats.error)
            yield DeadLetter.of("source", component, stats.error, feed)
            return
        if got is None:
            return
        fetched, parsed = got
        if parsed.bozo and parsed.bozo.startswith("SAXParseException"):
            # Broken XML (truncated, mismatched tags): what follows the error may be lost, so the
            # feed itself is kept as a dead letter while the recovered entries go on.
            message = (
                f"rss feed {feed} is not well-formed XML ({parsed.bozo}); kept the "
                f"{len(parsed.entries)} entries recovered before the error, later ones may be lost"
            )
            log.warning("%s", message)
            stats.dead_letters += 1
            yield DeadLetter.of("source", component, message, feed)
        elif parsed.bozo:
            # Minor complaints (a wrong declared encoding, say) lose nothing: note them only.
            log.info("rss feed %s: %s; all entries read", feed, parsed.bozo)
        source = self.source_name or parsed.title or _feed_label(fetched.url if _is_remote(feed) else feed)
        feed_key = feed if _is_remote(feed) else _file_key(feed)
        seen: dict[str, str] = {}
        for index, entry in enumerate(parsed.entries, start=1):
            item = _entry_to_document(
                entry, index=index, feed=feed, feed_key=feed_key, source=source, seen=seen
            )
            if isinstance(item, DeadLetter):
                stats.dead_letters += 1
            else:
                stats.entries += 1
            yield item
        if fetched.validators is not None and self.state is not None:
            # Only once every entry was handed on: remembering the validators of a body we could not
            # read, or a run that stopped half-way, would turn the next fetch into a 304 and lose
            # those entries for good.
            self.state.set_feed_state(fetched.validators)

    # -- fetching -------------------------------------------------------------------------------

    def _fetch_file(self, feed: str, stats: FeedStats) -> _Fetched:
        path = _local_path(feed)
        try:
            size = path.stat().st_size
            if size > self.max_bytes:
                raise FeedError(
                    f"rss feed {feed}: file is {size} bytes, more than max_bytes={self.max_bytes}; "
                    "raise max_bytes if it is really a feed"
                )
            content = path.read_bytes()
        except FileNotFoundError as exc:
            hint = "; if it is a URL, start it with https://" if "://" not in feed else ""
            raise FeedError(f"rss feed {feed}: no such file{hint}") from exc
        except OSError as exc:
            raise FeedError(f"rss feed {feed}: can't read the file ({exc})") from exc
        content = _maybe_gunzip(content, feed, self.max_bytes)
        stats.fetched = 1
        stats.bytes = len(content)
        return _Fetched(content=content, url=feed, headers={}, validators=None)

    def _fetch_http(self, url: str, client: httpx.Client, stats: FeedStats) -> _Fetched | None:
        headers = {"User-Agent": self.user_agent, "Accept": ACCEPT}
        previous = self.state.get_feed_state(url) if self.state is not None else None
        if previous is not None:
            if previous.etag:
                headers["If-None-Match"] = previous.etag
            if previous.last_modified:
                headers["If-Modified-Since"] = previous.last_modified
        attempt = 0
        while True:
            retry_after: str | None = None
            try:
                with bounded_get(
                    client, url, headers=headers, timeout=self.timeout, limits=self.limits, timer=self.timer
                ) as response:
                    stats.status = response.status_code
                    if response.status_code == 304:
                        stats.not_modified = 1
                        if self.state is not None:
                            self.state.set_feed_state(
                                _validators(url, response.headers, 304, previous, self.clock())
                            )
                        return None
                    if response.status_code in RETRIABLE_STATUS:
                        retry_after = response.headers.get("retry-after")
                        problem = f"HTTP {response.status_code} {response.reason_phrase}".strip()
                    elif not response.is_success:
                        raise FeedError(
                            f"rss feed {url}: HTTP {response.status_code} {response.reason_phrase}; "
                            "check that the URL is right and the feed still exists"
                        )
                    else:
                        content = _maybe_gunzip(response.read(), url, self.max_bytes)
                        stats.fetched = 1
                        stats.bytes = len(content)
                        return _Fetched(
                            content=content,
                            url=response.url,
                            headers={k.lower(): v for k, v in response.headers.items()},
                            validators=_validators(url, response.headers, 200, None, self.clock()),
                        )
            except FetchError as exc:  # too big, too slow, a refused redirect: asking again won't help
                raise FeedError(f"rss feed {url}: {exc}{_fetch_hint(exc)}") from exc
            except _RETRIABLE_ERRORS as exc:
                problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            except httpx.HTTPError as exc:  # bad URL, too many redirects, undecodable body: won't heal
                raise FeedError(f"rss feed {url}: {type(exc).__name__}: {exc}") from exc
            if attempt >= self.max_retries:
                raise FeedError(
                    f"rss feed {url}: gave up after {attempt + 1} attempt(s), last: {problem}; "
                    "check that the server is reachable, or raise max_retries / timeout"
                )
            delay = self._delay(attempt, retry_after)
            attempt += 1
            stats.retries += 1
            log.warning(
                "rss feed %s: %s; retry %d/%d in %.1fs", url, problem, attempt, self.max_retries, delay
            )
            self.sleep(delay)

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        """How long to wait before the next attempt (schemas.retry: exponential from `backoff` to
        twice it, jittered, capped at max_delay, never less than the server's Retry-After)."""
        backoff = Backoff(first=2 * self.backoff, max_delay=self.max_delay, rng=self.rng)
        return backoff.delay(attempt + 1, retry_after_seconds(retry_after, self.clock()))


# -- parsing ------------------------------------------------------------------------------------


def parse_feed(
    content: bytes, feed: str, *, headers: Mapping[str, str] | None = None, base_url: str | None = None
) -> ParsedFeed:
    """A feed's bytes as a ParsedFeed: JSON Feed by hand, every XML dialect through feedparser.
    Raises FeedError (naming `feed`) when the bytes are not a feed at all."""
    if content.lstrip(_UTF8_BOM + b" \t\r\n")[:1] == b"{":
        return _parse_json_feed(content, feed, base_url)
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    if base_url and _is_remote(base_url):
        response_headers.setdefault("content-location", base_url)
    # A BytesIO, never the bytes themselves: feedparser would try to open a bytes value as a path.
    result = feedparser.parse(io.BytesIO(content), response_headers=response_headers, sanitize_html=True)
    bozo = f"{type(result.bozo_exception).__name__}: {result.bozo_exception}" if result.get("bozo") else None
    if not result.entries:
        if bozo:
            raise FeedError(
                f"rss feed {feed}: not a readable RSS, Atom or JSON Feed document ({bozo}); "
                "check that the address points at the feed itself, not a web page"
            )
        if not result.get("version"):
            raise FeedError(
                f"rss feed {feed}: well-formed XML but not RSS, Atom or JSON Feed; "
                "check that the address points at the feed itself"
            )
    title = result.feed.get("title") or None
    if title and looks_like_html(title):
        title = html_to_text(title) or None
    entries = [_from_feedparser(e) for e in result.entries]
    return ParsedFeed(
        title=title,
        link=result.feed.get("link"),
        format=result.get("version") or "",
        entries=entries,
        bozo=bozo,
    )


def _parse_json_feed(content: bytes, feed: str, base_url: str | None) -> ParsedFeed:
    try:
        data = json.loads(content)
    except RecursionError as exc:
        raise FeedError(
            f"rss feed {feed}: JSON nested too deep to read (a feed nests a few levels; "
            f"items deeper than {MAX_JSON_DEPTH} are refused)"
        ) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedError(f"rss feed {feed}: looks like JSON but does not parse ({exc})") from exc
    feed_version = data.get("version") if isinstance(data, dict) else None
    if not (isinstance(feed_version, str) and feed_version.startswith(_JSON_FEED_VERSION)):
        raise FeedError(
            f'rss feed {feed}: JSON but not a JSON Feed (needs "version": "{_JSON_FEED_VERSION}1.1"); '
            "check that the address points at the feed"
        )
    items = data.get("items")
    if not isinstance(items, list):
        raise FeedError(f'rss feed {feed}: JSON Feed without an "items" list')
    home = data.get("home_page_url") if isinstance(data.get("home_page_url"), str) else None
    base = base_url if base_url and _is_remote(base_url) else home
    title = _plain_title(data.get("title"))
    entries = [
        _from_json_feed(item, base) if not nesting_exceeds(item, MAX_JSON_DEPTH) else _too_deep(item)
        for item in items
    ]
    return ParsedFeed(
        title=title or None,
        link=home,
        format="json" + feed_version.removeprefix(_JSON_FEED_VERSION),
        entries=entries,
    )


def _from_feedparser(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The fields a Document needs from one feedparser entry, plus the raw entry for dead letters."""
    title = entry.get("title") or None
    if title and "html" in str(entry.get("title_detail", {}).get("type", "")):
        title = html_to_text(title) or None
    text = None
    for part in [*(entry.get("content") or []), entry.get("summary_detail")]:
        if part and part.get("value"):
            text = _readable(part["value"], str(part.get("type", "")))
            if text:
                break
    if text is None and entry.get("summary"):
        text = _readable(entry["summary"], "text/html")
    published = None
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        published = _from_struct_time(entry.get(key))
        if published is not None:
            break
    return {
        "raw_id": entry.get("id") or None,
        "title": title,
        "text": text,
        "url": _web_url(entry.get("link")),
        "published_at": published,
        "raw": entry,
    }


def _from_json_feed(item: Any, base: str | None) -> dict[str, Any]:
    if not isinstance(item, dict):
        return {"raw_id": None, "title": None, "text": None, "url": None, "published_at": None, "raw": item}
    text = None
    if isinstance(item.get("content_text"), str) and item["content_text"].strip():
        text = normalise_whitespace(item["content_text"])
    elif isinstance(item.get("content_html"), str):
        text = html_to_text(item["content_html"])
    if not text and isinstance(item.get("summary"), str):
        text = _readable(item["summary"], "")
    url = item.get("url") or item.get("external_url")
    url = url if isinstance(url, str) and url else None
    if url and base and not urlparse(url).scheme:
        url = urljoin(base, url)
    url = _web_url(url)
    published = None
    for key in ("date_published", "date_modified"):
        published = _from_iso(item.get(key))
        if published is not None:
            break
    raw_id = item.get("id")
    return {
        "raw_id": str(raw_id).strip() if isinstance(raw_id, str | int) and str(raw_id).strip() else None,
        "title": _plain_title(item.get("title")),
        "text": text or None,
        "url": url,
        "published_at": published,
        "raw": item,
    }


def _too_deep(item: Any) -> dict[str, Any]:
    """A JSON Feed item nested past the limit: a dead letter of its own, its content not kept
    (every walk over it would recurse as deep)."""
    raw_id = item.get("id") if isinstance(item, dict) else None
    return {
        "raw_id": str(raw_id) if isinstance(raw_id, str | int) else None,
        "title": None,
        "text": None,
        "url": None,
        "published_at": None,
        "raw": f"(JSON nested more than {MAX_JSON_DEPTH} levels deep; not kept)",
        "error": f"nested more than {MAX_JSON_DEPTH} levels deep",
    }


def _entry_to_document(
    entry: dict[str, Any], *, index: int, feed: str, feed_key: str, source: str, seen: dict[str, str]
) -> Document | DeadLetter:
    if entry.get("error"):
        return DeadLetter.of(
            "source",
            f"rss:{feed}",
            f"rss feed {feed}: entry {index} ({entry['raw_id'] or 'no id'}) is not usable: {entry['error']}",
            entry["raw"],
        )
    title, text = entry["title"], entry["text"]
    doc_id = entry["raw_id"] or entry["url"]
    if doc_id and not _GLOBAL_ID.match(doc_id):
        # Short guids ("123") repeat across feeds; the feed prefix keeps them apart and stable.
        doc_id = f"{feed_key}#{doc_id}"
    if not doc_id:
        doc_id = f"{feed_key}#{fingerprint('entry', title or '', '' if title else text or '')}"
    content_key = fingerprint(title, text, entry["url"])
    if seen.setdefault(doc_id, content_key) != content_key:
        # A feed that reuses a guid for different stories: keep both, apart.
        doc_id = f"{doc_id}#{content_key[:12]}"
    try:
        document = Document(
            id=doc_id,
            title=title,
            text=text,
            url=entry["url"],
            published_at=entry["published_at"],
            source=source,
        )
    except ValidationError as exc:
        reasons = "; ".join(str(e.get("msg", e)) for e in exc.errors())
        return DeadLetter.of(
            "source",
            f"rss:{feed}",
            f"rss feed {feed}: entry {index} ({doc_id}) is not a usable Document: {reasons}",
            entry["raw"],
        )
    if bad := nul_fields(document):
        return DeadLetter.of(
            "source",
            f"rss:{feed}",
            f"rss feed {feed}: entry {index} ({doc_id}) has a NUL character (\\x00) in {', '.join(bad)}, "
            "which databases can't store",
            entry["raw"],
        )
    return document


# -- small helpers ------------------------------------------------------------------------------


def _web_url(value: Any) -> str | None:
    """A link people can open, or None: feedparser falls back to ids such as "tag:..." for links."""
    if isinstance(value, str) and urlparse(value.strip()).scheme.lower() in ("http", "https"):
        return value.strip()
    return None


def _plain_title(value: Any) -> str | None:
    """JSON Feed titles are meant to be plain text, yet real ones carry entities and tags."""
    if not isinstance(value, str):
        return None
    return (html_to_text(value) if looks_like_html(value) else normalise_whitespace(value)) or None


def _readable(value: str, content_type: str) -> str | None:
    if "html" in content_type or looks_like_html(value):
        return html_to_text(value) or None
    return normalise_whitespace(value) or None


def _from_struct_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime(*value[:6]).replace(tzinfo=UTC)  # feedparser's *_parsed are already UTC
    except (TypeError, ValueError, OverflowError):
        return None


def _from_iso(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: "0001-01-01T00:00:00+14:00" is before year 1 in UTC
        return None


def _validators(
    url: str, headers: Mapping[str, str], status: int, previous: FeedState | None, fetched_at: datetime
) -> FeedState:
    return FeedState(
        url=url,
        etag=headers.get("etag") or (previous.etag if previous else None),
        last_modified=headers.get("last-modified") or (previous.last_modified if previous else None),
        fetched_at=fetched_at,
        status=status,
    )


def _fetch_hint(exc: FetchError) -> str:
    if isinstance(exc, BodyTooLarge):
        return "; raise max_bytes if it is really a feed"
    if isinstance(exc, DeadlineExceeded):
        return "; the server is too slow (raise deadline if it is really that slow)"
    return ""


def _maybe_gunzip(content: bytes, feed: str, max_bytes: int) -> bytes:
    """Feeds saved or served as .gz without a Content-Encoding header: unpack, within max_bytes."""
    if content[:2] != b"\x1f\x8b":
        return content
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        unpacked = inflater.decompress(content, max_bytes + 1)
    except zlib.error as exc:
        raise FeedError(f"rss feed {feed}: gzip-compressed but corrupt ({exc})") from exc
    if len(unpacked) > max_bytes:
        raise FeedError(f"rss feed {feed}: unpacks to more than max_bytes={max_bytes} bytes")
    return unpacked


def _is_remote(feed: str) -> bool:
    return urlparse(feed).scheme.lower() in ("http", "https")


def _local_path(feed: str) -> Path:
    parsed = urlparse(feed)
    if parsed.scheme.lower() == "file":
        return Path(url2pathname(parsed.path))
    return Path(feed).expanduser()


def _file_key(feed: str) -> str:
    """What prefixes a local feed's short ids: its folder and file name, so the ids stay the same
    from any working directory or checkout, yet two saved "rss.xml" files in different folders differ."""
    path = _local_path(feed).resolve()
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


def _check_feed_address(feed: str) -> None:
    if not feed:
        raise ConfigError("rss source: an empty feed address was given; pass a URL or a file path")
    scheme = urlparse(feed).scheme.lower()
    # One letter is a Windows drive ("C:\\feeds\\x.xml"), not a scheme.
    if len(scheme) > 1 and scheme not in ("http", "https", "file"):
        raise ConfigError(
            f"rss source: feed {feed!r} uses {scheme}://, which is not supported; use http(s)://, "
            "file:// or a local path"
        )


def _feed_label(feed: str) -> str:
    """What to call a feed that has no title: its host, or its file name."""
    if _is_remote(feed):
        return urlparse(feed).hostname or feed
    return _local_path(feed).stem or feed
