"""The project's own training data and the reproducible training run."""

from __future__ import annotations

import filecmp
import json
from pathlib import Path

import pytest

from triggers import train
from triggers.training_data import HeadlineGenerator, cats_for

REPO = Path(__file__).resolve().parents[2]


def test_generator_is_deterministic() -> None:
    a = [e.text for e in HeadlineGenerator(seed=5).examples(200)]
    b = [e.text for e in HeadlineGenerator(seed=5).examples(200)]
    c = [e.text for e in HeadlineGenerator(seed=6).examples(200)]
    assert a == b and a != c


def test_generator_covers_every_type_and_negatives() -> None:
    examples = HeadlineGenerator(seed=1).examples(2000)
    cats = [cats_for(e) for e in examples]
    for label in cats[0]:
        assert any(c[label] == 1.0 for c in cats), label
    assert any(not e.types for e in examples)


def test_shape_halves_differ() -> None:
    even = {e.text.split()[1] for e in HeadlineGenerator(seed=1, shapes="even").examples(300) if e.types}
    odd = {e.text.split()[1] for e in HeadlineGenerator(seed=1, shapes="odd").examples(300) if e.types}
    assert even != odd
    with pytest.raises(ValueError, match="shapes"):
        HeadlineGenerator(shapes="some")


def test_training_data_does_not_copy_the_dev_set(shared: Path) -> None:
    dev = {
        json.loads(line)["text"].lower()
        for line in (shared / "devdata" / "triggers_dev.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    generated = {e.text.lower() for e in HeadlineGenerator(seed=1).examples(3000)}
    assert not (generated & dev)


def test_training_is_reproducible(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    train.build(a, n_train=300, n_held_out=200, epochs=1)
    train.build(b, n_train=300, n_held_out=200, epochs=1)
    assert filecmp.cmp(a / "textcat_multilabel" / "model", b / "textcat_multilabel" / "model", shallow=False)
    cal = json.loads((a / "buysignal_trigger_scorer" / "calibration.json").read_text())
    assert cal == json.loads((b / "buysignal_trigger_scorer" / "calibration.json").read_text())
    assert len(cal["weights"]) == len(cal["features"])


def test_bundled_model_is_small() -> None:
    model = REPO / "triggers" / "model"
    size = sum(f.stat().st_size for f in model.rglob("*") if f.is_file())
    assert 0 < size < 5_000_000
