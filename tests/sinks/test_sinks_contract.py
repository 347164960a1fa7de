"""Every sink passes the same checks: it is a Sink, writing a batch twice leaves the same result as
writing it once, and it closes cleanly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sink_factories import make_batch

from sinks.base import Batch, Sink
from sinks.campaigns import CampaignJsonWriter, CampaignListWriter
from sinks.store import Store


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# How to open each built-in sink in a scratch folder, and how to look at what it left.
FACTORIES: dict[str, Callable[[Path], Any]] = {
    "store": lambda root: Store(f"sqlite:///{root / 'buysignal.db'}"),
    "campaign_csv": lambda root: CampaignListWriter(root / "lists"),
    "campaign_json": lambda root: CampaignJsonWriter(root / "lists"),
}


def _state(sink: Any, root: Path) -> Any:
    if isinstance(sink, Store):
        return sink.dump()
    return _files(root)


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_sink_contract(name: str, tmp_path: Path) -> None:
    sink = FACTORIES[name](tmp_path)
    assert type(sink).name == name
    assert isinstance(sink, Sink)
    batch = make_batch()

    sink.write(batch)
    once = _state(sink, tmp_path)
    assert once, f"{name} wrote nothing for a full batch"
    sink.write(batch)
    assert _state(sink, tmp_path) == once
    sink.write(Batch())  # an empty micro-batch is fine
    sink.close()
