"""What the commands print for a person: the run summary and the review queue."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from pipelines.runners.run import RunSummary


def print_run_summary(summary: RunSummary, console: Console | None = None) -> None:
    """The end-of-run table: documents, events per type, matched accounts, rows per segment, and
    where the campaign lists are."""
    console = console or Console()
    c = summary.counts
    overview = Table(title=f"buysignal run {summary.run_id}", show_header=False, title_justify="left")
    overview.add_column(style="bold")
    overview.add_column(justify="right")
    overview.add_row("documents read", str(c.documents))
    overview.add_row("trigger events (after dedup)", str(sum(summary.events_by_type.values())))
    if summary.history_events:
        overview.add_row("  of which from the event history file", str(summary.history_events))
    overview.add_row("events matched to an account", str(c.matched))
    overview.add_row("events with no account", str(c.unmatched))
    overview.add_row("accounts with triggers (in store)", str(summary.matched_accounts))
    overview.add_row("bad records skipped (dead letters)", str(summary.dead_letters))
    overview.add_row("matches to review (ties, near misses)", str(summary.review_pending))
    console.print(overview)

    types = Table(title="Events by type", title_justify="left")
    types.add_column("type")
    types.add_column("events", justify="right")
    for name, n in summary.events_by_type.items():
        types.add_row(name, str(n))
    console.print(types)

    segs = Table(title="Campaign lists (one row per account)", title_justify="left")
    segs.add_column("segment")
    segs.add_column("description")
    segs.add_column("accounts", justify="right")
    segs.add_column("new", justify="right")
    if summary.people_rows is not None:
        segs.add_column("people", justify="right")
    for seg in summary.segments:
        cells = [
            seg.name,
            seg.description or "",
            str(summary.segment_rows.get(seg.name, 0)),
            str(summary.new_rows.get(seg.name, 0)),
        ]
        if summary.people_rows is not None:
            cells.append(str(summary.people_rows.get(seg.name, 0)))
        segs.add_row(*cells)
    console.print(segs)
    folders = sorted({str(p.parent.resolve()) for p in summary.list_paths})
    for folder in folders:
        console.print(f"Campaign lists written to [bold]{folder}[/bold]")
    for p in summary.list_paths:
        console.print(f"  {p}")
    if summary.alerts is not None:
        a = summary.alerts
        console.print(
            f"Alerts: {a.enqueued} new for {a.subscriptions} subscriptions; {a.sent} sent, "
            f"{a.retrying} to retry, {a.dead} dead"
        )
        for error in a.errors[:5]:
            console.print(f"  delivery error: {error}")
    console.print(f"Store: [bold]{summary.store_url}[/bold]")
    for note in summary.notes:
        console.print(f"note: {note}")


_REASONS = {"tie": "tie", "near_miss": "near miss"}


def print_reviews(items: list[Any], console: Console | None = None) -> None:
    """The review queue: each tie or near miss with its candidates and their scores."""
    console = console or Console()
    if not items:
        console.print("No review items.")
        return
    table = Table(title="Matches to review", title_justify="left")
    # Ids are what `review accept` takes: folded onto more lines when narrow, never cut short.
    table.add_column("id", overflow="fold")
    table.add_column("company as written")
    table.add_column("why")
    table.add_column("candidates (account id: name, score)", overflow="fold")
    table.add_column("status")
    for item in items:
        cands = "\n".join(f"{c.account_id}: {c.account_name} ({c.score:.0f})" for c in item.candidates)
        why = _REASONS.get(item.reason or "", item.reason or "")
        table.add_row(str(item.id), item.company or "", why, cands, item.status)
    console.print(table)
    console.print(
        "Decide with: buysignal review accept ID [--account ACCOUNT_ID] | buysignal review reject ID"
    )
