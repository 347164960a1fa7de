"""Alerts: an event with its match, account and segments; which subscriptions want it; how it reads."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from schemas import Account, CampaignEntry, Match
from sinks.base import Batch
from sinks.delivery.models import Alert, Subscription

_CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}
_ROUND_LABELS = {
    "pre_seed": "pre-seed round",
    "seed": "seed round",
    "pre_series_a": "pre-Series A",
    "series_a": "Series A",
    "series_b": "Series B",
    "series_c": "Series C",
    "series_d": "Series D",
    "series_e_plus": "Series E+ round",
    "bridge": "bridge round",
    "debt": "debt round",
    "growth": "growth round",
    "undisclosed": "round",
}
_TYPE_LABELS = {
    "funding_round": "Funding round",
    "acquisition": "Acquisition",
    "ipo": "IPO",
    "executive_hire": "Executive hire",
    "executive_departure": "Executive departure",
    "layoffs": "Layoffs",
    "expansion": "Expansion",
    "product_launch": "Product launch",
    "partnership": "Partnership",
    "champion_left": "Champion left",
    "champion_joined": "Champion joined",
    "acquired": "Acquired",
}


def alerts_from_batch(batch: Batch, accounts: Mapping[str, Account]) -> list[Alert]:
    """One alert per event in the batch, with its match, its CRM account (looked up in `accounts`,
    keyed by account_id) and the campaign segments it entered, in the batch's event order.

    Unmatched events become alerts too (subscriptions skip them unless `matched_only` is off); an
    event the batch repeats becomes one alert."""
    match_by_event: dict[str, Match] = {m.event_id: m for m in batch.matches}
    entries: dict[str, list[CampaignEntry]] = defaultdict(list)
    for entry in batch.entries:
        entries[entry.event_id].append(entry)
    out: list[Alert] = []
    seen: set[str] = set()
    for event in batch.events:
        if event.event_id in seen:
            continue
        seen.add(event.event_id)
        match = match_by_event.get(event.event_id)
        # Champion events know their account from the CRM contact, before any name matching.
        account_id = (match.account_id if match else None) or event.account_id
        account = accounts.get(account_id) if account_id else None
        account_name = (match.account_name if match and match.account_id else None) or (
            account.name if account else None
        )
        out.append(
            Alert(
                event=event,
                account_id=account_id,
                account_name=account_name,
                account=account,
                segments=sorted({e.segment for e in entries.get(event.event_id, ())}),
                match_score=match.score if match and match.account_id else None,
                match=match,
                entries=sorted(
                    entries.get(event.event_id, ()),
                    key=lambda e: (e.segment, e.account_id or "", e.to_json()),
                ),
            )
        )
    return out


def _one_of(wanted: Iterable[str], value: str | None) -> bool:
    wanted_set = {w.casefold() for w in wanted}
    if not wanted_set:
        return True
    return value is not None and value.strip().casefold() in wanted_set


def matches(subscription: Subscription, alert: Alert) -> bool:
    """Whether the subscription's filters let the alert through: every filter that is set must
    hold (types, segments, owner, account id, industry, account type, country, territory,
    minimum confidence, matched only)."""
    f = subscription.filters
    event = alert.event
    account = alert.account
    if f.matched_only and not alert.account_id:
        return False
    if event.confidence < f.min_confidence:
        return False
    if f.types and event.type not in f.types:
        return False
    if f.segments and not {s.casefold() for s in f.segments} & {s.casefold() for s in alert.segments}:
        return False
    checks = (
        (f.owners, account.owner if account else None),
        (f.account_ids, alert.account_id),
        (f.industries, account.industry if account else None),
        (f.account_types, account.type if account else None),
        (f.countries, account.country if account else None),
        (f.territories, account.territory if account else None),
    )
    return all(_one_of(wanted, value) for wanted, value in checks)


def _money(amount: float, currency: str | None) -> str:
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(amount) >= limit:
            number = f"{amount / limit:.1f}".removesuffix(".0") + suffix
            break
    else:
        number = f"{amount:,.0f}"
    code = (currency or "").upper()
    symbol = _CURRENCY_SYMBOLS.get(code)
    if symbol:
        return f"{symbol}{number}"
    return f"{code} {number}".strip()


def alert_company(alert: Alert) -> str:
    """The company the alert is about, as a person would name it."""
    return alert.event.company or alert.account_name or "An account"


def type_label(event_type: str) -> str:
    """A trigger type in words, e.g. "Funding round"."""
    return _TYPE_LABELS.get(event_type, event_type.replace("_", " ").capitalize())


def alert_title(alert: Alert) -> str:
    """A one-line headline, e.g. "Acme Robotics raised a $25M Series B"."""
    e = alert.event
    company = alert_company(alert)
    person = e.person or "Someone"
    role = f" as {e.title}" if e.title else ""
    match e.type:
        case "funding_round":
            money = _money(float(e.amount), e.currency) if e.amount else None
            label = _ROUND_LABELS.get(e.round or "", "")
            if money and label:
                return f"{company} raised a {money} {label}"
            if money:
                return f"{company} raised {money}"
            if label:
                return f"{company} raised a {label}"
            return f"{company} raised funding"
        case "acquisition":
            return (
                f"{company} acquisition of {e.counterparty}" if e.counterparty else f"{company} acquisition"
            )
        case "ipo":
            return f"{company} is going public"
        case "executive_hire":
            return f"{company} hired {person}{role}"
        case "executive_departure":
            return f"{person} left {company}" + (f" ({e.title})" if e.title else "")
        case "layoffs":
            return f"{company} announced layoffs"
        case "expansion":
            return f"{company} is expanding"
        case "product_launch":
            return f"{company} launched a product"
        case "partnership":
            return (
                f"{company} partnered with {e.counterparty}" if e.counterparty else f"{company} partnership"
            )
        case "champion_left":
            return f"Champion {person} left {company}"
        case "champion_joined":
            return f"Champion {person} joined {company}"
        case "acquired":
            return (
                f"{company} is being acquired by {e.counterparty}"
                if e.counterparty
                else f"{company} is being acquired"
            )
    return f"{company}: {type_label(e.type)}"
