"""Dead letters as a JSON Lines file: every record a run could not process, with why."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from schemas import DeadLetter
from sinks.base import Batch


class DeadLetterWriter:
    """A sink (name "dead_letters_jsonl") appending dead letters to a JSON Lines file.

    Each id is written once: ids already in the file (from this or an earlier run) are skipped, so
    writing the same batch twice, or re-running the same input, leaves the file as it was. Lines in
    the file that aren't dead letters are kept untouched.
    """

    name: ClassVar[str] = "dead_letters_jsonl"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._ids: set[str] | None = None

    def _known_ids(self) -> set[str]:
        if self._ids is None:
            self._ids = set()
            if self.path.exists():
                with self.path.open(encoding="utf-8", errors="replace") as handle:
                    for line in handle:
                        try:
                            record = json.loads(line)
                        except json.JSONDecodeError:
                            continue  # a torn or foreign line: keep it, it just has no id to remember
                        if isinstance(record, dict) and isinstance(record.get("id"), str):
                            self._ids.add(record["id"])
        return self._ids

    def write_dead_letters(self, dead_letters: Iterable[DeadLetter]) -> int:
        """Append the dead letters whose id the file doesn't have yet; returns how many were added."""
        known = self._known_ids()
        lines = []
        for letter in dead_letters:
            if letter.id in known:
                continue
            known.add(letter.id)
            lines.append(letter.to_json() + "\n")
        if lines:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self._ends_mid_line():
                lines.insert(0, "\n")  # an interrupted earlier write must not swallow our first line
            with self.path.open("a", encoding="utf-8") as handle:
                handle.writelines(lines)
        return len(lines)

    def _ends_mid_line(self) -> bool:
        if not self.path.exists() or self.path.stat().st_size == 0:
            return False
        with self.path.open("rb") as handle:
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) != b"\n"

    def write(self, batch: Batch) -> None:
        """Append the batch's dead letters (the Sink protocol)."""
        self.write_dead_letters(batch.dead_letters)

    def close(self) -> None:
        """Nothing to release: the file is closed after every write."""
