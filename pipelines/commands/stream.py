"""`buysignal stream`: near-real-time trigger alerts with a Faust worker on Kafka.

The worker reads Documents from `<prefix>.documents`, runs the same core step as `buysignal run`
(pipelines.core.TriggerProcessor), writes to the same store, and publishes events, alerts and dead
letters to `<prefix>.events`, `<prefix>.alerts` and `<prefix>.dead_letters`. With `--poll` it also
feeds the documents topic itself from the configured sources. The pieces live in
`pipelines/runners/stream/`; this module is the command and the public entry points.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import Any

from pipelines.runners.stream.broker import EmbeddedBroker, env_broker_url, kafka_bootstrap
from pipelines.runners.stream.producer import ensure_topics, publish_documents, publish_documents_async
from pipelines.runners.stream.worker import (
    DEFAULT_MAX_DOCUMENT_BYTES,
    DEFAULT_MAX_TRIES,
    DEFAULT_PREFIX,
    StreamCounts,
    StreamProcessor,
    StreamSettings,
    Topics,
    decode_document,
    run_worker,
)
from schemas.errors import ConfigError

__all__ = [
    "EmbeddedBroker",
    "StreamProcessor",
    "StreamSettings",
    "Topics",
    "add_parser",
    "cmd_stream",
    "decode_document",
    "publish_documents",
    "publish_documents_async",
    "resolve_broker_url",
]

log = logging.getLogger("buysignal.stream")

NO_BROKER = (
    "no Kafka broker given; pass --broker URL (e.g. kafka://127.0.0.1:9092), set BUYSIGNAL_KAFKA_URL, "
    "or use --embedded-broker to start the bundled local broker"
)


def resolve_broker_url(cli_url: str | None) -> str:
    """--broker, else BUYSIGNAL_KAFKA_URL, else a ConfigError that explains both."""
    url = (cli_url or "").strip() or env_broker_url()
    if not url:
        raise ConfigError(NO_BROKER)
    kafka_bootstrap(url)  # raises ConfigError when it names no host
    return url


def _positive(kind: type, what: str) -> Any:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a number, got {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{what} must be > 0, got {text!r}")
        return value

    return parse


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `buysignal stream` on the CLI's subparsers."""
    p = subparsers.add_parser(
        "stream",
        help="streaming worker: documents from Kafka -> events and alerts in near real time",
        description=(
            "Run a Faust worker that consumes Documents from the <prefix>.documents topic, finds "
            "triggers, matches accounts, writes the store and publishes <prefix>.events, "
            "<prefix>.alerts and <prefix>.dead_letters. Stops cleanly on SIGTERM / Ctrl-C."
        ),
    )
    p.add_argument("--config", help="TOML config, as for `buysignal run` (default: the bundled example)")
    p.add_argument("--db", help="store URL (overrides the config and BUYSIGNAL_DB_URL)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--broker", help="Kafka URL, e.g. kafka://host:9092 (default: BUYSIGNAL_KAFKA_URL)")
    where.add_argument(
        "--embedded-broker",
        action="store_true",
        help="start the bundled in-memory Kafka-compatible broker on 127.0.0.1 (laptop demo)",
    )
    p.add_argument("--embedded-port", type=int, help="port for --embedded-broker (default: a free one)")
    p.add_argument(
        "--poll", action="store_true", help="also poll the configured sources and publish new documents"
    )
    p.add_argument(
        "--interval",
        type=_positive(float, "--interval"),
        default=300.0,
        help="seconds between polls with --poll (default: 300)",
    )
    p.add_argument("--topic-prefix", default=DEFAULT_PREFIX, help="topic name prefix (default: buysignal)")
    p.add_argument("--group-id", help="consumer group id (default: <prefix>.stream)")
    p.add_argument(
        "--batch-size",
        type=_positive(int, "--batch-size"),
        default=256,
        help="most documents per micro-batch (default: 256)",
    )
    p.add_argument(
        "--batch-within",
        type=_positive(float, "--batch-within"),
        default=0.1,
        help="seconds to wait for a micro-batch to fill (default: 0.1)",
    )
    p.add_argument(
        "--max-document-bytes",
        type=_positive(int, "--max-document-bytes"),
        default=DEFAULT_MAX_DOCUMENT_BYTES,
        help="bigger messages become dead letters (default: 1000000)",
    )
    p.add_argument(
        "--max-tries",
        type=_positive(int, "--max-tries"),
        default=DEFAULT_MAX_TRIES,
        help=(
            "tries of a micro-batch, then of each of its messages alone, before a message that keeps "
            f"failing becomes a dead letter and the stream goes on (default: {DEFAULT_MAX_TRIES})"
        ),
    )
    p.add_argument(
        "--session-timeout",
        type=_positive(float, "--session-timeout"),
        default=6.0,
        help=(
            "seconds without a heartbeat before the broker gives the worker's partitions to another; a "
            "starting worker waits about half of it to join its group (default: 6; a Kafka broker "
            "refuses less than its group.min.session.timeout.ms, 6 s unless set)"
        ),
    )
    p.add_argument("--output-dir", help="campaign-list folder (overrides the config)")
    p.add_argument(
        "--lists-every",
        type=_positive(float, "--lists-every"),
        default=60.0,
        help="rewrite the campaign lists at most every N seconds while new entries arrive, and at stop (default: 60)",
    )
    p.set_defaults(func=cmd_stream)
    return p


