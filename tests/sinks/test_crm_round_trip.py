"""Lists that go back into the CRM: real-shaped Salesforce (API names and report labels, 15- and
18-character ids) and HubSpot exports in, one row per account, people lists, and the
`buysignal export` formats out (CONTRACT.md "CRM round trip"; README "Export to your CRM")."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines.commands.cli import main
from schemas import Account, CampaignEntry, Contact, Match, Segment, TriggerEvent
from sinks.campaigns import PEOPLE_COLUMNS, build_entries, build_people
from sinks.store import Store
from sources.crm import read_accounts, read_contacts, salesforce_id_18

CASES = Path(__file__).resolve().parents[1] / "cases" / "crm"
AS_OF = datetime(2026, 11, 25, tzinfo=UTC)
POLAR, BRAMBLE, CLAY = "001Hs00001PoLaRIAV", "001Hs00002BrAmBIAV", "001Hs00003cLaYlIAK"


def event(n: int, type_: str, account: str | None, day: int, **fields: object) -> TriggerEvent:
    return TriggerEvent.model_validate(
        {
            "event_id": f"ev-{n}",
            "document_id": f"doc-{n}",
            "type": type_,
            "company": fields.pop("company", "Polar Signal"),
            "confidence": 0.9,
            "evidence": fields.pop("evidence", f"evidence {n}"),
            "published_at": datetime(2026, 11, day, 9, tzinfo=UTC)
            if day > 0
            else datetime(2026, 10, 1, tzinfo=UTC),
            "url": f"https://news.example/{n}",
            "account_id": account,
            **fields,
        }
    )


def polar_events() -> list[TriggerEvent]:
    return [
        event(
            1,
            "funding_round",
            POLAR,
            20,
            round="series_b",
            amount=32_000_000,
            currency="USD",
            investors=["Quietwater Capital", "Kinfolk Ventures"],
        ),  # fmt: skip
        event(
            2, "executive_hire", POLAR, 23, person="Jordan Ellis", title="VP Marketing", role="vp_marketing"
        ),
        event(3, "funding_round", POLAR, 0, round="seed", amount=4_000_000, currency="USD"),
        event(4, "funding_round", BRAMBLE, 18, company="Bramble Commerce", round="series_a"),
        event(
            5,
            "champion_joined",
            BRAMBLE,
            21,
            company="Bramble Commerce",
            person="Ava Clarke",
            title="Head of Growth Marketing",
            contact_id="003Hs00016AvAcLIAV",
            counterparty="Clay Labs",
        ),  # fmt: skip
    ]


SEGMENTS = [
    Segment(name="any_90d", days=90),
    Segment(name="funding_90d", types=["funding_round"], days=90, personas=["marketing", "demand gen"]),
    Segment(name="champions_90d", types=["champion_joined"], days=90, personas=["finance"]),
]


def lists(accounts: list[Account]) -> list[CampaignEntry]:
    return build_entries(polar_events(), {}, {a.account_id: a for a in accounts}, SEGMENTS, AS_OF)


# -- reading the exports ---------------------------------------------------------------------------


def test_salesforce_report_and_api_exports_give_the_same_18_character_ids() -> None:
    api, dead_api = read_accounts(CASES / "sf_accounts_api.csv")
    report, dead_report = read_accounts(CASES / "sf_accounts_report.csv")
    assert not dead_api and not dead_report
    assert [a.account_id for a in report] == [a.account_id for a in api] == [POLAR, BRAMBLE, CLAY]
    assert [a.domain for a in report] == [a.domain for a in api]
    assert report[0].owner == "Ana Ruiz" and api[0].owner == "005Hs000000AnaRIAA"
    contacts_api, _ = read_contacts(CASES / "sf_contacts_api.csv")
    contacts_report, _ = read_contacts(CASES / "sf_contacts_report.csv")
    by_id = {c.contact_id: c for c in contacts_api}
    for contact in contacts_report:
        assert len(contact.contact_id) == 18 and contact.contact_id in by_id  # case kept, checksum added
        assert contact.account_id == by_id[contact.contact_id].account_id


@pytest.mark.parametrize(
    ("short", "full"),
    [("001A0000006Vm9r", "001A0000006Vm9rIAC"), ("003Hs00011InGrD", "003Hs00011InGrDIAV")],
)
def test_salesforce_id_checksum(short: str, full: str) -> None:
    assert salesforce_id_18(short) == full
    assert salesforce_id_18(full) == full  # an 18-character id is left as it is
    assert salesforce_id_18("9001") == "9001"


# -- one row per account, and the people lists --------------------------------------------------------


@pytest.mark.parametrize("export", ["sf_accounts_api.csv", "sf_accounts_report.csv", "hs_companies.csv"])
def test_one_row_per_account_with_its_latest_event_count_and_fields(export: str) -> None:
    accounts, _ = read_accounts(CASES / export)
    if export.startswith("hs_"):  # HubSpot ids are its own: map the test's events onto them
        ids = {POLAR: "9001", BRAMBLE: "9002", CLAY: "9003"}
        events = [e.model_copy(update={"account_id": ids[e.account_id or ""]}) for e in polar_events()]
        entries = build_entries(events, {}, {a.account_id: a for a in accounts}, SEGMENTS, AS_OF)
        polar_id = "9001"
    else:
        entries = lists(accounts)
        polar_id = POLAR
    polar = {e.segment: e for e in entries if e.account_id == polar_id}
    assert sorted(e.segment for e in entries if e.account_id == polar_id) == ["any_90d", "funding_90d"]
    assert (polar["any_90d"].event_id, polar["any_90d"].trigger_count) == ("ev-2", 3)
    assert (polar["any_90d"].person, polar["any_90d"].title, polar["any_90d"].role) == (
        "Jordan Ellis",
        "VP Marketing",
        "vp_marketing",
    )
    funding = polar["funding_90d"]
    assert (funding.event_id, funding.trigger_count, funding.round, funding.amount, funding.currency) == (
        "ev-1",
        2,
        "series_b",
        32_000_000,
        "USD",
    )
    assert funding.investors == ["Quietwater Capital", "Kinfolk Ventures"]
    assert funding.domain == "polarsignal.example" and funding.account_name == "Polar Signal Inc."


@pytest.mark.parametrize("export", ["sf_contacts_api.csv", "sf_contacts_report.csv"])
def test_people_lists_follow_the_personas_and_name_the_champion(export: str) -> None:
    accounts, _ = read_accounts(CASES / "sf_accounts_api.csv")
    contacts, dead = read_contacts(CASES / export)
    assert not dead
    people = build_people(lists(accounts), contacts, SEGMENTS)
    names = {s.name: [(p.full_name, p.reason) for p in people if p.segment == s.name] for s in SEGMENTS}
    # personas ["marketing", "demand gen"]: the VP Marketing and the Demand Gen Manager, not the office manager
    assert ("Theo Nakamura", "persona") in names["funding_90d"]
    assert ("Ravi Shah", "persona") in names["funding_90d"]
    assert not any(name == "Maya Kovacs" for name, _ in names["funding_90d"])
    # no personas: everyone at the accounts
    assert {"Theo Nakamura", "Maya Kovacs", "Ravi Shah", "Lucas Meyer"} <= {n for n, _ in names["any_90d"]}
    # the champion is listed themself, whatever the personas say, with their CRM contact id
    assert names["champions_90d"] == [("Ava Clarke", "champion")]
    ava = next(p for p in people if p.segment == "champions_90d")
    assert (ava.contact_id, ava.email, ava.account_id) == ("003Hs00016AvAcLIAV", "ava@clay.example", BRAMBLE)


# -- the export command ------------------------------------------------------------------------------


def _stored(
    tmp_path: Path, accounts_file: str, contacts_file: str, events: list[TriggerEvent] | None = None
) -> str:
    url = f"sqlite:///{tmp_path / 'buysignal.db'}"
    accounts, _ = read_accounts(CASES / accounts_file)
    contacts, _ = read_contacts(CASES / contacts_file)
    entries = build_entries(
        events if events is not None else polar_events(),
        {},
        {a.account_id: a for a in accounts},
        SEGMENTS,
        AS_OF,
    )
    with Store(url) as store:
        store.upsert_contacts(contacts)
        store.replace_campaign_entries(
            entries, [s.name for s in SEGMENTS], people=build_people(entries, contacts, SEGMENTS)
        )
    return url


def _export(url: str, tmp_path: Path, *args: str) -> list[list[str]]:
    out = tmp_path / "export.csv"
    assert main(["export", *args, "--db", url, "-o", str(out)]) == 0
    return list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))


@pytest.mark.parametrize("contacts_file", ["sf_contacts_api.csv", "sf_contacts_report.csv"])
def test_salesforce_campaign_members(tmp_path: Path, contacts_file: str) -> None:
    url = _stored(tmp_path, "sf_accounts_report.csv", contacts_file)
    rows = _export(url, tmp_path, "funding_90d", "--format", "salesforce-campaign")
    header, body = rows[0], rows[1:]
    assert header[:3] == ["ContactId", "LeadId", "Status"]
    assert all(c.startswith("Buysignal_") and c.endswith("__c") for c in header[3:])
    members = {(r[0], r[1], r[2]) for r in body}
    assert ("003Hs00012ThEoNIAV", "", "Sent") in members  # Theo, 18 characters even from a report
    if contacts_file == "sf_contacts_api.csv":
        assert ("", "00QHs00017LeAdXMAV", "Sent") in members  # a lead goes in LeadId
    assert all(bool(r[0]) != bool(r[1]) for r in body)  # exactly one of ContactId / LeadId
    theo = next(dict(zip(header, r, strict=True)) for r in body if r[0] == "003Hs00012ThEoNIAV")
    assert (
        theo["Buysignal_Trigger__c"] == "funding_round" and theo["Buysignal_Trigger_Date__c"] == "2026-11-20"
    )
    with_campaign = _export(
        url, tmp_path, "funding_90d", "--format", "salesforce-campaign", "--campaign-id", "701Hs000001AbCdIAE",
        "--status", "Responded", "--dry-run",
    )  # fmt: skip
    assert with_campaign[0][:4] == ["CampaignId", "ContactId", "LeadId", "Status"]
    assert {r[0] for r in with_campaign[1:]} == {"701Hs000001AbCdIAE"} and with_campaign[1][3] == "Responded"


def test_hubspot_contacts_with_record_ids_from_a_hubspot_export(tmp_path: Path) -> None:
    ids = {POLAR: "9001", BRAMBLE: "9002", CLAY: "9003"}
    events = [e.model_copy(update={"account_id": ids[e.account_id or ""]}) for e in polar_events()]
    url = _stored(tmp_path, "hs_companies.csv", "hs_contacts.csv", events)
    rows = _export(url, tmp_path, "any_90d", "--format", "hubspot", "--list-name", "Q4 triggers")
    header, body = rows[0], rows[1:]
    assert header[:6] == ["Email", "First Name", "Last Name", "Company Domain Name", "Record ID", "List Name"]
    found = {r[4]: r for r in body}
    assert found["501"][:6] == [
        "theo@polarsignal.example",
        "Theo",
        "Nakamura",
        "polarsignal.example",
        "501",
        "Q4 triggers",
    ]
    assert (
        found["505"][0] == "" and found["505"][3] == "bramblecommerce.example"
    )  # no email: the Record ID identifies


def test_hubspot_from_salesforce_contacts_has_no_record_id_and_needs_an_email(tmp_path: Path) -> None:
    url = _stored(tmp_path, "sf_accounts_api.csv", "sf_contacts_api.csv")
    rows = _export(url, tmp_path, "any_90d", "--format", "hubspot")
    assert rows[1:] and all(r[4] == "" and r[0] for r in rows[1:])  # a Salesforce id is no HubSpot Record ID
    assert {r[5] for r in rows[1:]} == {"any_90d"}  # the list name defaults to the segment


def test_since_last_run_gives_only_the_rows_not_exported_before(tmp_path: Path) -> None:
    url = _stored(tmp_path, "sf_accounts_api.csv", "sf_contacts_api.csv")
    funding = _export(url, tmp_path, "funding_90d", "--format", "accounts", "--dry-run")
    assert [r[13:17] for r in funding[1:] if r[0] == POLAR] == [
        ["series_b", "32000000", "USD", "Quietwater Capital; Kinfolk Ventures"]
    ]  # round, amount (whole, as the event had it), currency, investors, read back from the store
    first = _export(url, tmp_path, "any_90d", "--format", "accounts")
    assert first[0][4] == "new" and {r[4] for r in first[1:]} == {"true"} and len(first) == 3
    assert _export(url, tmp_path, "any_90d", "--format", "accounts", "--since-last-run") == [first[0]]
    again = _export(url, tmp_path, "any_90d", "--format", "accounts")
    assert {r[4] for r in again[1:]} == {"false"}
    # A new trigger on Polar makes its row new again; Bramble's row is unchanged.
    newer = [*polar_events(), event(6, "layoffs", POLAR, 24)]
    url = _stored(tmp_path, "sf_accounts_api.csv", "sf_contacts_api.csv", newer)
    fresh = _export(url, tmp_path, "any_90d", "--format", "accounts", "--since-last-run")
    event_id = fresh[0].index("event_id")
    assert [(r[0], r[event_id]) for r in fresh[1:]] == [(POLAR, "ev-6")]
    # Formats are tracked apart: people were never exported, so all of them are new.
    people = _export(url, tmp_path, "any_90d", "--format", "people", "--since-last-run")
    assert people[0] == list(PEOPLE_COLUMNS) and len(people) > 1
    campaign = _export(url, tmp_path, "any_90d", "--format", "salesforce-campaign", "--since-last-run")
    assert len(campaign) == len(people)
    assert _export(url, tmp_path, "any_90d", "--format", "salesforce-campaign", "--since-last-run") == [
        campaign[0]
    ]


def test_contacts_are_plain_records_for_the_lists() -> None:
    # A contact without an account (a lead, in some exports) is never put on an account's people list.
    loose = Contact(contact_id="00QHs00017LeAdXMAV", full_name="Lena Park", title="Marketing Lead")
    accounts, _ = read_accounts(CASES / "sf_accounts_api.csv")
    assert not [
        p for p in build_people(lists(accounts), [loose], SEGMENTS) if p.contact_id == loose.contact_id
    ]


def test_every_list_and_export_row_says_why_its_account_matched(tmp_path: Path) -> None:
    # Polar's events were matched by name (its domain label); the champion's account is the contact's.
    why = "name is the domain polarsignal.example"
    matches = {
        e.event_id: Match(
            event_id=e.event_id,
            company=e.company,
            account_id=POLAR,
            score=95.0,
            method="domain_name",
            matched_by=why,
        )
        for e in polar_events()
        if e.account_id == POLAR
    }
    events = [
        e.model_copy(update={"account_id": None}) if e.account_id == POLAR else e for e in polar_events()
    ]
    accounts, _ = read_accounts(CASES / "sf_accounts_api.csv")
    contacts, _ = read_contacts(CASES / "sf_contacts_api.csv")
    entries = build_entries(events, matches, {a.account_id: a for a in accounts}, SEGMENTS, AS_OF)
    by_account = {(e.segment, e.account_id): e.matched_by for e in entries}
    assert by_account[("any_90d", POLAR)] == why
    assert by_account[("champions_90d", BRAMBLE)] == "CRM contact 003Hs00016AvAcLIAV"
    url = f"sqlite:///{tmp_path / 'buysignal.db'}"
    with Store(url) as store:
        store.upsert_contacts(contacts)
        store.replace_campaign_entries(
            entries, [s.name for s in SEGMENTS], people=build_people(entries, contacts, SEGMENTS)
        )
        assert {p.matched_by for p in store.campaign_people("funding_90d") if p.account_id == POLAR} == {why}

    listed = _export(url, tmp_path, "any_90d", "--format", "accounts", "--dry-run")
    assert {r[0]: r[listed[0].index("matched_by")] for r in listed[1:]}[POLAR] == why
    people = _export(url, tmp_path, "funding_90d", "--format", "people", "--dry-run")
    assert {
        r[people[0].index("matched_by")] for r in people[1:] if r[people[0].index("account_id")] == POLAR
    } == {why}
    members = _export(url, tmp_path, "funding_90d", "--format", "salesforce-campaign", "--dry-run")
    theo = dict(zip(members[0], next(r for r in members[1:] if r[0] == "003Hs00012ThEoNIAV"), strict=True))
    assert theo["Buysignal_Matched_By__c"] == why
    hubspot = _export(url, tmp_path, "funding_90d", "--format", "hubspot", "--dry-run")
    assert hubspot[0][-1] == "Trigger Matched By" and {r[-1] for r in hubspot[1:]} == {why}
