"""Trigger discovery: which trigger types precede *your* closed-won deals, and how strongly.

What it answers
---------------
For every trigger kind -- each event type (``funding_round``), and each round or role subtype
(``funding_round:series_b``, ``executive_hire:cmo``) -- and every window W (30, 60, 90, 180 days):

1. **The headline: the win rate of deals with the trigger against without.** "Deals that closed
   within 90 days after the account raised a funding round were won 46% of the time (56 of 122),
   against 12% of your other closed deals: 3.8x as often (95% CI 2.8x to 5.2x)." The interval of
   the ratio is Katz's log interval (scipy's `relative_risk`); each rate has its Wilson interval.
   This is the figure to repeat (see "The deal view" below).
2. **Account-windows with a won deal (what significance and recommendations rest on, labelled
   "window lift").** How much more often an account closes *any* won deal in the W days after the
   trigger than in W days without one. It also counts the deals a trigger creates, so it is far
   larger than the deal ratio (in the demo about 25x against 3.8x) and is never called "x as likely".
3. **Share of won deals preceded by the trigger.** "12 of your 40 won deals (30%) came within 90
   days after a funding round, against 9% of account-days in general."

Unit of analysis: the account-window
------------------------------------
The question a marketer acts on is prospective: *if an account has this trigger today, should we
campaign to it for the next W days?* So the unit is an **account-window of W days** and the outcome
is "the account closed at least one won deal inside the window" (the close date of an opportunity
with ``is_won``). Opportunity-level win rates (won / closed among deals opened after a trigger) were
rejected: they condition on a deal already existing and so miss the main thing a trigger does --
create pipeline -- and they need far more data than most CRMs hold.

* **Exposed windows.** A trigger *episode* is an event of that kind on a matched account; an event
  the same account already had a trigger of the same kind for in the W days before is a re-report or
  follow-up, not a new episode. Its window is the W days after the event date, ``(t, t+W]``. Only
  episodes whose whole window lies inside the observation period count (otherwise a missing win could
  just be a win we cannot see yet).
* **Baseline windows.** Every account in the universe (the accounts export, plus any account seen
  in the opportunities or the matched events) is cut into back-to-back W-day windows ``(a, a+W]``
  from the start of the observation period. A window is dropped from the baseline if the account had
  a trigger of that kind in ``(a-W, a+W]`` -- during the window, or recently enough before it that the
  window is itself "after a trigger". What remains is "accounts without one".
* **Lift** = exposed win rate / baseline win rate. The 95% **Wilson** interval is given for the
  exposed win rate (Wilson stays honest with small counts). The baseline has many more windows and is
  treated as the reference value.

Significance: a permutation test on event dates
-----------------------------------------------
Account-windows of one account are not independent (a big customer wins often, with or without a
trigger), so a textbook 2x2 test (Fisher, chi-square) would overstate certainty. Instead the event
dates of that trigger kind are **shuffled among its events** (each account keeps its number of
events; only the timing is broken), and exposed and baseline rates are recomputed. The p-value is
``(1 + #shuffles with a win-rate difference at least the observed one) / (1 + #shuffles)``, one-sided;
shuffling stops early once 20 shuffles have matched the observed difference (Besag & Clifford's
sequential p-value, 20 / shuffles done), since such a row is clearly not significant.
This asks exactly the question that matters: *is the timing of this trigger related to the timing of
wins, beyond which accounts tend to have triggers and wins at all?* The shuffles use a fixed seed, so
the report is reproducible.

Many kinds x windows are tested at once, so p-values are corrected with **Benjamini-Hochberg**
(q-values) over every row with enough support; rows with lift <= 1 are not shuffled (their one-sided
p-value is around 0.5 or more) and count as p = 1, which only makes the correction stricter.
The smallest p-value n shuffles can give is 1/(n+1), and after the correction for m tests it must
still fall below alpha, so the number of shuffles is raised to at least 2m/alpha - 1 (the report
says when): otherwise a real effect could never pass just because many rows were tested.

A row is **recommended** only if all hold:

* support: at least ``min_support`` won deals inside exposed windows, and at least ``min_support``
  baseline windows with at least one baseline win (otherwise lift is not defined);
* lift > 1 and the Wilson lower bound of the exposed win rate is above the baseline win rate;
* q-value < ``alpha`` (0.05).

Rows that fail on support say so in plain words ("not enough data: 3 won deals within 90 days after
funding_round:series_c, need 10") and make no claim. For each trigger kind only the window with the
strongest evidence (highest lower-bound lift) becomes a campaign segment.

The "preceded" view (descriptive)
---------------------------------
For each won deal whose close date leaves a full W-day look-back inside the observation period: was
there a trigger of that kind on its account in the W days before the close date? That share (with its
Wilson interval) is compared with the **base rate**: the share of all account-days in the same
period that had such a trigger in the W days before. Because won deals are themselves account-days,
the two are like for like; their ratio equals (by Bayes) how much more likely a won close is on a day
shortly after a trigger. It is shown for context and not used for recommendations.

The deal view (descriptive)
---------------------------
A trigger can lead to more wins in two ways: more deals get opened, or deals convert better. The
account-window rate above counts both (on purpose: creating pipeline is most of what a trigger does
for a marketer). To tell them apart, each row also gives the **deal win rate**: of the closed deals
(won or lost) whose close date falls within W days after the trigger on their account, the share won
(with its Wilson interval), against the share won among all other closed deals with a full look-back.
A high account-window lift with a flat deal win rate means "more deals, same conversion".

Observation period
------------------
From the later of the first event date and the first CRM date (created or close), to ``as_of`` (or,
by default, the last CRM date): outside it, either triggers or wins are not observed. Event dates are
the UTC date of ``published_at``. This is association, not cause: accounts that announce rounds may
simply be bigger or better-run. The report says so.
"""

