"""`make train`'s pieces on a tiny corpus we write here: seeded training, the event scorer's fit, the
bundled pipeline's size and shape."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from schemas import NEWS_EVENT_TYPES
from triggers.components import FEATURES, SCORER, EventScorer
from triggers.corpus import Row, row_units
from triggers.learn import CUES, NER, TEXTCAT, train_pipeline
from triggers.train import BUNDLED_MODEL, SIGNS, Scored, fit_logistic, fit_scorer, macro_f1

TINY = [
    ("Payzo raises $12M Series A", ["funding_round"], "Payzo"),
    ("Kestrel lands $4M seed round", ["funding_round"], "Kestrel"),
    ("Globex acquires Initech", ["acquisition"], "Globex"),
    ("Tallow buys Quarrystone", ["acquisition"], "Tallow"),
    ("Harbor Labs names Jo Park chief executive", ["executive_hire"], "Harbor Labs"),
    ("Vantor cuts 300 jobs", ["layoffs"], "Vantor"),
    ("Analyst raises price target on Globex", [], None),
    ("Five startups to watch this winter", [], None),
]


def _rows() -> list[Row]:
    return [
        Row(f"r{k}", "tech_news", text, None, types, [], {"company": company, "counterparty": None})
        for k, (text, types, company) in enumerate(TINY)
    ]


def _units() -> list:
    return [u for r in _rows() for u in row_units(r)] * 3


def test_training_is_seeded_and_reproducible() -> None:
    probe = "Brightkeel raises $9M Series B"
    first = train_pipeline(_units(), seed=7, epochs=2, log=lambda _m: None)
    second = train_pipeline(_units(), seed=7, epochs=2, log=lambda _m: None)
    assert first(probe).cats == second(probe).cats
    assert first.pipe_names == ["tok2vec", TEXTCAT, NER, CUES]
    assert set(first.get_pipe(TEXTCAT).labels) == set(NEWS_EVENT_TYPES)  # type: ignore[attr-defined]
    assert set(first.get_pipe(NER).labels) == {"COMPANY", "COUNTERPARTY", "PERSON", "TITLE"}  # type: ignore[attr-defined]


def test_the_cue_patterns_mark_cues_and_hedges() -> None:
    nlp = train_pipeline(_units()[:8], seed=1, epochs=1, log=lambda _m: None)
    doc = nlp("Globex is in talks to acquire Initech")
    labels = {sp.label_ for sp in doc.spans["cues"]}
    assert {"acquisition", "HEDGE"} <= labels


def test_fit_logistic_respects_the_signs() -> None:
    rng = np.random.default_rng(0)
    x = np.c_[np.ones(400), rng.normal(size=(400, 2))]
    y = (x[:, 1] - x[:, 2] > 0).astype(float)
    w = fit_logistic(x, y, signs=np.array([0.0, 1.0, 1.0]))
    assert w[1] > 0 and w[2] == 0.0  # the second feature wants a negative weight; the sign keeps it at 0


def _scored(row: Row, cats: dict[str, float], cue: str | None, company: str | None) -> Scored:
    feats = {
        t: [
            float(np.log(max(cats.get(t, 0.01), 1e-4) / (1 - min(cats.get(t, 0.01), 0.9999)))),
            float(t == cue),
            0.0,
            0.0,
            0.0,
        ]
        for t in NEWS_EVENT_TYPES
    }
    return Scored(row, False, feats, company, "found" if company else "missing")


def test_fit_scorer_learns_from_out_of_fold_annotations() -> None:
    items = []
    for k in range(60):
        funded = Row(f"a{k}", "tech_news", "x", None, ["funding_round"], [], {"company": "Acme"})
        plain = Row(f"b{k}", "tech_news", "y", None, [], [], {"company": None})
        items.append(_scored(funded, {"funding_round": 0.3 + (k % 5) / 10}, "funding_round", "Acme"))
        items.append(_scored(plain, {"funding_round": 0.1 + (k % 3) / 10}, None, None))
    weights = fit_scorer(items)
    assert weights["features"] == list(FEATURES)
    assert weights["coef"][0] >= 0 and weights["coef"][1] >= 0 and weights["coef"][2] <= 0
    scorer = EventScorer.__new__(EventScorer)
    scorer.weights = weights
    high = scorer.probabilities(items[0].features)["funding_round"]
    low = scorer.probabilities(items[1].features)["funding_round"]
    assert high > weights["threshold"] > low
    assert weights["company_right"]["found"] > 0.9


def test_macro_f1_counts_each_type() -> None:
    score, per = macro_f1({"a": {"ipo"}, "b": set()}, {"a": {"ipo"}, "b": {"layoffs"}})
    assert per["ipo"]["f1"] == 1.0 and per["layoffs"]["f1"] == 0.0
    assert score == pytest.approx(1 / 9)


def test_bundled_pipeline_is_complete_and_small() -> None:
    assert (BUNDLED_MODEL / SCORER / "weights.json").is_file()
    size = sum(p.stat().st_size for p in BUNDLED_MODEL.rglob("*") if p.is_file())
    assert size < 50 * 2**20
    cfg = (BUNDLED_MODEL / "config.cfg").read_text()
    for name in ("tok2vec", TEXTCAT, NER, CUES, SCORER):
        assert f"[components.{name}]" in cfg


def test_signs_cover_the_scorer_features() -> None:
    assert len(SIGNS) == len(FEATURES)
    assert Path(__file__).is_file()
