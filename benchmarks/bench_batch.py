"""`buysignal run` end to end against the core step alone, on the same feed documents, in the same run.

    .venv/bin/python benchmarks/bench_batch.py                    # 100,000 documents, SQLite and PostgreSQL
    .venv/bin/python benchmarks/bench_batch.py --million          # and 1,000,000 documents (SQLite)
    .venv/bin/python benchmarks/bench_batch.py --sizes 20000 --stores sqlite   # a quick look
    .venv/bin/python benchmarks/bench_batch.py --big-crm          # a 1,000,000-account CRM export instead

For each size, the documents are generated once (benchmarks/feed_corpus.py: headlines and leads that look
like a news feed, a quarter of the companies taken from the CRM so that events match accounts) into a JSON
Lines file, with a 50,000-account CRM export. Then, in this order:

1. the core step alone: `TriggerProcessor.process` in this process over the same documents, in batches of
   512 (parsing the file is not timed), with the same CRM, segments and "now"; past 100,000 documents,
   over the first 100,000 (its rate does not depend on what follows, and this keeps the million-document
   run within the hour on this machine);
2. `buysignal run` on a config whose only source is that file (a `documents` source), in a child
   process, once per store (a fresh SQLite file; a fresh PostgreSQL database at 127.0.0.1:5432); the
   million documents of `--million` on SQLite only (they are there for the memory figure).

Printed per run: wall time, documents/s, the ratio to the core step (target >= 0.50), the same on CPU
time (documents per CPU-second of the run and its worker processes, against the core step's; steadier
than wall time on a busy machine, and it shows what the run costs beside the core step), and peak RSS: the
largest sum of the resident sets of the run's process and its children, sampled every 0.1 s (Beam's
worker processes included; pages they share are counted once per process, so this errs high). Targets:
the 1,000,000-document peak within 1.2x of the 100,000-document peak, and <= 1.5 GB.

Documents are dated at a steady 2,000 a day up to the run's "now" (100,000 span 50 days, 1,000,000 span
500 days), as a feed would be; the segments look back 30 and 7 days, so the campaign lists a run cuts are
the same size at both scales and the figures show what grows with the input, not with the lists.

`--big-crm`: a 1,000,000-account export (bench_match.py's generator: realistic name distributions) and
2,000 documents; `buysignal run` three times: with an empty index cache (the index is built), again with
the export unchanged (the cached index is reused), and after one account changed (rebuilt). Targets:
peak <= 3 GB per run; the unchanged export does not rebuild the index (told by the cache folder: a
run that built the index wrote a new file there, one that loaded it wrote none).

The load average is printed with every figure: the machine is shared, and a busy machine slows the runs
and the core step alike, which is why the targets are ratios measured in the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import psutil  # noqa: E402

from benchmarks.feed_corpus import FeedGenerator, NameMaker  # noqa: E402

AS_OF = datetime(2026, 11, 25, tzinfo=UTC)
PER_DAY = 2_000
CRM_ACCOUNTS = 50_000
CRM_SHARE = 0.25  # of company mentions, taken from the CRM
CORE_BATCH = 512
CORE_SAMPLE = 100_000
PG = "postgresql+psycopg://postgres@127.0.0.1:5432"


# -- the input ------------------------------------------------------------------------------------
def crm_names(n: int, seed: int = 7) -> list[str]:
    """n distinct invented company names (the feed corpus's syllable names)."""
    maker = NameMaker(random.Random(seed))
    seen: dict[str, None] = {}
    while len(seen) < n:
        seen.setdefault(maker.company().strip(), None)
    return list(seen)


class BenchFeed(FeedGenerator):
    """The feed corpus, with a share of its company mentions naming CRM accounts."""

    def __init__(self, seed: int, accounts: list[str]) -> None:
        super().__init__(seed)
        self.accounts = accounts

    def company(self) -> str:
        if self.rng.random() < CRM_SHARE:
            return self.rng.choice(self.accounts)
        return super().company()


def write_documents(path: Path, n: int, accounts: list[str], seed: int = 42) -> None:
    """n feed documents as JSON Lines, dated PER_DAY a day up to AS_OF (oldest first)."""
    gen = BenchFeed(seed, accounts)
    start = AS_OF - timedelta(days=n / PER_DAY)
    step = timedelta(days=1) / PER_DAY
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            item = gen.item()
            doc = {
                "id": f"bench-{i}",
                "title": item.title,
                "text": item.body,
                "url": f"https://news.example/{i}",
                "published_at": (start + step * (i + 1)).isoformat(),
                "source": "bench-feed",
            }
            fh.write(json.dumps(doc) + "\n")


def write_accounts(path: Path, names: list[str]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("account_id,name,domain,owner\n")
        for i, name in enumerate(names):
            label = "".join(ch for ch in name.lower() if ch.isalnum())[:20] or f"acct{i}"
            fh.write(f"A{i:07d},{name},{label}{i % 97}.example,owner{i % 9}\n")


def config_name(store_url: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in store_url.rsplit("/", 1)[-1])


def write_config(folder: Path, store_url: str, documents: Path, accounts: Path) -> Path:
    config = folder / f"bench-{config_name(store_url)}.toml"
    config.write_text(
        f'as_of = "{AS_OF.isoformat()}"\n'
        f'[store]\nurl = "{store_url}"\n'
        f'[output]\ndir = "{folder / "lists"}"\n'
        f'[crm]\naccounts = "{accounts}"\n'
        f'[[sources]]\ntype = "documents"\npath = "{documents}"\n'
        '[[segments]]\nname = "funding_30d"\ntypes = ["funding_round"]\ndays = 30\n'
        '[[segments]]\nname = "any_trigger_7d"\ndays = 7\n',
        encoding="utf-8",
    )
    return config


# -- measuring ------------------------------------------------------------------------------------
def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


@dataclass
class RunFigures:
    wall: float
    cpu: float  # user + system seconds of the run and the worker processes it waited for
    peak_mb: float
    returncode: int
    stderr_tail: str


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def run_measured(cmd: list[str], env: dict[str, str], cwd: Path) -> RunFigures:
    """Run `cmd`, sampling its process tree's RSS; wall time and the peak."""
    err = open(cwd / "run.stderr", "w+b")  # noqa: SIM115 - closed below
    t0 = time.perf_counter()
    child = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
    proc = psutil.Process(child.pid)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            with contextlib.suppress(psutil.Error):
                peak = max(peak, tree_rss(proc))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    peak = max(peak, usage.ru_maxrss * 1024)  # the main process's own high-water mark, if it was higher
    err.seek(0)
    tail = err.read().decode("utf-8", errors="replace")[-3000:]
    err.close()
    cpu = usage.ru_utime + usage.ru_stime
    return RunFigures(wall, cpu, peak / 2**20, child.returncode, tail)


def iter_documents(path: Path, size: int) -> Iterator[list]:
    from schemas import Document

    batch = []
    with open(path, "rb") as fh:
        for line in fh:
            batch.append(Document.model_validate_json(line))
            if len(batch) == size:
                yield batch
                batch = []
    if batch:
        yield batch


def core_step(config: Path, documents: Path, limit: int | None = None) -> tuple[float, float, int]:
    """The core step alone, in this process, over the first `limit` documents (all when None):
    (documents/s wall, documents/s of CPU time, events)."""
    from pipelines.config import load_config, process_settings
    from pipelines.core import TriggerProcessor

    processor = TriggerProcessor(process_settings(load_config(config))).setup()
    busy = cpu = 0.0
    n = events = 0
    for batch in iter_documents(documents, CORE_BATCH):
        t0, c0 = time.perf_counter(), time.process_time()
        out = processor.process(batch)
        busy += time.perf_counter() - t0
        cpu += time.process_time() - c0
        n += len(batch)
        events += len(out.events)
        if limit is not None and n >= limit:
            break
    return n / busy, n / cpu, events


def fresh_pg_database(name: str) -> str | None:
    """A new, empty PostgreSQL database; None when the server is not there."""
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
    except Exception as exc:  # the bench goes on with SQLite
        print(f"  (PostgreSQL at 127.0.0.1:5432 not usable: {type(exc).__name__}: {exc})")
        return None
    return f"{PG}/{name}"


def drop_pg_database(name: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def buysignal_run(config: Path, folder: Path, extra: list[str], cache: Path) -> RunFigures:
    env = {**os.environ, "PYTHONPATH": str(REPO), "BUYSIGNAL_CACHE_DIR": str(cache)}
    cmd = [sys.executable, "-m", "pipelines.commands.cli", "run", "--config", str(config), *extra]
    figures = run_measured(cmd, env, folder)
    if figures.returncode != 0:
        print(figures.stderr_tail, file=sys.stderr)
        raise SystemExit(f"buysignal run failed with exit code {figures.returncode}")
    return figures


# -- the two benchmarks ---------------------------------------------------------------------------
def bench_documents(args: argparse.Namespace, folder: Path) -> None:
    names = crm_names(CRM_ACCOUNTS)
    accounts = folder / "accounts.csv"
    write_accounts(accounts, names)
    peaks: dict[int, float] = {}
    for n in args.sizes:
        documents = folder / f"documents-{n}.jsonl"
        t0 = time.perf_counter()
        write_documents(documents, n, names)
        print(f"\n== {n:,} documents ({documents.stat().st_size / 1e6:,.0f} MB, generated in "
              f"{time.perf_counter() - t0:.0f}s), {CRM_ACCOUNTS:,}-account CRM")  # fmt: skip
        core_cfg = write_config(folder, f"sqlite:///{folder / 'core.db'}", documents, accounts)
        # The core step's rate does not depend on how many documents follow: past CORE_SAMPLE it
        # is timed on the first CORE_SAMPLE, which keeps the million-document run within the hour.
        sample = CORE_SAMPLE if n > CORE_SAMPLE else None
        print(f"  core step alone ...  ({load()})", flush=True)
        core_rate, core_cpu, core_events = core_step(core_cfg, documents, sample)
        on = f"on the first {sample:,} documents, " if sample else ""
        print(
            f"  core step alone:     {core_rate:8,.0f} docs/s, {core_cpu:,.0f} per CPU-second "
            f"({on}{core_events:,} events; {load()})"
        )
        # The million-document run is on SQLite only (the docstring's --million): it is there for
        # the memory figure, and PostgreSQL's throughput is measured at the smaller sizes.
        stores = ["sqlite"] if n >= 1_000_000 and args.million else args.stores
        for store in stores:
            db_name = f"buysignal_bench_{n}"
            url = f"sqlite:///{folder / f'run-{n}.db'}" if store == "sqlite" else fresh_pg_database(db_name)
            if url is None:
                continue
            config = write_config(folder, url, documents, accounts)
            try:
                fig = buysignal_run(config, folder, args.beam, folder / "cache")
            finally:
                if store == "postgresql":
                    drop_pg_database(db_name)
                elif not args.keep:
                    Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
            rate = n / fig.wall
            ratio = rate / core_rate
            cpu_rate = n / fig.cpu
            print(
                f"  buysignal run ({store:10s}) {fig.wall:7.1f} s  {rate:8,.0f} docs/s  "
                f"{ratio:5.2f}x core (target >= 0.50 {'OK' if ratio >= 0.5 else 'BELOW'}); "
                f"{cpu_rate:,.0f} per CPU-second, {cpu_rate / core_cpu:.2f}x core's; "
                f"peak RSS {fig.peak_mb:6,.0f} MB  ({load()})",
                flush=True,
            )
            if store == "sqlite":
                peaks[n] = fig.peak_mb
        if not args.keep:
            documents.unlink()
    if len(peaks) > 1:
        small, large = min(peaks), max(peaks)
        growth = peaks[large] / peaks[small]
        print(
            f"\npeak RSS at {large:,} / at {small:,} documents: {growth:.2f}x "
            f"(target <= 1.20 {'OK' if growth <= 1.2 else 'ABOVE'}); at {large:,}: {peaks[large]:,.0f} MB "
            f"(target <= 1,536 MB {'OK' if peaks[large] <= 1536 else 'ABOVE'})"
        )


def cached_indexes(cache: Path) -> set[tuple[str, int]]:
    """The account indexes in the cache folder, by name and inode (a rewrite is a new inode)."""
    return {(p.name, p.stat().st_ino) for p in cache.glob("accounts-*.pickle")} if cache.is_dir() else set()


def bench_big_crm(args: argparse.Namespace, folder: Path) -> None:
    from benchmarks.bench_match import SEED, make_names, make_roots

    rng = random.Random(SEED)
    n = args.big_crm_accounts
    roots = make_roots(rng, max(1000, n // 3) + 5000)[5000:]
    names = make_names(rng, n, roots)[:n]
    accounts = folder / "accounts-big.csv"
    write_accounts(accounts, names)
    documents = folder / "documents-big.jsonl"
    write_documents(documents, 2_000, names)
    print(f"\n== {n:,}-account CRM export ({accounts.stat().st_size / 1e6:,.0f} MB), 2,000 documents")
    cache = folder / "cache-big"
    labels = ["empty index cache (built)", "export unchanged (cached)", "one account changed (rebuilt)"]
    for k, label in enumerate(labels):
        if k == 2:
            with open(accounts, "a", encoding="utf-8") as fh:
                fh.write("Z0000001,Quillon Freight Systems,quillonfreight.example,owner1\n")
        config = write_config(folder, f"sqlite:///{folder / f'big-{k}.db'}", documents, accounts)
        before = cached_indexes(cache)
        fig = buysignal_run(config, folder, args.beam, cache)
        # A run that built the index wrote a new cache file; one that reused it wrote none.
        index = "built" if cached_indexes(cache) - before else "loaded from the cache"
        expected = "loaded from the cache" if k == 1 else "built"
        print(
            f"  {label:32s} {fig.wall:7.1f} s  peak RSS {fig.peak_mb:6,.0f} MB "
            f"(target <= 3,072 MB {'OK' if fig.peak_mb <= 3072 else 'ABOVE'}); index {index} "
            f"({'OK' if index == expected else 'UNEXPECTED'})  ({load()})",
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--million", action="store_true", help="add the 1,000,000-document run (SQLite)")
    parser.add_argument(
        "--stores", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"]
    )
    parser.add_argument("--big-crm", action="store_true", help="the 1,000,000-account CRM runs instead")
    parser.add_argument("--big-crm-accounts", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the generated files and stores")
    parser.add_argument("beam", nargs="*", help="extra options for buysignal run (after --)")
    args = parser.parse_args()
    if args.million and 1_000_000 not in args.sizes:
        args.sizes = [*args.sizes, 1_000_000]
    print(f"bench_batch: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GB; {load()}")
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        folder = Path(tmp)
        if args.keep:
            folder = Path(tempfile.mkdtemp(prefix="bench-batch-kept-"))
            print(f"keeping files in {folder}")
        if args.big_crm:
            bench_big_crm(args, folder)
        else:
            bench_documents(args, folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
