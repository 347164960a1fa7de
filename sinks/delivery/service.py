"""Sending alerts: once per subscription channel, retried with backoff, concurrently per endpoint.

The deliveries table is the queue. `enqueue` writes one pending row per (subscription, channel,
alert), keyed by an idempotency key, so enqueuing the same batch twice adds nothing; `deliver_due`
claims the rows that are due (a conditional UPDATE, so two workers never both send one row), sends
them with one task per channel, and writes each outcome as soon as it is known. Database work stays
on the event loop's thread (short statements; SQLite connections must not be shared across
threads); network and SMTP waits are what run concurrently. A channel's rows go
in order, one at a time; different channels never wait for each other, so a slow or dead endpoint
only delays itself.

Isolation: whatever goes wrong with one delivery (a refused target, a timeout, a reply that never
ends, a message that can't be built, a bug) becomes that delivery's error; it never stops another
channel, the pass, or the loop. Every delivery has a total deadline, and a reply is never read past
`REPLY_READ_BYTES` and never decompressed. Delivery is at least once: the `Idempotency-Key` header
(and the webhook body's `id`) is what a receiver de-duplicates on.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import ipaddress
import logging
import random
import smtplib
import socket
import ssl
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from schemas import Clock
from schemas.retry import retry_after_seconds
from sinks.delivery import tables as dt
from sinks.delivery.alerts import matches
from sinks.delivery.messages import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    USER_AGENT,
    email_digest,
    json_body,
    sign,
    slack_message,
    webhook_payload,
)
from sinks.delivery.models import Alert, DeliveryReport, Subscription, unsafe_character
from sinks.delivery.repository import (
    alert_from_row,
    insert_ignoring_duplicates,
    list_subscriptions,
    stored_alerts,
    writing,
)
from sinks.delivery.retry import RetryPolicy
from sinks.delivery.security import UnsafeTargetError, redact, resolve_target
from sinks.store import Store

log = logging.getLogger("buysignal.delivery")

# Rows claimed per pass: bounds one pass's work; the next pass takes the rest.
BATCH_LIMIT = 1000
# How far back closed digest periods are still sent (a server that was down a few days catches up).
DIGEST_CATCH_UP = {"daily": 7, "weekly": 4}
_CHUNK = 500
# A reply is read this far, no further, and only to quote the start of an error answer (Slack says
# why in a word or two). Compressed replies are not decompressed at all: a tiny gzip bomb would
# otherwise expand to gigabytes in the server's memory.
REPLY_READ_BYTES = 4096
ERROR_SNIPPET_CHARS = 200
# Seconds a reply body may take to arrive once its status line is in (bounded by the deadline too).
REPLY_READ_SECONDS = 2.0


def idempotency_key(subscription_id: str, channel_id: str, item: str) -> str:
    """The key of one delivery: sha256 over subscription, channel and the alert's event id (or the
    digest period), so the same alert reaches the same channel once, whoever enqueues it."""
    return hashlib.sha256(f"{subscription_id}\x00{channel_id}\x00{item}".encode()).hexdigest()


def digest_period(period: str, moment: datetime) -> tuple[str, datetime, datetime]:
    """(label, start, end) of the daily or weekly (ISO week, Monday 00:00 UTC) period holding `moment`."""
    day = moment.astimezone(UTC).date()
    if period == "weekly":
        monday = day - timedelta(days=day.weekday())
        year, week, _ = monday.isocalendar()
        start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
        return f"{year}-W{week:02d}", start, start + timedelta(days=7)
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return day.isoformat(), start, start + timedelta(days=1)


def period_bounds(period: str, label: str) -> tuple[datetime, datetime]:
    """(start, end) of a digest period from its label (see `digest_period`)."""
    if period == "weekly":
        year, week = label.split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
        start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
        return start, start + timedelta(days=7)
    start = datetime.fromisoformat(label).replace(tzinfo=UTC)
    return start, start + timedelta(days=1)


@dataclass
class _Outcome:
    ok: bool
    error: str | None = None
    retry_after: float | None = None
    # No point retrying (the payload is too big, the message can't be built, the alert is gone).
    permanent: bool = False


class UndeliverableError(ValueError):
    """A delivery that can never succeed as it stands (e.g. its email can't be built): dead at once."""


@dataclass
class _Tally:
    attempted: int = 0
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    skipped_disabled: int = 0
    digests_created: int = 0
    disabled_channels: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def report(self) -> DeliveryReport:
        return DeliveryReport(**self.__dict__)


class DeliveryService:
    """Delivers alerts to subscription channels through the store's deliveries table.

    `enqueue(alerts)` records each alert and creates one pending delivery per matching subscription
    channel (never twice: the idempotency key is sha256(subscription, channel, event)); `deliver_due()`
    sends what is due, every endpoint concurrently, and records the outcome. Failures (connection
    error, timeout, non-2xx, a target that resolves to a private address) are retried with
    exponential backoff and jitter until `max_attempts` (see `retry.RetryPolicy`), then the delivery
    is dead; a channel with `disable_after` dead deliveries in a row (or `disable_after_failures`
    failed attempts in a row) is disabled with the reason and time. `timeout` bounds each network
    wait; `deadline` bounds one delivery as a whole (resolving, connecting, sending, the reply).

    `smtp` is (host, port) of the mail relay for digests; `now` (the clock; by default the store's)
    and `sleep` are injectable so tests control time. `http_client`, if given, is an httpx.AsyncClient used as is (call
    `adeliver_due()` from its event loop); otherwise each pass makes its own. `max_age`, if set,
    keeps alerts about older events out of push channels (they still appear in feeds).
    """

    def __init__(
        self,
        store: Store,
        *,
        http_client: httpx.AsyncClient | None = None,
        smtp: tuple[str, int] = ("localhost", 25),
        smtp_user: str | None = None,
        smtp_password: str | None = None,
        smtp_starttls: bool = False,
        mail_from: str = "buysignal@localhost",
        allow_private: bool = False,
        allowed_hosts: Iterable[str] = (),
        max_attempts: int = 5,
        base_delay: float = 30.0,
        max_delay: float = 3600.0,
        disable_after: int = 3,
        disable_after_failures: int = 20,
        timeout: float = 10.0,
        deadline: float | None = None,
        max_payload_bytes: int = 256_000,
        max_age: timedelta | None = None,
        now: Clock | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.retry = RetryPolicy(max_attempts, base_delay, max_delay, rng or random.Random())
        if disable_after < 1 or disable_after_failures < 1:
            raise ValueError("delivery: disable_after and disable_after_failures must be at least 1")
        if timeout <= 0:
            raise ValueError("delivery: timeout must be a positive number of seconds")
        if deadline is not None and deadline < timeout:
            raise ValueError("delivery: the deadline must be at least the timeout (seconds)")
        self.store = store
        self.http_client = http_client
        self.smtp = smtp
        self.smtp_user = smtp_user
        self.smtp_password = smtp_password
        self.smtp_starttls = smtp_starttls
        self.mail_from = mail_from
        self.allow_private = allow_private
        self.allowed_hosts = tuple(allowed_hosts)
        self.disable_after = disable_after
        self.disable_after_failures = disable_after_failures
        self.timeout = timeout
        # Resolving, connecting, TLS, sending and the reply's first bytes each get `timeout`; the
        # whole delivery gets this much, however an endpoint trickles its answer.
        self.deadline = deadline if deadline is not None else 2 * timeout + 5
        self.max_payload_bytes = max_payload_bytes
        self.max_age = max_age
        # One clock for the queue and the rows the repository stamps: the store's, unless given.
        self._now = now or store.clock
        self._sleep = sleep

    @property
    def max_attempts(self) -> int:
        """Attempts a delivery gets in all (see `retry`)."""
        return self.retry.max_attempts

    def __repr__(self) -> str:
        return f"DeliveryService({self.store!r}, smtp={self.smtp[0]}:{self.smtp[1]})"

    # ------------------------------------------------------------------------------- enqueue

    def _store_alerts(self, conn: sa.Connection, alerts: Sequence[Alert], now: datetime) -> None:
        insert = postgresql.insert if self.store.dialect == "postgresql" else sqlite.insert
        stmt = insert(dt.alerts)
        # A later run may add segments to a known event: refresh the payload, keep when it first came.
        stmt = stmt.on_conflict_do_update(
            index_elements=["alert_id"], set_={"payload": stmt.excluded.payload}
        )
        rows = {
            a.alert_id: {
                "alert_id": a.alert_id,
                "payload": a.model_dump(mode="json", exclude={"created_at"}),
                "created_at": now,
            }
            for a in alerts
        }
        values = list(rows.values())
        for start in range(0, len(values), _CHUNK):
            conn.execute(stmt, values[start : start + _CHUNK])

    def _too_old(self, alert: Alert, now: datetime) -> bool:
        published = alert.event.published_at
        return self.max_age is not None and published is not None and published < now - self.max_age

    def enqueue(self, alerts: Iterable[Alert]) -> int:
        """Record the alerts (for feeds and digests) and create the pending deliveries for every
        matching subscription channel; returns how many deliveries were new (0 on a repeat)."""
        batch = list(alerts)
        if not batch:
            return 0
        now = self._now()
        subscriptions = [s for s in list_subscriptions(self.store) if s.channels]
        wanted: dict[str, dict[str, Any]] = {}
        for alert in batch:
            if self._too_old(alert, now):
                continue
            for sub in subscriptions:
                push = [c for c in sub.channels if c.kind != "email" and not c.disabled]
                if not push or not matches(sub, alert):
                    continue
                for channel in push:
                    key = idempotency_key(sub.subscription_id, channel.channel_id, alert.alert_id)
                    wanted[key] = {
                        "idempotency_key": key,
                        "subscription_id": sub.subscription_id,
                        "channel_id": channel.channel_id,
                        "kind": channel.kind,
                        "alert_id": alert.alert_id,
                        "period": None,
                        "status": "pending",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                    }
        d = dt.deliveries.c
        with writing(self.store) as conn:
            self._store_alerts(conn, batch, now)
            keys = list(wanted)
            existing: set[str] = set()
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                existing.update(
                    r[0]
                    for r in conn.execute(sa.select(d.idempotency_key).where(d.idempotency_key.in_(chunk)))
                )
            new = [row for key, row in wanted.items() if key not in existing]
            for start in range(0, len(new), _CHUNK):
                conn.execute(
                    insert_ignoring_duplicates(self.store, dt.deliveries), new[start : start + _CHUNK]
                )
        return len(new)

    # ------------------------------------------------------------------------------- digests

    def _create_due_digests(self, now: datetime) -> int:
        """A pending digest delivery for every email channel's closed period that had matching
        alerts and has no digest yet (one per subscription, channel and period)."""
        d = dt.deliveries.c
        candidates: list[tuple[Subscription, str, str, datetime, datetime]] = []
        for sub in list_subscriptions(self.store):
            for channel in sub.channels:
                if channel.kind != "email" or channel.disabled:
                    continue
                period = channel.period or "daily"
                _label, start, _end = digest_period(period, now)
                for _ in range(DIGEST_CATCH_UP.get(period, 7)):
                    # Step back one period from the current (still open) one.
                    label, start, end = digest_period(period, start - timedelta(seconds=1))
                    if end <= channel.created_at:
                        break
                    candidates.append((sub, channel.channel_id, label, start, end))
        if not candidates:
            return 0
        keys = [
            idempotency_key(sub.subscription_id, ch, f"digest:{label}") for sub, ch, label, _, _ in candidates
        ]
        with self.store.engine.connect() as conn:
            have = {
                r[0] for r in conn.execute(sa.select(d.idempotency_key).where(d.idempotency_key.in_(keys)))
            }
        # Periods already digested are skipped before any alert is read; each period's alerts are
        # read once per pass, however many channels look at it.
        period_alerts: dict[tuple[datetime, datetime], list[Alert]] = {}
        rows = []
        for key, (sub, channel_id, label, start, end) in zip(keys, candidates, strict=True):
            if key in have:
                continue
            if (start, end) not in period_alerts:
                period_alerts[(start, end)] = stored_alerts(self.store, since=start, until=end)
            if any(matches(sub, a) for a in period_alerts[(start, end)]):
                rows.append(
                    {
                        "idempotency_key": key,
                        "subscription_id": sub.subscription_id,
                        "channel_id": channel_id,
                        "kind": "email",
                        "alert_id": None,
                        "period": label,
                        "status": "pending",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                    }
                )
        if rows:
            with writing(self.store) as conn:
                conn.execute(insert_ignoring_duplicates(self.store, dt.deliveries), rows)
        return len(rows)

    # ------------------------------------------------------------------------------- sending

    def deliver_due(self) -> DeliveryReport:
        """Send every delivery that is due now (and every email digest whose period has closed)."""
        return asyncio.run(self.adeliver_due())

    def _claim(self, now: datetime) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any], int]:
        """Claim due rows: (rows by channel, channel rows, rows skipped because the channel is off)."""
        d, c = dt.deliveries.c, dt.subscription_channels.c
        lease = now + timedelta(seconds=self.deadline * 2 + 60)
        with self.store.engine.connect() as conn:
            due = (
                conn.execute(
                    sa.select(dt.deliveries)
                    .where(d.status == "pending", d.next_attempt_at <= now)
                    .order_by(d.next_attempt_at, d.created_at, d.idempotency_key)
                    .limit(BATCH_LIMIT)
                )
                .mappings()
                .all()
            )
            channel_ids = sorted({r["channel_id"] for r in due})
            channels = {
                r["channel_id"]: r
                for r in conn.execute(
                    sa.select(dt.subscription_channels).where(c.channel_id.in_(channel_ids))
                ).mappings()
            }
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        skipped = 0
        with writing(self.store) as conn:
            for row in due:
                channel = channels.get(row["channel_id"])
                if channel is None or channel["disabled"]:
                    skipped += 1
                    continue
                # Conditional: whoever changes next_attempt_at first owns the row for this lease.
                claimed = conn.execute(
                    sa.update(dt.deliveries)
                    .where(
                        d.idempotency_key == row["idempotency_key"],
                        d.status == "pending",
                        d.next_attempt_at == row["next_attempt_at"],
                    )
                    .values(next_attempt_at=lease)
                ).rowcount
                if claimed:
                    groups[row["channel_id"]].append(dict(row))
        return groups, channels, skipped

    async def adeliver_due(self) -> DeliveryReport:
        """`deliver_due()` for callers already inside an event loop (the server)."""
        tally = _Tally()
        now = self._now()
        tally.digests_created = self._create_due_digests(now)
        groups, channels, tally.skipped_disabled = self._claim(now)
        if not groups:
            return tally.report()
        subscriptions = {s.subscription_id: s for s in list_subscriptions(self.store)}
        client = self.http_client or httpx.AsyncClient(
            timeout=self.timeout, follow_redirects=False, trust_env=False, headers={"User-Agent": USER_AGENT}
        )
        try:
            results = await asyncio.gather(
                *(
                    self._deliver_channel(client, channels[channel_id], rows, subscriptions, tally)
                    for channel_id, rows in groups.items()
                ),
                return_exceptions=True,
            )
            for channel_id, result in zip(groups, results, strict=True):
                if isinstance(result, BaseException):
                    if not isinstance(result, Exception):
                        raise result  # cancellation, KeyboardInterrupt: not a channel's problem
                    # Only this channel's bookkeeping failed (e.g. the database went away mid-pass);
                    # its claimed rows come back when their lease ends.
                    tally.errors.append(f"channel {channel_id}: {_error_text(result, self._secrets())}")
                    log.error("delivery: channel %s: %s", channel_id, _error_text(result, self._secrets()))
        finally:
            if self.http_client is None:
                await client.aclose()
        return tally.report()

    async def _deliver_channel(
        self,
        client: httpx.AsyncClient,
        channel: Mapping[str, Any],
        rows: list[dict[str, Any]],
        subscriptions: Mapping[str, Subscription],
        tally: _Tally,
    ) -> None:
        """One endpoint's due rows, in order; stops at the first failure (the endpoint is having
        trouble: the rest wait for its backoff instead of each burning a timeout now)."""
        for index, row in enumerate(rows):
            subscription = subscriptions.get(row["subscription_id"])
            tally.attempted += 1
            if subscription is None:
                outcome = _Outcome(ok=False, error="the subscription was deleted", permanent=True)
            else:
                outcome = await self._send(client, channel, subscription, row)
            next_at, disabled = self._record(channel, row, outcome, tally)
            if not outcome.ok:
                rest = rows[index + 1 :]
                if rest:
                    self._release(rest, next_at or self._now())
                if disabled:
                    tally.skipped_disabled += len(rest)
                return

    def _secrets(self, channel: Mapping[str, Any] | None = None) -> list[str | None]:
        """What must never appear in an error message: the channel's target and secret, the SMTP password."""
        if channel is None:
            return [self.smtp_password]
        return [channel["target"], channel["secret"], self.smtp_password]

    async def _send(
        self,
        client: httpx.AsyncClient,
        channel: Mapping[str, Any],
        subscription: Subscription,
        row: Mapping[str, Any],
    ) -> _Outcome:
        """One delivery attempt, within the deadline. Never raises (but for cancellation): every
        failure becomes this delivery's outcome, so no other channel ever sees it."""
        secrets = self._secrets(channel)
        try:
            async with asyncio.timeout(self.deadline):
                if channel["kind"] == "email":
                    return await self._send_digest(channel, subscription, row)
                return await self._post(client, channel, subscription, row)
        except TimeoutError:
            # The whole delivery's deadline, or one wait of the SMTP conversation (socket.timeout).
            return _Outcome(
                ok=False,
                error=f"timed out (the {self.deadline:g}s deadline, or a {self.timeout:g}s wait)",
            )
        except UnsafeTargetError as exc:
            # Refused here (the name now resolves to a private address, say): an error of this
            # delivery, retried like any other; the channel stays on unless it keeps failing.
            return _Outcome(ok=False, error=redact(str(exc), secrets))
        except httpx.TimeoutException:
            return _Outcome(ok=False, error=f"timed out after {self.timeout:g}s")
        except httpx.HTTPError as exc:
            return _Outcome(ok=False, error=_error_text(exc, secrets))
        except smtplib.SMTPRecipientsRefused as exc:
            return _Outcome(ok=False, error=redact(f"recipient refused: {exc}", secrets), permanent=True)
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            return _Outcome(ok=False, error=_error_text(exc, secrets))
        except UndeliverableError as exc:
            return _Outcome(ok=False, error=_error_text(exc, secrets), permanent=True)
        except Exception as exc:  # isolation: a bug or bad data in one delivery stays in that delivery
            log.debug("delivery: unexpected error", exc_info=True)
            error = _error_text(exc, secrets)
            log.warning("delivery: unexpected error sending %s: %s", row["idempotency_key"][:12], error)
            return _Outcome(ok=False, error=error)

    def _load_alert(self, alert_id: str) -> Alert | None:
        with self.store.engine.connect() as conn:
            row = (
                conn.execute(sa.select(dt.alerts).where(dt.alerts.c.alert_id == alert_id)).mappings().first()
            )
        return alert_from_row(row) if row else None

    async def _post(
        self,
        client: httpx.AsyncClient,
        channel: Mapping[str, Any],
        subscription: Subscription,
        row: Mapping[str, Any],
    ) -> _Outcome:
        alert = self._load_alert(row["alert_id"])
        if alert is None:
            return _Outcome(ok=False, error=f"alert {row['alert_id']} is no longer stored", permanent=True)
        now = self._now()
        key = row["idempotency_key"]
        timestamp = int(now.timestamp())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            # Only the first bytes of a reply are ever read, and never decompressed.
            "Accept-Encoding": "identity",
            IDEMPOTENCY_HEADER: key,
            TIMESTAMP_HEADER: str(timestamp),
        }
        if channel["kind"] == "slack":
            body = json_body(slack_message(subscription, alert))
        else:
            body = json_body(webhook_payload(subscription, alert, idempotency_key=key, timestamp=now))
            headers[SIGNATURE_HEADER] = sign(channel["secret"] or "", body, timestamp)
        if len(body) > self.max_payload_bytes:
            return _Outcome(
                ok=False,
                error=f"payload of {len(body)} bytes is over the {self.max_payload_bytes}-byte limit",
                permanent=True,
            )
        target = str(channel["target"])
        # Resolve and check every address now, then connect to a checked one: the name can't be
        # re-pointed at a private address between the check and the request (DNS rebinding).
        addresses = await asyncio.to_thread(
            resolve_target, target, allow_private=self.allow_private, allowed_hosts=self.allowed_hosts
        )
        original = httpx.URL(target)
        # Like a browser's happy eyeballs, in order: a name may list an address that doesn't answer
        # (e.g. ::1 first for a server that only listens on 127.0.0.1).
        tried = addresses[:4]
        for address in tried:
            url, extensions = _pinned(original, address)
            send_headers = dict(headers)
            if url.host != original.host:
                send_headers["Host"] = original.netloc.decode("ascii")
            request = client.build_request(
                "POST", url, content=body, headers=send_headers, extensions=extensions
            )
            try:
                response = await client.send(request, stream=True)
            except httpx.ConnectError:
                if address == tried[-1]:
                    raise
                continue
            try:
                return await self._answer(response, now)
            finally:
                await response.aclose()
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    async def _answer(self, response: httpx.Response, now: datetime) -> _Outcome:
        """The outcome of a reply whose status line is in; its body is only peeked at on errors."""
        if 200 <= response.status_code < 300:
            return _Outcome(ok=True)  # the body is never read
        error = f"HTTP {response.status_code} from the endpoint"
        snippet = await _reply_snippet(response)
        if snippet:
            error += f": {snippet}"
        retry_after = retry_after_seconds(response.headers.get("Retry-After"), now)
        return _Outcome(ok=False, error=error, retry_after=retry_after)

    async def _send_digest(
        self, channel: Mapping[str, Any], subscription: Subscription, row: Mapping[str, Any]
    ) -> _Outcome:
        start, end = period_bounds(channel["period"] or "daily", row["period"])
        alerts = [a for a in stored_alerts(self.store, since=start, until=end) if matches(subscription, a)]
        if not alerts:
            # The alerts it was made for went away (e.g. the filters changed): nothing to say.
            return _Outcome(ok=True)
        try:
            message = email_digest(
                subscription,
                alerts,
                to=channel["target"],
                mail_from=self.mail_from,
                period_label=row["period"],
                idempotency_key=row["idempotency_key"],
                sent_at=self._now(),
            )
        except (ValueError, TypeError, IndexError) as exc:
            # The email library refuses a header (an address or name stored before it was checked).
            raise UndeliverableError(f"the digest email can't be built: {exc}") from exc
        await self._send_mail(message)
        return _Outcome(ok=True)

    async def _send_mail(self, message: EmailMessage) -> None:
        """Hand the message to the relay in a worker thread. If the deadline passes first, the
        connection is shut, so the thread ends too instead of trickling on in the background."""
        session: dict[str, smtplib.SMTP] = {}
        try:
            await asyncio.to_thread(self._smtp_send, message, session)
        except asyncio.CancelledError:
            smtp = session.get("smtp")
            sock = getattr(smtp, "sock", None)
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            raise

    def _smtp_send(self, message: EmailMessage, session: dict[str, smtplib.SMTP] | None = None) -> None:
        host, port = self.smtp
        with _TrackedSMTP(session if session is not None else {}, host, port, timeout=self.timeout) as smtp:
            if self.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.smtp_user:
                smtp.login(self.smtp_user, self.smtp_password or "")
            smtp.send_message(message)

    # ------------------------------------------------------------------------------- outcomes

    def backoff(self, attempts: int, retry_after: float | None = None) -> float:
        """Seconds to wait after the `attempts`-th failure (see `retry.RetryPolicy.delay`)."""
        return self.retry.delay(attempts, retry_after)

    def _record(
        self, channel: Mapping[str, Any], row: Mapping[str, Any], outcome: _Outcome, tally: _Tally
    ) -> tuple[datetime | None, bool]:
        """Write one attempt's outcome and the channel's health; returns (next attempt time, whether
        the channel is now disabled)."""
        now = self._now()
        d, c = dt.deliveries.c, dt.subscription_channels.c
        attempts = int(row["attempts"]) + 1
        key = row["idempotency_key"]
        with writing(self.store) as conn:
            if outcome.ok:
                conn.execute(
                    sa.update(dt.deliveries)
                    .where(d.idempotency_key == key)
                    .values(
                        status="sent", attempts=attempts, sent_at=now, next_attempt_at=None, last_error=None
                    )
                )
                conn.execute(
                    sa.update(dt.subscription_channels)
                    .where(c.channel_id == channel["channel_id"])
                    .values(consecutive_failures=0, consecutive_dead=0)
                )
                tally.sent += 1
                return None, False
            error = _clean_line(redact(outcome.error or "failed", self._secrets(channel)))
            tally.errors.append(f"{channel['kind']} {channel['channel_id']}: {error}")
            dead = outcome.permanent or self.retry.exhausted(attempts)
            next_at = None if dead else now + timedelta(seconds=self.backoff(attempts, outcome.retry_after))
            conn.execute(
                sa.update(dt.deliveries)
                .where(d.idempotency_key == key)
                .values(
                    status="dead" if dead else "pending",
                    attempts=attempts,
                    next_attempt_at=next_at,
                    last_error=error,
                )
            )
            conn.execute(
                sa.update(dt.subscription_channels)
                .where(c.channel_id == channel["channel_id"])
                .values(
                    consecutive_failures=c.consecutive_failures + 1,
                    consecutive_dead=c.consecutive_dead + (1 if dead else 0),
                )
            )
            health = conn.execute(
                sa.select(c.consecutive_failures, c.consecutive_dead, c.disabled).where(
                    c.channel_id == channel["channel_id"]
                )
            ).first()
            if dead:
                tally.dead += 1
                log.warning(
                    "delivery %s to %s %s is dead: %s",
                    key[:12],
                    channel["kind"],
                    channel["channel_id"],
                    error,
                )
            else:
                tally.retrying += 1
            reason = None
            if health is not None and not health.disabled:
                if health.consecutive_dead >= self.disable_after:
                    reason = (
                        f"{health.consecutive_dead} deliveries in a row failed for good; last error: {error}"
                    )
                elif health.consecutive_failures >= self.disable_after_failures:
                    reason = f"{health.consecutive_failures} attempts in a row failed; last error: {error}"
            if reason:
                conn.execute(
                    sa.update(dt.subscription_channels)
                    .where(c.channel_id == channel["channel_id"])
                    .values(disabled=True, disabled_reason=reason, disabled_at=now)
                )
                tally.disabled_channels.append(channel["channel_id"])
                log.warning(
                    "delivery: disabled %s channel %s: %s", channel["kind"], channel["channel_id"], reason
                )
            return next_at, bool(reason) or bool(health and health.disabled)

    def _release(self, rows: Sequence[Mapping[str, Any]], when: datetime) -> None:
        """Give claimed rows back untried, due at `when` (the failing endpoint's next attempt)."""
        d = dt.deliveries.c
        with writing(self.store) as conn:
            conn.execute(
                sa.update(dt.deliveries)
                .where(d.idempotency_key.in_([r["idempotency_key"] for r in rows]), d.status == "pending")
                .values(next_attempt_at=when)
            )

    # ------------------------------------------------------------------------------- loop

    async def run_forever(self, interval: float = 30.0, stop: asyncio.Event | None = None) -> None:
        """Deliver what is due every `interval` seconds until `stop` is set (the server's loop).

        A pass that fails (database unreachable) is logged and the loop goes on."""
        while stop is None or not stop.is_set():
            try:
                report = await self.adeliver_due()
                if report.attempted:
                    log.info(
                        "delivery: %d sent, %d retrying, %d dead", report.sent, report.retrying, report.dead
                    )
            except Exception as exc:  # the loop outlives any one pass; the next one tries again
                log.error("delivery: pass failed: %s", _error_text(exc, self._secrets()))
            if stop is None:
                await self._sleep(interval)
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=interval)


