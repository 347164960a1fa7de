"""The core step forgets the words a batch brought once its events are read out (a spaCy memory
zone), so a long run's or a streaming worker's string store does not grow with its input, and the
events are the same as without the zone; the heap is handed back at most every few seconds."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

import pipelines.core.memory as memory
import pipelines.core.step as step
from pipelines.core import ProcessSettings, TriggerProcessor
from schemas import Document

# Invented names and figures: each batch brings words the pipeline has never seen.
SYLLABLES = ["zor", "vek", "tal", "quin", "brax", "lum", "oda", "fenn", "kri", "moz"]


def _documents(start: int, n: int) -> list[Document]:
    docs = []
    for i in range(start, start + n):
        a, b, c = SYLLABLES[i % 10], SYLLABLES[i // 10 % 10], SYLLABLES[i // 100 % 10]
        docs.append(
            Document(
                id=f"mem-{i}",
                title=f"{a.title()}{b}{c} Robotics raises ${i % 90 + 3}.{i % 7}M Series A led by {c.title()}{a} Ventures",
                text=f"The {b}{c}-based company, founded by Ilse {a.title()}{c}, will hire {i % 40 + 5} engineers.",
                published_at=datetime(2026, 11, 20, tzinfo=UTC),
                source="wire",
            )
        )
    return docs


def _events(processor: TriggerProcessor, docs: list[Document]) -> list[str]:
    return [e.to_json() for _, events in processor.reports(docs) for e in events]


def test_a_batch_leaves_the_string_store_as_it_found_it_and_finds_the_same_events(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    processor = TriggerProcessor(ProcessSettings()).setup()
    strings = processor.detector.nlp.vocab.strings  # type: ignore[union-attr]
    _events(processor, _documents(0, 5))  # whatever a first call sets up once
    before = len(strings)
    zoned = _events(processor, _documents(100, 60))
    assert len(strings) == before
    assert zoned, "the documents announce funding rounds: the test needs events to compare"

    @contextlib.contextmanager
    def no_zone(_detector: object) -> Iterator[None]:
        yield

    monkeypatch.setattr(step, "transient_words", no_zone)
    plain = _events(processor, _documents(100, 60))
    assert len(strings) > before  # without the zone the new words stay
    assert plain == zoned


def test_a_detector_without_a_spacy_pipeline_needs_no_zone() -> None:
    with memory.transient_words(object()):
        pass


def test_zones_on_one_pipeline_take_turns() -> None:
    # Zones must not nest: a second thread on the same pipeline waits for the first one's zone.
    class Pipeline:
        def __init__(self) -> None:
            self.open = 0
            self.most = 0

        @contextlib.contextmanager
        def memory_zone(self) -> Iterator[None]:
            self.open += 1
            self.most = max(self.most, self.open)
            try:
                yield
            finally:
                self.open -= 1

    class Detector:
        nlp = Pipeline()

    inside = threading.Event()
    release = threading.Event()

    def first() -> None:
        with memory.transient_words(Detector()):
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(10)
    second_done = threading.Event()

    def second() -> None:
        with memory.transient_words(Detector()):
            second_done.set()

    other = threading.Thread(target=second)
    other.start()
    assert not second_done.wait(0.2)  # it waits while the first zone is open
    release.set()
    thread.join(10)
    other.join(10)
    assert second_done.is_set() and Detector.nlp.most == 1


def test_the_heap_is_trimmed_at_most_every_few_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(memory, "_trim", calls.append)
    monkeypatch.setattr(memory, "_last_trim", 0.0)
    assert memory.release_free_memory(now=1000.0)
    assert not memory.release_free_memory(now=1000.0 + memory.TRIM_EVERY / 2)
    assert memory.release_free_memory(now=1000.0 + memory.TRIM_EVERY)
    assert calls == [0, 0]
