"""What the runners read before the core step: the CRM exports into the store, and the event
history that seeds it. File and store I/O, kept out of the core step (pipelines.core)."""

from __future__ import annotations

from pathlib import Path

from pipelines.config import Config
from pipelines.core import CrmSnapshot
from schemas import Account, DeadLetter, TriggerEvent, nul_fields
from schemas.errors import ConfigError
from sinks.store import Store
from sources.crm import AccountsCsvSource, read_contacts, read_opportunities
from sources.files import iter_json_lines

ACCOUNT_ROWS_PER_WRITE = 5_000


def load_crm_into_store(cfg: Config, store: Store, *, keep_accounts: bool = True) -> CrmSnapshot:
    """Read the configured CRM exports, upsert accounts, contacts and opportunities into the store,
    and keep their bad rows as dead letters (in the snapshot and the store). Accounts go into the
    store a few thousand rows at a time; `keep_accounts=False` keeps none of them in memory (a batch
    run reads what it needs back from the store), so a million-account export costs a few MB."""
    crm = CrmSnapshot()
    if cfg.crm.accounts:
        pending: list[Account] = []
        for item in AccountsCsvSource(cfg.input_path(cfg.crm.accounts)).read():
            if isinstance(item, DeadLetter):
                crm.dead_letters.append(item)
                continue
            assert isinstance(item, Account)
            pending.append(item)
            if len(pending) >= ACCOUNT_ROWS_PER_WRITE:
                crm.account_count += store.upsert_accounts(pending)
                if keep_accounts:
                    crm.accounts.extend(pending)
                pending = []
        crm.account_count += store.upsert_accounts(pending)
        if keep_accounts:
            crm.accounts.extend(pending)
    if cfg.crm.contacts:
        crm.contacts, dead = read_contacts(cfg.input_path(cfg.crm.contacts))
        crm.dead_letters.extend(dead)
    store.upsert_contacts(crm.contacts)
    if cfg.crm.opportunities:
        opps, opp_dead = read_opportunities(cfg.input_path(cfg.crm.opportunities), notes=crm.notes)
        store.upsert_opportunities(opps)
        crm.dead_letters.extend(opp_dead)
    store.add_dead_letters(crm.dead_letters)
    return crm


def read_history(path: str | Path) -> tuple[list[TriggerEvent], list[DeadLetter]]:
    """Past trigger events (JSON Lines of TriggerEvent) used to seed the store, e.g. for discovery.
    A bad line becomes a dead letter; a missing file is a config error."""
    events: list[TriggerEvent] = []
    dead: list[DeadLetter] = []
    component = f"history:{Path(path).name}"
    try:
        fh = open(path, "rb")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise ConfigError(f"[crm] history file {path} can't be read ({exc.strerror}); fix the path") from exc
    with fh:
        for item in iter_json_lines(fh, component):
            if isinstance(item, DeadLetter):
                dead.append(item)
                continue
            number, value = item
            try:
                event = TriggerEvent.model_validate(value)
                if bad := nul_fields(event):
                    raise ValueError(
                        f"a NUL character (\\x00) in {', '.join(bad)}, which databases can't store"
                    )
                events.append(event)
            except ValueError as exc:
                dead.append(DeadLetter.of("source", component, f"line {number}: {exc}", value))
    return events, dead
