"""The labelled corpus the trigger pipeline learns from, read at training time from the shared folder.

    rows = load_corpus(Path("../shared"))          # ../shared/train/*.jsonl, hand-labelled real news

Each row is a real headline (and, for many, the lead of its article) labelled by hand with the event
types it reports and the fields of its main event, as exact substrings: company, counterparty, person,
title (`title_role`), and for funding the round, amount and currency. Three source families (financial
news, tech/startup news, press releases) let `make eval` train on two and test on the third.

The text stays in the shared folder: the repository ships the model trained from it, never the text.

What this module makes of a row (`unit_examples`): one unit for the headline alone (labelled with the
headline's types) and, when the row has a body, one for the headline followed by its lead (labelled with
the headline's and the lead's types), because the detector reads documents exactly that way. Field
strings become entity spans (COMPANY, COUNTERPARTY, PERSON, TITLE) wherever they occur in the unit.
Casing copies (Title Case, ALL CAPS) of some units teach the model wire headlines.

Besides the shared corpus, the repository holds real headlines and leads the project labelled itself
(triggers/data/labelled.jsonl, with the same guide; triggers/data/README.md gives where each came from and
its licence). Each of those rows names its source family, so leaving a family out leaves its labels out too.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemas import NEWS_EVENT_TYPES
from triggers.text import headline, lead

TRAIN_DIR = Path("train")
# Sentences the project wrote and labelled itself (invented companies and people), in the repository:
# look-alike non-events and phrasings the real corpus has few of. Always trained on, never a test family.
WRITTEN = Path(__file__).resolve().parent / "data" / "written.jsonl"
# Real headlines and leads from public sources, labelled by the project (each row names its family).
LABELLED = Path(__file__).resolve().parent / "data" / "labelled.jsonl"
# Where a row comes from: the shared corpus, the project's own labels of real text, its written sentences.
SHARED, OURS, WRITTEN_ORIGIN = "shared", "labelled", "written"
FAMILIES = {
    "fin_news": ("fin_news.jsonl",),
    "tech_news": ("tech_news.jsonl",),
    "press_releases": ("press_releases.jsonl", "extras/press_releases_surplus_negatives.jsonl"),
}
ENTITY_FIELDS = {
    "company": "COMPANY",
    "counterparty": "COUNTERPARTY",
    "person": "PERSON",
    "title_role": "TITLE",
}
ENTITY_LABELS = tuple(ENTITY_FIELDS.values())
# Between the headline and the lead in a unit: its own token, never part of an entity.
UNIT_JOIN = "\n"


@dataclass
class Row:
    """One labelled item of the corpus."""

    id: str
    family: str
    text: str
    body: str | None
    types: list[str]
    body_types: list[str]
    fields: dict[str, Any]
    origin: str = SHARED

    @property
    def all_types(self) -> list[str]:
        """The types of the whole item: the headline's, then any the lead adds."""
        return list(dict.fromkeys(self.types + self.body_types))


@dataclass
class Unit:
    """What the model reads once: a headline, or a headline and its lead, with its labels."""

    row_id: str
    family: str
    text: str
    types: list[str]
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    headline_end: int = 0

    @property
    def is_lead(self) -> bool:
        """Whether the unit reads a lead after its headline (a headline itself may hold a newline)."""
        return len(self.text) > self.headline_end


def _row(raw: dict[str, Any], family: str, origin: str = SHARED) -> Row:
    types = [t for t in raw.get("types") or [] if t in NEWS_EVENT_TYPES]
    body_types = [t for t in raw.get("body_types") or [] if t in NEWS_EVENT_TYPES]
    fields = {k: raw.get(k) for k in ("company", "counterparty", "person", "title_role", "round", "amount")}
    fields["currency"] = raw.get("currency")
    # The labellers differ on one point: the guide's amount is money raised in a funding round, so IPO
    # proceeds (kept in `amount` by one file) are dropped.
    if "funding_round" not in types + body_types:
        fields["amount"] = fields["currency"] = None
    return Row(
        id=str(raw["id"]),
        family=family,
        text=str(raw["text"]),
        body=raw.get("body") or None,
        types=types,
        body_types=[t for t in body_types if t not in types],
        fields=fields,
        origin=origin,
    )


