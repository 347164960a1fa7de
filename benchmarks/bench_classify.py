"""Classify throughput against a bare spaCy tokenizer on the same 10,000 headline-length documents.

    .venv/bin/python benchmarks/bench_classify.py [--n 10000]

Prints documents/second for `triggers.load_detector().detect_many` (the whole path: sentences, rules,
bag-of-words textcat, scorer, TriggerEvent records) and for `spacy.blank("en").tokenizer.pipe`, their
ratio (target: classify >= 1/10 of the bare tokenizer) and the process's peak RSS (target <= 500 MB).
The headlines come from the project's own generator (triggers/training_data.py, seed 42); most get a
generated context clause so their length matches real news headlines (about 60-110 characters) rather than
the generator's short training shapes: the tokenizer's speed depends strongly on length.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import spacy  # noqa: E402

from schemas import Document  # noqa: E402
from triggers import load_detector  # noqa: E402
from triggers.training_data import HeadlineGenerator  # noqa: E402

_TAILS = [
    ", as demand for digital payments grows across the region",
    " amid a slowdown in venture funding for consumer startups",
    ", its chief executive said in a statement on Tuesday",
    " to expand its footprint in Southeast Asia and Latin America",
    ", according to a regulatory filing seen by reporters",
    " after a year of rapid growth in its enterprise business",
    " in a bid to compete with larger regional rivals",
    ", weeks after launching its mobile app in three new markets",
]


def headlines(n: int) -> list[str]:
    """`n` generated headline-length texts (deterministic)."""
    rng = random.Random(42)
    texts = []
    for ex in HeadlineGenerator(seed=42).examples(n):
        text = ex.text
        if len(text) < 70 and rng.random() < 0.8:
            text += rng.choice(_TAILS)
        texts.append(text)
    return texts


def best_of(runs: int, fn) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """The fastest of `runs` timings of fn(): (wall seconds, CPU seconds of this process). CPU time is the
    steadier figure on a shared machine; both are printed."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    texts = headlines(args.n)
    docs = [Document(id=f"bench-{i}", title=t, source="bench") for i, t in enumerate(texts)]

    blank = spacy.blank("en")
    detector = load_detector()
    events = 0

    def tokenize() -> None:
        for _ in blank.tokenizer.pipe(texts, batch_size=256):
            pass

    def classify() -> None:
        nonlocal events
        events = 0
        for _doc, found in detector.detect_many(docs, batch_size=256):
            events += len(found)

    classify()  # warm up (lazy loading, caches)
    t_tok, cpu_tok = best_of(args.runs, tokenize)
    t_cls, cpu_cls = best_of(args.runs, classify)
    tok_rate = args.n / t_tok
    cls_rate = args.n / t_cls
    ratio = cls_rate / tok_rate
    cpu_ratio = cpu_tok / cpu_cls
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    mean_chars = sum(map(len, texts)) / len(texts)
    print(
        f"documents:                 {args.n} generated headlines (mean {mean_chars:.0f} chars), {events} events"
    )
    print(f"bare tokenizer:            {tok_rate:,.0f} docs/s wall ({args.n / cpu_tok:,.0f} docs/s CPU time)")
    print(f"classify (detect_many):    {cls_rate:,.0f} docs/s wall ({args.n / cpu_cls:,.0f} docs/s CPU time)")
    print(f"ratio on CPU time:         {cpu_ratio:.3f}")
    print(
        f"ratio classify/tokenizer:  {ratio:.3f} (target >= 0.100) {'OK' if ratio >= 0.1 else 'BELOW TARGET'}"
    )
    print(
        f"peak RSS:                  {peak_mb:.0f} MB (target <= 500) {'OK' if peak_mb <= 500 else 'ABOVE TARGET'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
