"""The aliases file the user edits: other names for CRM accounts (brands, former names, tickers)."""

from __future__ import annotations

import csv
from pathlib import Path

from schemas.errors import ConfigError

ALIAS_HEADERS = ("alias", "account_id")


def load_aliases(path: str | Path) -> dict[str, str]:
    """Read an aliases CSV (`alias,account_id` header, one alias per row) into {alias: account_id}.

    Blank lines and lines starting with "#" are skipped. A missing file, a missing header or a row
    with an empty field raises ConfigError naming the file, the line and the fix. When the same alias
    appears twice the last row wins (the file is edited by hand; later lines are the newer decision).
    """
    p = Path(path)
    if not p.is_file():
        raise ConfigError(
            f"matchers.load_aliases: aliases file {str(p)!r} not found; create it with the "
            f"header 'alias,account_id' or drop the aliases setting"
        )
    out: dict[str, str] = {}
    with p.open(newline="", encoding="utf-8-sig") as f:
        lines = (line for line in f if line.strip() and not line.lstrip().startswith("#"))
        reader = csv.DictReader(lines)
        headers = [h.strip().lower() for h in (reader.fieldnames or [])]
        if not all(h in headers for h in ALIAS_HEADERS):
            raise ConfigError(
                f"matchers.load_aliases: {str(p)!r} has headers {reader.fieldnames!r}; expected "
                f"'alias,account_id' as the first line"
            )
        reader.fieldnames = headers
        for row in reader:
            alias = (row.get("alias") or "").strip()
            account_id = (row.get("account_id") or "").strip()
            if not alias or not account_id:
                raise ConfigError(
                    f"matchers.load_aliases: {str(p)!r} line {reader.line_num} needs both an alias and an "
                    f"account_id (got {alias!r}, {account_id!r}); fill it in or delete the line"
                )
            out[alias] = account_id
    return out
