"""Make `import matchers` find the package, not this tests/matchers folder.

pytest puts tests/ on sys.path (for tests/conftest.py); a folder there named like a package shadows
the editable install as a namespace package unless the repo root comes first.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = str(Path(__file__).resolve().parents[2])
if REPO not in sys.path:
    sys.path.insert(0, REPO)
for name in [m for m in sys.modules if m == "matchers" or m.startswith("matchers.")]:
    if getattr(sys.modules[name], "__file__", None) is None:
        del sys.modules[name]  # a namespace stand-in imported before this file ran
