"""The record types every stage of buysignal speaks (see CONTRACT.md), and the little every folder
shares with them: the clock, the errors, the retry rules, the private-address check.

Only pydantic (and the standard library) is imported here: this is the floor every folder stands on.
"""

from __future__ import annotations

from schemas.clock import Clock, fixed_clock, system_clock, today
from schemas.errors import ConfigError
from schemas.records import (
    CURRENCIES_NOTE,
    EVENT_TYPES,
    NEWS_EVENT_TYPES,
    ROLES,
    ROUNDS,
    Account,
    CampaignEntry,
    CampaignPerson,
    Contact,
    DeadLetter,
    Document,
    EventType,
    FeedState,
    Filing,
    JobChange,
    Match,
    MatchCandidate,
    Opportunity,
    Record,
    ReviewReason,
    Role,
    Round,
    Segment,
    TriggerEvent,
    fingerprint,
    nul_fields,
)

# The older name of `system_clock`; new code takes a `Clock` instead of calling either.
utcnow = system_clock

__all__ = [
    "CURRENCIES_NOTE",
    "EVENT_TYPES",
    "NEWS_EVENT_TYPES",
    "ROLES",
    "ROUNDS",
    "Account",
    "CampaignEntry",
    "CampaignPerson",
    "Clock",
    "ConfigError",
    "Contact",
    "DeadLetter",
    "Document",
    "FeedState",
    "Filing",
    "EventType",
    "JobChange",
    "Match",
    "MatchCandidate",
    "Opportunity",
    "Record",
    "ReviewReason",
    "Role",
    "Round",
    "Segment",
    "TriggerEvent",
    "fingerprint",
    "fixed_clock",
    "nul_fields",
    "system_clock",
    "today",
    "utcnow",
]
