from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.config import DEMO_CONFIG, load_config
from schemas.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "buysignal.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_bundled_demo_config_loads_and_its_inputs_exist():
    cfg = load_config(None)
    assert cfg.as_of is not None
    assert cfg.sources and cfg.segments
    assert Path(cfg.input_path(cfg.crm.accounts or "")).is_file()
    for spec in cfg.sources:
        for value in (spec.model_extra or {}).get("feeds", []):
            assert Path(cfg.input_path(value)).is_file(), value
    assert DEMO_CONFIG.is_file()


def test_relative_inputs_resolve_against_the_config_folder(tmp_path: Path):
    cfg = load_config(write(tmp_path, '[crm]\naccounts = "exports/a.csv"\n'))
    assert cfg.input_path("exports/a.csv") == str(tmp_path / "exports/a.csv")
    assert cfg.input_path("https://x.example/feed") == "https://x.example/feed"
    assert cfg.store.url == "sqlite:///buysignal.db"


def test_env_database_url_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BUYSIGNAL_DB_URL", "sqlite:///other.db")
    assert load_config(write(tmp_path, "")).store.url == "sqlite:///other.db"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[store\n", "not valid TOML"),
        ("[stor]\nurl='x'\n", "stor"),
        ('[[segments]]\nname = "a"\ndays = 0\n', "segments.0.days"),
        ('[[segments]]\nname = "a"\ntypes = ["funding"]\ndays = 3\n', "segments.0.types"),
        ('[[segments]]\nname = "a"\ndays = 3\n[[segments]]\nname = "a"\ndays = 4\n', "repeated: a"),
        ('[output]\nformats = ["xlsx"]\n', "xlsx"),
    ],
)
def test_configs_that_cant_work_say_what_to_fix(tmp_path: Path, text: str, fragment: str):
    with pytest.raises(ConfigError, match=fragment.replace(".", r"\.").replace("[", r"\[")):
        load_config(write(tmp_path, text))


def test_missing_config_file_is_a_config_error(tmp_path: Path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")
