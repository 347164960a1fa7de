"""The account index of a CRM export, built once and reused while the export is unchanged.

Building the index reads and normalises every account: a fraction of a second for a typical CRM,
about a minute per million accounts. A run, a streaming worker and every Beam worker process need
it, so it is kept on disk, keyed by the export's content (SHA-256 of its bytes) and by the code that
builds it (the source of `matchers/`, the CRM reader and the record types, and the Python and numpy
versions the pickle depends on). A changed export, or an upgraded buysignal, gets a new key and is
rebuilt; an unchanged one is loaded (a few seconds per million accounts instead of a minute).

Where: `[matching] index_cache_dir` in the config, else `$BUYSIGNAL_CACHE_DIR`, else
`$XDG_CACHE_HOME/buysignal` (`~/.cache/buysignal`). `[matching] index_cache = false` turns it off.
The files are pickles: anyone who can write that folder can run code as whoever loads them, so it is
created private to the user (0700), like any cache of this kind.

What is cached is the index of the export alone; the aliases file, the review queue's aliases and
the threshold are applied after loading (they change between runs without the export changing), so
they never need a rebuild. Two processes that miss the cache at once (Beam worker processes starting
together) build it once: the second waits on a lock file and then loads what the first wrote.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import pickle
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import matchers
from matchers import AccountIndex
from schemas import Account, DeadLetter
from sources.crm import AccountsCsvSource

log = logging.getLogger("buysignal.index_cache")

FORMAT = 1  # bump when what is pickled changes shape
KEEP = 4  # cached indexes kept per folder (the newest); older ones are removed
READ_BLOCK = 1 << 20


@dataclass
class CrmIndex:
    """An export's account index, with what the index itself does not keep: the aliases of the
    accounts that have some (champion moves compare a contact's account by its aliases)."""

    index: AccountIndex
    aliases: dict[str, list[str]] = field(default_factory=dict)
    # How this one was obtained: "built", "cached" or "built (not cached: ...)"; not pickled.
    origin: str = "built"

    def account(self, account_id: str) -> Account | None:
        """The account as the index knows it: id, name, domain, type and aliases (no owner or
        other CRM columns; those live in the store)."""
        ref = self.index.get(account_id)
        if ref is None:
            return None
        return Account(
            account_id=ref.account_id,
            name=ref.name,
            domain=ref.domain,
            type=ref.type,
            aliases=self.aliases.get(account_id, []),
        )

    def accounts(self, account_ids: set[str]) -> dict[str, Account]:
        """`account` for each of these ids the export has."""
        found = {i: self.account(i) for i in account_ids}
        return {i: a for i, a in found.items() if a is not None}

    def __getstate__(self) -> dict[str, object]:
        return {"index": self.index, "aliases": self.aliases}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self.origin = "cached"


def default_cache_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """$BUYSIGNAL_CACHE_DIR, else $XDG_CACHE_HOME/buysignal, else ~/.cache/buysignal."""
    if environ.get("BUYSIGNAL_CACHE_DIR"):
        return Path(environ["BUYSIGNAL_CACHE_DIR"]).expanduser()
    base = Path(environ["XDG_CACHE_HOME"]).expanduser() if environ.get("XDG_CACHE_HOME") else None
    return (base or Path.home() / ".cache") / "buysignal"


def _code_files() -> Iterator[Path]:
    yield from sorted(Path(matchers.__file__).resolve().parent.glob("*.py"))
    import schemas.records
    import sources.crm
    import sources.tabular

    for module in (sources.crm, sources.tabular, schemas.records):
        yield Path(str(module.__file__)).resolve()
    yield Path(__file__).resolve()


_CODE_VERSION: str | None = None


def code_version() -> str:
    """A digest of the code an index depends on: a change to the matcher, the CRM reader or the
    records (or a new Python or numpy) gives new keys, so no stale index is ever loaded."""
    global _CODE_VERSION
    if _CODE_VERSION is None:
        digest = hashlib.sha256(f"{FORMAT}|{sys.version_info[:2]}|{np.__version__}".encode())
        for path in _code_files():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        _CODE_VERSION = digest.hexdigest()[:16]
    return _CODE_VERSION


def export_digest(path: str | Path) -> str:
    """SHA-256 of the export's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(READ_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def build_crm_index(accounts_path: str | Path) -> tuple[CrmIndex, list[DeadLetter]]:
    """Read the export (one row at a time, no list of accounts kept) and index it."""
    aliases: dict[str, list[str]] = {}
    dead: list[DeadLetter] = []

    def accounts() -> Iterator[Account]:
        for item in AccountsCsvSource(accounts_path).read():
            if isinstance(item, DeadLetter):
                dead.append(item)
            elif isinstance(item, Account):
                if item.aliases:
                    aliases.setdefault(item.account_id, list(item.aliases))
                yield item

    return CrmIndex(AccountIndex.build(accounts()), aliases), dead


def load_crm_index(accounts_path: str | Path, cache_dir: str | Path | None) -> CrmIndex:
    """The export's CrmIndex: from the cache when this export was indexed before by this code,
    else built (and cached when `cache_dir` is given). Bad rows are left out of the index (the run
    that loads the CRM into the store records them as dead letters)."""
    if cache_dir is None:
        return build_crm_index(accounts_path)[0]
    key = f"accounts-{export_digest(accounts_path)[:32]}-{code_version()}"
    folder = Path(cache_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        log.warning("index cache %s can't be created (%s); building the index without it", folder, exc)
        crm = build_crm_index(accounts_path)[0]
        crm.origin = f"built (not cached: {exc.strerror})"
        return crm
    target = folder / f"{key}.pickle"
    cached = _load(target)
    if cached is not None:
        return cached
    with open(folder / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder per key; the others wait, then load
        try:
            cached = _load(target)
            if cached is not None:
                return cached
            crm = build_crm_index(accounts_path)[0]
            _save(crm, target)
            _prune(folder, keep=target)
            return crm
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _load(target: Path) -> CrmIndex | None:
    try:
        with open(target, "rb") as fh:
            crm = pickle.load(fh)
    except FileNotFoundError:
        return None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
        log.warning("index cache %s is unreadable (%s: %s); rebuilding it", target, type(exc).__name__, exc)
        return None
    if not isinstance(crm, CrmIndex):
        log.warning("index cache %s does not hold an account index; rebuilding it", target)
        return None
    os.utime(target)  # recently used: kept by _prune
    return crm


def _save(crm: CrmIndex, target: Path) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            pickle.dump(crm, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)  # readers see the whole file or none
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        log.warning("index cache %s can't be written (%s); the index is used without caching", target, exc)
        crm.origin = f"built (not cached: {exc.strerror})"


def _prune(folder: Path, keep: Path) -> None:
    """Keep the KEEP most recently used indexes (an export that changes daily would fill the disk)."""
    cached = sorted(folder.glob("accounts-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [p for p in cached if p != keep][KEEP - 1 :]:
        old.unlink(missing_ok=True)
        old.with_suffix(".lock").unlink(missing_ok=True)
