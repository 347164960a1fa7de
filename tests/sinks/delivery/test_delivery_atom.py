"""The private Atom feed: valid Atom 1.0 that feedparser reads, with stable entry ids."""

from __future__ import annotations

from datetime import UTC, datetime

import feedparser

from sinks.delivery.api import Alert, Subscription, SubscriptionFilters, render_atom

FEED_URL = "https://buysignal.example/feeds/s3cr3t-token-value/atom.xml"


def _subscription() -> Subscription:
    now = datetime(2026, 11, 25, tzinfo=UTC)
    return Subscription(
        subscription_id="sub-1",
        name="EMEA & funding",
        owner="dana@example.com",
        filters=SubscriptionFilters(),
        created_at=now,
        updated_at=now,
    )


def test_feedparser_reads_every_entry(alerts: list[Alert]) -> None:
    data = render_atom(_subscription(), alerts, feed_url=FEED_URL)
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "buysignal: EMEA & funding"
    assert parsed.feed.id == "urn:buysignal:subscription:sub-1"
    assert any(link.rel == "self" and link.href == FEED_URL for link in parsed.feed.links)
    assert len(parsed.entries) == len(alerts)
    # Newest first.
    assert [e.id for e in parsed.entries][0] == "urn:buysignal:event:ev-ipo-unknown"
    acme = next(e for e in parsed.entries if e.id == "urn:buysignal:event:ev-funding-acme")
    assert acme.title == "Acme Robotics raised a $25M Series B"
    assert acme.link == "https://news.example/acme-series-b"
    content = acme.content[0].value
    assert "Northwind Ventures" in content and "dana@example.com" in content and "Acme Robotics" in content
    assert "EMEA" in content and "funded_30d" in content
    assert {t.term for t in acme.tags} >= {"funding_round", "segment:funded_30d"}
    cobalt = next(e for e in parsed.entries if e.id == "urn:buysignal:event:ev-layoffs-cobalt")
    # Markup in the data is text, not markup.
    assert cobalt.title == "Cobalt & Sons <Ltd> announced layoffs"
    assert "Cobalt &amp; Sons &lt;Ltd&gt;" in cobalt.content[0].value


def test_entry_ids_are_stable_and_an_empty_feed_is_valid(alerts: list[Alert]) -> None:
    first = feedparser.parse(render_atom(_subscription(), alerts, feed_url=FEED_URL))
    again = feedparser.parse(render_atom(_subscription(), list(reversed(alerts[:2])), feed_url=FEED_URL))
    assert {e.id for e in again.entries} <= {e.id for e in first.entries}
    empty = feedparser.parse(render_atom(_subscription(), [], feed_url=FEED_URL))
    assert empty.bozo == 0 and empty.entries == [] and empty.feed.updated
