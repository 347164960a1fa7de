from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from pipelines.core.dedup import dedup_key, deduplicate
from schemas import TriggerEvent

T0 = datetime(2026, 11, 10, 9, tzinfo=UTC)


def ev(
    doc: str,
    company: str,
    *,
    days: float = 0,
    source: str = "a",
    round_: str | None = "series_b",
    type_: str = "funding_round",
    person: str | None = None,
    conf: float = 0.8,
) -> TriggerEvent:
    return TriggerEvent(
        event_id=TriggerEvent.make_id(doc, type_, company),
        document_id=doc,
        type=type_,
        company=company,
        round=round_ if type_ == "funding_round" else None,
        person=person,
        confidence=conf,
        evidence=f"{company} news",
        published_at=T0 + timedelta(days=days),
        source=source,
    )


def test_same_round_from_two_outlets_is_one_event_listing_both_sources():
    a = ev("d1", "Acme Robotics", source="techwire")
    b = ev("d2", "Acme Robotics Inc.", days=1, source="pressdesk", conf=0.95)
    out = deduplicate([b, a])
    assert len(out) == 1
    assert out[0].event_id == a.event_id  # the first report keeps its id
    assert out[0].sources == ["pressdesk", "techwire"]
    assert out[0].confidence == 0.95


def test_different_round_person_or_window_stay_apart():
    events = [
        ev("d1", "Acme", round_="series_b"),
        ev("d2", "Acme", round_="series_c", days=1),
        ev("d3", "Acme", days=30),  # outside the 7-day window
        ev("d4", "Acme", type_="executive_hire", person="Jane Doe"),
        ev("d5", "Acme", type_="executive_hire", person="John Roe"),
        ev("d6", "Acme", type_="executive_hire", person="Jane  Doe", days=2),
    ]
    out = deduplicate(events, window_days=7)
    assert len(out) == 5
    assert dedup_key(events[3]) == dedup_key(events[5])


def test_result_does_not_depend_on_input_order():
    events = [
        ev(f"d{i}", name, days=i % 3, source=f"s{i}")
        for i, name in enumerate(["Acme", "Acme", "Northwind", "Acme Inc", "Northwind Ltd", "Bluebird"])
    ]
    expected = deduplicate(events)
    for seed in range(5):
        shuffled = events[:]
        random.Random(seed).shuffle(shuffled)
        assert deduplicate(shuffled) == expected


def test_a_known_event_keeps_its_id_when_an_earlier_report_arrives_late():
    stored = ev("d2", "Acme", days=1, source="late")
    earlier = ev("d1", "Acme", days=0, source="early")
    out = deduplicate([earlier, stored], known=[stored.event_id])
    assert [e.event_id for e in out] == [stored.event_id]
    assert out[0].sources == ["early", "late"]


def test_events_without_company_are_never_merged():
    a = ev("d1", "", round_="seed")
    b = ev("d2", "", round_="seed")
    assert len(deduplicate([a, b])) == 2


def test_a_hire_written_with_short_and_long_company_names_is_one_event():
    long = ev("d1", "Northwind Analytics", type_="executive_hire", person="Dana Whitfield", source="a")
    short = ev("d2", "Northwind", type_="executive_hire", person="Dana Whitfield", days=2, source="b")
    other = ev("d3", "Bluebird", type_="executive_hire", person="Dana Whitfield", days=3, source="c")
    out = deduplicate([short, other, long])
    assert len(out) == 2
    merged = next(e for e in out if e.sources == ["a", "b"])
    assert merged.event_id == long.event_id  # the first report


def test_reports_sharing_an_id_are_one_event_even_without_a_company():
    a = ev("d1", "", round_="seed", source="wire")
    again = a.model_copy(update={"source": "mirror", "sources": ["mirror"]})
    out = deduplicate([a, again, ev("d2", "", round_="seed")])
    assert len(out) == 2 and len({e.event_id for e in out}) == 2
    assert next(e for e in out if e.event_id == a.event_id).sources == ["mirror", "wire"]


def _hire(doc: str, company: str, title: str | None, role: str | None, days: float) -> TriggerEvent:
    return TriggerEvent(
        event_id=TriggerEvent.make_id(doc, "executive_hire", "Ingrid Halvorsen"),
        document_id=doc,
        type="executive_hire",
        company=company,
        person="Ingrid Halvorsen",
        title=title,
        role=role,
        confidence=0.8,
        evidence=f"{company} hires Ingrid Halvorsen",
        published_at=T0 + timedelta(days=days),
        source=doc,
    )


def test_a_merged_move_keeps_the_best_structured_title_whichever_report_came_first():
    headline = _hire("news", "Polar Signal", "Head", "other_exec", days=0)
    export = _hire("jobchange:1", "Polar Signal", "Head of Demand Generation", "head_of_marketing", days=1)
    untitled = _hire("wire", "Polar Signal", None, None, days=2)
    for order in ([headline, export, untitled], [untitled, export, headline]):
        (merged,) = deduplicate(order)
        assert merged.document_id == "news"  # the first report's id and evidence
        assert (merged.title, merged.role) == ("Head of Demand Generation", "head_of_marketing")
    # Two specific titles: the fuller one wins, with its own role.
    vp = _hire("a", "Polar Signal", "VP", "other_exec", days=0)
    full = _hire("b", "Polar Signal", "VP Marketing", "vp_marketing", days=1)
    assert (deduplicate([vp, full])[0].title, deduplicate([vp, full])[0].role) == (
        "VP Marketing",
        "vp_marketing",
    )
