"""The trigger pipeline's own spaCy component, registered so `spacy.load` rebuilds it from disk.

`buysignal_event_scorer` runs after the classifier and the cue phrases. For every event type it turns what
the pipeline found in a unit into one calibrated probability that the unit reports that event, in
`doc._.trigger_scores`, from:

* the type classifier's score for the type (learned);
* whether a cue phrase of that type is in the unit, whether a hedge is ("in talks", "plans to") and
  whether market talk is ("price target", "shares", "earnings"): span_ruler matches of
  triggers/patterns/cues.jsonl (general facts of news language, kept as data).

It reads nothing the entity recogniser writes, so the detector runs the recogniser only on the units that
report an event (most news reports none).

Its weights are a small logistic model (shared weights, and per type an intercept and a cue weight) fit
by `make train` on out-of-fold predictions: each training family's units scored by a pipeline trained on
the other two, so the probabilities are calibrated on real text the pipeline had not seen, not on its
own training data. `company_right` is the share of events whose company was right, by how the company
was found (the recogniser, the headline's opening name, or none), on the same predictions, so that
`confidence = P(type) * P(company right)` means what evaluate.py checks: the event and its subject are
right.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from schemas import NEWS_EVENT_TYPES

SCORER = "buysignal_event_scorer"
HEDGE = "HEDGE"
MARKET = "MARKET"
FEATURES = ("logit_textcat", "cue", "hedge", "cue_and_hedge", "market_talk")

if not Doc.has_extension("trigger_scores"):
    Doc.set_extension("trigger_scores", default=None)


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


# Investors' names end in "Partners" ("led by Summit Lane Partners"): there the word names an investor,
# it reports no partnership.
_NAME_CUES = frozenset(["partner", "partners"])
_BEFORE_AN_INVESTOR = frozenset(["by", "from", "including", "and", ",", "&"])


def _names_an_investor(span: Span) -> bool:
    """A cue word that ends a capitalised name after "led by" / "from" / "and" (an investor's name)."""
    if span.text.lower() not in _NAME_CUES or not span.text[:1].isupper():
        return False
    k = span.start - 1
    while k >= 0 and span.doc[k].text[:1].isupper():
        k -= 1
    return k < span.start - 1 and k >= 0 and span.doc[k].lower_ in _BEFORE_AN_INVESTOR


def unit_features(doc: Doc, cues_key: str = "cues") -> dict[str, list[float]]:
    """The scorer's features for every type of one annotated unit."""
    spans = [sp for sp in doc.spans.get(cues_key, []) if not _names_an_investor(sp)]
    cue_types = {sp.label_ for sp in spans}
    hedge = float(HEDGE in cue_types)
    market = float(MARKET in cue_types)
    out = {}
    for t in NEWS_EVENT_TYPES:
        cue = float(t in cue_types)
        out[t] = [_logit(doc.cats.get(t, 0.0)), cue, hedge, cue * hedge, market]
    return out


class EventScorer:
    """spaCy component: calibrated P(the unit reports type t) for the nine types."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        # Until `make train` fits it: the classifier's own score (weight 1 on its logit).
        self.weights: dict[str, Any] = {
            "features": list(FEATURES),
            "coef": [1.0, 0.0, 0.0, 0.0, 0.0],
            "intercept": {t: 0.0 for t in NEWS_EVENT_TYPES},
            "threshold": 0.5,
            "company_right": {"found": 1.0, "subject": 1.0, "missing": 1.0},
        }

    @property
    def threshold(self) -> float:
        """The lowest probability at which any type is reported."""
        per_type = self.weights.get("thresholds") or {}
        return min([float(self.weights["threshold"])] + [float(v) for v in per_type.values()])

    def reported(self, scores: dict[str, float]) -> dict[str, float]:
        """The types a unit reports: those whose probability reaches the type's threshold (fit by
        `make train` for the best out-of-fold F1 of each type; the shared threshold otherwise)."""
        per_type = self.weights.get("thresholds") or {}
        default = float(self.weights["threshold"])
        return {t: p for t, p in scores.items() if p >= float(per_type.get(t, default))}

    def probabilities(self, feats: dict[str, list[float]]) -> dict[str, float]:
        """P(type) for each type from its features (plain floats: nine small sums per unit, where numpy's
        call overhead would cost more than the arithmetic)."""
        coef = [float(c) for c in self.weights["coef"]]
        intercept = self.weights["intercept"]
        cue_weight = self.weights.get("cue_weight", {})
        out = {}
        for t, x in feats.items():
            z = sum(c * v for c, v in zip(coef, x, strict=False)) + float(intercept.get(t, 0.0))
            # How much a cue phrase says depends on the type ("acquires" more than "launches").
            z += float(cue_weight.get(t, 0.0)) * x[1]
            out[t] = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
        return out

    def company_right(self, how: str) -> float:
        """The share of events with the right company, by how it was found: `found` (the entity
        recogniser), `subject` (the headline's opening name, when the recogniser found none), `missing`."""
        shares = self.weights["company_right"]
        return float(shares.get(how, shares.get("missing", 1.0)))

    def __call__(self, doc: Doc) -> Doc:
        doc._.trigger_scores = self.probabilities(unit_features(doc))
        return doc

    def to_disk(self, path: Path, *, exclude: tuple[str, ...] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "weights.json").write_text(json.dumps(self.weights, indent=1, sort_keys=True) + "\n")

    def from_disk(self, path: Path, *, exclude: tuple[str, ...] = ()) -> EventScorer:
        self.weights = json.loads((Path(path) / "weights.json").read_text())
        return self


@Language.factory(SCORER)
def make_event_scorer(nlp: Language, name: str) -> EventScorer:
    """Factory for the event scorer (weights come from disk)."""
    return EventScorer(nlp, name)
