"""Folding new reports into stored events: `pipelines.core.fold_reports`, the one fold both runners
use (Beam runs its two keyed steps, `restate` and `fold_versions`, on workers)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from pipelines.core import Version, fold_reports, fold_versions, restate
from pipelines.core.dedup import dedup_key
from schemas import TriggerEvent

T0 = datetime(2026, 11, 10, 9, tzinfo=UTC)


def ev(
    doc: str, company: str | None, *, days: float = 0, source: str = "wire", **fields: object
) -> TriggerEvent:
    return TriggerEvent(
        event_id=TriggerEvent.make_id(doc, "funding_round", company),
        document_id=doc,
        type="funding_round",
        company=company,
        confidence=0.8,
        evidence=f"{company or 'A startup'} raises money",
        published_at=T0 + timedelta(days=days),
        source=source,
        sources=[source],
        **fields,  # type: ignore[arg-type]
    )


# Two reports of one round, one report of another company, and two rounds nobody can name the
# company of (never merged with each other, but each one is still one event).
REPORTS = [
    ev("d1", "Acme Robotics", round="series_b", source="techwire"),
    ev("d2", "Acme Robotics Inc.", days=1, round="series_b", amount=25_000_000, source="pressdesk"),
    ev("d3", "Bluebird", days=2, round="seed"),
    ev("d4", None, days=2, round="seed"),
    ev("d5", None, days=3, round="seed", source="other-wire"),
]


def test_a_first_fold_merges_outlets_and_keeps_company_less_events_apart() -> None:
    out = fold_reports(REPORTS, [], window_days=7)
    assert len(out) == 4 and len({e.event_id for e in out}) == 4
    acme = next(e for e in out if e.company == "Acme Robotics")
    assert acme.sources == ["pressdesk", "techwire"] and acme.amount == 25_000_000


def test_a_rerun_over_the_stored_events_gives_the_same_events_each_id_once() -> None:
    first = fold_reports(REPORTS, [], window_days=7)
    again = fold_reports(REPORTS, first, window_days=7)
    assert sorted(again, key=lambda e: e.event_id) == sorted(first, key=lambda e: e.event_id)
    # and a third time, over the same store: nothing moves
    assert sorted(fold_reports(REPORTS, again, 7), key=lambda e: e.event_id) == sorted(
        first, key=lambda e: e.event_id
    )


def test_a_stored_event_nobody_reports_again_is_not_restated() -> None:
    first = fold_reports(REPORTS, [], window_days=7)
    later = ev("d9", "Cobaltine", days=4, round="seed")
    out = fold_reports([later], first, window_days=7)
    assert [e.event_id for e in out] == [later.event_id]


def test_a_later_report_merges_into_the_stored_event_and_keeps_its_id() -> None:
    stored = fold_reports(REPORTS[:1], [], window_days=7)
    out = fold_reports([REPORTS[1]], stored, window_days=7)
    assert [e.event_id for e in out] == [REPORTS[0].event_id]
    assert out[0].sources == ["pressdesk", "techwire"] and out[0].amount == 25_000_000


def test_a_stored_copy_keeps_what_other_reports_added_when_its_own_report_comes_again() -> None:
    stored = fold_reports(REPORTS[:2], [], window_days=7)
    out = fold_reports(REPORTS[:1], stored, window_days=7)
    assert out == stored


def test_the_keyed_steps_give_what_the_fold_in_memory_gives() -> None:
    """What Beam does (group by event id, then by dedup key, over the stored events as elements),
    written out by hand: the same events as `fold_reports`."""
    stored = fold_reports(REPORTS[:3], [], window_days=7)
    fresh = [*REPORTS[1:], ev("d6", "Acme Robotics", days=2, round="series_b", source="late")]
    by_id: dict[str, tuple[list[TriggerEvent], list[TriggerEvent]]] = defaultdict(lambda: ([], []))
    for e in fresh:
        by_id[e.event_id][0].append(e)
    for e in stored:
        by_id[e.event_id][1].append(e)
    versions = [restate(reports, copies[0] if copies else None) for reports, copies in by_id.values()]
    by_key: dict[str, list[Version]] = defaultdict(list)
    for v in versions:
        by_key[dedup_key(v.event)].append(v)
    keyed = [e for group in by_key.values() for e in fold_versions(group, 7)]
    expected = fold_reports(fresh, stored, window_days=7)
    assert sorted(keyed, key=lambda e: e.event_id) == sorted(expected, key=lambda e: e.event_id)
    assert len({e.event_id for e in expected}) == len(expected)
