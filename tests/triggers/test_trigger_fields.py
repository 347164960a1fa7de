"""The rule-made fields of a funding event: round names and the money raised."""

from __future__ import annotations

import pytest

from triggers.fields import funding_round, raised_amount


@pytest.mark.parametrize(
    ("text", "round_"),
    [
        ("Kestrel Robotics raises $18M Series A", "series_a"),
        ("Kestrel Robotics Raises $18M SERIES B", "series_b"),
        ("Payloop closes pre-Series A round", "pre_series_a"),
        ("Payloop bags pre-seed cheque", "pre_seed"),
        ("Tallow lands $2M seed funding", "seed"),
        ("Tallow secures $40 million Series F", "series_e_plus"),
        ("Quarrystone gets $300M credit facility", "debt"),
        ("Vantor takes venture debt from Lakeview", "debt"),
        ("Harbor Labs raises growth equity from Summit", "growth"),
        ("Harbor Labs raises $5 million", "undisclosed"),
    ],
)
def test_round_names(text: str, round_: str) -> None:
    assert funding_round(text) == round_


def test_raised_amount_skips_valuations() -> None:
    found = raised_amount("Brightkeel, valued at $2 billion, raises $150 million")
    assert found is not None and (found.value, found.currency) == (150_000_000, "USD")


def test_raised_amount_reads_other_currencies() -> None:
    found = raised_amount("Lisbon fintech Payzo secures €12m")
    assert found is not None and (found.value, found.currency) == (12_000_000, "EUR")


def test_no_amount() -> None:
    assert raised_amount("Payzo raises money from angels") is None
