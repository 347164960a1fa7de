"""Trigger discovery: which trigger types precede your own closed-won deals.

`discover` compares the timing of trigger events on your accounts with the timing of your won deals
and returns a DiscoveryReport; the statistics (unit of analysis, intervals, the permutation test,
the false-discovery correction and the support rule) are documented in `pipelines.commands.discover.analysis`.
The report module renders it for people (terminal, CSV, PNG, HTML) and `write_segments` turns the
recommendations into campaign segments in a TOML config.
"""

from __future__ import annotations

from .analysis import (
    DEFAULT_MIN_SUPPORT,
    DEFAULT_PERMUTATIONS,
    DEFAULT_WINDOWS,
    DiscoveryError,
    DiscoveryReport,
    DiscoveryRow,
    Recommendation,
    discover,
    headline,
    segment_name,
)
from .report import (
    render_html,
    render_png,
    render_terminal,
    write_csv,
    write_html,
    write_png,
    write_report_files,
)
from .segments import segment_toml, write_segments

__all__ = [
    "DEFAULT_MIN_SUPPORT",
    "DEFAULT_PERMUTATIONS",
    "DEFAULT_WINDOWS",
    "DiscoveryError",
    "DiscoveryReport",
    "DiscoveryRow",
    "Recommendation",
    "discover",
    "headline",
    "render_html",
    "render_png",
    "render_terminal",
    "segment_name",
    "segment_toml",
    "write_csv",
    "write_html",
    "write_png",
    "write_report_files",
    "write_segments",
]
