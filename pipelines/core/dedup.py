"""One event per real-world event: several outlets reporting the same round or hire become one event
that lists all its sources. Batch and streaming both use these functions.

Two events are the same when they have the same type, the same subject company (normalised), the
same distinguishing detail (round for funding, person for executive moves, counterparty for deals
and for the acquired side of one),
and were published within `window_days` of the first report.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Protocol

from matchers import normalize_company
from schemas import TriggerEvent

_PERSON_NOISE = re.compile(r"[^a-z ]+")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _person_key(name: str | None) -> str:
    if not name:
        return ""
    words = _PERSON_NOISE.sub(" ", name.lower()).split()
    return f"{words[0]} {words[-1]}" if len(words) > 1 else " ".join(words)


PEOPLE_MOVES = ("executive_hire", "executive_departure", "champion_left", "champion_joined")


def _company_key(name: str | None) -> str:
    return normalize_company(name or "") or (name or "").lower()


class FoldFields(Protocol):
    """What `dedup_key` reads of an event: a TriggerEvent, or a light row of a stored one."""

    @property
    def type(self) -> str: ...
    @property
    def company(self) -> str | None: ...
    @property
    def counterparty(self) -> str | None: ...
    @property
    def person(self) -> str | None: ...
    @property
    def role(self) -> str | None: ...
    @property
    def round(self) -> str | None: ...


def dedup_key(event: FoldFields) -> str:
    """What must agree for two events to be the same real-world event. A named person's move is
    keyed by the person (outlets write the company short or long: "Northwind" / "Northwind
    Analytics"); `same_company` then checks the companies are compatible."""
    if event.type in PEOPLE_MOVES and _person_key(event.person):
        return "|".join((event.type, "person", _person_key(event.person)))
    detail: str
    if event.type == "funding_round":
        detail = event.round or ""
    elif event.type in PEOPLE_MOVES:
        detail = event.role or ""
    elif event.type in ("acquisition", "acquired", "partnership"):
        detail = _company_key(event.counterparty)
    else:
        detail = ""
    return "|".join((event.type, _company_key(event.company), detail))


def same_company(a: TriggerEvent, b: TriggerEvent) -> bool:
    """Whether two reports can be about the same company: the same normalised name, or one name's
    words all in the other's ("Northwind" and "Northwind Analytics")."""
    ka, kb = _company_key(a.company), _company_key(b.company)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    wa, wb = set(ka.split()), set(kb.split())
    return wa <= wb or wb <= wa


def _when(event: TriggerEvent) -> datetime:
    return event.published_at or _EPOCH


def _title_quality(event: TriggerEvent) -> tuple[int, int, int]:
    """How well a report states the title: any title over none, one that names a specific role
    ("VP Marketing" -> vp_marketing) over a generic one ("VP" -> other_exec), then the fuller title
    (a job-change export's "Head of Demand Generation" over a headline's "Head"). `max` keeps the
    first of equals, so the earliest report wins a tie."""
    if not event.title:
        return (0, 0, 0)
    return (1, int(event.role not in (None, "other_exec")), len(event.title.split()))


def _combine(ordered: list[TriggerEvent]) -> TriggerEvent:
    """One event from reports already in order of precedence: the first one's id, date and evidence,
    the highest confidence, every field any report filled, all sources; the title (with its role)
    of the report that states it best (`_title_quality`)."""
    first = ordered[0]
    if len(ordered) == 1 and (first.sources or not first.source):
        return first
    filled: dict[str, object] = {}
    for field in ("counterparty", "person", "round", "amount", "currency", "url"):
        value = getattr(first, field)
        if value is None:
            value = next((getattr(e, field) for e in ordered if getattr(e, field) is not None), None)
        filled[field] = value
    # Title and role travel together, from the report that states the title best.
    titled = max(ordered, key=_title_quality)
    filled["title"], filled["role"] = titled.title, titled.role
    if filled["role"] is None:
        filled["role"] = next((e.role for e in ordered if e.role is not None), None)
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


def _order(event: TriggerEvent) -> tuple[datetime, str, str]:
    return (_when(event), event.event_id, event.to_json())


def merge(events: list[TriggerEvent], known: frozenset[str] = frozenset()) -> TriggerEvent:
    """One event from several reports of it: the first report's id, date and evidence (an event
    already stored or alerted, in `known`, comes first so its id never changes), the highest
    confidence, every field any report filled, all sources."""
    return _combine(sorted(events, key=lambda e: (e.event_id not in known, *_order(e))))


def latest_version(reports: Iterable[TriggerEvent], stored: TriggerEvent | None = None) -> TriggerEvent:
    """Reports that carry one event id are one event (the same document read again, or its stored
    copy): one event, whatever their company. Published at different times, the later is a newer
    version (an amended SEC filing keeps its offering's event id) and only the latest stays; reports
    of the same time merge, the stored copy first, so what the store holds is not undone."""
    versions = [*([stored] if stored is not None else []), *reports]
    newest = max(_when(e) for e in versions)
    latest = [e for e in versions if _when(e) == newest]
    head = [stored] if stored is not None and stored in latest else []
    rest = sorted((e for e in latest if e is not stored), key=_order)
    return _combine([*head, *rest])


def clusters(events: Iterable[TriggerEvent], window_days: int = 7) -> list[list[TriggerEvent]]:
    """Reports of the same real-world event, grouped (each event id once: see `latest_version`).
    Deterministic: the result does not depend on input order."""
    groups: dict[str, list[TriggerEvent]] = defaultdict(list)
    for event in events:
        groups[dedup_key(event)].append(event)
    out: list[list[TriggerEvent]] = []
    window = timedelta(days=window_days)
    for key in sorted(groups):
        found: list[list[TriggerEvent]] = []
        for event in sorted(groups[key], key=_order):
            # Reports without a company can't be told apart from other events: never merge them.
            home = next(
                (
                    c
                    for c in found
                    if _when(event) - _when(c[0]) <= window and all(same_company(event, e) for e in c)
                ),
                None,
            )
            if home is None:
                found.append([event])
            else:
                home.append(event)
        out.extend(found)
    return out


def deduplicate(
    events: Iterable[TriggerEvent], window_days: int = 7, known: Iterable[str] = ()
) -> list[TriggerEvent]:
    """Collapse reports of the same event: one event per event id, and one per real-world event.
    Deterministic: the result does not depend on input order. `known` holds ids already stored: a
    cluster that contains one keeps that id."""
    known_ids = frozenset(known)
    by_id: dict[str, list[TriggerEvent]] = defaultdict(list)
    for event in events:
        by_id[event.event_id].append(event)
    versions = [latest_version(reports) for reports in by_id.values()]
    return [merge(cluster, known_ids) for cluster in clusters(versions, window_days)]


class StoredEvents:
    """Stored events found by event id and by dedup key. A batch of reports folds into the few that
    share an id or a key with it, not into every event of the dedup window: a streaming worker keeps
    one of these up to date and each micro-batch costs what its own reports cost. `since` keeps
    what is older than the window out, as the store's `events(since=...)` would."""

    def __init__(self, events: Iterable[TriggerEvent] = (), since: datetime | None = None) -> None:
        self._by_id: dict[str, TriggerEvent] = {}
        self._by_key: dict[str, set[str]] = defaultdict(set)
        self.since = since
        self.update(events)

    def update(self, events: Iterable[TriggerEvent]) -> None:
        """Add events, or newer versions of ones already here."""
        for event in events:
            old = self._by_id.get(event.event_id)
            if old is not None:
                self._by_key[dedup_key(old)].discard(event.event_id)
            self._by_id[event.event_id] = event
            self._by_key[dedup_key(event)].add(event.event_id)

    def get(self, event_id: str) -> TriggerEvent | None:
        event = self._by_id.get(event_id)
        return event if event is not None and self._in_window(event) else None

    def _in_window(self, event: TriggerEvent) -> bool:
        return self.since is None or (event.published_at is not None and event.published_at >= self.since)

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[TriggerEvent]:
        return (e for e in self._by_id.values() if self._in_window(e))

    def relevant(self, reports: Iterable[TriggerEvent]) -> list[TriggerEvent]:
        """The stored events these reports can fold into: those with one of their ids or keys, or
        with the key of a stored copy of a reported id (the copy may be the version that stays)."""
        found: set[str] = set()
        for report in reports:
            copy = self._by_id.get(report.event_id)
            if copy is not None:
                found.add(report.event_id)
                found.update(self._by_key.get(dedup_key(copy), ()))
            found.update(self._by_key.get(dedup_key(report), ()))
        return [e for i in sorted(found) if self._in_window(e := self._by_id[i])]
