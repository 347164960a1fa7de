"""Measure the trigger pipeline: leave one source out on ../shared/train, and on the external dev set.

    python -m triggers.evaluate --shared ../shared        # what `make eval` runs

1. **Leave one source out**: for each of the three source families of the training corpus (financial
   news, tech/startup news, press releases), the pipeline trained on the other two (build/triggers-loso/,
   trained by `make train` or here when missing or stale) reads the held-out family's headlines and leads;
   each family's figures and their mean.
2. **External set**: ../shared/devdata/triggers_dev.jsonl with the bundled pipeline, headline mode. It is
   for measuring only: nothing is trained or tuned on it.

Figures: per type precision / recall / F1 and the macro-F1 over the nine types; funding precision; field
accuracy on correctly typed events (the row's first labelled type): company (exact, ignoring case and
punctuation), round, amount (+ currency), person, title and role; the false-positive rate on non-events
(rows with no event that get one); calibration (an event is right when its type is labelled and, for the
main type, its company is the labelled one): ECE, Brier and the reliability table; macro-F1 at the
min-confidence levels 0.3 / 0.5 / 0.7; and the ablation: macro-F1 of the cue/hedge rules alone, the
learned classifier alone, and both combined by the event scorer.
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
from schemas.roles import normalise_role

DEV_FILE = Path("devdata") / "triggers_dev.jsonl"
TARGETS = {"macro_f1": 0.90, "funding_precision": 0.95, "company": 0.90, "round": 0.95}
LOSO_TARGET = 0.85
FALSE_POSITIVE_TARGET = 0.05
ECE_TARGET = 0.05
OWN_LABELS = " (project labels)"  # a held-out family's rows the project labelled itself


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
    ablation: dict[str, float] = field(default_factory=dict)
    false_positive_rate: float = 0.0

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
            "ablation": self.ablation,
            "false_positive_rate_on_non_events": round(self.false_positive_rate, 4),
            "seconds": round(self.seconds, 3),
        }


CONFIDENCE_LEVELS = (0.3, 0.5, 0.7)


def gold_types(row: dict[str, Any]) -> list[str]:
    """The types a labelled row reports as read: the headline's, and the lead's when a body is read."""
    types = list(row.get("types") or [])
    if row.get("body"):
        types += [t for t in row.get("body_types") or [] if t not in types]
    return types


def event_is_right(row: dict[str, Any], event: TriggerEvent) -> bool:
    """Whether a predicted event is right: its type is labelled and, for the main (first) labelled type,
    its company is the labelled one (or none when none is labelled). What confidence should predict."""
    gold = gold_types(row)
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
    """Run the detector on labelled rows ({"id", "text", "types", "company", ...}, optionally "body")
    and score it."""
    from triggers.detector import load_detector

    return evaluate_detector(load_detector(model, min_confidence=0.0), rows, min_confidence)


def evaluate_detector(detector: Any, rows: list[dict[str, Any]], min_confidence: float = 0.0) -> Report:
    """Score a loaded detector on labelled rows (see `evaluate`)."""
    docs = [Document(id=str(r["id"]), title=r["text"], text=r.get("body") or None) for r in rows]
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
    report.ablation = ablation(detector.nlp, rows)
    return report


def leave_one_source_out(
    shared: Path, *, epochs: int | None = None, cache: Path | None = None, written: bool = True
) -> dict[str, Report]:
    """For each source family of ../shared/train: the pipeline trained on the other two (and the project's
    own labels of those two; cached in build/triggers-loso/ by `make train`), with an event scorer fit on
    the other two families' out-of-fold annotations only, scored on the held-out family's shared rows
    with headline and lead. The project's own labels of the held-out family (other sources than the
    shared corpus) are scored apart, under "<family> (project labels)", so the shared figures stay
    comparable."""
    import spacy

    from triggers.components import SCORER
    from triggers.corpus import FAMILIES, OURS, SHARED, load_corpus
    from triggers.detector import SpacyTriggerDetector
    from triggers.learn import EPOCHS, refresh_cues
    from triggers.train import LOSO_DIR, fit_scorer, out_of_fold

    where = cache or LOSO_DIR
    rows = load_corpus(shared, labelled=written)  # `written`: the project's own rows too
    scored = out_of_fold(shared, rows, epochs=epochs or EPOCHS, cache=where, written=written)
    reports = {}
    for family in FAMILIES:
        nlp = refresh_cues(spacy.load(where / family))
        nlp.add_pipe(SCORER, last=True).weights = fit_scorer(s for s in scored if s.row.family != family)  # type: ignore[attr-defined]
        detector = SpacyTriggerDetector(nlp)
        for origin, key in ((SHARED, family), (OURS, f"{family}{OWN_LABELS}")):
            held_out = [
                {
                    "id": r.id,
                    "text": r.text,
                    "body": r.body,
                    "types": r.types,
                    "body_types": r.body_types,
                    **r.fields,
                }
                for r in rows
                if r.family == family and r.origin == origin
            ]
            if held_out:
                reports[key] = evaluate_detector(detector, held_out)
    return reports


def trace(nlp: Any, rows: list[dict[str, Any]], limit: int, out: Any = None) -> None:
    """The rows whose types the pipeline gets wrong, with what decided: each type's classifier score,
    cue and hedge phrases, the scorer's probability, and the entities found (so a wrong one can be traced
    to the component that made it)."""
    from triggers.components import HEDGE, SCORER

    out = sys.stdout if out is None else out
    scorer = nlp.get_pipe(SCORER)
    shown = 0
    for row, doc in zip(rows, nlp.pipe([r["text"] for r in rows], batch_size=256), strict=True):
        scores = doc._.trigger_scores or {}
        pred = set(scorer.reported(scores))
        gold = set(row.get("types") or [])
        if pred == gold:
            continue
        cues = sorted({f"{sp.label_}:{sp.text}" for sp in doc.spans.get("cues", [])})
        hedged = any(sp.label_ == HEDGE for sp in doc.spans.get("cues", []))
        print(f"- {row['id']}: {row['text']!r}", file=out)
        print(f"    gold {sorted(gold)}  predicted {sorted(pred)}  hedge {hedged}", file=out)
        for t in sorted(gold | pred):
            print(f"    {t:20s} textcat {doc.cats.get(t, 0):.2f}  scorer {scores.get(t, 0):.2f}", file=out)
        print(f"    cues {cues}  entities {[(e.text, e.label_) for e in doc.ents]}", file=out)
        shown += 1
        if shown >= limit:
            return


def ablation(nlp: Any, rows: list[dict[str, Any]]) -> dict[str, float]:
    """Macro-F1 of the types alone (headline mode) by what decides them: the cue and hedge phrases alone
    (a cue of the type and no hedge), the learned classifier alone (its score >= 0.5), and both combined
    through the event scorer (what the detector reports)."""
    from triggers.components import HEDGE, SCORER

    scorer = nlp.get_pipe(SCORER)
    decided: dict[str, list[set[str]]] = {"rules": [], "learned": [], "combined": []}
    for doc in nlp.pipe([r["text"] for r in rows], batch_size=256):
        cue_types = {sp.label_ for sp in doc.spans.get("cues", [])}
        decided["rules"].append(set() if HEDGE in cue_types else cue_types & set(NEWS_EVENT_TYPES))
        decided["learned"].append({t for t, p in doc.cats.items() if p >= 0.5})
        decided["combined"].append(set(scorer.reported(doc._.trigger_scores or {})))
    out = {}
    for name, preds in decided.items():
        events = [
            [TriggerEvent.model_construct(type=t, confidence=1.0, company=None) for t in sorted(p)]
            for p in preds
        ]
        out[name] = round(score(rows, events, 0.0).macro_f1, 4)
    return out


def score(rows: list[dict[str, Any]], everything: list[list[TriggerEvent]], min_confidence: float) -> Report:
    """The figures for the events at or above `min_confidence` (what `classify --min-confidence` keeps)."""
    predicted = [[e for e in events if e.confidence >= min_confidence] for events in everything]
    counts = {t: {"tp": 0, "fp": 0, "fn": 0} for t in NEWS_EVENT_TYPES}
    fields = {k: Tally() for k in ("company", "round", "amount", "person", "title", "role")}
    negatives = Tally()
    for row, events in zip(rows, predicted, strict=True):
        gold = set(gold_types(row))
        pred = {e.type for e in events}
        if not gold:
            negatives.add(bool(pred))
        for t in NEWS_EVENT_TYPES:
            if t in gold and t in pred:
                counts[t]["tp"] += 1
            elif t in pred:
                counts[t]["fp"] += 1
            elif t in gold:
                counts[t]["fn"] += 1
        if not gold:
            continue
        main = gold_types(row)[0]
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
                fields["title"].add(_norm(event.title) == _norm(row["title_role"]))
                fields["role"].add(event.role == normalise_role(row["title_role"]))
    report = Report(fields=fields, documents=len(rows), min_confidence=min_confidence)
    report.false_positive_rate = negatives.rate
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


def print_report(report: Report, out: Any = None, label: str = "dev") -> None:
    """The human-readable table `make eval` shows (on stdout unless `out` is given)."""
    out = sys.stdout if out is None else out
    print(
        f"triggers: {report.documents} {label} documents in {report.seconds:.2f}s; "
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
    print(
        f"false positives on non-events: {report.false_positive_rate:.3f} (target <= {FALSE_POSITIVE_TARGET})",
        file=out,
    )
    if report.ablation:
        parts = ", ".join(f"{k} {v:.3f}" for k, v in report.ablation.items())
        print(f"ablation (macro-F1, headline): {parts}", file=out)
    if report.macro_f1_at:
        levels = ", ".join(f"{k}: {v:.3f}" for k, v in report.macro_f1_at.items())
        print(f"macro-F1 by min-confidence:   {levels}", file=out)
    cal = report.calibration
    if cal:
        print(
            f"calibration on {cal['events']} predicted events ({cal['right']:.1%} right: type, and company of "
            f"the main event): ECE {cal['ece']:.3f} (target <= {ECE_TARGET}), Brier {cal['brier']:.3f}",
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
    ap.add_argument(
        "--no-loso", action="store_true", help="skip leave-one-source-out (it may train 3 pipelines)"
    )
    ap.add_argument(
        "--trace", type=int, default=0, metavar="N", help="show N dev rows the pipeline gets wrong, and why"
    )
    args = ap.parse_args(argv)
    if not args.no_loso and (args.shared / "train").is_dir():
        loso = leave_one_source_out(args.shared)
        if args.json:
            print(json.dumps({f"loso_{k}": v.as_dict() for k, v in loso.items()}, indent=2))
        else:
            shared_only = {k: v for k, v in loso.items() if not k.endswith(OWN_LABELS)}
            for family, rep in shared_only.items():
                print(f"== leave one source out: held-out family {family} (headline + lead)")
                print_report(rep, label=family)
                print()
            mean = sum(r.macro_f1 for r in shared_only.values()) / len(shared_only)
            parts = ", ".join(f"{k} {v.macro_f1:.3f}" for k, v in shared_only.items())
            print(f"leave-one-source-out macro-F1: {parts}; mean {mean:.3f} (target >= {LOSO_TARGET})")
            for name in ("rules", "learned", "combined"):
                vals = [r.ablation.get(name, 0.0) for r in shared_only.values()]
                print(f"  ablation {name:9s} mean macro-F1 (headline) {sum(vals) / len(vals):.3f}")
            own = {k: v for k, v in loso.items() if k.endswith(OWN_LABELS)}
            if own:
                print(
                    "  the same held-out pipelines on the project's own labels of each family (other sources):"
                )
                for key, rep in own.items():
                    print(
                        f"    {key:38s} {rep.documents:5d} rows: macro-F1 {rep.macro_f1:.3f}, funding precision "
                        f"{rep.funding_precision:.3f}, company {rep.fields['company'].rate:.3f}, false positives "
                        f"{rep.false_positive_rate:.3f}, ECE {rep.calibration.get('ece', 0.0):.3f}"
                    )
            print()
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
        print("== external set: ../shared/devdata/triggers_dev.jsonl (headline mode, never trained on)")
        print_report(report)
    if args.trace:
        from triggers.detector import load_detector

        trace(load_detector(args.model).nlp, rows, args.trace)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
