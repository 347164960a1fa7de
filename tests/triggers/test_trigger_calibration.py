"""Confidence is a calibrated probability that moves the right way with the evidence."""

from __future__ import annotations

import numpy as np

from schemas import Document, TriggerEvent
from triggers import SpacyTriggerDetector
from triggers.evaluate import calibration_table, event_is_right
from triggers.pipeline import FEATURES, MONOTONE, TriggerScorer
from triggers.rules import Candidate
from triggers.train import expected_calibration_error, fit_logistic


def _one(detector: SpacyTriggerDetector, text: str) -> TriggerEvent:
    (event,) = detector.detect(Document(id="c", title=text))
    return event


def _scorer(detector: SpacyTriggerDetector) -> TriggerScorer:
    return detector.nlp.get_pipe("buysignal_trigger_scorer")  # type: ignore[return-value]


def test_the_bundled_calibration_keeps_the_evidence_signs(detector: SpacyTriggerDetector) -> None:
    cal = _scorer(detector).calibration
    weights = dict(zip(cal["features"], cal["weights"], strict=True))
    for name, sign in MONOTONE.items():
        assert weights.get(name, 0.0) * sign >= 0, name
    assert set(cal["features"]) <= set(FEATURES)


def test_confidence_is_monotone_in_evidence(detector: SpacyTriggerDetector) -> None:
    scorer = _scorer(detector)
    cats = {"funding_round": 0.9}
    bare = Candidate("funding_round", rule="funding", strength=0.75, cue="raises")
    named = Candidate("funding_round", company="Acme", rule="funding", strength=0.75, cue="raises")
    richer = Candidate(
        "funding_round",
        company="Acme",
        amount=5e6,
        currency="USD",
        rule="funding",
        strength=0.9,
        cue="raises",
    )
    full = Candidate(
        "funding_round",
        company="Acme",
        amount=5e6,
        currency="USD",
        round="series_a",
        investors=["Zeta Capital"],
        rule="funding",
        strength=0.9,
        cue="raises",
    )
    scores = [scorer.score(c, cats) for c in (bare, named, richer, full)]
    assert scores == sorted(scores)
    assert scores[-1] > scores[0]
    assert scorer.score(full, {"funding_round": 0.2}) <= scorer.score(full, {"funding_round": 0.95})


def test_hedged_phrasing_scores_lower(detector: SpacyTriggerDetector) -> None:
    plain = _one(detector, "Kestrel Robotics raises $18M Series A from Lantern Capital")
    hedged = _one(detector, "Kestrel Robotics raises $18M Series A from Lantern Capital, sources say")
    assert plain.type == hedged.type == "funding_round"
    assert hedged.confidence < plain.confidence
    assert hedged.confidence < 0.5 < plain.confidence


def test_a_clear_announcement_clears_the_run_default(detector: SpacyTriggerDetector) -> None:
    for text in (
        "Quillmark raises $25M Series B led by Harbor Point Ventures",
        "Brightkeel acquires Numera",
        "Payfold appoints Dana Reyes as chief financial officer",
        "KESTREL ROBOTICS RAISES $18M SERIES A LED BY LANTERN CAPITAL",
    ):
        assert _one(detector, text).confidence > 0.5, text


def test_fit_logistic_respects_the_signs() -> None:
    rng = np.random.default_rng(0)
    x = np.c_[np.ones(400), rng.random(400), rng.random(400)]
    # The label falls with feature 1; a non-negative constraint must pin its weight at 0.
    y = (rng.random(400) < 1 / (1 + np.exp(-(1.0 - 3.0 * x[:, 1] + 2.0 * x[:, 2])))).astype(float)
    free = fit_logistic(x, y)
    held = fit_logistic(x, y, signs=np.array([0.0, 1.0, 1.0]))
    assert free[1] < 0 and held[1] == 0.0 and held[2] > 0


def test_calibration_figures() -> None:
    pairs = [(0.95, True), (0.95, True), (0.95, False), (0.15, False)]
    table = calibration_table(pairs)
    assert table["events"] == 4 and table["right"] == 0.5
    assert abs(table["ece"] - (3 * abs(0.95 - 2 / 3) + 0.15) / 4) < 1e-3
    assert abs(table["brier"] - (2 * 0.05**2 + 0.95**2 + 0.15**2) / 4) < 1e-3
    p, y = np.array([0.95, 0.95, 0.95, 0.15]), np.array([1.0, 1.0, 0.0, 0.0])
    assert abs(expected_calibration_error(p, y) - table["ece"]) < 1e-3


def test_an_event_is_right_with_its_type_and_the_main_company() -> None:
    row = {"types": ["funding_round", "expansion"], "company": "Acme"}

    def event(type_: str, company: str | None) -> TriggerEvent:
        return _event(type_, company)

    assert event_is_right(row, event("funding_round", "ACME"))
    assert not event_is_right(row, event("funding_round", "Zeta"))
    assert not event_is_right(row, event("funding_round", None))
    assert event_is_right(row, event("expansion", None))
    assert not event_is_right(row, event("ipo", "Acme"))
    assert event_is_right({"types": ["layoffs"]}, event("layoffs", None))


def _event(type_: str, company: str | None) -> TriggerEvent:
    return TriggerEvent(
        event_id="e",
        document_id="d",
        type=type_,
        company=company,
        confidence=0.9,
        evidence="x",  # type: ignore[arg-type]
    )
