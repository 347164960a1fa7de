"""The `buysignal` command (placeholder until the CLI lands in this change)."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    raise SystemExit("buysignal: CLI not wired yet")
