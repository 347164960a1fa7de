"""Confidence: the event scorer's probabilities move the right way with the evidence, and the calibration
figures `make eval` prints are computed right."""

from __future__ import annotations

import numpy as np

from schemas import Document, TriggerEvent
from triggers import SpacyTriggerDetector
from triggers.components import SCORER, EventScorer
from triggers.evaluate import calibration_table, event_is_right


def _one(detector: SpacyTriggerDetector, text: str) -> TriggerEvent:
    events = detector.detect(Document(id="c", title=text))
    assert events, text
    return max(events, key=lambda e: e.confidence)


def test_the_bundled_scorer_keeps_the_evidence_signs(detector: SpacyTriggerDetector) -> None:
    scorer: EventScorer = detector.nlp.get_pipe(SCORER)  # type: ignore[assignment]
    coef = dict(zip(scorer.weights["features"], scorer.weights["coef"], strict=True))
    assert coef["logit_textcat"] > 0 and coef["cue"] >= 0 and coef["hedge"] <= 0
    assert 0.0 < scorer.threshold < 1.0


def test_probability_rises_with_the_classifier_and_falls_with_a_hedge(detector: SpacyTriggerDetector) -> None:
    scorer: EventScorer = detector.nlp.get_pipe(SCORER)  # type: ignore[assignment]
    base = [0.0, 1.0, 0.0, 0.0, 0.0]
    sure = scorer.probabilities({"funding_round": [3.0] + base[1:]})["funding_round"]
    unsure = scorer.probabilities({"funding_round": [-3.0] + base[1:]})["funding_round"]
    hedged = scorer.probabilities({"funding_round": [3.0, 1.0, 1.0, 1.0, 0.0]})["funding_round"]
    assert unsure < sure and hedged <= sure


def test_a_rumour_scores_below_the_announcement(detector: SpacyTriggerDetector) -> None:
    plain = detector.detect(
        Document(id="p", title="Kestrel Robotics raises $18M Series A from Lantern Capital")
    )
    rumour = detector.detect(
        Document(
            id="r", title="Kestrel Robotics in talks to raise $18M Series A from Lantern Capital, sources say"
        )
    )
    best = max((e.confidence for e in plain if e.type == "funding_round"), default=0.0)
    worst = max((e.confidence for e in rumour if e.type == "funding_round"), default=0.0)
    assert best > 0.5 and worst < best


def test_a_clear_announcement_clears_the_run_default(detector: SpacyTriggerDetector) -> None:
    for text in (
        "Quillmark raises $25M Series B led by Harbor Point Ventures",
        "Brightkeel acquires analytics startup Numera",
        "Payfold appoints Dana Reyes as chief financial officer",
    ):
        assert _one(detector, text).confidence > 0.5, text


def test_calibration_figures() -> None:
    pairs = [(0.95, True), (0.95, True), (0.95, False), (0.15, False)]
    table = calibration_table(pairs)
    assert table["events"] == 4 and table["right"] == 0.5
    assert abs(table["ece"] - (3 * abs(0.95 - 2 / 3) + 0.15) / 4) < 1e-3
    assert abs(table["brier"] - (2 * 0.05**2 + 0.95**2 + 0.15**2) / 4) < 1e-3
    assert np.isclose(sum(b["n"] for b in table["bins"]), 4)


def test_an_event_is_right_with_its_type_and_the_main_company() -> None:
    row = {"types": ["funding_round", "expansion"], "company": "Acme"}
    assert event_is_right(row, _event("funding_round", "ACME"))
    assert not event_is_right(row, _event("funding_round", "Zeta"))
    assert not event_is_right(row, _event("funding_round", None))
    assert event_is_right(row, _event("expansion", None))
    assert not event_is_right(row, _event("ipo", "Acme"))
    assert event_is_right({"types": ["layoffs"]}, _event("layoffs", None))
    # A type only the lead reports counts when the body was read.
    lead_row = {"types": [], "body_types": ["executive_hire"], "body": "x", "company": "Acme"}
    assert event_is_right(lead_row, _event("executive_hire", "Acme"))


def _event(type_: str, company: str | None) -> TriggerEvent:
    return TriggerEvent(
        event_id="e",
        document_id="d",
        type=type_,
        company=company,
        confidence=0.9,
        evidence="x",  # type: ignore[arg-type]
    )
