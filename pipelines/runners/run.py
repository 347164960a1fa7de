"""`buysignal run`: one scheduled batch run, from configured sources to campaign lists.

CRM snapshot -> store; Beam pipeline (sources -> triggers -> dedup -> matches -> store); then the
campaign lists are cut from the store as of the run's 'now', and the run is recorded with its counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from pipelines.config import Config, process_settings
from pipelines.core import ProcessSettings
from pipelines.runners.batch import (
    PendingFeedState,
    RunCounts,
    SourceReader,
    check_runner_and_store,
    pipeline_options,
    run_batch,
    stage_dir,
)
from pipelines.runners.inputs import load_crm_into_store, read_history
from pipelines.runners.lock import check_run_lock, held_run_lock
from pipelines.runners.progress import RunProgress
from schemas import (
    Account,
    CampaignEntry,
    CampaignPerson,
    Clock,
    Contact,
    DeadLetter,
    Match,
    Segment,
    TriggerEvent,
    system_clock,
)
from sinks.campaigns import CampaignListWriter, build_entries, build_people
from sinks.delivery import api as delivery_api
from sinks.delivery.sink import AlertSink, alerts_from_store
from sinks.store import Store


@dataclass
class RunSummary:
    run_id: str
    counts: RunCounts
    events_by_type: dict[str, int]
    matched_accounts: int
    segment_rows: dict[str, int]
    segments: list[Segment]
    list_paths: list[Path]
    dead_letters: int
    review_pending: int
    store_url: str
    history_events: int = 0
    alerts: AlertCounts | None = None
    notes: list[str] = field(default_factory=list)
    people_rows: dict[str, int] | None = None  # None: no contacts export, so no people lists
    new_rows: dict[str, int] = field(default_factory=dict)
    # this run's skipped records from files and feeds (CRM exports, history, sources), by component
    skipped: dict[str, list[DeadLetter]] = field(default_factory=dict)


@dataclass
class AlertCounts:
    subscriptions: int
    enqueued: int
    sent: int
    retrying: int
    dead: int
    errors: list[str] = field(default_factory=list)


def sync_config_subscriptions(cfg: Config, store: Store) -> None:
    """Make the store hold the config's `[[subscriptions]]` (after the CRM is loaded: their account
    filters are checked against the columns the export fills). A bad one is a config error, raised
    before anything is fetched."""
    if cfg.subscriptions:
        delivery_api.sync_from_config(
            store,
            cfg.subscriptions,
            allow_private=cfg.delivery.allow_private,
            allowed_hosts=cfg.delivery.allowed_hosts,
        )


def deliver_alerts(cfg: Config, store: Store, new_event_ids: set[str]) -> AlertCounts | None:
    """Alert every subscription whose filters this run's new events pass, once each: alerts are
    enqueued (idempotent) and what is due is sent (config subscriptions were synced at the start)."""
    subscriptions = delivery_api.list_subscriptions(store)
    if not subscriptions:
        return None
    sink = AlertSink(store, settings=cfg.delivery)
    enqueued = sink.enqueue_alerts(alerts_from_store(store, sorted(new_event_ids)))
    report = sink.service.deliver_due()
    return AlertCounts(
        subscriptions=len(subscriptions),
        enqueued=enqueued,
        sent=report.sent,
        retrying=report.retrying,
        dead=report.dead,
        errors=list(report.errors),
    )


def cut_campaign_lists(
    store: Store,
    settings: ProcessSettings,
    accounts: Mapping[str, Account] | None = None,
    matches: Mapping[str, Match] | None = None,
) -> list[CampaignEntry]:
    """Segment every stored event that can still fall in a window, as of the run's 'now'.
    `matches` (event id -> Match) and `accounts` (id -> Account) save reading them again when the
    caller has them; otherwise only those of the events in the windows are read from the store."""
    assert settings.as_of is not None
    longest = max((s.days for s in settings.segments), default=0)
    events = store.events(since=settings.as_of - timedelta(days=longest + 1))
    if matches is None:
        matches = {m.event_id: m for m in store.matches(event_ids=[e.event_id for e in events])}
    if accounts is None:
        wanted = {m.account_id for m in matches.values() if m.account_id}
        wanted |= {e.account_id for e in events if e.account_id}
        accounts = {a.account_id: a for a in store.accounts(account_ids=wanted)}
    return build_entries(events, matches, accounts, list(settings.segments), settings.as_of)


@dataclass
class CampaignLists:
    """What one cut of the campaign lists produced: the rows, the people, the files, and which rows
    are new since the previous cut."""

    entries: list[CampaignEntry]
    people: list[CampaignPerson] | None
    paths: list[Path]
    seen: set[tuple[str, str, str]]

    def new_rows(self) -> dict[str, int]:
        """Per segment, the account rows that were not in the previous cut."""
        counts: dict[str, int] = {}
        for entry in self.entries:
            new = (entry.segment, entry.account_id or "", entry.event_id) not in self.seen
            counts[entry.segment] = counts.get(entry.segment, 0) + int(new)
        return counts


def publish_campaign_lists(
    store: Store,
    settings: ProcessSettings,
    accounts: Mapping[str, Account] | None,
    contacts: Sequence[Contact] | None,
    cfg: Config,
    matches: Mapping[str, Match] | None = None,
) -> CampaignLists:
    """Cut the account lists (and, with a contacts export, the people lists) as of the run's 'now',
    mark what is new since the previous cut, replace them in the store and write the files."""
    names = [s.name for s in settings.segments]
    entries = cut_campaign_lists(store, settings, accounts, matches)
    people = build_people(entries, contacts, list(settings.segments)) if contacts else None
    seen = store.listed_keys(names)
    store.replace_campaign_entries(entries, segments=names, people=people or [])
    writer = CampaignListWriter(Path(cfg.output.dir), formats=tuple(cfg.output.formats))
    paths = writer.write_entries(entries, list(settings.segments), people=people, seen=seen)
    return CampaignLists(entries=entries, people=people, paths=paths, seen=seen)


def crm_notes(cfg: Config, accounts: int, contacts: int) -> list[str]:
    """Why lists are empty or missing, in plain words, when the CRM part of the config is."""
    notes = []
    if not cfg.crm.accounts:
        notes.append(
            "no [crm] accounts export in the config: events can't be matched to your accounts, so the "
            "campaign lists of segments with matched_only = true (the default) stay empty; set "
            '[crm] accounts = "accounts.csv" (a Salesforce, HubSpot or plain export)'
        )
    elif accounts == 0:
        notes.append(
            f"the [crm] accounts export {cfg.crm.accounts} has no readable rows: the lists stay empty"
        )
    if not cfg.crm.contacts:
        notes.append(
            "no [crm] contacts export in the config: no people lists (<segment>.people.csv) and no "
            "champion moves; set [crm] contacts to your contacts export"
        )
    elif contacts == 0:
        notes.append(
            f"the [crm] contacts export {cfg.crm.contacts} has no readable rows: the people lists are empty"
        )
    return notes


def by_component(dead_letters: Sequence[DeadLetter]) -> dict[str, list[DeadLetter]]:
    """Dead letters grouped by the file or feed (component) they came from, each group in order."""
    groups: dict[str, list[DeadLetter]] = {}
    for dead in dead_letters:
        groups.setdefault(dead.component, []).append(dead)
    return groups


def run(
    cfg: Config, extra_args: Sequence[str] = (), *, clock: Clock = system_clock, progress: bool = True
) -> RunSummary:
    """Run the whole batch pipeline once. Raises ConfigError for configs that can't work.

    `clock` is the run's "now" (unless the config pins `as_of`) and what the store stamps rows with.
    The sources are read a chunk (`[beam] chunk_size` documents) at a time, each chunk staged and run
    through the pipeline before the next is read, so memory does not grow with the input; `progress`
    shows documents read, events, rate and time left on stderr while it runs."""
    check_runner_and_store(cfg, pipeline_options(cfg, extra_args))
    store = Store(cfg.store.url, clock=clock)
    run_id = store.start_run({"sources": len(cfg.sources), "as_of": cfg.now(clock).isoformat()})
    if held_run_lock() is not None:
        # Under the run lock no other run is going: a run still "running" was killed mid-way.
        store.close_stale_runs(
            f"stale: its process ended without recording how (killed?); closed by run {run_id}", keep=run_id
        )
    try:
        crm = load_crm_into_store(cfg, store, keep_accounts=False)
        sync_config_subscriptions(cfg, store)
        dead: list[DeadLetter] = []
        history: list[TriggerEvent] = []
        if cfg.crm.history:
            history, hist_dead = read_history(cfg.input_path(cfg.crm.history))
            dead.extend(hist_dead)
        store.add_dead_letters(dead)

        settings = process_settings(cfg, extra_aliases=store.aliases(), clock=clock)
        store.clear_run_events(keep=run_id)  # a crashed run's ledger
        feed_state = PendingFeedState(store)
        counts = RunCounts()
        source_dead: list[DeadLetter] = []
        history_left = history
        with SourceReader(cfg, feed_state, stage_dir(pipeline_options(cfg, extra_args), run_id)) as reader:
            shown = RunProgress(fraction=reader.fraction_read, enabled=progress)
            for chunk in reader.chunks(cfg.beam.chunk_size):
                # Each chunk is its own pipeline: the run holds none of its input in memory, and the
                # chunks fold into each other through the store, as consecutive runs do.
                check_run_lock()  # between stages: a run that lost its lock stops (RunLockLost), recorded as failed
                store.add_dead_letters(chunk.dead_letters)
                source_dead.extend(chunk.dead_letters)
                extra, history_left = history_left, []  # past events are seeded with the first chunk
                part = run_batch(
                    cfg, settings, chunk, run_id=run_id, extra_events=extra, extra_args=extra_args
                )
                counts.add(part)
                shown.update(documents=part.documents, events=part.events)
            shown.close()
            source_notes = list(reader.notes)
        counts.dead_letters += len(dead) + len(crm.dead_letters)
        # Each event once, however many chunks wrote it: from the run's ledger.
        ledger = store.run_event_counts(run_id)
        counts.matched, counts.unmatched = ledger.pop("matched"), ledger.pop("unmatched")
        counts.extra.update(ledger)
        check_run_lock()

        # Ambiguous matches joined the review queue as the pipeline stored them (Store.write).
        lists = publish_campaign_lists(store, settings, None, crm.contacts if cfg.crm.contacts else None, cfg)
        entries, paths = lists.entries, lists.paths
        check_run_lock()  # before anyone is alerted
        # Which events are new matters only to alert subscriptions (a big run makes many).
        watched = bool(cfg.subscriptions) or bool(delivery_api.list_subscriptions(store))
        alerts = deliver_alerts(cfg, store, set(store.run_new_event_ids(run_id))) if watched else None
        store.clear_run_events()
        feed_state.commit()  # only now: everything fetched is processed and stored

        events_by_type = {k.split(":", 1)[1]: v for k, v in counts.extra.items() if k.startswith("type:")}
        segment_rows = {s.name: 0 for s in settings.segments}
        for entry in entries:
            segment_rows[entry.segment] += 1
        summary = RunSummary(
            run_id=run_id,
            counts=counts,
            events_by_type=dict(sorted(events_by_type.items())),
            matched_accounts=store.matched_account_count(),
            segment_rows=segment_rows,
            segments=list(settings.segments),
            list_paths=paths,
            dead_letters=counts.dead_letters,
            review_pending=store.review_count("pending"),
            store_url=cfg.store.url,
            history_events=len(history),
            alerts=alerts,
            notes=[*crm_notes(cfg, crm.account_count, len(crm.contacts)), *crm.notes, *source_notes],
            people_rows=_people_rows(lists.people, settings.segments),
            new_rows=lists.new_rows(),
            skipped=by_component([*crm.dead_letters, *dead, *source_dead]),
        )
        check_run_lock()  # success is recorded only by a run that still holds the lock
        store.finish_run(
            run_id,
            "succeeded",
            {
                "documents": counts.documents,
                "events": counts.events,
                "matched": counts.matched,
                "unmatched": counts.unmatched,
                "dead_letters": counts.dead_letters,
                **{f"segment:{k}": v for k, v in segment_rows.items()},
            },
        )
        return summary
    except BaseException as exc:
        store.finish_run(run_id, "failed", {}, error=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        store.close()


def _people_rows(people: list[CampaignPerson] | None, segments: Sequence[Segment]) -> dict[str, int] | None:
    if people is None:
        return None
    counts = {s.name: 0 for s in segments}
    for person in people:
        counts[person.segment] = counts.get(person.segment, 0) + 1
    return counts
