"""CRM exports (accounts, contacts, opportunities) as records, from Salesforce, HubSpot or plain CSV.

Columns are recognised by the headers each CRM's export writes (case, spacing and underscores don't
matter), so a file exported with default settings loads without a mapping file. A file whose
headers fit no layout is a ConfigError that lists what was found and what each layout expects; a
broken row becomes a DeadLetter and the rest of the file loads.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, overload
from urllib.parse import urlparse

from pydantic import ValidationError

from schemas import Account, Contact, DeadLetter, Opportunity, nul_fields
from schemas.errors import ConfigError
from sources.base import SourceItem
from sources.tabular import CsvExport, DateOrder, iter_rows, normalise_header, read_export

__all__ = [
    "ACCOUNT_LAYOUTS",
    "CONTACT_LAYOUTS",
    "OPPORTUNITY_LAYOUTS",
    "AccountsCsvSource",
    "ContactsCsvSource",
    "CsvReadStats",
    "OpportunitiesCsvSource",
    "read_accounts",
    "read_contacts",
    "read_opportunities",
    "salesforce_id_18",
]

log = logging.getLogger("buysignal.sources.crm")

# Per kind, per CRM: record field -> the export headers that carry it, most specific first. The
# first two fields of each layout identify it (shown in the "unrecognised headers" error).
Layouts = dict[str, dict[str, list[str]]]

_ALIAS_HEADERS = ["aliases", "Alias", "Former Name", "Former Names", "AKA", "Also Known As", "DBA Name"]

ACCOUNT_LAYOUTS: Layouts = {
    "Salesforce": {
        "account_id": ["Id", "Account ID"],
        "name": ["Name", "Account Name"],
        "domain": ["Website"],
        "owner": ["Owner", "Account Owner", "Owner Name", "OwnerId"],
        "industry": ["Industry"],
        "type": ["Type"],
        "country": ["BillingCountry", "Billing Country", "ShippingCountry", "Shipping Country"],
        "territory": ["Territory", "Sales Territory"],
        "aliases": _ALIAS_HEADERS,
    },
    "HubSpot": {
        "account_id": ["Record ID", "Company ID"],
        "name": ["Company name"],
        "domain": ["Company Domain Name", "Website URL"],
        "owner": ["Company owner", "HubSpot Owner"],
        "industry": ["Industry"],
        "type": ["Type"],
        "country": ["Country/Region", "Country"],
        "territory": ["Territory"],
        "aliases": _ALIAS_HEADERS,
    },
    "plain": {
        "account_id": ["account_id"],
        "name": ["name", "company", "company_name"],
        "domain": ["domain", "website"],
        "owner": ["owner"],
        "industry": ["industry"],
        "type": ["type", "account_type"],
        "country": ["country"],
        "territory": ["territory"],
        "aliases": _ALIAS_HEADERS,
    },
}

CONTACT_LAYOUTS: Layouts = {
    "Salesforce": {
        "contact_id": ["Id", "Contact ID"],
        "full_name": ["Name", "Full Name"],
        "first_name": ["FirstName", "First Name"],
        "last_name": ["LastName", "Last Name"],
        "email": ["Email"],
        "title": ["Title"],
        "account_id": ["AccountId", "Account ID"],
        "company": ["Account Name", "Account.Name"],
        "owner": ["Owner", "Contact Owner", "OwnerId"],
    },
    "HubSpot": {
        "contact_id": ["Record ID"],
        "first_name": ["First Name"],
        "last_name": ["Last Name"],
        "email": ["Email"],
        "title": ["Job Title"],
        "account_id": ["Associated Company ID", "Associated Company IDs", "Company ID"],
        "company": ["Associated Company", "Company Name"],
        "owner": ["Contact owner", "HubSpot Owner"],
    },
    "plain": {
        "contact_id": ["contact_id"],
        "full_name": ["full_name", "name"],
        "first_name": ["first_name"],
        "last_name": ["last_name"],
        "email": ["email"],
        "title": ["title", "job_title"],
        "account_id": ["account_id"],
        "company": ["company", "account_name"],
        "owner": ["owner"],
    },
}

OPPORTUNITY_LAYOUTS: Layouts = {
    "Salesforce": {
        "opportunity_id": ["Id", "Opportunity ID"],
        "name": ["Name", "Opportunity Name"],
        "account_id": ["AccountId", "Account ID"],
        "stage": ["StageName", "Stage"],
        "amount": ["Amount"],
        "close_date": ["CloseDate", "Close Date"],
        "created_date": ["CreatedDate", "Created Date"],
        "is_won": ["IsWon", "Won"],
        "is_closed": ["IsClosed", "Closed"],
        "owner": ["Owner", "Opportunity Owner", "OwnerId"],
    },
    "HubSpot": {
        "opportunity_id": ["Record ID", "Deal ID"],
        "name": ["Deal Name"],
        "account_id": ["Associated Company IDs", "Associated Company ID", "Company ID"],
        "stage": ["Deal Stage"],
        "amount": ["Amount", "Amount in company currency"],
        "close_date": ["Close Date"],
        "created_date": ["Create Date"],
        "is_won": ["Is Closed Won"],
        "is_closed": ["Is Deal Closed?", "Is Closed"],
        "owner": ["Deal owner", "HubSpot Owner"],
    },
    "plain": {
        "opportunity_id": ["opportunity_id", "deal_id"],
        "name": ["name"],
        "account_id": ["account_id"],
        "stage": ["stage"],
        "amount": ["amount"],
        "close_date": ["close_date"],
        "created_date": ["created_date"],
        "is_won": ["is_won"],
        "is_closed": ["is_closed"],
        "owner": ["owner"],
    },
}


_PERSON_HEADERS = {"firstname", "first name", "lastname", "last name", "email", "job title"}


@dataclass
class CsvReadStats:
    """What reading one export did, for the CLI to print."""

    path: str
    layout: str | None = None
    encoding: str | None = None
    rows: int = 0
    records: int = 0
    dead_letters: int = 0
    footer_rows: int = 0  # a report footer's lines, recognised and skipped (not records)
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what a person should know, e.g. a guessed date order


class _RowError(ValueError):
    """A row that can't become a record; the message names the field and the fix."""


