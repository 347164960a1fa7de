"""The bundled example data is what the development script writes (scripts/example_data/)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_committed_example_data_is_what_the_script_writes() -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "example_data" / "generate.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "current" in proc.stdout


def test_the_generator_is_not_installed_code() -> None:
    assert not (REPO / "pipelines" / "example" / "generate.py").exists()
    assert not (REPO / "pipelines" / "example" / "__init__.py").exists()
