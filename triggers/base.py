"""What every trigger detector is: Documents in, TriggerEvents out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import ClassVar, Protocol, runtime_checkable

from schemas import Document, TriggerEvent


@runtime_checkable
class TriggerDetector(Protocol):
    """Finds the buying triggers a document announces. Load once (it may hold a spaCy pipeline),
    then call many times; `detect_many` batches for speed and keeps input order."""

    name: ClassVar[str]

    def detect(self, doc: Document) -> list[TriggerEvent]: ...

    def detect_many(
        self, docs: Iterable[Document], batch_size: int = 256
    ) -> Iterator[tuple[Document, list[TriggerEvent]]]: ...
