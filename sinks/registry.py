"""The sink registry: `sink_class(name)` finds a sink by its registered name.

Names come from the built-ins below and from anything installed under the `buysignal.sinks`
entry-point group, exactly as a third-party plugin would register. Sink modules load on first use,
so asking for the CSV writer doesn't import SQLAlchemy.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

from schemas.errors import ConfigError

ENTRY_POINT_GROUP = "buysignal.sinks"

# name -> "module:attribute"; the same lines go under [project.entry-points."buysignal.sinks"].
BUILTIN_SINKS: dict[str, str] = {
    "store": "sinks.store:Store",
    "campaign_csv": "sinks.campaigns:CampaignListWriter",
    "campaign_json": "sinks.campaigns:CampaignJsonWriter",
    "dead_letters_jsonl": "sinks.dead_letters:DeadLetterWriter",
}


def available_sinks() -> dict[str, str]:
    """Every sink name this installation knows -> where its class lives (entry points win)."""
    found = dict(BUILTIN_SINKS)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found[ep.name] = ep.value
    return dict(sorted(found.items()))


def sink_class(name: str) -> Any:
    """The class registered as sink `name`; an unknown name is a ConfigError listing the known ones."""
    known = available_sinks()
    if name not in known:
        raise ConfigError(f"sinks: unknown sink {name!r}; known sinks: {', '.join(known)}")
    module, _, attribute = known[name].partition(":")
    return getattr(importlib.import_module(module), attribute)
