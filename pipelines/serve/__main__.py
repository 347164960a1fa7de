"""`python -m pipelines.serve`: `buysignal serve` before the main CLI registers it."""

from __future__ import annotations

from pipelines.serve import main

raise SystemExit(main())
