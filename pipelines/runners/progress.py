"""Progress of a long run on stderr: documents read, events found, the rate, and the time left.

On a terminal it is a bar (tqdm) that redraws in place; anywhere else (a log file, a scheduler, a
pipe) it is a plain line every `every` seconds and one at the end, so a log stays readable. The
time left is known when the sources can say how far through their input they are (a documents
file knows its size); otherwise the line says what has been done and how fast.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import IO, Any

Fraction = Callable[[], float | None]


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


class RunProgress:
    """Counts a run's documents and events and shows them; `update` after each chunk, `close` at
    the end. `fraction` says how much of the input has been read (0..1), or None when unknown."""

    def __init__(
        self,
        label: str = "buysignal run",
        *,
        stream: IO[str] | None = None,
        fraction: Fraction = lambda: None,
        every: float = 10.0,
        timer: Callable[[], float] = time.monotonic,
        bar: bool | None = None,
        enabled: bool = True,
    ) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.fraction = fraction
        self.every = every
        self.timer = timer
        self.enabled = enabled
        self.documents = 0
        self.events = 0
        self.started = timer()
        self._last_line = self.started
        self._shown = False  # a short run that never showed progress ends without a word
        self._bar: Any = None
        is_tty = bool(getattr(self.stream, "isatty", lambda: False)())
        if enabled and (is_tty if bar is None else bar):
            from tqdm import tqdm

            self._bar = tqdm(
                desc=label, unit=" docs", file=self.stream, dynamic_ncols=True, leave=False, smoothing=0.1
            )

    def update(self, documents: int = 0, events: int = 0) -> None:
        """Add what the last chunk read and found."""
        self.documents += documents
        self.events += events
        if not self.enabled:
            return
        if self._bar is not None:
            total = self._estimated_total()
            if total is not None and total != self._bar.total:
                self._bar.total = total
            self._bar.set_postfix_str(f"{self.events:,} events", refresh=False)
            self._bar.update(documents)
            self._bar.refresh()  # updates come a chunk at a time: show each one
            self._shown = True
            return
        now = self.timer()
        if now - self._last_line >= self.every:
            self._last_line = now
            self._shown = True
            self._print(self.line(now))

    def close(self) -> None:
        """The last word: totals, and the mean rate (only after progress was shown)."""
        if not self.enabled or not self._shown:
            return
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        self._print(self.line(self.timer(), final=True))

    def _estimated_total(self) -> int | None:
        done = self.fraction()
        if not done or done <= 0:
            return None
        return max(self.documents, round(self.documents / min(done, 1.0)))

    def line(self, now: float, final: bool = False) -> str:
        """One plain progress line (what a log gets)."""
        elapsed = max(now - self.started, 1e-9)
        rate = self.documents / elapsed
        parts = [f"{self.documents:,} documents read", f"{self.events:,} events", f"{rate:,.0f} documents/s"]
        if final:
            parts.append(f"in {_duration(elapsed)}")
        else:
            done = self.fraction()
            if done is not None and 0 < done < 1:
                parts.append(f"{done:.0%} of the input, about {_duration(elapsed * (1 - done) / done)} left")
        return f"{self.label}: " + ", ".join(parts)

    def _print(self, text: str) -> None:
        print(text, file=self.stream, flush=True)
