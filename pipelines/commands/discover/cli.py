"""`buysignal discover`: which trigger types precede your closed-won deals.

Reads a CRM opportunity export, takes the trigger events and their account matches from the store
(or from a JSONL file of matched events, the output of `buysignal match`), runs `discover`, prints the
table and writes the CSV / PNG / HTML report and, if asked, the recommended segments into a config.
`pipelines.commands.cli` registers it through `add_parser`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.console import Console

from schemas import Account, Match, TriggerEvent

from .analysis import DEFAULT_MIN_SUPPORT, DEFAULT_PERMUTATIONS, DEFAULT_WINDOWS, DiscoveryError, discover
from .report import render_terminal, write_csv, write_html, write_png, write_report_files
from .segments import write_segments

_EVENT_FIELDS = frozenset(TriggerEvent.model_fields)


def add_parser(sub: Any) -> None:
    """Register `discover` on the CLI's subcommand parser."""
    p = sub.add_parser(
        "discover", help="which trigger types precede your closed-won deals (CRM export + store)"
    )
    p.add_argument(
        "--opportunities", required=True, help="CRM opportunities CSV (Salesforce, HubSpot or plain)"
    )
    p.add_argument("--accounts", help="CRM accounts CSV: puts accounts that never had a deal in the baseline")
    p.add_argument(
        "--events",
        help="matched events JSONL (the output of `buysignal match`) instead of the events in the store",
    )
    p.add_argument(
        "--db", help="store URL to read events and matches from (default: BUYSIGNAL_DB_URL or config)"
    )
    p.add_argument("--config", help="take the store URL from this config")
    p.add_argument(
        "--windows",
        default=",".join(str(w) for w in DEFAULT_WINDOWS),
        help="days after a trigger to look at, comma-separated (default: 30,60,90,180)",
    )
    p.add_argument(
        "--min-support",
        type=int,
        default=DEFAULT_MIN_SUPPORT,
        help=f"won deals after a trigger needed before any claim is made (default {DEFAULT_MIN_SUPPORT})",
    )
    p.add_argument("--as-of", help="end of the analysis period, ISO date (default: the last CRM date)")
    p.add_argument("--seed", type=int, default=0, help="seed of the date shuffles (default 0)")
    p.add_argument(
        "--permutations",
        type=int,
        default=DEFAULT_PERMUTATIONS,
        help=f"date shuffles per tested row (default {DEFAULT_PERMUTATIONS}; raised when many rows are tested)",
    )
    p.add_argument("--out", help="folder for discovery.csv, discovery.png and discovery.html")
    p.add_argument("--csv", help="write the table as CSV here")
    p.add_argument("--png", help="write the lift chart as PNG here")
    p.add_argument("--html", help="write the self-contained HTML report here")
    p.add_argument(
        "--write-segments", metavar="CONFIG", help="append recommended segments to this TOML config"
    )
    p.add_argument("--all", action="store_true", help="also list rows without enough data in the terminal")
    p.set_defaults(func=cmd_discover)


def _windows(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise DiscoveryError(
            f"--windows takes whole days separated by commas, e.g. 30,90; got {text!r}"
        ) from exc


def _as_of(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise DiscoveryError(f"--as-of takes an ISO date such as 2026-11-25; got {text!r}") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _matched_events(path: str) -> tuple[list[TriggerEvent], dict[str, str], int]:
    """Events and their accounts from `buysignal match` output; bad lines are counted and skipped."""
    events: list[TriggerEvent] = []
    accounts: dict[str, str] = {}
    bad = 0
    try:
        lines: Iterator[str] = iter(Path(path).read_text(encoding="utf-8").splitlines())
    except FileNotFoundError as exc:
        raise DiscoveryError(f"--events file {path} not found") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            event = TriggerEvent.model_validate({k: v for k, v in obj.items() if k in _EVENT_FIELDS})
        except (json.JSONDecodeError, AttributeError, ValidationError) as exc:
            bad += 1
            print(
                f"buysignal discover: {path}:{number}: skipped, not a TriggerEvent ({exc})", file=sys.stderr
            )
            continue
        events.append(event)
        account_id = obj.get("account_id")
        if account_id and not obj.get("ambiguous"):
            accounts[event.event_id] = str(account_id)
    return events, accounts, bad


def _store_url(args: argparse.Namespace) -> str:
    url = args.db or os.environ.get("BUYSIGNAL_DB_URL")
    if not url and args.config:
        from pipelines.config import load_config

        url = load_config(args.config).store.url
    return url or "sqlite:///buysignal.db"


def _from_store(url: str) -> tuple[list[TriggerEvent], dict[str, str], list[Account]]:
    from sinks.store import Store

    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        db_file = Path(url.removeprefix("sqlite:///"))
        if not db_file.exists():
            raise DiscoveryError(
                f"there is no store at {db_file}; run `buysignal run` first, pass --db, "
                "or give matched events with --events"
            )
    store = Store(url)
    try:
        events = store.events()
        matches: list[Match] = store.matches()
        accounts = store.accounts()
    finally:
        store.close()
    event_accounts = {m.event_id: m.account_id for m in matches if m.account_id and not m.ambiguous}
    return events, event_accounts, accounts


def cmd_discover(args: argparse.Namespace) -> int:
    """Run trigger discovery from the command line (exit 2 on input that can't support it)."""
    from sources.crm import read_accounts, read_opportunities

    notes: list[str] = []
    opportunities, dead = read_opportunities(args.opportunities, notes=notes)
    for note in notes:  # the windows hang on these dates: say when their order was a guess
        print(f"buysignal discover: note: {note}", file=sys.stderr)
    if dead:
        print(f"buysignal discover: {len(dead)} opportunity rows skipped: {dead[0].error}", file=sys.stderr)
    if args.events:
        events, event_accounts, bad = _matched_events(args.events)
        if bad:
            print(f"buysignal discover: {bad} event lines skipped", file=sys.stderr)
        accounts: list[Account] | None = None
    else:
        events, event_accounts, stored_accounts = _from_store(_store_url(args))
        accounts = stored_accounts or None
    if args.accounts:
        accounts, dead_accounts = read_accounts(args.accounts)
        if dead_accounts:
            print(f"buysignal discover: {len(dead_accounts)} account rows skipped", file=sys.stderr)
    try:
        report = discover(
            events,
            event_accounts,
            opportunities,
            accounts,
            windows=_windows(args.windows),
            min_support=args.min_support,
            as_of=_as_of(args.as_of),
            seed=args.seed,
            permutations=args.permutations,
        )
    except DiscoveryError as exc:
        # The CLI already names the command; keep the message, drop the library's "discover: " prefix.
        raise DiscoveryError(str(exc).removeprefix("discover: ")) from exc
    # Piped into a file or another program, rich would wrap at 80 columns; a wide table reads better there.
    render_terminal(report, Console(width=None if sys.stdout.isatty() else 160), show_thin=args.all)
    written: list[Path] = []
    if args.out:
        written += write_report_files(report, args.out).values()
    if args.csv:
        written.append(write_csv(report, args.csv))
    png_path = write_png(report, args.png) if args.png else None
    if png_path:
        written.append(png_path)
    if args.html:
        written.append(write_html(report, args.html, png=png_path))
    for path in written:
        print(f"buysignal discover: wrote {path}", file=sys.stderr)
    if args.write_segments:
        added = write_segments(args.write_segments, report.segments)
        names = ", ".join(s.name for s in added) or "none new"
        print(f"buysignal discover: segments added to {args.write_segments}: {names}", file=sys.stderr)
    return 0
