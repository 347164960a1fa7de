"""The spaCy-backed TriggerDetector: Documents in, TriggerEvents out.

What it reads of a document: the headline (title) first; the lead of the body (its first two sentences)
only when the headline reports nothing, or to fill in fields the headline leaves out (amount, round,
investors of the same event). Background paragraphs further down (earlier rounds, past deals) are never
read, so an article yields the event it announces, not every event it mentions.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import ClassVar

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer

from schemas import DeadLetter, Document, TriggerEvent
from triggers.pipeline import RULES_FACTORY, SCORER_FACTORY, TriggerScorer, ensure_trigger_components
from triggers.rules import Candidate, TriggerRules

log = logging.getLogger(__name__)

BUNDLED_MODEL = Path(__file__).resolve().parent / "model"
MAX_UNIT_CHARS = 600
LEAD_SENTENCES = 2

# A sentence ends at . ! ? followed by space and a capital/quote, except after common abbreviations
# ("Inc.", "Corp.", "Jr.", "U.S.", initials).
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[\"“'‘(]?[A-Z0-9])")
_ABBREV = re.compile(
    r"(?:\b(?:Inc|Corp|Co|Ltd|Jr|Sr|Mr|Mrs|Ms|Dr|Prof|St|Mt|No|vs|Gen|Gov|Sen|Rep|Dept|Bros|Plc|"
    r"Ave|approx|est|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)|\b[A-Z]|\b(?:[A-Z]\.)+[A-Z])\.$"
)


def lead_sentences(text: str, n: int = LEAD_SENTENCES) -> list[tuple[int, int]]:
    """Character spans of the first `n` sentences of `text` (abbreviation-aware, no model needed)."""
    spans: list[tuple[int, int]] = []
    start = 0
    # Skip leading whitespace so a span is a clean substring.
    while start < len(text) and text[start].isspace():
        start += 1
    pos = start
    for m in _SENTENCE_END.finditer(text, start):
        candidate_end = m.start()
        if _ABBREV.search(text[max(pos, candidate_end - 12) : candidate_end]):
            continue
        spans.append((start, candidate_end))
        start = m.end()
        pos = start
        if len(spans) >= n:
            return spans
    if start < len(text):
        end = len(text.rstrip())
        if end > start:
            spans.append((start, end))
    return spans[:n]


# A wire dateline before the lead: "NEW YORK (Reuters) - ", "SINGAPORE -- ", "LONDON, Nov 20 (AP) — ".
_DATELINE = re.compile(
    r"^[A-Z][A-Z .'/-]{1,40}(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?)?\s*(?:\([^)]{1,30}\))?\s*(?:--|[-—–:])\s+"
)


def _units(doc: Document) -> list[str]:
    """The sentences read for one document, in reading order: title, then the lead of the body."""
    units: list[str] = []
    if doc.title and doc.title.strip():
        units.append(doc.title.strip()[:MAX_UNIT_CHARS])
    if doc.text and doc.text.strip():
        paragraph = doc.text.strip()
        # The first paragraph is the lead.
        para = re.split(r"\n\s*\n", paragraph, maxsplit=1)[0]
        for s, e in lead_sentences(para):
            sentence = para[s:e].strip()
            sentence = _DATELINE.sub("", sentence, count=1) if not units or s == 0 else sentence
            if sentence:
                units.append(sentence[:MAX_UNIT_CHARS])
    return units


class SpacyTriggerDetector:
    """Finds trigger events with the trigger spaCy pipeline (rules + bag-of-words textcat + scorer).

    `min_confidence` drops events whose calibrated confidence is lower. Documents the pipeline fails on
    (a bug, not bad data: Documents are already validated) become DeadLetters in `dead_letters`."""

    name: ClassVar[str] = "spacy"

    def __init__(self, nlp: Language, *, min_confidence: float = 0.0) -> None:
        self.nlp = ensure_trigger_components(nlp)
        self.min_confidence = min_confidence
        self.dead_letters: list[DeadLetter] = []
        self._rules: TriggerRules = self.nlp.get_pipe(RULES_FACTORY).rules  # type: ignore[attr-defined]
        self._scorer: TriggerScorer = self.nlp.get_pipe(SCORER_FACTORY)  # type: ignore[assignment]
        self._has_cue = self._rules.has_cue
        # The bundled pipeline is the tokenizer, the rules and the scorer (the textcat runs inside the
        # scorer); then detect_many runs those steps itself. Any other component means nlp.pipe.
        self._bare = set(self.nlp.pipe_names) <= {RULES_FACTORY, SCORER_FACTORY}

    def detect(self, doc: Document) -> list[TriggerEvent]:
        """The events one document announces."""
        for _doc, events in self.detect_many([doc], batch_size=1):
            return events
        return []

    def detect_many(
        self, docs: Iterable[Document], batch_size: int = 256
    ) -> Iterator[tuple[Document, list[TriggerEvent]]]:
        """(document, events) for every document, in input order; batched through the pipeline.

        Sentences with no cue word at all (most of a news feed) are rejected on their raw text by the
        lexicon's cue prefilter and never tokenised; the rest go through the tokenizer, the rules, and
        (only those with candidates) the classifier and scorer."""
        it = iter(docs)
        while True:
            batch = list(islice(it, batch_size))
            if not batch:
                return
            units = [_units(d) for d in batch]
            flat = [u for us in units for u in us]
            lead = [k > 0 for us in units for k in range(len(us))]
            found, errors = self._candidates(flat, lead)
            pos = 0
            for doc, us in zip(batch, units, strict=True):
                span = range(pos, pos + len(us))
                pos += len(us)
                try:
                    error = next((errors[k] for k in span if k in errors), None)
                    if error:
                        raise ValueError(f"trigger rules failed: {error}")
                    events = self._events(doc, [(flat[k], found[k], {}) for k in span]) if span else []
                except (ValueError, KeyError, IndexError, TypeError) as exc:
                    self.dead_letters.append(
                        DeadLetter.of("trigger", f"triggers:{self.name}", exc, doc.model_dump(mode="json"))
                    )
                    log.warning(
                        "triggers: document %s could not be classified (%s); kept as a dead letter",
                        doc.id,
                        exc,
                    )
                    events = []
                yield doc, events

    def _candidates(self, texts: list[str], lead: list[bool]) -> tuple[list[list[Candidate]], dict[int, str]]:
        """Scored candidates for every sentence (an empty list for most), and the rule errors by index."""
        found: list[list[Candidate]] = [[] for _ in texts]
        errors: dict[int, str] = {}
        keep = [k for k, t in enumerate(texts) if self._has_cue(t)]
        if not keep:
            return found, errors
        todo = [texts[k] for k in keep]
        if self._bare:
            # The bundled shape (tokenizer + our components): run the steps directly, without spaCy's
            # per-doc extension attributes and with the sentence text we already have.
            tokenizer: Tokenizer = self.nlp.tokenizer  # type: ignore[assignment]  # always a Tokenizer here
            sdocs = list(tokenizer.pipe(todo))
            for k, text, sd in zip(keep, todo, sdocs, strict=True):
                try:
                    found[k] = self._rules.find(sd, text)
                except (IndexError, ValueError, KeyError, TypeError) as exc:
                    errors[k] = f"{type(exc).__name__}: {exc}"
            self._scorer.score_all(sdocs, [found[k] for k in keep], [lead[k] for k in keep])
            return found, errors
        # A user's bigger pipeline: every component runs, in order.
        for k, sd in zip(keep, self.nlp.pipe(todo), strict=True):
            if sd._.trigger_error:
                errors[k] = sd._.trigger_error
            found[k] = sd._.trigger_candidates or []
            if lead[k]:
                for c in found[k]:
                    c.confidence = round(self._scorer.score(c, sd.cats, lead_sentence=True), 4)
        return found, errors

    def _events(
        self, doc: Document, units: list[tuple[str, list[Candidate], dict[str, float]]]
    ) -> list[TriggerEvent]:
        chosen: list[Candidate] = []
        evidence = ""
        rest: list[list[Candidate]] = []
        for text, cands, _cats in units:
            if not chosen and cands:
                chosen, evidence = cands, text
            elif chosen:
                rest.append(cands)
        if not chosen:
            return []
        if (
            evidence is not units[0][0]
            and doc.title
            and doc.title.strip()
            and any(c.company is None for c in chosen)
        ):
            # An event from the lead whose sentence names no company ("The company will cut 300 jobs",
            # under "Tundra Foods Announces Restructuring"): the article is about the headline's subject.
            title = units[0][0]
            company = self._rules.headline_company(self.nlp.tokenizer(title), title)
            for c in chosen:
                if c.company is None:
                    c.company = company
        # Fill fields the headline leaves out from the lead's report of the same event.
        for c in chosen:
            for cands in rest:
                for other in cands:
                    if other.type != c.type:
                        continue
                    if c.company and other.company and other.company.lower() != c.company.lower():
                        continue
                    if c.company is None and other.company:
                        c.company = other.company
                    if c.type == "funding_round":
                        if c.amount is None and other.amount is not None:
                            c.amount, c.currency = other.amount, other.currency
                        if c.round in (None, "undisclosed") and other.round not in (None, "undisclosed"):
                            c.round = other.round
                        if not c.investors and other.investors:
                            c.investors = other.investors
                            c.counterparty = c.counterparty or other.counterparty
                    for f in ("person", "title", "role", "counterparty"):
                        if getattr(c, f) is None and getattr(other, f) is not None:
                            setattr(c, f, getattr(other, f))
        events = []
        seen: set[str] = set()
        for c in chosen:
            if c.confidence < self.min_confidence:
                continue
            key = (
                (c.company, c.person, c.round)
                if c.type == "funding_round"
                else (c.company, c.person, c.counterparty)
            )
            event_id = TriggerEvent.make_id(doc.id, c.type, *key)
            if event_id in seen:
                continue
            seen.add(event_id)
            amount = c.amount
            if amount is not None and float(amount).is_integer():
                amount = int(amount)
            # model_construct: every field here comes from our own rules (trusted past the edge), and
            # validating each event again costs more than the rules themselves.
            events.append(
                TriggerEvent.model_construct(
                    event_id=event_id,
                    document_id=doc.id,
                    type=c.type,  # type: ignore[arg-type]
                    company=c.company,
                    counterparty=c.counterparty,
                    person=c.person,
                    title=c.title,
                    role=c.role,  # type: ignore[arg-type]
                    round=c.round,  # type: ignore[arg-type]
                    amount=amount,
                    currency=c.currency,
                    investors=list(c.investors),
                    confidence=min(1.0, max(0.0, float(c.confidence))),
                    evidence=evidence.strip(),
                    published_at=doc.published_at,
                    url=doc.url,
                    source=doc.source,
                    sources=[doc.source] if doc.source else [],
                )
            )
        return events


def load_detector(model: str | None = None, *, min_confidence: float = 0.0) -> SpacyTriggerDetector:
    """The trigger detector with the bundled pipeline (model=None), a pipeline saved at a path, or an
    installed spaCy pipeline package by name. A pipeline without the trigger components gets them added,
    so a bigger pipeline can be swapped in. Raises sources.base.ConfigError when `model` can't be loaded."""
    from sources.base import ConfigError  # the project's config error; imported here to keep layers thin

    if not 0.0 <= min_confidence <= 1.0:
        raise ConfigError(f"triggers: min_confidence must be between 0 and 1, got {min_confidence}")
    target: str | Path = BUNDLED_MODEL if model is None else model
    if model is None and not BUNDLED_MODEL.is_dir():
        raise ConfigError(
            f"triggers: the bundled pipeline is missing at {BUNDLED_MODEL}; rebuild it with `make train`"
        )
    try:
        nlp = spacy.load(target)
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(
            f"triggers: cannot load the spaCy pipeline {str(target)!r} ({exc}); give a pipeline folder "
            "(e.g. one saved by `python -m triggers.train --out DIR`), an installed pipeline package name, "
            "or leave triggers.model empty for the bundled one"
        ) from exc
    return SpacyTriggerDetector(nlp, min_confidence=min_confidence)
