"""The same run on a runner whose workers are separate processes (Beam's FnApiRunner in
multi_processing mode: each worker a `sdk_worker_main` process of its own, sharing nothing with the
driver but what the pipeline ships) stores exactly what the in-process DirectRunner stores. Anything
the pipeline took from driver memory instead of its inputs, the store or the files would be missing
in the workers and show up here."""

from __future__ import annotations

import threading
from pathlib import Path

import psutil
import pytest
from moving_clock import MovingClock

import pipelines.runners.run as run_module
from pipelines.config import Config, load_config
from sinks.store import Store

pytestmark = pytest.mark.slow

WORKERS = ["--direct_running_mode=multi_processing", "--direct_num_workers=2"]


def configured(cfg: Config, folder: Path, name: str, chunk_size: int) -> Config:
    return cfg.model_copy(
        update={
            "beam": cfg.beam.model_copy(update={"chunk_size": chunk_size}),
            "store": cfg.store.model_copy(update={"url": f"sqlite:///{folder / f'{name}.db'}"}),
            "output": cfg.output.model_copy(update={"dir": str(folder / f"out-{name}")}),
        }
    )


def dump(cfg: Config) -> dict:
    store = Store(cfg.store.url)
    try:
        out = store.dump()
    finally:
        store.close()
    # a dead letter is stamped when its record was read, not with the run's clock
    out["dead_letters"] = [{**d, "occurred_at": None} for d in out["dead_letters"]]
    return out


class WorkerWatch:
    """The Beam SDK worker processes started under this one while it watches."""

    def __init__(self) -> None:
        self.workers: set[int] = set()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def start(self) -> WorkerWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._done.set()
        self._thread.join(10)

    def _watch(self) -> None:
        me = psutil.Process()
        while not self._done.wait(0.2):
            for child in me.children(recursive=True):
                try:
                    if any("sdk_worker_main" in part for part in child.cmdline()):
                        self.workers.add(child.pid)
                except psutil.Error:
                    continue


def test_the_demo_on_separate_worker_processes_stores_what_the_direct_runner_stores(
    tmp_path: Path, clock: MovingClock
) -> None:
    demo = load_config(None)
    # Chunks of 40 documents: three pipelines, so workers also fold into what other workers stored.
    here = configured(demo, tmp_path, "in-process", 40)
    apart = configured(demo, tmp_path, "workers", 40)
    one = run_module.run(here, clock=clock, progress=False)
    seen = WorkerWatch().start()
    try:
        many = run_module.run(apart, extra_args=WORKERS, clock=clock, progress=False)
    finally:
        seen.stop()
    assert len(seen.workers) >= 2, "the pipeline ran without separate worker processes"
    assert many.counts.documents == one.counts.documents >= 60
    assert (many.counts, many.events_by_type, many.segment_rows, many.matched_accounts) == (
        one.counts,
        one.events_by_type,
        one.segment_rows,
        one.matched_accounts,
    )
    assert dump(apart) == dump(here)
    for path in one.list_paths:
        twin = Path(apart.output.dir) / path.name
        assert twin.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), path.name
