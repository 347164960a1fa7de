"""Job titles as written, normalised to the CONTRACT.md roles."""

from __future__ import annotations

import pytest

from schemas import ROLES
from triggers.roles import normalise_role


@pytest.mark.parametrize(
    ("title", "role"),
    [
        ("CEO", "ceo"),
        ("chief executive officer", "ceo"),
        ("president and chief executive officer", "ceo"),
        ("Chief Financial Officer", "cfo"),
        ("president and chief operating officer", "coo"),
        ("CTO", "cto"),
        ("chief information security officer", "ciso"),
        ("chief information officer", "cio"),
        ("Chief Marketing Officer", "cmo"),
        ("chief revenue officer", "cro"),
        ("chief product officer", "cpo"),
        ("chief people officer", "chro"),
        ("president", "president"),
        ("chairman of the board", "chair"),
        ("vice chairman", "chair"),
        ("board member", "board"),
        ("VP of marketing", "vp_marketing"),
        ("vice president of sales", "vp_sales"),
        ("VP of engineering", "vp_engineering"),
        ("head of marketing", "head_of_marketing"),
        ("head of sales", "head_of_sales"),
        ("country manager", "country_manager"),
        ("managing director", "other_exec"),
        ("general counsel", "other_exec"),
    ],
)
def test_roles(title: str, role: str) -> None:
    assert normalise_role(title) == role
    assert role in ROLES


def test_empty_title_has_no_role() -> None:
    assert normalise_role(None) is None
    assert normalise_role("  ") is None
