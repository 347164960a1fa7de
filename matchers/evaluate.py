"""Measure account matching on the shared dev set: precision, recall and F1, against a baseline.

    python -m matchers.evaluate --shared /work/shared

Reads devdata/match_queries_dev.jsonl (company names as a listing wrote them, with the gold SEC
registrant or null) and devdata/accounts_sec_dev.csv (a Salesforce-style export: Id, Name, Website,
OwnerId, Type). Definitions: a query whose gold is null is right only when no account is assigned;
precision = correct assignments / all assignments; recall = correct assignments / queries with a
non-null gold. The baseline is rapidfuzz.process.extractOne(fuzz.WRatio, utils.default_process) at
its best threshold by F1 (swept in the same run).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process, utils

from matchers.accounts import AccountIndex
from schemas import Account, Match

QUERIES = "devdata/match_queries_dev.jsonl"
ACCOUNTS = "devdata/accounts_sec_dev.csv"


@dataclass(frozen=True)
class Scores:
    """Quality figures of one matcher run."""

    assigned: int
    correct: int
    gold_nonnull: int
    precision: float
    recall: float
    f1: float

    def line(self) -> str:
        return (
            f"precision={self.precision:.4f} recall={self.recall:.4f} f1={self.f1:.4f} "
            f"(assigned={self.assigned} correct={self.correct} gold_nonnull={self.gold_nonnull})"
        )


def score(predicted: Sequence[str | None], gold: Sequence[str | None]) -> Scores:
    """Precision, recall and F1 as defined in the module docstring."""
    assigned = sum(p is not None for p in predicted)
    correct = sum(p is not None and p == g for p, g in zip(predicted, gold, strict=True))
    nonnull = sum(g is not None for g in gold)
    precision = correct / assigned if assigned else 0.0
    recall = correct / nonnull if nonnull else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(assigned, correct, nonnull, precision, recall, f1)


def read_accounts(path: Path) -> list[Account]:
    """The Salesforce-style accounts CSV as Account records (read here so evaluation needs no sources/)."""
    with path.open(newline="", encoding="utf-8-sig") as f:
        return [
            Account(
                account_id=row["Id"],
                name=row["Name"],
                domain=row.get("Website") or None,
                owner=row.get("OwnerId") or None,
                type=row.get("Type") or None,
            )
            for row in csv.DictReader(f)
            if row.get("Id") and row.get("Name")
        ]


def read_queries(path: Path) -> list[dict[str, str | None]]:
    """The dev queries: id, company, gold_account_id (null when no account is right)."""
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def baseline(accounts: Sequence[Account], queries: Sequence[dict[str, str | None]]) -> tuple[float, Scores]:
    """extractOne(WRatio, default_process) at its best threshold by F1."""
    names = [a.name for a in accounts]
    raw = [
        process.extractOne(q["company"] or "", names, scorer=fuzz.WRatio, processor=utils.default_process)
        for q in queries
    ]
    gold = [q["gold_account_id"] for q in queries]
    best: tuple[float, Scores] | None = None
    for threshold in range(50, 101):
        pred = [accounts[r[2]].account_id if r and r[1] >= threshold else None for r in raw]
        s = score(pred, gold)
        if best is None or s.f1 > best[1].f1:
            best = (float(threshold), s)
    assert best is not None
    return best


def evaluate(shared: Path, *, with_baseline: bool = True, show_errors: int = 0) -> dict[str, Scores]:
    """Run the AccountIndex (and the baseline) on the dev set; returns the scores by name."""
    accounts = read_accounts(shared / ACCOUNTS)
    queries = read_queries(shared / QUERIES)
    gold = [q["gold_account_id"] for q in queries]
    t0 = time.perf_counter()
    index = AccountIndex.build(accounts)
    t1 = time.perf_counter()
    matches = [index.match(q["company"], event_id=str(q["id"])) for q in queries]
    t2 = time.perf_counter()
    pred = [m.account_id for m in matches]
    ours = score(pred, gold)
    methods: dict[str, int] = {}
    for m in matches:
        key = m.method + ("/ambiguous" if m.ambiguous else "")
        methods[key] = methods.get(key, 0) + 1
    print(f"matchers.evaluate: {len(queries)} queries, {len(accounts)} accounts")
    print(f"AccountIndex (threshold {index.threshold:g}): {ours.line()}")
    print(f"  methods: {dict(sorted(methods.items()))}")
    print(f"  build {t1 - t0:.2f}s, matching {len(queries) / (t2 - t1):,.0f} queries/s")
    _print_review(queries, matches)
    result = {"ours": ours}
    # Rules are developed on the even-numbered queries and checked on the odd ones (held out): a
    # rule that helps only on the half it was made on is fitted to those lines, not general.
    halves = _halves(queries)
    if halves is not None:
        for name, keep in zip(("even", "odd"), halves, strict=True):
            part = score([pred[i] for i in keep], [gold[i] for i in keep])
            print(f"  {name}-numbered ids{' (held out)' if name == 'odd' else ''}: {part.line()}")
            result[f"ours_{name}"] = part
    if with_baseline:
        threshold, base = baseline(accounts, queries)
        print(f"baseline extractOne(WRatio, default_process) best threshold {threshold:g}: {base.line()}")
        result["baseline"] = base
    if show_errors:
        by_id = {a.account_id: a.name for a in accounts}
        shown = 0
        for q, m in zip(queries, matches, strict=True):
            if m.account_id != q["gold_account_id"] and (m.account_id or q["gold_account_id"]):
                g = q["gold_account_id"]
                print(
                    f"  {q['company']!r}: got {m.account_name!r} ({m.method} {m.score}) "
                    f"gold {by_id.get(g) if g else None!r}"
                )
                shown += 1
                if shown >= show_errors:
                    break
    return result


def _print_review(queries: Sequence[dict[str, str | None]], matches: Sequence[Match]) -> None:
    """What the review queue would hold (ties and near misses): how often the right account is among
    the candidates a person is shown, and how often there is no right account at all."""
    for reason in ("tie", "near_miss"):
        items = [(q, m) for q, m in zip(queries, matches, strict=True) if m.review_reason == reason]
        if not items:
            print(f"  review {reason}: 0 items")
            continue
        shown = sum(q["gold_account_id"] in {c.account_id for c in m.candidates} for q, m in items)
        none_right = sum(q["gold_account_id"] is None for q, _ in items)
        print(
            f"  review {reason}: {len(items)} items; the right account among the candidates in {shown} "
            f"({shown / len(items):.0%}), no right account in the CRM in {none_right}"
        )


def _halves(queries: Sequence[dict[str, str | None]]) -> tuple[list[int], list[int]] | None:
    """Positions of the queries with even and odd numbered ids ("nq-0042"), or None when the ids
    carry no number."""
    even: list[int] = []
    odd: list[int] = []
    for i, q in enumerate(queries):
        digits = str(q.get("id") or "").rsplit("-", 1)[-1]
        if not digits.isdigit():
            return None
        (odd if int(digits) % 2 else even).append(i)
    return even, odd


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry: prints the figures; exits 0 with a message when the dev data is absent."""
    parser = argparse.ArgumentParser(prog="python -m matchers.evaluate", description=__doc__.split("\n")[0])
    parser.add_argument("--shared", default="../shared", help="folder holding devdata/ (default ../shared)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the extractOne baseline")
    parser.add_argument("--errors", type=int, default=0, help="print up to N disagreements with the gold")
    args = parser.parse_args(argv)
    shared = Path(args.shared)
    if not (shared / QUERIES).is_file() or not (shared / ACCOUNTS).is_file():
        print(f"matchers.evaluate: no dev data under {shared}/devdata; skipping", file=sys.stderr)
        return 0
    evaluate(shared, with_baseline=not args.no_baseline, show_errors=args.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
