"""The `buysignal` command: classify, match, ingest, run, review, discover (CONTRACT.md).

JSON Lines in and out ("-" or no path = stdin/stdout); progress and errors on stderr only. Every
command ends through `pipelines.commands.exits.run_command`: exit 0 when the input was finished (bad records
are skipped and reported), 2 for bad usage or config, 1 for anything else.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from pipelines.commands.exits import UsageError, run_command
from schemas import DeadLetter, Document

log = logging.getLogger("buysignal")


# -- I/O helpers ------------------------------------------------------------------------------
@contextlib.contextmanager
def open_in(path: str | None) -> Iterator[IO[bytes]]:
    """Open a JSON Lines input (a path, or stdin for None and "-") as bytes: the readers decode each
    line themselves, so a line that is not UTF-8 is one skipped record, not a failed command."""
    if path in (None, "-"):
        yield sys.stdin.buffer
        return
    try:
        fh = open(path, "rb")  # noqa: SIM115 (closed below)
    except FileNotFoundError as exc:
        raise UsageError(f"input file {path} not found") from exc
    except IsADirectoryError as exc:
        raise UsageError(f"input {path} is a directory, not a JSON Lines file") from exc
    with fh:
        yield fh


@contextlib.contextmanager
def open_out(path: str | None) -> Iterator[IO[str]]:
    if path in (None, "-"):
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        yield fh
    os.replace(tmp, target)


def report_dead(dead: DeadLetter) -> None:
    # Most readers already start the error with the component ("classify:stdin line 2: ...").
    where = "" if dead.error.startswith(dead.component) else f"{dead.component}: "
    print(f"buysignal: skipped {where}{dead.error}", file=sys.stderr)


def progress(iterable: Any, desc: str, unit: str) -> Any:
    from tqdm import tqdm

    return tqdm(iterable, desc=desc, unit=unit, file=sys.stderr, disable=None, leave=False)


# -- commands ---------------------------------------------------------------------------------
def cmd_classify(args: argparse.Namespace) -> int:
    from pipelines.core import structured_events
    from sources.files import iter_documents
    from triggers import load_detector

    detector = load_detector(args.model, min_confidence=args.min_confidence)
    docs_n = events_n = skipped = 0

    def documents(stream: IO[bytes], out: IO[str]) -> Iterator[Document]:
        nonlocal skipped, docs_n, events_n
        for item in iter_documents(stream, component=f"classify:{args.input or 'stdin'}"):
            if isinstance(item, DeadLetter):
                skipped += 1
                report_dead(item)
                continue
            docs_n += 1
            if item.events:  # events a source read from structured data (a filing, a job change)
                for event in structured_events(item):
                    out.write(event.to_json() + "\n")
                    events_n += 1
                continue
            yield item

    with open_in(args.input) as src, open_out(args.output) as out:
        for _doc, events in progress(detector.detect_many(documents(src, out)), "classify", "doc"):
            for event in events:
                out.write(event.to_json() + "\n")
                events_n += 1
    for dead in getattr(detector, "dead_letters", []):  # documents the detector itself failed on
        skipped += 1
        report_dead(dead)
    print(
        f"buysignal classify: {docs_n} documents, {events_n} events, {skipped} skipped",
        file=sys.stderr,
    )
    return 0


def _load_index(
    accounts_path: str, aliases_path: str | None, threshold: float | None, review_min: float | None = None
) -> Any:
    from matchers import AccountIndex, load_aliases
    from sources.crm import read_accounts

    accounts, dead = read_accounts(accounts_path)
    for d in dead:
        report_dead(d)
    aliases = load_aliases(aliases_path) if aliases_path else {}
    return AccountIndex.build(accounts, aliases=aliases, threshold=threshold, review_min=review_min)


def _identity(obj: dict[str, Any]) -> tuple[str | None, list[str]]:
    """An SEC filer's CIK and tickers, from an event's `filing` or from `cik` / `ticker` keys."""
    raw = obj.get("filing")
    filing: dict[str, Any] = raw if isinstance(raw, dict) else {}
    cik = obj.get("cik", filing.get("cik"))
    tickers = obj.get("tickers", filing.get("tickers")) or obj.get("ticker") or []
    if isinstance(tickers, str):
        tickers = [tickers]
    return (
        str(cik) if isinstance(cik, str | int) else None,
        [t for t in tickers if isinstance(t, str)] if isinstance(tickers, list) else [],
    )


def cmd_match(args: argparse.Namespace) -> int:
    from sources.files import iter_json_lines

    index = _load_index(args.accounts, args.aliases, args.threshold, args.review_min)
    matched = total = skipped = 0
    with open_in(args.input) as src, open_out(args.output) as out:
        for item in progress(iter_json_lines(src, "match"), "match", "line"):
            if isinstance(item, DeadLetter):
                skipped += 1
                report_dead(item)
                continue
            lineno, obj = item
            try:
                if not isinstance(obj, dict):
                    raise ValueError("each line must be a JSON object")
                ident = obj.get("id", obj.get("event_id"))
                if ident is None or "company" not in obj:
                    raise ValueError("needs 'id' (or 'event_id') and 'company'")
                for key in ("company", "url", "domain"):
                    if obj.get(key) is not None and not isinstance(obj[key], str):
                        raise ValueError(f"{key!r} must be a string or null")
                company = obj["company"]
            except ValueError as exc:
                skipped += 1
                print(f"buysignal match: skipped line {lineno}: {exc}", file=sys.stderr)
                continue
            cik, tickers = _identity(obj)
            m = index.match(
                company,
                event_id=str(ident),
                url=obj.get("url"),
                domain=obj.get("domain"),
                cik=cik,
                tickers=tickers,
            )
            total += 1
            matched += m.account_id is not None
            obj.update(
                account_id=m.account_id,
                account_name=m.account_name,
                score=m.score,
                method=m.method,
                ambiguous=m.ambiguous,
                candidates=[c.model_dump() for c in m.candidates],
                matched_by=m.matched_by,
                review_reason=m.review_reason,
            )
            out.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
    print(f"buysignal match: {total} records, {matched} matched, {skipped} skipped", file=sys.stderr)
    return 0


def _store_for(args: argparse.Namespace) -> Any:
    from sinks.store import Store

    url = getattr(args, "db", None) or os.environ.get("BUYSIGNAL_DB_URL")
    if not url and getattr(args, "config", None):
        from pipelines.config import load_config

        url = load_config(args.config).store.url
    return Store(url or "sqlite:///buysignal.db")


def cmd_ingest(args: argparse.Namespace) -> int:
    from sources.jobchanges import JobChangesSource
    from sources.rss import RssSource
    from sources.sec_edgar import SecEdgarSource

    if args.kind != "sec_edgar" and not args.feeds:
        raise UsageError(f"ingest {args.kind} needs at least one FEED (a URL or a file)")
    store = _store_for(args) if args.db else None
    if args.kind == "rss":
        source: Any = RssSource(
            args.feeds, source_name=args.name, state=store, timeout=args.timeout, max_retries=args.retries
        )
    elif args.kind == "sec_edgar":
        # No FEED: EDGAR's latest filings (needs --user-agent); FEEDs: saved submission files.
        source = SecEdgarSource(
            user_agent=args.user_agent,
            files=args.feeds or None,
            source_name=args.name,
            state=store,
            timeout=args.timeout,
            max_retries=args.retries,
        )
    else:
        source = JobChangesSource(args.feeds[0]) if len(args.feeds) == 1 else None
        if source is None:
            raise UsageError("ingest jobs takes one CSV or JSONL file")
    to_publish: list[Document] = []  # with --to-kafka: published once the source is read
    docs = dead = 0
    with contextlib.ExitStack() as stack:
        out = None if args.to_kafka else stack.enter_context(open_out(args.output))
        for item in progress(source.read(), f"ingest {args.kind}", "item"):
            if isinstance(item, Document):
                docs += 1
                if out is None:
                    to_publish.append(item)
                else:
                    out.write(item.to_json() + "\n")
            elif isinstance(item, DeadLetter):
                dead += 1
                report_dead(item)
                if store is not None:
                    store.add_dead_letters([item])
    if store is not None:
        store.close()
    where = ""
    if args.to_kafka:
        from pipelines.commands.stream import Topics, publish_documents, resolve_broker_url

        topic = Topics(args.topic_prefix).documents
        published = publish_documents(to_publish, resolve_broker_url(args.broker), topic)
        where = f", {published} published to {topic}"
    print(f"buysignal ingest {args.kind}: {docs} documents{where}, {dead} skipped", file=sys.stderr)
    return 0


def unknown_beam_args(args: Sequence[str]) -> list[str]:
    """The arguments that no Beam pipeline option takes (Beam itself would drop them silently)."""
    from apache_beam.options.pipeline_options import PipelineOptions

    parsers: list[argparse.ArgumentParser] = []
    PipelineOptions(list(args)).get_all_options(add_extra_args_fn=parsers.append)
    _, unknown = parsers[0].parse_known_args(list(args))
    return unknown


def cmd_run(args: argparse.Namespace, beam_args: Sequence[str]) -> int:
    from pipelines.commands.report import print_run_summary
    from pipelines.config import load_config
    from pipelines.runners.run import run

    unknown = unknown_beam_args(beam_args)
    if unknown:
        raise UsageError(
            f"unrecognized arguments: {' '.join(unknown)} (buysignal run takes --config, --db, "
            "--output-dir, --demo, and Apache Beam pipeline options such as --runner=FlinkRunner)"
        )

    cfg = load_config(args.config)
    if args.db:
        cfg = cfg.model_copy(update={"store": cfg.store.model_copy(update={"url": args.db})})
    if args.output_dir:
        cfg = cfg.model_copy(update={"output": cfg.output.model_copy(update={"dir": args.output_dir})})
    if args.config is None:
        print(
            f"buysignal run: no --config given, running on the bundled example data ({cfg.base_dir})",
            file=sys.stderr,
        )
    from pipelines.runners.lock import run_lock

    with run_lock(cfg.store.url):  # held or lost: RunLockHeld / RunLockLost, exit 1
        summary = run(cfg, extra_args=beam_args)
    print_run_summary(summary)
    report_skipped(summary.skipped, summary.run_id)
    return 0


SKIPPED_SHOWN = 3  # per file, on stderr; `buysignal dead-letters` lists them all


def report_skipped(skipped: dict[str, list[DeadLetter]], run_id: str, shown: int = SKIPPED_SHOWN) -> None:
    """On stderr: how many records each file (or feed) had skipped in this run, and the first few
    with their file and line, so bad rows are seen when they happen, not found later."""
    for component, letters in sorted(skipped.items()):
        noun = "record" if len(letters) == 1 else "records"
        print(f"buysignal run: skipped {len(letters)} {noun} from {component}", file=sys.stderr)
        for dead in letters[:shown]:
            print(f"  {dead.error}", file=sys.stderr)
        if len(letters) > shown:
            print(f"  ... and {len(letters) - shown} more", file=sys.stderr)
    if skipped:
        print(
            f"buysignal run: `buysignal dead-letters --since {run_id}` lists them with their payloads",
            file=sys.stderr,
        )


def cmd_dead_letters(args: argparse.Namespace) -> int:
    """The dead letters in the store as JSON Lines (oldest first), and a count per component on
    stderr. `--since` takes a run id (or "last"): the dead letters first recorded since that run
    started. A record that fails the same way on every run keeps its first time, so `--since`
    shows what is new."""
    from collections import Counter
    from datetime import datetime

    store = _store_for(args)
    try:
        since: datetime | None = None
        if args.since:
            since = _since(store, args.since)
        letters = store.dead_letters(since=since, stage=args.stage, component=args.component)
    finally:
        store.close()
    with open_out(args.output) as out:
        for dead in letters:
            out.write(dead.to_json() + "\n")
    per = Counter(d.component for d in letters)
    parts = ", ".join(f"{c} {n}" for c, n in sorted(per.items()))
    scope = f" since run {args.since}" if args.since else ""
    print(
        f"buysignal dead-letters: {len(letters)}{scope}" + (f" ({parts})" if parts else ""), file=sys.stderr
    )
    return 0


def _since(store: Any, value: str) -> Any:
    """When `--since` starts: a run id's start ("last": the newest run's), or an ISO date/time."""
    from datetime import UTC, datetime

    runs = store.runs()
    if value == "last":
        if not runs:
            raise UsageError("--since last: the store has no runs yet")
        return runs[0].started_at
    for run in runs:
        if run.run_id == value:
            return run.started_at
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        recent = ", ".join(r.run_id for r in runs[:5]) or "none yet"
        raise UsageError(
            f"--since {value!r} is neither a run id nor a date/time; recent runs: {recent} "
            "(or pass 'last', or a date such as 2026-12-01)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def cmd_review(args: argparse.Namespace) -> int:
    from pipelines.commands.report import print_reviews

    store = _store_for(args)
    try:
        if args.action == "list":
            print_reviews(store.list_reviews(args.status))
        elif args.action == "accept":
            store.decide_review(args.item, accept=True, account_id=args.account)
            print(
                f"accepted review item {args.item}; the alias is remembered for future runs", file=sys.stderr
            )
        else:
            store.decide_review(args.item, accept=False)
            print(f"rejected review item {args.item}", file=sys.stderr)
    except KeyError as exc:
        raise UsageError(f"no review item {exc}; `buysignal review list` shows the pending ones") from exc
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    finally:
        store.close()
    return 0


EXPORT_FORMATS = ("accounts", "people", "salesforce-campaign", "hubspot")


def cmd_export(args: argparse.Namespace) -> int:
    """One segment's list, as the last run (or the stream) cut it, in a format a CRM imports."""
    from sinks.campaigns import PEOPLE_COLUMNS, entry_key, render_csv
    from sinks.crm_formats import render_hubspot, render_salesforce_campaign

    store = _store_for(args)
    try:
        entries = store.campaign_entries(args.segment)
        people = store.campaign_people(args.segment)
        if not entries:
            with contextlib.suppress(Exception):
                known = sorted({e.segment for e in store.campaign_entries()})
                print(
                    f"buysignal export: segment {args.segment!r} has no rows in {store!r} "
                    f"(segments with rows: {', '.join(known) or 'none'}; run `buysignal run` first)",
                    file=sys.stderr,
                )
        fmt = args.format
        exported = store.exported_keys(args.segment, fmt)
        rows: list[Any] = list(entries) if fmt == "accounts" else list(people)
        if fmt != "accounts" and entries and not people:
            print(
                f"buysignal export: segment {args.segment!r} has {len(entries)} accounts but no people: "
                "the run had no [crm] contacts export, or no contact matched the segment's personas",
                file=sys.stderr,
            )
        if args.since_last_run:
            rows = [r for r in rows if entry_key(r) not in exported]
        skipped: dict[str, int] = {}
        if fmt == "accounts":
            text, written = render_csv(rows, seen=exported), rows
        elif fmt == "people":
            text, written = render_csv(rows, seen=exported, columns=PEOPLE_COLUMNS), rows
        elif fmt == "salesforce-campaign":
            out = render_salesforce_campaign(rows, status=args.status, campaign_id=args.campaign_id)
            text, written, skipped = out.text, out.written, out.skipped
        else:
            out = render_hubspot(rows, list_name=args.list_name or args.segment)
            text, written, skipped = out.text, out.written, out.skipped
        with open_out(args.output) as handle:
            handle.write(text)
        if not args.dry_run and written:
            store.record_export(args.segment, fmt, [entry_key(r) for r in written])
    finally:
        store.close()
    new = sum(1 for r in written if entry_key(r) not in exported)
    left_out = "".join(f", {n} left out ({why})" for why, n in sorted(skipped.items()))
    print(
        f"buysignal export {args.segment} --format {fmt}: {len(written)} rows ({new} new since the last "
        f"export in this format){left_out}" + (" [dry run: not recorded]" if args.dry_run else ""),
        file=sys.stderr,
    )
    return 0


