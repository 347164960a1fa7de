"""CRM CSV exports: Salesforce, HubSpot and plain layouts, encodings, broken rows, unknown headers."""

from __future__ import annotations

import logging
import os
from datetime import date
from pathlib import Path

import pytest

from schemas import Account, Contact, DeadLetter, Opportunity
from schemas.errors import ConfigError
from sources.crm import (
    AccountsCsvSource,
    ContactsCsvSource,
    OpportunitiesCsvSource,
    parse_amount,
    parse_bool,
    read_accounts,
    read_contacts,
    read_opportunities,
    stage_outcome,
)

CASES = Path(__file__).resolve().parents[1] / "cases" / "sources"
SHARED = Path(os.environ.get("BUYSIGNAL_SHARED", Path(__file__).resolve().parents[2] / ".." / "shared"))


# -- accounts -----------------------------------------------------------------------------------


def test_salesforce_accounts() -> None:
    accounts, dead = read_accounts(CASES / "accounts_salesforce.csv")
    assert not dead
    acme, globex, initech = accounts
    assert acme == Account(
        account_id="0015g00000AcmeAAA",
        name="Acme Robotics",
        domain="acmerobotics.io",  # the host of the Website cell
        owner="Dana Whitfield",  # the owner's name is preferred over OwnerId
        industry="Machinery",
        type="Customer",
        country="United States",
        aliases=["Acme Automation", "Acme Labs"],  # Former Name, split on ;
        extra={"NumberOfEmployees": "450"},  # unrecognised columns kept
    )
    assert globex.owner == "0055g000002"  # no owner name: OwnerId
    assert globex.domain == "globex.com" and globex.aliases == []
    assert initech.name == "Initech, Inc."  # quoted comma
    assert initech.aliases == ["Initrode", "Initech Systems"]  # split on |