def load_corpus(shared: Path, families: Iterable[str] | None = None, *, labelled: bool = True) -> list[Row]:
    """Every labelled row of the chosen families (all three by default), in file order: the shared
    corpus, then (unless `labelled` is false) the project's own labelled rows of those families."""
    wanted = list(families) if families is not None else list(FAMILIES)
    rows: list[Row] = []
    for family in wanted:
        for name in FAMILIES[family]:
            path = shared / TRAIN_DIR / name
            if not path.is_file():
                raise FileNotFoundError(
                    f"triggers.corpus: {path} is missing; the training corpus lives in the shared folder "
                    "(give --shared DIR)"
                )
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    rows.append(_row(json.loads(line), family))
    if labelled:
        rows += [r for r in load_labelled() if r.family in wanted]
    return rows


def load_labelled(path: Path | None = None) -> list[Row]:
    """The project's own labelled real rows (empty when the file is absent); each names its family."""
    path = LABELLED if path is None else path
    if not path.is_file():
        return []
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        raw = json.loads(line)
        if raw.get("family") not in FAMILIES:
            raise ValueError(f"{path}:{number}: family {raw.get('family')!r} is not one of {list(FAMILIES)}")
        rows.append(_row(raw, raw["family"], OURS))
    return rows


def load_written(path: Path = WRITTEN) -> list[Row]:
    """The project's own written and labelled sentences (empty when the file is absent)."""
    if not path.is_file():
        return []
    return [
        _row(json.loads(line), "written", WRITTEN_ORIGIN)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


_SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "and",
        "or",
        "but",
        "with",
        "by",
        "as",
        "vs",
        "via",
        "from",
        "into",
    ]
)


def title_case(text: str) -> str:
    """Headline Title Case as wires write it: every word capitalised but the small ones."""
    words = text.split(" ")
    out = []
    for k, w in enumerate(words):
        if w and w[0].islower() and (k == 0 or w.lower() not in _SMALL_WORDS):
            w = w[0].upper() + w[1:]
        out.append(w)
    return " ".join(out)


def _find_all(text: str, value: str) -> list[tuple[int, int]]:
    """Where `value` stands in `text` as a whole word sequence: exact case first, else any case."""
    for flags in (0, re.IGNORECASE):
        pattern = re.compile(r"(?<!\w)" + re.escape(value) + r"(?!\w)", flags)
        found = [(m.start(), m.end()) for m in pattern.finditer(text)]
        if found:
            return found
    return []


def entity_spans(text: str, fields: dict[str, Any]) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, label) spans of the labelled field strings in `text`; longer values
    first so "Bank of America" wins over "America"."""
    values = [
        (str(fields[k]).strip(), label)
        for k, label in ENTITY_FIELDS.items()
        if fields.get(k) and str(fields[k]).strip()
    ]
    values.sort(key=lambda v: -len(v[0]))
    taken: list[tuple[int, int, str]] = []
    for value, label in values:
        for s, e in _find_all(text, value):
            if all(e <= ts or s >= te for ts, te, _ in taken):
                taken.append((s, e, label))
    return sorted(taken)


def row_units(row: Row) -> list[Unit]:
    """The units one row teaches: its headline, and its headline followed by its lead."""
    head = headline(row.text) or ""
    units = []
    if head:
        units.append(
            Unit(row.id, row.family, head, list(row.types), entity_spans(head, row.fields), len(head))
        )
    sentences = lead(row.body)
    if sentences:
        text = (head + UNIT_JOIN if head else "") + " ".join(sentences)
        units.append(Unit(row.id, row.family, text, row.all_types, entity_spans(text, row.fields), len(head)))
    return units


def cased_copies(
    units: list[Unit], seed: int, title_share: float = 0.2, upper_share: float = 0.07
) -> Iterator[Unit]:
    """Title Case and ALL CAPS copies of a seeded share of the headline units, spans carried over."""
    rng = random.Random(seed)
    for u in units:
        if u.is_lead:
            continue
        roll = rng.random()
        if roll < title_share:
            text = title_case(u.text)
        elif roll < title_share + upper_share:
            text = u.text.upper()
        else:
            continue
        if len(text) != len(u.text) or text == u.text:
            continue  # a character whose case changes its length (ß): spans would not carry over
        yield Unit(u.row_id, u.family, text, list(u.types), list(u.spans), u.headline_end)


def training_units(rows: list[Row], seed: int) -> list[Unit]:
    """Every unit of `rows` plus the casing copies, in a seeded order."""
    units = [u for r in rows for u in row_units(r)]
    units += list(cased_copies(units, seed))
    random.Random(seed).shuffle(units)
    return units
