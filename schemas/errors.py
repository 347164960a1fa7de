"""The errors every layer raises and the commands map to exit codes (pipelines/commands.py).

Three kinds, after the Singer SDK: fatal (`ConfigError`: configuration or input layout that can't
work; the command stops with a message saying what to fix, exit 2), retriable (network, HTTP 429 and
5xx: retried with backoff, see `schemas.retry`), and skippable (one bad record: a DeadLetter, never an
exception). They live here, under every folder, so a sink or a matcher can raise one without
importing a source.
"""

from __future__ import annotations

__all__ = ["CommandFailed", "ConfigError"]


class ConfigError(ValueError):
    """Configuration or input layout that can't work: the command reports it and exits 2."""


class CommandFailed(Exception):
    """A failure the command explains in its message: exit 1, the message only (another run holds
    the store's lock, say). Anything else unexpected also exits 1, with a hint to see the traceback."""
