"""SEC EDGAR Form D and 8-K filings as trigger Documents (source name `sec_edgar`).

The source follows EDGAR's latest-filings Atom feed (`browse-edgar?action=getcurrent`, one feed per
form type), fetches each new filing's full submission text file (header, primary document and
exhibits in one request) and turns it into Documents with sources/edgar_filings.py: a filing whose
form states an event carries it as a structured TriggerEvent (Document.events); an EX-99.1 press
release is an ordinary Document for the detector.

Fair access (https://www.sec.gov/os/accessing-edgar-data), enforced here and not left to the user:
- a declared User-Agent with the operator's name and e-mail (`user_agent`, or the environment
  variable BUYSIGNAL_SEC_USER_AGENT); without one the source refuses to start (ConfigError, exit 2);
- at most 10 requests per second across the process (one limiter shared by every instance; a
  source may ask for less with `max_rate`);
- HTTP 403 other than a missing file is the SEC's throttling: wait `throttle_wait` seconds (10
  minutes by default, what the SEC's page asks), then resume; 429 and 5xx are retried with backoff
  and Retry-After like the feeds.

Where it stopped: per form type, the acceptance time of the newest filing handed on and the
accession numbers accepted at that second are kept in the feed-state store (the `feed_state` table
the RSS source uses for conditional GET: `last_modified` holds the time, `etag` the accession
numbers), so a re-run fetches only newer filings. A filing that could not be fetched becomes a
DeadLetter and the cursor stays before it, so the next run tries it again; the state is written
only after every filing was handed on (and the batch run commits it only once the run succeeded).
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlencode

import httpx

from schemas import DeadLetter, Document, FeedState
from schemas.clock import Clock, system_clock
from schemas.errors import ConfigError
from schemas.retry import Backoff, retry_after_seconds
from sources import safejson
from sources.base import FeedStateStore, SourceItem
from sources.edgar_filings import (
    TRIGGER_ITEMS,
    AtomEntry,
    FilingReadError,
    filing_documents,
    parse_atom,
    submission_url,
)
from sources.fetch import DeadlineExceeded, FetchError, FetchLimits, bounded_get
from sources.rss import RETRIABLE_STATUS

__all__ = [
    "SEC_MAX_RATE",
    "EdgarFetchError",
    "EdgarHttp",
    "RateLimiter",
    "SecEdgarSource",
    "check_user_agent",
]

log = logging.getLogger("buysignal.sources.sec_edgar")

SEC_BASE = "https://www.sec.gov"
SEC_MAX_RATE = 10.0  # requests per second, the SEC's published ceiling for all of one user's traffic
USER_AGENT_ENV = "BUYSIGNAL_SEC_USER_AGENT"
DEFAULT_FORMS = ("8-K", "D")
# 8-K items worth a fetch: the trigger items, and the two where companies file press releases.
DEFAULT_ITEMS = (*TRIGGER_ITEMS, "7.01", "8.01")
_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[A-Za-z]{2,}")
# What the SEC's throttling and undeclared-tool pages say (errors/rate-exceeded_403-page.html).
_THROTTLE_WORDS = ("Request Rate Threshold", "declare your traffic", "Undeclared Automated Tool")
_RETRIABLE_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


class EdgarFetchError(Exception):
    """A URL could not be fetched (after the retries and throttling waits it was allowed).
    `permanent`: asking again will not help (no such file, a body too big, a bad request)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def check_user_agent(value: str | None) -> str:
    """The declared User-Agent, or a ConfigError saying what the SEC requires and where to set it."""
    value = (value or os.environ.get(USER_AGENT_ENV) or "").strip()
    email = _EMAIL.search(value)
    name = _EMAIL.sub("", value).strip(" <>()-,")
    if not value or email is None or not name:
        got = f" (got {value!r})" if value else ""
        raise ConfigError(
            "sec_edgar: the SEC requires every automated client to declare a User-Agent with the "
            f'operator\'s name and contact e-mail{got}; set user_agent = "Your Company you@your-company.com" '
            f"in the [[sources]] entry (or the {USER_AGENT_ENV} environment variable)"
        )
    return value


