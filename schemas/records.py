"""pydantic v2 records: frozen, extra="forbid", timezone-aware datetimes, string ids.

Untrusted input (feeds, CSV rows, Kafka payloads) is validated into these at the edge; past the
edge, code trusts the types.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from schemas.clock import Clock, system_clock

NewsEventType = Literal[
    "funding_round",
    "acquisition",
    "ipo",
    "executive_hire",
    "executive_departure",
    "layoffs",
    "expansion",
    "product_launch",
    "partnership",
]
# champion_left / champion_joined come from matching people to CRM contacts, not from text;
# acquired is the acquired company's side of an acquisition (pipelines.core.acquired_event).
EventType = Literal[
    "funding_round",
    "acquisition",
    "ipo",
    "executive_hire",
    "executive_departure",
    "layoffs",
    "expansion",
    "product_launch",
    "partnership",
    "champion_left",
    "champion_joined",
    "acquired",
]
Role = Literal[
    "ceo",
    "cfo",
    "coo",
    "cto",
    "cio",
    "ciso",
    "cmo",
    "cro",
    "cpo",
    "chro",
    "president",
    "chair",
    "board",
    "vp_marketing",
    "vp_sales",
    "vp_engineering",
    "head_of_marketing",
    "head_of_sales",
    "country_manager",
    "other_exec",
]
Round = Literal[
    "pre_seed",
    "seed",
    "pre_series_a",
    "series_a",
    "series_b",
    "series_c",
    "series_d",
    "series_e_plus",
    "bridge",
    "debt",
    "growth",
    "undisclosed",
]

NEWS_EVENT_TYPES: tuple[str, ...] = get_args(NewsEventType)
EVENT_TYPES: tuple[str, ...] = get_args(EventType)
ROLES: tuple[str, ...] = get_args(Role)
ROUNDS: tuple[str, ...] = get_args(Round)
CURRENCIES_NOTE = "ISO 4217 code, e.g. USD, EUR, GBP, INR, SGD, CNY"


def fingerprint(*parts: Any) -> str:
    """A stable id from the given parts: the same parts give the same id in every run and process."""
    blob = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:24]


NUL = "\x00"


class Record(BaseModel):
    """Base of every record: immutable, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    def to_json(self) -> str:
        """One JSON Lines line (no newline), null fields kept so the shape is stable."""
        return self.model_dump_json()


def nul_fields(record: BaseModel, prefix: str = "") -> list[str]:
    """The fields of `record` (nested ones as "events.0.evidence") whose text holds a NUL character,
    which PostgreSQL refuses to store. Empty for nearly every record; see `sources.base.storable`."""
    found: list[str] = []
    stack: list[tuple[str, Any]] = [(f"{prefix}{name}", value) for name, value in record]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            if NUL in value:
                found.append(where)
        elif isinstance(value, BaseModel):
            stack.extend((f"{where}.{name}", v) for name, v in value)
        elif isinstance(value, list | tuple):
            stack.extend((f"{where}.{i}", v) for i, v in enumerate(value))
        elif isinstance(value, dict):
            stack.extend((f"{where}.{k}", v) for k, v in value.items())
            if any(isinstance(k, str) and NUL in k for k in value):
                found.append(where)
    return sorted(found)


def _in_utc_range(value: datetime) -> datetime:
    """A moment the store can hold: one that exists in UTC. "0001-01-01T00:00:00+14:00" is a valid
    ISO date whose UTC moment falls before year 1, and every comparison or write of it overflows."""
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError(
            f"{value.isoformat()} is outside the years 1-9999 once put in UTC; give a real date"
        ) from None
    return value


# A timezone-aware datetime that can be put in UTC (every stored moment is).
Moment = Annotated[AwareDatetime, AfterValidator(_in_utc_range)]


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


class Filing(Record):
    """What a regulatory filing (SEC EDGAR Form D or 8-K) states about the event it carries: the facts
    the filing gives in fields of its own, kept beside the contract's event fields. Every field is
    optional, so an event from news never has one and an event from a filing has what the form had."""

    form: str = Field(description='the form type as filed: "D", "D/A", "8-K", "8-K/A"')
    accession: str | None = Field(default=None, description="EDGAR accession number, 0000000000-YY-NNNNNN")
    cik: str | None = Field(default=None, description="the filer's Central Index Key, 10 digits")
    tickers: list[str] = Field(default_factory=list, description="the filer's tickers (company_tickers.json)")
    file_number: str | None = Field(default=None, description="SEC file number (a Form D offering's 021-...)")
    items: list[str] = Field(default_factory=list, description='8-K item numbers, e.g. ["5.02", "9.01"]')
    is_amendment: bool = False
    previous_accession: str | None = None
    total_offering: int | None = Field(default=None, description="Form D total offering (None if indefinite)")
    offering_indefinite: bool = False
    total_sold: int | None = None
    total_remaining: int | None = None
    date_of_first_sale: date | None = None
    first_sale_yet_to_occur: bool = False
    industry_group: str | None = None
    fund_type: str | None = None
    issuer_address: str | None = None
    related_persons: list[str] = Field(
        default_factory=list, description='"Name (Executive Officer, Director)"'
    )


