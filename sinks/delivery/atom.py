"""The private Atom 1.0 feed of a subscription (RFC 4287), for reps whose reader or chat tool polls feeds."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime

from sinks.delivery.alerts import alert_title, type_label
from sinks.delivery.links import safe_link
from sinks.delivery.models import Alert, Subscription

ATOM_NS = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 cannot carry at all (C0 controls but tab/LF/CR, surrogates, U+FFFE/U+FFFF): a
# feed holding one is not well-formed, and readers drop the whole feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
GENERATOR_URI = "https://github.com/buysignal/buysignal"


def entry_id(alert: Alert) -> str:
    """The stable Atom entry id of an alert: the same event always has the same id."""
    return f"urn:buysignal:event:{alert.event.event_id}"


def alert_time(alert: Alert, otherwise: datetime) -> datetime:
    """When the alert happened, as best known: the article's date, else when it was enqueued, else
    `otherwise` (a moment the caller has: the feed's last update, the digest's send time)."""
    return alert.event.published_at or alert.created_at or otherwise


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def alert_html(alert: Alert) -> str:
    """The alert as a small HTML fragment: evidence, account, owner, segments, link."""
    e = alert.event
    rows = [
        ("Trigger", type_label(e.type)),
        ("Account", alert.account_name or e.company or "not matched"),
        ("Owner", alert.owner or "unassigned"),
        ("Segments", ", ".join(alert.segments) or "none"),
        ("Confidence", f"{e.confidence:.2f}"),
    ]
    if alert.account and alert.account.territory:
        rows.insert(3, ("Territory", alert.account.territory))
    parts = [f"<blockquote>{html.escape(e.evidence)}</blockquote>", "<ul>"]
    parts += [f"<li><b>{html.escape(k)}:</b> {html.escape(v)}</li>" for k, v in rows]
    parts.append("</ul>")
    link = safe_link(e.url)
    if link:
        url = html.escape(link, quote=True)
        parts.append(f'<p><a href="{url}" rel="noopener noreferrer nofollow">{url}</a></p>')
    return "".join(parts)


def render_atom(subscription: Subscription, alerts: Sequence[Alert], *, feed_url: str) -> bytes:
    """The subscription's alerts as an Atom 1.0 document (UTF-8 bytes), newest first.

    `feed_url` is the feed's own address (with its token), given as the rel=self link. The feed id
    is the subscription's (not the URL, so rotating the token keeps it), and entry ids are stable
    (`urn:buysignal:event:<event_id>`), so feed readers never show an alert twice."""
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(
            parent, f"{{{ATOM_NS}}}{tag}", {k: _NOT_XML.sub("", v) for k, v in attrs.items()}
        )
        if text is not None:
            element.text = _NOT_XML.sub("\ufffd", text)
        return element

    # Not "now": an entry's time must not change from one poll to the next.
    fallback = subscription.updated_at
    ordered = sorted(alerts, key=lambda a: (alert_time(a, fallback), a.event.event_id), reverse=True)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "id", f"urn:buysignal:subscription:{subscription.subscription_id}")
    sub(feed, "title", f"buysignal: {subscription.name}")
    sub(feed, "subtitle", f"Buying triggers for {subscription.owner}")
    updated = max((alert_time(a, fallback) for a in ordered), default=fallback)
    sub(feed, "updated", _iso(updated))
    sub(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
    author = sub(feed, "author")
    sub(author, "name", "buysignal")
    sub(feed, "generator", "buysignal", uri=GENERATOR_URI)
    for alert in ordered:
        e = alert.event
        entry = sub(feed, "entry")
        sub(entry, "id", entry_id(alert))
        sub(entry, "title", alert_title(alert))
        when = _iso(alert_time(alert, fallback))
        sub(entry, "updated", when)
        if e.published_at:
            sub(entry, "published", _iso(e.published_at))
        link = safe_link(e.url)
        if link:
            sub(entry, "link", rel="alternate", type="text/html", href=link)
        sub(entry, "category", term=e.type, label=type_label(e.type))
        for segment in alert.segments:
            sub(entry, "category", term=f"segment:{segment}", label=segment)
        if alert.owner:
            entry_author = sub(entry, "author")
            sub(entry_author, "name", alert.owner)
        sub(entry, "summary", e.evidence, type="text")
        sub(entry, "content", alert_html(alert), type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
