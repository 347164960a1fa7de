"""`buysignal serve`: the subscriptions API, private Atom feeds and the marketers' web page.

    buysignal serve [--config FILE] [--db URL] [--host 127.0.0.1] [--port 8080]
    buysignal serve --create-token NAME --owner REP   # a rep's API token, printed once, then exits
    buysignal serve --create-token NAME --admin       # an admin's (sees every subscription)

The app itself is `pipelines.commands.serve.app.create_app`; this module is the command around it.
"""

from __future__ import annotations

import argparse
import copy
import ipaddress
import os
import sys
from typing import Any

from pipelines.config import DEFAULT_PORT, Config, ServeConfig, load_config, overlay
from schemas.errors import ConfigError


def serve_config(cfg: Config, args: argparse.Namespace) -> ServeConfig:
    """The `[serve]` table with the command-line options laid over it (they win)."""
    given = {
        key: getattr(args, key, None)
        for key in ("host", "port", "public_url", "max_body_bytes", "deliver_every")
    }
    if getattr(args, "no_localhost_bypass", False):
        given["trust_localhost"] = False
    return overlay(cfg.serve or ServeConfig(), "serve", **given)


def _store_url(args: argparse.Namespace, cfg: Any) -> str:
    return str(args.db or os.environ.get("BUYSIGNAL_DB_URL") or cfg.store.url)


def _log_config() -> dict[str, Any]:
    """uvicorn's logging, all on stderr (stdout is for data), with secrets masked in the access log."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_secrets"] = {
        "()": "pipelines.commands.serve.security.RedactSecretsFilter"
    }
    for handler in config["handlers"].values():
        handler["stream"] = "ext://sys.stderr"
        handler.setdefault("filters", []).append("redact_secrets")
    return config


def _is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the server in the foreground until Ctrl-C/SIGTERM (or create an API token and exit)."""
    cfg = load_config(args.config)
    store_url = _store_url(args, cfg)
    if args.create_token:
        return create_token(store_url, args.create_token, owner=args.owner, admin=args.admin)
    if args.owner or args.admin:
        raise ConfigError("--owner and --admin go with --create-token NAME")

    import uvicorn

    from pipelines.commands.serve.app import ServeSettings, create_app
    from sinks.campaigns import default_segments

    options = serve_config(cfg, args)
    settings = ServeSettings(
        store_url=store_url,
        segments=list(cfg.segments or default_segments()),
        public_url=options.public_url,
        trust_localhost=options.trust_localhost,
        max_body_bytes=options.max_body_bytes,
        # --allow-private-targets is [delivery] allow_private for this server: one setting for
        # what the API accepts and what the delivery loop sends.
        delivery=cfg.delivery.model_copy(
            update={"allow_private": cfg.delivery.allow_private or bool(args.allow_private_targets)}
        ),
        deliver_every=options.deliver_every,
    )
    app = create_app(settings)
    shown = app.state.store
    where = f"http://{options.host if ':' not in options.host else f'[{options.host}]'}:{options.port}"
    print(
        f"buysignal serve: {where}/ (web page), {where}/docs (API), store {shown!r}; Ctrl-C stops",
        file=sys.stderr,
    )
    if not _is_loopback_host(options.host):
        print(
            "buysignal serve: listening beyond this machine: the API and the web page need an API token; "
            "put TLS in front (a reverse proxy) so tokens don't cross the network in clear",
            file=sys.stderr,
        )
    config = uvicorn.Config(
        app,
        host=options.host,
        port=options.port,
        log_config=_log_config(),
        log_level="info" if args.verbose_http else "warning",
        server_header=False,
        proxy_headers=True,
    )
    uvicorn.Server(config).run()
    return 0


def create_token(store_url: str, name: str, *, owner: str | None = None, admin: bool = False) -> int:
    """Create an API token called `name` (a rep's with `owner`, or an admin's) and print it on
    stdout, this once (only its hash is kept)."""
    from sinks.delivery import api as delivery
    from sinks.store import Store

    with Store(store_url) as store:
        try:
            token = delivery.create_api_token(store, name, owner=owner, admin=admin)
        except ValueError as exc:
            raise ConfigError(str(exc).removeprefix("delivery: ")) from exc
    print(token)
    scope = (
        "an admin token: it sees every subscription" if admin else f"it sees only {owner!r}'s subscriptions"
    )
    print(
        f"buysignal: API token {name!r} created ({scope}); it is shown this once (only a hash is "
        "stored). Send it as 'Authorization: Bearer <token>'",
        file=sys.stderr,
    )
    return 0


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `buysignal serve` (the lead's CLI calls this from `_add_more_commands`)."""
    p = subparsers.add_parser(
        "serve",
        help="HTTP server: subscriptions API (OpenAPI), private Atom feeds, the segments web page",
        description=(
            "Serve the subscriptions API (/api/v1, spec at /openapi.json, docs at /docs; Bearer API token "
            "required), each subscription's private Atom feed (/feeds/TOKEN.atom) and the web page (/) "
            "with the campaign segments, their CSV downloads and the latest triggers. The web page needs "
            "no login from a browser on this machine; from elsewhere it asks for an API token."
        ),
    )
    p.add_argument(
        "--config", help="TOML config (store URL, segments, [serve] table; default: the bundled one)"
    )
    p.add_argument("--db", help="store URL (overrides the config and BUYSIGNAL_DB_URL)")
    p.add_argument("--host", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, help=f"port (default {DEFAULT_PORT})")
    p.add_argument("--public-url", help="the address users reach the server at, for feed URLs")
    p.add_argument("--max-body-bytes", type=int, help="largest request body accepted (default 65536)")
    p.add_argument(
        "--no-localhost-bypass",
        action="store_true",
        help="ask for a token on the web page even from this machine (e.g. behind a local proxy)",
    )
    p.add_argument(
        "--allow-private-targets",
        action="store_true",
        help="allow webhooks to private-network addresses ([delivery] allow_private for this server)",
    )
    p.add_argument(
        "--deliver-every",
        type=float,
        metavar="SECONDS",
        help="also send due alerts (and retries) to the subscription channels every N seconds",
    )
    p.add_argument("--verbose-http", action="store_true", help="log every request (tokens masked)")
    p.add_argument(
        "--create-token",
        metavar="NAME",
        help="create an API token, print it once, and exit (with --owner REP or --admin)",
    )
    whose = p.add_mutually_exclusive_group()
    whose.add_argument(
        "--owner",
        metavar="REP",
        help="--create-token: the rep whose subscriptions the token sees and changes",
    )
    whose.add_argument(
        "--admin",
        action="store_true",
        help="--create-token: a token that sees and changes every subscription",
    )
    p.set_defaults(func=cmd_serve)
    return p
