"""Putting a DiscoveryReport in front of people: a terminal table, a CSV, a PNG chart and a
self-contained HTML page a marketer can share with their team (no external assets: the chart is
embedded as base64 and the CSS is inline, so the file works when mailed or opened offline).
"""

from __future__ import annotations

import base64
import csv
import dataclasses
import html
import io
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .analysis import (
    VERDICT_NOT_SIGNIFICANT,
    VERDICT_RECOMMEND,
    VERDICT_THIN,
    DiscoveryReport,
    DiscoveryRow,
    is_finite,
    trigger_phrase,
)

CSV_COLUMNS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(DiscoveryRow)) + ("lift_low",)
MAX_CHART_ROWS = 20
WIDE_TERMINAL = 150  # columns needed to show every terminal column


def _pct(x: float | None) -> str:
    return f"{100 * x:.0f}%" if x is not None and is_finite(x) else "-"


def _times(x: float | None) -> str:
    return f"{x:.1f}x" if x is not None and is_finite(x) else "-"


def _p(x: float | None) -> str:
    if x is None or not is_finite(x):
        return "-"
    return "<0.001" if x < 0.001 else f"{x:.3f}"


def _interval(row: DiscoveryRow) -> str:
    if row.win_rate is None:
        return "-"
    return f"{_pct(row.win_rate)} ({_pct(row.win_rate_low)}-{_pct(row.win_rate_high)})"


def trigger_label(row: DiscoveryRow) -> str:
    """A short human label for a row's trigger kind, e.g. "funding round: Series B"."""
    kind = row.type.replace("_", " ")
    if not row.subtype:
        return kind
    phrase = trigger_phrase(row.type, row.subtype)
    # "raised a Series B round" -> "Series B"; fall back to the raw subtype.
    for prefix in ("raised a ", "hired a new ", "lost their "):
        if phrase.startswith(prefix):
            return f"{kind}: {phrase[len(prefix) :].removesuffix(' round')}"
    return f"{kind}: {row.subtype.replace('_', ' ')}"


def _shown_rows(report: DiscoveryReport, show_thin: bool) -> list[DiscoveryRow]:
    return [r for r in report.rows if show_thin or r.verdict != VERDICT_THIN]


def render_terminal(report: DiscoveryReport, console: Console, *, show_thin: bool = True) -> None:
    """Print the findings as a rich table, then recommendations, notes and warnings.

    Rows without enough data are dimmed rather than hidden, so a reader sees what was looked at;
    pass show_thin=False to list only the rows that could be tested. Narrow terminals get the
    win-rate columns only; the "preceded" and deal views are in the CSV and HTML.
    """
    s = report.summary
    console.print(
        f"[bold]Trigger discovery[/bold]: {s.get('won_deals', 0)} won deals, {s.get('accounts', 0)} accounts, "
        f"{s.get('events_used', 0)} trigger events, {s.get('period_start', '?')} to {s.get('period_end', '?')}"
    )
    # The two descriptive views only fit a wide terminal; the CSV and HTML always carry them.
    wide = console.width >= WIDE_TERMINAL
    table = Table(show_lines=False, header_style="bold")
    columns = [
        ("Trigger", "left"),
        ("Window", "right"),
        ("Deals won after it (95% CI)", "right"),
        ("Other deals won", "right"),
        ("Ratio (95% CI)", "right"),
        ("Windows with a won deal: after / without", "right"),
        ("Window lift", "right"),
        ("q", "right"),
    ]
    if wide:
        columns += [("Won deals preceded", "right")]
    columns.append(("Verdict", "left"))
    for name, justify in columns:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    min_support = report.summary.get("min_support")
    for row in _shown_rows(report, show_thin):
        style = {VERDICT_RECOMMEND: "bold green", VERDICT_THIN: "dim"}.get(row.verdict, "")
        verdict = row.verdict
        if row.verdict == VERDICT_THIN:
            short = isinstance(min_support, int) and row.exposed_wins < min_support
            verdict = f"{row.verdict} ({row.exposed_wins} won, need {min_support})" if short else row.message
        cells = [
            trigger_label(row),
            f"{row.window_days} d",
            _deal_after(row),
            f"{_pct(row.deal_win_rate_other)} of {row.deals_other}" if row.deals_other else "-",
            _ratio(row),
            f"{row.exposed_wins} of {row.exposed_windows} ({_pct(row.win_rate)}) / {_pct(row.baseline_rate)}",
            _times(row.lift),
            _p(row.q_value),
        ]
        if wide:
            cells.append(
                f"{row.won_preceded} / {row.won_deals} ({_pct(row.preceded_share)})" if row.won_deals else "-"
            )
        table.add_row(*cells, verdict, style=style)
    console.print(table)
    if report.recommendations:
        console.print("[bold]Recommended triggers[/bold]")
        for rec in report.recommendations:
            console.print(f"  - {rec.sentence} Segment: [bold]{rec.segment.name}[/bold]")
    else:
        console.print("[bold]No trigger is recommended yet.[/bold]")
    for note in report.notes:
        console.print(f"[dim]note: {note}[/dim]")
    for warning in report.warnings:
        console.print(f"[yellow]warning: {warning}[/yellow]")


