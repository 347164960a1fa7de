"""The account index cache: built once per export and code version, reused while both are unchanged."""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from pathlib import Path

import pytest

from pipelines.config import config_from_dict
from pipelines.core import index_cache
from pipelines.core.index_cache import CrmIndex, build_crm_index, default_cache_dir, load_crm_index

ACCOUNTS = (
    "account_id,name,domain,owner,aliases\n"
    "a-1,Brightwater Analytics Inc.,brightwater.example,ana,Brightwater BI\n"
    "a-2,Ostrava Freight GmbH,ostravafreight.example,ben,\n"
    "a-3,Kelmscott Robotics Ltd,,ana,\n"
    ",No Id Row,,,\n"
)
MENTIONS = ["Brightwater Analytics", "Brightwater BI", "Ostrava Freight", "Kelmscot Robotics", "Unknown Co"]


def write_accounts(folder: Path, text: str = ACCOUNTS) -> Path:
    path = folder / "accounts.csv"
    path.write_text(text, encoding="utf-8")
    return path


def answers(crm: CrmIndex) -> list[tuple[str | None, str]]:
    return [(m.account_id, m.method) for m in (crm.index.match(text) for text in MENTIONS)]


def test_the_index_is_built_once_then_loaded_and_matches_the_same(tmp_path: Path) -> None:
    accounts = write_accounts(tmp_path)
    cache = tmp_path / "cache"
    first = load_crm_index(accounts, cache)
    second = load_crm_index(accounts, cache)
    assert (first.origin, second.origin) == ("built", "cached")
    assert answers(second) == answers(first) == answers(build_crm_index(accounts)[0])
    assert answers(first)[:3] == [("a-1", "name_exact"), ("a-1", "alias"), ("a-2", "name_exact")]
    assert len(list(cache.glob("accounts-*.pickle"))) == 1
    # what champion moves need of a contact's account: its name and aliases
    assert second.account("a-1") is not None and second.account("a-1").aliases == ["Brightwater BI"]  # type: ignore[union-attr]
    assert second.accounts({"a-2", "zzz"}).keys() == {"a-2"}


def test_a_changed_export_is_rebuilt_and_the_old_index_is_not_used(tmp_path: Path) -> None:
    accounts = write_accounts(tmp_path)
    cache = tmp_path / "cache"
    load_crm_index(accounts, cache)
    write_accounts(
        tmp_path, ACCOUNTS.replace("Ostrava Freight GmbH,ostravafreight", "Vltava Freight GmbH,vltava")
    )
    changed = load_crm_index(accounts, cache)
    assert changed.origin == "built"
    assert changed.index.match("Vltava Freight").account_id == "a-2"
    assert changed.index.match("Ostrava Freight").account_id is None
    assert len(list(cache.glob("accounts-*.pickle"))) == 2


def test_new_code_gets_a_new_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    accounts = write_accounts(tmp_path)
    cache = tmp_path / "cache"
    load_crm_index(accounts, cache)
    monkeypatch.setattr(index_cache, "code_version", lambda: "another-version")
    assert load_crm_index(accounts, cache).origin == "built"


def test_aliases_added_after_loading_do_not_reach_the_cache(tmp_path: Path) -> None:
    accounts = write_accounts(tmp_path)
    cache = tmp_path / "cache"
    crm = load_crm_index(accounts, cache)
    crm.index.add_alias("Brite Co", "a-1")
    assert crm.index.match("Brite Co").account_id == "a-1"
    assert load_crm_index(accounts, cache).index.match("Brite Co").account_id is None


def test_an_unreadable_cache_file_is_rebuilt(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    accounts = write_accounts(tmp_path)
    cache = tmp_path / "cache"
    load_crm_index(accounts, cache)
    (target,) = cache.glob("accounts-*.pickle")
    target.write_bytes(b"not a pickle")
    with caplog.at_level(logging.WARNING):
        again = load_crm_index(accounts, cache)
    assert again.origin == "built" and answers(again)[0] == ("a-1", "name_exact")
    assert any("unreadable" in r.getMessage() for r in caplog.records)
    assert load_crm_index(accounts, cache).origin == "cached"


def test_a_cache_folder_that_cannot_be_made_builds_without_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    accounts = write_accounts(tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        crm = load_crm_index(accounts, blocker / "cache")
    assert crm.origin.startswith("built (not cached")
    assert answers(crm)[0] == ("a-1", "name_exact")
    assert any("can't be created" in r.getMessage() for r in caplog.records)


def test_only_the_newest_indexes_are_kept(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    for k in range(index_cache.KEEP + 2):
        accounts = write_accounts(tmp_path, ACCOUNTS.replace("Ostrava", f"Ostrava{k}"))
        load_crm_index(accounts, cache)
        for i, p in enumerate(sorted(cache.glob("*.pickle"), key=lambda p: p.stat().st_mtime)):
            os.utime(p, (1_000_000 + i, 1_000_000 + i))  # mtimes in the order they were made
    assert len(list(cache.glob("accounts-*.pickle"))) == index_cache.KEEP
    assert load_crm_index(accounts, cache).origin == "cached"  # the newest is one of them


def test_a_process_that_misses_while_another_builds_waits_and_loads_its_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts = write_accounts(tmp_path)
    cache = tmp_path / "cache"
    cache.mkdir()
    key = f"accounts-{index_cache.export_digest(accounts)[:32]}-{index_cache.code_version()}"
    waiting = threading.Event()
    real_flock = fcntl.flock

    def flock(fd: object, op: int) -> None:
        if op == fcntl.LOCK_EX:
            waiting.set()
        real_flock(fd, op)  # type: ignore[arg-type]

    builds: list[Path] = []
    real_build = index_cache.build_crm_index

    def counting_build(path: Path) -> tuple[CrmIndex, list]:
        builds.append(path)
        return real_build(path)

    monkeypatch.setattr(index_cache, "build_crm_index", counting_build)
    result: list[CrmIndex] = []
    with open(cache / f"{key}.lock", "w") as lock:
        real_flock(lock, fcntl.LOCK_EX)  # "another process" is building
        monkeypatch.setattr(index_cache.fcntl, "flock", flock)
        other = threading.Thread(target=lambda: result.append(load_crm_index(accounts, cache)))
        other.start()
        assert waiting.wait(30)
        index_cache._save(real_build(accounts)[0], cache / f"{key}.pickle")  # the other one's result
        real_flock(lock, fcntl.LOCK_UN)
    other.join(30)
    assert builds == [] and result[0].origin == "cached"


def test_config_says_where_and_whether(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = {"base_dir": str(tmp_path)}
    assert config_from_dict({**base, "matching": {"index_cache": False}}).index_cache_dir() is None
    cfg = config_from_dict({**base, "matching": {"index_cache_dir": "idx"}})
    assert cfg.index_cache_dir() == str(tmp_path / "idx")
    monkeypatch.setenv("BUYSIGNAL_CACHE_DIR", str(tmp_path / "env"))
    assert config_from_dict(base).index_cache_dir() == str(tmp_path / "env")
    assert default_cache_dir({"XDG_CACHE_HOME": "/x"}) == Path("/x/buysignal")
    assert default_cache_dir({"HOME": "/h"}).name == "buysignal"
