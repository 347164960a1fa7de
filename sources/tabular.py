"""Reading exported CSV files the way real exports come: UTF-8 with or without a BOM, Excel's cp1252,
UTF-16 "Unicode text", comma, semicolon or tab separated. Shared by the CRM and job-change sources."""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sources.base import ConfigError

log = logging.getLogger("buysignal.sources")

_HEADER_SPACE = re.compile(r"[\s_]+")
_INVISIBLE = "\ufeff\u200b\u00a0"


def decode_export(data: bytes, where: str) -> tuple[str, str]:
    """The text of an exported file and the encoding it was in. UTF-8 (BOM or not) first; a UTF-16
    BOM means Excel's "Unicode text"; anything else is taken as Windows-1252, which is what Excel
    writes on most Western machines, and the fallback is logged so a wrong guess can be spotted."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    try:
        text, encoding = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        # The five bytes cp1252 leaves undefined: latin-1 maps every byte, so nothing is lost.
        text, encoding = data.decode("latin-1"), "latin-1"
    log.warning(
        "%s is not UTF-8 (first bad byte at offset %d); read it as %s. Re-export as UTF-8 if names look wrong",
        where,
        first_bad,
        encoding,
    )
    return text, encoding


def normalise_header(header: str) -> str:
    """A header as compared: case, underscores, repeated spaces and invisible characters ignored."""
    return _HEADER_SPACE.sub(" ", header.strip(_INVISIBLE + " \t")).strip().lower()


@dataclass
class CsvExport:
    """An export file's header row and data rows (with their line numbers), decoded and split."""

    path: Path
    encoding: str
    delimiter: str
    header: list[str]
    rows: list[tuple[int, list[str]]]


def read_export(path: str | Path) -> CsvExport:
    """Decode and split a CSV export. A missing or empty file is a ConfigError (nothing to read)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such file; check the path") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: can't read it ({exc})") from exc
    text, encoding = decode_export(data, str(path))
    first_line = text.split("\n", 1)[0]
    # Excel in many European locales writes ';'; some tools write tabs. The header line decides.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            if header is None:
                if any(cell.strip() for cell in row):
                    header = row
                continue
            if not any(cell.strip() for cell in row):
                continue  # blank line: not a record
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        # csv only raises on things like NUL bytes; the file is not a CSV export.
        raise ConfigError(f"{path}: not a readable CSV file (line {reader.line_num}: {exc})") from exc
    if header is None:
        raise ConfigError(f"{path}: the file is empty; expected a header row and data rows")
    return CsvExport(path=path, encoding=encoding, delimiter=delimiter, header=header, rows=rows)


def iter_rows(export: CsvExport) -> Iterator[tuple[int, dict[str, str] | None, list[str]]]:
    """(line number, {header: value} or None when the field count is wrong, raw cells) per data row."""
    width = len(export.header)
    for line, cells in export.rows:
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
    return parsed.astimezone(UTC)


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