def _deal_after(row: DiscoveryRow) -> str:
    if not row.deals_after or row.deal_win_rate is None:
        return "-"
    interval = (
        f" ({_pct(row.deal_win_rate_low)}-{_pct(row.deal_win_rate_high)})"
        if row.deal_win_rate_low is not None and row.deal_win_rate_high is not None
        else ""
    )
    return f"{row.deals_after_won} of {row.deals_after}: {_pct(row.deal_win_rate)}{interval}"


def _ratio(row: DiscoveryRow) -> str:
    if row.deal_lift is None:
        return "-"
    if row.deal_lift_low is None or row.deal_lift_high is None:
        return f"{row.deal_lift:.1f}x"
    return f"{row.deal_lift:.1f}x ({row.deal_lift_low:.1f}-{row.deal_lift_high:.1f})"


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return value


def write_csv(report: DiscoveryReport, path: str | Path) -> Path:
    """Write every row (one per trigger kind x window) with all counts and statistics, UTF-8 CSV."""
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        for row in report.rows:
            writer.writerow([_csv_value(getattr(row, name)) for name in CSV_COLUMNS])
    return path


def _chart_rows(report: DiscoveryReport) -> list[DiscoveryRow]:
    """Rows worth drawing: the testable ones, strongest cautious lift first, at most 20."""
    rows = [r for r in report.rows if r.verdict != VERDICT_THIN and is_finite(r.lift)]
    rows.sort(key=lambda r: (-(r.lift_low or 0.0), -(r.lift or 0.0), r.trigger, r.window_days))
    return rows[:MAX_CHART_ROWS]


def render_png(report: DiscoveryReport) -> bytes:
    """The lift chart as PNG bytes: one bar per testable trigger x window, with its 95% interval.

    Draws on a bare matplotlib Figure (the Agg renderer) instead of pyplot: no display is needed,
    and the caller's own matplotlib backend and global figure state are left alone.
    """
    # Imported here: matplotlib is slow to import and only the chart needs it.
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    rows = _chart_rows(report)
    height = max(2.5, 0.45 * len(rows) + 1.6)
    fig = Figure(figsize=(9, height), dpi=100)
    ax = fig.subplots()
    if not rows:
        ax.axis("off")
        ax.text(0.5, 0.5, "Not enough data yet to compare triggers with won deals", ha="center", va="center")
    else:
        rows = list(reversed(rows))  # barh draws the first bar at the bottom
        labels = [f"{trigger_label(r)} - {r.window_days} days" for r in rows]
        lifts = [r.lift or 0.0 for r in rows]
        lows = [max(0.0, (r.lift or 0.0) - (r.lift_low or 0.0)) for r in rows]
        highs = [
            max(0.0, (r.win_rate_high or 0.0) / (r.baseline_rate or 1.0) - (r.lift or 0.0)) for r in rows
        ]
        colour_of = {VERDICT_RECOMMEND: "#2e7d32", VERDICT_NOT_SIGNIFICANT: "#9e9e9e"}
        colours = [colour_of.get(r.verdict, "#c62828") for r in rows]
        y = list(range(len(rows)))
        ax.barh(y, lifts, color=colours, xerr=[lows, highs], capsize=3, ecolor="#424242")
        ax.axvline(1.0, color="#424242", linestyle="--", linewidth=1)
        ax.set_yticks(y, labels)
        ax.set_xlabel(
            "Window lift: share of windows with a won deal after the trigger / without (95% interval)"
        )
        ax.set_title("Which triggers precede your won deals")
        legend = [
            Patch(color="#2e7d32", label="recommended"),
            Patch(color="#9e9e9e", label="not clearly more than chance"),
            Patch(color="#c62828", label="no lift"),
        ]
        ax.legend(handles=legend, loc="lower right", fontsize=8)
        ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def write_png(report: DiscoveryReport, path: str | Path) -> Path:
    """Write the lift chart (see render_png) to a PNG file."""
    path = Path(path)
    path.write_bytes(render_png(report))
    return path


