"""`buysignal alerts replay`: send a channel's dead alerts again.

    buysignal alerts replay --channel ID [--since 2026-11-20] [--config FILE | --db URL] [--no-send]

A delivery that failed every attempt is "dead" and stays so; once the endpoint works again (and
the channel is enabled: `buysignal subscriptions enable-channel ID`), this gives those deliveries a
new set of attempts and, unless `--no-send`, sends them at once with the config's `[delivery]`
settings. They keep their Idempotency-Key, so a receiver that did get one after all drops it.
Prints one JSON line: channel_id, requeued, and (when sent) sent, retrying, dead, errors.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from typing import Any

from schemas.errors import ConfigError


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(
            f"--since {value!r} is not a date or time; use ISO 8601, e.g. 2026-11-20 or 2026-11-20T08:00Z"
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def cmd_alerts(args: argparse.Namespace) -> int:
    """`buysignal alerts replay`: requeue a channel's dead deliveries (and send them)."""
    from pipelines.config import load_config
    from sinks.delivery import api as delivery
    from sinks.store import Store

    since = _since(args.since)
    cfg = load_config(args.config)
    url = args.db or os.environ.get("BUYSIGNAL_DB_URL") or cfg.store.url
    with Store(url) as store:
        try:
            requeued = delivery.replay_dead(store, args.channel, since=since)
        except KeyError as exc:
            raise ConfigError(
                f"no channel {args.channel!r}; `buysignal subscriptions channels` lists them"
            ) from exc
        except ValueError as exc:
            raise ConfigError(str(exc).removeprefix("delivery: ")) from exc
        out: dict[str, Any] = {"channel_id": args.channel, "requeued": requeued}
        if requeued and not args.no_send:
            report = cfg.delivery.service(store).deliver_due()
            out.update(sent=report.sent, retrying=report.retrying, dead=report.dead, errors=report.errors)
    print(json.dumps(out, ensure_ascii=False))
    what = f"{requeued} dead deliveries of channel {args.channel} requeued"
    if requeued and args.no_send:
        what += "; the server's delivery loop or the next run sends them"
    print(f"buysignal alerts: {what}", file=sys.stderr)
    return 0


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `buysignal alerts` (the CLI calls this from `_add_more_commands`)."""
    p = subparsers.add_parser("alerts", help="alert deliveries: send a channel's dead alerts again")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    r = actions.add_parser(
        "replay",
        help="give a channel's dead deliveries a new set of attempts and send them",
        description=(__doc__ or "").split("\n\n", 2)[2] if __doc__ else None,
    )
    r.add_argument("--channel", required=True, metavar="ID", help="the channel (`subscriptions channels`)")
    r.add_argument("--since", metavar="WHEN", help="only deliveries created at or after this (ISO 8601)")
    r.add_argument("--config", help="TOML config: the store and the [delivery] settings")
    r.add_argument("--db", help="store URL (overrides the config and BUYSIGNAL_DB_URL)")
    r.add_argument(
        "--no-send", action="store_true", help="only requeue; the server's loop or the next run sends them"
    )
    p.set_defaults(func=cmd_alerts)
    return p
