"""Reading exported CSV files the way real exports come: UTF-8 with or without a BOM, Excel's cp1252,
UTF-16 "Unicode text", comma, semicolon or tab separated. Shared by the CRM and job-change sources."""

from __future__ import annotations

import codecs
import csv
import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from sources.base import ConfigError

log = logging.getLogger("buysignal.sources")

_HEADER_SPACE = re.compile(r"[\s_]+")
_INVISIBLE = "\ufeff\u200b\u00a0"


# How each encoding `export_encoding` names is decoded (a UTF-8 BOM is not part of the text).
_CODECS = {"utf-8": "utf-8-sig", "utf-16": "utf-16", "cp1252": "cp1252", "latin-1": "latin-1"}
_BLOCK = 1 << 20


def _encoding_of(blocks: Iterable[bytes], where: str) -> str:
    """UTF-8 (BOM or not) first; a UTF-16 BOM means Excel's "Unicode text"; anything else is taken
    as Windows-1252, which is what Excel writes on most Western machines, and the fallback is logged
    so a wrong guess can be spotted. Reads the blocks once, keeping none of them."""
    utf8 = codecs.getincrementaldecoder("utf-8")()
    cp1252 = codecs.getincrementaldecoder("cp1252")()
    first_bad: int | None = None
    cp1252_ok = True
    offset = 0
    first = True
    for block in blocks:
        if first and block.startswith((b"\xff\xfe", b"\xfe\xff")):
            return "utf-16"
        first = False
        if first_bad is None:
            try:
                utf8.decode(block)
            except UnicodeDecodeError as exc:
                first_bad = offset + exc.start
        if cp1252_ok:
            try:
                cp1252.decode(block)
            except UnicodeDecodeError:
                cp1252_ok = False
        offset += len(block)
    if first_bad is None:
        try:
            utf8.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            first_bad = offset
    # The five bytes cp1252 leaves undefined: latin-1 maps every byte, so nothing is lost.
    encoding = "cp1252" if cp1252_ok else "latin-1"
    log.warning(
        "%s is not UTF-8 (first bad byte at offset %d); read it as %s. Re-export as UTF-8 if names look wrong",
        where,
        first_bad,
        encoding,
    )
    return encoding


def normalise_header(header: str) -> str:
    """A header as compared: case, underscores, repeated spaces and invisible characters ignored."""
    return _HEADER_SPACE.sub(" ", header.strip(_INVISIBLE + " \t")).strip().lower()


@dataclass
class CsvExport:
    """An export file's layout: its encoding, separator and header row. The data rows are read from
    the file as they are asked for (`iter_rows`), one at a time, so a million-row export costs the
    memory of one row."""

    path: Path
    encoding: str
    delimiter: str
    header: list[str]
    header_line: int = 1

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line number, cells) per non-blank data row. A file that stops being CSV part way (a NUL
        byte) is a ConfigError naming the line."""
        with self._reader() as (reader, _):
            for row in reader:
                if reader.line_num <= self.header_line:
                    continue
                if not any(cell.strip() for cell in row):
                    continue  # blank line: not a record
                yield reader.line_num, row

    @contextmanager
    def _reader(self) -> Iterator[tuple[Any, IO[str]]]:
        try:
            handle = open(self.path, encoding=_CODECS[self.encoding], newline="")  # noqa: SIM115
        except OSError as exc:
            raise ConfigError(f"{self.path}: can't read it ({exc})") from exc
        with handle:
            reader = csv.reader(handle, delimiter=self.delimiter)
            try:
                yield reader, handle
            except csv.Error as exc:
                # csv only raises on things like NUL bytes; the file is not a CSV export.
                raise ConfigError(
                    f"{self.path}: not a readable CSV file (line {reader.line_num}: {exc})"
                ) from exc


def _blocks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        while block := fh.read(_BLOCK):
            yield block


def read_export(path: str | Path) -> CsvExport:
    """An export's encoding, separator and header. A missing or empty file, or one that is not CSV,
    is a ConfigError (nothing to read); the rows are read later, as they are used."""
    path = Path(path)
    try:
        encoding = _encoding_of(_blocks(path), str(path))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such file; check the path") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: can't read it ({exc})") from exc
    with open(path, encoding=_CODECS[encoding], newline="") as fh:
        first_line = fh.readline()
    # Excel in many European locales writes ';'; some tools write tabs. The header line decides.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    export = CsvExport(path=path, encoding=encoding, delimiter=delimiter, header=[])
    with export._reader() as (reader, _):
        for row in reader:
            if any(cell.strip() for cell in row):
                export.header, export.header_line = row, reader.line_num
                break
    if not export.header:
        raise ConfigError(f"{path}: the file is empty; expected a header row and data rows")
    return export


def iter_rows(export: CsvExport) -> Iterator[tuple[int, dict[str, str] | None, list[str]]]:
    """(line number, {header: value} or None when the field count is wrong, raw cells) per data row."""
    width = len(export.header)
    for line, cells in export.rows():
        if len(cells) != width:
            yield line, None, cells
        else:
            yield line, dict(zip(export.header, cells, strict=True)), cells


_DATE_FORMATS = (
    "%m/%d/%Y",  # Salesforce and HubSpot exports in US locale
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%y",
    "%d/%m/%Y",  # the same exports in UK/EU locales (tried only when the US reading fails)
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M",
    "%Y/%m/%d",
    "%d-%b-%Y",
    "%b %d, %Y",
    "%d %b %Y",
    "%B %d, %Y",
)


def parse_datetime(value: str) -> datetime:
    """A timezone-aware datetime (naive values are UTC) from the date formats CRM exports use.
    Raises ValueError naming the value when none fits."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
        for fmt in _DATE_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        if text.isdigit() and len(text) in (10, 13):  # Unix time, seconds or milliseconds
            return datetime.fromtimestamp(int(text) / (1000 if len(text) == 13 else 1), tz=UTC)
        raise ValueError(f"unrecognised date {value!r}; use YYYY-MM-DD")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # "0001-01-01T00:00:00+14:00": a valid date whose UTC moment is before year 1
        raise ValueError(f"date {value!r} is outside the years 1-9999 once put in UTC") from None


def parse_date(value: str) -> date:
    """A calendar date from an export cell (see parse_datetime). The date as written, not shifted."""
    text = value.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed.date()
    except ValueError:
        return parse_datetime(text).date()
