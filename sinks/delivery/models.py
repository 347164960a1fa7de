"""The delivery records: subscriptions, their channels, alerts and what delivering them did.

These are the shapes the server, the CLI and the config loader exchange with `sinks.delivery.api`.
Like `schemas/`, they are pydantic v2, frozen, strict about unknown fields and timezone-aware.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from schemas import Account, CampaignEntry, EventType, Match, TriggerEvent

ChannelKind = Literal["slack", "webhook", "email"]
DigestPeriod = Literal["daily", "weekly"]
DeliveryStatus = Literal["pending", "sent", "dead"]
SubscriptionOrigin = Literal["api", "config"]

CHANNEL_KINDS: tuple[str, ...] = ("slack", "webhook", "email")
# Channels one subscription may have: a handful is normal; hundreds would make one subscription a
# fan-out amplifier (each alert is one request per channel).
MAX_CHANNELS = 20
MAX_TARGET_CHARS = 2048
MAX_EMAIL_CHARS = 254  # RFC 5321's limit on a forward path
# Bidirectional overrides and isolates: they make text display differently from what it says.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_EMAIL = re.compile(r"^[^@\s<>,;\"()\[\]\\]+@[^@\s<>,;\"()\[\]\\]+$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def _clean_list(values: list[str]) -> list[str]:
    # Blank strings from a form or a config file mean "nothing", not "match the empty value".
    return [v.strip() for v in values if v and v.strip()]


def unsafe_character(text: str) -> str | None:
    """A description of the first character in `text` that must not reach a header or a chat
    message (control characters such as CR and LF, line and paragraph separators, bidirectional
    overrides), or None when there is none."""
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cc", "Zl", "Zp") or char in _BIDI_CONTROLS:
            return f"U+{ord(char):04X} ({unicodedata.name(char, 'a control character')})"
    return None


def plain_text(value: str, what: str) -> str:
    """`value` if it is one line of plain text; ValueError naming `what` and the character otherwise.

    Names and owners go into email subjects, Slack messages and feed titles: a CR/LF there would
    break (or forge) a header, so it is refused where the value comes in, not where it is sent."""
    bad = unsafe_character(value)
    if bad is not None:
        raise ValueError(f"{what} must be one line of plain text; it contains {bad}")
    return value


def check_email_address(value: str, *, dotted_domain: bool = True) -> str:
    """`value` if it is a plain email address usable as a To/From header; ValueError otherwise.
    `dotted_domain=False` also takes a bare host name (a sender such as buysignal@localhost)."""
    plain_text(value, "an email address")
    dotted = "." in value.rpartition("@")[2].strip(".")
    if len(value) > MAX_EMAIL_CHARS or not _EMAIL.match(value) or (dotted_domain and not dotted):
        raise ValueError("must be a plain email address such as ana@example.com")
    try:
        Address(addr_spec=value)
    except (HeaderParseError, ValueError, IndexError) as exc:
        raise ValueError(f"is not a usable email address ({exc})") from None
    return value


class SubscriptionFilters(_Frozen):
    """Which alerts a subscription wants. Every non-empty list must contain the alert's value
    (string comparisons ignore case); empty lists and None mean "any"."""

    types: list[EventType] = Field(default_factory=list, description="trigger types, e.g. funding_round")
    segments: list[str] = Field(default_factory=list, description="campaign segments the alert entered")
    owners: list[str] = Field(default_factory=list, description="account owner (the rep), as in the CRM")
    account_ids: list[str] = Field(default_factory=list)
    industries: list[str] = Field(default_factory=list)
    account_types: list[str] = Field(default_factory=list, description="e.g. Customer, Prospect")
    countries: list[str] = Field(default_factory=list)
    territories: list[str] = Field(default_factory=list)
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    matched_only: bool = Field(default=True, description="only events joined to a CRM account")

    @field_validator(
        "segments", "owners", "account_ids", "industries", "account_types", "countries", "territories"
    )
    @classmethod
    def _no_blanks(cls, v: list[str]) -> list[str]:
        return _clean_list(v)


ACCOUNT_FILTERS: dict[str, str] = {
    "owners": "owner",
    "industries": "industry",
    "account_types": "type",
    "countries": "country",
    "territories": "territory",
}
"""Filters on a CRM account field -> that `schemas.Account` field: a filter on a field the CRM export
does not fill can never let an alert through (see `repository.check_filters`)."""


def check_filter_text(filters: SubscriptionFilters) -> None:
    """ValueError when a filter value holds a control character (checked where filters come in;
    stored filters are read as they are)."""
    for name in (
        "segments",
        "owners",
        "account_ids",
        "industries",
        "account_types",
        "countries",
        "territories",
    ):
        for value in getattr(filters, name):
            plain_text(value, f"filters.{name}")


class ChannelSpec(_Frozen):
    """What to create: where alerts go.

    - slack: `target` is a Slack-compatible incoming-webhook URL (one message per alert).
    - webhook: `target` is any http(s) URL; each alert is POSTed as JSON, signed with HMAC-SHA256 of
      the raw body using `secret` (generated when left out).
    - email: `target` is an email address; one digest per `period` (daily or weekly).
    """

    kind: ChannelKind
    target: str = Field(min_length=1, max_length=MAX_TARGET_CHARS)
    secret: str | None = Field(
        default=None, min_length=1, max_length=256, description="HMAC secret for kind=webhook"
    )
    period: DigestPeriod | None = Field(default=None, description="for kind=email; default daily")

    @field_validator("target")
    @classmethod
    def _one_token(cls, v: str) -> str:
        plain_text(v, "target")
        if any(ch.isspace() for ch in v):
            raise ValueError("target must not contain spaces")
        return v

    @field_validator("secret")
    @classmethod
    def _printable_secret(cls, v: str | None) -> str | None:
        if v is not None and not (v.isascii() and v.isprintable() and " " not in v):
            raise ValueError("secret must be printable ASCII without spaces")
        return v


class Channel(_Frozen):
    """A channel as stored. `target` is shown redacted (a webhook URL's path and query carry its
    secret); `secret` is only filled in the answer to the call that created the channel."""

    channel_id: str
    subscription_id: str
    kind: ChannelKind
    target: str
    period: DigestPeriod | None = None
    has_secret: bool = False
    secret: str | None = None
    disabled: bool = False
    disabled_reason: str | None = None
    disabled_at: AwareDatetime | None = None
    consecutive_failures: int = 0
    consecutive_dead: int = 0
    created_at: AwareDatetime


class SubscriptionSpec(_Frozen):
    """What to create or replace: a named subscription of one owner (the rep)."""

    name: str = Field(min_length=1, max_length=200)
    owner: str = Field(min_length=1, max_length=200)
    filters: SubscriptionFilters = Field(default_factory=SubscriptionFilters)
    channels: list[ChannelSpec] = Field(default_factory=list, max_length=MAX_CHANNELS)

    @field_validator("name", "owner")
    @classmethod
    def _one_line(cls, v: str, info: object) -> str:
        return plain_text(v, getattr(info, "field_name", None) or "value")

    @field_validator("filters")
    @classmethod
    def _plain_filters(cls, v: SubscriptionFilters) -> SubscriptionFilters:
        check_filter_text(v)
        return v


class Subscription(_Frozen):
    """A subscription as stored. Every subscription has a private Atom feed; `feed_token` (the
    secret part of its URL) is only filled in the answer to the call that created or rotated it."""

    subscription_id: str
    name: str
    owner: str
    filters: SubscriptionFilters
    channels: list[Channel] = Field(default_factory=list)
    origin: SubscriptionOrigin = "api"
    feed_token: str | None = None
    created_at: AwareDatetime
    updated_at: AwareDatetime


class Alert(_Frozen):
    """An event worth telling someone about: the event, its match, the account and the segments it
    entered. `alert_id` is the event id (one match per event, so one alert per event). The one alert
    type: subscriptions filter these, and the stream's alerts topic carries the `actionable` ones."""

    event: TriggerEvent
    account_id: str | None = None
    account_name: str | None = None
    account: Account | None = None
    segments: list[str] = Field(default_factory=list)
    match_score: float | None = None
    match: Match | None = None
    entries: list[CampaignEntry] = Field(default_factory=list, description="its campaign-list rows")
    created_at: AwareDatetime | None = Field(default=None, description="when it was first enqueued")

    @property
    def alert_id(self) -> str:
        """The stable id of this alert (the event id)."""
        return self.event.event_id

    @property
    def actionable(self) -> bool:
        """Whether a seller can act on it: it found an account or entered a campaign segment."""
        return bool(self.account_id or self.segments)

    def to_json(self) -> str:
        """The alert as a message (the stream's alerts topic): id, event, match, segments, entries."""
        return json.dumps(
            {
                "alert_id": self.alert_id,
                "event": self.event.model_dump(mode="json"),
                "match": self.match.model_dump(mode="json") if self.match else None,
                "account_id": self.account_id,
                "account_name": self.account_name,
                "segments": self.segments,
                "entries": [e.model_dump(mode="json") for e in self.entries],
            },
            ensure_ascii=False,
        )

    @property
    def owner(self) -> str | None:
        """The account owner (the rep), when the event was matched to an account that has one."""
        return self.account.owner if self.account else None


