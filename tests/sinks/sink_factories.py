"""Record factories for the sinks tests (deterministic, made up here: no shared data)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from schemas import (
    Account,
    CampaignEntry,
    Clock,
    Contact,
    DeadLetter,
    Document,
    FeedState,
    Match,
    MatchCandidate,
    Opportunity,
    TriggerEvent,
    fixed_clock,
)
from sinks.base import Batch
from sinks.store import Store

AS_OF = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
AT_AS_OF = fixed_clock(AS_OF)


def make_event(n: int, **changes: object) -> TriggerEvent:
    """A funding event published `n` hours before AS_OF, with the given fields changed."""
    data: dict[str, object] = {
        "event_id": f"ev-{n:05d}",
        "document_id": f"doc-{n:05d}",
        "type": "funding_round",
        "company": f"Company {n} GmbH",
        "round": "series_b",
        "amount": 25_000_000 + n,
        "currency": "USD",
        "investors": ["Sequoia", "Index Ventures"],
        "confidence": 0.9,
        "evidence": f"Company {n} raises $25M Series B – ünïcode “quotes”",
        "published_at": AS_OF - timedelta(hours=n),
        "url": f"https://news.example/{n}",
        "source": "example-rss",
        "sources": ["example-rss", "other-rss"],
    }
    data.update(changes)
    return TriggerEvent.model_validate(data)


def make_account(n: int, **changes: object) -> Account:
    data: dict[str, object] = {
        "account_id": f"acc-{n:05d}",
        "name": f"Company {n}",
        "domain": f"company{n}.example",
        "owner": "Dana Seller",
        "industry": "Software",
        "type": "Prospect",
        "country": "Germany",
        "aliases": [f"Co{n}"],
        "extra": {"Tier": "A"},
    }
    data.update(changes)
    return Account.model_validate(data)


def make_match(n: int, **changes: object) -> Match:
    data: dict[str, object] = {
        "event_id": f"ev-{n:05d}",
        "company": f"Company {n} GmbH",
        "account_id": f"acc-{n:05d}",
        "account_name": f"Company {n}",
        "score": 97.5,
        "method": "fuzzy",
        "candidates": [MatchCandidate(account_id=f"acc-{n:05d}", account_name=f"Company {n}", score=97.5)],
    }
    data.update(changes)
    return Match.model_validate(data)


def make_entry(n: int, segment: str = "funding_30d", **changes: object) -> CampaignEntry:
    data: dict[str, object] = {
        "segment": segment,
        "account_id": f"acc-{n:05d}",
        "account_name": f"Company {n}",
        "owner": "Dana Seller",
        "trigger_type": "funding_round",
        "event_date": date(2026, 11, 20),
        "days_since_event": 5,
        "company": f"Company {n} GmbH",
        "evidence": f"Company {n} raises $25M",
        "url": f"https://news.example/{n}",
        "event_id": f"ev-{n:05d}",
        "confidence": 0.9,
    }
    data.update(changes)
    return CampaignEntry.model_validate(data)


def make_dead_letter(n: int, clock: Clock = AT_AS_OF) -> DeadLetter:
    return DeadLetter.of(
        "trigger", "spacy:triggers", ValueError(f"bad text {n}"), {"id": f"doc-bad-{n}"}, clock=clock
    )


def make_batch(size: int = 5, *, clock: Clock = AT_AS_OF) -> Batch:
    """A batch touching every table `Store.write` fills, with one ambiguous and one unmatched event;
    its dead letters are stamped by `clock`."""
    matches = [make_match(n) for n in range(size)]
    matches[1] = make_match(
        1,
        account_id=None,
        account_name=None,
        score=88.0,
        ambiguous=True,
        method="none",
        candidates=[
            MatchCandidate(account_id="acc-00001", account_name="Company 1", score=88.0),
            MatchCandidate(account_id="acc-99999", account_name="Company One Holdings", score=87.0),
        ],
    )
    matches[2] = make_match(2, account_id=None, account_name=None, score=0.0, method="none", candidates=[])
    return Batch(
        documents=[
            Document(id=f"doc-{n:05d}", title=f"Company {n} raises", url=f"https://news.example/{n}")
            for n in range(size)
        ],
        events=[make_event(n) for n in range(size)],
        matches=matches,
        entries=[make_entry(n) for n in range(size) if n not in (1, 2)],
        dead_letters=[make_dead_letter(n, clock) for n in range(2)],
    )


def fill_crm(store: Store, size: int = 5) -> None:
    """CRM snapshots and a feed state, the parts of a run that don't travel in a Batch."""
    store.upsert_accounts([make_account(n) for n in range(size)])
    store.upsert_contacts(
        [
            Contact(
                contact_id=f"con-{n}",
                full_name=f"Person {n}",
                account_id=f"acc-{n:05d}",
                email=f"p{n}@x.example",
            )
            for n in range(size)
        ]
    )
    store.upsert_opportunities(
        [
            Opportunity(
                opportunity_id=f"opp-{n}",
                account_id=f"acc-{n:05d}",
                stage="Closed Won",
                amount=1200.5,
                created_date=date(2026, 1, 2),
                is_won=True,
                is_closed=True,
            )
            for n in range(size)
        ]
    )
    store.set_feed_state(
        FeedState(url="https://news.example/feed", etag='W/"abc"', fetched_at=AS_OF, status=200)
    )
