"""Rebuild the bundled trigger pipeline (triggers/model/) from the project's own synthetic data.

    python -m triggers.train                 # what `make train` runs
    python -m triggers.train --out /tmp/model --n-train 4000

Steps, all seeded so two runs give the same model:
1. generate labelled headlines (triggers/training_data.py, seed 1) and a held-out set (seed 2);
2. train the bag-of-words `textcat_multilabel` on the training headlines;
3. calibrate confidence: run the whole pipeline on the held-out headlines, label each rule candidate
   correct (its type is one the headline reports and, for the headline's main event, its company is the
   one named, or none when the headline names none) or not, and fit a logistic regression
   (L2-regularised, plain numpy, sign-constrained so confidence rises with evidence) from the candidate's
   features (triggers.pipeline.FEATURES: rule strength, classifier score for its type, company found,
   share of the type's fields found, ambiguous cue word, hedge in the sentence, casing, type) to that
   label. The fitted weights, the held-out Brier score, ECE and reliability table are saved in
   model/buysignal_trigger_scorer/calibration.json. The dev set is never used here (evaluate.py only
   measures calibration on it).
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from typing import Any

import numpy as np
import spacy
from spacy.training import Example as SpacyExample

from triggers.pipeline import (
    FEATURES,
    MONOTONE,
    SCORER_FACTORY,
    TEXTCAT,
    build_blank_pipeline,
    calibration_features,
)
from triggers.training_data import Example, HeadlineGenerator, cats_for

BUNDLED_MODEL = Path(__file__).resolve().parent / "model"
SEED = 0


def _norm(name: str | None) -> str:
    return "".join(ch for ch in (name or "").lower() if ch.isalnum())


def train_textcat(nlp: spacy.language.Language, train: list[Example], epochs: int, seed: int) -> None:
    """Train the classifier only (the rules and scorer have no weights to learn here)."""
    spacy.util.fix_random_seed(seed)
    rng = random.Random(seed)
    examples = [SpacyExample.from_dict(nlp.make_doc(ex.text), {"cats": cats_for(ex)}) for ex in train]
    with nlp.select_pipes(enable=[TEXTCAT]):
        optimizer = nlp.initialize(lambda: examples)
        for epoch in range(epochs):
            rng.shuffle(examples)
            losses: dict[str, float] = {}
            for batch in spacy.util.minibatch(examples, size=64):
                nlp.update(batch, sgd=optimizer, losses=losses, drop=0.1)
            print(
                f"  epoch {epoch + 1}/{epochs}: textcat loss {losses.get(TEXTCAT, 0.0):.3f}", file=sys.stderr
            )


def candidate_table(nlp: spacy.language.Language, held_out: list[Example]) -> tuple[np.ndarray, np.ndarray]:
    """Features and correctness labels of every rule candidate on the held-out headlines."""
    xs: list[list[float]] = []
    ys: list[float] = []
    for doc, ex in zip(nlp.pipe([e.text for e in held_out], batch_size=256), held_out, strict=True):
        for cand in doc._.trigger_candidates or []:
            correct = cand.type in ex.types
            if correct and cand.type == ex.types[0]:
                # The main event's subject: the named company, or none when the headline names none.
                correct = _norm(cand.company) == _norm(ex.company)
            xs.append(calibration_features(cand, doc.cats.get(cand.type, 0.5)))
            ys.append(1.0 if correct else 0.0)
    return np.array(xs, dtype=float), np.array(ys, dtype=float)


def fit_logistic(
    x: np.ndarray,
    y: np.ndarray,
    l2: float = 1.0,
    steps: int = 4000,
    lr: float = 0.5,
    signs: np.ndarray | None = None,
) -> np.ndarray:
    """Logistic regression by full-batch gradient descent (deterministic; no sklearn needed). `signs`
    (+1 / -1 / 0 per feature) keeps a weight non-negative / non-positive / free: projected gradient
    descent, so the fitted confidence is monotone in the evidence features whatever the sample."""
    w = np.zeros(x.shape[1])
    n = len(y)
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) / n + l2 * np.r_[0.0, w[1:]] / n
        w -= lr * grad
        if signs is not None:
            w = np.where(signs > 0, np.maximum(w, 0.0), np.where(signs < 0, np.minimum(w, 0.0), w))
    return w


TEXTCAT_GAIN = 0.02


def _signs(names: list[str]) -> np.ndarray:
    return np.array([MONOTONE.get(f, 0) for f in names], dtype=float)


def cross_validated_log_loss(x: np.ndarray, y: np.ndarray, names: list[str]) -> float:
    """Mean log-loss of the sign-constrained logistic model over two folds (alternate rows)."""
    rows = np.arange(len(y))
    losses = []
    for fold in (0, 1):
        fit, test = rows % 2 != fold, rows % 2 == fold
        w = fit_logistic(x[fit], y[fit], signs=_signs(names))
        p = np.clip(1.0 / (1.0 + np.exp(-(x[test] @ w))), 1e-9, 1 - 1e-9)
        losses.append(float(-np.mean(y[test] * np.log(p) + (1 - y[test]) * np.log(1 - p))))
    return sum(losses) / len(losses)


def expected_calibration_error(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """ECE: the count-weighted mean gap between confidence and accuracy over equal-width bins."""
    idx = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = idx == b
        if mask.any():
            total += mask.sum() * abs(float(p[mask].mean()) - float(y[mask].mean()))
    return total / max(len(y), 1)


def reliability(p: np.ndarray, y: np.ndarray, bins: int = 5) -> list[dict[str, float]]:
    """Mean predicted vs observed accuracy per confidence bin (the calibration check)."""
    rows = []
    edges = np.linspace(0.0, 1.0, bins + 1)
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        mask = (p >= lo) & (p < hi if hi < 1.0 else p <= hi)
        if mask.any():
            rows.append(
                {
                    "from": round(float(lo), 2),
                    "to": round(float(hi), 2),
                    "n": int(mask.sum()),
                    "mean_confidence": round(float(p[mask].mean()), 4),
                    "accuracy": round(float(y[mask].mean()), 4),
                }
            )
    return rows


def build(out: Path, n_train: int, n_held_out: int, epochs: int) -> dict[str, Any]:
    """Train, calibrate and save the pipeline to `out`; returns the calibration record."""
    # 1. Calibration: a classifier trained on half of the headline shapes, scored on the other half, so
    #    the classifier's scores look like they will on real headlines it has never seen.
    probe = build_blank_pipeline()
    print("calibration: textcat on the even headline shapes, candidates from the odd ones", file=sys.stderr)
    train_textcat(probe, HeadlineGenerator(seed=3, shapes="even").examples(n_train // 2), epochs, SEED)
    held_out = HeadlineGenerator(seed=2, shapes="odd").examples(n_held_out)
    x, y = candidate_table(probe, held_out)
    # The classifier costs about as much as the rest of the scoring; it earns its place only if its score
    # makes the held-out predictions clearly better (2-fold cross-validated log-loss, >= 2% lower).
    loss_with = cross_validated_log_loss(x, y, FEATURES)
    without = [f for f in FEATURES if f != "textcat"]
    loss_without = cross_validated_log_loss(x[:, [FEATURES.index(f) for f in without]], y, without)
    names = FEATURES if loss_with < (1.0 - TEXTCAT_GAIN) * loss_without else without
    print(
        f"calibration: held-out log-loss {loss_with:.5f} with the classifier's score, {loss_without:.5f} "
        f"without; {'using' if names is FEATURES else 'leaving out'} the classifier",
        file=sys.stderr,
    )
    cols = [FEATURES.index(f) for f in names]
    x = x[:, cols]
    w = fit_logistic(x, y, signs=_signs(names))
    p = 1.0 / (1.0 + np.exp(-(x @ w)))
    # Keep only the features that carry weight: the saved model stays small and readable.
    kept = [k for k, v in enumerate(w) if k == 0 or abs(v) >= 1e-4]
    calibration = {
        "features": [names[k] for k in kept],
        "weights": [round(float(w[k]), 5) for k in kept],
        "held_out_log_loss": {"with_textcat": round(loss_with, 5), "without_textcat": round(loss_without, 5)},
        "method": "logistic regression (L2, sign-constrained) on rule candidates of held-out synthetic "
        "headlines whose shapes the probe classifier never saw (triggers.training_data seed 2, odd shapes; "
        "probe trained on even shapes, seed 3); label = candidate type reported and, for the main event, "
        "company right (none when the headline names none)",
        "held_out_candidates": int(len(y)),
        "held_out_accuracy": round(float(y.mean()), 4),
        "brier": round(float(np.mean((p - y) ** 2)), 5),
        "ece": round(expected_calibration_error(p, y), 5),
        "reliability": reliability(p, y),
    }
    # 2. The shipped classifier: all shapes.
    train = HeadlineGenerator(seed=1).examples(n_train)
    nlp = build_blank_pipeline()
    print(f"training textcat on {len(train)} synthetic headlines", file=sys.stderr)
    train_textcat(nlp, train, epochs, SEED)
    nlp.get_pipe(SCORER_FACTORY).calibration = calibration  # type: ignore[attr-defined]
    nlp.meta["name"] = "buysignal_triggers"
    nlp.meta["version"] = "0.1.0"
    nlp.meta["description"] = "buysignal trigger rules + bag-of-words textcat, trained on synthetic headlines"
    out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    return calibration


def main(argv: list[str] | None = None) -> int:
    """Command line: rebuild the bundled model (or one at --out)."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=BUNDLED_MODEL, help="where to save (default: bundled)")
    ap.add_argument("--n-train", type=int, default=8000)
    ap.add_argument("--n-held-out", type=int, default=3000)
    ap.add_argument("--epochs", type=int, default=6)
    args = ap.parse_args(argv)
    cal = build(args.out, args.n_train, args.n_held_out, args.epochs)
    size = sum(f.stat().st_size for f in args.out.rglob("*") if f.is_file())
    print(
        f"saved {args.out} ({size / 1e6:.2f} MB); calibration weights {cal['weights']}, "
        f"held-out Brier {cal['brier']}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
