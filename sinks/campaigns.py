"""Campaign segments and lists: which accounts have a recent trigger worth acting on.

`build_entries` is the segment logic, written once as a plain function that the batch and the
streaming runners both call. `CampaignListWriter` hands the result to the people who act, one file
per segment, in the columns a sales team imports.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import ClassVar

from schemas import Account, CampaignEntry, CampaignPerson, Contact, Match, Segment, TriggerEvent
from schemas.errors import ConfigError
from sinks.base import Batch

__all__ = [
    "CSV_COLUMNS",
    "PEOPLE_COLUMNS",
    "EntryKey",
    "build_people",
    "entry_key",
    "CampaignJsonWriter",
    "CampaignListWriter",
    "build_entries",
    "default_segments",
    "render_csv",
    "render_jsonl",
    "write_atomically",
]

# The order a sales team reads them in: who, whether it is new, what happened (with the event's own
# fields, so a "Series B" list has its round and amount); segment, event_id and confidence last.
CSV_COLUMNS: tuple[str, ...] = (
    "account_id",
    "account_name",
    "domain",
    "owner",
    "new",
    "trigger_type",
    "event_date",
    "days_since_event",
    "trigger_count",
    "company",
    "person",
    "title",
    "role",
    "round",
    "amount",
    "currency",
    "investors",
    "counterparty",
    "evidence",
    "url",
    "segment",
    "event_id",
    "confidence",
    "matched_by",
)
PEOPLE_COLUMNS: tuple[str, ...] = (
    "contact_id",
    "first_name",
    "last_name",
    "email",
    "title",
    "account_id",
    "account_name",
    "domain",
    "owner",
    "new",
    "reason",
    "trigger_type",
    "event_date",
    "trigger_person",
    "trigger_title",
    "evidence",
    "url",
    "segment",
    "event_id",
    "matched_by",
)
# What makes a list row the same row in two runs or exports: segment, who (account or contact), event.
EntryKey = tuple[str, str, str]
FORMATS = {"csv": ".csv", "json": ".jsonl"}
# A spreadsheet runs a cell that starts with one of these as a formula; news text is untrusted.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def default_segments() -> list[Segment]:
    """The segments a run builds when the config names none: fresh funding, a new marketing leader,
    and anything in the last week."""
    return [
        Segment(
            name="funding_30d",
            description="Accounts that raised a funding round in the last 30 days",
            types=["funding_round"],
            days=30,
        ),
        Segment(
            name="new_marketing_leader_90d",
            description="Accounts that hired a new marketing leader (CMO, VP or head of marketing) in the last 90 days",
            types=["executive_hire"],
            roles=["cmo", "vp_marketing", "head_of_marketing"],
            days=90,
        ),
        Segment(
            name="any_trigger_7d",
            description="Accounts with any buying trigger in the last 7 days",
            days=7,
        ),
    ]


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _folded(values: Iterable[str]) -> set[str]:
    return {v.strip().casefold() for v in values if v and v.strip()}


class _SegmentRule:
    """One segment, with its filters prepared once (case-folded sets, the window's start)."""

    def __init__(self, segment: Segment, as_of: datetime) -> None:
        self.segment = segment
        self.types = set(segment.types)
        self.rounds = set(segment.rounds)
        self.roles = set(segment.roles)
        self.start = as_of - timedelta(days=segment.days)
        self.as_of = as_of
        # (Account field, wanted values): the segment's account_type filter reads Account.type.
        wanted = {
            "owner": _folded(segment.owner),
            "industry": _folded(segment.industry),
            "type": _folded(segment.account_type),
            "country": _folded(segment.country),
        }
        self.account_filters = [(name, values) for name, values in wanted.items() if values]

    def wants_event(self, event: TriggerEvent, published: datetime) -> bool:
        if self.types and event.type not in self.types:
            return False
        if self.rounds and event.round not in self.rounds:
            return False
        if self.roles and event.role not in self.roles:
            return False
        if event.confidence < self.segment.min_confidence:
            return False
        return self.start <= published <= self.as_of

    def wants_account(self, account_id: str | None, account: Account | None) -> bool:
        if account_id is None and self.segment.matched_only:
            return False
        if not self.account_filters:
            return True
        if account is None:  # filters can't be checked on an account we don't know: keep it out
            return False
        for name, values in self.account_filters:
            value = getattr(account, name)
            if value is None or value.strip().casefold() not in values:
                return False
        return True


def build_entries(
    events: Iterable[TriggerEvent],
    matches: Mapping[str, Match],
    accounts: Mapping[str, Account],
    segments: Sequence[Segment],
    as_of: datetime,
    skipped: Counter[str] | None = None,
) -> list[CampaignEntry]:
    """The campaign rows for `segments` as of `as_of`: one per segment and account, the account's
    latest qualifying event with `trigger_count` = how many qualifying events it had in the window
    (an unmatched event, in a segment with `matched_only = false`, is a row of its own).

    An event joins a segment when its type, round and role pass the segment's filters, its
    confidence is at least `min_confidence`, it was published in the `days` before `as_of` (not
    after), and its matched account passes the account filters (owner, industry, account_type,
    country; case-insensitive). An ambiguous match counts as unmatched until a person decides it in
    the review queue: a campaign shouldn't go to a guessed account. Events without a date can't be
    placed in a window: they are left out and counted in `skipped` ("event_without_date"), as are
    matched accounts missing from `accounts` ("account_not_in_crm").

    Rows are sorted by event date (newest first), then account name (unmatched last), then event id.
    """
    as_of = _utc(as_of)
    names = [s.name for s in segments]
    if len(set(names)) != len(names):
        duplicates = sorted({n for n in names if names.count(n) > 1})
        raise ConfigError(f"campaigns: segment names must be unique; rename {', '.join(duplicates)}")
    rules = [_SegmentRule(s, as_of) for s in segments]
    counts = skipped if skipped is not None else Counter()
    # (segment, account id, or "event:<id>" for an unmatched event) -> the qualifying events.
    groups: dict[tuple[str, str], list[tuple[datetime, TriggerEvent, CampaignEntry]]] = {}
    seen_events: set[str] = set()
    for event in events:
        if event.event_id in seen_events:
            continue
        seen_events.add(event.event_id)
        if event.published_at is None:
            counts["event_without_date"] += 1
            continue
        published = _utc(event.published_at)
        event_date: date = published.date()
        match = matches.get(event.event_id)
        account_id = match.account_id if match is not None and not match.ambiguous else None
        # champion_* events know their account from the CRM contact already.
        account_id = account_id or event.account_id
        account = accounts.get(account_id) if account_id else None
        if account_id and account is None:
            counts["account_not_in_crm"] += 1
        account_name = account.name if account else (match.account_name if match and account_id else None)
        matched_by: str | None
        if match is not None and account_id and match.account_id == account_id:
            matched_by = match.matched_by or match.method
        else:
            matched_by = f"CRM contact {event.contact_id}" if account_id and event.contact_id else None
        for rule in rules:
            if not rule.wants_event(event, published) or not rule.wants_account(account_id, account):
                continue
            entry = CampaignEntry(
                segment=rule.segment.name,
                account_id=account_id,
                account_name=account_name,
                owner=account.owner if account else None,
                domain=account.domain if account else None,
                trigger_type=event.type,
                event_date=event_date,
                days_since_event=(as_of.date() - event_date).days,
                company=event.company,
                person=event.person,
                title=event.title,
                role=event.role,
                round=event.round,
                amount=event.amount,
                currency=event.currency,
                investors=list(event.investors),
                counterparty=event.counterparty,
                contact_id=event.contact_id,
                evidence=event.evidence,
                url=event.url,
                event_id=event.event_id,
                confidence=event.confidence,
                matched_by=matched_by,
            )
            who = account_id or f"event:{event.event_id}"
            groups.setdefault((rule.segment.name, who), []).append((published, event, entry))
    rows = []
    for found in groups.values():
        # The latest qualifying event stands for the account; the count says how many it had.
        _, _, latest = max(found, key=lambda item: (item[0], item[1].event_id))
        rows.append(latest.model_copy(update={"trigger_count": len(found)}))
    return sorted(
        rows,
        key=lambda e: (
            -e.event_date.toordinal(),
            e.account_name is None,  # unmatched rows after the named accounts of the same day
            (e.account_name or "").casefold(),
            e.event_id,
            e.segment,
        ),
    )


def write_atomically(path: Path, text: str) -> None:
    """Write `text` (UTF-8) to `path` so a reader never sees a half-written file: a temporary
    file in the same folder, flushed to disk, then renamed over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def entry_key(row: CampaignEntry | CampaignPerson) -> EntryKey:
    """The identity of a list row across runs and exports: (segment, account or contact, event).
    An account whose latest trigger changes is a new row: there is something new to say to it."""
    if isinstance(row, CampaignPerson):
        return (row.segment, row.contact_id, row.event_id)
    return (row.segment, row.account_id or "", row.event_id)


def _persona_patterns(personas: Iterable[str]) -> list[re.Pattern[str]]:
    # A keyword matches from the start of a word: "demand gen" finds "Head of Demand Generation",
    # "cmo" finds "CMO" but not "Acmo".
    return [re.compile(r"\b" + re.escape(p.strip()), re.IGNORECASE) for p in personas if p.strip()]


def build_people(
    entries: Iterable[CampaignEntry],
    contacts: Iterable[Contact],
    segments: Sequence[Segment],
) -> list[CampaignPerson]:
    """The people lists: for each account row of a segment, the CRM contacts at that account whose
    title has one of the segment's `personas` keywords (every contact when it has none); for a
    champion move, the champion themself first, whatever their title. One row per segment and
    contact; a contact reached through several rows keeps the first (the newest event)."""
    by_account: dict[str, list[Contact]] = {}
    by_id: dict[str, Contact] = {}
    for contact in contacts:
        by_id[contact.contact_id] = contact
        if contact.account_id:
            by_account.setdefault(contact.account_id, []).append(contact)
    personas = {s.name: _persona_patterns(s.personas) for s in segments}
    rows: dict[tuple[str, str], CampaignPerson] = {}
    for entry in entries:
        patterns = personas.get(entry.segment, [])
        found: list[tuple[Contact, str]] = []
        champion = by_id.get(entry.contact_id) if entry.contact_id else None
        if champion is not None:
            found.append((champion, "champion"))
        for contact in by_account.get(entry.account_id or "", []):
            if patterns:
                if contact.title and any(p.search(contact.title) for p in patterns):
                    found.append((contact, "persona"))
            else:
                found.append((contact, "contact"))
        for contact, reason in found:
            key = (entry.segment, contact.contact_id)
            if key in rows:
                continue
            rows[key] = CampaignPerson(
                segment=entry.segment,
                contact_id=contact.contact_id,
                first_name=contact.first_name,
                last_name=contact.last_name,
                full_name=contact.full_name,
                email=contact.email,
                title=contact.title,
                account_id=entry.account_id,
                account_name=entry.account_name,
                domain=entry.domain,
                owner=entry.owner,
                reason=reason,  # type: ignore[arg-type]
                trigger_type=entry.trigger_type,
                event_date=entry.event_date,
                event_id=entry.event_id,
                trigger_person=entry.person,
                trigger_title=entry.title,
                evidence=entry.evidence,
                url=entry.url,
                matched_by=entry.matched_by,
            )
    return list(rows.values())


def csv_cell(value: object, escape_formulas: bool) -> object:
    """One CSV cell: empty for None, ISO dates, lists joined with "; ", formulas defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    if escape_formulas and isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _with_new(row: CampaignEntry | CampaignPerson, seen: Collection[EntryKey] | None) -> dict[str, object]:
    data: dict[str, object] = json.loads(row.to_json())
    data["new"] = None if seen is None else entry_key(row) not in seen
    return data


def render_csv(
    entries: Iterable[CampaignEntry | CampaignPerson],
    escape_formulas: bool = True,
    seen: Collection[EntryKey] | None = None,
    columns: Sequence[str] = CSV_COLUMNS,
) -> str:
    """List rows as CSV text with the header always present (`CSV_COLUMNS`, or `PEOPLE_COLUMNS`
    for people). `new` is true for a row whose key (`entry_key`) is not in `seen`, the rows listed
    before; empty when `seen` is None (no history to compare with)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for entry in entries:
        data = _with_new(entry, seen)
        writer.writerow([csv_cell(data[c], escape_formulas) for c in columns])
    return buffer.getvalue()


def render_jsonl(
    entries: Iterable[CampaignEntry | CampaignPerson],
    seen: Collection[EntryKey] | None = None,
    columns: Sequence[str] = CSV_COLUMNS,
) -> str:
    """List rows as JSON Lines, keys in column order (see `render_csv` for `new`)."""
    lines = []
    for entry in entries:
        data = _with_new(entry, seen)
        lines.append(json.dumps({c: data[c] for c in columns}, ensure_ascii=False))
    return "".join(line + "\n" for line in lines)


class CampaignListWriter:
    """A sink (name "campaign_csv") writing one campaign list per segment into `out_dir`.

    Each write replaces `<segment>.csv` (and/or `<segment>.jsonl` for the "json" format) with the
    batch's entries, atomically, so a list is always a whole snapshot; writing the same batch twice
    leaves the same files. Segments named in `segments` get a file (header only) even when empty.
    Text cells that a spreadsheet would run as a formula get a leading apostrophe in CSV unless
    `escape_formulas=False`.
    """

    name: ClassVar[str] = "campaign_csv"

    def __init__(
        self,
        out_dir: str | os.PathLike[str],
        formats: Sequence[str] = ("csv",),
        segments: Iterable[Segment | str] = (),
        escape_formulas: bool = True,
    ) -> None:
        unknown = [f for f in formats if f not in FORMATS]
        if unknown or not formats:
            raise ConfigError(
                f"{self.name}: unknown campaign list format(s) {unknown or list(formats)}; "
                f"use one or more of {', '.join(FORMATS)}"
            )
        self.out_dir = Path(out_dir)
        self.formats = tuple(dict.fromkeys(formats))
        self.segments = _segment_names(segments)
        self.escape_formulas = escape_formulas
        self.paths: list[Path] = []

    def write_entries(
        self,
        entries: Iterable[CampaignEntry],
        segments: Iterable[Segment | str] = (),
        people: Iterable[CampaignPerson] | None = None,
        seen: Collection[EntryKey] | None = None,
    ) -> list[Path]:
        """Write one file per segment (and format) and return the paths written, sorted.

        Every segment named here or in the constructor gets a file, even with no entries. With
        `people` (the contacts export was loaded), each segment also gets `<segment>.people.csv`
        (or `.people.jsonl`). `seen` holds the keys of the rows listed before (`entry_key`), for
        the `new` column; None leaves it empty.
        """
        names = self.segments + tuple(n for n in _segment_names(segments) if n not in self.segments)
        by_segment: dict[str, list[CampaignEntry]] = {name: [] for name in names}
        for entry in entries:
            by_segment.setdefault(entry.segment, []).append(entry)
        people_by_segment: dict[str, list[CampaignPerson]] | None = None
        if people is not None:
            people_by_segment = {name: [] for name in by_segment}
            for person in people:
                people_by_segment.setdefault(person.segment, []).append(person)
        paths = []
        for segment, rows in sorted(by_segment.items()):
            for fmt in self.formats:
                path = self.out_dir / f"{segment}{FORMATS[fmt]}"
                text = (
                    render_csv(rows, self.escape_formulas, seen) if fmt == "csv" else render_jsonl(rows, seen)
                )
                write_atomically(path, text)
                paths.append(path)
                if people_by_segment is None:
                    continue
                path = self.out_dir / f"{segment}.people{FORMATS[fmt]}"
                listed = people_by_segment.get(segment, [])
                text = (
                    render_csv(listed, self.escape_formulas, seen, PEOPLE_COLUMNS)
                    if fmt == "csv"
                    else render_jsonl(listed, seen, PEOPLE_COLUMNS)
                )
                write_atomically(path, text)
                paths.append(path)
        self.paths = paths
        return paths

    def write(
        self, batch: Batch | Iterable[CampaignEntry], segments: Iterable[Segment | str] = ()
    ) -> list[Path]:
        """Write a batch's campaign entries (the Sink protocol), or entries given directly, and return
        the paths written (also kept in `self.paths`).

        Returning the paths goes beyond `Sink.write` (which returns None): harmless at run time, but
        a variable typed `Sink` holding this writer makes mypy complain; `write_entries` is the
        same call without the protocol.
        """
        entries = batch.entries if isinstance(batch, Batch) else batch
        return self.write_entries(entries, segments)

    def close(self) -> None:
        """Nothing to release: every write is complete on its own."""


def _segment_names(segments: Iterable[Segment | str]) -> tuple[str, ...]:
    names = (s.name if isinstance(s, Segment) else s for s in segments)
    return tuple(dict.fromkeys(names))


class CampaignJsonWriter(CampaignListWriter):
    """A sink (name "campaign_json"): the same campaign lists as JSON Lines, `<segment>.jsonl`."""

    name: ClassVar[str] = "campaign_json"

    def __init__(
        self,
        out_dir: str | os.PathLike[str],
        formats: Sequence[str] = ("json",),
        segments: Iterable[Segment | str] = (),
        escape_formulas: bool = True,
    ) -> None:
        super().__init__(out_dir, formats, segments, escape_formulas)