def test_hubspot_accounts_with_bom() -> None:
    assert (CASES / "accounts_hubspot.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    accounts, dead = read_accounts(CASES / "accounts_hubspot.csv")
    assert not dead
    assert accounts[0].account_id == "9001"  # the BOM is not part of the "Record ID" header
    assert accounts[0].name == "Zürich Quantum AG"
    assert accounts[0].domain == "zurichquantum.ch"
    assert accounts[0].owner == "Lea Brandt" and accounts[0].country == "Switzerland"
    assert accounts[0].aliases == ["ZQ"] and accounts[0].extra == {"City": "Zürich"}


def test_plain_accounts_in_cp1252_are_decoded_and_the_fallback_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with pytest.raises(UnicodeDecodeError):
        (CASES / "accounts_plain.csv").read_bytes().decode("utf-8")
    with caplog.at_level(logging.WARNING):
        source = AccountsCsvSource(CASES / "accounts_plain.csv")
        accounts = [a for a in source.read() if isinstance(a, Account)]
    assert [a.name for a in accounts] == ["Café Société SARL", "Señor Taco Holdings", "Smart “Quotes” Ltd"]
    assert accounts[0].owner == "Renée Dubois" and accounts[0].aliases == ["Café Soc"]
    assert source.stats.encoding == "cp1252" and source.stats.layout == "plain"
    assert any("cp1252" in r.getMessage() and "accounts_plain.csv" in r.getMessage() for r in caplog.records)


def test_a_big_export_is_read_row_by_row_and_a_late_cp1252_byte_still_decides_the_encoding(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The encoding is decided over the whole file, read in blocks: one cp1252 byte two megabytes in
    # makes the whole file cp1252, and the first rows (plain ASCII) read the same either way.
    rows = "".join(f"p-{i},Plain Row {i} Ltd\n" for i in range(80_000))
    path = tmp_path / "accounts.csv"
    path.write_bytes(("account_id,name\n" + rows).encode() + "q-1,Caf\u00e9 Late SARL\n".encode("cp1252"))
    assert path.stat().st_size > 2 * 2**20
    with caplog.at_level(logging.WARNING):
        source = AccountsCsvSource(path)
        first = next(iter(source.read()))
        assert isinstance(first, Account) and first.account_id == "p-0"
        accounts, dead = read_accounts(path)
    assert not dead and len(accounts) == 80_001
    assert accounts[-1].name == "Café Late SARL"
    where = path.read_bytes().index(b"Caf\xe9") + 3
    assert any(f"offset {where})" in r.getMessage() for r in caplog.records)


def test_semicolon_separated_salesforce_report_headers() -> None:
    accounts, dead = read_accounts(CASES / "accounts_semicolon.csv")
    assert not dead
    assert accounts == [
        Account(
            account_id="001X",
            name="Müller Logistik GmbH",
            domain="mueller-logistik.de",
            owner="Anna Schmidt",
            country="Germany",
        )
    ]


def test_headers_are_case_and_space_insensitive(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text("  ACCOUNT ID ,Name\u00a0, DOMAIN\nx-1,Hooli,hooli.com\n", encoding="utf-8")
    accounts, dead = read_accounts(path)
    assert not dead and accounts[0].account_id == "x-1" and accounts[0].domain == "hooli.com"


def test_utf16_export(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_bytes("account_id\tname\r\nu-1,\tÅngström AB\r\n".replace(",", "").encode("utf-16"))
    accounts, dead = read_accounts(path)
    assert not dead and accounts[0].name == "Ångström AB"


def test_broken_rows_become_dead_letters_and_the_rest_load() -> None:
    source = AccountsCsvSource(CASES / "accounts_broken_rows.csv")
    items = list(source.read())
    accounts = [i for i in items if isinstance(i, Account)]
    dead = [i for i in items if isinstance(i, DeadLetter)]
    assert [a.account_id for a in accounts] == ["b-1", "b-5"]
    assert len(dead) == 3
    assert all(d.stage == "source" and d.component == "crm:accounts_broken_rows.csv" for d in dead)
    too_many, no_id, no_name = dead
    assert "line 3" in too_many.error and "5 fields" in too_many.error and "Fields" in too_many.payload
    assert "line 4" in no_id.error and "account id" in no_id.error and "No Id Company" in no_id.payload
    assert "line 5" in no_name.error and "name" in no_name.error
    assert source.stats.rows == 5 and source.stats.records == 2 and source.stats.dead_letters == 3


def test_unknown_headers_are_a_config_error_naming_what_was_expected() -> None:
    with pytest.raises(ConfigError) as caught:
        read_accounts(CASES / "accounts_unknown_headers.csv")
    message = str(caught.value)
    assert "accounts_unknown_headers.csv" in message
    assert "Customer, Web, Rep" in message  # what was found
    for expected in (
        "Salesforce",
        "Id, Name",
        "HubSpot",
        "Record ID, Company name",
        "plain",
        "account_id, name",
    ):
        assert expected in message


def test_missing_and_empty_files_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        read_accounts(tmp_path / "nope.csv")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(ConfigError, match="empty"):
        read_accounts(tmp_path / "empty.csv")


def test_a_contacts_file_is_not_taken_for_opportunities_or_accounts() -> None:
    with pytest.raises(ConfigError, match="crm_opportunities"):
        read_opportunities(CASES / "contacts_hubspot.csv")
    with pytest.raises(ConfigError, match="looks like a contacts export"):
        read_accounts(CASES / "contacts_salesforce.csv")


@pytest.mark.skipif(
    not (SHARED / "devdata" / "accounts_sec_dev.csv").exists(), reason="shared dev data absent"
)
def test_dev_accounts_export_loads() -> None:
    path = SHARED / "devdata" / "accounts_sec_dev.csv"
    data_rows = sum(1 for line in path.read_text(encoding="utf-8").splitlines()[1:] if line.strip())
    accounts, dead = read_accounts(path)
    assert len(accounts) + len(dead) == data_rows
    assert len(accounts) > 0.99 * data_rows
    assert all(a.account_id.startswith("CIK") for a in accounts)


# -- contacts -----------------------------------------------------------------------------------


def test_salesforce_contacts() -> None:
    contacts, dead = read_contacts(CASES / "contacts_salesforce.csv")
    assert not dead
    jane, raj = contacts
    assert jane == Contact(
        contact_id="0035g001",
        first_name="Jane",
        last_name="Doe",
        full_name="Jane Doe",
        email="jane.doe@acmerobotics.io",
        title="VP Marketing",
        account_id="0015g00000AcmeAAA",
        company="Acme Robotics",
        owner="0055g000001",
    )
    assert raj.full_name == "Raj Patel"  # empty Name: built from first and last name


def test_hubspot_contacts_and_a_nameless_row() -> None:
    contacts, dead = read_contacts(CASES / "contacts_hubspot.csv")
    assert [c.full_name for c in contacts] == ["Lea Fischer"]
    assert contacts[0].company == "Zürich Quantum AG" and contacts[0].account_id == "9001"
    assert contacts[0].title == "Head of Sales" and contacts[0].owner == "Lea Brandt"
    assert len(dead) == 1 and "line 3" in dead[0].error and "no name" in dead[0].error


def test_plain_contacts_cp1252() -> None:
    contacts, dead = read_contacts(CASES / "contacts_plain.csv")
    assert not dead and contacts[0].full_name == "Renée Dubois" and contacts[0].title == "Gérante"


# -- opportunities ------------------------------------------------------------------------------


def test_salesforce_opportunities_and_a_bad_amount() -> None:
    opportunities, dead = read_opportunities(CASES / "opportunities_salesforce.csv")
    won, open_ = opportunities
    assert won == Opportunity(
        opportunity_id="0065g001",
        account_id="0015g00000AcmeAAA",
        name="Acme - Fleet expansion",
        stage="Closed Won",
        amount=125000.0,
        created_date=date(2025, 1, 15),
        close_date=date(2025, 3, 31),
        is_won=True,
        is_closed=True,
        owner="0055g000001",
    )
    assert open_.is_won is False and open_.is_closed is False
    assert len(dead) == 1 and "amount" in dead[0].error and "not-a-number" in dead[0].error


def test_hubspot_deals_derive_outcome_from_stage() -> None:
    deals, dead = read_opportunities(CASES / "deals_hubspot.csv")
    won, lost = deals
    assert won.is_won is True and won.is_closed is True and won.amount == 48000
    assert won.account_id == "9001"  # first of "9001;9002"
    assert won.close_date == date(2025, 4, 30) and won.created_date == date(2025, 1, 10)
    assert lost.is_won is False and lost.is_closed is True
    assert lost.close_date == date(2025, 4, 15)  # US-style 04/15/2025
    assert len(dead) == 1 and "created_date" in dead[0].error and "2025-13-45" in dead[0].error


def test_plain_opportunities() -> None:
    opportunities, dead = read_opportunities(CASES / "opportunities_plain.csv")
    assert not dead
    catering, rollout = opportunities
    assert catering.amount == 1234.5 and catering.is_won is True and catering.is_closed is True
    assert rollout.amount is None and rollout.is_won is False and rollout.is_closed is False
    assert rollout.close_date is None


@pytest.mark.parametrize(
    ("stage", "outcome"),
    [
        ("Closed Won", (True, True)),
        ("closedwon", (True, True)),
        ("Closed Lost", (False, True)),
        ("closedlost", (False, True)),
        ("Negotiation/Review", (False, False)),
        (None, (None, None)),
    ],
)
def test_stage_outcome(stage: str | None, outcome: tuple[bool | None, bool | None]) -> None:
    assert stage_outcome(stage) == outcome


@pytest.mark.parametrize(
    ("cell", "amount"),
    [
        ("25000", 25000),
        ("25,000.00", 25000),
        ("$1,234,567", 1234567),
        ("1.234,56 €", 1234.56),
        ("EUR 99,5", 99.5),
    ],
)
def test_parse_amount(cell: str, amount: float) -> None:
    assert parse_amount(cell) == pytest.approx(amount)


@pytest.mark.parametrize("cell", ["n/a", "12abc", "nan", "inf"])
def test_parse_amount_rejects(cell: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(cell)


def test_parse_bool() -> None:
    assert parse_bool("TRUE") is True and parse_bool("0") is False and parse_bool(" yes ") is True
    with pytest.raises(ValueError):
        parse_bool("maybe")


def test_sources_have_their_registered_names() -> None:
    assert AccountsCsvSource.name == "crm_accounts"
    assert ContactsCsvSource.name == "crm_contacts"
    assert OpportunitiesCsvSource.name == "crm_opportunities"


# -- report footers -----------------------------------------------------------------------------

SALESFORCE_FOOTER = [
    "Total",
    "Confidential Information - Do Not Distribute",
    "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.",
    "Generated By:  Jane Doe  12/2/2026 9:15 AM",
    "Acme Corp",
]


def test_a_salesforce_report_export_footer_is_skipped_without_dead_letters() -> None:
    # Report labels, 15-character ids, every cell quoted, and the footer a report export ends with.
    source = AccountsCsvSource(CASES / "accounts_salesforce_report.csv")
    items = list(source.read())
    accounts = [i for i in items if isinstance(i, Account)]
    dead = [i for i in items if isinstance(i, DeadLetter)]
    # read as their 18-character forms, as Data Loader writes them
    assert [a.account_id for a in accounts] == [
        "001Hs00000ClAyLIAV",
        "001Hs00000GlEaNIAV",
        "001Hs00000InFoRIAV",
        "001Hs00000MeRiDIAV",
        "001Hs00000MeRiCIAV",
    ]
    assert accounts[0].name == "Clay Labs, Inc." and accounts[0].domain == "clay.com"
    assert accounts[0].owner == "Jane Doe"
    # the broken row in the middle is still reported; none of the footer's five lines is
    assert len(dead) == 1 and "line 5" in dead[0].error and "3 fields" in dead[0].error
    assert source.stats.footer_rows == 5 and source.stats.dead_letters == 1


def test_an_api_name_export_with_18_character_ids_loads_whole() -> None:
    accounts, dead = read_accounts(CASES / "accounts_salesforce_api.csv")
    assert not dead
    assert [len(a.account_id) for a in accounts] == [18] * 7
    assert accounts[0].account_id == "001Hs00000ClAyLIAV" and accounts[3].name == "Salesforce, Inc."


def test_a_hubspot_companies_export_with_trailing_blank_lines_has_no_dead_letters() -> None:
    source = AccountsCsvSource(CASES / "accounts_hubspot_companies.csv")
    accounts = [i for i in source.read() if isinstance(i, Account)]
    assert [a.account_id for a in accounts] == ["5301", "5302", "5303"]
    assert source.stats.dead_letters == 0 and source.stats.footer_rows == 0
    assert accounts[0].domain == "vanta.com"


def test_a_footer_resaved_by_a_spreadsheet_is_still_recognised(tmp_path: Path) -> None:
    # Excel pads every line to the header's width: ",,," after each footer line, blank lines as commas.
    lines = [
        "Account ID,Account Name,Website,Account Owner",
        "001Hs00000ClAyL,Clay Labs,clay.com,Jane Doe",
        ",,,",
    ]
    lines += [f'"{line}",,,' for line in SALESFORCE_FOOTER]
    path = tmp_path / "report.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    source = AccountsCsvSource(path)
    items = list(source.read())
    assert [i.account_id for i in items if isinstance(i, Account)] == ["001Hs00000ClAyLIAV"]
    assert not [i for i in items if isinstance(i, DeadLetter)] and source.stats.footer_rows == 5


@pytest.mark.parametrize(
    "tail",
    [
        ["", "Not a footer at all"],  # after a blank line, but no line of a known form
        ["Total"],  # a known form, but not after a blank line
        ["", "Total", "001Hs00000GlEaN,Glean,glean.com,Jane Doe"],  # a record follows: not the end
    ],
)
def test_only_a_real_footer_is_skipped(tmp_path: Path, tail: list[str]) -> None:
    lines = ["Account ID,Account Name,Website,Account Owner", "001Hs00000ClAyL,Clay Labs,clay.com,Jane Doe"]
    path = tmp_path / "accounts.csv"
    path.write_text("\n".join(lines + tail) + "\n", encoding="utf-8")
    source = AccountsCsvSource(path)
    dead = [i for i in source.read() if isinstance(i, DeadLetter)]
    assert source.stats.footer_rows == 0
    assert len(dead) == 1 and "1 fields" in dead[0].error  # the short row is reported, not dropped


@pytest.mark.parametrize(
    ("line", "footer"),
    [
        ("Total", True),
        ("Grand Totals (1,204 records)", True),
        ("Confidential Information - Do Not Distribute", True),
        ("Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.", True),
        ("Generated By:  Jane Doe  12/2/2026 9:15 AM", True),
        ("Acme Corp", False),  # the organisation's name: part of a footer only beside known lines
        ("Total Wine & More", False),  # an account name that starts like a footer line
        ("Generated Biomedicine", False),
    ],
)
def test_footer_lines(line: str, footer: bool) -> None:
    from sources.tabular import is_footer_line

    assert is_footer_line([line]) is footer
    assert is_footer_line([line, "", ""]) is footer
    assert not is_footer_line([line, "second cell"])


# -- dates: one day/month order per file ----------------------------------------------------------


def _deals(tmp_path: Path, *close_dates: str) -> Path:
    path = tmp_path / "deals.csv"
    rows = [f"o-{i},a-1,Deal {i},Closed Won,{d}" for i, d in enumerate(close_dates)]
    path.write_text("opportunity_id,account_id,name,stage,close_date\n" + "\n".join(rows) + "\n")
    return path


def test_a_uk_export_reads_every_date_day_first(tmp_path: Path) -> None:
    notes: list[str] = []
    deals, dead = read_opportunities(_deals(tmp_path, "25/12/2026", "03/04/2026"), notes=notes)
    assert not dead and not notes
    assert [d.close_date for d in deals] == [date(2026, 12, 25), date(2026, 4, 3)]  # 3 April, not 4 March


def test_a_us_export_reads_every_date_month_first(tmp_path: Path) -> None:
    deals, dead = read_opportunities(_deals(tmp_path, "03/04/2026", "12/25/2026"))
    assert not dead
    assert [d.close_date for d in deals] == [date(2026, 3, 4), date(2026, 12, 25)]


def test_a_file_no_date_can_tell_is_read_month_first_and_says_it_guessed(tmp_path: Path) -> None:
    notes: list[str] = []
    deals, _ = read_opportunities(_deals(tmp_path, "03/04/2026", "05/06/2026", "2026-07-08"), notes=notes)
    assert [d.close_date for d in deals] == [date(2026, 3, 4), date(2026, 5, 6), date(2026, 7, 8)]
    (note,) = notes
    assert "deals.csv" in note and "a guess" in note and "month first" in note and "YYYY-MM-DD" in note


def test_a_date_written_the_other_way_round_is_a_dead_letter_not_a_wrong_date(tmp_path: Path) -> None:
    notes: list[str] = []
    deals, dead = read_opportunities(
        _deals(tmp_path, "25/12/2026", "30/11/2026", "12/31/2026", "03/04/2026"), notes=notes
    )
    assert [d.close_date for d in deals] == [date(2026, 12, 25), date(2026, 11, 30), date(2026, 4, 3)]
    assert len(dead) == 1 and "12/31/2026" in dead[0].error and "day first" in dead[0].error
    assert len(notes) == 1 and "refused" in notes[0]
