"""The spaCy components of the trigger pipeline, registered as factories so `spacy.load` can rebuild them.

The bundled pipeline (triggers/model/, built by `python -m triggers.train`) is:

  tokenizer -> buysignal_trigger_rules -> textcat_multilabel (bag-of-words) -> buysignal_trigger_scorer

* `buysignal_trigger_rules` runs the hand-written rules (cue phrases + field extraction, see
  triggers/rules.py) and stores candidate events on `doc._.trigger_candidates`.
* `textcat_multilabel` is a bag-of-words classifier the project trains on its own synthetic headlines
  (triggers/training_data.py); it says how much each sentence reads like each event type.
* `buysignal_trigger_scorer` turns each candidate's evidence (FEATURES: the classifier's score for its
  type, company found, share of the type's fields found, ambiguous cue word, hedge in the sentence,
  casing, type) into a calibrated confidence, P(type and company right): a sign-constrained logistic
  model fit on held-out synthetic sentences, saved with the pipeline as calibration.json.

The detector (triggers/detector.py) runs these steps itself for the bundled pipeline, after a raw-text
cue prefilter, so sentences with no cue are never tokenised; `nlp(text)` runs them as ordinary components.

Only the rules decide *whether* there is an event and what its fields are (rules were more precise than the
classifier on real headlines); the classifier refines *how sure* we are.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch

from schemas import NEWS_EVENT_TYPES
from triggers.rules import Candidate, TriggerRules

RULES_FACTORY = "buysignal_trigger_rules"
SCORER_FACTORY = "buysignal_trigger_scorer"
TEXTCAT = "textcat_multilabel"

if not Doc.has_extension("trigger_candidates"):
    Doc.set_extension("trigger_candidates", default=None)
if not Doc.has_extension("trigger_error"):
    Doc.set_extension("trigger_error", default=None)


class TriggerRulesComponent:
    """spaCy component: the rule-based event finder (no weights; the lexicon lives in the code)."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.rules = TriggerRules(nlp.vocab)

    def __call__(self, doc: Doc) -> Doc:
        try:
            doc._.trigger_candidates = self.rules.find(doc)
        except (IndexError, ValueError, KeyError, TypeError) as exc:
            # A rule bug on odd text must not stop the batch: the detector turns this into a DeadLetter.
            doc._.trigger_candidates = []
            doc._.trigger_error = f"{type(exc).__name__}: {exc}"
        return doc

    # Nothing to save: the rules are code. These keep spaCy's save/load happy.
    def to_disk(self, path: Path, *, exclude: tuple[str, ...] = ()) -> None:
        Path(path).mkdir(parents=True, exist_ok=True)

    def from_disk(self, path: Path, *, exclude: tuple[str, ...] = ()) -> TriggerRulesComponent:
        return self


# Cue words that also mean other things ("gets", "wins", "lands", "names", "leads", "open"): an event
# read off one of them is less certain than one read off "raises" or "acquires".
WEAK_CUES = frozenset(
    [
        "gets",
        "got",
        "wins",
        "won",
        "scores",
        "scored",
        "lands",
        "landed",
        "nets",
        "netted",
        "closes",
        "closed",
        "completes",
        "completed",
        "announces",
        "announced",
        "confirms",
        "confirmed",
        "receives",
        "received",
        "collects",
        "collected",
        "takes",
        "took",
        "makes",
        "moves",
        "marks",
        "brings",
        "goes",
        "name",
        "names",
        "named",
        "leads",
        "led",
        "left",
        "hands",
        "ties",
        "signs",
        "strikes",
        "picks",
        "picked",
        "open",
        "opens",
        "opened",
        "is out",
        "set up",
        "sets up",
        "to create",
        "to build",
        "to develop",
        "to set up",
        "to form",
        "to close",
    ]
)

EVENT_FIELDS = {
    # The fields that make an event of this type specific: each one found is more evidence.
    "funding_round": ("amount", "round", "investors"),
    "acquisition": ("counterparty",),
    "ipo": (),
    "executive_hire": ("person", "title"),
    "executive_departure": ("person", "title"),
    "layoffs": (),
    "expansion": (),
    "product_launch": (),
    "partnership": ("counterparty",),
}

