"""Job titles as written, normalised to the CONTRACT.md roles by the one normaliser (schemas.roles)
that the trigger detector, the SEC filings source, job-change rows and champion moves all use."""

from __future__ import annotations

import pytest

from schemas import ROLES
from schemas.roles import normalise_role

# Every title below is written for these tests.
NAMED = [
    # the C-level posts, spelled out and abbreviated
    ("Chief Executive Officer", "ceo"),
    ("Group Chief Executive", "ceo"),
    ("co-CEO", "ceo"),
    ("C.E.O.", "ceo"),
    ("Principal Executive Officer", "ceo"),
    ("Chief Financial Officer", "cfo"),
    ("Finance Director", "cfo"),
    ("principal financial officer", "cfo"),
    ("Chief Operating Officer", "coo"),
    ("Chief Operations Officer", "coo"),
    ("CTO", "cto"),
    ("Chief Technical Officer", "cto"),
    ("Chief Information Security Officer", "ciso"),
    ("Chief Security Officer", "ciso"),
    ("Chief Information Officer", "cio"),
    ("Chief Digital and Information Officer", "cio"),
    ("chief marketing officer", "cmo"),
    ("Chief Revenue Officer", "cro"),
    ("Chief Commercial Officer", "cro"),
    ("Chief Sales Officer", "cro"),
    ("Chief Product Officer", "cpo"),
    ("Chief People Officer", "chro"),
    ("Chief Human Resources Officer", "chro"),
    # a title naming several posts: the most senior one a seller acts on
    ("President and Chief Executive Officer", "ceo"),
    ("Chairwoman & CEO", "ceo"),
    ("Founder and CEO", "ceo"),
    ("President and Chief Operating Officer", "coo"),
    ("Senior Vice President and Chief Financial Officer", "cfo"),
    ("Director and Chief Technology Officer", "cto"),
    # VPs and heads with a function, the function before or after the post
    ("Vice President, Marketing", "vp_marketing"),
    ("Marketing VP", "vp_marketing"),
    ("SVP Brand", "vp_marketing"),
    ("VP, Demand Generation", "vp_marketing"),
    ("Vice-President of Demand Gen", "vp_marketing"),
    ("VP Growth Marketing", "vp_marketing"),
    ("VP of Product Marketing", "vp_marketing"),
    ("EVP, Sales and Marketing", "vp_marketing"),
    ("V.P. Sales", "vp_sales"),
    ("Senior Vice President, Sales, North America", "vp_sales"),
    ("VP Business Development", "vp_sales"),
    ("AVP Engineering", "vp_engineering"),
    ("Vice President of Research & Development", "vp_engineering"),
    ("VP, Technology", "vp_engineering"),
    ("Head of Demand Generation", "head_of_marketing"),
    ("Head of Growth", "head_of_marketing"),
    ("Head of Brand", "head_of_marketing"),
    ("Director of Product Marketing", "head_of_marketing"),
    ("Marketing Director", "head_of_marketing"),
    ("Senior Director, Growth Marketing", "head_of_marketing"),
    ("Marketing Lead", "head_of_marketing"),
    ("Head of Sales", "head_of_sales"),
    ("Sales Director, Benelux", "head_of_sales"),
    ("Director of Business Development", "head_of_sales"),
    # countries and regions
    ("Country Manager, Portugal", "country_manager"),
    ("Country Director Kenya", "country_manager"),
    ("General Manager, APAC", "country_manager"),
    ("Managing Director UK & Ireland", "country_manager"),
    ("Managing Director for the Nordics", "country_manager"),
    ("SVP and General Manager, Latin America", "country_manager"),
    ("Head of DACH", "country_manager"),
    # president, chair, board
    ("President", "president"),
    ("Co-Presidents", "president"),
    ("Chairman of the Board", "chair"),
    ("Non-Executive Chairwoman", "chair"),
    ("Vice Chair", "chair"),
    ("Chairman of the Board and Chair of the Nominating Committee", "chair"),
    ("Chair of the Audit Committee", "board"),
    ("Compensation Committee Chair", "board"),
    ("Member of the Board of Directors", "board"),
    ("Independent Director", "board"),
    ("Non-Executive Director", "board"),
    ("Director", "board"),
    ("Lead Independent Director", "board"),
    ("Trustee", "board"),
    # executive, but none of the named roles
    ("Executive Vice President, Operations", "other_exec"),
    ("Vice President", "other_exec"),
    ("VP Corporate Development", "other_exec"),
    ("Head of Growth Equity", "other_exec"),
    ("Head of Engineering", "other_exec"),
    ("Director of Engineering", "other_exec"),
    ("Managing Director", "other_exec"),
    ("Executive Director", "other_exec"),
    ("General Counsel", "other_exec"),
    ("Chief Legal Officer", "other_exec"),
    ("Chief of Staff to the CEO", "other_exec"),
    ("Co-Founder", "other_exec"),
    ("Managing Partner", "other_exec"),
    ("Treasurer", "other_exec"),
]


@pytest.mark.parametrize(("title", "role"), NAMED)
def test_a_title_gets_its_contract_role(title: str, role: str) -> None:
    assert role in ROLES
    assert normalise_role(title) == role
    # a title that is recognisably an executive's has the same role whoever holds it
    assert normalise_role(title, executive=False) == role


def test_every_contract_role_is_reachable() -> None:
    assert {role for _, role in NAMED} == set(ROLES)


@pytest.mark.parametrize(
    "title",
    [
        "Software Engineer",
        "Marketing Manager",
        "Account Executive",
        "Lead Sales Engineer",
        "Nurse",
        "Analyst",
    ],
)
def test_a_title_that_is_not_an_executives(title: str) -> None:
    # in an executive move the contract still wants a role ...
    assert normalise_role(title) == "other_exec"
    # ... but a CRM contact or a job-change row with this title is not an executive at all
    assert normalise_role(title, executive=False) is None


@pytest.mark.parametrize("title", [None, "", "   ", "&", "()"])
def test_an_empty_title_has_no_role(title: str | None) -> None:
    assert normalise_role(title) is None
    assert normalise_role(title, executive=False) is None
