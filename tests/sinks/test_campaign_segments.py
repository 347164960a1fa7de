"""Segment logic: which events land in which campaign list."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest
from sink_factories import AS_OF, make_account, make_event, make_match

from schemas import Segment, TriggerEvent
from schemas.errors import ConfigError
from sinks.campaigns import build_entries, default_segments

ACCOUNTS = {a.account_id: a for a in (make_account(n) for n in range(10))}


def segment(**fields: object) -> Segment:
    data: dict[str, object] = {"name": "test", "days": 30}
    data.update(fields)
    return Segment.model_validate(data)


def ids(events: list[TriggerEvent], seg: Segment, **kwargs: object) -> list[str]:
    matches = {e.event_id: make_match(int(e.event_id[3:])) for e in events}
    matches.update(kwargs.pop("matches", {}))  # type: ignore[call-overload]
    entries = build_entries(events, matches, kwargs.pop("accounts", ACCOUNTS), [seg], AS_OF, **kwargs)  # type: ignore[arg-type]
    return [e.event_id for e in entries]


def test_types_filter_and_empty_means_any() -> None:
    events = [make_event(1), make_event(2, type="layoffs", round=None), make_event(3, type="ipo", round=None)]
    assert ids(events, segment(types=["funding_round", "ipo"])) == ["ev-00001", "ev-00003"]
    assert ids(events, segment()) == ["ev-00001", "ev-00002", "ev-00003"]


def test_rounds_filter() -> None:
    events = [make_event(1, round="seed"), make_event(2, round="series_a"), make_event(3, round=None)]
    assert ids(events, segment(rounds=["series_a", "series_b"])) == ["ev-00002"]


def test_roles_filter() -> None:
    hire = {"type": "executive_hire", "round": None, "person": "Jo Doe"}
    events = [
        make_event(1, role="cmo", **hire),
        make_event(2, role="cto", **hire),
        make_event(3, role=None, **hire),
    ]
    assert ids(events, segment(roles=["cmo", "vp_marketing"])) == ["ev-00001"]


def test_min_confidence_is_inclusive() -> None:
    events = [make_event(1, confidence=0.7), make_event(2, confidence=0.69)]
    assert ids(events, segment(min_confidence=0.7)) == ["ev-00001"]


def test_window_edges() -> None:
    start = AS_OF - timedelta(days=30)
    events = [
        make_event(1, published_at=start),  # first moment of the window
        make_event(2, published_at=start - timedelta(seconds=1)),  # just too old
        make_event(3, published_at=AS_OF),  # the last moment
        make_event(4, published_at=AS_OF + timedelta(seconds=1)),  # after as_of: not yet
    ]
    assert sorted(ids(events, segment(days=30))) == ["ev-00001", "ev-00003"]


def test_window_compares_instants_across_time_zones() -> None:
    # 07:30 in New York on the 25th is 12:30 UTC, half an hour after AS_OF: not yet in the window.
    new_york = timezone(timedelta(hours=-5))
    late = make_event(1, published_at=datetime(2026, 11, 25, 7, 30, tzinfo=new_york))
    early = make_event(2, published_at=datetime(2026, 11, 25, 6, 30, tzinfo=new_york))
    assert ids([late, early], segment(days=1)) == ["ev-00002"]


def test_days_since_event_and_event_date() -> None:
    event = make_event(1, published_at=datetime(2026, 11, 20, 23, 0, tzinfo=timezone(timedelta(hours=-3))))
    (entry,) = build_entries([event], {"ev-00001": make_match(1)}, ACCOUNTS, [segment()], AS_OF)
    assert entry.event_date == date(2026, 11, 21)  # the UTC date
    assert entry.days_since_event == 4
    assert (entry.account_id, entry.account_name, entry.owner) == ("acc-00001", "Company 1", "Dana Seller")
    assert (entry.segment, entry.trigger_type, entry.company, entry.url) == (
        "test",
        "funding_round",
        "Company 1 GmbH",
        "https://news.example/1",
    )


def test_a_naive_as_of_is_utc() -> None:
    naive = AS_OF.replace(tzinfo=None)
    event = make_event(1, published_at=AS_OF)
    assert build_entries([event], {}, ACCOUNTS, [segment(matched_only=False)], naive)[0].days_since_event == 0


def test_events_without_a_date_are_skipped_and_counted() -> None:
    skipped: Counter[str] = Counter()
    events = [make_event(1, published_at=None), make_event(2)]
    assert ids(events, segment(), skipped=skipped) == ["ev-00002"]
    assert skipped == Counter({"event_without_date": 1})


def test_unmatched_events_only_when_asked() -> None:
    events = [make_event(1), make_event(2)]
    unmatched = {"ev-00002": make_match(2, account_id=None, account_name=None, method="none", candidates=[])}
    assert ids(events, segment(), matches=unmatched) == ["ev-00001"]
    entries = build_entries(
        events, {"ev-00001": make_match(1), **unmatched}, ACCOUNTS, [segment(matched_only=False)], AS_OF
    )
    assert [(e.event_id, e.account_id, e.owner) for e in entries] == [
        ("ev-00001", "acc-00001", "Dana Seller"),
        ("ev-00002", None, None),
    ]


def test_events_with_no_match_at_all_count_as_unmatched() -> None:
    entries = build_entries([make_event(1)], {}, ACCOUNTS, [segment(matched_only=False)], AS_OF)
    assert [(e.event_id, e.account_id) for e in entries] == [("ev-00001", None)]
    assert build_entries([make_event(1)], {}, ACCOUNTS, [segment()], AS_OF) == []


def test_an_ambiguous_match_waits_for_review() -> None:
    ambiguous = {"ev-00001": make_match(1, ambiguous=True)}
    assert ids([make_event(1)], segment(), matches=ambiguous) == []


def test_champion_events_use_the_account_they_carry() -> None:
    event = make_event(1, type="champion_joined", round=None, account_id="acc-00003", contact_id="con-3")
    entries = build_entries([event], {}, ACCOUNTS, [segment()], AS_OF)
    assert [(e.account_id, e.account_name) for e in entries] == [("acc-00003", "Company 3")]


def test_account_filters_are_case_insensitive_and_need_a_known_account() -> None:
    accounts = {
        **ACCOUNTS,
        "acc-00001": make_account(1, owner="Dana Seller", industry="Software", type="Customer", country="US"),
        "acc-00002": make_account(
            2, owner="Sam Other", industry="Software", type="Prospect", country="Germany"
        ),
        "acc-00003": make_account(3, owner=None, industry="Retail", type=None, country=None),
    }
    events = [make_event(1), make_event(2), make_event(3)]
    assert ids(events, segment(owner=[" dana seller "]), accounts=accounts) == ["ev-00001"]
    assert ids(events, segment(industry=["SOFTWARE"]), accounts=accounts) == ["ev-00001", "ev-00002"]
    assert ids(events, segment(account_type=["prospect"]), accounts=accounts) == ["ev-00002"]
    assert ids(events, segment(country=["us", "germany"]), accounts=accounts) == ["ev-00001", "ev-00002"]
    assert ids(events, segment(industry=["software"], country=["germany"]), accounts=accounts) == ["ev-00002"]
    # Matched to an account the CRM snapshot doesn't have: filters can't pass, and it is counted.
    skipped: Counter[str] = Counter()
    unknown = {"ev-00001": make_match(1, account_id="acc-gone")}
    assert ids([make_event(1)], segment(industry=["software"]), matches=unknown, skipped=skipped) == []
    assert skipped["account_not_in_crm"] == 1
    # Without account filters the entry stays, named from the match.
    names = build_entries([make_event(1)], unknown, ACCOUNTS, [segment()], AS_OF)
    assert [(e.account_id, e.account_name, e.owner) for e in names] == [("acc-gone", "Company 1", None)]


def test_one_row_per_segment_and_event_sorted_newest_first_then_account_name() -> None:
    events = [
        make_event(50, published_at=AS_OF - timedelta(days=3)),
        make_event(2, published_at=AS_OF - timedelta(days=1)),
        make_event(1, published_at=AS_OF - timedelta(days=1, hours=5)),
        make_event(2, published_at=AS_OF - timedelta(days=1)),  # the same event twice
    ]
    accounts = {
        **ACCOUNTS,
        "acc-00001": make_account(1, name="Beta"),
        "acc-00002": make_account(2, name="alpha"),
    }
    accounts["acc-00050"] = make_account(50, name="Aardvark")
    matches = {e.event_id: make_match(int(e.event_id[3:])) for e in events}
    entries = build_entries(events, matches, accounts, [segment(name="a"), segment(name="b", days=2)], AS_OF)
    assert [(e.segment, e.account_name) for e in entries] == [
        ("a", "alpha"),
        ("b", "alpha"),
        ("a", "Beta"),
        ("b", "Beta"),
        ("a", "Aardvark"),
    ]


def test_segment_names_must_be_unique() -> None:
    with pytest.raises(ConfigError, match="funding_30d"):
        build_entries([], {}, {}, [segment(name="funding_30d"), segment(name="funding_30d")], AS_OF)


def test_default_segments() -> None:
    segments = {s.name: s for s in default_segments()}
    assert list(segments) == ["funding_30d", "new_marketing_leader_90d", "any_trigger_7d"]
    hire = {"type": "executive_hire", "round": None, "person": "Jo Doe"}
    events = [
        make_event(1, published_at=AS_OF - timedelta(days=20)),
        make_event(2, published_at=AS_OF - timedelta(days=40)),
        make_event(3, role="cmo", published_at=AS_OF - timedelta(days=80), **hire),
        make_event(4, role="head_of_marketing", published_at=AS_OF - timedelta(days=2), **hire),
        make_event(5, role="cfo", published_at=AS_OF - timedelta(days=2), **hire),
    ]
    matches = {e.event_id: make_match(int(e.event_id[3:])) for e in events}
    entries = build_entries(events, matches, ACCOUNTS, list(segments.values()), AS_OF)
    by_segment: dict[str, list[str]] = {}
    for entry in entries:
        by_segment.setdefault(entry.segment, []).append(entry.event_id)
    assert by_segment == {
        "funding_30d": ["ev-00001"],
        "new_marketing_leader_90d": ["ev-00004", "ev-00003"],
        "any_trigger_7d": ["ev-00004", "ev-00005"],
    }