FEATURES = [
    "bias",
    "strength",  # the rule's prior for how specific it is
    "textcat",  # the classifier's probability for the candidate's type
    "has_company",
    "fields",  # share of the type's specific fields found (amount, round, person, partner, ...)
    "weak_cue",  # the cue is an everyday word with other senses
    "hedge_near",  # a speculative word elsewhere in the sentence ("sources say", "reportedly")
    "title_case",
    "all_caps",
] + [f"type={t}" for t in NEWS_EVENT_TYPES]

# Signs the fitted weights must keep, so confidence moves the right way with evidence (more fields,
# a found company, a surer classifier raise it; a hedge or an ambiguous cue lowers it).
MONOTONE = {
    "strength": 1,
    "textcat": 1,
    "has_company": 1,
    "fields": 1,
    "weak_cue": -1,
    "hedge_near": -1,
}

# Default calibration (used until `triggers.train` fits one).
DEFAULT_CALIBRATION: dict[str, Any] = {
    "features": ["bias", "strength", "textcat", "has_company", "fields", "hedge_near"],
    "weights": [-3.0, 3.0, 2.0, 1.5, 1.0, -2.0],
    "method": "default (untrained)",
}


def _fields_found(candidate: Candidate) -> float:
    wanted = EVENT_FIELDS.get(candidate.type, ())
    if not wanted:
        return 1.0 if candidate.company else 0.0
    found = 0
    for name in wanted:
        value = getattr(candidate, name)
        if name == "round":
            found += value not in (None, "undisclosed")
        else:
            found += bool(value)
    return found / len(wanted)


def feature_values(
    candidate: Candidate, textcat_score: float, lead_sentence: bool = False
) -> dict[str, float]:
    """Every scorer feature of one candidate, by name (see FEATURES)."""
    values = {
        "bias": 1.0,
        "strength": candidate.strength,
        "textcat": textcat_score,
        "has_company": 1.0 if candidate.company else 0.0,
        "fields": _fields_found(candidate),
        "weak_cue": 1.0 if candidate.cue in WEAK_CUES else 0.0,
        "hedge_near": 1.0 if candidate.hedge_near else 0.0,
        "title_case": 1.0 if candidate.casing == "title" else 0.0,
        "all_caps": 1.0 if candidate.casing == "upper" else 0.0,
        # Only known when the scorer is told; the synthetic calibration set is all headlines, so a fitted
        # model gives it no weight unless one is added by hand.
        "lead_sentence": 1.0 if lead_sentence else 0.0,
    }
    values[f"type={candidate.type}"] = 1.0
    return values


def calibration_features(
    candidate: Candidate, textcat_score: float, names: list[str] | None = None, lead_sentence: bool = False
) -> list[float]:
    """The scorer's features for one candidate, in the order of `names` (default: FEATURES)."""
    values = feature_values(candidate, textcat_score, lead_sentence)
    return [values.get(n, 0.0) for n in (FEATURES if names is None else names)]


