"""Measure the trigger pipeline on the labelled dev headlines in ../shared/devdata/triggers_dev.jsonl.

    python -m triggers.evaluate --shared ../shared        # what `make eval` runs

Prints, per event type, precision / recall / F1 of the document's type set; the macro-F1 over the nine
types; funding precision; and field accuracy on correctly typed events (the event of the headline's first
labelled type): company (exact, ignoring case and punctuation), round, amount (+ currency), person, and
role (the gold title normalised with triggers.roles). Then calibration of the confidence: every predicted
event is right when its type is one the headline reports and, for the headline's main (first) type, its
company is the labelled one (none when none is labelled); the reliability table (mean confidence vs share
right per bin), expected calibration error and Brier score say how well confidence matches that, and
macro-F1 is shown at the min-confidence levels 0.3 / 0.5 / 0.7. The dev set is for measuring only:
nothing in the pipeline is trained or tuned on it (the calibrator is fit on synthetic headlines).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemas import NEWS_EVENT_TYPES, Document, TriggerEvent
from triggers.roles import normalise_role

DEV_FILE = Path("devdata") / "triggers_dev.jsonl"
TARGETS = {"macro_f1": 0.90, "funding_precision": 0.95, "company": 0.90, "round": 0.95}


def _norm(text: str | None) -> str:
    return "".join(ch for ch in (text or "").lower() if ch.isalnum())


@dataclass
class Tally:
    """Counts for one figure: hits out of n."""

    hits: int = 0
    n: int = 0

    def add(self, ok: bool) -> None:
        self.n += 1
        self.hits += int(ok)

    @property
    def rate(self) -> float:
        return self.hits / self.n if self.n else 0.0


@dataclass
class Report:
    """Every figure `evaluate` prints, also returned for tests."""

    per_type: dict[str, dict[str, float]] = field(default_factory=dict)
    macro_f1: float = 0.0
    funding_precision: float = 0.0
    fields: dict[str, Tally] = field(default_factory=dict)
    documents: int = 0
    seconds: float = 0.0
    min_confidence: float = 0.0
    calibration: dict[str, Any] = field(default_factory=dict)
    macro_f1_at: dict[float, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "min_confidence": self.min_confidence,
            "macro_f1": round(self.macro_f1, 4),
            "funding_precision": round(self.funding_precision, 4),
            "per_type": self.per_type,
            "fields": {k: {"accuracy": round(v.rate, 4), "n": v.n} for k, v in self.fields.items()},
            "macro_f1_at_min_confidence": {str(k): round(v, 4) for k, v in self.macro_f1_at.items()},
            "calibration": self.calibration,
            "seconds": round(self.seconds, 3),
        }


CONFIDENCE_LEVELS = (0.3, 0.5, 0.7)


def event_is_right(row: dict[str, Any], event: TriggerEvent) -> bool:
    """Whether a predicted event is right: its type is labelled and, for the main (first) labelled type,
    its company is the labelled one (or none when none is labelled). What confidence should predict."""
    gold = row.get("types") or []
    if event.type not in gold:
        return False
    if event.type == gold[0]:
        return _norm(event.company) == _norm(row.get("company"))
    return True


def calibration_table(pairs: list[tuple[float, bool]], bins: int = 10) -> dict[str, Any]:
    """Reliability by equal-width confidence bins, expected calibration error and Brier score."""
    rows = []
    ece = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(p, ok) for p, ok in pairs if lo <= p < hi or (b == bins - 1 and p == 1.0)]
        if not inside:
            continue
        mean_p = sum(p for p, _ in inside) / len(inside)
        acc = sum(ok for _, ok in inside) / len(inside)
        ece += len(inside) * abs(mean_p - acc)
        rows.append(
            {
                "from": lo,
                "to": hi,
                "n": len(inside),
                "mean_confidence": round(mean_p, 4),
                "right": round(acc, 4),
            }
        )
    n = len(pairs)
    return {
        "events": n,
        "right": round(sum(ok for _, ok in pairs) / n, 4) if n else 0.0,
        "ece": round(ece / n, 4) if n else 0.0,
        "brier": round(sum((p - ok) ** 2 for p, ok in pairs) / n, 4) if n else 0.0,
        "bins": rows,
    }


def evaluate(rows: list[dict[str, Any]], model: str | None = None, min_confidence: float = 0.0) -> Report:
    """Run the detector on labelled rows ({"id", "text", "types", "company", ...}) and score it."""
    from triggers.detector import load_detector

    detector = load_detector(model, min_confidence=0.0)
    docs = [Document(id=str(r["id"]), title=r["text"]) for r in rows]
    start = time.perf_counter()
    everything: list[list[TriggerEvent]] = [events for _doc, events in detector.detect_many(docs)]
    seconds = time.perf_counter() - start
    report = score(rows, everything, min_confidence)
    report.seconds = seconds
    report.calibration = calibration_table(
        [
            (e.confidence, event_is_right(row, e))
            for row, events in zip(rows, everything, strict=True)
            for e in events
        ]
    )
    for level in CONFIDENCE_LEVELS:
        report.macro_f1_at[level] = score(rows, everything, level).macro_f1
    return report


def score(rows: list[dict[str, Any]], everything: list[list[TriggerEvent]], min_confidence: float) -> Report:
    """The figures for the events at or above `min_confidence` (what `classify --min-confidence` keeps)."""
    predicted = [[e for e in events if e.confidence >= min_confidence] for events in everything]
    counts = {t: {"tp": 0, "fp": 0, "fn": 0} for t in NEWS_EVENT_TYPES}
    fields = {k: Tally() for k in ("company", "round", "amount", "person", "role")}
    for row, events in zip(rows, predicted, strict=True):
        gold = set(row.get("types") or [])
        pred = {e.type for e in events}
        for t in NEWS_EVENT_TYPES:
            if t in gold and t in pred:
                counts[t]["tp"] += 1
            elif t in pred:
                counts[t]["fp"] += 1
            elif t in gold:
                counts[t]["fn"] += 1
        if not row.get("types"):
            continue
        main = row["types"][0]
        event = next((e for e in events if e.type == main), None)
        if event is None:
            continue
        if row.get("company"):
            fields["company"].add(_norm(event.company) == _norm(row["company"]))
        if main == "funding_round":
            fields["round"].add(event.round == row.get("round"))
            fields["amount"].add(
                (event.amount is None and row.get("amount") is None)
                or (
                    event.amount is not None
                    and row.get("amount") is not None
                    and abs(float(event.amount) - float(row["amount"])) < 0.5
                    and (event.currency or None) == (row.get("currency") or None)
                )
            )
        if main in ("executive_hire", "executive_departure"):
            if row.get("person"):
                fields["person"].add(_norm(event.person) == _norm(row["person"]))
            if row.get("title_role"):
                fields["role"].add(event.role == normalise_role(row["title_role"]))
    report = Report(fields=fields, documents=len(rows), min_confidence=min_confidence)
    f1s = []
    for t, c in counts.items():
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        report.per_type[t] = {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f1, 4),
            "support": c["tp"] + c["fn"],
        }
        f1s.append(f1)
    report.macro_f1 = sum(f1s) / len(f1s)
    report.funding_precision = report.per_type["funding_round"]["precision"]
    return report


def print_report(report: Report, out: Any = None) -> None:
    """The human-readable table `make eval` shows (on stdout unless `out` is given)."""
    out = sys.stdout if out is None else out
    print(
        f"triggers: {report.documents} dev documents in {report.seconds:.2f}s; "
        f"figures at min-confidence {report.min_confidence}",
        file=out,
    )
    print(f"{'type':22s} {'prec':>6s} {'recall':>6s} {'F1':>6s} {'support':>7s}", file=out)
    for t, v in report.per_type.items():
        print(f"{t:22s} {v['precision']:6.3f} {v['recall']:6.3f} {v['f1']:6.3f} {v['support']:7d}", file=out)
    print(f"macro-F1 over the nine types: {report.macro_f1:.3f} (target >= {TARGETS['macro_f1']})", file=out)
    print(
        f"funding precision:            {report.funding_precision:.3f} (target >= {TARGETS['funding_precision']})",
        file=out,
    )
    for name, tally in report.fields.items():
        target = f" (target >= {TARGETS[name]})" if name in TARGETS else ""
        print(
            f"{name + ' accuracy:':30s}{tally.rate:.3f} on {tally.n} correctly typed events{target}", file=out
        )
    if report.macro_f1_at:
        levels = ", ".join(f"{k}: {v:.3f}" for k, v in report.macro_f1_at.items())
        print(f"macro-F1 by min-confidence:   {levels}", file=out)
    cal = report.calibration
    if cal:
        print(
            f"calibration on {cal['events']} predicted events ({cal['right']:.1%} right: type, and company of "
            f"the main event): ECE {cal['ece']:.3f}, Brier {cal['brier']:.3f}",
            file=out,
        )
        print(f"  {'confidence':>11s} {'events':>6s} {'mean conf':>9s} {'right':>6s}", file=out)
        for b in cal["bins"]:
            print(
                f"  {b['from']:.1f}-{b['to']:.1f}    {b['n']:6d} {b['mean_confidence']:9.3f} {b['right']:6.3f}",
                file=out,
            )


def main(argv: list[str] | None = None) -> int:
    """Command line for `make eval`."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=Path("../shared"), help="the shared folder with devdata/")
    ap.add_argument("--model", default=None, help="spaCy pipeline path or package (default: bundled)")
    ap.add_argument("--min-confidence", type=float, default=0.0)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    args = ap.parse_args(argv)
    path = args.shared / DEV_FILE
    if not path.is_file():
        print(
            f"triggers.evaluate: no dev set at {path} (the shared folder is absent); nothing to measure",
            file=sys.stderr,
        )
        return 0
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    report = evaluate(rows, args.model, args.min_confidence)
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
