"""Build the bundled trigger pipeline (triggers/model/) from the labelled corpus in ../shared/train.

    python -m triggers.train --shared ../shared        # what `make train` runs
    python -m triggers.train --out /tmp/model          # somewhere else

Steps, all seeded so two runs give the same model:
1. leave one source out: for each of the three source families, train the pipeline on the other two (and
   the project's own written sentences, triggers/data/written.jsonl) and annotate the held-out family;
2. fit the event scorer (triggers/components.py) on those out-of-fold annotations: a logistic model from
   the classifier's score and the cue, hedge and market-talk phrases to "the unit reports this type",
   the threshold per type that gives its best out-of-fold F1, and the share of right companies by how
   the company was found;
3. train the pipeline on all three families (and the written sentences), add the fitted scorer, save it.

The four trainings (three folds and the final pipeline) run side by side, one per core. Every trained
pipeline is kept in build/triggers-loso/ under a fingerprint of what it was trained from
(corpus, config, training code, vectors, seed, epochs), so `make eval` and a second `make train` with
nothing changed train nothing. The dev set (../shared/devdata) is never read here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import sys
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import spacy
from spacy.language import Language

from schemas import NEWS_EVENT_TYPES
from triggers.components import FEATURES, SCORER, EventScorer, unit_features
from triggers.corpus import (
    FAMILIES,
    LABELLED,
    OURS,
    WRITTEN,
    Row,
    load_corpus,
    load_written,
    row_units,
    training_units,
)
from triggers.detector import event_verbs, read_company
from triggers.fields import strip_wire_prefix
from triggers.learn import CONFIG, EPOCHS, annotate, refresh_cues, train_pipeline

HERE = Path(__file__).resolve().parent
BUNDLED_MODEL = HERE / "model"
LOSO_DIR = HERE.parent / "build" / "triggers-loso"
SEED = 0
VERBS = event_verbs()
ALL = "all-families"  # the fold name of the final pipeline, which leaves nothing out
THRESHOLDS = tuple(round(0.25 + 0.05 * k, 2) for k in range(11))
# The scorer's weights must keep confidence rising with the classifier and the cue, falling with a hedge
# and with market talk.
SIGNS = np.array([1.0, 1.0, -1.0, -1.0, -1.0])


def _norm(text: str | None) -> str:
    return "".join(ch for ch in (text or "").lower() if ch.isalnum())


def vectors_path() -> Path | None:
    """The distilled static vectors: triggers/vectors/ after `make vectors`, else the table the bundled
    pipeline carries (the repository ships it once, inside the model)."""
    from triggers.vectors import VECTORS_DIR

    return VECTORS_DIR if (VECTORS_DIR / "vocab" / "vectors").is_file() else None


def fingerprint(shared: Path, epochs: int, seed: int) -> str:
    """What a trained fold depends on: corpus, config, patterns, training code, vectors, seed."""
    h = hashlib.sha256(f"{epochs}:{seed}".encode())
    files = [shared / "train" / n for names in FAMILIES.values() for n in names] + [LABELLED, WRITTEN]
    # Not the cue patterns: they are data the span_ruler reads (refresh_cues), no weight depends on them.
    files += [CONFIG, HERE / "learn.py", HERE / "corpus.py", HERE / "text.py"]
    vec = vectors_path()
    if vec is not None:
        files += [vec / "vocab" / "vectors", vec / "vocab" / "key2row"]
    for p in files:
        h.update(p.read_bytes() if p.is_file() else b"-")
    return h.hexdigest()[:16]


def fold_stamp(shared: Path, epochs: int, seed: int, written: bool) -> str:
    """What a cached fold must carry to be up to date (see `fingerprint`)."""
    return fingerprint(shared, epochs, seed) + ("" if written else "-unwritten")


def is_fresh(where: Path, stamp: str) -> bool:
    """Whether the pipeline cached at `where` was trained from what `stamp` names."""
    return (where / "stamp").is_file() and (where / "stamp").read_text().strip() == stamp


@dataclass
class Scored:
    """One annotated unit of a held-out row: what the pipeline saw and said."""

    row: Row
    lead_unit: bool
    features: dict[str, list[float]]
    company: str | None
    company_how: str


def score_rows(nlp: Language, rows: list[Row]) -> list[Scored]:
    """Annotate every unit of `rows` with `nlp` (a pipeline that never saw them)."""
    units = [(r, u) for r in rows for u in row_units(r)]
    out = []
    for (row, unit), doc in zip(units, annotate(nlp, [u.text for _r, u in units]), strict=True):
        recognised = next((e.text for e in doc.ents if e.label_ == "COMPANY"), None)
        company, how = company_of(nlp, recognised, row.text)
        out.append(
            Scored(
                row=row,
                lead_unit=unit.is_lead,
                features=unit_features(doc),
                company=company,
                company_how=how,
            )
        )
    return out


def company_of(nlp: Language, recognised: str | None, headline: str) -> tuple[str | None, str]:
    """The event's company and how it was found, as the detector reads it."""
    return read_company(recognised, headline, nlp.make_doc(strip_wire_prefix(headline)), VERBS)