class Delivery(_Frozen):
    """One alert (or one digest) for one channel: what was tried and how it ended."""

    idempotency_key: str
    subscription_id: str
    channel_id: str
    kind: ChannelKind
    alert_id: str | None = Field(default=None, description="None for an email digest")
    period: str | None = Field(default=None, description="digest period, e.g. 2026-11-24 or 2026-W48")
    status: DeliveryStatus
    attempts: int = 0
    next_attempt_at: AwareDatetime | None = None
    last_error: str | None = None
    sent_at: AwareDatetime | None = None
    created_at: AwareDatetime


class DeliveryReport(_Frozen):
    """What one `deliver_due()` pass did."""

    attempted: int = 0
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    skipped_disabled: int = 0
    digests_created: int = 0
    disabled_channels: list[str] = Field(default_factory=list, description="channel ids disabled now")
    errors: list[str] = Field(default_factory=list, description="redacted, one per failed attempt")


class ApiToken(_Frozen):
    """An API token as stored (never the token itself): a rep's (`owner`), or an admin's."""

    token_id: str
    name: str
    owner: str | None = None
    admin: bool = False
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class Principal(_Frozen):
    """Who a live API token speaks for: one rep (`owner`), or an admin who sees everything."""

    token_id: str
    name: str
    owner: str | None = None
    admin: bool = False

    def may_see(self, owner: str) -> bool:
        """Whether this token may see and change a subscription (and its channels, deliveries and
        feed) owned by `owner`."""
        return self.admin or (self.owner is not None and self.owner == owner)
