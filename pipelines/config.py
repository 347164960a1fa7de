"""The run configuration: one TOML file, every field with a default, validated before anything runs.

This module owns every config model, the commands' tables included (`[schedule]`, `[serve]`): the
commands import it, never the reverse. A command lays its command-line options over a table with
`overlay`, validated as the file is.

Input paths (feeds, CRM exports, aliases) are relative to the config file; the store and the output
folder are relative to the directory the command runs in, so a bundled config never writes into the
installed package.
"""

from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipelines.core import ProcessSettings
from schemas import Clock, Segment, system_clock
from schemas.errors import ConfigError
from sinks.campaigns import default_segments
from sinks.delivery.sink import DeliverySettings

log = logging.getLogger("buysignal.config")

EXAMPLE_DIR = Path(__file__).resolve().parent / "example"
DEMO_CONFIG = EXAMPLE_DIR / "config.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreConfig(_Section):
    url: str = "sqlite:///buysignal.db"


class OutputConfig(_Section):
    dir: str = "buysignal-output"
    formats: list[str] = Field(default_factory=lambda: ["csv"])

    @field_validator("formats")
    @classmethod
    def _known_formats(cls, v: list[str]) -> list[str]:
        unknown = sorted(set(v) - {"csv", "json"})
        if unknown:
            raise ValueError(f"unknown campaign-list formats {unknown}; known: csv, json")
        return v


class TriggersConfig(_Section):
    model: str | None = Field(default=None, description="spaCy pipeline path or package; None = bundled")
    min_confidence: float = Field(
        default=0.3, ge=0.0, le=1.0, description="drop events less likely right than this"
    )
    dedup_days: int = Field(default=7, ge=0, description="same event from several outlets within N days")


class MatchingConfig(_Section):
    threshold: float | None = Field(
        default=None, ge=0, le=100, description="lowest fuzzy name score that assigns an account (88)"
    )
    review_min: float | None = Field(
        default=None,
        ge=0,
        le=100,
        description="lowest best score that sends an unassigned company to review as a near miss (50)",
    )
    aliases: str | None = None
    index_cache: bool = Field(
        default=True, description="keep the CRM export's account index on disk while the export is unchanged"
    )
    index_cache_dir: str | None = Field(
        default=None, description="where; default $BUYSIGNAL_CACHE_DIR, else ~/.cache/buysignal"
    )


class CrmConfig(_Section):
    accounts: str | None = None
    contacts: str | None = None
    opportunities: str | None = None
    history: str | None = Field(default=None, description="past TriggerEvents (JSONL) to seed the store")


class BeamConfig(_Section):
    runner: str = "DirectRunner"
    options: list[str] = Field(default_factory=list, description="extra pipeline options, e.g. --project=x")
    chunk_size: int = Field(
        default=20_000, ge=1, description="documents per pipeline run: what a run holds of its input at once"
    )


# -- the commands' tables ----------------------------------------------------------------------------
class ScheduleConfig(_Section):
    """The `[schedule]` config table: when `buysignal schedule` runs the batch.

    `cron` is one 5-field cron expression or a list of them (a tick is due when any of them is);
    `timezone` is the IANA zone the expressions are read in (default UTC).
    """

    cron: list[str] = Field(default_factory=list)
    timezone: str = "UTC"

    @field_validator("cron", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: list[str]) -> list[str]:
        for expr in value:
            if len(expr.split()) != 5 or not croniter.is_valid(expr):
                raise ValueError(
                    f"{expr!r} is not a 5-field cron expression (minute hour day-of-month month "
                    "day-of-week), e.g. '0 6 * * 1-5' for 06:00 on weekdays"
                )
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name such as 'Europe/Berlin'"
            ) from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


DEFAULT_PORT = 8080


class ServeConfig(_Section):
    """The `[serve]` config table (every key optional; command-line options win)."""

    host: str = "127.0.0.1"
    port: int = Field(default=DEFAULT_PORT, ge=1, le=65535)
    public_url: str | None = Field(
        default=None, description="the address users reach the server at (for feed URLs behind a proxy)"
    )
    trust_localhost: bool = Field(default=True, description="web page without a token for local browsers")
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, le=16 * 1024 * 1024)
    allow_private_targets: bool | None = Field(
        default=None,
        description="deprecated: use [delivery] allow_private (the one setting; the config loader moves it)",
    )
    deliver_every: float | None = Field(
        default=None, gt=0, description="send due alerts from the server every N seconds (retries included)"
    )


class SourceConfig(BaseModel):
    """One configured source: `type` names a registered source; other keys go to its constructor."""

    model_config = ConfigDict(extra="allow", frozen=True)
    type: str
    name: str | None = None


