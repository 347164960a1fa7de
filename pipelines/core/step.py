"""The one core step: documents -> trigger events -> account matches -> campaign entries.

Besides what the detector finds, each document's events bring the events that follow from them:
champion moves (an executive hire names a CRM contact) and the acquired side of an acquisition
(`acquired_event`), so that both the acquirer's and the acquired company's accounts get a trigger.

Written once as plain Python and called by every runner: the Beam batch pipeline calls its parts
from DoFns (loading spaCy and the account index once per worker, in `setup`), the Faust streaming
worker calls `process` on micro-batches, and the `classify` / `match` commands call it directly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from matchers import (
    AccountIndex,
    ContactIndex,
    champion_events,
    load_aliases,
    normalize_company,
)
from matchers.accounts import DEFAULT_REVIEW_MIN, DEFAULT_THRESHOLD
from pipelines.core.dedup import StoredEvents, clusters, dedup_key, latest_version, merge
from pipelines.core.index_cache import load_crm_index
from pipelines.core.memory import release_free_memory, transient_words
from schemas import (
    Account,
    CampaignEntry,
    Contact,
    DeadLetter,
    Document,
    JobChange,
    Match,
    Segment,
    TriggerEvent,
)
from schemas.roles import normalise_role
from sinks.base import Batch
from sinks.campaigns import build_entries
from sources.crm import read_accounts, read_contacts
from sources.jobchanges import job_change_document
from triggers import load_detector
from triggers.base import TriggerDetector


# -- folding new reports into stored events --------------------------------------------------
# Both runners fold the same way, in two keyed steps so Beam can spread them over workers: first all
# reports that carry one event id (with that id's stored copy) become one `Version`, then the versions
# that share a dedup key are clustered into real-world events. `fold_reports` is both steps in memory.
@dataclass(frozen=True)
class Version:
    """One event id as this run sees it: its latest version, whether this run reported it and
    whether the store already holds it."""

    event: TriggerEvent
    reported: bool
    stored: bool


def restate(reports: Iterable[TriggerEvent], stored: TriggerEvent | None) -> Version:
    """The reports of one event id (this run's, maybe none) with the store's copy (maybe none)."""
    reports = list(reports)
    if not reports:
        assert stored is not None, "an event id with neither a report nor a stored copy"
        return Version(stored, reported=False, stored=True)
    return Version(latest_version(reports, stored), reported=True, stored=stored is not None)


def fold_versions(versions: Iterable[Version], window_days: int) -> list[TriggerEvent]:
    """Versions that share a dedup key, as real-world events: only those this run reported (a stored
    event nobody reported again stays as it is). A cluster holding a stored event keeps its id."""
    versions = list(versions)
    known = frozenset(v.event.event_id for v in versions if v.stored)
    reported = {v.event.event_id for v in versions if v.reported}
    return [
        merge(cluster, known)
        for cluster in clusters((v.event for v in versions), window_days)
        if any(e.event_id in reported for e in cluster)
    ]


def fold_reports(
    fresh: Iterable[TriggerEvent], stored: Iterable[TriggerEvent] | StoredEvents, window_days: int
) -> list[TriggerEvent]:
    """New reports folded into the stored events (those in the dedup window): the events the new
    reports belong to, each event id once, new or merged with what the store holds. Only stored
    events that share an id or a dedup key with a report take part (the others can't change)."""
    fresh = list(fresh)
    known = stored if isinstance(stored, StoredEvents) else StoredEvents(stored)
    stored_by_id = {e.event_id: e for e in known.relevant(fresh)}
    reports: dict[str, list[TriggerEvent]] = defaultdict(list)
    for event in fresh:
        reports[event.event_id].append(event)
    versions = [restate(found, stored_by_id.get(event_id)) for event_id, found in reports.items()]
    versions += [restate((), e) for event_id, e in stored_by_id.items() if event_id not in reports]
    by_key: dict[str, list[Version]] = defaultdict(list)
    for version in versions:
        by_key[dedup_key(version.event)].append(version)
    return [event for key in sorted(by_key) for event in fold_versions(by_key[key], window_days)]


@dataclass(frozen=True)
class ProcessSettings:
    """Everything a worker needs to rebuild the core step: small and picklable (Beam ships it)."""

    model: str | None = None
    min_confidence: float = 0.3
    accounts_path: str | None = None
    contacts_path: str | None = None
    aliases_path: str | None = None
    extra_aliases: tuple[tuple[str, str], ...] = ()
    threshold: float | None = None
    review_min: float | None = None
    segments: tuple[Segment, ...] = ()
    as_of: datetime | None = None
    dedup_days: int = 7
    # Where the account index of the export is cached between runs (None: built every time).
    index_cache_dir: str | None = None


@dataclass
class CrmSnapshot:
    """The CRM as this run sees it, with the rows that could not be read."""

    accounts: list[Account] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. a guessed date order, for the run summary
    # How many accounts the export has (also when `accounts` was not kept: a batch run streams a
    # big export into the store without holding it).
    account_count: int = 0

    @classmethod
    def load(cls, accounts_path: str | None, contacts_path: str | None) -> CrmSnapshot:
        snap = cls()
        if accounts_path:
            snap.accounts, dead = read_accounts(accounts_path)
            snap.dead_letters.extend(dead)
            snap.account_count = len(snap.accounts)
        if contacts_path:
            snap.contacts, dead = read_contacts(contacts_path)
            snap.dead_letters.extend(dead)
        return snap


class TriggerProcessor:
    """The core step. Build it with settings, call `setup()` once (it loads the spaCy pipeline and
    the account index), then feed it documents."""

    def __init__(self, settings: ProcessSettings, crm: CrmSnapshot | None = None) -> None:
        self.settings = settings
        self._crm = crm
        self.detector: TriggerDetector | None = None
        self.accounts: AccountIndex | None = None
        self.contacts: ContactIndex | None = None
        self._account_map: dict[str, Account] | None = None
        # The accounts CRM contacts belong to (what champion moves compare against).
        self._contact_accounts: dict[str, Account] = {}
        self._dead: list[DeadLetter] = []  # records a step failed on, until drained

    # -- lifecycle -------------------------------------------------------------------------
    def setup(self) -> TriggerProcessor:
        """Load what is expensive to load, once per worker. The account index comes from the
        index cache while the export is unchanged (pipelines/index_cache.py); no list of every
        account is kept unless `account_map` is asked for (campaign entries need the CRM columns)."""
        s = self.settings
        self.detector = load_detector(s.model, min_confidence=s.min_confidence)
        crm_index = load_crm_index(s.accounts_path, s.index_cache_dir) if s.accounts_path else None
        index = crm_index.index if crm_index else AccountIndex.build([])
        index.threshold = DEFAULT_THRESHOLD if s.threshold is None else float(s.threshold)
        index.review_min = DEFAULT_REVIEW_MIN if s.review_min is None else float(s.review_min)
        aliases: dict[str, str] = load_aliases(s.aliases_path) if s.aliases_path else {}
        aliases.update(dict(s.extra_aliases))
        for alias, account_id in aliases.items():
            index.add_alias(alias, account_id)
        self.accounts = index
        if self._crm is not None:
            self._account_map = {a.account_id: a for a in self._crm.accounts}
            contacts = self._crm.contacts
        else:
            contacts = read_contacts(s.contacts_path)[0] if s.contacts_path else []
        if contacts and crm_index is not None:
            self._contact_accounts = crm_index.accounts({c.account_id for c in contacts if c.account_id})
        self.contacts = ContactIndex.build(contacts, self._contact_accounts.values()) if contacts else None
        return self

    @property
    def account_map(self) -> dict[str, Account]:
        """Every account of the export with all its CRM columns (owner, industry, ...), by id: what
        campaign entries are cut with. Read from the export when first asked for, so that workers
        that only detect and match never hold it."""
        if self._account_map is None:
            path = self.settings.accounts_path
            self._account_map = {a.account_id: a for a in (read_accounts(path)[0] if path else [])}
        return self._account_map

    def _ready(self) -> tuple[TriggerDetector, AccountIndex]:
        if self.detector is None or self.accounts is None:
            self.setup()
        assert self.detector is not None and self.accounts is not None
        return self.detector, self.accounts

    # -- the parts ---------------------------------------------------------------------------
    def detect(self, docs: Iterable[Document]) -> Iterator[tuple[Document, list[TriggerEvent]]]:
        """Trigger events per document, in input order (batched through spaCy). A document that
        carries structured events (an SEC filing's form fields) yields those, and the detector
        does not read it: the filing says what happened, no text model needs to guess."""
        detector, _ = self._ready()
        batch = list(docs)
        unread = [doc for doc in batch if not doc.events]
        with transient_words(detector):
            # Read out inside the zone: the events are plain records, no spaCy Doc outlives it.
            read = list(detector.detect_many(unread)) if unread else []
        release_free_memory()
        if len(read) == len(batch):
            yield from read
            return
        found = iter(read)
        for doc in batch:
            yield (doc, structured_events(doc)) if doc.events else next(found)

    def reports(self, docs: Iterable[Document]) -> Iterator[tuple[Document, list[TriggerEvent]]]:
        """Every event each document reports: what `detect` finds, and the events that follow from
        them (`following`: the acquired side of an acquisition, champion moves). Batch and stream both
        read documents through this. A document the step fails on is a dead letter (see
        `drain_dead_letters`); the others go on."""
        batch = list(docs)
        try:
            found = list(self.detect(batch))
        except Exception:  # one document must not sink its batch: find which, one by one
            found = []
            for doc in batch:
                try:
                    found.extend(self.detect([doc]))
                except Exception as exc:  # any failure on one record is that record's
                    self.refuse("trigger", "triggers:detector", doc, exc)
        for doc, events in found:
            out = list(events)
            for event in events:
                try:
                    out.extend(self.following(event, doc))
                except Exception as exc:  # the event stands without what follows from it
                    self.refuse("match", "matchers:champions", event, exc)
            yield doc, out

    def refuse(
        self, stage: str, component: str, record: Document | TriggerEvent | JobChange, exc: Exception
    ) -> None:
        """Keep a record a step failed on as a dead letter naming the step, the record, its source
        and the error; `drain_dead_letters` hands it on to be stored."""
        key = getattr(record, "event_id", None) or getattr(record, "id", "?")
        source = getattr(record, "source", None)
        self._dead.append(
            DeadLetter.of(
                stage,
                component,
                f"{component}: {type(record).__name__} {key}"
                + (f" from {source}" if source else "")
                + f" failed: {type(exc).__name__}: {exc}",
                record.to_json(),
            )
        )

    def drain_dead_letters(self) -> list[DeadLetter]:
        """Records a step failed on since the last call (the detector's own, and this step's)."""
        pending: list[DeadLetter] = getattr(self.detector, "dead_letters", [])
        drained = [*pending, *self._dead]
        pending.clear()
        self._dead.clear()
        return drained

    def match_or_refuse(self, event: TriggerEvent) -> Match | None:
        """`match`, or None when matching fails on this event (then it is a dead letter, stage "match")."""
        try:
            return self.match(event)
        except Exception as exc:  # any failure on one record is that record's
            self.refuse("match", "matchers:accounts", event, exc)
            return None

    def job_change_events_or_refuse(self, change: JobChange) -> list[TriggerEvent]:
        """`job_change_events`, or none when it fails on this post (then a dead letter)."""
        try:
            return self.job_change_events(change)
        except Exception as exc:  # any failure on one record is that record's
            self.refuse("match", "matchers:champions", change, exc)
            return []

    def following(self, event: TriggerEvent, doc: Document) -> list[TriggerEvent]:
        """The events that follow from a detected one: the acquired side of an acquisition, and
        champion moves for an executive hire (not for a job-change post's own document, whose
        champion moves come from `job_change_events`). Batch and stream reach it through `reports`."""
        out = [acquired] if (acquired := acquired_event(event)) is not None else []
        if not doc.id.startswith("jobchange:"):
            out.extend(self.champions(event, doc))
        return out

    def champions(self, event: TriggerEvent, doc: Document | None = None) -> list[TriggerEvent]:
        """champion_left / champion_joined when an executive hire names a CRM contact who moved."""
        _, accounts = self._ready()
        if self.contacts is None or event.type != "executive_hire" or not event.person:
            return []
        return champion_events(
            person=event.person,
            new_company=event.company,
            previous_company=None,
            title=event.title,
            role=event.role,
            document=doc,
            source_event=event,
            contacts=self.contacts,
            accounts=accounts,
            account_map=self._contact_accounts,
        )

    def job_change_events(self, change: JobChange) -> list[TriggerEvent]:
        """champion_left / champion_joined from a job-change post."""
        _, accounts = self._ready()
        if self.contacts is None:
            return []
        return champion_events(
            person=change.person,
            new_company=change.new_company,
            previous_company=change.previous_company,
            title=change.new_title,
            role=None,
            job_change=change,
            # The same Document the source emitted for this post, so the evidence is a verbatim
            # substring of a stored document.
            document=job_change_document(change),
            contacts=self.contacts,
            accounts=accounts,
            account_map=self._contact_accounts,
        )

    def match(self, event: TriggerEvent) -> Match:
        """The account an event's company means (champion events carry theirs already)."""
        _, accounts = self._ready()
        account = accounts.get(event.account_id) if event.account_id else None
        if account is not None:
            return Match(
                event_id=event.event_id,
                company=event.company,
                account_id=account.account_id,
                account_name=account.name,
                score=100.0,
                method="contact",
                matched_by=f"CRM contact {event.contact_id}" if event.contact_id else "CRM contact",
            )
        filing = event.filing
        return accounts.match(
            event.company,
            event_id=event.event_id,
            url=event.url,
            text=event.evidence,
            cik=filing.cik if filing else None,
            tickers=filing.tickers if filing else (),
        )

    def entries(
        self, events: Iterable[TriggerEvent], matches: Mapping[str, Match], as_of: datetime | None = None
    ) -> list[CampaignEntry]:
        """Campaign-list rows for these events, as of the run's 'now'."""
        when = as_of or self.settings.as_of
        assert when is not None, "as_of is set by pipelines.config.process_settings"
        return build_entries(events, matches, self.account_map, list(self.settings.segments), when)

    # -- all of it, in memory (streaming micro-batches, small runs) ----------------------------
    def process(
        self,
        docs: Sequence[Document],
        job_changes: Sequence[JobChange] = (),
        known_events: Sequence[TriggerEvent] | StoredEvents = (),
        as_of: datetime | None = None,
    ) -> Batch:
        """The whole step on one batch. `known_events` are recent events already stored: a new
        report of one of them merges into it instead of adding a duplicate. The batch holds every
        event these documents reported (each id once), merged with its stored copy, whether that
        changed it or not, as the batch runner's store write does."""
        events = [event for _, found in self.reports(docs) for event in found]
        for change in job_changes:
            events.extend(self.job_change_events_or_refuse(change))
        final = fold_reports(events, known_events, self.settings.dedup_days)
        matches: dict[str, Match] = {}
        for event in final:
            if (match := self.match_or_refuse(event)) is not None:
                matches[event.event_id] = match
        final = [e for e in final if e.event_id in matches]  # an event that failed matching is a dead letter
        entries = self.entries(final, matches, as_of)
        return Batch(
            documents=list(docs),
            events=final,
            matches=list(matches.values()),
            entries=entries,
            dead_letters=self.drain_dead_letters(),
        )


def structured_events(doc: Document) -> list[TriggerEvent]:
    """The events a source read from structured data (a job-change row, a filing's form), as they
    are, with the role derived from the title where the source left it empty: the title is kept
    exactly as given, and the role is the one normalisation every title goes through."""
    out = []
    for event in doc.events:
        if event.role is None and event.title:
            role = normalise_role(event.title, executive=False)
            if role is not None:
                event = event.model_copy(update={"role": role})
        out.append(event)
    return out


def acquired_event(event: TriggerEvent) -> TriggerEvent | None:
    """The acquired company's side of an acquisition: an `acquired` event whose company is the
    acquisition's counterparty (the acquired company) and whose counterparty is the acquirer, from
    the same document, evidence, date, link, amount and confidence. None for any other event, and
    for an acquisition whose acquired company is not named (or is the acquirer itself).

    Its id is stable (document, type, both companies), so batch and stream give the same event;
    the filing's facts stay on the acquisition only, since they identify the acquirer (its filer)."""
    if event.type != "acquisition" or not event.counterparty or not event.counterparty.strip():
        return None
    target = event.counterparty.strip()
    if event.company and normalize_company(event.company) == normalize_company(target):
        return None
    return TriggerEvent(
        event_id=TriggerEvent.make_id(
            event.document_id, "acquired", normalize_company(target), normalize_company(event.company or "")
        ),
        document_id=event.document_id,
        type="acquired",
        company=target,
        counterparty=event.company,
        amount=event.amount,
        currency=event.currency,
        confidence=event.confidence,
        evidence=event.evidence,
        published_at=event.published_at,
        url=event.url,
        source=event.source,
        sources=list(event.sources),
    )


def recent_window(settings: ProcessSettings) -> datetime | None:
    """How far back stored events are looked up for dedup."""
    if settings.as_of is None:
        return None
    return settings.as_of - timedelta(days=max(settings.dedup_days, 1) + 30)