@dataclass(frozen=True)
class _ColumnMap:
    layout: str
    columns: dict[str, list[str]]  # field -> headers present in the file, in preference order
    unmapped: list[str]  # headers that fill no field


def _map_columns(kind: str, layouts: Layouts, header: list[str], path: Path) -> _ColumnMap:
    present = {normalise_header(h): h for h in reversed(header) if h.strip()}  # first of duplicates wins
    columns: dict[str, list[str]] = {}
    for fields in layouts.values():
        for field_name, names in fields.items():
            for name in names:
                actual = present.get(normalise_header(name))
                if actual is not None and actual not in columns.setdefault(field_name, []):
                    columns[field_name].append(actual)
    columns = {k: v for k, v in columns.items() if v}
    if not _identifies(kind, columns):
        found = ", ".join(h for h in header if h.strip()) or "(none)"
        expected = "\n".join(
            f"  {layout}: {', '.join(f[k][0] for k in list(f)[:2])}"
            f" (optional: {', '.join(v[0] for v in list(f.values())[2:])})"
            for layout, f in layouts.items()
        )
        raise ConfigError(
            f"crm_{kind}: can't recognise the columns of {path}.\n"
            f"Found: {found}\n"
            f"Expected one of these layouts (case, spaces and underscores don't matter):\n{expected}\n"
            f"Rename the columns or re-export from your CRM with its default {kind} columns."
        )
    normalised = {normalise_header(h) for h in header}
    if kind == "accounts" and len(normalised & _PERSON_HEADERS) >= 2:
        # Salesforce contacts also have "Id" and "Name": loading them as accounts would be silent nonsense.
        raise ConfigError(
            f"crm_accounts: {path} looks like a contacts export (it has "
            f"{', '.join(h for h in header if normalise_header(h) in _PERSON_HEADERS)}); "
            "pass the accounts (companies) export here and the contacts file as contacts"
        )
    layout = max(
        layouts,
        key=lambda name: sum(
            normalise_header(n) in normalised for names in layouts[name].values() for n in names
        ),
    )
    used = {h for hs in columns.values() for h in hs}
    unmapped = [h for h in header if h not in used and h.strip()]
    return _ColumnMap(layout=layout, columns=columns, unmapped=unmapped)


def _identifies(kind: str, columns: dict[str, list[str]]) -> bool:
    if kind == "accounts":
        return "account_id" in columns and "name" in columns
    if kind == "contacts":
        return "contact_id" in columns and bool({"full_name", "first_name", "last_name"} & set(columns))
    # Every HubSpot object has a "Record ID": a deal is told apart by its name or stage.
    return "opportunity_id" in columns and bool({"name", "stage"} & set(columns))


