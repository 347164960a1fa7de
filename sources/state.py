"""Feed state stores (ETag / Last-Modified between runs) that need no database.

The SQL store in `sinks/` is the production FeedStateStore; these two serve tests, one-off runs and
`buysignal ingest rss` without a store.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from schemas import FeedState
from schemas.errors import ConfigError


class MemoryFeedState:
    """A FeedStateStore kept in a dict: forgotten when the process ends (tests, single runs)."""

    def __init__(self, states: dict[str, FeedState] | None = None) -> None:
        self.states: dict[str, FeedState] = dict(states or {})

    def get_feed_state(self, url: str) -> FeedState | None:
        """The state last stored for `url`, or None if the feed was never fetched."""
        return self.states.get(url)

    def set_feed_state(self, state: FeedState) -> None:
        """Remember `state` for its feed, replacing what was there."""
        self.states[state.url] = state


class JsonFileFeedState(MemoryFeedState):
    """A FeedStateStore kept in one JSON file, so repeated `ingest rss` runs fetch conditionally."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        states: dict[str, FeedState] = {}
        if self.path.exists():
            try:
                raw = json.loads(self.path.read_text(encoding="utf-8"))
                states = {url: FeedState.model_validate(value) for url, value in raw.items()}
            except (OSError, ValueError, AttributeError) as exc:
                raise ConfigError(
                    f"feed state file {self.path} is unreadable ({exc}); delete it to start afresh"
                ) from exc
        super().__init__(states)

    def set_feed_state(self, state: FeedState) -> None:
        """Remember `state` and write the file at once (atomically, so a crash can't corrupt it)."""
        super().set_feed_state(state)
        payload = {url: s.model_dump(mode="json") for url, s in sorted(self.states.items())}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=self.path.name, dir=self.path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, indent=1, ensure_ascii=False)
        os.replace(tmp, self.path)
