"""Keeping the memory of a long run, or of a streaming worker that lives for weeks, flat.

Two things grow with the input when nothing is done about them, measured on feed documents
(benchmarks/bench_batch.py: 0.82 GB at 100,000 documents, 1.36 GB at 1,000,000):

- spaCy keeps every new string and lexeme it meets (names, numbers, URLs), in its string store and
  its vocabulary; `transient_words` reads a batch inside a spaCy memory zone, which frees them once
  the batch's events are read out as plain records;
- glibc's allocator keeps what Python, numpy and spaCy freed in its heap instead of handing it back,
  and the heap fragments as batches of different sizes come and go; `release_free_memory` asks it to
  return what is free (`malloc_trim`), at most every few seconds.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import threading
import time
import weakref
from collections.abc import Iterator
from typing import Any

TRIM_EVERY = 10.0  # seconds between two trims at most: a trim walks the heap (milliseconds)

# One zone at a time per spaCy pipeline: zones must not nest, and while one is open every string
# the pipeline meets, from any thread, lives in it. Each core step loads its own pipeline, so this
# only ever waits where one pipeline is shared (the tests share the bundled one).
_ZONE_LOCKS: weakref.WeakKeyDictionary[Any, threading.Lock] = weakref.WeakKeyDictionary()
_ZONE_LOCKS_GUARD = threading.Lock()


@contextlib.contextmanager
def transient_words(detector: object) -> Iterator[None]:
    """Within this block, the strings and lexemes the detector's spaCy pipeline adds are freed at
    the end: read every Doc out inside it. A detector without a spaCy pipeline (or a spaCy without
    memory zones) needs nothing."""
    nlp = getattr(detector, "nlp", None)
    zone = getattr(nlp, "memory_zone", None)
    if zone is None:
        yield
        return
    with _ZONE_LOCKS_GUARD:
        lock = _ZONE_LOCKS.setdefault(nlp, threading.Lock())
    with lock, zone():
        yield


_last_trim = 0.0
_trim: Any = None


def _malloc_trim() -> Any:
    """glibc's malloc_trim, or a no-op where the C library has none (musl, macOS)."""
    global _trim
    if _trim is None:
        _trim = False
        with contextlib.suppress(OSError, AttributeError, TypeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            _trim = libc.malloc_trim
    return _trim


def release_free_memory(now: float | None = None) -> bool:
    """Hand the heap's free memory back to the system, at most every TRIM_EVERY seconds; whether it
    did. Nothing in use is touched: this only lowers what the process holds without using."""
    global _last_trim
    now = time.monotonic() if now is None else now
    if now - _last_trim < TRIM_EVERY:
        return False
    _last_trim = now
    trim = _malloc_trim()
    if not trim:
        return False
    trim(0)
    return True
