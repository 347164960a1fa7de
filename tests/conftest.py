"""Fixtures every test folder may use."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CASES = REPO / "tests" / "cases"


def shared_dir() -> Path | None:
    """../shared beside the repo (or BUYSIGNAL_SHARED), when it is there."""
    path = Path(os.environ.get("BUYSIGNAL_SHARED", REPO.parent / "shared"))
    return path if path.is_dir() else None


@pytest.fixture
def shared() -> Path:
    path = shared_dir()
    if path is None:
        pytest.skip("../shared is absent (dev data lives there, outside the repo)")
    return path