def fold_model(
    shared: Path,
    rows: list[Row],
    family: str,
    *,
    epochs: int,
    seed: int,
    log: Any,
    cache: Path = LOSO_DIR,
    written: bool = True,
) -> Language:
    """The pipeline trained without `family` (ALL: on every family), from build/triggers-loso/ when it is
    up to date, so a second `make train` or `make eval` with nothing changed trains nothing. `written`:
    also the project's written sentences (its labels of real text come in `rows`, from load_corpus)."""
    stamp = fold_stamp(shared, epochs, seed, written)
    where = cache / family
    if is_fresh(where, stamp):
        return refresh_cues(spacy.load(where))
    if family == ALL:
        log("triggers.train: the final pipeline, on all families")
    else:
        log(f"triggers.train: leave out {family}: training on the other {len(FAMILIES) - 1} families")
    kept = [r for r in rows if r.family != family] + (load_written() if written else [])
    nlp = train_pipeline(
        training_units(kept, seed), seed=seed, epochs=epochs, vectors=vectors_path(), log=log
    )
    where.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(where)
    (where / "stamp").write_text(stamp + "\n")
    return nlp


def _train_fold(shared: Path, family: str, epochs: int, seed: int, cache: Path, written: bool) -> str:
    """One fold trained in a worker process (the rows are read there, not pickled across)."""
    rows = load_corpus(shared, labelled=written)
    fold_model(
        shared,
        rows,
        family,
        epochs=epochs,
        seed=seed,
        log=lambda m: print(f"[{family}] {m.strip()}", file=sys.stderr, flush=True),
        cache=cache,
        written=written,
    )
    return family


def train_folds(
    shared: Path,
    families: list[str],
    *,
    epochs: int = EPOCHS,
    seed: int = SEED,
    cache: Path = LOSO_DIR,
    written: bool = True,
    workers: int | None = None,
) -> None:
    """Train the folds of `families` that are missing or stale in `cache`, side by side on the machine's
    cores (each fold is seeded on its own, so the weights are those of training them one by one)."""
    stamp = fold_stamp(shared, epochs, seed, written)
    todo = [f for f in families if not is_fresh(cache / f, stamp)]
    n = min(len(todo), workers or os.cpu_count() or 1)
    if n <= 1:
        return  # fold_model trains the one left when it is asked for it
    print(f"triggers.train: training {len(todo)} pipelines, {n} at a time", file=sys.stderr)
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: no state shared with this one
    with ProcessPoolExecutor(max_workers=n, mp_context=ctx) as pool:
        jobs = [pool.submit(_train_fold, shared, f, epochs, seed, cache, written) for f in todo]
        for job in jobs:
            print(f"triggers.train: {job.result()} done", file=sys.stderr)