from __future__ import annotations

import math
import zlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np

from schemas import Account, Clock, Opportunity, Segment, TriggerEvent, system_clock, today
from schemas.errors import ConfigError

from .stats import benjamini_hochberg, ratio_interval, wilson_interval

DEFAULT_WINDOWS: tuple[int, ...] = (30, 60, 90, 180)
DEFAULT_MIN_SUPPORT = 10
DEFAULT_PERMUTATIONS = 499
DEFAULT_ALPHA = 0.05
_EARLY_STOP_HITS = 20  # shuffles at least as extreme as observed, after which shuffling stops

VERDICT_RECOMMEND = "recommend"
VERDICT_THIN = "not enough data"
VERDICT_NO_LIFT = "no lift"
VERDICT_NOT_SIGNIFICANT = "not significant"


class DiscoveryError(ConfigError):
    """The input cannot support any analysis (no deals, no close dates, no won deals, no events).

    A ConfigError, so the CLI reports the plain message and exits 2 instead of printing a traceback.
    """


@dataclass(frozen=True)
class DiscoveryRow:
    """One trigger kind x window: counts, rates, lift, interval, significance and the verdict."""

    trigger: str  # "funding_round" or "funding_round:series_b"
    type: str
    subtype: str | None
    window_days: int
    # Win rate after a trigger (unit: account-window).
    exposed_windows: int
    exposed_wins: int
    win_rate: float | None
    win_rate_low: float | None
    win_rate_high: float | None
    baseline_windows: int
    baseline_wins: int
    baseline_rate: float | None
    lift: float | None
    p_value: float | None
    q_value: float | None
    median_days_to_win: float | None
    # The "preceded" view (unit: won deal vs account-day).
    won_deals: int
    won_preceded: int
    preceded_share: float | None
    preceded_low: float | None
    preceded_high: float | None
    base_share: float | None
    preceded_lift: float | None
    # The deal view (unit: closed opportunity): do deals closing soon after the trigger convert better?
    deals_after: int
    deals_after_won: int
    deal_win_rate: float | None
    deal_win_rate_low: float | None
    deal_win_rate_high: float | None
    deals_other: int
    deals_other_won: int
    deal_win_rate_other: float | None
    deal_lift: float | None
    verdict: str
    message: str
    deal_win_rate_other_low: float | None = None
    deal_win_rate_other_high: float | None = None
    deal_lift_low: float | None = None  # the 95% interval of deal_lift (Katz, scipy relative_risk)
    deal_lift_high: float | None = None

    @property
    def lift_low(self) -> float | None:
        """The Wilson lower bound of the win rate over the baseline rate: the cautious lift."""
        if self.win_rate_low is None or not self.baseline_rate:
            return None
        return self.win_rate_low / self.baseline_rate


@dataclass(frozen=True)
class Recommendation:
    """A trigger kind worth campaigning on, at its best-supported window, as a ready segment."""

    row: DiscoveryRow
    sentence: str
    segment: Segment


@dataclass
class DiscoveryReport:
    """What `discover` found: every row, the recommendations, and plain notes and warnings."""

    rows: list[DiscoveryRow]
    recommendations: list[Recommendation]
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    summary: dict[str, object] = field(default_factory=dict)

    @property
    def segments(self) -> list[Segment]:
        """The recommended campaign segments, ready for `write_segments`."""
        return [r.segment for r in self.recommendations]


# ---------------------------------------------------------------------------------------------
# Plain-language names for trigger kinds.

_ROUND_WORDS = {
    "pre_seed": "pre-seed",
    "seed": "seed",
    "pre_series_a": "pre-Series A",
    "series_a": "Series A",
    "series_b": "Series B",
    "series_c": "Series C",
    "series_d": "Series D",
    "series_e_plus": "Series E or later",
    "bridge": "bridge",
    "debt": "debt",
    "growth": "growth",
    "undisclosed": "undisclosed",
}
_ROLE_WORDS = {
    "ceo": "CEO",
    "cfo": "CFO",
    "coo": "COO",
    "cto": "CTO",
    "cio": "CIO",
    "ciso": "CISO",
    "cmo": "CMO",
    "cro": "CRO",
    "cpo": "CPO",
    "chro": "CHRO",
    "president": "president",
    "chair": "chair",
    "board": "board member",
    "vp_marketing": "VP of Marketing",
    "vp_sales": "VP of Sales",
    "vp_engineering": "VP of Engineering",
    "head_of_marketing": "Head of Marketing",
    "head_of_sales": "Head of Sales",
    "country_manager": "country manager",
    "other_exec": "executive",
}
_TYPE_PHRASES = {
    "funding_round": "raised a funding round",
    "acquisition": "made an acquisition",
    "ipo": "went public",
    "executive_hire": "hired a new executive",
    "executive_departure": "lost an executive",
    "layoffs": "announced layoffs",
    "expansion": "announced an expansion",
    "product_launch": "launched a product",
    "partnership": "announced a partnership",
    "champion_left": "saw one of our champions leave",
    "champion_joined": "gained one of our champions as a new hire",
    "acquired": "were acquired",
}


