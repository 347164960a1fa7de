"""Publishing Documents to the raw topic from outside the worker (`buysignal ingest ... --to-kafka`)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable, Sequence

from pipelines.runners.stream.broker import kafka_bootstrap
from pipelines.runners.stream.worker import TOPIC_PARTITIONS
from schemas import Document
from schemas.errors import ConfigError

_CHUNK = 500


async def ensure_topics(bootstrap: str, names: Sequence[str], partitions: int = TOPIC_PARTITIONS) -> None:
    """Create the topics that do not exist yet (a broker's auto-created topics may get more partitions,
    which would lose the publication order the worker's dedup relies on)."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import TopicAlreadyExistsError

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [n for n in names if n not in existing]
        if missing:
            # Created meanwhile by someone else is what we wanted.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([NewTopic(n, partitions, 1) for n in missing])
    finally:
        await admin.close()


async def publish_documents_async(docs: Iterable[Document], broker_url: str, topic: str) -> int:
    """Async form of `publish_documents`, for callers already inside an event loop."""
    from aiokafka import AIOKafkaProducer
    from aiokafka.errors import KafkaConnectionError

    bootstrap = kafka_bootstrap(broker_url)
    try:
        await ensure_topics(bootstrap, [topic])
    except (KafkaConnectionError, OSError) as exc:
        raise ConfigError(
            f"stream: can't reach the Kafka broker at {bootstrap} ({exc}); check --broker / BUYSIGNAL_KAFKA_URL"
        ) from exc
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    sent = 0
    try:
        pending = []
        for doc in docs:
            pending.append(await producer.send(topic, value=doc.to_json().encode(), key=doc.id.encode()))
            if len(pending) >= _CHUNK:
                await asyncio.gather(*pending)
                sent += len(pending)
                pending = []
        await asyncio.gather(*pending)
        sent += len(pending)
    finally:
        await producer.stop()
    return sent


def publish_documents(docs: Iterable[Document], broker_url: str, topic: str) -> int:
    """Publish Documents (JSON, keyed by id) to `topic` and wait until the broker has them all.
    Returns how many were published. Publishing the same document twice is harmless: the worker's
    store writes are idempotent on the document id."""
    return asyncio.run(publish_documents_async(docs, broker_url, topic))
