"""Trigger discovery: the statistics find a planted effect, find nothing once it is destroyed, count
exactly on a hand-worked case, and fail in plain words on input that can't support an analysis."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from pipelines.commands.discover import DiscoveryError, discover
from pipelines.commands.discover.analysis import VERDICT_RECOMMEND, VERDICT_THIN, headline
from pipelines.commands.discover.stats import benjamini_hochberg, ratio_interval, wilson_interval
from schemas import Account, Opportunity, TriggerEvent
from schemas.errors import ConfigError

START = date(2024, 1, 1)
DAYS = 730


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


def _event(event_id: str, type_: str, day: date, **fields: object) -> TriggerEvent:
    return TriggerEvent(
        event_id=event_id,
        document_id=f"doc-{event_id}",
        type=type_,  # type: ignore[arg-type]
        confidence=0.9,
        evidence="synthetic",
        published_at=_at(day),
        **fields,  # type: ignore[arg-type]
    )


def planted_world(effect: float = 0.4, n_accounts: int = 300, seed: int = 7):
    """Synthetic CRM + event history: every account wins now and then (about 12% in any 90 days);
    40% of accounts raise a round at a random date, after which they win an extra deal within 90 days
    with probability `effect`. A third of accounts hire an executive, which changes nothing."""
    rng = random.Random(seed)
    accounts = [Account(account_id=f"A{i:04d}", name=f"Company {i}") for i in range(n_accounts)]
    events: list[TriggerEvent] = []
    event_accounts: dict[str, str] = {}
    opps: list[Opportunity] = []

    def deal(account_id: str, close: date, won: bool) -> None:
        opps.append(
            Opportunity(
                opportunity_id=f"O{len(opps)}",
                account_id=account_id,
                created_date=close - timedelta(days=40),
                close_date=close,
                is_won=won,
                is_closed=True,
            )
        )

    for acc in accounts:
        day = 0
        while True:  # background wins: a Poisson process, ~12% chance in any 90 days
            day += int(rng.expovariate(0.0014)) + 1
            if day >= DAYS:
                break
            deal(acc.account_id, START + timedelta(days=day), True)
        for _ in range(rng.randint(0, 2)):
            deal(acc.account_id, START + timedelta(days=rng.randrange(DAYS)), False)
        if rng.random() < 0.4:
            t = rng.randrange(DAYS)
            ev = _event(
                f"E{len(events)}",
                "funding_round",
                START + timedelta(days=t),
                company=acc.name,
                round=rng.choice(["seed", "series_a", "series_b"]),
            )
            events.append(ev)
            event_accounts[ev.event_id] = acc.account_id
            if rng.random() < effect:
                deal(acc.account_id, START + timedelta(days=t + rng.randint(5, 85)), True)
        if rng.random() < 0.33:
            ev = _event(
                f"E{len(events)}",
                "executive_hire",
                START + timedelta(days=rng.randrange(DAYS)),
                company=acc.name,
                role=rng.choice(["cmo", "cfo"]),
            )
            events.append(ev)
            event_accounts[ev.event_id] = acc.account_id
    return events, event_accounts, opps, accounts


@pytest.fixture(scope="module")
def world():
    return planted_world()


def _row(report, trigger: str, window: int):
    return next(r for r in report.rows if r.trigger == trigger and r.window_days == window)


def test_finds_planted_funding_effect(world) -> None:
    events, event_accounts, opps, accounts = world
    report = discover(events, event_accounts, opps, accounts, permutations=199, seed=0)
    row = _row(report, "funding_round", 90)
    assert row.verdict == VERDICT_RECOMMEND
    assert row.lift is not None and row.lift > 2.0
    assert row.win_rate_low is not None and row.baseline_rate is not None
    assert row.win_rate_low > row.baseline_rate
    assert row.q_value is not None and row.q_value < 0.05
    # Won deals are also more often preceded by a round than account-days in general.
    assert row.preceded_lift is not None and row.preceded_lift > 2.0
    # And deals closing after a round convert better (the planted extra deal is always won).
    assert row.deal_lift is not None and row.deal_lift > 1.5
    names = [s.name for s in report.segments]
    assert "discovered-funding-round-90d" in names
    seg = next(s for s in report.segments if s.name == "discovered-funding-round-90d")
    assert seg.types == ["funding_round"] and seg.days == 90
    # The executive hires carry no effect, so none of them is recommended.
    assert not any(r.type == "executive_hire" and r.verdict == VERDICT_RECOMMEND for r in report.rows)
    text = headline(row)
    assert text.startswith(
        "Deals that closed within 90 days after the account raised a funding round were won"
    )
    assert f"{row.deal_lift:.1f}x as often (95% CI" in text and "as likely" not in text
    assert row.deal_lift_low is not None and row.deal_lift_high is not None
    assert 1.0 < row.deal_lift_low < row.deal_lift < row.deal_lift_high


def test_finds_nothing_once_event_dates_are_shuffled(world) -> None:
    events, event_accounts, opps, accounts = world
    rng = random.Random(1)
    dates = [e.published_at for e in events]
    rng.shuffle(dates)
    shuffled = [e.model_copy(update={"published_at": d}) for e, d in zip(events, dates, strict=True)]
    report = discover(shuffled, event_accounts, opps, accounts, permutations=199, seed=0)
    assert report.recommendations == []
    assert not any(r.verdict == VERDICT_RECOMMEND for r in report.rows)
    funding = _row(report, "funding_round", 90)
    assert funding.verdict != VERDICT_THIN  # it was tested, and found wanting
    assert any("nothing is recommended" in n for n in report.notes)


def test_same_seed_same_report(world) -> None:
    events, event_accounts, opps, accounts = world
    a = discover(events, event_accounts, opps, accounts, windows=(90,), permutations=49, seed=3)
    b = discover(events, event_accounts, opps, accounts, windows=(90,), permutations=49, seed=3)
    assert [(r.trigger, r.window_days, r.p_value) for r in a.rows] == [
        (r.trigger, r.window_days, r.p_value) for r in b.rows
    ]
    assert any(r.p_value is not None and r.p_value < 1 for r in a.rows)


def test_counts_on_a_hand_worked_case() -> None:
    """Two accounts, one 30-day window, a 360-day period starting 2025-01-01 (day 0).
    A: round on day 60, won on day 75. B: a hire on day 0 (so the event history starts then), won on
    day 200."""
    day0 = date(2025, 1, 1)
    events = [
        _event("e0", "executive_hire", day0, role="cmo"),
        _event("e1", "funding_round", day0 + timedelta(days=60), round="series_b"),
    ]
    opps = [
        Opportunity(opportunity_id="o0", account_id="A", created_date=day0, close_date=day0, is_won=False),
        Opportunity(opportunity_id="o1", account_id="A", close_date=day0 + timedelta(days=75), is_won=True),
        Opportunity(opportunity_id="o2", account_id="B", close_date=day0 + timedelta(days=200), is_won=True),
    ]
    report = discover(
        events,
        {"e0": "B", "e1": "A"},
        opps,
        [Account(account_id="A", name="Alpha"), Account(account_id="B", name="Beta")],
        windows=(30,),
        min_support=1,
        as_of=_at(day0 + timedelta(days=360)),
        permutations=0,
    )
    for trigger in ("funding_round", "funding_round:series_b"):
        row = _row(report, trigger, 30)
        # Exposed: A's window (60, 90] holds the day-75 win.
        assert (row.exposed_windows, row.exposed_wins) == (1, 1)
        # Baseline: 2 accounts x 12 windows, minus A's windows (30, 60] and (60, 90] (the second won).
        assert (row.baseline_windows, row.baseline_wins) == (22, 1)
        assert row.lift == pytest.approx(22.0)
        assert row.median_days_to_win == 15
        # Preceded: both won deals have a full look-back; A's had the round 15 days before.
        assert (row.won_deals, row.won_preceded) == (2, 1)
        # Base share: A is covered on days 61..90 of the account-days 30..360 of both accounts.
        assert row.base_share == pytest.approx(30 / (331 * 2))
        # Deal view: o0 closes on day 0 (outside the period); o1 closes after the round, o2 does not.
        assert (row.deals_after, row.deals_after_won, row.deals_other, row.deals_other_won) == (1, 1, 1, 1)
        # No shuffles were asked for, so nothing can be significant: the row says so.
        assert row.verdict != VERDICT_RECOMMEND


def test_thin_rows_say_how_much_data_is_missing(world) -> None:
    events, event_accounts, opps, accounts = world
    report = discover(events, event_accounts, opps, accounts, min_support=10, permutations=0)
    thin = [r for r in report.rows if r.verdict == VERDICT_THIN]
    assert thin, "30-day windows of single rounds are too thin in this world"
    for row in thin:
        assert row.message.startswith("not enough data:")
        assert "need 10" in row.message or "lift is undefined" in row.message


def test_single_won_deal_reports_no_claim() -> None:
    events = [_event("e1", "funding_round", date(2025, 1, 10), round="seed")]
    opps = [
        Opportunity(
            opportunity_id="o1",
            account_id="A",
            created_date=date(2025, 1, 1),
            close_date=date(2025, 3, 1),
            is_won=True,
        ),
        Opportunity(
            opportunity_id="o2",
            account_id="B",
            created_date=date(2025, 1, 1),
            close_date=date(2025, 12, 1),
            is_won=False,
        ),
    ]
    report = discover(events, {"e1": "A"}, opps, permutations=10)
    assert report.recommendations == []
    assert all(r.verdict == VERDICT_THIN for r in report.rows)
    assert any("only 1 won deal" in n for n in report.notes)
    assert any("no accounts export given" in n for n in report.notes)


@pytest.mark.parametrize(
    ("opps", "events", "expected"),
    [
        ([], "some", "has no rows"),
        ("some", [], "no trigger events"),
        (
            [Opportunity(opportunity_id="o1", account_id="A", created_date=date(2025, 1, 1), is_won=True)],
            "some",
            "has a close date",
        ),
        (
            [Opportunity(opportunity_id="o1", account_id="A", close_date=date(2025, 5, 1), is_won=False)],
            "some",
            "closed-won deal",
        ),
    ],
    ids=["no-opportunities", "no-events", "no-close-dates", "no-won-deals"],
)
def test_unusable_input_raises_a_plain_discovery_error(opps, events, expected) -> None:
    some_events = [_event("e1", "funding_round", date(2025, 1, 10))]
    some_opps = [Opportunity(opportunity_id="o1", account_id="A", close_date=date(2025, 5, 1), is_won=True)]
    with pytest.raises(DiscoveryError, match=expected) as info:
        discover(
            some_events if events == "some" else events,
            {"e1": "A"},
            some_opps if opps == "some" else opps,
        )
    assert isinstance(info.value, ConfigError)  # the CLI maps ConfigError to exit 2
    assert str(info.value).startswith("discover: ")


def test_events_not_matched_to_accounts_raise_with_the_fix() -> None:
    events = [_event("e1", "funding_round", date(2025, 1, 10))]
    opps = [Opportunity(opportunity_id="o1", account_id="A", close_date=date(2025, 5, 1), is_won=True)]
    with pytest.raises(DiscoveryError, match="buysignal match"):
        discover(events, {}, opps)


def test_skipped_input_is_counted_in_notes_and_warnings(world) -> None:
    events, event_accounts, opps, accounts = world
    extra_event = _event("stray", "layoffs", date(2024, 6, 1), company="Nobody Inc")
    extra_opps = [
        Opportunity(opportunity_id="x1", account_id=None, close_date=date(2024, 6, 1), is_won=True),
        Opportunity(opportunity_id="x2", account_id="A0001", close_date=None, is_won=True),
    ]
    report = discover([*events, extra_event], event_accounts, [*opps, *extra_opps], accounts, permutations=0)
    assert any("not matched to a CRM account" in n for n in report.notes)
    assert any("no account id" in w and "x1" in w for w in report.warnings)
    assert any("no close date" in w and "x2" in w for w in report.warnings)


def test_bad_arguments_are_discovery_errors(world) -> None:
    events, event_accounts, opps, accounts = world
    with pytest.raises(DiscoveryError, match="windows"):
        discover(events, event_accounts, opps, windows=(0, 30))
    with pytest.raises(DiscoveryError, match="min_support"):
        discover(events, event_accounts, opps, min_support=0)


def test_wilson_interval_matches_published_values() -> None:
    # Reference values: Newcombe (1998), and the closed form with z = 1.96.
    low, high = wilson_interval(0, 10)
    assert (low, round(high, 4)) == (0.0, 0.2775)
    low, high = wilson_interval(5, 10)
    assert (round(low, 4), round(high, 4)) == (0.2366, 0.7634)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson_interval(3, 2)


def test_benjamini_hochberg_matches_hand_computation() -> None:
    # p sorted: 0.01, 0.02, 0.03, 0.5 with m = 4 -> 0.04, 0.04, 0.04, 0.5 (monotone from the top).
    assert benjamini_hochberg([0.5, 0.01, 0.03, 0.02]) == pytest.approx([0.5, 0.04, 0.04, 0.04])
    assert benjamini_hochberg([]) == []


def test_ratio_interval_is_katz_log_interval() -> None:
    # 56 of 122 deals won after the trigger, 53 of 439 without: RR = 3.80; by hand, the log interval is
    # exp(ln 3.802 -/+ 1.96 * sqrt(1/56 - 1/122 + 1/53 - 1/439)) = 2.77 .. 5.22.
    low, high = ratio_interval(56, 122, 53, 439) or (0.0, 0.0)
    assert (round(low, 2), round(high, 2)) == (2.77, 5.22)
    assert ratio_interval(0, 10, 5, 20) is None  # no wins on one side: the log ratio is undefined
