"""The core step, written once as plain functions and classes over records: documents -> trigger
events -> one event per real-world event (folded into the stored ones) -> account matches -> campaign
entries. Both runners (pipelines.runners: the Beam batch, the Faust stream) call it; it knows
nothing of config files, stores or brokers."""

from __future__ import annotations

from pipelines.core.step import (
    CrmSnapshot,
    ProcessSettings,
    TriggerProcessor,
    Version,
    acquired_event,
    fold_reports,
    fold_versions,
    recent_window,
    restate,
    structured_events,
)

__all__ = [
    "CrmSnapshot",
    "ProcessSettings",
    "TriggerProcessor",
    "Version",
    "acquired_event",
    "fold_reports",
    "fold_versions",
    "recent_window",
    "restate",
    "structured_events",
]
