"""Job-change posts (someone took a new role) from a CSV or JSON Lines export.

Each post becomes a JobChange (for champion tracking against CRM contacts) and a Document written
as a plain sentence (the evidence), carrying the `executive_hire` event built straight from the
columns: the person, the new company and the `new_title` exactly as the export gives them. The
trigger detector never re-reads the sentence (a structured row needs no guessing, and re-parsing it
cut "VP Marketing" down to "VP"). A promotion (the new company is the previous one) is no hire: it
stays a JobChange for champion tracking and gives no Document.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

from pydantic import ValidationError

from schemas import DeadLetter, Document, JobChange, TriggerEvent, fingerprint, nul_fields
from schemas.errors import ConfigError
from sources.base import SourceItem
from sources.files import iter_json_lines
from sources.tabular import DateOrder, iter_rows, normalise_header, read_export

__all__ = [
    "DOCUMENT_ID_PREFIX",
    "DOCUMENT_SOURCE",
    "JOB_CHANGE_COLUMNS",
    "JOB_CHANGE_CONFIDENCE",
    "JobChangesSource",
    "is_promotion",
    "job_change_document",
]

log = logging.getLogger("buysignal.sources.jobchanges")

DOCUMENT_SOURCE = "job-changes"
DOCUMENT_ID_PREFIX = "jobchange:"
# A job-change export is structured data: the move itself is as sure as the export. (Whether the
# person is a CRM contact is another question, scored by the champion matcher.)
JOB_CHANGE_CONFIDENCE = 0.9

# JobChange field -> accepted column names / JSON keys (compared case- and spacing-insensitively).
JOB_CHANGE_COLUMNS: dict[str, list[str]] = {
    "id": ["id", "post_id", "change_id"],
    "person": ["person", "name", "full_name", "person_name"],
    "new_title": ["new_title", "title", "job_title", "position", "role"],
    "new_company": ["new_company", "company", "organization", "organisation", "employer", "new_employer"],
    "previous_company": [
        "previous_company", "old_company", "former_company", "from_company", "previous_employer",
    ],
    "changed_at": ["date", "changed_at", "started_at", "start_date", "posted_at", "published_at"],
    "url": ["url", "link", "post_url", "profile_url"],
    "source": ["source"],
}  # fmt: skip
_LOOKUP = {normalise_header(name): field for field, names in JOB_CHANGE_COLUMNS.items() for name in names}
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")


class JobChangesSource:
    """JobChanges, and a Document per post, from a .csv or .jsonl/.ndjson export."""

    name: ClassVar[str] = "job_changes"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.suffix.lower() not in (".csv", ".tsv", *_JSONL_SUFFIXES):
            raise ConfigError(f"job_changes: can't tell the format of {self.path}; name it .csv or .jsonl")
        self.notes: list[str] = []  # what the last read found worth telling a person

    @property
    def component(self) -> str:
        """How dead letters from this file are labelled."""
        return f"job_changes:{self.path.name}"

    def read(self) -> Iterator[SourceItem]:
        """Per post a JobChange then its Document; a bad row or line becomes a DeadLetter."""
        self.notes = []
        if self.path.suffix.lower() in _JSONL_SUFFIXES:
            yield from self._read_jsonl()
        else:
            yield from self._read_csv()

    def _date_order(self, posts: Iterable[dict[str, Any]]) -> DateOrder:
        """One date order for the whole file, from the dates only one order can read."""
        order = DateOrder.of(
            str(value)
            for post in posts
            for key, value in post.items()
            if _LOOKUP.get(normalise_header(str(key))) == "changed_at" and value is not None
        )
        note = order.note(self.path.name)
        if note:
            self.notes.append(note)
            log.warning("job_changes: %s", note)
        return order

    def _read_csv(self) -> Iterator[SourceItem]:
        export = read_export(self.path)
        known = [h for h in export.header if normalise_header(h) in _LOOKUP]
        if not any(_LOOKUP[normalise_header(h)] == "person" for h in known):
            raise ConfigError(
                f"job_changes: {self.path} has no person column. Found: {', '.join(export.header)}. "
                f"Expected: {', '.join(names[0] for names in JOB_CHANGE_COLUMNS.values())} "
                "(person and one of new_title/new_company required)"
            )
        # A first pass over the file for its date order (rows are read as they are used, not kept).
        order = self._date_order(row for _, row, _ in iter_rows(export) if row is not None)
        for line, row, cells in iter_rows(export):
            where = f"{self.path.name} line {line}"
            if row is None:
                yield DeadLetter.of(
                    "source",
                    self.component,
                    f"{where}: {len(cells)} fields where the header has {len(export.header)}",
                    cells,
                )
                continue
            yield from self._post(row, where, order)

    def _read_jsonl(self) -> Iterator[SourceItem]:
        # Two passes over the file: its date order first, then the posts.
        order = self._date_order(
            item[1] for item in self._json_lines() if isinstance(item, tuple) and isinstance(item[1], dict)
        )
        for item in self._json_lines():
            if isinstance(item, DeadLetter):
                yield item
                continue
            number, value = item
            where = f"{self.path.name} line {number}"
            if not isinstance(value, dict):
                yield DeadLetter.of(
                    "source", self.component, f"{where}: expected a JSON object (a job change)", value
                )
                continue
            yield from self._post(value, where, order)

    def _json_lines(self) -> Iterator[tuple[int, Any] | DeadLetter]:
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 - closed by the `with` below
        except OSError as exc:
            raise ConfigError(f"job_changes: can't read {self.path} ({exc}); check the path") from exc
        with handle:
            yield from iter_json_lines(handle, self.component)

    def _post(self, raw: dict[str, Any], where: str, order: DateOrder) -> Iterator[SourceItem]:
        fields: dict[str, str] = {}
        for key, value in raw.items():
            target = _LOOKUP.get(normalise_header(str(key)))
            if target and target not in fields and value is not None and str(value).strip():
                fields[target] = str(value).strip()
        try:
            change = _job_change(fields, order)
            document = job_change_document(change)
            if bad := nul_fields(change):
                raise ValueError(f"a NUL character (\\x00) in {', '.join(bad)}, which databases can't store")
        except (ValueError, ValidationError) as exc:
            yield DeadLetter.of("source", self.component, f"{where}: {_reason(exc)}", raw)
            return
        yield change
        if not is_promotion(change):
            yield document


def _job_change(fields: dict[str, str], order: DateOrder) -> JobChange:
    if not fields.get("person"):
        raise ValueError("no person; fill the person (or name) column")
    if not (fields.get("new_company") or fields.get("new_title")):
        raise ValueError("neither new_company nor new_title; a job change needs at least one")
    changed_at = order.parse_datetime(fields["changed_at"]) if fields.get("changed_at") else None
    post_id = fields.get("id") or fingerprint(
        "jobchange",
        fields["person"],
        fields.get("new_company"),
        fields.get("new_title"),
        fields.get("changed_at"),
    )
    return JobChange(
        id=post_id,
        person=fields["person"],
        new_title=fields.get("new_title"),
        new_company=fields.get("new_company"),
        previous_company=fields.get("previous_company"),
        changed_at=changed_at,
        url=fields.get("url"),
        source=fields.get("source") or DOCUMENT_SOURCE,
    )


def job_change_document(change: JobChange) -> Document:
    """The post as a Document: a sentence ("Jane Doe joins Acme Robotics as Chief Marketing
    Officer") that is the evidence, and the `executive_hire` event built from the columns.

    The event's title is `new_title` as given and its company `new_company` as given; its role is
    left empty for the pipeline to derive from the title (the pipeline owns title normalisation).
    A row without a new company still gives the event (company unknown, so it matches no account)."""
    person, company, title, previous = (
        change.person,
        change.new_company,
        change.new_title,
        change.previous_company,
    )
    if company and title:
        headline = f"{person} joins {company} as {title}"
    elif company:
        headline = f"{person} joins {company}"
    else:
        headline = f"{person} becomes {title}"
    text = None
    if previous:
        if company and title:
            text = f"{person} has left {previous} to join {company} as {title}."
        elif company:
            text = f"{person} has left {previous} to join {company}."
        else:
            text = f"{person} has left {previous} and is now {title}."
    document_id = f"{DOCUMENT_ID_PREFIX}{change.id}"
    hire = TriggerEvent(
        event_id=TriggerEvent.make_id(document_id, "executive_hire", person),
        document_id=document_id,
        type="executive_hire",
        company=company,
        person=person,
        title=title,
        confidence=JOB_CHANGE_CONFIDENCE,
        evidence=headline,
        published_at=change.changed_at,
        url=change.url,
        source=DOCUMENT_SOURCE,
    )
    return Document(
        id=document_id,
        title=headline,
        text=text,
        url=change.url,
        published_at=change.changed_at,
        source=DOCUMENT_SOURCE,
        events=[hire],
    )


# Legal forms at the end of a company name, so "Emberstone Freight Inc." and "Emberstone Freight"
# read as one company. A short list on purpose: the promotion test only has to see that a post names
# the same employer twice; telling apart companies with similar names is the matcher's job.
_LEGAL_FORM_END = re.compile(
    r"(?:[\s,]+(?:inc|incorporated|corp|corporation|co|company|ltd|limited|llc|llp|lp|plc|gmbh|ag|sa|sas|"
    r"sarl|srl|spa|bv|nv|ab|as|asa|oy|oyj|kk|pte|pty|pvt|private|sl|se))+$"
)


def _company_key(name: str) -> str:
    text = re.sub(r"[^\w\s]", " ", name.casefold().replace("&", " and "))
    text = " ".join(text.split())
    return _LEGAL_FORM_END.sub("", text).strip()


def is_promotion(change: JobChange) -> bool:
    """True when the post's new company is its previous company ("Emberstone Freight Inc." after
    "Emberstone Freight"): a new title in the same place is a promotion, not a hire."""
    if not change.new_company or not change.previous_company:
        return False
    new, old = _company_key(change.new_company), _company_key(change.previous_company)
    return bool(new) and new == old


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'row'}: {e['msg']}" for e in exc.errors())
    return str(exc)
