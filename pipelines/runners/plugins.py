"""Built-in and third-party sources, found the same way: entry points in pyproject.toml
(`buysignal.sources`). The one registry: sinks are wired by the runners, not configured by name."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

from schemas.errors import ConfigError

GROUPS = ("buysignal.sources",)


def available(group: str) -> dict[str, Any]:
    """name -> entry point, for one group."""
    return {ep.name: ep for ep in entry_points(group=group)}


def load(group: str, name: str) -> Any:
    """The class registered under `name` in `group`; an unknown name is a ConfigError listing the known."""
    eps = available(group)
    if name not in eps:
        known = ", ".join(sorted(eps)) or "(none installed)"
        raise ConfigError(f"unknown {group.split('.')[-1][:-1]} type {name!r}; known: {known}")
    return eps[name].load()
