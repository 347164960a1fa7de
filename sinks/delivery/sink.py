"""Alerts as an ordinary sink, and the delivery settings a config file gives.

`AlertSink(store, ...)` takes batches like every sink: it turns each into alerts (with the CRM
accounts from the store), enqueues them, and, outside an event loop, sends what is due. Batch runs
and streaming micro-batches wire it in the same way as the store sink, after it.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any, ClassVar

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from schemas import Account, CampaignEntry, Match, TriggerEvent
from schemas.errors import ConfigError
from sinks import tables as core_tables
from sinks.base import Batch
from sinks.delivery.alerts import alerts_from_batch
from sinks.delivery.models import Alert, DeliveryReport, check_email_address
from sinks.delivery.security import redact
from sinks.delivery.service import DeliveryService
from sinks.store import Store

log = logging.getLogger("buysignal.delivery")


class DeliverySettings(BaseModel):
    """The `[delivery]` table of the config: how alerts are sent. Secrets are never written in the
    file: `smtp_password_env` names the environment variable that holds the SMTP password."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    smtp_host: str = "localhost"
    smtp_port: int = Field(default=25, gt=0, lt=65536)
    smtp_user: str | None = None
    smtp_password_env: str | None = Field(default=None, description="e.g. BUYSIGNAL_SMTP_PASSWORD")
    smtp_starttls: bool = False
    mail_from: str = "buysignal@localhost"
    allow_private: bool = Field(default=False, description="let webhooks target private/loopback addresses")
    allowed_hosts: list[str] = Field(default_factory=list, description="private hosts allowed one by one")
    max_attempts: int = Field(default=5, ge=1)
    base_delay_seconds: float = Field(default=30.0, ge=0)
    max_delay_seconds: float = Field(default=3600.0, ge=0)
    disable_after: int = Field(default=3, ge=1, description="dead deliveries in a row that disable a channel")
    disable_after_failures: int = Field(default=20, ge=1)
    timeout_seconds: float = Field(default=10.0, gt=0, description="each network wait of a delivery")
    deadline_seconds: float | None = Field(
        default=None, gt=0, description="one delivery as a whole (default: 2 x timeout + 5)"
    )
    max_age_days: float | None = Field(default=None, gt=0, description="push only events newer than this")

    @field_validator("mail_from")
    @classmethod
    def _plain_address(cls, v: str) -> str:
        check_email_address(v, dotted_domain=False)
        return v

    @model_validator(mode="after")
    def _deadline_covers_timeout(self) -> DeliverySettings:
        if self.deadline_seconds is not None and self.deadline_seconds < self.timeout_seconds:
            raise ValueError("deadline_seconds must be at least timeout_seconds")
        return self

    @classmethod
    def from_config(cls, table: Mapping[str, Any] | None) -> DeliverySettings:
        """Settings from the config's `[delivery]` table (absent: the defaults); ConfigError names the key."""
        try:
            return cls.model_validate(dict(table or {}))
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
            raise ConfigError(f"config: [delivery] is invalid: {redact(problems)}") from exc

    def service(self, store: Store, **overrides: Any) -> DeliveryService:
        """A DeliveryService with these settings (keyword overrides win, e.g. now= in tests)."""
        password = None
        if self.smtp_password_env:
            password = os.environ.get(self.smtp_password_env)
            if password is None:
                raise ConfigError(
                    f"config: [delivery] smtp_password_env names {self.smtp_password_env!r}, which is not set; "
                    "export it or remove smtp_password_env"
                )
        options: dict[str, Any] = {
            "smtp": (self.smtp_host, self.smtp_port),
            "smtp_user": self.smtp_user,
            "smtp_password": password,
            "smtp_starttls": self.smtp_starttls,
            "mail_from": self.mail_from,
            "allow_private": self.allow_private,
            "allowed_hosts": self.allowed_hosts,
            "max_attempts": self.max_attempts,
            "base_delay": self.base_delay_seconds,
            "max_delay": max(self.max_delay_seconds, self.base_delay_seconds),
            "disable_after": self.disable_after,
            "disable_after_failures": self.disable_after_failures,
            "timeout": self.timeout_seconds,
            "deadline": self.deadline_seconds,
            "max_age": timedelta(days=self.max_age_days) if self.max_age_days else None,
        }
        options.update(overrides)
        return DeliveryService(store, **options)


