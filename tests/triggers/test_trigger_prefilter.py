"""The raw-text cue prefilter: documents with no cue word skip the rules; it never hides a cue."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from schemas import Document
from triggers import SpacyTriggerDetector
from triggers.rules import CUE_FILTER, CUES, CueFilter
from triggers.training_data import HeadlineGenerator


def test_a_cueless_document_yields_nothing_and_skips_the_rules(
    detector: SpacyTriggerDetector, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = SpacyTriggerDetector(detector.nlp)

    def never(*_args: object) -> list[object]:
        raise AssertionError("the rules ran on a document without a cue word")

    monkeypatch.setattr(fresh._rules, "find", never)
    doc = Document(id="weather", title="Heavy rain expected across the north as temperatures drop")
    assert fresh.detect(doc) == []
    assert fresh.dead_letters == []


@pytest.mark.parametrize(
    "text",
    [
        "KESTREL ROBOTICS RAISES $18M SERIES A",
        "Kestrel Robotics Raises $18M Series A",
        "Payfold TEAMS UP WITH Numera",
        "Nimbus co-leads $4M round in Kestrel",
    ],
)
def test_a_cue_in_any_casing_gets_through(detector: SpacyTriggerDetector, text: str) -> None:
    assert CUE_FILTER(text)
    assert detector.detect(Document(id="c", title=text))


def test_multi_word_cues_need_all_their_words() -> None:
    only = CueFilter(["teams up with"])
    assert only("Acme teams up with Zeta")
    assert not only("Acme teams win the cup")


def test_the_prefilter_never_rejects_a_sentence_the_matcher_would_match(
    detector: SpacyTriggerDetector,
) -> None:
    # On the project's own generated headlines (all casings, positives and negatives): whatever the filter
    # rejects has no cue phrase at all, so skipping it cannot lose an event.
    rules = detector._rules
    gen = HeadlineGenerator(seed=11)
    texts = [ex.text for ex in gen.examples(1500)]
    texts += [p.upper() for phrases in CUES.values() for p in phrases]
    rejected = [t for t in texts if not CUE_FILTER(t)]
    for doc in detector.nlp.tokenizer.pipe(rejected):
        lower = [t.lower_ for t in doc]
        assert [m for m in rules.cues(lower) if m[0] != "HEDGE"] == [], doc.text
    # ...and it is a real filter: every cue phrase passes, and everyday text does not.
    assert all(CUE_FILTER(p) for phrases in CUES.values() for p in phrases)
    assert not CUE_FILTER("Museum reopening delayed after flood defences fail")


def test_a_bigger_pipeline_gives_the_same_events(detector: SpacyTriggerDetector, tmp_path: Path) -> None:
    # With a component of its own the detector runs nlp.pipe (every component) instead of its direct
    # steps; the events and confidences must not change.
    detector.nlp.to_disk(tmp_path / "model")
    nlp = spacy.load(tmp_path / "model")
    nlp.add_pipe("sentencizer", first=True)
    bigger = SpacyTriggerDetector(nlp)
    assert not bigger._bare and detector._bare
    docs = [
        Document(id=str(i), title=t)
        for i, t in enumerate(
            [
                "Quillmark raises $25M Series B led by Harbor Point Ventures",
                "Payfold opens new office in Berlin",
                "Heavy rain expected across the north",
                "Kestrel Robotics raises $18M Series A, sources say",
            ]
        )
    ]

    def dump(d: SpacyTriggerDetector) -> list[list[tuple[str, str | None, float]]]:
        return [[(e.type, e.company, e.confidence) for e in evs] for _d, evs in d.detect_many(docs)]

    assert dump(bigger) == dump(detector)
