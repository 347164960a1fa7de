"""`python -m pipelines.serve`: the same as `buysignal serve`."""

from __future__ import annotations

import sys

from pipelines.cli import main

raise SystemExit(main(["serve", *sys.argv[1:]]))
