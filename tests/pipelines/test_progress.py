"""Progress of long runs on stderr: plain lines in a log, a bar on a terminal, the time left when known."""

from __future__ import annotations

import io
import json
from pathlib import Path

from pipelines.runners.progress import RunProgress
from sources.files import DocumentsFileSource


class Ticks:
    """A monotonic timer the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_log_gets_a_plain_line_every_interval_with_rate_and_time_left() -> None:
    out, ticks = io.StringIO(), Ticks()
    done = {"fraction": 0.0}
    progress = RunProgress(stream=out, fraction=lambda: done["fraction"], every=10.0, timer=ticks)
    ticks.now += 4
    done["fraction"] = 0.1
    progress.update(documents=2_000, events=800)
    assert out.getvalue() == ""  # not yet 10 s since the start
    ticks.now += 16  # 20 s in, 25% read
    done["fraction"] = 0.25
    progress.update(documents=3_000, events=1_200)
    line = out.getvalue().strip()
    assert line == (
        "buysignal run: 5,000 documents read, 2,000 events, 250 documents/s, "
        "25% of the input, about 1m00s left"
    )
    ticks.now += 5
    progress.update(documents=1_000, events=100)
    assert len(out.getvalue().splitlines()) == 1  # 5 s since the last line
    ticks.now += 15
    done["fraction"] = 1.0
    progress.close()
    last = out.getvalue().splitlines()[-1]
    assert last == "buysignal run: 6,000 documents read, 2,100 events, 150 documents/s, in 40s"


def test_without_a_known_size_the_line_has_no_time_left() -> None:
    out, ticks = io.StringIO(), Ticks()
    progress = RunProgress(stream=out, every=1.0, timer=ticks)
    ticks.now += 2
    progress.update(documents=10, events=1)
    assert out.getvalue().strip() == "buysignal run: 10 documents read, 1 events, 5 documents/s"


def test_a_terminal_gets_a_bar_that_knows_the_total_from_the_fraction_read() -> None:
    out, ticks = io.StringIO(), Ticks()
    progress = RunProgress(stream=out, fraction=lambda: 0.5, timer=ticks, bar=True)
    progress.update(documents=500, events=20)
    assert progress._bar is not None and progress._bar.total == 1_000
    assert "20 events" in out.getvalue() and "500/1000" in out.getvalue()
    ticks.now += 10
    progress.close()
    assert out.getvalue().splitlines()[-1].endswith("500 documents read, 20 events, 50 documents/s, in 10s")


def test_a_run_too_short_to_show_progress_ends_without_a_line() -> None:
    out, ticks = io.StringIO(), Ticks()
    progress = RunProgress(stream=out, every=10.0, timer=ticks)
    ticks.now += 3
    progress.update(documents=40, events=4)
    progress.close()
    assert out.getvalue() == ""


def test_disabled_progress_prints_nothing() -> None:
    out = io.StringIO()
    progress = RunProgress(stream=out, enabled=False, every=0.0)
    progress.update(documents=5)
    progress.close()
    assert out.getvalue() == "" and progress.documents == 5


def test_a_documents_file_says_how_far_it_has_been_read(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    lines = [json.dumps({"id": f"d{i}", "title": f"Headline number {i} " + "x" * 200}) for i in range(2_000)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    source = DocumentsFileSource(path)
    assert source.fraction_read() == 0.0
    seen = []
    for n, _ in enumerate(source.read(), start=1):
        if n in (1, 1_000, 1_999):
            seen.append(source.fraction_read())
    assert seen[0] is not None and seen[0] < 0.1  # a buffer ahead of the first line at most
    assert seen[1] is not None and 0.4 < seen[1] < 0.6
    assert source.fraction_read() == 1.0
    assert DocumentsFileSource("-").fraction_read() is None
