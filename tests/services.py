"""What a test does when a real service it needs (PostgreSQL, the Kafka-protocol broker, Chromium, the
local SMTP server) is not there: on a laptop it skips, saying what is missing; in CI (CI=true) that
skip would hide a whole group of tests behind a green run, so it fails instead."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    """Whether the tests run in CI: CI=true (or 1/yes), as CI systems set it."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def require_service(name: str, reason: str) -> NoReturn:
    """End the current test because `name` is unavailable (`reason` says why and how to get it):
    pytest.skip normally, pytest.fail under CI=true."""
    message = f"{name} is not available: {reason}"
    if in_ci():
        pytest.fail(
            f"{message}. CI=true, so this is a failure, not a skip: CI must provide {name}", pytrace=False
        )
    pytest.skip(message)
