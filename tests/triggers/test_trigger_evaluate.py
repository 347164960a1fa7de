"""`python -m triggers.evaluate`: runs on the dev set when it is there, and exits cleanly when it is not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from triggers import evaluate


def test_evaluate_on_the_dev_set_clears_sanity_levels(shared: Path) -> None:
    rows = [
        json.loads(line)
        for line in (shared / "devdata" / "triggers_dev.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    report = evaluate.evaluate(rows)
    # Sanity levels, well below the targets, so the check is not flaky; `make eval` prints the real figures.
    assert report.macro_f1 > 0.6
    assert report.funding_precision > 0.8
    assert report.fields["company"].rate > 0.7
    assert report.fields["round"].rate > 0.8


def test_main_prints_the_table(shared: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert evaluate.main(["--shared", str(shared)]) == 0
    out = capsys.readouterr().out
    assert "macro-F1" in out and "funding precision" in out and "company accuracy" in out


def test_main_without_the_shared_folder_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert evaluate.main(["--shared", str(tmp_path / "absent")]) == 0
    assert "nothing to measure" in capsys.readouterr().err


def test_scoring_counts_types_and_fields() -> None:
    rows = [
        {
            "id": "a",
            "text": "Quillmark raises $25M Series B",
            "types": ["funding_round"],
            "company": "Quillmark",
            "round": "series_b",
            "amount": 25000000,
            "currency": "USD",
        },
        {"id": "b", "text": "10 startups to watch in 2027", "types": []},
    ]
    report = evaluate.evaluate(rows)
    assert report.per_type["funding_round"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}
    assert report.fields["company"].rate == 1.0 and report.fields["amount"].rate == 1.0
