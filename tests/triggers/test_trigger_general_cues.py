"""General cues, table-driven on headlines we wrote: an IPO's proceeds are not a round, lifetime funding
totals are not a round, the many ways of saying "partnership", and job cuts told in the lead under a
restructuring headline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemas import Document
from triggers import SpacyTriggerDetector

CASES = Path(__file__).resolve().parents[1] / "cases" / "triggers"
GENERAL = [
    json.loads(line)
    for line in (CASES / "general_cues.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]
FIELDS = ("company", "counterparty", "round")


@pytest.mark.parametrize("case", GENERAL, ids=[f"{c['group']}: {c['text'][:50]}" for c in GENERAL])
def test_general_cue_headlines(detector: SpacyTriggerDetector, case: dict) -> None:
    events = detector.detect(Document(id="case", title=case["text"]))
    assert sorted({e.type for e in events}) == sorted(case["types"])
    if not case["types"]:
        return
    event = next(e for e in events if e.type == case["types"][0])
    for name in FIELDS:
        if name in case:
            assert getattr(event, name) == case[name], name


RESTRUCTURING = "Tundra Foods Announces Restructuring to Focus on Core Brands"


@pytest.mark.parametrize(
    ("title", "body", "types", "company"),
    [
        (
            RESTRUCTURING,
            "Tundra Foods said on Tuesday it would cut about 400 jobs as part of the plan. "
            "The company also named a new finance chief.",
            ["layoffs"],
            "Tundra Foods",
        ),
        (RESTRUCTURING, "The company will eliminate 12% of its workforce.", ["layoffs"], "Tundra Foods"),
        (
            "Brackwater Media unveils turnaround plan",
            "The publisher will reduce its workforce by 150 positions by March.",
            ["layoffs"],
            "Brackwater Media",
        ),
        (RESTRUCTURING, "Tundra Foods reported higher sales in the quarter.", [], None),
        (RESTRUCTURING, "The company will reduce prices on its frozen range by 10%.", [], None),
    ],
)
def test_restructuring_with_job_cuts_in_the_lead_is_layoffs(
    detector: SpacyTriggerDetector, title: str, body: str, types: list[str], company: str | None
) -> None:
    events = detector.detect(Document(id="case", title=title, text=body))
    assert sorted({e.type for e in events}) == types
    if company is not None:
        assert events[0].company == company


def test_lead_company_is_not_borrowed_when_the_headline_reports_an_event(
    detector: SpacyTriggerDetector,
) -> None:
    # The headline's own event wins; the lead's job cuts of another company are never read as its own.
    events = detector.detect(
        Document(
            id="case",
            title="Tundra Foods acquires Pellham Dairy",
            text="The company will eliminate 12% of its workforce.",
        )
    )
    assert [(e.type, e.company) for e in events] == [("acquisition", "Tundra Foods")]