def cmd_stream(args: argparse.Namespace) -> int:
    """Run the worker until SIGTERM or Ctrl-C; exit 0 on a clean stop, 2 for bad config."""
    from pipelines.config import load_config
    from sinks.store import Store

    cfg = load_config(args.config)
    if args.config is None:
        print(
            f"buysignal stream: no --config given, using the bundled example ({cfg.base_dir})",
            file=sys.stderr,
        )
    if args.output_dir:
        cfg = cfg.model_copy(update={"output": cfg.output.model_copy(update={"dir": args.output_dir})})
    store_url = args.db or cfg.store.url
    if args.poll and not cfg.sources:
        raise ConfigError("stream: --poll needs sources in the config ([[sources]]); none are configured")

    broker: EmbeddedBroker | None = None
    if args.embedded_broker:
        broker = EmbeddedBroker(port=args.embedded_port).start()
        url = broker.url
        print(f"buysignal stream: embedded broker on {broker.bootstrap} (memory only)", file=sys.stderr)
    else:
        url = resolve_broker_url(args.broker)
    try:
        settings = StreamSettings(
            broker_url=url,
            topic_prefix=args.topic_prefix,
            group_id=args.group_id,
            batch_size=args.batch_size,
            batch_within=args.batch_within,
            max_document_bytes=args.max_document_bytes,
            poll=args.poll,
            poll_interval=args.interval,
            max_tries=args.max_tries,
            session_timeout=args.session_timeout,
        )
        try:
            asyncio.run(ensure_topics(kafka_bootstrap(url), settings.topics.all()))
        except Exception as exc:
            raise ConfigError(
                f"stream: can't reach the Kafka broker at {kafka_bootstrap(url)} ({type(exc).__name__}: {exc}); "
                "check --broker / BUYSIGNAL_KAFKA_URL, or use --embedded-broker"
            ) from exc
        store = Store(store_url)
        try:
            processor = StreamProcessor(
                cfg, store, settings.topics, settings.max_document_bytes, lists_every=args.lists_every
            ).setup()
            print(
                f"buysignal stream: consuming {settings.topics.documents} as group {settings.app_id}; "
                f"store {store_url}; Ctrl-C or SIGTERM stops",
                file=sys.stderr,
            )

            def summary(counts: StreamCounts) -> None:
                print(f"buysignal stream: stopped; {counts.line()}", file=sys.stderr)

            return run_worker(settings, processor, verbose=getattr(args, "verbose", False), on_stop=summary)
        finally:
            store.close()
    finally:
        if broker is not None:
            broker.stop()
