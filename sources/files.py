"""Documents from a JSON Lines file or stdin: what `buysignal classify` reads.

One JSON object per line (CONTRACT.md: Document). Keys a Document doesn't have (labels, notes) are
ignored, so labelled or enriched files can be fed in as they are; a line that is not JSON, not
UTF-8, or has no id or no words becomes a DeadLetter naming its line number.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, ClassVar

from pydantic import ValidationError

from schemas import DeadLetter, Document, nul_fields
from schemas.errors import ConfigError
from sources import safejson
from sources.base import SourceItem

__all__ = ["DOCUMENT_FIELDS", "DocumentsFileSource", "iter_documents", "iter_json_lines"]

log = logging.getLogger("buysignal.sources.files")

DOCUMENT_FIELDS = frozenset(Document.model_fields)


def iter_json_lines(lines: Iterable[str | bytes], component: str) -> Iterator[tuple[int, Any] | DeadLetter]:
    """(line number, parsed JSON value) per non-blank line; a line that is not UTF-8 or not JSON is a
    DeadLetter (stage "source") with its line number, and reading goes on."""
    for number, raw in enumerate(lines, start=1):
        if isinstance(raw, bytes):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield DeadLetter.of(
                    "source",
                    component,
                    f"{component} line {number}: not UTF-8 ({exc.reason} at byte {exc.start}); "
                    "re-save the file as UTF-8",
                    raw.decode("utf-8", errors="replace"),
                )
                continue
        else:
            line = raw
        if number == 1:
            line = line.removeprefix("\ufeff")
        if not line.strip():
            continue
        try:
            value = safejson.loads(line)
        except ValueError as exc:  # not JSON, or nested deeper than any record (safejson.MAX_JSON_DEPTH)
            yield DeadLetter.of(
                "source",
                component,
                f"{component} line {number}: not valid JSON ({exc})",
                line.rstrip("\r\n")[:10_000],
            )
            continue
        yield number, value


def iter_documents(stream: Iterable[str | bytes], component: str) -> Iterator[Document | DeadLetter]:
    """Documents from JSON Lines (a file, stdin, any iterable of lines, text or bytes); each bad line
    becomes a DeadLetter with its line number under `component`, and reading goes on."""
    ignored: set[str] = set()
    for item in iter_json_lines(stream, component):
        if isinstance(item, DeadLetter):
            yield item
            continue
        number, value = item
        if not isinstance(value, dict):
            yield DeadLetter.of(
                "source",
                component,
                f"{component} line {number}: expected a JSON object (a Document), got {type(value).__name__}",
                value,
            )
            continue
        ignored.update(k for k in value if k not in DOCUMENT_FIELDS)
        try:
            document = Document.model_validate({k: v for k, v in value.items() if k in DOCUMENT_FIELDS})
        except ValidationError as exc:
            reasons = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'document'}: {e['msg']}" for e in exc.errors()
            )
            yield DeadLetter.of(
                "source",
                component,
                f"{component} line {number}: not a Document ({reasons}); a Document needs an 'id' and a "
                "'title' or 'text'",
                value,
            )
            continue
        if bad := nul_fields(document):
            yield DeadLetter.of(
                "source",
                component,
                f"{component} line {number}: a NUL character (\\x00) in {', '.join(bad)}, which databases "
                "can't store; remove it",
                value,
            )
            continue
        yield document
    if ignored:
        log.info("%s: ignored keys that are not Document fields: %s", component, ", ".join(sorted(ignored)))


class DocumentsFileSource:
    """Documents from a JSON Lines file, or from stdin when the path is "-"."""

    name: ClassVar[str] = "documents"

    def __init__(self, path: str | Path = "-", *, stdin: IO[bytes] | None = None) -> None:
        self.path = str(path)
        self._stdin = stdin
        self._handle: IO[bytes] | None = None
        self._size = 0
        self._done = False

    def fraction_read(self) -> float | None:
        """How far through the file reading is (0..1), for progress; None for stdin."""
        if self._done:
            return 1.0
        if self.path == "-":
            return None
        if self._handle is None or self._handle.closed or not self._size:
            return 0.0
        return min(self._handle.tell() / self._size, 1.0)

    @property
    def component(self) -> str:
        """How dead letters from this input are labelled."""
        return "documents:stdin" if self.path == "-" else f"documents:{Path(self.path).name}"

    def read(self) -> Iterator[SourceItem]:
        """Every line as a Document, or as a DeadLetter when it isn't one. A missing file: ConfigError."""
        if self.path == "-":
            # Bytes, not text: a non-UTF-8 line must cost one DeadLetter, not the whole run.
            yield from iter_documents(self._stdin or sys.stdin.buffer, self.component)
            return
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 - closed by the `with` below
        except FileNotFoundError as exc:
            raise ConfigError(f"documents source: no such file {self.path}; check the path") from exc
        except OSError as exc:
            raise ConfigError(f"documents source: can't read {self.path} ({exc})") from exc
        with handle:
            self._handle, self._size, self._done = handle, os.fstat(handle.fileno()).st_size, False
            yield from iter_documents(handle, self.component)
            self._done = True
