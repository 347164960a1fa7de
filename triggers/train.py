"""Rebuild the bundled trigger pipeline (triggers/model/) from the project's own synthetic data.

    python -m triggers.train                 # what `make train` runs
    python -m triggers.train --out /tmp/model --n-train 4000

Steps, all seeded so two runs give the same model:
1. generate labelled headlines (triggers/training_data.py, seed 1) and a held-out set (seed 2);
2. train the bag-of-words `textcat_multilabel` on the training headlines;
3. calibrate confidence: run the whole pipeline on the held-out headlines, label each rule candidate
   correct (its type is one the headline reports and, when the headline names a company, the company
   matches) or not, and fit a logistic regression (L2-regularised, plain numpy) from the candidate's
   features (rule strength, classifier score for its type, whether a company was found) to that label.
   The fitted weights, the held-out Brier score and the reliability table are saved in
   model/buysignal_trigger_scorer/calibration.json.
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

from triggers.pipeline import SCORER_FACTORY, TEXTCAT, build_blank_pipeline, calibration_features
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
            if correct and ex.company and cand.type == ex.types[0]:
                correct = _norm(cand.company) == _norm(ex.company)
            xs.append(calibration_features(cand, doc.cats.get(cand.type, 0.5)))
            ys.append(1.0 if correct else 0.0)
    return np.array(xs, dtype=float), np.array(ys, dtype=float)


def fit_logistic(
    x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 4000, lr: float = 0.5
) -> np.ndarray:
    """Logistic regression by full-batch gradient descent (deterministic; no sklearn needed)."""
    w = np.zeros(x.shape[1])
    n = len(y)
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) / n + l2 * np.r_[0.0, w[1:]] / n
        w -= lr * grad
    return w


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
    w = fit_logistic(x, y)
    p = 1.0 / (1.0 + np.exp(-(x @ w)))
    calibration = {
        "features": ["bias", "strength", "textcat", "has_company"],
        "weights": [round(float(v), 5) for v in w],
        "method": "logistic regression (L2) on rule candidates of held-out synthetic headlines whose shapes "
        "the probe classifier never saw (triggers.training_data seed 2, odd shapes; probe trained on even "
        "shapes, seed 3); label = candidate type reported and company right",
        "held_out_candidates": int(len(y)),
        "held_out_accuracy": round(float(y.mean()), 4),
        "brier": round(float(np.mean((p - y) ** 2)), 5),
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