class Config(_Section):
    as_of: AwareDatetime | None = Field(default=None, description="the 'now' of segment windows")
    store: StoreConfig = Field(default_factory=StoreConfig)
    output: OutputConfig = Field(default_factory=OutputConfig)
    triggers: TriggersConfig = Field(default_factory=TriggersConfig)
    matching: MatchingConfig = Field(default_factory=MatchingConfig)
    crm: CrmConfig = Field(default_factory=CrmConfig)
    beam: BeamConfig = Field(default_factory=BeamConfig)
    sources: list[SourceConfig] = Field(default_factory=list)
    segments: list[Segment] = Field(default_factory=list)
    schedule: ScheduleConfig | None = None
    serve: ServeConfig | None = None
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    subscriptions: list[dict[str, Any]] = Field(
        default_factory=list, description="[[subscriptions]] for teams without a server (see serve/README.md)"
    )
    base_dir: str = Field(default=".", description="where relative input paths start (the config's folder)")

    def now(self, clock: Clock = system_clock) -> datetime:
        """The run's "now": the pinned `as_of` if the config has one, else what `clock` says."""
        return self.as_of or clock()

    def index_cache_dir(self) -> str | None:
        """The folder the account index is cached in (relative to the config file), or None when
        `[matching] index_cache = false`."""
        if not self.matching.index_cache:
            return None
        if self.matching.index_cache_dir:
            return self.input_path(self.matching.index_cache_dir)
        from pipelines.core.index_cache import default_cache_dir

        return str(default_cache_dir())

    def input_path(self, value: str) -> str:
        """An input path resolved against the config file's folder (URLs and '-' pass through)."""
        if value == "-" or "://" in value:
            return value
        p = Path(value).expanduser()
        return str(p if p.is_absolute() else Path(self.base_dir) / p)


def load_config(path: str | os.PathLike[str] | None) -> Config:
    """Read and validate a TOML config; None means the bundled example (the demo)."""
    cfg_path = Path(path) if path is not None else DEMO_CONFIG
    try:
        raw = tomllib.loads(cfg_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(
            f"config file {cfg_path} not found; pass --config with an existing TOML file"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {cfg_path} is not valid TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config file {cfg_path} is not UTF-8: {exc}") from exc
    raw.setdefault("base_dir", str(cfg_path.resolve().parent))
    env_url = os.environ.get("BUYSIGNAL_DB_URL")
    if env_url:
        raw.setdefault("store", {})["url"] = env_url
    return config_from_dict(raw, origin=str(cfg_path))


def config_from_dict(raw: dict[str, Any], origin: str = "config") -> Config:
    """Validate a config mapping; every problem is listed with where it is and what is wrong."""
    try:
        cfg = Config.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"{origin}: {problems}") from exc
    names = [s.name for s in cfg.segments]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"{origin}: segment names must be unique; repeated: {', '.join(dupes)}")
    return _one_private_targets_setting(cfg, origin)


def _one_private_targets_setting(cfg: Config, origin: str) -> Config:
    """`[delivery] allow_private` is the one setting for webhooks to private addresses, for every
    command. The older `[serve] allow_private_targets` still counts when it is the only one given
    (with a warning); when the two disagree, the config is refused rather than one silently winning."""
    legacy = cfg.serve.allow_private_targets if cfg.serve is not None else None
    if legacy is None:
        return cfg
    if "allow_private" in cfg.delivery.model_fields_set and cfg.delivery.allow_private != legacy:
        raise ConfigError(
            f"{origin}: [delivery] allow_private = {str(cfg.delivery.allow_private).lower()} and "
            f"[serve] allow_private_targets = {str(legacy).lower()} disagree; they are one setting: "
            "keep [delivery] allow_private and remove [serve] allow_private_targets"
        )
    log.warning(
        "%s: [serve] allow_private_targets is replaced by [delivery] allow_private (the one setting for "
        "every command); move it there",
        origin,
    )
    return cfg.model_copy(update={"delivery": cfg.delivery.model_copy(update={"allow_private": legacy})})


Section = TypeVar("Section", bound=BaseModel)


def overlay(section: Section, table: str, **given: Any) -> Section:
    """A config table with command-line values laid over it (None: not given), validated as the file
    is: the command line wins, and a bad value is a ConfigError naming `[table] key`."""
    values = {key: value for key, value in given.items() if value is not None}
    if not values:
        return section
    try:
        return type(section).model_validate({**section.model_dump(exclude_unset=True), **values})
    except ValidationError as exc:
        problems = "; ".join(
            f"{table}.{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(problems) from exc


def process_settings(
    cfg: Config, extra_aliases: Mapping[str, str] | None = None, *, clock: Clock = system_clock
) -> ProcessSettings:
    """What the core step needs from the config (small and picklable: Beam ships it to workers)."""

    def path(value: str | None) -> str | None:
        return cfg.input_path(value) if value else None

    return ProcessSettings(
        model=cfg.triggers.model,
        min_confidence=cfg.triggers.min_confidence,
        accounts_path=path(cfg.crm.accounts),
        contacts_path=path(cfg.crm.contacts),
        aliases_path=path(cfg.matching.aliases),
        extra_aliases=tuple(sorted((extra_aliases or {}).items())),
        threshold=cfg.matching.threshold,
        review_min=cfg.matching.review_min,
        segments=tuple(cfg.segments or default_segments()),
        as_of=cfg.now(clock),
        dedup_days=cfg.triggers.dedup_days,
        index_cache_dir=cfg.index_cache_dir(),
    )
