"""What the marketers' web page shows, read from the store: segments, their rows, the latest triggers.

Plain functions over an open `Store`, so the page, the CSV download and the tests share them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from jinja2 import Environment, FileSystemLoader, select_autoescape

from schemas import Account, CampaignEntry, Match, Segment, TriggerEvent
from sinks import tables as t
from sinks.delivery.links import safe_link
from sinks.store import Store

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class SegmentSummary:
    """A segment as the page lists it: its name, what it means and how many rows it has now."""

    name: str
    description: str | None
    count: int
    configured: bool


@dataclass(frozen=True)
class TriggerRow:
    """One recent trigger with the CRM account it was matched to (if any)."""

    event: TriggerEvent
    account_id: str | None
    account_name: str | None
    owner: str | None


def segment_summaries(
    store: Store, configured: Sequence[Segment], owner: str | None = None
) -> list[SegmentSummary]:
    """Every configured segment (in config order, empty ones too), then any other segment the store
    holds; with `owner`, the counts are of that account owner's rows only."""
    ce = t.campaign_entries.c
    stmt = sa.select(ce.segment, sa.func.count()).group_by(ce.segment)
    if owner is not None:
        stmt = stmt.where(ce.owner == owner)
    with store.engine.connect() as conn:
        counts: Counter[str] = Counter(dict(conn.execute(stmt).tuples().all()))
    out = [SegmentSummary(s.name, s.description, counts.get(s.name, 0), True) for s in configured]
    known = {s.name for s in configured}
    out.extend(
        SegmentSummary(name, None, n, False) for name, n in sorted(counts.items()) if name not in known
    )
    return out


def segment_rows(store: Store, name: str, owner: str | None = None) -> list[CampaignEntry]:
    """A segment's campaign entries, newest event first (the order of the CSV lists); with `owner`,
    only the rows of that account owner's accounts."""
    rows = store.campaign_entries(segment=name)
    return rows if owner is None else [r for r in rows if r.owner == owner]


def latest_triggers(store: Store, limit: int = 50, owner: str | None = None) -> list[TriggerRow]:
    """The `limit` most recently published triggers, with their matched account and its owner;
    with `owner`, only triggers matched to that owner's accounts."""
    ev = t.events.c
    stmt = sa.select(t.events).order_by(ev.published_at.desc().nulls_last(), ev.event_id).limit(max(0, limit))
    if owner is not None:
        stmt = stmt.where(
            ev.event_id.in_(
                sa.select(t.matches.c.event_id)
                .join(t.accounts, t.accounts.c.account_id == t.matches.c.account_id)
                .where(t.accounts.c.owner == owner)
            )
        )
    with store.engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
        events = [TriggerEvent.model_validate(dict(r)) for r in rows]
        ids = [e.event_id for e in events]
        found = (
            conn.execute(sa.select(t.matches).where(t.matches.c.event_id.in_(ids))).mappings().all()
            if ids
            else []
        )
        matches = {m.event_id: m for m in (Match.model_validate(dict(r)) for r in found)}
        account_ids = sorted({m.account_id for m in matches.values() if m.account_id})
        account_rows = (
            conn.execute(sa.select(t.accounts).where(t.accounts.c.account_id.in_(account_ids)))
            .mappings()
            .all()
            if account_ids
            else []
        )
    accounts = {a.account_id: a for a in (Account.model_validate(dict(r)) for r in account_rows)}
    out = []
    for event in events:
        match = matches.get(event.event_id)
        account_id = match.account_id if match else None
        account = accounts.get(account_id) if account_id else None
        out.append(
            TriggerRow(
                event=event,
                account_id=account_id,
                account_name=match.account_name if match else None,
                owner=account.owner if account else None,
            )
        )
    return out


def safe_href(url: str | None) -> str | None:
    """`url` if it is a plain http(s) link, else None: news URLs are untrusted, and a `javascript:`
    link on the page would run in the viewer's session (the same rule as every other output)."""
    return safe_link(url)


def _date(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d") if value else ""


def template_environment() -> Environment:
    """The page templates, HTML-escaped by default (every shown value comes from news or a CRM)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_href"] = safe_href
    env.filters["day"] = _date
    env.filters["label"] = lambda value: (value or "").replace("_", " ")
    return env
