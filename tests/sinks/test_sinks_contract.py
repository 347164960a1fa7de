"""Every registered sink passes the same checks: it is a Sink, writing a batch twice leaves the same
result as writing it once, and it closes cleanly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sink_factories import make_batch

from schemas.errors import ConfigError
from sinks.base import Batch, Sink
from sinks.registry import BUILTIN_SINKS, available_sinks, sink_class
from sinks.store import Store


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# How to open each built-in sink in a scratch folder, and how to look at what it left.
FACTORIES: dict[str, Callable[[Path], Any]] = {
    "store": lambda root: Store(f"sqlite:///{root / 'buysignal.db'}"),
    "campaign_csv": lambda root: sink_class("campaign_csv")(root / "lists"),
    "campaign_json": lambda root: sink_class("campaign_json")(root / "lists"),
    "dead_letters_jsonl": lambda root: sink_class("dead_letters_jsonl")(root / "dead_letters.jsonl"),
}


def _state(sink: Any, root: Path) -> Any:
    if isinstance(sink, Store):
        return sink.dump()
    return _files(root)


def test_every_builtin_sink_has_a_contract_factory() -> None:
    assert set(FACTORIES) == set(BUILTIN_SINKS)


@pytest.mark.parametrize("name", sorted(BUILTIN_SINKS))
def test_sink_contract(name: str, tmp_path: Path) -> None:
    cls = sink_class(name)
    assert cls.name == name
    sink = FACTORIES[name](tmp_path)
    assert isinstance(sink, Sink)
    batch = make_batch()

    sink.write(batch)
    once = _state(sink, tmp_path)
    assert once, f"{name} wrote nothing for a full batch"
    sink.write(batch)
    assert _state(sink, tmp_path) == once
    sink.write(Batch())  # an empty micro-batch is fine
    sink.close()


def test_an_unknown_sink_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="campaign_csv, campaign_json, dead_letters_jsonl, store"):
        sink_class("kafka")
    assert set(BUILTIN_SINKS) <= set(available_sinks())
