"""The spaCy-backed TriggerDetector: Documents in, TriggerEvents out.

What it reads of a document, as a person would: the headline, and the headline followed by the lead
(the first two sentences of the body, wire dateline removed). The learned pipeline scores each unit for
the nine event types and marks the event's company, counterparty, person and title; an event comes from
the headline when the headline reports it, else from the lead, whose sentence is then the evidence.
Background paragraphs further down (earlier rounds, past deals) are never read, so an article yields the
events it announces, not every event it mentions.

The round, the amount and the role are exact facts of language (triggers/fields.py, schemas/roles.py).
Confidence is the event scorer's calibrated probability that the event and its company are right.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import ClassVar

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from schemas import NEWS_EVENT_TYPES, DeadLetter, Document, TriggerEvent
from schemas.roles import normalise_role
from triggers.components import SCORER, EventScorer
from triggers.corpus import UNIT_JOIN
from triggers.fields import (
    announcer,
    appointee,
    appositive_name,
    deal_counterparty,
    funding_round,
    headline_subject,
    investors_in,
    job_title,
    passive_acquisition,
    person_beside_title,
    person_name,
    raised_amount,
    strip_wire_prefix,
    whole_company,
)
from triggers.learn import CUES, NER, TEXTCAT, cue_patterns
from triggers.text import headline, lead

log = logging.getLogger(__name__)

BUNDLED_MODEL = Path(__file__).resolve().parent / "model"


@dataclass
class _Found:
    """One event type read off one unit, before it becomes a TriggerEvent."""

    type: str
    probability: float
    evidence: str
    company: str | None = None
    counterparty: str | None = None
    person: str | None = None
    title: str | None = None
    investors: list[str] = field(default_factory=list)


def read_company(
    recognised: str | None, head: str, opening: Doc | None, verbs: frozenset[str]
) -> tuple[str | None, str]:
    """An event's company and how it was found (the event scorer's `company_right` kinds): the name after
    an opening descriptor ("Indonesian e-commerce startup Bukit ...", which misleads the recogniser), else
    the recogniser's (with any name word it cut off the front put back), else the headline's opening
    name ("subject"; in Title Case and ALL CAPS, the name before the announcing verb), else none."""
    if opening is not None:
        named = _clean(appositive_name(opening, verbs))
        if named and (recognised is None or recognised in head[: max(0, head.find(named))]):
            return named, "found"
    subject = _clean(headline_subject(opening)) if opening is not None else None
    # Title Case and ALL CAPS, where capitals mark no names: the name before the announcing verb.
    announced = _clean(announcer(opening)) if opening is not None and subject is None else None
    if recognised:
        if announced and recognised in announced:  # the recogniser cut "Cathay General Bancorp" short
            return announced, "found"
        return whole_company(recognised, subject), "found"
    subject = subject or announced
    return (subject, "subject") if subject else (None, "missing")


def event_verbs() -> frozenset[str]:
    """The one-word cue phrases of the event types (verbs such as "acquires"), which end a descriptor."""
    return frozenset(
        str(p["pattern"])
        for p in cue_patterns()
        if p["label"] in NEWS_EVENT_TYPES and " " not in str(p["pattern"])
    )


def _apply(component: object, docs: list[Doc]) -> list[Doc]:
    """One pipeline component over docs, batched when it can be."""
    pipe = getattr(component, "pipe", None)
    if pipe is not None:
        return list(pipe(docs, batch_size=256))
    return [component(d) for d in docs]  # type: ignore[operator]


def _first(ents: list[Span], label: str) -> str | None:
    return next((e.text for e in ents if e.label_ == label), None)


def _clean(name: str | None) -> str | None:
    """An entity as a field value: trailing possessive and punctuation off ("Acme’s" -> "Acme")."""
    if not name:
        return None
    name = name.strip().strip(",;:-–—")
    for tail in ("'s", "’s"):
        if name.endswith(tail):
            name = name[: -len(tail)]
    return name.strip() or None


class SpacyTriggerDetector:
    """Finds trigger events with the trigger spaCy pipeline (see triggers/learn.py).

    `min_confidence` drops events whose calibrated confidence is lower. Documents the pipeline fails on
    become DeadLetters in `dead_letters`, and the rest of the batch goes on."""

    name: ClassVar[str] = "spacy"

    def __init__(self, nlp: Language, *, min_confidence: float = 0.0) -> None:
        if SCORER not in nlp.pipe_names:
            from schemas.errors import ConfigError

            raise ConfigError(
                f"triggers: the pipeline {nlp.meta.get('name')!r} has no {SCORER} component; "
                "use one saved by `make train` (python -m triggers.train --out DIR)"
            )
        self.nlp = nlp
        self.min_confidence = min_confidence
        self.dead_letters: list[DeadLetter] = []
        self._scorer: EventScorer = nlp.get_pipe(SCORER)  # type: ignore[assignment]
        self._verbs = event_verbs()
        # The bundled shape (see triggers/model_config/config.cfg): the recogniser's output is read by no
        # later component, so it may run last and on fewer units. Any other pipeline runs as it is.
        names = nlp.pipe_names
        self._staged = (
            NER in names
            and names[-1] == SCORER
            and all(n in (NER, SCORER, "tok2vec", TEXTCAT, CUES) for n in names)
        )

    def detect(self, doc: Document) -> list[TriggerEvent]:
        """The events one document announces."""
        for _doc, events in self.detect_many([doc], batch_size=1):
            return events
        return []

    def detect_many(
        self, docs: Iterable[Document], batch_size: int = 256
    ) -> Iterator[tuple[Document, list[TriggerEvent]]]:
        """(document, events) for every document, in input order; batched through the pipeline."""
        it = iter(docs)
        while True:
            batch = list(islice(it, batch_size))
            if not batch:
                return
            units = [self.units(d) for d in batch]
            flat = [u for us in units for u in us]
            annotated = self._annotate(flat)
            pos = 0
            for doc, us in zip(batch, units, strict=True):
                mine = annotated[pos : pos + len(us)]
                pos += len(us)
                try:
                    if any(a is None for a in mine):
                        raise ValueError("the trigger pipeline failed on this document's text")
                    events = self._events(doc, us, mine)  # type: ignore[arg-type]
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

    @staticmethod
    def units(doc: Document) -> list[str]:
        """What is read of one document: the headline, then the headline and its lead."""
        head = headline(doc.title)
        sentences = lead(doc.text)
        out = [head] if head else []
        if sentences:
            out.append((head + UNIT_JOIN if head else "") + " ".join(sentences))
        return out

    def _annotate(self, texts: list[str]) -> list[Doc | None]:
        """Every unit through the pipeline; a text the pipeline fails on gives None (only that one)."""
        try:
            return list(self._run(texts))
        except (ValueError, KeyError, IndexError, TypeError):
            out: list[Doc | None] = []
            for text in texts:
                try:
                    out.extend(self._run([text]))
                except (ValueError, KeyError, IndexError, TypeError) as exc:
                    log.debug("triggers: pipeline failed on %r: %s", text[:80], exc)
                    out.append(None)
            return out

    def _run(self, texts: list[str]) -> list[Doc]:
        """The pipeline over `texts`. The bundled shape runs in two steps: everything but the entity
        recogniser on every unit, then the recogniser only on the units that report an event (it costs
        as much as the rest, and most news reports nothing)."""
        if not self._staged:
            return list(self.nlp.pipe(texts, batch_size=256))
        docs = [self.nlp.make_doc(t) for t in texts]
        for name in self.nlp.pipe_names:
            if name != NER:
                docs = _apply(self.nlp.get_pipe(name), docs)
        threshold = self._scorer.threshold
        wanted = [d for d in docs if max((d._.trigger_scores or {}).values(), default=0.0) >= threshold]
        if wanted:
            _apply(self.nlp.get_pipe(NER), wanted)
        return docs

    def _read(self, sdoc: Doc, head_end: int) -> list[_Found]:
        """The events one annotated unit reports; evidence is the headline or the lead sentence."""
        scores: dict[str, float] = sdoc._.trigger_scores or {}
        found = []
        ents = list(sdoc.ents)
        for t, p in self._scorer.reported(scores).items():
            evidence = sdoc.text if head_end == 0 else self._lead_evidence(sdoc.text[head_end:], ents)
            f = _Found(
                type=t,
                probability=p,
                evidence=evidence,
                company=_clean(_first(ents, "COMPANY")),
                counterparty=_clean(_first(ents, "COUNTERPARTY")),
                person=_clean(_first(ents, "PERSON")),
                title=_clean(_first(ents, "TITLE")),
            )
            if t == "funding_round":
                f.investors = [n for e in ents if e.label_ == "COUNTERPARTY" and (n := _clean(e.text))]
            found.append(f)
        return found

    @staticmethod
    def _lead_evidence(lead_text: str, ents: list[Span]) -> str:
        """The lead sentence that says most about the event (most field mentions; the first on a tie):
        each is verbatim in the document, the joined lead may not be."""
        sentences = lead(lead_text)
        if not sentences:
            return lead_text.strip()
        names = [e.text for e in ents]
        return max(sentences, key=lambda s: (sum(n in s for n in names), -sentences.index(s)))

    def _events(self, doc: Document, units: list[str], annotated: list[Doc]) -> list[TriggerEvent]:
        head = headline(doc.title)
        chosen: dict[str, _Found] = {}
        for k, (text, sdoc) in enumerate(zip(units, annotated, strict=True)):
            # The second unit (headline + lead) adds only the types the headline alone does not report.
            is_lead_unit = k > 0 or head is None
            head_end = (len(head) + len(UNIT_JOIN)) if (is_lead_unit and head) else 0
            for f in self._read(sdoc, head_end):
                if f.type in chosen:
                    earlier = chosen[f.type]
                    for name in ("company", "counterparty", "person", "title"):
                        if getattr(earlier, name) is None and getattr(f, name) is not None:
                            setattr(earlier, name, getattr(f, name))
                    continue
                if is_lead_unit and head is None:
                    f.evidence = text
                chosen[f.type] = f
        events: list[TriggerEvent] = []
        seen: set[str] = set()
        lead_text = " ".join(lead(doc.text))
        first = head or next(iter(lead(doc.text)), None)  # what the document opens with
        opening = self.nlp.make_doc(strip_wire_prefix(first)) if first and chosen else None
        for f in sorted(chosen.values(), key=lambda x: -x.probability):
            deal = passive_acquisition(f.evidence) if f.type == "acquisition" else None
            if deal is not None:  # "Lumo to be acquired by Acme": the acquirer is the company
                (f.company, f.counterparty), how = deal, "found"
            else:
                f.company, how = read_company(f.company, first or "", opening, self._verbs)
                if f.counterparty is None and f.type in ("acquisition", "partnership"):
                    f.counterparty = deal_counterparty(f.evidence, f.company)
            confidence = round(f.probability * self._scorer.company_right(how), 4)
            if confidence < self.min_confidence:
                continue
            round_name = amount = currency = None
            if f.type == "funding_round":
                round_name = funding_round(f.evidence)
                if round_name == "undisclosed" and lead_text:
                    round_name = funding_round(lead_text)
                found = raised_amount(f.evidence) or (raised_amount(lead_text) if lead_text else None)
                named = investors_in(f.evidence)
                f.investors = named + [i for i in f.investors if i not in named and i != f.company]
                if found is not None:
                    amount = int(found.value) if float(found.value).is_integer() else found.value
                    currency = found.currency
            executive = f.type in ("executive_hire", "executive_departure")
            person = title = None
            if executive:
                # The recogniser's person and title; where it found none, the general name and title
                # forms of the evidence (triggers/fields.py).
                title = f.title or job_title(f.evidence)
                person = f.person or person_name(f.evidence, f.company) or appointee(f.evidence)
                if person:
                    person = person_beside_title(person, title, f.evidence)
                if title and person and person in title:  # "Head of Sales Jo Park": the name is not the title
                    title = title[: title.find(person)].strip(" ,") or job_title(f.evidence)
            key = (
                (f.company, person, round_name)
                if f.type == "funding_round"
                else (f.company, person, f.counterparty)
            )
            event_id = TriggerEvent.make_id(doc.id, f.type, *key)
            if event_id in seen:
                continue
            seen.add(event_id)
            events.append(
                TriggerEvent.model_construct(
                    event_id=event_id,
                    document_id=doc.id,
                    type=f.type,  # type: ignore[arg-type]
                    company=f.company,
                    counterparty=f.counterparty
                    if f.type != "funding_round"
                    else (f.investors[0] if f.investors else None),
                    person=person,
                    title=title,
                    role=normalise_role(title) if executive and title else None,  # type: ignore[arg-type]
                    round=round_name,  # type: ignore[arg-type]
                    amount=amount,
                    currency=currency,
                    investors=list(f.investors),
                    confidence=min(1.0, max(0.0, confidence)),
                    evidence=f.evidence.strip(),
                    published_at=doc.published_at,
                    url=doc.url,
                    source=doc.source,
                    sources=[doc.source] if doc.source else [],
                )
            )
        return events


def load_detector(model: str | None = None, *, min_confidence: float = 0.0) -> SpacyTriggerDetector:
    """The trigger detector with the bundled pipeline (model=None), a pipeline saved at a path, or an
    installed spaCy pipeline package by name. Raises schemas.errors.ConfigError when `model` can't be loaded."""
    from schemas.errors import ConfigError

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
