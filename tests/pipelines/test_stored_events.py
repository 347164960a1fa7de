"""Stored events by id and dedup key: a batch folds into the few it shares an id or a key with, and the
result is the one folding into every stored event gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pipelines.core import fold_reports
from pipelines.core.dedup import StoredEvents
from schemas import TriggerEvent

T0 = datetime(2026, 11, 10, 9, tzinfo=UTC)


def ev(
    doc: str, company: str | None, *, days: float = 0, kind: str = "funding_round", **fields: object
) -> TriggerEvent:
    return TriggerEvent(
        event_id=TriggerEvent.make_id(doc, kind, company),
        document_id=doc,
        type=kind,  # type: ignore[arg-type]
        company=company,
        confidence=0.8,
        evidence=f"{company or 'A startup'} news",
        published_at=T0 + timedelta(days=days),
        source=f"outlet-{doc}",
        sources=[f"outlet-{doc}"],
        **fields,  # type: ignore[arg-type]
    )


STORED = [
    ev("s1", "Acme Robotics", round="series_b"),
    ev("s2", "Bluebird Health", days=1, round="seed"),
    ev("s3", "Cinder Labs", days=1, kind="layoffs"),
    *[ev(f"n{i}", f"Unrelated Co {i}", days=i % 5, round="seed") for i in range(200)],
]


def by_id(events: list[TriggerEvent]) -> list[TriggerEvent]:
    return sorted(events, key=lambda e: e.event_id)


def test_folding_into_the_relevant_few_gives_what_folding_into_all_gives() -> None:
    reports = [
        ev("r1", "Acme Robotics Inc.", days=2, round="series_b", amount=30_000_000),  # joins s1
        ev("r2", "Cinder Labs", days=3, kind="layoffs"),  # joins s3
        ev("r3", "Dunmore Freight", days=3, round="seed"),  # new
    ]
    stored = StoredEvents(STORED)
    assert {e.document_id for e in stored.relevant(reports)} == {"s1", "s3"}
    folded = fold_reports(reports, stored, window_days=7)
    assert by_id(folded) == by_id(fold_reports(reports, list(STORED), window_days=7))
    assert {e.event_id for e in folded} == {STORED[0].event_id, STORED[2].event_id, reports[2].event_id}


def test_a_reported_id_brings_the_events_that_share_its_stored_copys_key() -> None:
    # r reports the stored event s1 again under another company spelling: the stored copy stays,
    # so events with the copy's key take part too.
    copy = STORED[0]
    again = copy.model_copy(
        update={"company": "ACME ROBOTICS GROUP", "source": "late-wire", "sources": ["late-wire"]}
    )
    sibling = ev("s9", "Acme Robotics", days=1, round="series_b")
    stored = StoredEvents([*STORED, sibling])
    assert {e.document_id for e in stored.relevant([again])} >= {"s1", "s9"}
    assert by_id(fold_reports([again], stored, 7)) == by_id(fold_reports([again], [*STORED, sibling], 7))


def test_since_keeps_older_events_out_and_newer_versions_replace_older_ones() -> None:
    stored = StoredEvents(STORED, since=T0 + timedelta(days=1))
    assert stored.get(STORED[0].event_id) is None  # published on day 0, before `since`
    assert stored.get(STORED[1].event_id) == STORED[1]
    assert STORED[0].event_id not in {e.event_id for e in stored}
    newer = STORED[1].model_copy(update={"company": "Bluebird Health Inc.", "amount": 5_000_000.0})
    stored.update([newer])
    assert stored.get(newer.event_id) == newer and len(stored) == len(STORED)
    assert stored.relevant([ev("r9", "Bluebird Health", days=2, round="seed")]) == [newer]