def _value(row: dict[str, str], cmap: _ColumnMap, field_name: str) -> str | None:
    for header in cmap.columns.get(field_name, ()):
        value = row.get(header, "").strip()
        if value:
            return value
    return None


class _CrmCsvSource:
    """Shared reading loop: decode, recognise the layout, turn each row into a record or a DeadLetter."""

    name: ClassVar[str]
    kind: ClassVar[str]
    layouts: ClassVar[Layouts]
    date_fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.stats = CsvReadStats(path=str(self.path))
        self.date_order = DateOrder()

    @property
    def notes(self) -> list[str]:
        """What the last read found worth telling a person (a guessed date order)."""
        return self.stats.notes

    @property
    def component(self) -> str:
        """How dead letters from this file are labelled."""
        return f"crm:{self.path.name}"

    def read(self) -> Iterator[SourceItem]:
        """Every row as a record; a broken row as a DeadLetter. Unrecognised headers: ConfigError."""
        self.stats = stats = CsvReadStats(path=str(self.path))
        export: CsvExport = read_export(self.path)
        cmap = _map_columns(self.kind, self.layouts, export.header, self.path)
        stats.layout, stats.encoding, stats.ignored_columns = cmap.layout, export.encoding, cmap.unmapped
        log.info(
            "%s: read %s as a %s %s export (%s)",
            self.name,
            self.path,
            cmap.layout,
            self.kind,
            export.encoding,
        )
        # One date order for the whole file, from the values only one order can read.
        # (A first pass over the file, for sources with dates: rows are read as used, not kept.)
        self.date_order = (
            DateOrder.of(
                _value(row, cmap, f)
                for _, row, _ in iter_rows(export)
                if row is not None
                for f in self.date_fields
            )
            if self.date_fields
            else DateOrder()
        )
        note = self.date_order.note(self.path.name)
        if note:
            stats.notes.append(note)
            log.warning("%s: %s", self.name, note)
        for line, row, cells in iter_rows(export):
            stats.rows += 1
            if row is None:
                stats.dead_letters += 1
                yield DeadLetter.of(
                    "source",
                    self.component,
                    f"{self.path.name} line {line}: {len(cells)} fields where the header has "
                    f"{len(export.header)}; check for an unquoted separator in this row",
                    cells,
                )
                continue
            try:
                record = self._record(row, cmap)
                if bad := nul_fields(record):
                    # PostgreSQL can't store it (and the account index would spread it to matches).
                    raise _RowError(f"a NUL character (\\x00) in {', '.join(bad)}; remove it from the export")
            except (_RowError, ValidationError) as exc:
                stats.dead_letters += 1
                reason = _reason(exc)
                yield DeadLetter.of("source", self.component, f"{self.path.name} line {line}: {reason}", row)
                continue
            stats.records += 1
            yield record
        stats.footer_rows = export.footer_rows

    def _record(self, row: dict[str, str], cmap: _ColumnMap) -> Account | Contact | Opportunity:
        raise NotImplementedError


class AccountsCsvSource(_CrmCsvSource):
    """CRM accounts from a Salesforce, HubSpot or plain accounts CSV export."""

    name: ClassVar[str] = "crm_accounts"
    kind: ClassVar[str] = "accounts"
    layouts: ClassVar[Layouts] = ACCOUNT_LAYOUTS

    def _record(self, row: dict[str, str], cmap: _ColumnMap) -> Account:
        account_id = _crm_id(_required(row, cmap, "account_id", "account id"), cmap)
        name = _required(row, cmap, "name", "account name")
        aliases: list[str] = []
        for header in cmap.columns.get("aliases", ()):
            for alias in re.split(r"[;|]", row.get(header, "")):
                alias = alias.strip()
                if alias and alias != name and alias not in aliases:
                    aliases.append(alias)
        website = _value(row, cmap, "domain")
        return Account(
            account_id=account_id,
            name=name,
            domain=_domain(website) if website else None,
            owner=_value(row, cmap, "owner"),
            industry=_value(row, cmap, "industry"),
            type=_value(row, cmap, "type"),
            country=_value(row, cmap, "country"),
            territory=_value(row, cmap, "territory"),
            aliases=aliases,
            extra={h: row[h].strip() for h in cmap.unmapped if row.get(h, "").strip()},
        )


