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
    assert evaluate.main(["--shared", str(shared), "--no-loso"]) == 0
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


def test_leave_one_source_out_trains_on_two_families_and_scores_the_third(tmp_path: Path) -> None:
    """On a corpus we write: each family is read by a pipeline that never saw it."""
    heads = {
        "fin_news.jsonl": ["Globex to buy Initech", "Vantor to cut 300 jobs", "Analyst lifts Globex target"],
        "tech_news.jsonl": ["Payzo raises $12M Series A", "Tallow acquires Quarrystone", "Five apps to try"],
        "press_releases.jsonl": [
            "Harbor Labs Appoints Jo Park CFO",
            "Kestrel Launches Radar",
            "Webinar Today",
        ],
    }
    types = (
        [["acquisition"], ["layoffs"], []],
        [["funding_round"], ["acquisition"], []],
        [["executive_hire"], ["product_launch"], []],
    )
    for (name, texts), kinds in zip(heads.items(), types, strict=True):
        path = tmp_path / "shared" / "train" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            "".join(
                json.dumps(
                    {"id": f"{name}-{k}", "text": t, "body": None, "types": ty, "company": t.split()[0]}
                )
                + "\n"
                for k, (t, ty) in enumerate(zip(texts, kinds, strict=True))
            )
        )
    (tmp_path / "shared" / "train" / "extras").mkdir()
    (tmp_path / "shared" / "train" / "extras" / "press_releases_surplus_negatives.jsonl").write_text("")
    reports = evaluate.leave_one_source_out(
        tmp_path / "shared", epochs=1, cache=tmp_path / "loso", written=False
    )
    assert set(reports) == {"fin_news", "tech_news", "press_releases"}
    assert all(r.documents == 3 for r in reports.values())
    assert all(set(r.ablation) == {"rules", "learned", "combined"} for r in reports.values())
    assert (tmp_path / "loso" / "fin_news" / "stamp").is_file()
