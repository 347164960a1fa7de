"""The record types every stage of buysignal speaks (see CONTRACT.md).

Only pydantic is imported here: these records are the one thing every folder shares.
"""

from __future__ import annotations

from schemas.records import (
    CURRENCIES_NOTE,
    EVENT_TYPES,
    NEWS_EVENT_TYPES,
    ROLES,
    ROUNDS,
    Account,
    CampaignEntry,
    Contact,
    DeadLetter,
    Document,
    EventType,
    FeedState,
    JobChange,
    Match,
    MatchCandidate,
    Opportunity,
    Record,
    Role,
    Round,
    Segment,
    TriggerEvent,
    fingerprint,
    utcnow,
)

__all__ = [
    "CURRENCIES_NOTE",
    "EVENT_TYPES",
    "NEWS_EVENT_TYPES",
    "ROLES",
    "ROUNDS",
    "Account",
    "CampaignEntry",
    "Contact",
    "DeadLetter",
    "Document",
    "FeedState",
    "EventType",
    "JobChange",
    "Match",
    "MatchCandidate",
    "Opportunity",
    "Record",
    "Role",
    "Round",
    "Segment",
    "TriggerEvent",
    "fingerprint",
    "utcnow",
]
