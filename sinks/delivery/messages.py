"""What each channel receives: a Slack message, a signed JSON webhook, an email digest.

Pure functions (no I/O), so every message can be checked without a network.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from sinks.delivery.alerts import alert_company, alert_title, type_label
from sinks.delivery.atom import alert_html, alert_time
from sinks.delivery.models import Alert, Subscription

SIGNATURE_HEADER = "X-Buysignal-Signature"
TIMESTAMP_HEADER = "X-Buysignal-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
USER_AGENT = "buysignal-delivery/1"
# Slack refuses section texts over 3000 characters; evidence is a sentence or two, so this only
# trims runaway text.
MAX_EVIDENCE_CHARS = 1500


def _short(text: str, limit: int = MAX_EVIDENCE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _slack_escape(text: str) -> str:
    # Slack mrkdwn treats only these three as control characters.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(subscription: Subscription, alert: Alert) -> dict[str, Any]:
    """A Slack incoming-webhook message for one alert: `text` (the notification line) and `blocks`."""
    e = alert.event
    title = alert_title(alert)
    headline = f"<{e.url}|{_slack_escape(title)}>" if e.url else _slack_escape(title)
    account = alert.account_name or e.company or "not matched"
    fields = [
        ("Trigger", type_label(e.type)),
        ("Account", account),
        ("Owner", alert.owner or "unassigned"),
        ("Segments", ", ".join(alert.segments) or "none"),
    ]
    if alert.account and alert.account.territory:
        fields.append(("Territory", alert.account.territory))
    return {
        "text": f"{title} ({type_label(e.type)}, {account})",
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*{headline}*\n>{_slack_escape(_short(e.evidence))}"},
            },
            {
                "type": "section",
                "fields": [{"type": "mrkdwn", "text": f"*{k}*\n{_slack_escape(v)}"} for k, v in fields],
            },
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": _slack_escape(
                            f"buysignal · {subscription.name} · confidence {e.confidence:.2f}"
                        ),
                    }
                ],
            },
        ],
    }


def webhook_payload(
    subscription: Subscription, alert: Alert, *, idempotency_key: str, timestamp: datetime
) -> dict[str, Any]:
    """The JSON a generic webhook receives for one alert. The timestamp is inside the signed body,
    so a receiver can refuse replays of old requests."""
    return {
        "id": idempotency_key,
        "type": "buysignal.alert",
        "timestamp": timestamp.isoformat(),
        "subscription": {
            "id": subscription.subscription_id,
            "name": subscription.name,
            "owner": subscription.owner,
        },
        "alert": {"id": alert.alert_id, "title": alert_title(alert), **alert.model_dump(mode="json")},
    }


def json_body(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact UTF-8 JSON."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def sign(secret: str, body: bytes) -> str:
    """The signature header value for `body`: `sha256=<hex HMAC-SHA256 of the raw body>`."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, header: str | None) -> bool:
    """What a receiver does: recompute the signature of the raw body and compare in constant time."""
    return bool(header) and hmac.compare_digest(sign(secret, body), str(header))


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
    msg["Subject"] = digest_subject(subscription, ordered, period_label)
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
        lines.append(f"* {alert_title(alert)}")
        lines.append(f"  {type_label(e.type)} · {alert.account_name or alert_company(alert)}")
        lines.append(f"  Owner: {alert.owner or 'unassigned'}")
        lines.append(f"  {_short(e.evidence, 600)}")
        if e.url:
            lines.append(f"  {e.url}")
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