def accounts_for(store: Store, batch: Batch) -> dict[str, Account]:
    """The CRM accounts a batch's matches and champion events point at, read from the store (only
    those, so a streaming micro-batch doesn't load the whole CRM)."""
    ids = {m.account_id for m in batch.matches if m.account_id} | {
        e.account_id for e in batch.events if e.account_id
    }
    if not ids:
        return {}
    a = core_tables.accounts.c
    found: dict[str, Account] = {}
    wanted = sorted(ids)
    with store.engine.connect() as conn:
        for start in range(0, len(wanted), 500):
            rows = conn.execute(
                sa.select(core_tables.accounts).where(a.account_id.in_(wanted[start : start + 500]))
            )
            for row in rows.mappings():
                account = Account.model_validate(dict(row))
                found[account.account_id] = account
    return found


def alerts_from_store(store: Store, event_ids: Iterable[str]) -> list[Alert]:
    """Alerts for the given stored events, with their stored matches, accounts and campaign entries.

    For runs that cut campaign lists from the store after writing (the batch runner): pass the
    ids of the events this run added, after the entries are stored."""
    ids = sorted(set(event_ids))
    if not ids:
        return []
    events, matches, entries = [], [], []
    with store.engine.connect() as conn:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            events += [
                TriggerEvent.model_validate(dict(r))
                for r in conn.execute(
                    sa.select(core_tables.events).where(core_tables.events.c.event_id.in_(chunk))
                ).mappings()
            ]
            matches += [
                Match.model_validate(dict(r))
                for r in conn.execute(
                    sa.select(core_tables.matches).where(core_tables.matches.c.event_id.in_(chunk))
                ).mappings()
            ]
            entries += [
                CampaignEntry.model_validate({k: v for k, v in r.items() if k != "account_key"})
                for r in conn.execute(
                    sa.select(core_tables.campaign_entries).where(
                        core_tables.campaign_entries.c.event_id.in_(chunk)
                    )
                ).mappings()
            ]
    order = {event_id: n for n, event_id in enumerate(event_ids)}
    events.sort(key=lambda e: order.get(e.event_id, len(order)))
    batch = Batch(events=events, matches=matches, entries=entries)
    return alerts_from_batch(batch, accounts_for(store, batch))


class AlertSink:
    """A sink (name "alerts") that enqueues each batch's alerts and sends what is due.

    Write the batch to the store first (the accounts and the alerts' history live there). Inside
    a running event loop (Faust), `write` only enqueues: the server's delivery loop, or an `await
    service.adeliver_due()` in the agent, sends them."""

    name: ClassVar[str] = "alerts"

    def __init__(
        self,
        store: Store,
        *,
        service: DeliveryService | None = None,
        settings: DeliverySettings | None = None,
        accounts: Mapping[str, Account] | None = None,
        deliver: bool = True,
    ) -> None:
        self.store = store
        self.service = service or (settings or DeliverySettings()).service(store)
        self.accounts = accounts
        self.deliver = deliver
        self.enqueued = 0
        self.reports: list[DeliveryReport] = []

    def write(self, batch: Batch) -> None:
        """Enqueue the batch's alerts (idempotent: a repeated batch adds nothing) and send what is due."""
        accounts = self.accounts if self.accounts is not None else accounts_for(self.store, batch)
        self.enqueued += self.service.enqueue(alerts_from_batch(batch, accounts))
        if not self.deliver:
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            self.reports.append(self.service.deliver_due())
            return
        log.debug("delivery: inside an event loop; alerts enqueued, the delivery loop sends them")

    def enqueue_alerts(self, alerts: Iterable[Alert]) -> int:
        """Enqueue ready-made alerts (e.g. from a streaming agent); returns how many deliveries are new."""
        count = self.service.enqueue(alerts)
        self.enqueued += count
        return count

    def close(self) -> None:
        """Nothing to release: the store belongs to the caller."""