class RateLimiter:
    """At most `rate` requests per second, across every thread that shares this limiter."""

    def __init__(
        self,
        rate: float,
        *,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0:
            raise ConfigError(f"sec_edgar: max_rate must be > 0 requests per second, got {rate}")
        self.interval = 1.0 / rate
        self.sleep = sleep
        self.monotonic = monotonic
        self._lock = threading.Lock()
        self._next = 0.0

    def wait(self) -> None:
        """Block until the next request may go."""
        with self._lock:
            now = self.monotonic()
            if now < self._next:
                self.sleep(self._next - now)
                now = self._next
            self._next = now + self.interval


# One limiter for the whole process: the SEC counts all of a user's requests together.
PROCESS_LIMITER = RateLimiter(SEC_MAX_RATE)


@dataclass
class EdgarStats:
    """What one `read` did, for the CLI's stderr and for monitoring."""

    requests: int = 0
    retries: int = 0
    throttled: int = 0  # 403 throttling waits
    feed_pages: int = 0
    new_filings: int = 0
    skipped_filings: int = 0  # other forms, or 8-Ks whose items have no trigger
    fetched_filings: int = 0
    failed_filings: int = 0
    documents: int = 0
    events: int = 0
    dead_letters: int = 0
    notes: dict[str, int] = field(default_factory=dict)  # e.g. item_5.02_no_move, item_1.01_financing

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class EdgarHttp:
    """GETs against EDGAR under the fair-access rules: declared User-Agent, the process-wide rate
    limit (and an optional lower one), 403 throttling back-off, 429/5xx retries."""

    def __init__(
        self,
        client: httpx.Client,
        user_agent: str,
        *,
        limiters: Sequence[RateLimiter] = (PROCESS_LIMITER,),
        stats: EdgarStats | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_retries: int = 4,
        backoff: float = 1.0,
        max_delay: float = 60.0,
        throttle_wait: float = 600.0,
        max_throttle_waits: int = 3,
        max_bytes: int = 50_000_000,
        timeout: float = 30.0,
        deadline: float = 120.0,
        rng: random.Random | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.client = client
        self.clock = clock  # "now" for a Retry-After given as an HTTP date
        self.headers = {"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"}  # what EDGAR serves
        self.limiters = list(limiters)
        self.stats = stats or EdgarStats()
        self.sleep = sleep
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_delay = max_delay
        self.throttle_wait = throttle_wait
        self.max_throttle_waits = max_throttle_waits
        self.max_bytes = max_bytes
        # Per request: bytes on the wire and at every decoding layer, and the request's whole time.
        self.limits = FetchLimits(max_bytes=max_bytes, deadline=deadline)
        self.timeout = timeout
        self.rng = rng or random.Random()

    def get(self, url: str) -> bytes:
        """The body of `url`; EdgarFetchError (naming the URL and what to do) when it can't be had."""
        attempt = 0
        throttled = 0
        while True:
            for limiter in self.limiters:
                limiter.wait()
            self.stats.requests += 1
            retry_after: str | None = None
            throttle_kind: str | None = None
            problem = ""
            try:
                with bounded_get(
                    self.client, url, headers=self.headers, timeout=self.timeout, limits=self.limits
                ) as response:
                    status = response.status_code
                    if response.is_success:
                        return response.read()
                    if status == 403:
                        body = response.read_prefix(20_000).decode("utf-8", errors="replace")
                        if "<Code>AccessDenied</Code>" in body or "NoSuchKey" in body:
                            # EDGAR's file store answers 403 for a path that does not exist: not throttling.
                            raise EdgarFetchError(
                                f"sec_edgar: {url}: not found (HTTP 403 AccessDenied)", permanent=True
                            )
                        if throttled >= self.max_throttle_waits:
                            raise EdgarFetchError(
                                f"sec_edgar: {url}: still refused (HTTP 403) after {throttled} waits of "
                                f"{self.throttle_wait:.0f}s; check that user_agent names you and your e-mail, "
                                "and that nothing else on this network queries EDGAR fast"
                            )
                        throttled += 1
                        self.stats.throttled += 1
                        throttle_kind = "undeclared tool" if "Undeclared" in body else "request rate"
                        if not any(word in body for word in _THROTTLE_WORDS):
                            throttle_kind = "forbidden"
                    elif status not in RETRIABLE_STATUS:
                        raise EdgarFetchError(
                            f"sec_edgar: {url}: HTTP {status} {response.reason_phrase}".rstrip(),
                            permanent=True,
                        )
                    else:
                        retry_after = response.headers.get("retry-after")
                        problem = f"HTTP {status} {response.reason_phrase}".rstrip()
            except DeadlineExceeded as exc:
                # Slow today; the cursor stays before this filing, so the next run tries it again.
                raise EdgarFetchError(
                    f"sec_edgar: {url}: {exc} (deadline = {self.limits.deadline:g}s)"
                ) from exc
            except FetchError as exc:  # too big, undecodable, a refused redirect: asking again won't help
                raise EdgarFetchError(f"sec_edgar: {url}: {exc}", permanent=True) from exc
            except _RETRIABLE_ERRORS as exc:
                problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            except httpx.HTTPError as exc:
                raise EdgarFetchError(
                    f"sec_edgar: {url}: {type(exc).__name__}: {exc}", permanent=True
                ) from exc
            if throttle_kind is not None:
                log.warning(
                    "sec_edgar: %s: HTTP 403 (%s): the SEC is throttling us; waiting %.0fs before resuming",
                    url,
                    throttle_kind,
                    self.throttle_wait,
                )
                self.sleep(self.throttle_wait)
                continue
            if attempt >= self.max_retries:
                raise EdgarFetchError(
                    f"sec_edgar: {url}: gave up after {attempt + 1} attempt(s), last: {problem}; "
                    "EDGAR may be down for maintenance, the next run tries again"
                )
            told = retry_after_seconds(retry_after, self.clock() if retry_after else None)
            backoff = Backoff(first=2 * self.backoff, max_delay=self.max_delay, rng=self.rng)
            delay = backoff.delay(attempt + 1, told)
            attempt += 1
            self.stats.retries += 1
            log.warning(
                "sec_edgar: %s: %s; retry %d/%d in %.1fs", url, problem, attempt, self.max_retries, delay
            )
            self.sleep(delay)


@dataclass(frozen=True)
class _Cursor:
    """Where a form's feed was read up to: the newest acceptance time handed on, and the accession
    numbers accepted at exactly that time (several filings share a second)."""

    updated: datetime | None
    accessions: frozenset[str]

    def covers(self, entry: AtomEntry) -> bool:
        if self.updated is None:
            return False
        return entry.updated < self.updated or (
            entry.updated == self.updated and entry.accession in self.accessions
        )

    @classmethod
    def of(cls, state: FeedState | None) -> _Cursor:
        if state is None or not state.last_modified:
            return cls(None, frozenset())
        try:
            updated = datetime.fromisoformat(state.last_modified)
        except ValueError:
            return cls(None, frozenset())
        return cls(updated, frozenset(a for a in (state.etag or "").split(",") if a))

    def after(self, entry: AtomEntry) -> _Cursor:
        if self.updated is not None and entry.updated == self.updated:
            return _Cursor(entry.updated, self.accessions | {entry.accession})
        return _Cursor(entry.updated, frozenset({entry.accession}))


class SecEdgarSource:
    """New SEC EDGAR Form D and 8-K filings as Documents (structured events for what the forms
    state; EX-99.1 press releases for the detector). `files` reads saved submissions instead of the
    network (offline demos, replays): no User-Agent is needed then."""

    name: ClassVar[str] = "sec_edgar"

    def __init__(
        self,
        *,
        user_agent: str | None = None,
        forms: Sequence[str] = DEFAULT_FORMS,
        items: Sequence[str] = DEFAULT_ITEMS,
        files: Sequence[str] | str | None = None,
        source_name: str | None = None,
        state: FeedStateStore | None = None,
        client: httpx.Client | None = None,
        base_url: str = SEC_BASE,
        max_rate: float = SEC_MAX_RATE,
        page_size: int = 100,
        max_pages: int = 10,
        timeout: float = 30.0,
        max_retries: int = 4,
        backoff: float = 1.0,
        max_delay: float = 60.0,
        throttle_wait: float = 600.0,
        max_throttle_waits: int = 3,
        max_bytes: int = 50_000_000,
        deadline: float = 120.0,
        tickers_file: str | None = None,
        tickers_cache: str | None = None,
        tickers_max_age_hours: float = 24.0,
        sleep: Callable[[float], None] = time.sleep,
        limiter: RateLimiter | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.files = [files] if isinstance(files, str) else list(files or [])
        self.user_agent = None if self.files else check_user_agent(user_agent)
        wanted = [f.strip().upper() for f in forms]
        unknown = sorted(set(wanted) - {"8-K", "D"})
        if not wanted or unknown:
            raise ConfigError(f"sec_edgar: forms must be among 8-K and D, got {list(forms)}")
        if max_rate <= 0 or max_rate > SEC_MAX_RATE:
            raise ConfigError(
                f"sec_edgar: max_rate must be > 0 and at most the SEC's {SEC_MAX_RATE:.0f} requests/second, got {max_rate}"
            )
        if max_bytes <= 0 or deadline <= 0 or timeout <= 0:
            raise ConfigError("sec_edgar: max_bytes, deadline and timeout must be > 0")
        if not 0 < page_size <= 100 or not 0 < max_pages <= 50 or max_retries < 0 or throttle_wait < 0:
            # EDGAR pages the feed by at most 100 and answers 503 past 5,000 filings.
            raise ConfigError(
                "sec_edgar: page_size must be 1..100 and max_pages 1..50 (EDGAR serves 5,000 filings at "
                "most); max_retries and throttle_wait >= 0"
            )
        self.forms = wanted
        self.items = {str(i) for i in items}
        self.source_name = source_name
        self.state = state
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.page_size = page_size
        self.max_pages = max_pages
        self.http_options: dict[str, Any] = {
            "max_retries": max_retries,
            "backoff": backoff,
            "max_delay": max_delay,
            "throttle_wait": throttle_wait,
            "max_throttle_waits": max_throttle_waits,
            "max_bytes": max_bytes,
            "deadline": deadline,
            "timeout": timeout,
            "sleep": sleep,
        }
        limiters = [limiter or PROCESS_LIMITER]
        if max_rate < SEC_MAX_RATE:
            limiters.append(RateLimiter(max_rate, sleep=sleep))
        self.limiters = limiters
        self.tickers_file = tickers_file
        self.tickers_cache = Path(tickers_cache) if tickers_cache else None
        self.tickers_max_age = timedelta(hours=tickers_max_age_hours)
        self.clock = clock
        self.stats = EdgarStats()
        self._tickers: tuple[dict[str, list[str]], dict[str, str]] | None = None

    @property
    def component(self) -> str:
        return f"sec_edgar:{self.source_name}" if self.source_name else "sec_edgar"

    def summary(self) -> str:
        """One line on what the last `read` did, for the CLI's stderr."""
        s = self.stats
        return (
            f"sec_edgar: {s.new_filings} new filing(s), {s.fetched_filings} fetched, {s.skipped_filings} skipped, "
            f"{s.failed_filings} failed; {s.documents} documents, {s.events} structured events, "
            f"{s.dead_letters} dead letters; {s.requests} requests, {s.retries} retries, {s.throttled} throttled"
        )

    def feed_url(self, form: str, start: int = 0) -> str:
        """The latest-filings Atom feed for one form type (EDGAR includes its amendments)."""
        query = {"action": "getcurrent", "type": form, "company": "", "dateb": "", "owner": "include"}
        query.update({"start": str(start), "count": str(self.page_size), "output": "atom"})
        return f"{self.base_url}/cgi-bin/browse-edgar?{urlencode(query)}"

    def state_key(self, form: str) -> str:
        """The feed-state key of one form's cursor: its feed URL without the paging."""
        return f"{self.base_url}/cgi-bin/browse-edgar?action=getcurrent&type={form}&output=atom"

    # -- reading ----------------------------------------------------------------------------

    def read(self) -> Iterator[SourceItem]:
        """Every new filing's Documents; a filing or feed that can't be read becomes a DeadLetter."""
        self.stats = EdgarStats()
        if self.files:
            yield from self._read_files()
            return
        assert self.user_agent is not None  # checked when built
        own = self.client is None
        client = self.client or httpx.Client(timeout=self.http_options["timeout"])
        http = EdgarHttp(
            client,
            self.user_agent,
            limiters=self.limiters,
            stats=self.stats,
            clock=self.clock,
            **self.http_options,
        )
        try:
            for form in self.forms:
                yield from self._read_form(form, http)
        finally:
            if own:
                client.close()

    def _read_files(self) -> Iterator[SourceItem]:
        tickers, names = self._local_tickers()
        for path in self.files:
            try:
                raw = Path(path).read_bytes()
            except OSError as exc:
                raise ConfigError(
                    f"sec_edgar: can't read filing file {path} ({exc.strerror}); check the path"
                ) from exc
            yield from self._filing(raw, str(path), Path(path).name, tickers, names)

    def _filing(
        self, raw: bytes, where: str, name: str | None, tickers: dict[str, list[str]], names: dict[str, str]
    ) -> Iterator[SourceItem]:
        try:
            docs, counts = filing_documents(raw, name=name, tickers_by_cik=tickers, names_by_cik=names)
        except FilingReadError as exc:
            self.stats.dead_letters += 1
            self.stats.failed_filings += 1
            yield DeadLetter.of(
                "source",
                self.component,
                f"sec_edgar: {where}: {exc}",
                raw[:10_000].decode("latin-1"),
                clock=self.clock,
            )
            return
        self.stats.fetched_filings += 1
        for key, value in counts.items():
            self.stats.notes[key] = self.stats.notes.get(key, 0) + value
        for doc in docs:
            if self.source_name:
                doc = _renamed(doc, self.source_name)
            self.stats.documents += 1
            self.stats.events += len(doc.events)
            yield doc

    def _read_form(self, form: str, http: EdgarHttp) -> Iterator[SourceItem]:
        key = self.state_key(form)
        cursor = _Cursor.of(self.state.get_feed_state(key) if self.state is not None else None)
        try:
            entries, complete = self._new_entries(form, http, cursor)
        except (EdgarFetchError, FilingReadError) as exc:
            self.stats.dead_letters += 1
            log.warning("%s", exc)
            yield DeadLetter.of(
                "source",
                self.component,
                f"{exc}; this form's filings are read next run",
                key,
                clock=self.clock,
            )
            return
        if not complete and entries:
            # The feed only reaches back max_pages x page_size filings; say what may be missing.
            gap = (
                f"sec_edgar: the {form} feed's newest {len(entries)} filings reach back only to "
                f"{entries[-1].updated.isoformat()}, not to where the last run stopped "
                f"({cursor.updated.isoformat() if cursor.updated else '?'}); filings in between may be "
                "missed: run more often or raise max_pages (at most 50)"
            )
            self.stats.dead_letters += 1
            log.warning("%s", gap)
            yield DeadLetter.of("source", self.component, gap, key, clock=self.clock)
        self.stats.new_filings += len(entries)
        wanted = [e for e in entries if self._wanted(form, e)]
        self.stats.skipped_filings += len(entries) - len(wanted)
        tickers, names = self._ticker_maps(http) if wanted else ({}, {})
        advanced = cursor
        failed = False
        wanted_ids = {e.accession for e in wanted}
        for entry in reversed(entries):  # oldest first, so the cursor can stop before a failure
            if entry.accession in wanted_ids:
                if not entry.cik:
                    self.stats.failed_filings += 1
                    self.stats.dead_letters += 1
                    failed = True
                    yield DeadLetter.of(
                        "source",
                        self.component,
                        f"sec_edgar: feed entry {entry.accession} names no CIK",
                        entry.index_url,
                        clock=self.clock,
                    )
                    continue
                url = submission_url(entry.cik, entry.accession)
                try:
                    raw = http.get(url)
                except EdgarFetchError as exc:
                    self.stats.failed_filings += 1
                    self.stats.dead_letters += 1
                    # A missing file stays missing: holding the cursor for it would re-fetch every
                    # newer filing on every run. Anything else (EDGAR down, throttled) is tried again.
                    failed = failed or not exc.permanent
                    again = "not asked again" if exc.permanent else "retried next run"
                    yield DeadLetter.of("source", self.component, f"{exc}; {again}", url, clock=self.clock)
                    continue
                yield from self._filing(raw, url, None, tickers, names)
            if not failed:
                advanced = advanced.after(entry)
        if self.state is not None and advanced != cursor:
            # Only now, once every filing was handed on: a run that stopped half-way must re-read.
            self.state.set_feed_state(
                FeedState(
                    url=key,
                    etag=",".join(sorted(advanced.accessions)),
                    last_modified=advanced.updated.isoformat() if advanced.updated else None,
                    fetched_at=self.clock(),
                    status=200,
                )
            )

    def _wanted(self, form: str, entry: AtomEntry) -> bool:
        kind = entry.form.upper()
        if kind not in (form, f"{form}/A"):
            return False  # type=D also lists other forms starting with D; type=8-K lists 8-K12B...
        if form == "8-K" and entry.items:
            return bool(self.items & set(entry.items))
        return True

    def _new_entries(self, form: str, http: EdgarHttp, cursor: _Cursor) -> tuple[list[AtomEntry], bool]:
        """The feed's filings newer than the cursor, newest first (as the feed lists them), and
        whether they reach back to the cursor (or the feed's end): if not, older ones were missed."""
        found: list[AtomEntry] = []
        seen: set[str] = set()
        for page in range(self.max_pages):
            content = http.get(self.feed_url(form, start=page * self.page_size))
            self.stats.feed_pages += 1
            for entry in parse_atom(content):
                if cursor.covers(entry):
                    return found, True
                if entry.accession not in seen:
                    seen.add(entry.accession)
                    found.append(entry)
            # Counted before de-duplication: a filing with two filers has two entries on a full page.
            if content.count(b"<entry>") < self.page_size:
                return found, True
        return found, cursor.updated is None

    # -- company_tickers.json ------------------------------------------------------------------

    def _local_tickers(self) -> tuple[dict[str, list[str]], dict[str, str]]:
        if not self.tickers_file:
            return {}, {}
        try:
            return _ticker_maps(safejson.loads(Path(self.tickers_file).read_bytes()))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"sec_edgar: tickers_file {self.tickers_file} is unreadable ({exc})") from exc

    def _ticker_maps(self, http: EdgarHttp) -> tuple[dict[str, list[str]], dict[str, str]]:
        """CIK -> tickers and CIK -> company name from company_tickers.json: a local file when given,
        else the cache when younger than a day, else fetched (and cached). Missing is not fatal:
        matching then goes by name."""
        if self._tickers is not None:
            return self._tickers
        if self.tickers_file:
            self._tickers = self._local_tickers()
            return self._tickers
        now = self.clock()
        cached: dict[str, Any] | None = None
        if self.tickers_cache is not None and self.tickers_cache.exists():
            try:
                cached = json.loads(self.tickers_cache.read_text(encoding="utf-8"))
                fetched = datetime.fromisoformat(cached["fetched_at"])
                if now - fetched < self.tickers_max_age:
                    self._tickers = _ticker_maps(cached["data"])
                    return self._tickers
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.warning(
                    "sec_edgar: tickers cache %s unreadable (%s); fetching afresh", self.tickers_cache, exc
                )
                cached = None
        try:
            data = safejson.loads(http.get(f"{self.base_url}/files/company_tickers.json"))
            maps = _ticker_maps(data)
        except (EdgarFetchError, ValueError) as exc:
            log.warning("sec_edgar: company_tickers.json unavailable (%s); matching by name only", exc)
            maps = _ticker_maps(cached["data"]) if cached else ({}, {})
        else:
            if self.tickers_cache is not None:
                self.tickers_cache.parent.mkdir(parents=True, exist_ok=True)
                tmp = self.tickers_cache.with_suffix(".tmp")
                tmp.write_text(json.dumps({"fetched_at": now.isoformat(), "data": data}), encoding="utf-8")
                os.replace(tmp, self.tickers_cache)
        self._tickers = maps
        return maps


def _ticker_maps(data: Any) -> tuple[dict[str, list[str]], dict[str, str]]:
    """company_tickers.json ({"0": {"cik_str": 320193, "ticker": "AAPL", "title": "Apple Inc."}, ...})
    as CIK (10 digits) -> tickers in file order, and CIK -> the name it gives."""
    tickers: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    rows = data.values() if isinstance(data, dict) else []
    for row in rows:
        if not isinstance(row, dict) or "cik_str" not in row:
            continue
        cik = str(row["cik_str"]).strip().zfill(10)
        ticker = str(row.get("ticker") or "").strip().upper()
        if ticker and ticker not in tickers.setdefault(cik, []):
            tickers[cik].append(ticker)
        if row.get("title"):
            names.setdefault(cik, str(row["title"]).strip())
    return tickers, names


def _renamed(doc: Document, source: str) -> Document:
    events = [e.model_copy(update={"source": source}) for e in doc.events]
    return doc.model_copy(update={"source": source, "events": events})
