"""Fixtures for the trigger tests: the bundled detector, loaded once per session.

It also makes `import triggers` find the package, not this tests/triggers folder: pytest puts tests/ on
sys.path (for tests/conftest.py), and a folder there named like a package shadows the editable install
as a namespace package unless the repo root comes first.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = str(Path(__file__).resolve().parents[2])
if REPO not in sys.path:
    sys.path.insert(0, REPO)
for _name in [m for m in sys.modules if m == "triggers" or m.startswith("triggers.")]:
    if getattr(sys.modules[_name], "__file__", None) is None:
        del sys.modules[_name]  # a namespace stand-in imported before this file ran

from triggers import SpacyTriggerDetector, load_detector  # noqa: E402


@pytest.fixture(scope="session")
def detector() -> SpacyTriggerDetector:
    """The bundled pipeline (loading spaCy once keeps the suite fast)."""
    return load_detector()