def trigger_phrase(type_: str, subtype: str | None) -> str:
    """What accounts with this trigger did, in a marketer's words ("raised a Series B round")."""
    if subtype and type_ == "funding_round":
        return f"raised a {_ROUND_WORDS.get(subtype, subtype)} round"
    if subtype and type_ == "executive_hire":
        return f"hired a new {_ROLE_WORDS.get(subtype, subtype)}"
    if subtype and type_ == "executive_departure":
        return f"lost their {_ROLE_WORDS.get(subtype, subtype)}"
    base = _TYPE_PHRASES.get(type_, f"had a {type_.replace('_', ' ')} event")
    return f"{base} ({subtype.replace('_', ' ')})" if subtype else base


def _fmt_pct(x: float) -> str:
    return f"{100 * x:.0f}%"


# ---------------------------------------------------------------------------------------------
# The analysis.


@dataclass
class _Kind:
    type: str
    subtype: str | None
    accounts: np.ndarray  # int64 account index per event (deduplicated by account and day)
    days: np.ndarray  # int64 day offset per event

    @property
    def label(self) -> str:
        return f"{self.type}:{self.subtype}" if self.subtype else self.type


class _Frame:
    """The observation period, the account universe and the won deals, as integer arrays."""

    def __init__(self, start: date, end: date, n_accounts: int, max_window: int) -> None:
        self.start = start
        self.end = end
        self.offset = max_window + 1  # events up to max_window days before start still matter
        self.end_day = self.day(end)
        self.start_day = self.day(start)
        self.stride = self.end_day + self.offset + 2  # keys: account * stride + day never collide
        self.n_accounts = n_accounts
        self.won_keys = np.zeros(0, dtype=np.int64)
        self.closed_keys = np.zeros(0, dtype=np.int64)
        self.closed_won = np.zeros(0, dtype=bool)

    def day(self, d: date) -> int:
        return (d - self.start).days + self.offset


def _event_day(event: TriggerEvent) -> date | None:
    return event.published_at.date() if event.published_at is not None else None