class ContactsCsvSource(_CrmCsvSource):
    """CRM contacts from a Salesforce, HubSpot or plain contacts CSV export."""

    name: ClassVar[str] = "crm_contacts"
    kind: ClassVar[str] = "contacts"
    layouts: ClassVar[Layouts] = CONTACT_LAYOUTS

    def _record(self, row: dict[str, str], cmap: _ColumnMap) -> Contact:
        contact_id = _crm_id(_required(row, cmap, "contact_id", "contact id"), cmap)
        first, last = _value(row, cmap, "first_name"), _value(row, cmap, "last_name")
        full_name = _value(row, cmap, "full_name") or " ".join(p for p in (first, last) if p)
        if not full_name:
            raise _RowError("the contact has no name; fill the name (or first/last name) column")
        account_id = _value(row, cmap, "account_id")
        return Contact(
            contact_id=contact_id,
            first_name=first,
            last_name=last,
            full_name=full_name,
            email=_value(row, cmap, "email"),
            title=_value(row, cmap, "title"),
            account_id=_crm_id(_first_of_list(account_id), cmap),
            company=_value(row, cmap, "company"),
            owner=_value(row, cmap, "owner"),
        )


class OpportunitiesCsvSource(_CrmCsvSource):
    """CRM opportunities (deals) from a Salesforce, HubSpot or plain opportunities CSV export."""

    name: ClassVar[str] = "crm_opportunities"
    kind: ClassVar[str] = "opportunities"
    layouts: ClassVar[Layouts] = OPPORTUNITY_LAYOUTS
    date_fields: ClassVar[tuple[str, ...]] = ("created_date", "close_date")

    def _record(self, row: dict[str, str], cmap: _ColumnMap) -> Opportunity:
        opportunity_id = _crm_id(_required(row, cmap, "opportunity_id", "opportunity id"), cmap)
        stage = _value(row, cmap, "stage")
        derived_won, derived_closed = stage_outcome(stage)
        is_won = _parsed(row, cmap, "is_won", parse_bool)
        is_closed = _parsed(row, cmap, "is_closed", parse_bool)
        if is_won is None:
            is_won = derived_won
        if is_closed is None:
            is_closed = True if is_won else derived_closed
        return Opportunity(
            opportunity_id=opportunity_id,
            account_id=_crm_id(_first_of_list(_value(row, cmap, "account_id")), cmap),
            name=_value(row, cmap, "name"),
            stage=stage,
            amount=_parsed(row, cmap, "amount", parse_amount),
            created_date=_parsed(row, cmap, "created_date", self.date_order.parse_date),
            close_date=_parsed(row, cmap, "close_date", self.date_order.parse_date),
            is_won=is_won,
            is_closed=is_closed,
            owner=_value(row, cmap, "owner"),
        )


def read_accounts(path: str | Path) -> tuple[list[Account], list[DeadLetter]]:
    """All accounts of an accounts export, and the rows that could not be read."""
    return _split(AccountsCsvSource(path).read())  # type: ignore[return-value]


def read_contacts(path: str | Path) -> tuple[list[Contact], list[DeadLetter]]:
    """All contacts of a contacts export, and the rows that could not be read."""
    return _split(ContactsCsvSource(path).read())  # type: ignore[return-value]


def read_opportunities(
    path: str | Path, notes: list[str] | None = None
) -> tuple[list[Opportunity], list[DeadLetter]]:
    """All opportunities of an opportunities (deals) export, and the rows that could not be read.
    What a person should know about the file (a guessed date order) is added to `notes`."""
    source = OpportunitiesCsvSource(path)
    found = _split(source.read())
    if notes is not None:
        notes.extend(source.notes)
    return found  # type: ignore[return-value]


def _split(items: Iterator[SourceItem]) -> tuple[list[Any], list[DeadLetter]]:
    records: list[Any] = []
    dead: list[DeadLetter] = []
    for item in items:
        if isinstance(item, DeadLetter):
            dead.append(item)
        else:
            records.append(item)
    return records, dead


# -- cell parsing -------------------------------------------------------------------------------

_WON = {"closedwon", "won", "closedwonpaid"}
_LOST = {"closedlost", "lost", "closedlostdisqualified", "closednotwon"}


def stage_outcome(stage: str | None) -> tuple[bool | None, bool | None]:
    """(is_won, is_closed) implied by a stage name such as "Closed Won", "closedwon" or "Closed Lost";
    (None, None) when there is no stage. Used only where the export has no IsWon/IsClosed column."""
    if not stage:
        return None, None
    key = re.sub(r"[^a-z]", "", stage.lower())
    if key in _WON or key.startswith("closedwon"):
        return True, True
    if key in _LOST or key.startswith("closedlost"):
        return False, True
    return False, False


