"""Training the trigger pipeline's learned components from the labelled corpus (triggers/corpus.py).

The pipeline is spaCy's own: a shared tok2vec (hash embeddings of the word's norm, prefix, suffix and
shape, plus static word vectors distilled from a sentence-transformer when `triggers/vectors/` is there),
a multi-label text classifier for the event types of a unit, and an entity recogniser for the fields of
its event (COMPANY, COUNTERPARTY, PERSON, TITLE). Its config is triggers/model_config/config.cfg; general
cue and hedge phrases are a pattern file (triggers/patterns/cues.jsonl) run by spaCy's span_ruler.

Everything is seeded: the same corpus and seed give the same weights.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.training import Example
from spacy.util import fix_random_seed, load_config, load_model_from_config, minibatch
from thinc.api import Adam

from schemas import NEWS_EVENT_TYPES
from triggers.corpus import ENTITY_LABELS, Unit

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "model_config" / "config.cfg"
CUE_PATTERNS = HERE / "patterns" / "cues.jsonl"
TEXTCAT = "textcat_multilabel"
NER = "ner"
CUES = "buysignal_cues"
TRAINABLE = ("tok2vec", TEXTCAT, NER)
EPOCHS = 10
DROPOUT = 0.2
BATCH = 32
LEARN_RATE = 0.002


def blank_pipeline(seed: int, vectors: Path | None = None) -> Language:
    """The untrained pipeline from the config, with the static vectors when given."""
    config = load_config(CONFIG)
    config["system"]["seed"] = seed
    if vectors is not None:
        config["paths"]["vectors"] = str(vectors)
        config["components"]["tok2vec"]["model"]["embed"]["include_static_vectors"] = True
    fix_random_seed(seed)
    return load_model_from_config(config, auto_fill=True, validate=True)


def cue_patterns() -> list[dict[str, object]]:
    """The cue and hedge phrases (general facts of news language, kept as data)."""
    return [
        json.loads(line) for line in CUE_PATTERNS.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def refresh_cues(nlp: Language) -> Language:
    """Put the current cue and hedge phrases into a pipeline's span_ruler (they are data, not weights,
    so a trained pipeline takes an edited pattern file without retraining)."""
    ruler = nlp.get_pipe(CUES)
    ruler.clear()  # type: ignore[attr-defined]
    ruler.add_patterns(cue_patterns())  # type: ignore[attr-defined]
    return nlp


def to_example(nlp: Language, unit: Unit) -> Example:
    """A spaCy Example for one unit: its type labels and its field spans (snapped to token edges)."""
    doc = nlp.make_doc(unit.text)
    ents: list[spacy.tokens.Span] = []
    for s, e, label in unit.spans:
        span = doc.char_span(s, e, label=label, alignment_mode="contract") or doc.char_span(
            s, e, label=label, alignment_mode="expand"
        )
        if span is not None and all(span.end <= o.start or span.start >= o.end for o in ents):
            ents.append(span)
    gold = doc.copy()
    gold.ents = sorted(ents, key=lambda sp: sp.start)
    gold.cats = {t: float(t in unit.types) for t in NEWS_EVENT_TYPES}
    return Example(doc, gold)


def train_pipeline(
    units: list[Unit],
    *,
    seed: int = 0,
    epochs: int = EPOCHS,
    vectors: Path | None = None,
    log: Callable[[str], None] | None = None,
) -> Language:
    """Train tok2vec, the type classifier and the field recogniser on `units`; returns the pipeline."""
    say = log or (lambda msg: print(msg, file=sys.stderr))
    nlp = blank_pipeline(seed, vectors)
    examples = [to_example(nlp, u) for u in units]
    rng = random.Random(seed)
    for t in NEWS_EVENT_TYPES:
        nlp.get_pipe(TEXTCAT).add_label(t)  # type: ignore[attr-defined]
    for label in ENTITY_LABELS:
        nlp.get_pipe(NER).add_label(label)  # type: ignore[attr-defined]
    nlp.initialize(lambda: examples)
    optimizer = Adam(LEARN_RATE, L2=1e-6, grad_clip=10.0)
    refresh_cues(nlp)
    with nlp.select_pipes(enable=list(TRAINABLE)):
        for epoch in range(epochs):
            started = time.perf_counter()
            rng.shuffle(examples)
            losses: dict[str, float] = {}
            for batch in minibatch(examples, size=BATCH):
                nlp.update(batch, sgd=optimizer, drop=DROPOUT, losses=losses)
            say(
                f"  epoch {epoch + 1:2d}/{epochs}: textcat {losses.get(TEXTCAT, 0):7.3f}  "
                f"ner {losses.get(NER, 0):8.2f}  ({time.perf_counter() - started:.1f}s)"
            )
    return nlp


def annotate(nlp: Language, texts: Iterable[str], batch_size: int = 256) -> list[spacy.tokens.Doc]:
    """Run the whole pipeline on texts."""
    return list(nlp.pipe(texts, batch_size=batch_size))
