"""What every sink is: somewhere results go at the end of a run (or continuously, when streaming)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Protocol, runtime_checkable

from schemas import CampaignEntry, DeadLetter, Document, Match, TriggerEvent


@dataclass
class Batch:
    """What one run (or one streaming micro-batch) produced."""

    documents: Sequence[Document] = field(default_factory=list)
    events: Sequence[TriggerEvent] = field(default_factory=list)
    matches: Sequence[Match] = field(default_factory=list)
    entries: Sequence[CampaignEntry] = field(default_factory=list)
    dead_letters: Sequence[DeadLetter] = field(default_factory=list)


@runtime_checkable
class Sink(Protocol):
    """Receives batches. Writing the same batch twice must leave the same result (idempotent)."""

    name: ClassVar[str]

    def write(self, batch: Batch) -> None: ...

    def close(self) -> None: ...
