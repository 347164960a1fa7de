"""`buysignal subscriptions ...`: manage alert subscriptions and API tokens from the shell, no server needed.

    buysignal subscriptions list [--owner REP] [--table]
    buysignal subscriptions add --name N --owner REP [--type funding_round] [--territory EMEA] ... \
        [--slack URL] [--webhook URL] [--email ADDR --digest weekly]
    buysignal subscriptions update ID [--name N] [--min-confidence 0.8] ...
    buysignal subscriptions remove ID
    buysignal subscriptions sync --config FILE        # the config's [[subscriptions]] tables
    buysignal subscriptions channels [--disabled]     # channel health
    buysignal subscriptions token create NAME (--owner REP | --admin) | list | revoke NAME_OR_ID

Everything goes straight to the store (`--db`, BUYSIGNAL_DB_URL, or the config's store). Output is
JSON Lines on stdout (`--table` for people); notes go to stderr. A subscription's private feed URL
and generated webhook secrets are printed once, when created; later reads never show them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from pipelines.config import Config, load_config
from schemas import EventType
from schemas.errors import ConfigError

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8080"
# Command-line option -> SubscriptionFilters field (the filters are the delivery API's).
LIST_FILTERS = {
    "type": "types",
    "segment": "segments",
    "account_owner": "owners",
    "account_id": "account_ids",
    "industry": "industries",
    "account_type": "account_types",
    "country": "countries",
    "territory": "territories",
}


def _delivery() -> Any:
    from sinks.delivery import api

    return api


def _open_store(args: argparse.Namespace) -> tuple[Any, Config | None]:
    """The store named by --db, BUYSIGNAL_DB_URL or the config (in that order), and the config when
    one was read (its [delivery], [serve] and [[subscriptions]] tables)."""
    from sinks.store import Store

    cfg: Config | None = None
    url = args.db or os.environ.get("BUYSIGNAL_DB_URL")
    if args.config or not url:
        cfg = load_config(args.config)
        url = url or cfg.store.url
    return Store(url), cfg


def _targets(args: argparse.Namespace, cfg: Config | None) -> dict[str, Any]:
    """The one private-targets setting: the config's `[delivery] allow_private` / `allowed_hosts`,
    or `--allow-private-targets` (the same setting, for this command)."""
    delivery = cfg.delivery if cfg is not None else None
    return {
        "allow_private": bool(delivery and delivery.allow_private)
        or bool(getattr(args, "allow_private_targets", False)),
        "allowed_hosts": list(delivery.allowed_hosts) if delivery else [],
    }


def _public_url(args: argparse.Namespace, cfg: Config | None) -> str:
    serve = cfg.serve if cfg is not None else None
    return str(args.public_url or (serve.public_url if serve else None) or DEFAULT_PUBLIC_URL).rstrip("/")


def _emit(records: Iterable[BaseModel | dict[str, Any]], table: bool = False) -> None:
    rows = [r.model_dump(mode="json") if isinstance(r, BaseModel) else r for r in records]
    if not table:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")
        return
    for row in rows:
        if "subscription_id" in row and "channels" in row:
            filters = {k: v for k, v in row["filters"].items() if v not in ([], None, 0.0, True)}
            channels = ", ".join(
                f"{c['kind']}:{c['target']}"
                + (" (DISABLED: " + (c["disabled_reason"] or "?") + ")" if c["disabled"] else "")
                for c in row["channels"]
            )
            print(
                f"{row['subscription_id']}\t{row['owner']}\t{row['name']}\t"
                f"{json.dumps(filters, ensure_ascii=False)}\t{channels or '-'}"
            )
        else:
            print("\t".join(str(v) for v in row.values()))


def _filters_from(args: argparse.Namespace, base: Any | None = None) -> Any:
    """SubscriptionFilters from the options given, on top of `base` (the current filters, on update)."""
    api = _delivery()
    data = base.model_dump() if base is not None else {}
    for option, field in LIST_FILTERS.items():
        values = getattr(args, option, None)
        if values is not None:
            data[field] = [v for v in values if v != ""]
    if args.min_confidence is not None:
        data["min_confidence"] = args.min_confidence
    if args.include_unmatched is not None:
        data["matched_only"] = not args.include_unmatched
    try:
        return api.SubscriptionFilters.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_problems("subscription filters", exc)) from exc


def _channels_from(args: argparse.Namespace) -> list[Any] | None:
    """ChannelSpecs from --slack/--webhook/--email, or None when no channel option was given."""
    api = _delivery()
    specs: list[dict[str, Any]] = []
    specs += [{"kind": "slack", "target": url} for url in args.slack or ()]
    secret = args.webhook_secret or os.environ.get("BUYSIGNAL_WEBHOOK_SECRET") or None
    specs += [{"kind": "webhook", "target": url, "secret": secret} for url in args.webhook or ()]
    specs += [{"kind": "email", "target": addr, "period": args.digest} for addr in args.email or ()]
    if not specs and not args.no_channels:
        return None
    try:
        return [api.ChannelSpec.model_validate(s) for s in specs]
    except ValidationError as exc:
        raise ConfigError(_problems("channel", exc)) from exc


def _problems(what: str, exc: ValidationError) -> str:
    # Never the submitted values: a channel's target or secret would end up in a terminal log.
    return f"bad {what}: " + "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or '(value)'}: {e['msg']}" for e in exc.errors()
    )


def _need(found: Any, what: str, ident: str) -> Any:
    if found is None or found is False:
        raise ConfigError(f"no {what} {ident!r}; `buysignal subscriptions list` shows the ids")
    return found


def _show_secrets_once(sub: Any, public_url: str) -> dict[str, Any]:
    row = sub.model_dump(mode="json")
    if sub.feed_token:
        row["feed_url"] = f"{public_url}/feeds/{sub.feed_token}.atom"
        print(
            f"buysignal subscriptions: private feed URL of {sub.name!r} (shown this once): {row['feed_url']}",
            file=sys.stderr,
        )
    if any(c.secret for c in sub.channels):
        print(
            "buysignal subscriptions: the webhook signing secret is in the output (shown this once)",
            file=sys.stderr,
        )
    return row


# -- commands ---------------------------------------------------------------------------------------
def cmd_subscriptions(args: argparse.Namespace) -> int:
    """Dispatch `buysignal subscriptions ACTION`."""
    api = _delivery()
    store, cfg = _open_store(args)
    try:
        action = args.action
        if action == "token":
            return _token(api, store, args)
        if action == "list":
            _emit(api.list_subscriptions(store, owner=args.owner), args.table)
        elif action == "show":
            _emit([_need(api.get_subscription(store, args.id), "subscription", args.id)], args.table)
        elif action == "add":
            spec = _spec_from(args)
            try:
                sub = api.create_subscription(store, spec, **_targets(args, cfg))
            except ValueError as exc:
                raise ConfigError(api.redact(str(exc))) from exc
            _emit([_show_secrets_once(sub, _public_url(args, cfg))], args.table)
        elif action == "update":
            _emit([_update(api, store, args, _public_url(args, cfg), _targets(args, cfg))], args.table)
        elif action == "remove":
            _need(api.delete_subscription(store, args.id), "subscription", args.id)
            print(f"buysignal subscriptions: removed {args.id}", file=sys.stderr)
        elif action == "rotate-feed":
            _need(api.get_subscription(store, args.id), "subscription", args.id)
            token = api.rotate_feed_token(store, args.id)
            url = f"{_public_url(args, cfg)}/feeds/{token}.atom"
            _emit([{"subscription_id": args.id, "feed_token": token, "feed_url": url}])
            print(
                "buysignal subscriptions: new feed URL (shown this once); the old one stops working",
                file=sys.stderr,
            )
        elif action == "channels":
            _emit(_channel_health(api, store, args.disabled), args.table)
        elif action in ("enable-channel", "disable-channel"):
            try:
                if action == "enable-channel":
                    channel = api.enable_channel(store, args.channel_id)
                else:
                    channel = api.disable_channel(store, args.channel_id, args.reason)
            except KeyError as exc:
                raise ConfigError(
                    f"no channel {args.channel_id!r}; `buysignal subscriptions channels` lists them"
                ) from exc
            _emit([channel], args.table)
        elif action == "sync":
            tables = cfg.subscriptions if cfg is not None else []
            synced = api.sync_from_config(store, tables, **_targets(args, cfg))
            _emit(synced, args.table)
            print(
                f"buysignal subscriptions: {len(synced)} subscriptions from the config are in the store",
                file=sys.stderr,
            )
        return 0
    finally:
        store.close()


def _spec_from(args: argparse.Namespace) -> Any:
    api = _delivery()
    if not args.name or not args.owner:
        raise ConfigError("add needs --name and --owner (the rep the alerts are for)")
    try:
        return api.SubscriptionSpec(
            name=args.name, owner=args.owner, filters=_filters_from(args), channels=_channels_from(args) or []
        )
    except ValidationError as exc:
        raise ConfigError(_problems("subscription", exc)) from exc


def _update(
    api: Any, store: Any, args: argparse.Namespace, public_url: str, targets: dict[str, Any]
) -> dict[str, Any]:
    current = _need(api.get_subscription(store, args.id), "subscription", args.id)
    filters = _filters_from(args, base=current.filters)
    channels = _channels_from(args)
    try:
        if channels is None:
            sub = api.update_filters(store, args.id, filters, name=args.name, owner=args.owner)
        else:
            spec = api.SubscriptionSpec(
                name=args.name or current.name,
                owner=args.owner or current.owner,
                filters=filters,
                channels=channels,
            )
            sub = api.update_subscription(store, args.id, spec, **targets)
            print("buysignal subscriptions: the channels were replaced by the ones given", file=sys.stderr)
    except KeyError as exc:
        raise ConfigError(f"no subscription {args.id!r}") from exc
    except ValidationError as exc:
        raise ConfigError(_problems("subscription", exc)) from exc
    except ValueError as exc:
        raise ConfigError(api.redact(str(exc))) from exc
    return _show_secrets_once(sub, public_url)


def _channel_health(api: Any, store: Any, disabled_only: bool) -> list[dict[str, Any]]:
    out = []
    for sub in api.list_subscriptions(store):
        for channel in sub.channels:
            if disabled_only and not channel.disabled:
                continue
            out.append(
                {
                    "subscription_id": sub.subscription_id,
                    "subscription_name": sub.name,
                    "owner": sub.owner,
                    "channel_id": channel.channel_id,
                    "kind": channel.kind,
                    "target": channel.target,
                    "disabled": channel.disabled,
                    "disabled_reason": channel.disabled_reason,
                    "disabled_at": channel.disabled_at.isoformat() if channel.disabled_at else None,
                    "consecutive_failures": channel.consecutive_failures,
                }
            )
    return out


def _token(api: Any, store: Any, args: argparse.Namespace) -> int:
    if args.token_action == "create":
        if not args.name:
            raise ConfigError("token create needs a NAME (who or what will use the token)")
        try:
            token = api.create_api_token(store, args.name, owner=args.owner, admin=args.admin)
        except ValueError as exc:
            raise ConfigError(str(exc).removeprefix("delivery: ")) from exc
        print(token)
        scope = "admin: every subscription" if args.admin else f"only {args.owner!r}'s subscriptions"
        print(
            f"buysignal subscriptions: API token {args.name!r} created ({scope}); shown this once "
            "(only a hash is kept)",
            file=sys.stderr,
        )
    elif args.token_action == "list":
        _emit(api.list_api_tokens(store), args.table)
    else:
        if not args.name:
            raise ConfigError("token revoke needs the token's NAME or id (`token list` shows them)")
        _need(api.revoke_api_token(store, args.name), "API token", args.name)
        print(f"buysignal subscriptions: revoked API token {args.name!r}", file=sys.stderr)
    return 0


# -- parser ------------------------------------------------------------------------------------------
def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help="store URL (overrides the config and BUYSIGNAL_DB_URL)")
    p.add_argument("--config", help="take the store URL (and [[subscriptions]], [serve]) from this config")
    p.add_argument(
        "--table", action="store_true", help="tab-separated lines for people instead of JSON Lines"
    )


def _filter_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("filters (repeat an option for several values; an empty value clears it)")
    g.add_argument("--type", action="append", choices=[*get_args(EventType), ""], help="trigger type")
    g.add_argument("--segment", action="append", help="campaign segment the event entered")
    g.add_argument("--account-owner", action="append", help="CRM account owner (the rep)")
    g.add_argument("--account-id", action="append", help="CRM account id")
    g.add_argument("--industry", action="append", help="account industry")
    g.add_argument("--account-type", action="append", help="account type, e.g. Customer, Prospect")
    g.add_argument("--country", action="append", help="account country")
    g.add_argument("--territory", action="append", help="account territory")
    g.add_argument("--min-confidence", type=float, help="only events at least this sure (0-1)")
    g.add_argument(
        "--include-unmatched",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also events not matched to a CRM account",
    )
    c = p.add_argument_group("channels (on update, giving any replaces all channels)")
    c.add_argument("--slack", action="append", metavar="URL", help="Slack-compatible incoming-webhook URL")
    c.add_argument("--webhook", action="append", metavar="URL", help="URL to POST HMAC-signed JSON to")
    c.add_argument(
        "--webhook-secret",
        help="HMAC secret for --webhook (default: $BUYSIGNAL_WEBHOOK_SECRET, else generated and shown once)",
    )
    c.add_argument("--email", action="append", metavar="ADDRESS", help="send an email digest here")
    c.add_argument("--digest", choices=["daily", "weekly"], help="email digest period (default daily)")
    c.add_argument("--no-channels", action="store_true", help="on update: remove every channel")
    c.add_argument(
        "--allow-private-targets", action="store_true", help="allow webhook URLs on private networks"
    )
    p.add_argument(
        "--public-url", help=f"the server's address, for the feed URL (default {DEFAULT_PUBLIC_URL})"
    )


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `buysignal subscriptions` (the lead's CLI calls this from `_add_more_commands`)."""
    p = subparsers.add_parser(
        "subscriptions",
        help="manage alert subscriptions, their channels and API tokens (straight in the store)",
        description=__doc__.split("\n\n", 1)[0] if __doc__ else None,
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    a = actions.add_parser("list", help="every subscription (or one rep's) with its channels")
    a.add_argument("--owner", help="only this rep's subscriptions")
    _common(a)

    a = actions.add_parser("show", help="one subscription")
    a.add_argument("id")
    _common(a)

    a = actions.add_parser("add", help="create a subscription (prints its private feed URL once)")
    a.add_argument("--name", required=True, help="what the subscription is, e.g. 'EMEA funding'")
    a.add_argument("--owner", required=True, help="the rep it is for")
    _filter_options(a)
    _common(a)

    a = actions.add_parser("update", help="change a subscription: only the options given change")
    a.add_argument("id")
    a.add_argument("--name")
    a.add_argument("--owner")
    _filter_options(a)
    _common(a)

    a = actions.add_parser("remove", help="delete a subscription, its channels and pending deliveries")
    a.add_argument("id")
    _common(a)

    a = actions.add_parser("rotate-feed", help="a new private feed URL (the old one stops working)")
    a.add_argument("id")
    a.add_argument("--public-url", help=f"the server's address (default {DEFAULT_PUBLIC_URL})")
    _common(a)

    a = actions.add_parser("channels", help="channel health: disabled endpoints and why")
    a.add_argument("--disabled", action="store_true", help="only the disabled ones")
    _common(a)

    a = actions.add_parser("enable-channel", help="switch a channel back on and reset its failure counts")
    a.add_argument("channel_id")
    _common(a)

    a = actions.add_parser("disable-channel", help="switch a channel off by hand")
    a.add_argument("channel_id")
    a.add_argument("--reason", required=True, help="why (shown in the channel's health)")
    _common(a)

    a = actions.add_parser("sync", help="make the store hold the config's [[subscriptions]] tables")
    a.add_argument(
        "--allow-private-targets", action="store_true", help="allow webhook URLs on private networks"
    )
    _common(a)

    a = actions.add_parser("token", help="API tokens for `buysignal serve`")
    a.add_argument("token_action", choices=["create", "list", "revoke"])
    a.add_argument("name", nargs="?", help="create: a name for the token; revoke: its name or id")
    whose = a.add_mutually_exclusive_group()
    whose.add_argument("--owner", metavar="REP", help="create: the rep whose subscriptions the token sees")
    whose.add_argument("--admin", action="store_true", help="create: a token that sees every subscription")
    _common(a)

    p.set_defaults(func=cmd_subscriptions)
    return p
