"""Feeding the raw topic: poll the configured sources on an interval and publish only new documents.

Feeds are fetched with conditional GET (the store remembers each feed's ETag / Last-Modified), so an
unchanged feed costs one 304. What counts as published: every document already in the store (the
worker wrote it) plus what this process published since it started; after a restart, documents that
were published but not yet processed are published again, which is harmless (the worker's writes
are idempotent on the document id).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pipelines.config import Config
from schemas import DeadLetter, Document, JobChange
from sources.base import storable

log = logging.getLogger("buysignal.stream")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class FeedPoller:
    """Reads every configured source once per `poll()`; returns the documents not published yet."""

    def __init__(self, cfg: Config, store: Any) -> None:
        self.cfg = cfg
        self.store = store
        self.published: set[str] | None = None
        self.skipped_job_changes = 0

    def _known_ids(self) -> set[str]:
        ids = getattr(self.store, "document_ids", None)
        if callable(ids):
            return set(ids())
        return {d.id for d in self.store.documents()}

    def poll(self) -> tuple[list[Document], list[DeadLetter]]:
        """One pass over the sources: (new documents, dead letters). Dead letters are stored here."""
        from pipelines.runners.batch import build_source

        if self.published is None:
            self.published = self._known_ids()
        fresh: dict[str, Document] = {}
        dead: list[DeadLetter] = []
        for spec in self.cfg.sources:
            source = build_source(spec, self.cfg.base_dir, self.store)
            for item in storable(source.read(), f"{spec.type}:{spec.name}" if spec.name else spec.type):
                if isinstance(item, Document):
                    if item.id not in self.published:
                        fresh.setdefault(item.id, item)
                elif isinstance(item, DeadLetter):
                    dead.append(item)
                elif isinstance(item, JobChange):
                    # The documents topic carries Documents only; job changes go through `buysignal run`.
                    self.skipped_job_changes += 1
        if dead:
            self.store.add_dead_letters(dead)
        if self.skipped_job_changes:
            log.info(
                "stream poller: %d job changes left to the batch run (the stream carries documents)",
                self.skipped_job_changes,
            )
        # Oldest first, whatever order the feeds list them in (usually newest first): the worker keeps
        # the first report of an event as its id, as the batch run does.
        ordered = sorted(fresh.values(), key=lambda d: (d.published_at or _EPOCH, d.id))
        return ordered, dead

    def remember(self, docs: Iterable[Document]) -> None:
        """Mark documents as published (call once the broker has them)."""
        if self.published is None:
            self.published = self._known_ids()
        self.published.update(d.id for d in docs)