def out_of_fold(
    shared: Path,
    rows: list[Row],
    *,
    epochs: int = EPOCHS,
    seed: int = SEED,
    log: Any = None,
    cache: Path = LOSO_DIR,
    written: bool = True,
) -> list[Scored]:
    """Every row's units annotated by the pipeline trained on the other families."""
    say = log or (lambda m: print(m, file=sys.stderr))
    train_folds(shared, list(FAMILIES), epochs=epochs, seed=seed, cache=cache, written=written)
    scored: list[Scored] = []
    for family in FAMILIES:
        nlp = fold_model(
            shared, rows, family, epochs=epochs, seed=seed, log=say, cache=cache, written=written
        )
        scored += score_rows(nlp, [r for r in rows if r.family == family])
    return scored


def fit_logistic(
    x: np.ndarray, y: np.ndarray, signs: np.ndarray, l2: float = 1.0, steps: int = 3000, lr: float = 0.5
) -> np.ndarray:
    """L2-regularised logistic regression by full-batch projected gradient descent (deterministic):
    weights with sign +1/-1 stay non-negative/non-positive, so confidence is monotone in the evidence."""
    w = np.zeros(x.shape[1])
    n = len(y)
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        w -= lr * (x.T @ (p - y) / n + l2 * w / n)
        w = np.where(signs > 0, np.maximum(w, 0.0), np.where(signs < 0, np.minimum(w, 0.0), w))
    return w


def unit_gold(s: Scored) -> list[str]:
    """The types a unit reports: the headline's for the headline, the row's for headline + lead."""
    return s.row.all_types if s.lead_unit else s.row.types


def fit_scorer(scored: Iterable[Scored]) -> dict[str, Any]:
    """The event scorer's weights from out-of-fold annotations (see the module docstring)."""
    items = list(scored)
    types = list(NEWS_EVENT_TYPES)
    xs, ys = [], []
    for s in items:
        gold = unit_gold(s)
        for t in types:
            one_hot = [1.0 if t == u else 0.0 for u in types]
            cue = s.features[t][1]
            xs.append(s.features[t] + one_hot + [cue * v for v in one_hot])
            ys.append(1.0 if t in gold else 0.0)
    x, y = np.array(xs), np.array(ys)
    n = len(FEATURES)
    k = len(types)
    signs = np.r_[SIGNS, np.zeros(k), np.ones(k)]
    w = fit_logistic(x, y, signs)
    weights: dict[str, Any] = {
        "features": list(FEATURES),
        "coef": [round(float(v), 6) for v in w[:n]],
        "intercept": {t: round(float(v), 6) for t, v in zip(types, w[n : n + len(types)], strict=True)},
        "cue_weight": {t: round(float(v), 6) for t, v in zip(types, w[n + k :], strict=True)},
        "threshold": 0.5,
        "company_right": {"found": 1.0, "missing": 1.0},
    }
    scorer = EventScorer.__new__(EventScorer)
    scorer.weights = weights
    best = max(THRESHOLDS, key=lambda th: (row_macro_f1(items, scorer, th)[0], -abs(th - 0.5)))
    weights["threshold"] = best
    # Each type's F1 depends on its own threshold only, so the best macro-F1 is each type's best F1.
    by_threshold = {th: row_macro_f1(items, scorer, th)[1] for th in THRESHOLDS}
    weights["thresholds"] = {
        t: max(THRESHOLDS, key=lambda th: (by_threshold[th][t]["f1"], -abs(th - best))) for t in types
    }
    right = {"found": [0, 0], "subject": [0, 0], "missing": [0, 0]}
    for s in items:
        probs = scorer.probabilities(s.features)
        for t in s.row.types if not s.lead_unit else []:
            if probs[t] >= weights["thresholds"][t]:
                right[s.company_how][0] += int(_norm(s.company) == _norm(s.row.fields.get("company")))
                right[s.company_how][1] += 1
    weights["company_right"] = {k: round((a + 1) / (n + 2), 4) for k, (a, n) in right.items()}
    return weights


