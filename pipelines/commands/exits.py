"""How every command ends: the one mapping from an outcome to an exit code and a message.

CONTRACT.md: exit 0 when the command finished its input (bad records are skipped and reported, never
fatal), 2 for bad usage or config, 1 for anything else. Every `buysignal` command runs through
`run_command`, so they all end the same way.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from schemas.errors import CommandFailed, ConfigError

__all__ = ["FAILED", "INTERRUPTED", "OK", "USAGE", "CommandFailed", "UsageError", "run_command"]

OK = 0
FAILED = 1
USAGE = 2
INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C


class UsageError(ConfigError):
    """Bad command-line usage (exit 2)."""


def run_command(name: str, command: Callable[[], int]) -> int:
    """Run one command and turn how it ended into its exit code, with the message on stderr."""
    try:
        return int(command())
    except ConfigError as exc:  # UsageError included
        print(f"buysignal {name}: {exc}", file=sys.stderr)
        return USAGE
    except CommandFailed as exc:
        print(f"buysignal {name}: {exc}", file=sys.stderr)
        return FAILED
    except BrokenPipeError:  # the reader went away (`| head`): what it wanted was written
        return OK
    except KeyboardInterrupt:
        return INTERRUPTED
    except Exception as exc:  # the commands' last line of defence: a message, not a traceback
        if os.environ.get("BUYSIGNAL_DEBUG"):
            raise
        print(f"buysignal {name}: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("(set BUYSIGNAL_DEBUG=1 for the traceback)", file=sys.stderr)
        return FAILED