_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #212121;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 1.8em; border-bottom: 1px solid #e0e0e0; padding-bottom: 0.2em; }
.lede { color: #616161; margin-top: 0; }
.rec { background: #e8f5e9; border-left: 4px solid #2e7d32; padding: 0.6em 0.9em; margin: 0.6em 0; }
.rec code, td code { background: #f5f5f5; padding: 0 0.25em; }
.none { background: #fff8e1; border-left: 4px solid #f9a825; padding: 0.6em 0.9em; }
table { border-collapse: collapse; width: 100%; font-size: 0.88em; }
th, td { border-bottom: 1px solid #eeeeee; padding: 0.35em 0.5em; text-align: right; vertical-align: top; }
th { background: #fafafa; position: sticky; top: 0; }
td.left, th.left { text-align: left; }
tr.recommend td { background: #f1f8e9; font-weight: 600; }
tr.thin td { color: #9e9e9e; }
img { max-width: 100%; height: auto; }
.warn { color: #e65100; }
.small { font-size: 0.85em; color: #616161; }
"""


def _html_table(rows: list[DiscoveryRow]) -> str:
    head = (
        "<tr><th class='left'>Trigger</th><th>Window</th><th>Deals won after it (95% interval)</th>"
        "<th>Other deals won</th><th>Ratio (95% interval)</th>"
        "<th>Windows with a won deal after it (95% interval)</th><th>Windows without it</th>"
        "<th>Window lift</th><th>q-value</th>"
        "<th>Won deals preceded</th><th>Typical days to win</th><th class='left'>Verdict</th></tr>"
    )
    body = []
    for row in rows:
        css = {VERDICT_RECOMMEND: "recommend", VERDICT_THIN: "thin"}.get(row.verdict, "")
        preceded = (
            f"{row.won_preceded} of {row.won_deals} ({_pct(row.preceded_share)}; "
            f"all account-days: {_pct(row.base_share)})"
            if row.won_deals
            else "-"
        )
        days = f"{row.median_days_to_win:.0f}" if is_finite(row.median_days_to_win) else "-"
        cells = [
            f"<td class='left'>{html.escape(trigger_label(row))}</td>",
            f"<td>{row.window_days} days</td>",
            f"<td>{html.escape(_deal_after(row))}</td>",
            f"<td>{_pct(row.deal_win_rate_other)} of {row.deals_other}</td>",
            f"<td>{html.escape(_ratio(row))}</td>",
            f"<td>{row.exposed_wins} of {row.exposed_windows}: {html.escape(_interval(row))}</td>",
            f"<td>{_pct(row.baseline_rate)}</td>",
            f"<td>{_times(row.lift)}</td>",
            f"<td>{html.escape(_p(row.q_value))}</td>",
            f"<td>{html.escape(preceded)}</td>",
            f"<td>{days}</td>",
            f"<td class='left'>{html.escape(row.message)}</td>",
        ]
        body.append(f"<tr class='{css}'>{''.join(cells)}</tr>")
    return f"<table><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"


def _thin_details(report: DiscoveryReport) -> str:
    """Rows without enough data, folded away: shown for completeness, not for reading first."""
    thin = [r for r in report.rows if r.verdict == VERDICT_THIN]
    if not thin:
        return ""
    return (
        f"<details><summary>Not enough data yet: {len(thin)} trigger and window combinations "
        f"(no claim is made about them)</summary>{_html_table(thin)}</details>"
    )


def render_html(report: DiscoveryReport, png: bytes | None = None) -> str:
    """The whole report as one self-contained HTML page (see write_html)."""
    png_bytes = png if png is not None else render_png(report)
    s = report.summary
    esc = html.escape
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        "<title>Which triggers precede your won deals</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Which triggers precede your won deals</h1>",
        f"<p class='lede'>{esc(str(s.get('won_deals', 0)))} won deals and "
        f"{esc(str(s.get('events_used', 0)))} trigger events across {esc(str(s.get('accounts', 0)))} accounts, "
        f"{esc(str(s.get('period_start', '?')))} to {esc(str(s.get('period_end', '?')))}.</p>",
        "<h2>What to act on</h2>",
    ]
    if report.recommendations:
        for rec in report.recommendations:
            parts.append(
                f"<div class='rec'>{esc(rec.sentence)}<br><span class='small'>Campaign segment "
                f"<code>{esc(rec.segment.name)}</code>: reach these accounts within "
                f"{rec.segment.days} days of the trigger.</span></div>"
            )
    else:
        parts.append(
            "<div class='none'>No trigger is recommended yet: none showed a lift that is clearly more than "
            "chance with enough won deals behind it. See the table for what was looked at and why.</div>"
        )
    encoded = base64.b64encode(png_bytes).decode("ascii")
    parts += [
        "<h2>Window lift by trigger</h2>",
        f"<img alt='Window lift by trigger and window, with 95% intervals' src='data:image/png;base64,{encoded}'>",
        "<h2>Every trigger and window with enough data</h2>",
        _html_table([r for r in report.rows if r.verdict != VERDICT_THIN])
        if any(r.verdict != VERDICT_THIN for r in report.rows)
        else "<p>No trigger and window had enough won deals after it to test.</p>",
        _thin_details(report),
        "<h2>How to read this</h2>",
        "<ul>",
        "<li><b>Deals won after it</b>: of the deals that closed (won or lost) within the window after "
        "the trigger on their account, the share won. <b>Other deals won</b>: the same share for every other "
        "closed deal. <b>Ratio</b>: the first over the second, with its 95% interval; this is the headline "
        "figure (2.0x: deals after the trigger were won twice as often).</li>",
        "<li><b>Windows with a won deal</b>: of the accounts that had the trigger, the share that closed any "
        "won deal within the window after it, against windows of the same length with no such trigger. "
        "<b>Window lift</b> divides the two; it also counts the deals a trigger creates, so it is much "
        "larger than the deal ratio and does not say how much better deals convert. A trigger is recommended "
        "only when the low end of its window interval is above the rate without it and its q-value is "
        "small.</li>",
        "<li><b>q-value</b>: the chance of a lift this large if the trigger's timing had nothing to do "
        "with wins (found by shuffling the event dates "
        f"{esc(str(s.get('permutations', '?')))} times), corrected for looking at many triggers at once. "
        f"Recommended rows need q below {esc(str(s.get('alpha', 0.05)))}.</li>",
        f"<li><b>Support</b>: no claim is made for a trigger with fewer than {esc(str(s.get('min_support', '?')))} "
        "won deals after it.</li>",
        "<li><b>Won deals preceded</b>: of your won deals, how many had the trigger in the window before "
        "the close date, against the share of all account-days that did.</li>",
        "</ul>",
        "<h2>Caveats</h2>",
        "<ul>",
        "<li>This shows which triggers go together with wins, not that they cause them: accounts that raise "
        "money or hire executives may simply be bigger or faster-growing. Test a campaign against a "
        "holdout before moving budget.</li>",
        "<li>Only events the news sources reported and that were matched to a CRM account are counted.</li>",
    ]
    parts += [f"<li>{esc(note)}</li>" for note in report.notes]
    parts += [f"<li class='warn'>{esc(warning)}</li>" for warning in report.warnings]
    parts += ["</ul>", "<p class='small'>Generated by buysignal discover.</p>", "</body></html>"]
    return "\n".join(parts)


def write_report_files(
    report: DiscoveryReport, directory: str | Path, stem: str = "discovery"
) -> dict[str, Path]:
    """Write the CSV, PNG and HTML side by side (stem.csv, stem.png, stem.html); returns them by kind.

    What `buysignal discover --out DIR` needs in one call; the chart is drawn once and shared.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    png = write_png(report, directory / f"{stem}.png")
    return {
        "csv": write_csv(report, directory / f"{stem}.csv"),
        "png": png,
        "html": write_html(report, directory / f"{stem}.html", png=png),
    }


def write_html(report: DiscoveryReport, path: str | Path, png: bytes | str | Path | None = None) -> Path:
    """Write the self-contained HTML report: plain-language findings, chart, table, caveats.

    `png` is the chart as bytes or a PNG file path (e.g. from write_png); when omitted it is drawn
    here. Everything is inline, so the page can be mailed or opened offline.
    """
    if isinstance(png, str | Path):
        png = Path(png).read_bytes()
    path = Path(path)
    path.write_text(render_html(report, png), encoding="utf-8")
    return path