def row_types(items: list[Scored], decide: Any) -> dict[str, set[str]]:
    """Per row, the types reported by its headline unit and its lead unit under `decide(s) -> set`."""
    out: dict[str, set[str]] = {}
    for s in items:
        out.setdefault(s.row.id, set()).update(decide(s))
    return out


def macro_f1(
    pred: dict[str, set[str]], gold: dict[str, set[str]]
) -> tuple[float, dict[str, dict[str, float]]]:
    """Macro-F1 over the nine types and the per-type figures."""
    per = {}
    for t in NEWS_EVENT_TYPES:
        tp = sum(t in pred.get(k, set()) and t in g for k, g in gold.items())
        fp = sum(t in pred.get(k, set()) and t not in g for k, g in gold.items())
        fn = sum(t not in pred.get(k, set()) and t in g for k, g in gold.items())
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        per[t] = {
            "precision": p,
            "recall": r,
            "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "support": tp + fn,
        }
    return sum(v["f1"] for v in per.values()) / len(per), per


def row_macro_f1(
    items: list[Scored], scorer: EventScorer, threshold: float
) -> tuple[float, dict[str, dict[str, float]]]:
    """Macro-F1 (and per type) over rows, reporting every type at `threshold`."""

    def decide(s: Scored) -> set[str]:
        return {t for t, p in scorer.probabilities(s.features).items() if p >= threshold}

    with_lead = {s.row.id for s in items if s.lead_unit}
    gold = {s.row.id: set(s.row.all_types if s.row.id in with_lead else s.row.types) for s in items}
    return macro_f1(row_types(items, decide), gold)


def build(shared: Path, out: Path, *, epochs: int = EPOCHS, seed: int = SEED) -> dict[str, Any]:
    """The whole `make train`: out-of-fold annotations, the scorer, the final pipeline on disk."""
    rows = load_corpus(shared)
    ours = sum(r.origin == OURS for r in rows)
    print(
        f"triggers.train: {len(rows) - ours} labelled rows from {shared / 'train'} and {ours} of the "
        f"project's own ({LABELLED.name})",
        file=sys.stderr,
    )
    train_folds(shared, [*FAMILIES, ALL], epochs=epochs, seed=seed)  # the final one beside the folds
    scored = out_of_fold(shared, rows, epochs=epochs, seed=seed)
    weights = fit_scorer(scored)
    print(f"triggers.train: scorer {json.dumps(weights)}", file=sys.stderr)
    nlp = fold_model(shared, rows, ALL, epochs=epochs, seed=seed, log=lambda m: print(m, file=sys.stderr))
    scorer = nlp.add_pipe(SCORER, last=True)
    scorer.weights = weights  # type: ignore[attr-defined]
    nlp.meta["name"] = "buysignal_triggers"
    nlp.meta["version"] = "2.0.0"
    nlp.meta["description"] = "buysignal trigger events: learned from ../shared/train (see triggers/train.py)"
    nlp.meta["sources"] = [
        {"name": "buysignal training corpus", "families": list(FAMILIES), "rows": len(rows) - ours},
        {"name": "buysignal's own labels of real text", "file": "triggers/data/labelled.jsonl", "rows": ours},
    ]
    vec = vectors_path()
    if vec is not None:
        from triggers.vectors import vectors_meta

        nlp.meta["buysignal_vectors"] = vectors_meta(vec)  # where the static vectors came from
    out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    print(f"triggers.train: saved the pipeline to {out}", file=sys.stderr)
    return weights


def main(argv: list[str] | None = None) -> int:
    """Command line for `make train`."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=Path("../shared"), help="the shared folder with train/")
    ap.add_argument("--out", type=Path, default=BUNDLED_MODEL, help="where to save the pipeline")
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)
    try:
        build(args.shared, args.out, epochs=args.epochs, seed=args.seed)
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