class _TrackedSMTP(smtplib.SMTP):
    """smtplib.SMTP that tells `session` about itself before connecting, so the event loop can shut
    its socket when the delivery's deadline passes."""

    def __init__(self, session: dict[str, smtplib.SMTP], *args: Any, **kwargs: Any) -> None:
        session["smtp"] = self
        super().__init__(*args, **kwargs)


def _error_text(exc: BaseException, secrets: Sequence[str | None] = ()) -> str:
    """An exception as one redacted line for a delivery's error (no control characters, bounded)."""
    text = f"{type(exc).__name__}: {exc}"
    return _clean_line(redact(text, secrets))[:500]


def _clean_line(text: str) -> str:
    return " ".join("".join(" " if unsafe_character(ch) else ch for ch in text).split())


async def _reply_snippet(response: httpx.Response) -> str | None:
    """The start of an error reply, for the delivery's error: at most REPLY_READ_BYTES raw bytes,
    read within REPLY_READ_SECONDS, and only when the reply is not compressed."""
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        return None
    chunks: list[bytes] = []
    size = 0
    with contextlib.suppress(TimeoutError, httpx.HTTPError):
        async with asyncio.timeout(REPLY_READ_SECONDS):
            async for chunk in response.aiter_raw():
                chunks.append(chunk[: REPLY_READ_BYTES - size])
                size += len(chunks[-1])
                if size >= REPLY_READ_BYTES:
                    break
    text = _clean_line(b"".join(chunks).decode("utf-8", "replace"))
    if not text:
        return None
    return redact(text[:ERROR_SNIPPET_CHARS] + ("…" if len(text) > ERROR_SNIPPET_CHARS else ""))


def _pinned(
    url: httpx.URL, address: ipaddress.IPv4Address | ipaddress.IPv6Address
) -> tuple[httpx.URL, dict[str, Any]]:
    """`url` with its host replaced by the checked address; TLS still verifies the real name."""
    try:
        ipaddress.ip_address(url.host)
        return url, {}
    except ValueError:
        pass
    extensions: dict[str, Any] = {}
    if url.scheme == "https":
        extensions["sni_hostname"] = url.host
    return url.copy_with(host=str(address)), extensions
