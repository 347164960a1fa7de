"""sinks: where results go (the SQL store, campaign lists, dead-letter files).

`sink_class(name)` finds a sink by its registered name (see `sinks.registry`). Modules load on
first use, so importing `sinks` stays cheap.
"""

from __future__ import annotations

from sinks.registry import BUILTIN_SINKS, ENTRY_POINT_GROUP, available_sinks, sink_class

__all__ = ["BUILTIN_SINKS", "ENTRY_POINT_GROUP", "available_sinks", "sink_class"]
