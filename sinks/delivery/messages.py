"""What each channel receives: a Slack message, a signed JSON webhook, an email digest.

Pure functions (no I/O), so every message can be checked without a network. Everything in an alert
comes from the internet (headlines, company names, URLs) or a CRM, so each output escapes it for
its own syntax: Slack mrkdwn, HTML, email headers; and only http(s) links leave (`links.safe_link`).

Webhook signatures follow Stripe's scheme: `X-Buysignal-Signature: t=<unix seconds>,v1=<hex>`, where
the hex is HMAC-SHA256 over `"<t>." + raw body` with the channel's secret. Signing the timestamp
with the body lets a receiver refuse a replayed request: `verify_signature` accepts a signature only
within `SIGNATURE_TOLERANCE_SECONDS` of its own clock.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import re
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote

from schemas import Clock, system_clock
from sinks.delivery.alerts import alert_company, alert_title, type_label
from sinks.delivery.atom import alert_html, alert_time
from sinks.delivery.links import safe_link
from sinks.delivery.models import Alert, Subscription, unsafe_character

SIGNATURE_HEADER = "X-Buysignal-Signature"
TIMESTAMP_HEADER = "X-Buysignal-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
SIGNATURE_SCHEME = "v1"
# How far a signature's timestamp may be from the receiver's clock (either way) and still count: five
# minutes, as Stripe does: room for clock skew and a slow request, too short to replay tomorrow.
SIGNATURE_TOLERANCE_SECONDS = 300
USER_AGENT = "buysignal-delivery/1"
# Slack refuses section texts over 3000 characters; evidence is a sentence or two, so this only
# trims runaway text.
MAX_EVIDENCE_CHARS = 1500
# Characters a URL keeps inside Slack's <url|text>: RFC 3986's reserved and unreserved ones, minus
# `|` (ends the URL), `<` and `>` (end the link); everything else is percent-encoded.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%-._~"
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def _short(text: str, limit: int = MAX_EVIDENCE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _one_line(text: str) -> str:
    """Text with line breaks and every other control character turned into spaces."""
    out = _LINE_BREAKS.sub(" ", text)
    if unsafe_character(out) is None:
        return out
    return "".join(" " if unsafe_character(ch) else ch for ch in out)


def slack_escape(text: str) -> str:
    """Text for Slack mrkdwn: `&`, `<` and `>` escaped (the only characters mrkdwn treats as
    control: with them escaped no link, @channel or user mention can be formed), and control
    characters removed. Blocks are also sent `verbatim`, so Slack links nothing by itself."""
    cleaned = "".join(ch for ch in text if ch in "\n\t" or not unsafe_character(ch))
    return cleaned.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_link(url: str | None, text: str) -> str:
    """`<url|text>` for a safe http(s) URL (percent-encoded so it can't end the link early), else
    just the escaped text."""
    link = safe_link(url)
    label = slack_escape(_one_line(text))
    if link is None:
        return label
    encoded = quote(link, safe=_URL_SAFE).replace("&", "&amp;")
    return f"<{encoded}|{label}>"


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def slack_message(subscription: Subscription, alert: Alert) -> dict[str, Any]:
    """A Slack incoming-webhook message for one alert: `text` (the notification line) and `blocks`."""
    e = alert.event
    title = _one_line(alert_title(alert))
    headline = slack_link(e.url, title)
    account = _one_line(alert.account_name or e.company or "not matched")
    fields = [
        ("Trigger", type_label(e.type)),
        ("Account", account),
        ("Owner", alert.owner or "unassigned"),
        ("Segments", ", ".join(alert.segments) or "none"),
    ]
    if alert.account and alert.account.territory:
        fields.append(("Territory", alert.account.territory))
    evidence = _one_line(_short(e.evidence))
    return {
        # The notification line is mrkdwn too: escaped like the rest.
        "text": slack_escape(f"{title} ({type_label(e.type)}, {account})"),
        "blocks": [
            {"type": "section", "text": _mrkdwn(f"*{headline}*\n>{slack_escape(evidence)}")},
            {
                "type": "section",
                "fields": [_mrkdwn(f"*{k}*\n{slack_escape(_one_line(v))}") for k, v in fields],
            },
            {
                "type": "context",
                "elements": [
                    _mrkdwn(
                        slack_escape(
                            _one_line(f"buysignal · {subscription.name} · confidence {e.confidence:.2f}")
                        )
                    )
                ],
            },
        ],
    }


def webhook_payload(
    subscription: Subscription, alert: Alert, *, idempotency_key: str, timestamp: datetime
) -> dict[str, Any]:
    """The JSON a generic webhook receives for one alert. `id` is the delivery's idempotency key
    (also in the `Idempotency-Key` header): delivery is at least once, so a receiver that sees an
    id again must ignore it. The event's `url` is null unless it is a plain http(s) link."""
    data = alert.model_dump(mode="json")
    data["event"]["url"] = safe_link(alert.event.url)
    return {
        "id": idempotency_key,
        "type": "buysignal.alert",
        "timestamp": timestamp.isoformat(),
        "subscription": {
            "id": subscription.subscription_id,
            "name": subscription.name,
            "owner": subscription.owner,
        },
        "alert": {"id": alert.alert_id, "title": alert_title(alert), **data},
    }


def json_body(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact UTF-8 JSON."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def _signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The `X-Buysignal-Signature` value for `body` sent at `timestamp` (unix seconds):
    `t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>." + body>`."""
    return f"t={int(timestamp)},{SIGNATURE_SCHEME}={_signature(secret, int(timestamp), body)}"


def parse_signature(header: str | None) -> tuple[int, list[str]] | None:
    """(timestamp, v1 signatures) of a signature header, or None when it is malformed. Several v1
    entries may appear (e.g. while a secret is rotated); any one that matches is enough."""
    if not header or len(header) > 4096:
        return None
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == "t" and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif key == SIGNATURE_SCHEME and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        return None
    return timestamp, signatures


def verify_signature(
    secret: str,
    body: bytes,
    header: str | None,
    *,
    tolerance: float = SIGNATURE_TOLERANCE_SECONDS,
    clock: Clock = system_clock,
) -> bool:
    """What a receiver does with a request: True only when the header's timestamp is within
    `tolerance` seconds of `clock()` (either way) and one of its v1 signatures is the HMAC of
    `"<t>." + body` (compared in constant time). Pass the raw body, before any JSON parsing.
    Then de-duplicate on the `Idempotency-Key` header: a retry of a request that did arrive
    carries the same key (and a new timestamp and signature)."""
    parsed = parse_signature(header)
    if parsed is None:
        return False
    timestamp, signatures = parsed
    if abs(clock().timestamp() - timestamp) > tolerance:
        return False
    expected = _signature(secret, timestamp, body)
    # Every candidate is compared, so the time taken does not say which one matched.
    found = False
    for candidate in signatures:
        found |= hmac.compare_digest(expected, candidate)
    return found


def digest_subject(subscription: Subscription, alerts: Sequence[Alert], period_label: str) -> str:
    """The digest's subject line, e.g. "buysignal: 3 new triggers for EMEA funding (2026-11-24)"."""
    noun = "trigger" if len(alerts) == 1 else "triggers"
    return f"buysignal: {len(alerts)} new {noun} for {subscription.name} ({period_label})"


def email_digest(
    subscription: Subscription,
    alerts: Sequence[Alert],
    *,
    to: str,
    mail_from: str,
    period_label: str,
    idempotency_key: str,
    sent_at: datetime,
) -> EmailMessage:
    """One digest email (plain text and HTML alternatives) for a subscription's period.

    The Message-ID derives from the idempotency key, so a retried send that did reach the server
    the first time is recognisable as the same message."""
    ordered = sorted(alerts, key=lambda a: (alert_time(a, sent_at), a.event.event_id), reverse=True)
    msg = EmailMessage()
    # Names are checked where they come in; one stored before that check still makes a valid header.
    msg["Subject"] = _one_line(digest_subject(subscription, ordered, period_label))
    msg["From"] = mail_from
    msg["To"] = to
    msg["Date"] = format_datetime(sent_at)
    domain = mail_from.rpartition("@")[2] or "buysignal.local"
    msg["Message-ID"] = f"<digest.{idempotency_key[:32]}@{domain}>"
    msg["X-Buysignal-Subscription"] = subscription.subscription_id
    msg["X-Buysignal-Period"] = period_label

    lines = [f"{len(ordered)} new buying triggers for {subscription.name} ({period_label}):", ""]
    for alert in ordered:
        e = alert.event
        lines.append(f"* {_one_line(alert_title(alert))}")
        lines.append(f"  {type_label(e.type)} · {_one_line(alert.account_name or alert_company(alert))}")
        lines.append(f"  Owner: {_one_line(alert.owner or 'unassigned')}")
        lines.append(f"  {_one_line(_short(e.evidence, 600))}")
        link = safe_link(e.url)
        if link:
            lines.append(f"  {link}")
        lines.append("")
    lines.append(f"You get this because of the buysignal subscription {subscription.name!r}.")
    msg.set_content("\n".join(lines))

    items = "".join(f"<li><h3>{html.escape(alert_title(a))}</h3>{alert_html(a)}</li>" for a in ordered)
    body = (
        "<!doctype html><html><body>"
        f"<h2>{html.escape(msg['Subject'])}</h2><ul>{items}</ul>"
        f"<p>You get this because of the buysignal subscription "
        f"<b>{html.escape(subscription.name)}</b>.</p></body></html>"
    )
    msg.add_alternative(body, subtype="html")
    return msg
