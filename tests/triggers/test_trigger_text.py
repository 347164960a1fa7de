"""What the detector reads of a document: the headline, and the lead without its wire dateline."""

from __future__ import annotations

import pytest

from triggers.text import MAX_UNIT_CHARS, headline, lead, strip_dateline


@pytest.mark.parametrize(
    ("sentence", "story"),
    [
        ("NEW YORK (Reuters) - Globex said it would buy Initech.", "Globex said it would buy Initech."),
        ("LONDON, Nov 20 (AP) — Payzo cut 300 jobs.", "Payzo cut 300 jobs."),
        ("SINGAPORE -- Nova Health raised US$12 million.", "Nova Health raised US$12 million."),
        (
            "AUSTIN, Texas, Jan. 5, 2026 /PRNewswire/ -- Tallow Inc. today announced a new CFO.",
            "Tallow Inc. today announced a new CFO.",
        ),
        (
            "DENVER, Colo. -- (BUSINESS WIRE) -- Brightkeel, Inc. named Ana Ruiz chief marketing officer.",
            "Brightkeel, Inc. named Ana Ruiz chief marketing officer.",
        ),
        (
            "TORONTO, March 3, 2026 (GLOBE NEWSWIRE) -- Quarrystone Mining closed a financing.",
            "Quarrystone Mining closed a financing.",
        ),
    ],
)
def test_wire_datelines_are_removed(sentence: str, story: str) -> None:
    assert strip_dateline(sentence) == story


@pytest.mark.parametrize(
    "sentence",
    [
        "IBM - Red Hat deal closes",  # a dash in a sentence, not a dateline
        "Acme raises $5M - again",
        "The company said it would hire 40 people.",
    ],
)
def test_sentences_without_a_dateline_stay_whole(sentence: str) -> None:
    assert strip_dateline(sentence) == sentence


def test_lead_is_the_first_two_sentences_of_the_first_paragraph() -> None:
    body = (
        "BOSTON (Reuters) - Harbor Labs Inc. named Jo Park chief executive. She starts on Monday. "
        "Park previously ran sales at Tallow.\n\nHarbor Labs raised $5 million in 2024."
    )
    assert lead(body) == ["Harbor Labs Inc. named Jo Park chief executive.", "She starts on Monday."]


def test_abbreviations_do_not_end_a_sentence() -> None:
    assert lead("Acme Corp. and Beta Inc. agreed to merge. Shares rose.", n=1) == [
        "Acme Corp. and Beta Inc. agreed to merge."
    ]


def test_empty_inputs() -> None:
    assert lead(None) == [] and lead("   ") == []
    assert headline(None) is None and headline("  ") is None


def test_headline_is_trimmed_and_capped_but_otherwise_verbatim() -> None:
    assert headline("  Acme   raises\n$5M ") == "Acme   raises\n$5M"  # evidence must stand in the document
    assert MAX_UNIT_CHARS - 1 <= len(headline("word " * 500) or "") <= MAX_UNIT_CHARS