def discover(
    events: Iterable[TriggerEvent],
    event_accounts: Mapping[str, str],
    opportunities: Iterable[Opportunity],
    accounts: Iterable[Account] | None = None,
    *,
    windows: Iterable[int] = DEFAULT_WINDOWS,
    min_support: int = DEFAULT_MIN_SUPPORT,
    as_of: datetime | None = None,
    seed: int = 0,
    permutations: int = DEFAULT_PERMUTATIONS,
    alpha: float = DEFAULT_ALPHA,
    clock: Clock = system_clock,
) -> DiscoveryReport:
    """Find which trigger kinds precede closed-won deals, per window, with honest statistics.

    `events` are trigger events from the store; `event_accounts` maps an event_id to the CRM
    account it was matched to (unmatched events are counted and left out). `accounts` is the full
    accounts export if available: it makes the baseline include accounts that never had a deal.
    Raises DiscoveryError (a ConfigError, exit 2) when the input cannot support any analysis; thin
    data otherwise gives rows that say "not enough data" rather than an error. The statistics are
    described in this module's docstring. Without `as_of`, `clock` says which dates are in the future.
    """
    windows = tuple(sorted({int(w) for w in windows}))
    if not windows or windows[0] <= 0:
        raise DiscoveryError(f"discover: windows must be positive numbers of days, got {windows!r}")
    if min_support < 1:
        raise DiscoveryError(f"discover: min_support must be at least 1, got {min_support}")
    if permutations < 0:
        raise DiscoveryError(f"discover: permutations must be 0 or more, got {permutations}")
    notes: list[str] = []
    warnings: list[str] = []

    # --- Opportunities: the outcomes.
    opps = list(opportunities)
    if not opps:
        raise DiscoveryError(
            "discover: the opportunities export has no rows; export closed opportunities (won and lost) "
            "with their account and close date and pass it with --opportunities"
        )
    no_account = [o for o in opps if not o.account_id]
    if no_account:
        warnings.append(
            f"{len(no_account)} of {len(opps)} opportunities have no account id and were left out "
            f"(e.g. {no_account[0].opportunity_id}); export the AccountId column to include them"
        )
    opps = [o for o in opps if o.account_id]
    if not any(o.close_date for o in opps):
        raise DiscoveryError(
            f"discover: none of the {len(opps)} opportunities with an account has a close date; "
            "export the CloseDate column (Salesforce) / 'Close Date' (HubSpot) / close_date"
        )
    won_all = [o for o in opps if o.is_won]
    won_no_date = [o for o in won_all if o.close_date is None]
    if won_no_date:
        warnings.append(
            f"{len(won_no_date)} won opportunities have no close date and were left out "
            f"(e.g. {won_no_date[0].opportunity_id})"
        )
    won = [o for o in won_all if o.close_date is not None]
    if not won:
        unknown = sum(1 for o in opps if o.is_won is None)
        hint = (
            f" ({unknown} have no won/lost flag: export IsWon or a stage such as 'Closed Won')"
            if unknown
            else ""
        )
        raise DiscoveryError(
            f"discover: none of the {len(opps)} opportunities is a closed-won deal with a close date{hint}; "
            "discovery compares won deals with triggers, so it needs at least some won deals"
        )
    # Open deals carry an expected close date in the future: only closed deals' close dates say how far
    # the CRM's knowledge reaches. Plain exports without an is_closed flag count won/lost flags as closed.
    crm_dates = [
        d
        for o in opps
        for d in (o.created_date, o.close_date if (o.is_closed or o.is_won or o.is_closed is None) else None)
        if d
    ]

    # --- Events: the triggers, on matched accounts, with a date.
    event_list = list(events)
    if not event_list:
        raise DiscoveryError(
            "discover: there are no trigger events in the store; run `buysignal run` (or classify and "
            "match) over your news history first, so there is something to compare your deals with"
        )
    dated: list[tuple[str, date, TriggerEvent]] = []
    unmatched = undated = 0
    for ev in event_list:
        account_id = event_accounts.get(ev.event_id) or ev.account_id
        if not account_id:
            unmatched += 1
            continue
        day = _event_day(ev)
        if day is None:
            undated += 1
            continue
        dated.append((account_id, day, ev))
    if unmatched:
        notes.append(
            f"{unmatched} of {len(event_list)} events are not matched to a CRM account and were left out"
        )
    if undated:
        warnings.append(f"{undated} matched events have no published date and were left out")
    if not dated:
        raise DiscoveryError(
            f"discover: none of the {len(event_list)} trigger events is matched to a CRM account with a date; "
            "run `buysignal match --accounts` with the same accounts export as the opportunities"
        )

    # --- Observation period.
    first_event, last_event = min(d for _, d, _ in dated), max(d for _, d, _ in dated)
    first_crm, last_crm = min(crm_dates), max(crm_dates)
    start = max(first_event, first_crm)
    # By default the period ends at the last CRM date, but never in the future (expected close dates).
    end = as_of.date() if as_of is not None else min(last_crm, today(clock))
    if end <= start:
        raise DiscoveryError(
            f"discover: the event history ({first_event}..{last_event}) and the deals ({first_crm}..{last_crm}) "
            f"do not overlap before {end}; load news history that covers the period of your deals"
        )
    span = (end - start).days
    if first_event > first_crm:
        notes.append(
            f"deals before {first_event} (the first matched event) are outside the analysis: "
            "triggers before then are not known"
        )
    if last_event < end:
        notes.append(f"the event history ends on {last_event}, before the end of the period ({end})")
    usable_windows = tuple(w for w in windows if w < span)
    for w in windows:
        if w >= span:
            notes.append(f"the {w}-day window is left out: the observation period is only {span} days long")
    if not usable_windows:
        raise DiscoveryError(
            f"discover: the observation period {start}..{end} ({span} days) is shorter than every window "
            f"{windows}; load a longer event history or export deals over a longer period"
        )
    windows = usable_windows

    # --- Account universe.
    account_ids: dict[str, int] = {}
    if accounts is not None:
        for acc in accounts:
            account_ids.setdefault(acc.account_id, len(account_ids))
        n_listed = len(account_ids)
    for o in opps:
        account_ids.setdefault(o.account_id or "", len(account_ids))
    for account_id, _, _ in dated:
        account_ids.setdefault(account_id, len(account_ids))
    if accounts is None:
        notes.append(
            f"no accounts export given: the baseline uses the {len(account_ids)} accounts seen in the "
            "opportunities or the matched events (accounts with neither are not counted)"
        )
    elif len(account_ids) > n_listed:
        notes.append(
            f"{len(account_ids) - n_listed} accounts in the opportunities or events are not in the accounts "
            "export; they were added to the baseline"
        )

    frame = _Frame(start, end, len(account_ids), max(windows))
    won_in_period = [o for o in won if o.close_date and start < o.close_date <= end]
    outside = len(won) - len(won_in_period)
    if outside:
        notes.append(f"{outside} of {len(won)} won deals closed outside {start}..{end} and were left out")
    won_acc = np.array([account_ids[o.account_id or ""] for o in won_in_period], dtype=np.int64)
    won_day = np.array([frame.day(o.close_date) for o in won_in_period], dtype=np.int64)  # type: ignore[arg-type]
    frame.won_keys = np.unique(won_acc * frame.stride + won_day)
    # Closed deals, won or lost, for the deal view. Exports without an is_closed flag: a deal marked
    # not won is taken as lost.
    closed = [
        o
        for o in opps
        if o.close_date
        and start < o.close_date <= end
        and (o.is_won or o.is_closed or (o.is_closed is None and o.is_won is False))
    ]
    closed_keys = np.array(
        [account_ids[o.account_id or ""] * frame.stride + frame.day(o.close_date) for o in closed],  # type: ignore[arg-type]
        dtype=np.int64,
    )
    order = np.argsort(closed_keys, kind="stable")
    frame.closed_keys = closed_keys[order]
    frame.closed_won = np.array([bool(o.is_won) for o in closed], dtype=bool)[order]

    # --- Trigger kinds: the type and each round / role subtype.
    grouped: dict[tuple[str, str | None], set[tuple[int, int]]] = defaultdict(set)
    for account_id, day, ev in dated:
        # Events long before the period can't touch any window; events after it have no outcome.
        if (start - day).days > max(windows) or day > end:
            continue
        point = (account_ids[account_id], frame.day(day))
        grouped[(ev.type, None)].add(point)
        if ev.round:
            grouped[(ev.type, ev.round)].add(point)
        if ev.role:
            grouped[(ev.type, ev.role)].add(point)
    kinds: list[_Kind] = []
    for (type_, subtype), points in sorted(grouped.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        arr = np.array(sorted(points), dtype=np.int64)
        kinds.append(_Kind(type_, subtype, arr[:, 0].copy(), arr[:, 1].copy()))

    summary: dict[str, object] = {
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "opportunities": len(opps),
        "won_deals": len(won_in_period),
        "accounts": len(account_ids),
        "events_used": sum(1 for _, d, _ in dated if start <= d <= end),
        "events_total": len(event_list),
        "windows": list(windows),
        "min_support": min_support,
        "alpha": alpha,
        "permutations": permutations,
        "seed": seed,
    }
    if len(won_in_period) < min_support:
        notes.append(
            f"only {len(won_in_period)} won deal{'s' if len(won_in_period) != 1 else ''} in the period; "
            f"no trigger can reach the minimum support of {min_support} won deals, so no claim is made"
        )

    # --- Rows.
    grids = {w: _Grid(frame, w) for w in windows}
    raw: list[_Counts] = []
    for kind in kinds:
        for w in windows:
            exposed_n, exposed_wins, lags = _exposed(frame, kind.accounts, kind.days, w)
            base_n, base_wins = grids[w].baseline(kind.accounts, kind.days)
            n_eval, n_pre = _preceded(frame, kind.accounts, kind.days, w)
            share = _base_share(frame, kind.accounts, kind.days, w)
            deals = _deals(frame, kind.accounts, kind.days, w)
            raw.append(
                _Counts(
                    kind, w, exposed_n, exposed_wins, lags, base_n, base_wins, n_eval, n_pre, share, deals
                )
            )

    # Significance for supported rows with lift > 1 (see the module docstring). The smallest p-value
    # m shuffles can give is 1/(m+1); after correcting for n tests it must still get under alpha, so
    # take enough shuffles that even a lone real effect among n tests can pass.
    n_tests = sum(1 for c in raw if c.supported(min_support))
    if permutations:
        needed = math.ceil(2 * n_tests / alpha) - 1
        if needed > permutations:
            notes.append(
                f"shuffles raised from {permutations} to {needed} so that an effect can still pass the "
                f"correction for {n_tests} tests"
            )
            permutations = needed
            summary["permutations"] = permutations
    p_values: dict[int, float] = {}
    for i, c in enumerate(raw):
        if not c.supported(min_support):
            continue
        if c.rate is None or c.base is None or c.rate <= c.base:
            p_values[i] = 1.0
            continue
        p_values[i] = _permutation_p(frame, grids[c.w], c.kind, c.w, c.rate - c.base, permutations, seed)
    tested = sorted(p_values)
    q_by_row = dict(zip(tested, benjamini_hochberg([p_values[i] for i in tested]), strict=True))
    if tested:
        notes.append(
            f"{len(tested)} trigger x window combinations had enough data to test; p-values come from "
            f"{permutations} shuffles of event dates (seed {seed}) and are corrected for testing many at once"
        )

    rows: list[DiscoveryRow] = []
    for i, c in enumerate(raw):
        rows.append(_row(c, p_values.get(i), q_by_row.get(i), min_support, alpha))

    recommendations = _recommend(rows)
    if not recommendations:
        if any(r.verdict != VERDICT_THIN for r in rows):
            notes.append("no trigger passed every test; nothing is recommended yet")
        else:
            notes.append(f"no trigger has enough data yet (at least {min_support} won deals after it)")
    return DiscoveryReport(
        rows=rows, recommendations=recommendations, notes=notes, warnings=warnings, summary=summary
    )


class _Grid:
    """Back-to-back W-day baseline windows for every account, and the ones with a won close."""

    def __init__(self, frame: _Frame, w: int) -> None:
        self.frame = frame
        self.w = w
        self.first_anchor = frame.start_day
        self.n_anchors = max(0, (frame.end_day - frame.start_day) // w)
        total = frame.n_accounts * self.n_anchors
        accs = frame.won_keys // frame.stride
        days = frame.won_keys % frame.stride
        # A close on day c falls in window j when anchor_j < c <= anchor_j + w.
        j = (days - self.first_anchor - 1) // w
        ok = (days > self.first_anchor) & (j < self.n_anchors)
        self.won_cells = np.unique(accs[ok] * max(self.n_anchors, 1) + j[ok])
        self.total = total
        self.total_wins = len(self.won_cells)

    def won_cells_of(self, accounts: np.ndarray) -> np.ndarray:
        """The won cells of just these accounts (a smaller array to search, for the shuffles)."""
        return self.won_cells[np.isin(self.won_cells // max(self.n_anchors, 1), accounts)]

    def baseline(
        self, accounts: np.ndarray, days: np.ndarray, won_cells: np.ndarray | None = None
    ) -> tuple[int, int]:
        """Baseline windows and wins once windows with this trigger in (a-W, a+W] are dropped.

        `won_cells` may be narrowed to the trigger's accounts (won_cells_of): only their cells can
        be dropped, so the answer is the same and the search is smaller."""
        if self.n_anchors == 0:
            return 0, 0
        w = self.w
        # Anchors a_j with a_j - w < t <= a_j + w, i.e. t - w <= a_j < t + w (at most two of them).
        lo = -((self.first_anchor - (days - w)) // w)  # ceil((t - w - a0) / w)
        cells = []
        for step in range(3):
            j = lo + step
            a_j = self.first_anchor + j * w
            keep = (j >= 0) & (j < self.n_anchors) & (a_j < days + w) & (a_j >= days - w)
            cells.append(accounts[keep] * self.n_anchors + j[keep])
        excluded = _unique(np.concatenate(cells))
        won_cells = self.won_cells if won_cells is None else won_cells
        excluded_wins = int(np.isin(excluded, won_cells, assume_unique=True).sum())
        return self.total - len(excluded), self.total_wins - excluded_wins


def _unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values. Sort-based, because np.unique's hashing is slower on these arrays
    and this runs once per shuffle."""
    values = np.sort(values)
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def _episodes(frame: _Frame, accounts: np.ndarray, days: np.ndarray, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Keys (account * stride + day) of events that start an episode, sorted."""
    keys = _unique(accounts * frame.stride + days)
    if len(keys) == 0:
        return keys, keys
    acc = keys // frame.stride
    day = keys % frame.stride
    new = np.ones(len(keys), dtype=bool)
    new[1:] = (acc[1:] != acc[:-1]) | (day[1:] - day[:-1] > w)
    return keys[new], day[new]


def _exposed(
    frame: _Frame, accounts: np.ndarray, days: np.ndarray, w: int, won_keys: np.ndarray | None = None
) -> tuple[int, int, list[int]]:
    """Episodes with a full W-day window in the period, how many had a won close, and the lags.

    `won_keys` may be narrowed to the trigger's accounts (same answer, smaller search)."""
    won_keys = frame.won_keys if won_keys is None else won_keys
    keys, day = _episodes(frame, accounts, days, w)
    eligible = (day >= frame.start_day) & (day + w <= frame.end_day)
    keys = keys[eligible]
    first_after = np.searchsorted(won_keys, keys, side="right")
    last_in = np.searchsorted(won_keys, keys + w, side="right")
    hit = last_in > first_after
    lags = (won_keys[first_after[hit]] - keys[hit]).tolist() if hit.any() else []
    return len(keys), int(hit.sum()), lags


def _preceded(frame: _Frame, accounts: np.ndarray, days: np.ndarray, w: int) -> tuple[int, int]:
    """Won deals with a full look-back in the period, and how many had the trigger in [c-W, c)."""
    won_day = frame.won_keys % frame.stride
    keys = frame.won_keys[won_day - w >= frame.start_day]
    events = _unique(accounts * frame.stride + days)
    before = np.searchsorted(events, keys, side="left") - np.searchsorted(events, keys - w, side="left")
    return len(keys), int((before > 0).sum())


def _deals(frame: _Frame, accounts: np.ndarray, days: np.ndarray, w: int) -> tuple[int, int, int, int]:
    """Closed deals with a full look-back: (closing within W days after the trigger, of them won,
    the other closed deals, of them won)."""
    close_day = frame.closed_keys % frame.stride
    full = close_day - w >= frame.start_day
    keys, won = frame.closed_keys[full], frame.closed_won[full]
    events = _unique(accounts * frame.stride + days)
    after = (np.searchsorted(events, keys, side="left") - np.searchsorted(events, keys - w, side="left")) > 0
    return int(after.sum()), int(won[after].sum()), int((~after).sum()), int(won[~after].sum())


def _base_share(frame: _Frame, accounts: np.ndarray, days: np.ndarray, w: int) -> float:
    """Share of account-days in [start+W, end] that had this trigger in the W days before."""
    lo, hi = frame.start_day + w, frame.end_day
    n_days = hi - lo + 1
    if n_days <= 0 or frame.n_accounts == 0:
        return 0.0
    covered = 0
    order = np.lexsort((days, accounts))
    acc_sorted, day_sorted = accounts[order].tolist(), days[order].tolist()
    current_acc, cover_end = -1, -1
    for acc, t in zip(acc_sorted, day_sorted, strict=True):
        # A trigger on day t covers the days d with t < d <= t + w.
        a, b = max(t + 1, lo), min(t + w, hi)
        if acc != current_acc:
            current_acc, cover_end = acc, lo - 1
        a = max(a, cover_end + 1)
        if b >= a:
            covered += b - a + 1
            cover_end = b
    return covered / (n_days * frame.n_accounts)


@dataclass
class _Counts:
    """The raw counts of one trigger kind x window, before verdicts."""

    kind: _Kind
    w: int
    exposed_n: int
    exposed_wins: int
    lags: list[int]
    base_n: int
    base_wins: int
    n_eval: int
    n_pre: int
    base_share: float
    deals: tuple[int, int, int, int]

    def supported(self, min_support: int) -> bool:
        return self.exposed_wins >= min_support and self.base_n >= min_support and self.base_wins > 0

    @property
    def rate(self) -> float | None:
        return self.exposed_wins / self.exposed_n if self.exposed_n else None

    @property
    def base(self) -> float | None:
        return self.base_wins / self.base_n if self.base_n else None


def _permutation_p(
    frame: _Frame, grid: _Grid, kind: _Kind, w: int, observed: float, permutations: int, seed: int
) -> float:
    """One-sided p-value of the win-rate difference, shuffling this kind's event dates."""
    if permutations == 0:
        return 1.0
    # A stable per-row stream, so a row's p-value does not depend on which other rows were tested.
    rng = np.random.default_rng([seed, zlib.crc32(kind.label.encode("utf-8")), w])
    # Shuffling moves dates, never accounts: only these accounts' wins can ever be looked up.
    own = _unique(kind.accounts)
    won_keys = frame.won_keys[np.isin(frame.won_keys // frame.stride, own)]
    won_cells = grid.won_cells_of(own)
    at_least = 0
    for done in range(1, permutations + 1):
        days = rng.permutation(kind.days)
        n, wins, _ = _exposed(frame, kind.accounts, days, w, won_keys)
        base_n, base_wins = grid.baseline(kind.accounts, days, won_cells)
        if n and base_n and wins / n - base_wins / base_n >= observed - 1e-12:
            at_least += 1
            if at_least == _EARLY_STOP_HITS:  # clearly not rare: Besag & Clifford's sequential p-value
                return at_least / done
    return (1 + at_least) / (1 + permutations)


def _row(c: _Counts, p: float | None, q: float | None, min_support: int, alpha: float) -> DiscoveryRow:
    kind, w, lags, base_share = c.kind, c.w, c.lags, c.base_share
    exposed_n, exposed_wins, base_n, base_wins = c.exposed_n, c.exposed_wins, c.base_n, c.base_wins
    n_eval, n_pre = c.n_eval, c.n_pre
    rate, base = c.rate, c.base
    low, high = wilson_interval(exposed_wins, exposed_n) if exposed_n else (None, None)
    lift = rate / base if rate is not None and base else None
    share = n_pre / n_eval if n_eval else None
    pre_low, pre_high = wilson_interval(n_pre, n_eval) if n_eval else (None, None)
    pre_lift = share / base_share if share is not None and base_share > 0 else None
    deals_after, deals_after_won, deals_other, deals_other_won = c.deals
    deal_rate = deals_after_won / deals_after if deals_after else None
    deal_low, deal_high = wilson_interval(deals_after_won, deals_after) if deals_after else (None, None)
    deal_other = deals_other_won / deals_other if deals_other else None
    other_low, other_high = wilson_interval(deals_other_won, deals_other) if deals_other else (None, None)
    deal_lift = deal_rate / deal_other if deal_rate is not None and deal_other else None
    deal_ci = ratio_interval(deals_after_won, deals_after, deals_other_won, deals_other)
    label = kind.label
    if not c.supported(min_support):
        verdict = VERDICT_THIN
        if exposed_wins < min_support:
            message = (
                f"not enough data: {exposed_wins} won deal{'s' if exposed_wins != 1 else ''} within {w} days "
                f"after {label} (out of {exposed_n} times it happened), need {min_support}"
            )
        elif base_wins == 0:
            message = (
                f"not enough data: no won deals at all in {w}-day windows without {label}; lift is undefined"
            )
        else:
            message = f"not enough data: only {base_n} {w}-day windows without {label}, need {min_support}"
    elif lift is None or lift <= 1 or rate is None or base is None:
        verdict = VERDICT_NO_LIFT
        message = (
            f"no lift: {_fmt_pct(rate or 0)} of {w}-day windows after {label} had a won deal "
            f"vs {_fmt_pct(base or 0)} without"
        )
    elif low is not None and low > base and q is not None and q < alpha:
        verdict = VERDICT_RECOMMEND
        message = (
            f"{exposed_wins} of {exposed_n} {w}-day windows after {label} had a won deal vs "
            f"{_fmt_pct(base)} without (window lift {lift:.1f}x)"
        )
    else:
        verdict = VERDICT_NOT_SIGNIFICANT
        why = "the interval reaches the baseline" if low is None or low <= base else f"q = {q:.2f}"
        message = f"not significant ({why}): window lift {lift:.1f}x on {exposed_wins} of {exposed_n} could be chance"
    return DiscoveryRow(
        trigger=label,
        type=kind.type,
        subtype=kind.subtype,
        window_days=w,
        exposed_windows=exposed_n,
        exposed_wins=exposed_wins,
        win_rate=rate,
        win_rate_low=low,
        win_rate_high=high,
        baseline_windows=base_n,
        baseline_wins=base_wins,
        baseline_rate=base,
        lift=lift,
        p_value=p,
        q_value=q,
        median_days_to_win=float(np.median(lags)) if lags else None,
        won_deals=n_eval,
        won_preceded=n_pre,
        preceded_share=share,
        preceded_low=pre_low,
        preceded_high=pre_high,
        base_share=base_share,
        preceded_lift=pre_lift,
        deals_after=deals_after,
        deals_after_won=deals_after_won,
        deal_win_rate=deal_rate,
        deal_win_rate_low=deal_low,
        deal_win_rate_high=deal_high,
        deals_other=deals_other,
        deals_other_won=deals_other_won,
        deal_win_rate_other=deal_other,
        deal_lift=deal_lift,
        verdict=verdict,
        message=message,
        deal_win_rate_other_low=other_low,
        deal_win_rate_other_high=other_high,
        deal_lift_low=deal_ci[0] if deal_ci else None,
        deal_lift_high=deal_ci[1] if deal_ci else None,
    )


def headline(row: DiscoveryRow) -> str:
    """The plain-language finding for a row: the win rate of deals with the trigger against without,
    the ratio and its 95% interval, e.g. "Deals that closed within 90 days after the account raised a
    funding round were won 46% of the time (56 of 122), against 12% of your other closed deals (53 of
    439): 3.8x as often (95% CI 2.8x to 5.2x)."

    That is the figure a marketer can repeat. The account-window lift (how much more often an account
    closes any won deal in the W days after the trigger) also counts the extra deals a trigger brings
    and is much larger on thin data; it is given in the table under its own name, never as "x as
    likely"."""
    phrase = trigger_phrase(row.type, row.subtype)
    if row.deal_win_rate is None or row.deal_win_rate_other is None or row.deal_lift is None:
        return f"Accounts that {phrase}: {row.message}."
    interval = (
        f" (95% CI {row.deal_lift_low:.1f}x to {row.deal_lift_high:.1f}x)"
        if row.deal_lift_low is not None and row.deal_lift_high is not None
        else ""
    )
    return (
        f"Deals that closed within {row.window_days} days after the account {phrase} were won "
        f"{_fmt_pct(row.deal_win_rate)} of the time ({row.deals_after_won} of {row.deals_after}), against "
        f"{_fmt_pct(row.deal_win_rate_other)} of your other closed deals ({row.deals_other_won} of "
        f"{row.deals_other}): {row.deal_lift:.1f}x as often{interval}."
    )


def segment_name(row: DiscoveryRow) -> str:
    """A stable segment name for a row: discovered-<type>[-<subtype>]-<W>d."""
    parts = ["discovered", row.type.replace("_", "-")]
    if row.subtype:
        parts.append(row.subtype.replace("_", "-"))
    return "-".join(parts) + f"-{row.window_days}d"


def _segment(row: DiscoveryRow) -> Segment:
    rounds: list[str] = []
    roles: list[str] = []
    if row.subtype and row.type == "funding_round":
        rounds = [row.subtype]
    elif row.subtype:
        roles = [row.subtype]
    if row.deal_win_rate is not None and row.deal_win_rate_other is not None:
        rates = f"won {_fmt_pct(row.deal_win_rate)} of deals vs {_fmt_pct(row.deal_win_rate_other)} without"
    else:
        rates = "won more often"
    return Segment(
        name=segment_name(row),
        description=(
            f"Found by buysignal discover: accounts that {trigger_phrase(row.type, row.subtype)} "
            f"{rates}, within {row.window_days} days"
        ),
        types=[row.type],  # type: ignore[list-item]
        rounds=rounds,  # type: ignore[arg-type]
        roles=roles,  # type: ignore[arg-type]
        days=row.window_days,
    )


def _strength(row: DiscoveryRow) -> tuple[float, float]:
    # The headline's own figure first: the lower bound of the deal win-rate ratio, then the cautious
    # account-window lift.
    return (row.deal_lift_low or 0.0, row.lift_low or 0.0)


def _recommend(rows: list[DiscoveryRow]) -> list[Recommendation]:
    """For each trigger kind, the recommended row whose headline is strongest: the highest lower bound
    of the deal win-rate ratio (then of the account-window lift)."""
    best: dict[str, DiscoveryRow] = {}
    for row in rows:
        if row.verdict != VERDICT_RECOMMEND:
            continue
        current = best.get(row.trigger)
        if current is None or _strength(row) > _strength(current):
            best[row.trigger] = row
    ordered = sorted(best.values(), key=lambda r: (tuple(-x for x in _strength(r)), r.trigger))
    return [Recommendation(row=r, sentence=headline(r), segment=_segment(r)) for r in ordered]


def is_finite(x: float | None) -> bool:
    """True for a real number that is not NaN or infinite (rendering helper)."""
    return x is not None and math.isfinite(x)