# -- parser -------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="buysignal",
        description="Find buying triggers in news, match them to your CRM, and cut campaign lists.",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="log progress details on stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("classify", help="Documents (JSONL) -> TriggerEvents (JSONL)")
    p.add_argument("input", nargs="?", help="Documents JSONL file (default: stdin)")
    p.add_argument("-o", "--output", help="where to write events (default: stdout)")
    p.add_argument("--model", help="spaCy pipeline path or package (default: the bundled one)")
    p.add_argument("--min-confidence", type=float, default=0.5, help="drop events below this (0-1)")
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("match", help="objects with id and company (JSONL) -> the same with their CRM account")
    p.add_argument("input", nargs="?", help="JSONL file (default: stdin)")
    p.add_argument("-o", "--output", help="default: stdout")
    p.add_argument("--accounts", required=True, help="CRM accounts CSV (Salesforce, HubSpot or plain)")
    p.add_argument("--aliases", help="CSV of alias,account_id to match as well")
    p.add_argument("--threshold", type=float, help="fuzzy score (0-100) needed to assign an account")
    p.add_argument(
        "--review-min",
        type=float,
        help="lowest best score (0-100) that marks an unassigned record a near miss (review_reason; default 50)",
    )
    p.set_defaults(func=cmd_match)

    p = sub.add_parser("ingest", help="read a source and write Documents (JSONL)")
    p.add_argument(
        "kind",
        choices=["rss", "jobs", "sec_edgar"],
        help="rss: RSS/Atom/JSON feeds; jobs: job-change CSV/JSONL; sec_edgar: SEC Form D and 8-K filings",
    )
    p.add_argument(
        "feeds",
        nargs="*",
        metavar="FEED",
        help="feed URLs or local files (sec_edgar: saved submission files; none = EDGAR's latest filings)",
    )
    p.add_argument("-o", "--output", help="default: stdout")
    p.add_argument("--name", help="source name to put on the documents")
    p.add_argument("--db", help="store URL to remember ETag/Last-Modified in (conditional GET on re-runs)")
    p.add_argument("--timeout", type=float, default=20.0, help="seconds per HTTP request (default 20)")
    p.add_argument("--retries", type=int, default=4, help="retries on connection errors, 429 and 5xx")
    p.add_argument(
        "--user-agent",
        help="sec_edgar: your name and e-mail, as the SEC requires (default: env BUYSIGNAL_SEC_USER_AGENT)",
    )
    p.add_argument("--to-kafka", action="store_true", help="publish to the raw documents topic instead")
    p.add_argument("--broker", help="Kafka bootstrap URL for --to-kafka (default: env BUYSIGNAL_KAFKA_URL)")
    p.add_argument("--topic-prefix", default="buysignal", help="topic prefix for --to-kafka")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser(
        "run", help="one batch run: sources -> triggers -> matches -> store and campaign lists"
    )
    p.add_argument("--config", help="TOML config (default: the bundled example data)")
    p.add_argument("--demo", action="store_true", help="the bundled example data (same as no --config)")
    p.add_argument("--db", help="store URL (overrides the config and BUYSIGNAL_DB_URL)")
    p.add_argument("--output-dir", help="campaign-list folder (overrides the config)")
    p.set_defaults(func=cmd_run, passthrough=True)

    p = sub.add_parser("review", help="ties and near misses waiting for a person's decision")
    p.add_argument("action", nargs="?", choices=["list", "accept", "reject"], default="list")
    p.add_argument("item", nargs="?", help="review item id (accept/reject)")
    p.add_argument("--account", help="with accept: the account id to assign (default: the top candidate)")
    p.add_argument("--status", default="pending", choices=["pending", "accepted", "rejected"])
    p.add_argument("--db", help="store URL")
    p.add_argument("--config", help="take the store URL from this config")
    p.set_defaults(func=cmd_review)

    p = sub.add_parser(
        "export",
        help="one segment's list as a file a CRM imports (Salesforce campaign members, HubSpot contacts)",
    )
    p.add_argument("segment", help="segment name, as in the config (e.g. funding_30d)")
    p.add_argument(
        "--format",
        choices=EXPORT_FORMATS,
        default="accounts",
        help="accounts (default) or people: the run's list columns with `new`; salesforce-campaign: "
        "ContactId/LeadId, Status and trigger columns; hubspot: Email, First/Last Name, Company Domain "
        "Name, Record ID, List Name and trigger columns",
    )
    p.add_argument("-o", "--output", help="where to write the CSV (default: stdout)")
    p.add_argument(
        "--since-last-run",
        action="store_true",
        help="only rows not exported before in this format (what was exported is kept in the store)",
    )
    p.add_argument("--dry-run", action="store_true", help="write the file but don't record it as exported")
    p.add_argument("--status", default="Sent", help="salesforce-campaign: member Status (default: Sent)")
    p.add_argument(
        "--campaign-id", help="salesforce-campaign: fill a CampaignId column (Data Loader needs it)"
    )
    p.add_argument("--list-name", help="hubspot: the List Name column (default: the segment name)")
    p.add_argument("--db", help="store URL")
    p.add_argument("--config", help="take the store URL from this config")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("dead-letters", help="records that could not be processed (JSONL), from the store")
    p.add_argument(
        "--since",
        metavar="RUN",
        help="only those first recorded since this run started (a run id, 'last', or a date/time)",
    )
    p.add_argument(
        "--stage", choices=["source", "trigger", "match", "sink", "stream"], help="only this stage"
    )
    p.add_argument("--component", help="only this component, e.g. crm:accounts.csv")
    p.add_argument("-o", "--output", help="default: stdout")
    p.add_argument("--db", help="store URL")
    p.add_argument("--config", help="take the store URL from this config")
    p.set_defaults(func=cmd_dead_letters)

    _add_more_commands(sub)
    return parser


def _add_more_commands(sub: Any) -> None:
    """Commands that live in their own modules: discover, stream, serve, subscriptions, schedule, alerts."""
    from pipelines.commands.alerts import add_parser as add_alerts
    from pipelines.commands.discover.cli import add_parser as add_discover
    from pipelines.commands.schedule import add_parser as add_schedule
    from pipelines.commands.serve import add_parser as add_serve
    from pipelines.commands.stream import add_parser as add_stream
    from pipelines.commands.subscriptions import add_parser as add_subscriptions

    for add in (add_discover, add_stream, add_serve, add_subscriptions, add_schedule, add_alerts):
        add(sub)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if rest and not getattr(args, "passthrough", False):
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    # Apache Beam warns on import that Google Cloud clients are missing; they are optional here.
    logging.getLogger().handlers[0].addFilter(lambda record: "apitools not found" not in record.getMessage())
    if args.command == "review" and args.action in ("accept", "reject") and not args.item:
        parser.error(f"review {args.action} needs the review item id")
    if getattr(args, "passthrough", False):
        return run_command(args.command, lambda: args.func(args, rest))
    return run_command(args.command, lambda: args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
