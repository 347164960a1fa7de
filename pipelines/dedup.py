"""One event per real-world event: several outlets reporting the same round or hire become one event
that lists all its sources. Batch and streaming both use these functions.

Two events are the same when they have the same type, the same subject company (normalised), the
same distinguishing detail (round for funding, person for executive moves, counterparty for deals),
and were published within `window_days` of the first report.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from matchers import normalize_company
from schemas import TriggerEvent

_PERSON_NOISE = re.compile(r"[^a-z ]+")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _person_key(name: str | None) -> str:
    if not name:
        return ""
    words = _PERSON_NOISE.sub(" ", name.lower()).split()
    return f"{words[0]} {words[-1]}" if len(words) > 1 else " ".join(words)


def dedup_key(event: TriggerEvent) -> str:
    """What must agree for two events to be the same real-world event."""
    company = normalize_company(event.company or "") or (event.company or "").lower()
    detail: str
    if event.type == "funding_round":
        detail = event.round or ""
    elif event.type in ("executive_hire", "executive_departure", "champion_left", "champion_joined"):
        detail = _person_key(event.person) or (event.role or "")
    elif event.type in ("acquisition", "partnership"):
        detail = normalize_company(event.counterparty or "")
    else:
        detail = ""
    return "|".join((event.type, company, detail))


def _when(event: TriggerEvent) -> datetime:
    return event.published_at or _EPOCH


def merge(events: list[TriggerEvent], known: frozenset[str] = frozenset()) -> TriggerEvent:
    """One event from several reports of it: the first report's id, date and evidence (an event
    already stored or alerted, in `known`, comes first so its id never changes), the highest
    confidence, every field any report filled, all sources."""
    ordered = sorted(events, key=lambda e: (e.event_id not in known, _when(e), e.event_id))
    first = ordered[0]
    if len(ordered) == 1 and (first.sources or not first.source):
        return first
    filled: dict[str, object] = {}
    for field in ("counterparty", "person", "title", "role", "round", "amount", "currency", "url"):
        value = getattr(first, field)
        if value is None:
            value = next((getattr(e, field) for e in ordered if getattr(e, field) is not None), None)
        filled[field] = value
    investors = list(dict.fromkeys(i for e in ordered for i in e.investors))
    sources = sorted({s for e in ordered for s in ([*e.sources] or ([e.source] if e.source else []))})
    return first.model_copy(
        update={
            **filled,
            "investors": investors,
            "sources": sources,
            "confidence": max(e.confidence for e in ordered),
        }
    )


def deduplicate(
    events: Iterable[TriggerEvent], window_days: int = 7, known: Iterable[str] = ()
) -> list[TriggerEvent]:
    """Collapse reports of the same event. Deterministic: the result does not depend on input order.
    `known` holds ids already stored: a cluster that contains one keeps that id."""
    known_ids = frozenset(known)
    groups: dict[str, list[TriggerEvent]] = defaultdict(list)
    for event in events:
        groups[dedup_key(event)].append(event)
    out: list[TriggerEvent] = []
    window = timedelta(days=window_days)
    for key in sorted(groups):
        cluster: list[TriggerEvent] = []
        for event in sorted(groups[key], key=lambda e: (_when(e), e.event_id)):
            # Reports without a company can't be told apart from other events: never merge them.
            if cluster and key.split("|")[1] and _when(event) - _when(cluster[0]) <= window:
                cluster.append(event)
                continue
            if cluster:
                out.append(merge(cluster, known_ids))
            cluster = [event]
        if cluster:
            out.append(merge(cluster, known_ids))
    return out