_TRUE = {"true", "t", "yes", "y", "1", "won", "closed"}
_FALSE = {"false", "f", "no", "n", "0"}


def parse_bool(value: str) -> bool:
    """A yes/no cell as a bool; raises ValueError for anything else."""
    key = value.strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(f"{value!r} is not true/false")


_CURRENCY_CODES = "USD|EUR|GBP|CHF|JPY|CAD|AUD|NZD|INR|CNY|SGD|HKD|SEK|NOK|DKK|PLN|BRL|MXN|ZAR"
# A currency code written apart from the number ("EUR 99,50", "99.50 usd"), or a common one glued to it.
_CURRENCY_WORD = re.compile(rf"^[A-Z]{{3}}\s+|\s+[A-Z]{{3}}$|^({_CURRENCY_CODES})|({_CURRENCY_CODES})$")
_CURRENCY_SIGN = re.compile(r"[\s$€£¥₹]")


def parse_amount(value: str) -> float:
    """A money cell as a number: currency signs/codes and thousands separators removed, "1.234,56"
    and "1,234.56" both read; raises ValueError for anything else."""
    text = _CURRENCY_WORD.sub("", value.strip().upper().replace("\u00a0", " "))
    text = _CURRENCY_SIGN.sub("", text)
    negative = text.startswith("(") and text.endswith(")")
    text = text.strip("()")
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        text = text.replace(thousands, "").replace(decimal, ".")
    elif "," in text:
        text = text.replace(",", "") if re.fullmatch(r"-?\d{1,3}(,\d{3})+", text) else text.replace(",", ".")
    try:
        amount = float(text)
    except ValueError:
        raise ValueError(f"{value!r} is not an amount") from None
    if amount != amount or amount in (float("inf"), float("-inf")):
        raise ValueError(f"{value!r} is not an amount")
    return -amount if negative else amount


def _parsed(row: dict[str, str], cmap: _ColumnMap, field_name: str, parse: Callable[[str], Any]) -> Any:
    value = _value(row, cmap, field_name)
    if value is None:
        return None
    try:
        return parse(value)
    except ValueError as exc:
        raise _RowError(f"bad {field_name} ({exc}); fix the cell or leave it empty") from exc


def _required(row: dict[str, str], cmap: _ColumnMap, field_name: str, label: str) -> str:
    value = _value(row, cmap, field_name)
    if not value:
        raise _RowError(
            f"empty {label} ({' / '.join(cmap.columns.get(field_name, [field_name]))}); fill it in"
        )
    return value


_SF_ID_15 = re.compile(r"[A-Za-z0-9]{15}")
_SF_SUFFIX_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def salesforce_id_18(value: str) -> str:
    """The 18-character form of a 15-character Salesforce id (reports export 15, case-sensitive;
    the API, Data Loader and imports use 18, case-insensitive). The suffix is Salesforce's
    checksum: per block of five characters, one character whose bits say which are upper case.
    Any other value (already 18 characters, not an id) is returned as it is, never lower-cased."""
    if not _SF_ID_15.fullmatch(value):
        return value
    suffix = ""
    for block in range(3):
        chunk = value[block * 5 : block * 5 + 5]
        bits = sum(1 << i for i, ch in enumerate(chunk) if "A" <= ch <= "Z")
        suffix += _SF_SUFFIX_CHARS[bits]
    return value + suffix


@overload
def _crm_id(value: str, cmap: _ColumnMap) -> str: ...
@overload
def _crm_id(value: None, cmap: _ColumnMap) -> None: ...
@overload
def _crm_id(value: str | None, cmap: _ColumnMap) -> str | None: ...
def _crm_id(value: str | None, cmap: _ColumnMap) -> str | None:
    """Ids as the CRM's imports want them: a Salesforce export's 15-character ids in their
    18-character form, so a report export and a Data Loader export of the same record agree."""
    if value is None or cmap.layout != "Salesforce":
        return value
    return salesforce_id_18(value)


def _first_of_list(value: str | None) -> str | None:
    """HubSpot writes several associated ids as "123;456": the record holds one, the first."""
    if not value:
        return None
    return re.split(r"[;|,]", value)[0].strip() or None


def _domain(website: str) -> str:
    """The bare host of a website cell ("https://www.Acme.com/about" -> "acme.com")."""
    text = website.strip().lower()
    host = urlparse(text if "://" in text else f"http://{text}").hostname or text
    return host.removeprefix("www.")


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'row'}: {e['msg']}" for e in exc.errors())
    return str(exc)
