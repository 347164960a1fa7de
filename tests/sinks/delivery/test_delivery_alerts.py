"""Alerts from a batch, subscription filters, and how an alert reads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schemas import Account
from sinks.base import Batch
from sinks.delivery.alerts import alert_title
from sinks.delivery.api import Alert, Subscription, SubscriptionFilters, alerts_from_batch, matches


def _subscription(**filters: object) -> Subscription:
    now = datetime(2026, 11, 25, tzinfo=UTC)
    return Subscription(
        subscription_id="s1",
        name="test",
        owner="dana@example.com",
        filters=SubscriptionFilters.model_validate(filters),
        created_at=now,
        updated_at=now,
    )


def test_an_alert_carries_event_match_account_and_segments(alerts: list[Alert]) -> None:
    by_id = {a.alert_id: a for a in alerts}
    assert list(by_id) == ["ev-funding-acme", "ev-hire-borealis", "ev-layoffs-cobalt", "ev-ipo-unknown"]
    acme = by_id["ev-funding-acme"]
    assert acme.account_id == "A1" and acme.account_name == "Acme Robotics"
    assert acme.account is not None and acme.account.territory == "EMEA"
    assert acme.owner == "dana@example.com"
    assert acme.segments == ["emea_any", "funded_30d"]
    assert by_id["ev-layoffs-cobalt"].segments == []
    unmatched = by_id["ev-ipo-unknown"]
    assert unmatched.account_id is None and unmatched.account is None and unmatched.owner is None


def test_a_repeated_event_gives_one_alert_and_champion_events_keep_their_account(
    batch: Batch, accounts: dict[str, Account]
) -> None:
    champion = batch.events[1].model_copy(
        update={"event_id": "ev-champ", "type": "champion_left", "account_id": "A2"}
    )
    doubled = Batch(
        events=[*batch.events, batch.events[0], champion], matches=batch.matches, entries=batch.entries
    )
    alerts = alerts_from_batch(doubled, accounts)
    assert [a.alert_id for a in alerts].count("ev-funding-acme") == 1
    champ = next(a for a in alerts if a.alert_id == "ev-champ")
    assert champ.account_id == "A2" and champ.account_name == "Borealis Bank"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, {"ev-funding-acme", "ev-hire-borealis", "ev-layoffs-cobalt"}),
        (
            {"matched_only": False},
            {"ev-funding-acme", "ev-hire-borealis", "ev-layoffs-cobalt", "ev-ipo-unknown"},
        ),
        ({"types": ["funding_round", "ipo"]}, {"ev-funding-acme"}),
        ({"segments": ["NEW_EXECS"]}, {"ev-hire-borealis"}),
        ({"owners": ["Dana@Example.com"]}, {"ev-funding-acme", "ev-layoffs-cobalt"}),
        ({"territories": ["emea"], "min_confidence": 0.6}, {"ev-funding-acme"}),
        ({"industries": ["Financial Services"]}, {"ev-hire-borealis"}),
        ({"account_types": ["customer"]}, {"ev-hire-borealis"}),
        ({"countries": ["GB", "US"]}, {"ev-hire-borealis", "ev-layoffs-cobalt"}),
        ({"account_ids": ["A3"]}, {"ev-layoffs-cobalt"}),
        ({"owners": ["nobody@example.com"]}, set()),
        ({"owners": ["", "  "]}, {"ev-funding-acme", "ev-hire-borealis", "ev-layoffs-cobalt"}),
    ],
)
def test_filters_choose_the_alerts(
    alerts: list[Alert], filters: dict[str, object], expected: set[str]
) -> None:
    sub = _subscription(**filters)
    assert {a.alert_id for a in alerts if matches(sub, a)} == expected


def test_titles_read_like_headlines(alerts: list[Alert]) -> None:
    titles = {a.alert_id: alert_title(a) for a in alerts}
    assert titles["ev-funding-acme"] == "Acme Robotics raised a $25M Series B"
    assert titles["ev-hire-borealis"] == "Borealis Bank hired Maya Chen as Chief Information Officer"
    assert titles["ev-layoffs-cobalt"] == "Cobalt & Sons <Ltd> announced layoffs"
    seed = alerts[0].model_copy(
        update={
            "event": alerts[0].event.model_copy(
                update={"amount": 1_500_000, "currency": "EUR", "round": "seed"}
            )
        }
    )
    assert alert_title(seed) == "Acme Robotics raised a €1.5M seed round"


def test_an_acquired_alert_names_the_new_owner(alerts: list[Alert]) -> None:
    acquired = alerts[0].model_copy(
        update={
            "event": alerts[0].event.model_copy(
                update={
                    "type": "acquired",
                    "company": "Informatica",
                    "counterparty": "Salesforce",
                    "round": None,
                }
            )
        }
    )
    assert alert_title(acquired) == "Informatica is being acquired by Salesforce"
    sub = _subscription(types=["acquired"])
    assert matches(sub, acquired) and not matches(sub, alerts[0])
