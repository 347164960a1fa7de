"""What every source is: something that reads records from the outside world."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import ClassVar, Protocol, runtime_checkable

from schemas import Account, Contact, DeadLetter, Document, FeedState, JobChange, Opportunity, nul_fields
from schemas.errors import ConfigError

__all__ = ["ConfigError", "FeedStateStore", "Source", "SourceItem", "storable"]  # ConfigError: its old home

SourceItem = Document | Account | Contact | Opportunity | JobChange | DeadLetter


@runtime_checkable
class Source(Protocol):
    """A connector. `read` yields validated records; a bad entry or row is yielded as a DeadLetter
    (stage "source") and reading goes on. Only configuration that can't work raises (ConfigError)."""

    name: ClassVar[str]

    def read(self) -> Iterator[SourceItem]: ...


class FeedStateStore(Protocol):
    """Where conditional-GET state (ETag / Last-Modified) is remembered between runs."""

    def get_feed_state(self, url: str) -> FeedState | None: ...

    def set_feed_state(self, state: FeedState) -> None: ...


def storable(items: Iterable[SourceItem], component: str) -> Iterator[SourceItem]:
    """A source's items as they are, except a record no database can keep: one whose text holds a
    NUL character (PostgreSQL refuses it; SQLite would keep it and make the two differ). That
    record becomes a DeadLetter (stage "source") naming `component`, the record and the field, so
    it costs itself only, at the edge, on either database."""
    for item in items:
        bad = [] if isinstance(item, DeadLetter) else nul_fields(item)
        if not bad:
            yield item
            continue
        key = getattr(item, "id", None) or next(
            (getattr(item, k) for k in ("account_id", "contact_id", "opportunity_id") if hasattr(item, k)),
            "?",
        )
        yield DeadLetter.of(
            "source",
            component,
            f"{component}: {type(item).__name__} {key} has a NUL character (\\x00) in {', '.join(bad)}, "
            "which databases can't store; remove it from the input",
            item.model_dump_json(),
        )
