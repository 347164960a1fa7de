"""What every source is: something that reads records from the outside world."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar, Protocol, runtime_checkable

from schemas import Account, Contact, DeadLetter, Document, FeedState, JobChange, Opportunity

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


class ConfigError(ValueError):
    """Configuration or input layout that can't work: the CLI reports it and exits 2."""