class Document(Record):
    """A piece of text that may announce a trigger: a feed entry, a press release, a job-change post."""

    id: str = Field(min_length=1)
    title: str | None = None
    text: str | None = None
    url: str | None = None
    published_at: Moment | None = None
    source: str | None = None
    # Extension (README, "Record extensions"): events the source read from structured data, such as
    # an SEC filing's form fields; they are used as they are and the text detector skips the document.
    events: list[TriggerEvent] = Field(default_factory=list)

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_string(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) else v

    @field_validator("events", mode="before")
    @classmethod
    def _no_events_stored_as_null(cls, v: Any) -> Any:
        return [] if v is None else v

    @field_validator("published_at", mode="before")
    @classmethod
    def _naive_is_utc(cls, v: Any) -> Any:
        if isinstance(v, datetime):
            return _aware(v)
        if isinstance(v, str) and v and not _has_tz(v):
            return datetime.fromisoformat(v).replace(tzinfo=UTC)
        return v

    @model_serializer(mode="wrap")
    def _omit_no_events(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # A document without structured events serialises exactly as before the extension.
        data: dict[str, Any] = handler(self)
        if not self.events:
            data.pop("events", None)
        return data

    @model_validator(mode="after")
    def _needs_words(self) -> Document:
        if not (self.title or self.text):
            raise ValueError("a Document needs at least one of 'title' or 'text'")
        return self

    @property
    def content(self) -> str:
        """Title and body as one text, title first (what detectors read)."""
        parts = [p for p in (self.title, self.text) if p]
        return "\n\n".join(parts)


def _has_tz(s: str) -> bool:
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00")).tzinfo is not None
    except ValueError:
        return True  # let pydantic report the real parse error


class TriggerEvent(Record):
    """One buying trigger found in a document (CONTRACT.md: TriggerEvent)."""

    event_id: str
    document_id: str
    type: EventType
    company: str | None = None
    counterparty: str | None = None
    person: str | None = None
    title: str | None = None
    role: Role | None = None
    round: Round | None = None
    amount: int | float | None = None
    currency: str | None = None
    investors: list[str] = Field(default_factory=list)
    confidence: float = Field(ge=0.0, le=1.0)
    evidence: str
    published_at: Moment | None = None
    url: str | None = None
    source: str | None = None
    # Extensions beyond the contract's minimum (CONTRACT.md: "add options freely").
    sources: list[str] = Field(default_factory=list, description="every outlet that reported it (dedup)")
    contact_id: str | None = Field(default=None, description="CRM contact, for champion_* events")
    account_id: str | None = Field(default=None, description="account known at detection, for champion_*")
    filing: Filing | None = Field(default=None, description="the filing's own facts, for events from filings")

    @model_serializer(mode="wrap")
    def _omit_no_filing(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # An event that did not come from a filing serialises exactly as before the extension.
        data: dict[str, Any] = handler(self)
        if self.filing is None:
            data.pop("filing", None)
        return data

    @field_validator("amount")
    @classmethod
    def _whole_amounts(cls, v: int | float | None) -> int | float | None:
        if v is not None and float(v).is_integer():
            return int(v)
        return v

    @staticmethod
    def make_id(document_id: str, type_: str, *key: Any) -> str:
        """The stable event fingerprint: same document, type and key fields give the same id."""
        return fingerprint("event", document_id, type_, *key)


Document.model_rebuild()  # its `events` field names TriggerEvent, defined after it


class Account(Record):
    """A CRM account (company) from an accounts export."""

    account_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    domain: str | None = None
    owner: str | None = None
    industry: str | None = None
    type: str | None = None  # e.g. Customer, Prospect
    country: str | None = None
    territory: str | None = None
    aliases: list[str] = Field(default_factory=list)
    extra: dict[str, str] = Field(default_factory=dict)


class Contact(Record):
    """A CRM contact (person) from a contacts export."""

    contact_id: str = Field(min_length=1)
    first_name: str | None = None
    last_name: str | None = None
    full_name: str = Field(min_length=1)
    email: str | None = None
    title: str | None = None
    account_id: str | None = None
    company: str | None = None
    owner: str | None = None


class Opportunity(Record):
    """A CRM opportunity (deal) from an opportunities export."""

    opportunity_id: str = Field(min_length=1)
    account_id: str | None = None
    name: str | None = None
    stage: str | None = None
    amount: float | None = None
    created_date: date | None = None
    close_date: date | None = None
    is_won: bool | None = None
    is_closed: bool | None = None
    owner: str | None = None


class JobChange(Record):
    """A job-change post: someone took a new role, maybe at a new company."""

    id: str = Field(min_length=1)
    person: str = Field(min_length=1)
    new_title: str | None = None
    new_company: str | None = None
    previous_company: str | None = None
    changed_at: Moment | None = None
    url: str | None = None
    source: str | None = None


class FeedState(Record):
    """What a feed's last fetch left behind, so the next fetch can be conditional."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: Moment | None = None
    status: int | None = None


class MatchCandidate(Record):
    account_id: str
    account_name: str
    score: float


ReviewReason = Literal["tie", "near_miss"]


class Match(Record):
    """The CRM account an event's company was joined to (or none), and why."""

    event_id: str
    company: str | None = None
    account_id: str | None = None
    account_name: str | None = None
    score: float = Field(ge=0.0, le=100.0)
    # cik | ticker | domain | name_exact | domain_name | alias | fuzzy | contact | review | none
    method: str
    ambiguous: bool = False
    candidates: list[MatchCandidate] = Field(default_factory=list)
    matched_by: str | None = Field(
        default=None,
        description='why the account was assigned, in words: "domain clay.com (the event\'s link)", '
        '"exact name", "alias", "fuzzy name score 91.2", ...; None when no account is assigned',
    )
    review_reason: ReviewReason | None = Field(
        default=None,
        description='why a person should decide: "tie" (two or more accounts fit alike, ambiguous=True) '
        'or "near_miss" (the best candidate scored just under the threshold); None otherwise',
    )


class Segment(Record):
    """A campaign segment: which triggers, how recent, and optional account filters."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str | None = None
    types: list[EventType] = Field(default_factory=list, description="empty = any type")
    rounds: list[Round] = Field(default_factory=list)
    roles: list[Role] = Field(default_factory=list)
    days: int = Field(gt=0)
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    owner: list[str] = Field(default_factory=list)
    industry: list[str] = Field(default_factory=list)
    account_type: list[str] = Field(default_factory=list)
    country: list[str] = Field(default_factory=list)
    matched_only: bool = True
    personas: list[str] = Field(
        default_factory=list,
        description='title keywords for the people list, e.g. ["marketing", "demand gen"]; empty = everyone',
    )


class CampaignEntry(Record):
    """One row of a campaign list: an account with a recent trigger (one row per account and
    segment: its latest qualifying event, with how many it had in the window), or an unmatched event
    for segments that list those (`matched_only = false`)."""

    segment: str
    account_id: str | None
    account_name: str | None
    owner: str | None
    trigger_type: EventType
    event_date: date
    days_since_event: int
    company: str | None
    evidence: str
    url: str | None
    event_id: str
    confidence: float
    domain: str | None = None
    trigger_count: int = Field(default=1, ge=1, description="qualifying events of the account in the window")
    person: str | None = None
    title: str | None = None
    role: Role | None = None
    round: Round | None = None
    amount: int | float | None = None
    currency: str | None = None
    investors: list[str] = Field(default_factory=list)
    counterparty: str | None = None
    contact_id: str | None = Field(default=None, description="the CRM contact who moved, for champion_*")
    matched_by: str | None = Field(
        default=None, description="why the account was assigned (Match.matched_by)"
    )

    @field_validator("amount")
    @classmethod
    def _whole_amounts(cls, v: int | float | None) -> int | float | None:
        # The store keeps amounts as floats: 25000000.0 reads back as 25000000, as in the event.
        if v is not None and float(v).is_integer():
            return int(v)
        return v


class CampaignPerson(Record):
    """One row of a people list: a CRM contact at an account of a campaign list (or the champion
    who moved), with the trigger that put the account there."""

    segment: str
    contact_id: str
    first_name: str | None = None
    last_name: str | None = None
    full_name: str
    email: str | None = None
    title: str | None = None
    account_id: str | None = None
    account_name: str | None = None
    domain: str | None = None
    owner: str | None = None
    reason: Literal["champion", "persona", "contact"]
    trigger_type: EventType
    event_date: date
    event_id: str
    trigger_person: str | None = None
    trigger_title: str | None = None
    evidence: str
    url: str | None = None
    matched_by: str | None = Field(
        default=None, description="why the account was assigned (Match.matched_by)"
    )


class DeadLetter(Record):
    """A record that could not be processed, kept with why, so nothing is silently dropped."""

    id: str
    stage: str  # source | trigger | match | sink | stream
    component: str  # e.g. "rss:techcrunch", "crm:accounts.csv"
    error: str
    payload: str
    occurred_at: AwareDatetime = Field(default_factory=system_clock)

    @classmethod
    def of(
        cls,
        stage: str,
        component: str,
        error: str | BaseException,
        payload: Any,
        *,
        clock: Clock = system_clock,
    ) -> DeadLetter:
        """A dead letter whose id is stable for the same stage, component and payload, stamped by `clock`.
        A NUL in the payload or the error is kept visible as the four characters \\x00 (the store
        refuses the character itself, and a dead letter must always be storable)."""
        text = payload if isinstance(payload, str) else json.dumps(payload, default=str, ensure_ascii=False)
        message = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
        text, message, component = (_visible_nul(v) for v in (text, message, component))
        return cls(
            id=fingerprint("dead", stage, component, text),
            stage=stage,
            component=component,
            error=message,
            payload=text,
            occurred_at=clock(),
        )


def _visible_nul(text: str) -> str:
    return text.replace(NUL, "\\x00") if NUL in text else text