class TriggerScorer:
    """spaCy component: a calibrated confidence for every rule candidate (logistic on few features)."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.nlp = nlp
        self.calibration: dict[str, Any] = dict(DEFAULT_CALIBRATION)

    def score(
        self, candidate: Candidate, cats: dict[str, float] | None, lead_sentence: bool = False
    ) -> float:
        """P(the candidate is a correct event: its type and company right), from the fitted model."""
        textcat = cats.get(candidate.type, 0.5) if cats else 0.5
        values = feature_values(candidate, textcat, lead_sentence)
        get = values.get
        z = sum(
            w * get(n, 0.0)
            for n, w in zip(self.calibration["features"], self.calibration["weights"], strict=True)
        )
        # Clamp so exp() cannot overflow on an extreme input.
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def score_all(
        self, docs: list[Doc], found: list[list[Candidate]], lead: list[bool] | None = None
    ) -> None:
        """Set `confidence` on every candidate of `found` (one list per doc). The classifier runs once,
        batched, on only the docs that have candidates: most sentences have none."""
        textcat = None
        if TEXTCAT in self.nlp.component_names and "textcat" in self.calibration["features"]:
            textcat = self.nlp.get_pipe(TEXTCAT)  # skipped when the calibration gives it no weight
        todo = [i for i, cands in enumerate(found) if cands]
        cats: dict[int, dict[str, float]] = {}
        if textcat is not None and todo:
            scores = textcat.predict([docs[i] for i in todo])  # type: ignore[attr-defined]
            labels = list(textcat.labels)  # type: ignore[attr-defined]
            for i, row in zip(todo, scores.tolist(), strict=True):
                cats[i] = dict(zip(labels, row, strict=True))
        for i in todo:
            is_lead = bool(lead[i]) if lead is not None else False
            for c in found[i]:
                c.confidence = round(self.score(c, cats.get(i), is_lead), 4)

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, stream: Iterable[Doc], batch_size: int = 256) -> Iterator[Doc]:
        """Score a stream of docs. When the textcat is disabled in the pipeline (the detector does that),
        run it here on only the docs that have candidates."""
        textcat = None
        if (
            TEXTCAT in self.nlp.disabled
            and TEXTCAT in self.nlp.component_names
            and "textcat" in self.calibration["features"]
        ):
            textcat = self.nlp.get_pipe(TEXTCAT)
        for batch in minibatch(stream, size=batch_size):
            if textcat is not None:
                todo = [d for d in batch if d._.trigger_candidates]
                if todo:
                    textcat.set_annotations(todo, textcat.predict(todo))  # type: ignore[attr-defined]
            for doc in batch:
                for c in doc._.trigger_candidates or []:
                    c.confidence = round(self.score(c, doc.cats), 4)
            yield from batch

    def to_disk(self, path: Path, *, exclude: tuple[str, ...] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "calibration.json").write_text(
            json.dumps(self.calibration, indent=2) + "\n", encoding="utf-8"
        )

    def from_disk(self, path: Path, *, exclude: tuple[str, ...] = ()) -> TriggerScorer:
        f = Path(path) / "calibration.json"
        if f.is_file():
            self.calibration = json.loads(f.read_text(encoding="utf-8"))
        return self


@Language.factory(RULES_FACTORY)
def make_trigger_rules(nlp: Language, name: str) -> TriggerRulesComponent:
    """Factory for the rule component (registered so `spacy.load` can rebuild it)."""
    return TriggerRulesComponent(nlp, name)


@Language.factory(SCORER_FACTORY)
def make_trigger_scorer(nlp: Language, name: str) -> TriggerScorer:
    """Factory for the confidence scorer (registered so `spacy.load` can rebuild it)."""
    return TriggerScorer(nlp, name)


TEXTCAT_CONFIG: dict[str, Any] = {
    "threshold": 0.5,
    "model": {
        "@architectures": "spacy.TextCatBOW.v3",
        "exclusive_classes": False,
        "ngram_size": 2,
        "no_output_layer": False,
        # 2**16 hashed buckets keep the saved model about 2.5 MB with nine labels.
        "length": 65536,
    },
}


def build_blank_pipeline(with_textcat: bool = True) -> Language:
    """A fresh pipeline: blank English tokenizer, the rules, (untrained) textcat and the scorer."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe(RULES_FACTORY)
    if with_textcat:
        textcat = nlp.add_pipe(TEXTCAT, config=TEXTCAT_CONFIG)
        for label in NEWS_EVENT_TYPES:
            textcat.add_label(label)  # type: ignore[attr-defined]
    nlp.add_pipe(SCORER_FACTORY)
    return nlp


def ensure_trigger_components(nlp: Language) -> Language:
    """Add the rule and scorer components to a pipeline that lacks them (e.g. a user's bigger pipeline),
    so any spaCy pipeline can be swapped in via `load_detector(model=...)`."""
    if RULES_FACTORY not in nlp.pipe_names:
        nlp.add_pipe(RULES_FACTORY, first=True)
    if SCORER_FACTORY not in nlp.pipe_names:
        nlp.add_pipe(SCORER_FACTORY, last=True)
    if TEXTCAT in nlp.pipe_names and nlp.pipe_names.index(TEXTCAT) < nlp.pipe_names.index(SCORER_FACTORY):
        # The scorer runs the classifier itself, only on sentences with candidates (see TriggerScorer.pipe).
        nlp.disable_pipe(TEXTCAT)
    return nlp
