"""Money amounts in the forms news headlines write them."""

from __future__ import annotations

import pytest

from triggers.amounts import find_amounts, parse_amount


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("$25M", 25_000_000, "USD"),
        ("US$5.3 million", 5_300_000, "USD"),
        ("Rs 50 crore", 500_000_000, "INR"),
        ("€10m", 10_000_000, "EUR"),
        ("1.2bn", 1_200_000_000, None),
        ("S$2 million", 2_000_000, "SGD"),
        ("RM5 million", 5_000_000, "MYR"),
        ("¥1 billion", 1_000_000_000, "JPY"),
        ("£3.5m", 3_500_000, "GBP"),
        ("INR 100 crore", 1_000_000_000, "INR"),
        ("$500K", 500_000, "USD"),
        ("USD 3 million", 3_000_000, "USD"),
        ("EUR 4.5M", 4_500_000, "EUR"),
        ("50 million euros", 50_000_000, "EUR"),
        ("12 mln yuan", 12_000_000, "CNY"),
        ("$1,250,000", 1_250_000, "USD"),
        ("Rs. 10 crore", 100_000_000, "INR"),
        ("US$1B", 1_000_000_000, "USD"),
    ],
)
def test_amount_forms(text: str, value: float, currency: str | None) -> None:
    got_value, got_currency = parse_amount(f"Acme raises {text} to grow")
    assert got_value == pytest.approx(value)
    assert got_currency == currency


@pytest.mark.parametrize("text", ["3rd batch of 2018", "7 startups to watch", "grew 10 percent", "Series B"])
def test_numbers_that_are_not_money(text: str) -> None:
    assert find_amounts(text) == []


def test_amount_span_is_verbatim() -> None:
    text = "Quillmark raises US$5.3 million from Harbor Point"
    (amount,) = find_amounts(text)
    assert text[amount.start : amount.end] == amount.text == "US$5.3 million"
