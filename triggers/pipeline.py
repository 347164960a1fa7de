"""The spaCy components of the trigger pipeline, registered as factories so `spacy.load` can rebuild them.

The bundled pipeline (triggers/model/, built by `python -m triggers.train`) is:

  tokenizer -> buysignal_trigger_rules -> textcat_multilabel (bag-of-words) -> buysignal_trigger_scorer

* `buysignal_trigger_rules` runs the hand-written rules (PhraseMatcher cues + field extraction, see
  triggers/rules.py) and stores candidate events on `doc._.trigger_candidates`.
* `textcat_multilabel` is a bag-of-words classifier the project trains on its own synthetic headlines
  (triggers/training_data.py); it says how much each sentence reads like each event type.
* `buysignal_trigger_scorer` turns each candidate's rule strength and the classifier's score for its type
  into a calibrated confidence (a logistic model fit on held-out synthetic sentences, saved with the
  pipeline as calibration.json) and stores it on the candidate.

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


# Default calibration (used until `triggers.train` fits one): weights on [strength, textcat, has_company].
DEFAULT_CALIBRATION: dict[str, Any] = {
    "features": ["bias", "strength", "textcat", "has_company"],
    "weights": [-3.0, 4.0, 2.0, 1.0],
    "method": "default (untrained)",
}


def calibration_features(candidate: Candidate, textcat_score: float) -> list[float]:
    """The scorer's features for one candidate, in DEFAULT_CALIBRATION['features'] order."""
    return [1.0, candidate.strength, textcat_score, 1.0 if candidate.company else 0.0]


class TriggerScorer:
    """spaCy component: a calibrated confidence for every rule candidate (logistic on few features)."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.nlp = nlp
        self.calibration: dict[str, Any] = dict(DEFAULT_CALIBRATION)

    def score(self, candidate: Candidate, cats: dict[str, float]) -> float:
        """P(the candidate is a correct event), from the fitted logistic model."""
        textcat = cats.get(candidate.type, 0.5) if cats else 0.5
        z = sum(
            w * x
            for w, x in zip(
                self.calibration["weights"], calibration_features(candidate, textcat), strict=True
            )
        )
        return 1.0 / (1.0 + math.exp(-z))

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, stream: Iterable[Doc], batch_size: int = 256) -> Iterator[Doc]:
        """Score a stream of docs. When the textcat is disabled in the pipeline (the detector does that),
        run it here on only the docs that have candidates: most sentences have none, and the classifier
        is the costliest step after the rules."""
        textcat = None
        if TEXTCAT in self.nlp.disabled and TEXTCAT in self.nlp.component_names:
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
