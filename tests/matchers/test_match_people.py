"""ContactIndex (nicknames, initials, diacritics, company agreement) and champion events."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from matchers import (
    AccountIndex,
    ContactIndex,
    champion_events,
    is_churn_risk,
    job_change_text,
    parse_person_name,
)
from schemas import Account, Contact, Document, JobChange, TriggerEvent

ACCOUNTS = [
    Account(account_id="A-ACME", name="Acme Corp", type="Customer"),
    Account(account_id="A-BETA", name="Beta Systems GmbH", type="Prospect"),
    Account(account_id="A-GAMMA", name="Gamma Analytics Ltd", aliases=["Gamma Labs"]),
]
CONTACTS = [
    Contact(
        contact_id="C-ROB",
        first_name="Robert",
        last_name="Núñez",
        full_name="Robert Núñez",
        account_id="A-ACME",
    ),
    Contact(contact_id="C-KATE", full_name="Katherine M. O'Neil", account_id="A-BETA"),
    Contact(contact_id="C-JQ", full_name="John Q. Public", account_id="A-ACME"),
    Contact(contact_id="C-JR", full_name="John R. Public", account_id="A-BETA"),
    Contact(
        contact_id="C-LIZ",
        first_name="Elizabeth",
        last_name="García Márquez",
        full_name="Elizabeth García Márquez",
        account_id="A-GAMMA",
    ),
    Contact(contact_id="C-NOACC", full_name="Wanda Free", company="Delta Widgets Inc"),
]


@pytest.fixture(scope="module")
def contacts() -> ContactIndex:
    return ContactIndex.build(CONTACTS, ACCOUNTS)


@pytest.fixture(scope="module")
def accounts() -> AccountIndex:
    return AccountIndex.build(ACCOUNTS)


@pytest.mark.parametrize(
    ("written", "first", "last", "middle"),
    [
        ("Dr. José Núñez", "jose", "nunez", ()),
        ("Núñez, Robert", "robert", "nunez", ()),
        ("John Q. Public Jr.", "john", "public", ("q",)),
        ("Ludwig van Beethoven", "ludwig", "van beethoven", ()),
        ("Mary-Jane Watson-Parker, PhD", "maryjane", "watson parker", ()),
    ],
)
def test_parse_person_name(written: str, first: str, last: str, middle: tuple[str, ...]) -> None:
    parsed = parse_person_name(written)
    assert parsed is not None and (parsed.first, parsed.last, parsed.middle) == (first, last, middle)


@pytest.mark.parametrize(
    ("name", "company", "expected"),
    [
        ("Bob Nunez", "Acme Inc.", "C-ROB"),  # nickname + missing diacritics + suffix variant
        ("Robert Núñez", "ACME CORPORATION", "C-ROB"),
        ("Rob Núñez", "Acme", "C-ROB"),
        ("Kate O'Neil", "Beta Systems", "C-KATE"),
        ("Katherine Oneil", "Beta Systems AG", "C-KATE"),
        ("K. O'Neil", "Beta Systems", "C-KATE"),  # initial, but the company agrees
        ("Liz Marquez", "Gamma Labs", "C-LIZ"),  # nickname, one part of a double last name, alias
        ("Elizabeth Garcia-Marquez", "Gamma Analytics", "C-LIZ"),
        ("John Q Public", "Acme", "C-JQ"),
        ("John R. Public", "Beta Systems", "C-JR"),
        ("Wanda Free", "Delta Widgets", "C-NOACC"),  # contact without account: its company field
    ],
)
def test_match_person_with_company(contacts: ContactIndex, name: str, company: str, expected: str) -> None:
    found = contacts.match_person(name, company=company)
    assert found is not None and found.contact.contact_id == expected
    assert found.method == "name_company" and 80 <= found.score <= 100


def test_nicknames_come_from_the_dataset_and_the_extra_pairs() -> None:
    ginny = Contact(contact_id="C-VIRGINIA", full_name="Virginia Aldous", account_id="A-ACME")
    paco = Contact(contact_id="C-FRANCISCO", full_name="Francisco Ybarra", account_id="A-BETA")
    index = ContactIndex.build([ginny, paco], ACCOUNTS)
    found = index.match_person("Ginny Aldous", company="Acme")  # from the `nicknames` dataset
    assert found is not None and found.contact.contact_id == "C-VIRGINIA"
    found = index.match_person("Paco Ybarra", company="Beta Systems")  # from data/nicknames-extra.csv
    assert found is not None and found.contact.contact_id == "C-FRANCISCO"


def test_match_person_by_account_id(contacts: ContactIndex) -> None:
    found = contacts.match_person("Bobby Nunez", account_id="A-ACME")
    assert found is not None and (found.contact.contact_id, found.method) == ("C-ROB", "name_account")


@pytest.mark.parametrize(
    ("name", "company"),
    [
        ("Bob Nunez", "Beta Systems"),  # a namesake at another company
        ("John Q. Public", "Beta Systems"),  # middle initial disagrees with the Beta contact
        ("Roberta Nunez", "Acme"),  # not a nickname of Robert
        ("Robert Smith", "Acme"),
    ],
)
def test_match_person_rejects(contacts: ContactIndex, name: str, company: str) -> None:
    assert contacts.match_person(name, company=company) is None


def test_name_only_needs_unique_and_strong(contacts: ContactIndex) -> None:
    found = contacts.match_person("Bob Núñez")
    assert found is not None and (found.contact.contact_id, found.method) == ("C-ROB", "name_only")
    assert found.score < 100  # never as sure as with the company
    assert contacts.match_person("John Public") is None  # two contacts fit
    assert contacts.match_person("R. Nunez") is None  # an initial alone is not strong


def test_champion_events_from_an_executive_hire(contacts: ContactIndex, accounts: AccountIndex) -> None:
    doc = Document(
        id="doc-9",
        title="Beta Systems names Bob Nunez CFO",
        text="Beta Systems GmbH said Bob Nunez, previously finance chief at Acme, joins as Chief Financial Officer.",
        published_at=datetime(2026, 11, 20, tzinfo=UTC),
        url="https://example.org/beta",
        source="news",
    )
    hire = TriggerEvent(
        event_id="e-1",
        document_id="doc-9",
        type="executive_hire",
        company="Beta Systems",
        person="Bob Nunez",
        title="CFO",
        role="cfo",
        confidence=0.9,
        evidence="Beta Systems names Bob Nunez CFO",
    )
    events = champion_events(
        person="Bob Nunez",
        new_company="Beta Systems",
        previous_company=None,
        title="CFO",
        role="cfo",
        document=doc,
        source_event=hire,
        contacts=contacts,
        accounts=accounts,
        account_map={a.account_id: a for a in ACCOUNTS},
    )
    left, joined = events
    assert (left.type, left.company, left.account_id, left.contact_id) == (
        "champion_left",
        "Acme Corp",
        "A-ACME",
        "C-ROB",
    )
    assert (joined.type, joined.company, joined.account_id) == ("champion_joined", "Beta Systems", "A-BETA")
    for e in events:
        assert e.evidence in doc.content and "Nunez" in e.evidence
        assert e.role == "cfo" and e.person == "Bob Nunez" and e.published_at == doc.published_at
        assert 0 < e.confidence < hire.confidence  # a name-only contact match lowers it
    assert left.event_id == TriggerEvent.make_id("doc-9", "champion_left", "C-ROB")
    assert is_churn_risk(left, accounts) and not is_churn_risk(joined, accounts)
    # the same input gives the same ids (stable fingerprints)
    again = champion_events(
        person="Bob Nunez",
        new_company="Beta Systems",
        previous_company=None,
        title="CFO",
        role="cfo",
        document=doc,
        source_event=hire,
        contacts=contacts,
        accounts=accounts,
    )
    assert [e.event_id for e in again] == [e.event_id for e in events]


def test_champion_events_from_a_job_change(contacts: ContactIndex, accounts: AccountIndex) -> None:
    change = JobChange(
        id="jc-1",
        person="Kate O'Neil",
        new_title="VP Sales",
        new_company="Omega Robotics",
        previous_company="Beta Systems",
    )
    left, joined = champion_events(
        change.person,
        change.new_company,
        change.previous_company,
        title=change.new_title,
        job_change=change,
        contacts=contacts,
        accounts=accounts,
    )
    text = job_change_text(change)
    assert (left.company, left.account_id, left.role) == ("Beta Systems GmbH", "A-BETA", "vp_sales")
    assert (joined.company, joined.account_id) == ("Omega Robotics", None)  # not in the CRM
    assert left.evidence in text and joined.evidence in text
    assert left.document_id == "jc-1" and not is_churn_risk(left, accounts)  # Beta is a prospect


@pytest.mark.parametrize(
    ("person", "new_company", "previous_company"),
    [
        ("Bob Nunez", "Acme Corporation", None),  # promoted at the same account: no move
        ("Bob Nunez", "ACME", "Acme Corp"),
        ("Zed Nobody", "Beta Systems", "Acme"),  # not a contact
        ("Bob Nunez", "Beta Systems", "Gamma Analytics"),  # the post's old company is not the contact's
        ("John Public", "Gamma Analytics", None),  # two contacts of that name, no company to tell
        ("Bob Nunez", None, "Acme"),  # no new company known
    ],
)
def test_no_champion_events(
    contacts: ContactIndex,
    accounts: AccountIndex,
    person: str,
    new_company: str | None,
    previous_company: str | None,
) -> None:
    change = JobChange(id="jc-x", person=person, new_company=new_company, previous_company=previous_company)
    assert (
        champion_events(
            person, new_company, previous_company, job_change=change, contacts=contacts, accounts=accounts
        )
        == []
    )
