"""SEC EDGAR filings read as they are served: full submission files, Form D XML, 8-K items, the
latest-filings Atom feed. Pure functions over bytes and text, no network (sources/sec_edgar.py
fetches); what a filing states in its own fields becomes TriggerEvents without any text model.

- Form D / D/A: the XML's offering fields -> one `funding_round` per offering. The event id is
  keyed on the issuer's CIK and the offering's SEC file number (021-...), which every amendment
  carries, so an amendment restates the same event instead of adding a second one.
- 8-K: the item numbers decide the type (5.02 -> executive_hire / executive_departure, 2.01 ->
  acquisition, 1.01 -> partnership only for a commercial agreement, 2.05 -> layoffs); the item's own
  sentences are the evidence. 5.02's person and title come from a few general patterns of how
  filings word appointments and departures ("elected <Name> to serve as <title>", "<Name> ... will
  resign as <title>"); a 5.02 that only sets pay names no move and yields no event.
- EX-99.1 press releases are returned as plain Documents for the trigger detector.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from schemas import Document, Filing, TriggerEvent
from schemas.roles import normalise_role
from sources.plaintext import html_to_text, normalise_whitespace

__all__ = [
    "AtomEntry",
    "FilingReadError",
    "FormD",
    "Submission",
    "SubmissionDocument",
    "filing_documents",
    "index_url",
    "item_number",
    "parse_atom",
    "parse_form_d",
    "parse_submission",
    "split_items",
]

SOURCE = "sec-edgar"
ARCHIVES = "https://www.sec.gov/Archives/edgar/data"
TRIGGER_ITEMS = ("1.01", "2.01", "2.05", "5.02")
PRESS_RELEASE_TYPES = ("EX-99.1",)


class FilingReadError(ValueError):
    """A filing whose bytes can't be read as a submission or a Form D (it becomes a DeadLetter)."""


def _words(text: str) -> frozenset[str]:
    """A word list written as words."""
    return frozenset(text.split())


# -- item numbers ------------------------------------------------------------------------------

# The header's ITEM INFORMATION lines give the description without its number, and the wording
# drifts over the years, so a description is recognised by words every version has.
_ITEM_WORDS: tuple[tuple[str, str], ...] = (
    ("entry into a material definitive agreement", "1.01"),
    ("termination of a material definitive agreement", "1.02"),
    ("bankruptcy or receivership", "1.03"),
    ("mine safety", "1.04"),
    ("material cybersecurity incident", "1.05"),
    ("completion of acquisition or disposition", "2.01"),
    ("acquisition or disposition of assets", "2.01"),  # before August 2004: Item 2
    ("results of operations and financial condition", "2.02"),
    ("creation of a direct financial obligation", "2.03"),
    ("triggering events that accelerate", "2.04"),
    ("associated with exit or disposal", "2.05"),
    ("material impairments", "2.06"),
    ("notice of delisting", "3.01"),
    ("unregistered sales of equity", "3.02"),
    ("material modification", "3.03"),
    ("certifying accountant", "4.01"),
    ("non-reliance on previously issued", "4.02"),
    ("changes in control of registrant", "5.01"),
    ("departure of directors", "5.02"),
    ("resignations of registrant's directors", "5.02"),  # before August 2004: Item 6
    ("amendments to articles of incorporation", "5.03"),
    ("temporary suspension of trading", "5.04"),
    ("code of ethics", "5.05"),
    ("change in shell company status", "5.06"),
    ("submission of matters to a vote", "5.07"),
    ("shareholder director nominations", "5.08"),
    ("regulation fd", "7.01"),
    ("other events", "8.01"),
    ("financial statements and exhibits", "9.01"),
    ("financial statements, pro forma financial information and exhibits", "9.01"),
)
_ITEM_NUMBER = re.compile(r"^\s*(?:<ITEMS>)?\s*(?:item\s*)?(\d{1,2}\.\d{2})\b", re.IGNORECASE)


def item_number(description: str) -> str | None:
    """The 8-K item number an ITEM INFORMATION description (or "Item 5.02: ...") stands for."""
    found = _ITEM_NUMBER.match(description)
    if found:
        return found.group(1)
    return next(iter(_title_numbers(description)), None)


def _title_numbers(text: str) -> list[str]:
    """The item numbers whose title words appear in `text`, in the order of _ITEM_WORDS."""
    plain = re.sub(r"\s+", " ", text.lower().replace("’", "'")).replace("costs associated", "cost associated")
    return [number for words, number in _ITEM_WORDS if words.replace("costs", "cost") in plain]


# -- full submission files (.txt, .nc) ---------------------------------------------------------


@dataclass(frozen=True)
class SubmissionDocument:
    """One <DOCUMENT> of a submission: its type (8-K, EX-99.1, D), file name and raw text."""

    type: str
    filename: str | None
    description: str | None
    text: str


@dataclass(frozen=True)
class Submission:
    """A full submission: what its SGML header says, and its documents."""

    accession: str | None
    form: str | None
    company: str | None  # COMPANY CONFORMED NAME (EDGAR's upper-case spelling, often)
    cik: str | None
    file_number: str | None
    filed: date | None
    accepted: datetime | None
    items: tuple[str, ...]
    address: str | None
    documents: tuple[SubmissionDocument, ...]

    def document(self, *types: str) -> SubmissionDocument | None:
        """The first document of one of these types (case-insensitive)."""
        wanted = {t.upper() for t in types}
        return next((d for d in self.documents if d.type.upper() in wanted), None)


def decode(raw: bytes) -> str:
    """EDGAR text as str: UTF-8 when it is, else Windows-1252 (what older filings were typed in)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


_DOC = re.compile(r"<DOCUMENT>(.*?)(?:</DOCUMENT>|\Z)", re.DOTALL | re.IGNORECASE)
_DOC_TAG = re.compile(r"^<(TYPE|FILENAME|DESCRIPTION)>([^\n<]*)", re.MULTILINE | re.IGNORECASE)
_TEXT = re.compile(r"<TEXT>(.*?)(?:</TEXT>|\Z)", re.DOTALL | re.IGNORECASE)
_LABELLED = re.compile(r"^\s*([A-Z][A-Z0-9 ()/&.-]*?):[ \t]*(.*?)\s*$", re.MULTILINE)
_TAGGED = re.compile(r"^<([A-Z0-9-]+)>([^\n<]*)$", re.MULTILINE)


def parse_submission(raw: bytes | str) -> Submission:
    """A full submission (`<accession>.txt`, with or without the PEM wrapper, or the `.nc`
    dissemination format). Raises FilingReadError when there is no header and no document."""
    text = raw if isinstance(raw, str) else decode(raw)
    first_doc = text.find("<DOCUMENT>")
    header = text[: first_doc if first_doc >= 0 else len(text)]
    labelled: dict[str, list[str]] = {}
    for key, value in _LABELLED.findall(header):
        labelled.setdefault(key.strip().upper(), []).append(value.strip())
    tagged: dict[str, list[str]] = {}
    for key, value in _TAGGED.findall(header):
        tagged.setdefault(key.upper(), []).append(value.strip())

    def one(label: str, tag: str) -> str | None:
        values = labelled.get(label) or tagged.get(tag) or [""]
        return values[0] or None

    documents = tuple(_documents(text))
    accession = one("ACCESSION NUMBER", "ACCESSION-NUMBER")
    form = one("CONFORMED SUBMISSION TYPE", "TYPE")
    if not accession and not documents:
        raise FilingReadError("not an EDGAR submission: no ACCESSION NUMBER header and no <DOCUMENT>")
    items: list[str] = []
    for described in [*labelled.get("ITEM INFORMATION", []), *tagged.get("ITEMS", [])]:
        number = item_number(described)
        if number and number not in items:
            items.append(number)
    accepted_raw = (tagged.get("ACCEPTANCE-DATETIME") or [""])[0]
    filed = _yyyymmdd(one("FILED AS OF DATE", "FILING-DATE"))
    return Submission(
        accession=accession,
        form=form,
        company=one("COMPANY CONFORMED NAME", "CONFORMED-NAME"),
        cik=_cik(one("CENTRAL INDEX KEY", "CIK")),
        file_number=one("SEC FILE NUMBER", "FILE-NUMBER"),
        filed=filed,
        accepted=_acceptance(accepted_raw) or _midday(filed),
        items=tuple(items),
        address=_header_address(labelled, tagged),
        documents=documents,
    )


def _documents(text: str) -> Iterator[SubmissionDocument]:
    for found in _DOC.finditer(text):
        body = found.group(1)
        tags = {k.upper(): v.strip() for k, v in _DOC_TAG.findall(body[:2000])}
        inner = _TEXT.search(body)
        yield SubmissionDocument(
            type=tags.get("TYPE", "").upper(),
            filename=tags.get("FILENAME") or None,
            description=tags.get("DESCRIPTION") or None,
            text=inner.group(1) if inner else body,
        )


def _header_address(labelled: dict[str, list[str]], tagged: dict[str, list[str]]) -> str | None:
    parts = [
        (labelled.get(k) or tagged.get(t) or [""])[0]
        for k, t in (("STREET 1", "STREET1"), ("CITY", "CITY"), ("STATE", "STATE"), ("ZIP", "ZIP"))
    ]
    joined = ", ".join(p for p in parts if p)
    return joined or None


def _cik(value: str | None) -> str | None:
    digits = "".join(ch for ch in value or "" if "0" <= ch <= "9")  # not "²", which isdigit() takes
    return digits.zfill(10) if digits else None


def _yyyymmdd(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return datetime.strptime(value.strip()[:8], "%Y%m%d").date()
    except ValueError:
        return None


def _eastern() -> timezone | ZoneInfo:
    try:
        return ZoneInfo("America/New_York")
    except ZoneInfoNotFoundError:  # no tz database: EDGAR's usual offset, off by an hour in summer
        return timezone(timedelta(hours=-5))


def _acceptance(value: str | None) -> datetime | None:
    """EDGAR's ACCEPTANCE-DATETIME (YYYYMMDDhhmmss, Eastern time) as an aware UTC datetime."""
    if not value:
        return None
    try:
        local = datetime.strptime(value.strip()[:14], "%Y%m%d%H%M%S")
    except ValueError:
        return None
    return local.replace(tzinfo=_eastern()).astimezone(UTC)


def _midday(day: date | None) -> datetime | None:
    # A filing date without a time: noon UTC keeps it on the same calendar day in US time zones.
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC) if day else None


def index_url(cik: str | None, accession: str | None) -> str | None:
    """The filing's index page, the page people open to see a filing and its documents."""
    if not cik or not accession:
        return None
    return f"{ARCHIVES}/{int(cik)}/{accession.replace('-', '')}/{accession}-index.htm"


def submission_url(cik: str, accession: str) -> str:
    """The full submission text file: header and every document in one request."""
    return f"{ARCHIVES}/{int(cik)}/{accession.replace('-', '')}/{accession}.txt"


# -- Form D ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormD:
    """The offering facts of one Form D / D/A XML (primary_doc.xml)."""

    submission_type: str
    cik: str | None
    issuer: str
    address: str | None
    industry_group: str | None
    fund_type: str | None
    is_amendment: bool
    previous_accession: str | None
    total_offering: int | None
    offering_indefinite: bool
    total_sold: int | None
    total_remaining: int | None
    date_of_first_sale: date | None
    first_sale_yet_to_occur: bool
    equity: bool
    debt: bool
    related_persons: tuple[str, ...] = field(default=())


def _strip_namespaces(root: ET.Element) -> ET.Element:
    for element in root.iter():
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.split("}", 1)[1]
    return root


def _text(root: ET.Element, path: str) -> str | None:
    found = root.find(path)
    if found is None or found.text is None:
        return None
    value = " ".join(found.text.split())
    return value or None


def _true(root: ET.Element, path: str) -> bool:
    return (_text(root, path) or "").lower() in ("true", "y", "yes", "1")


def _whole_dollars(value: str | None) -> int | None:
    if value is None or not (value.strip().isascii() and value.strip().isdecimal()):
        return None
    return int(value.strip())


def parse_form_d(xml: str | bytes, issuer_name: str | None = None) -> FormD:
    """A Form D's offering data. Strips what precedes `<?xml` (copies cut from a submission start
    with a newline, which strict XML parsers reject) and the `<XML>` wrapper of a submission."""
    text = xml if isinstance(xml, str) else decode(xml)
    start = text.find("<edgarSubmission")
    if start < 0:
        raise FilingReadError("not a Form D: no <edgarSubmission> element")
    end = text.rfind("</edgarSubmission>")
    body = text[start : end + len("</edgarSubmission>")] if end > start else text[start:]
    try:
        root = _strip_namespaces(ET.fromstring(body))
    except ET.ParseError as exc:
        raise FilingReadError(f"Form D XML does not parse ({exc})") from exc
    issuer = root.find("primaryIssuer")
    offering = root.find("offeringData")
    if issuer is None or offering is None:
        raise FilingReadError("Form D XML without primaryIssuer or offeringData")
    name = _text(issuer, "entityName") or issuer_name  # the filer-side XML leaves the name to EDGAR
    if not name:
        raise FilingReadError("Form D XML without the issuer's entityName (a filer-side draft, not a filing)")
    amounts = offering.find("offeringSalesAmounts")
    total_offering_raw = _text(amounts, "totalOfferingAmount") if amounts is not None else None
    address_parts = [
        _text(issuer, f"issuerAddress/{part}")
        for part in ("street1", "street2", "city", "stateOrCountry", "zipCode")
    ]
    persons = []
    for person in root.iterfind("relatedPersonsList/relatedPersonInfo"):
        full = " ".join(
            p
            for p in (
                _text(person, "relatedPersonName/firstName"),
                _text(person, "relatedPersonName/middleName"),
                _text(person, "relatedPersonName/lastName"),
            )
            if p and p.upper() != "N/A"
        )
        roles = [
            r.text.strip() for r in person.iterfind("relatedPersonRelationshipList/relationship") if r.text
        ]
        if full:
            persons.append(f"{full} ({', '.join(roles)})" if roles else full)
    first_sale = _text(offering, "typeOfFiling/dateOfFirstSale/value")
    securities = offering.find("typesOfSecuritiesOffered")
    equity = securities is not None and any(
        _true(securities, tag)
        for tag in ("isEquityType", "isPooledInvestmentFundType", "isOptionToAcquireType")
    )
    return FormD(
        submission_type=_text(root, "submissionType") or "D",
        cik=_cik(_text(issuer, "cik")),
        issuer=name,
        address=", ".join(p for p in address_parts if p) or None,
        industry_group=_text(offering, "industryGroup/industryGroupType"),
        fund_type=_text(offering, "industryGroup/investmentFundInfo/investmentFundType"),
        is_amendment=_true(offering, "typeOfFiling/newOrAmendment/isAmendment"),
        previous_accession=_text(offering, "typeOfFiling/newOrAmendment/previousAccessionNumber"),
        total_offering=_whole_dollars(total_offering_raw),
        offering_indefinite=(total_offering_raw or "").lower() == "indefinite",
        total_sold=_whole_dollars(_text(amounts, "totalAmountSold") if amounts is not None else None),
        total_remaining=_whole_dollars(_text(amounts, "totalRemaining") if amounts is not None else None),
        date_of_first_sale=_iso_date(first_sale),
        first_sale_yet_to_occur=_true(offering, "typeOfFiling/dateOfFirstSale/yetToOccur"),
        equity=equity,
        debt=securities is not None and _true(securities, "isDebtType"),
        related_persons=tuple(persons),
    )


def _iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _dollars(amount: int | None, indefinite: bool = False) -> str:
    if indefinite:
        return "Indefinite"
    return "not stated" if amount is None else f"${amount:,}"


def form_d_documents(
    form: FormD, *, accession: str | None, filing: Submission | None, tickers: list[str], key: str
) -> Document:
    """The Form D as one Document whose text is the form's own fields under the form's own labels
    (the XML has no prose), carrying its one `funding_round` event."""
    cik = form.cik or (filing.cik if filing else None)
    form_type = (filing.form if filing and filing.form else None) or form.submission_type
    url = index_url(cik, accession)
    doc_id = f"sec:{accession}" if accession else f"sec:formd:{key}"
    headline = (
        f"{form.issuer}: Form {form_type}, Total Offering Amount "
        f"{_dollars(form.total_offering, form.offering_indefinite)}, Total Amount Sold {_dollars(form.total_sold)}"
    )
    lines = [headline]
    if form.industry_group:
        lines.append(
            f"Industry Group: {form.industry_group}" + (f" ({form.fund_type})" if form.fund_type else "")
        )
    if form.date_of_first_sale:
        lines.append(f"Date of First Sale: {form.date_of_first_sale.isoformat()}")
    elif form.first_sale_yet_to_occur:
        lines.append("Date of First Sale: Yet to Occur")
    if form.total_remaining is not None:
        lines.append(f"Total Remaining to be Sold: {_dollars(form.total_remaining)}")
    if form.address:
        lines.append(f"Issuer Address: {form.address}")
    if form.related_persons:
        lines.append("Related Persons: " + "; ".join(form.related_persons))
    if form.is_amendment and form.previous_accession:
        lines.append(f"Amendment of {form.previous_accession}")
    published = filing.accepted if filing else None
    facts = Filing(
        form=form_type,
        accession=accession,
        cik=cik,
        tickers=tickers,
        file_number=filing.file_number if filing else None,
        is_amendment=form.is_amendment or form_type.upper().endswith("/A"),
        previous_accession=form.previous_accession,
        total_offering=form.total_offering,
        offering_indefinite=form.offering_indefinite,
        total_sold=form.total_sold,
        total_remaining=form.total_remaining,
        date_of_first_sale=form.date_of_first_sale,
        first_sale_yet_to_occur=form.first_sale_yet_to_occur,
        industry_group=form.industry_group,
        fund_type=form.fund_type,
        issuer_address=form.address,
        related_persons=list(form.related_persons),
    )
    event = TriggerEvent(
        # Keyed on the offering, not the document: the amendments of an offering are one event.
        event_id=TriggerEvent.make_id("sec-form-d", "funding_round", cik, key),
        document_id=doc_id,
        type="funding_round",
        company=form.issuer,
        round="debt" if form.debt and not form.equity else None,
        amount=form.total_sold,
        currency="USD",
        confidence=1.0,
        evidence=headline,
        published_at=published,
        url=url,
        source=SOURCE,
        filing=facts,
    )
    return Document(
        id=doc_id,
        title=headline,
        text="\n".join(lines[1:]) or None,
        url=url,
        published_at=published,
        source=SOURCE,
        events=[event],
    )


def offering_key(form: FormD, filing: Submission | None, accession: str | None) -> str:
    """What names one offering across its amendments: the SEC file number when the submission
    header gives it, else the accession of the original notice (an amendment's previous one)."""
    if filing and filing.file_number:
        return filing.file_number
    return form.previous_accession or accession or form.issuer


# -- 8-K items ---------------------------------------------------------------------------------

_IX_HEADER = re.compile(r"<ix:header>.*?</ix:header>", re.DOTALL | re.IGNORECASE)
_REGISTRANT = re.compile(
    r"name=\"dei:EntityRegistrantName\"[^>]*>(.*?)</ix:nonNumeric>", re.DOTALL | re.IGNORECASE
)
# An item heading: "Item 5.02", "ITEM 2.05", "Item 5.02." and, before 2004, "ITEM 2." followed by
# the start of its title in capitals.
_HEADING = re.compile(r"\bItem\s*(\d{1,2}(?:\.\d{2})?)\s*[.:\-–—]?\s*(?=[A-Z(])", re.IGNORECASE)
_SIGNATURES = re.compile(r"\bSIGNATURES?\b")
_OLD_ITEMS = {"2": "2.01", "6": "5.02"}


def document_text(markup: str) -> str:
    """A filing document as one line of plain text per paragraph; inline XBRL's hidden header
    (facts repeated for machines) is dropped. Plain-text filings pass through."""
    markup = _IX_HEADER.sub(" ", markup)
    if "<" in markup and re.search(r"<(html|body|p|div|table|font)\b", markup, re.IGNORECASE):
        return html_to_text(markup)
    return normalise_whitespace(re.sub(r"</?(PAGE|PRE|S|C|CAPTION|FN)>", " ", markup))


def registrant_name(markup: str) -> str | None:
    """The registrant's name as its inline XBRL cover page tags it (exact case and punctuation)."""
    found = _REGISTRANT.search(markup)
    if not found:
        return None
    return normalise_whitespace(html_to_text(found.group(1))) or None


_COVER_NAME = re.compile(
    r"([^\n]{2,120})\n[^\n]{0,40}\(?Exact name of (?:the )?registrant as specified in its charter",
    re.IGNORECASE,
)


def cover_name(text: str) -> str | None:
    """The registrant's name as the 8-K cover page writes it, above "(Exact name of registrant as
    specified in its charter)"."""
    found = _COVER_NAME.search(text)
    return found.group(1).strip() if found else None


def split_items(text: str) -> dict[str, str]:
    """Each 8-K item's text by item number ("5.02" -> "...") from the document's plain text, as
    one paragraph each (lines joined with spaces). A heading is "Item N.NN" followed by the item's
    title; references such as "this Item 2.02 of Form 8-K" are not headings (no title follows)."""
    flat = " ".join(text.split())
    heads: list[tuple[int, int, str]] = []
    for found in _HEADING.finditer(flat):
        number = found.group(1)
        number = _OLD_ITEMS.get(number, number) if "." not in number else number
        # the item's own title must follow (old integer items: any item title, for the boundaries)
        titles = _title_numbers(flat[found.end() : found.end() + 120])
        if number not in titles and not ("." not in found.group(1) and titles):
            continue
        heads.append((found.start(), found.end(), number))
    sections: dict[str, str] = {}
    for i, (start, _end, number) in enumerate(heads):
        stop = heads[i + 1][0] if i + 1 < len(heads) else len(flat)
        signed = _SIGNATURES.search(flat, start, stop)
        body = _drop_title(flat[_end : signed.start() if signed else stop])
        if number not in sections and body:
            sections[number] = body
    return sections


# The words of the trigger items' titles, in every wording seen since 1995: what follows an item's
# number up to the first full stop or the first other word is its title, not its text.
_TITLE_WORDS = _words(
    "entry into a material definitive agreement completion of acquisition or disposition assets "
    "costs cost associated with exit disposal activities departure directors certain principal "
    "officers election appointment compensatory arrangements resignations registrant's registrant’s "
    "and"
)


def _drop_title(text: str) -> str:
    words = text.split(" ")
    for i, word in enumerate(words):
        bare = word.strip(".,;:()").lower()
        if bare and bare not in _TITLE_WORDS:
            return " ".join(words[i:]).strip()
        if word.endswith("."):
            return " ".join(words[i + 1 :]).strip()
    return ""


# Sentences: split after . ! ? when the next word starts a sentence; titles, initials and company
# suffixes ("Mr.", "J.", "Inc.") do not end one.
_NO_STOP = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Messrs|Inc|Corp|Co|Ltd|Jr|Sr|No|St|L\.P|U\.S|N\.A|Nos|Vol|vs|v)|\b[A-Z])\.$"
)


def sentences(paragraph: str) -> list[str]:
    """A paragraph's sentences, each a verbatim slice of it."""
    out: list[str] = []
    start = 0
    for found in re.finditer(r"(?:(?<=[a-z])\.\d{1,2}|[.!?])[\"”’)]?\s+(?=[A-Z(“\"])", paragraph):
        piece = paragraph[start : found.start() + 1]
        if _NO_STOP.search(piece):
            continue
        end = found.end()
        sentence = paragraph[start:end].strip()
        if sentence:
            out.append(sentence)
        start = end
    rest = paragraph[start:].strip()
    if rest:
        out.append(rest)
    return out


_NAME_WORD = r"(?:[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)*|[A-Z]\.|Mc[A-Z][a-z]+|Mac[A-Z][a-z]+|De[A-Z][a-z]+)"
_NAME = rf"(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,3}}(?:,?\s+(?:Jr\.|Sr\.|II|III|IV))?)"
_TITLE = r"(?P<title>[^,.;()“\"]{2,120}?)"
_TITLE_END = r"(?=,|\.(?:\s|$)|;|\(| of the (?:Company|Registrant|Firm|Corporation|Bank)| effective| to fill| and will| and to| to succeed| to replace| until| beginning| upon| following|$)"
_AS = r"(?:as|to serve as|to the (?:position|role|office) of|to the positions of|to)\s+(?:a |an |the |its |our |his |her )?"
_HIRE_PATTERNS = (
    # "...(board) appointed/elected/named Carrie Palin as a member of the Board"
    re.compile(
        rf"\b(?:appointed|elected|named|promoted|hired|designated)\s+{_NAME}(?:,\s*(?:age\s*)?\d+,)?\s+{_AS}{_TITLE}{_TITLE_END}"
    ),
    # "Martin Small became Chief Financial Officer", "Jane Doe has been appointed as CEO"
    re.compile(
        rf"{_NAME}(?:,\s*(?:age\s*)?\d+,)?\s+(?:(?:has|have|had)\s+been\s+|was\s+|were\s+|will\s+be\s+|is\s+)?(?:became|will\s+become|appointed|elected|named|promoted)\s+(?:{_AS})?{_TITLE}{_TITLE_END}"
    ),
    # "Doug Petno, 61, and Troy Rohrbaugh, 56, Co-CEOs of the CIB, have been elected Co-Presidents"
    re.compile(
        rf"{_NAME}(?:,\s*\d+,)?\s+and\s+(?P<name2>{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,3}})(?:,\s*\d+)?(?:,\s*[^,]{{2,80}})?,?\s+(?:have|had)\s+been\s+(?:appointed|elected|named|promoted)\s+(?:{_AS})?{_TITLE}{_TITLE_END}"
    ),
    # "Appointment of Brandon Hetzel as Chief Financial Officer" (a sub-heading), "announced the
    # appointment of Jane Doe as Chief Operating Officer"
    re.compile(
        rf"\b(?i:appointment|election|promotion)\s+of\s+{_NAME}\s+(?:as|to)\s+(?:the\s+)?{_TITLE}{_TITLE_END}"
    ),
)
_LEAVE_PATTERNS = (
    # "Dina Powell McCormick notified ... that she will resign as a member of the Board"
    re.compile(
        rf"{_NAME}(?:,\s*(?:age\s*)?\d+,)?(?:,[^.;]{{2,160}}?,)?\s+(?:notified|advised|informed|announced|told)\b.{{0,200}}?\b(?:(?:he|she|they)\s+(?:will|would|intends? to|plans? to|has decided to|had decided to|decided to)|(?:his|her|their)\s+(?:decision|intention|intent|plan)\s+to)\s+(?:resign|retire|step down|not stand for re-election)\s+(?:{_AS}|from\s+(?:the\s+|his\s+|her\s+)?(?:position|role|office)s?\s+(?:of|as)\s+(?:a |an |the |its )?)?{_TITLE}{_TITLE_END}"
    ),
    # "Marianne Lake, current CEO of CCB, has decided to retire from the Firm"
    re.compile(
        rf"{_NAME},\s+(?:(?:age\s+)?\d+,\s+)?(?:(?:the|our|its|current|then|former)\s+)*{_TITLE},\s+(?:has\s+|had\s+)?(?:decided|notified|informed|advised|announced|will|intends|plans|elected)?[^.;]{{0,80}}?\b(?:retire|resign|step down|depart)"
    ),
    # "Gary S. Shedlin transitioned from the role of Chief Financial Officer to Vice Chairman"
    re.compile(
        rf"{_NAME}\s+transitioned\s+from\s+(?:the\s+|his\s+|her\s+)?(?:role|position)\s+of\s+{_TITLE}(?=\s+to\b)"
    ),
    # "John Roe resigned as Chief Operating Officer", "Jane Doe will retire from her position as CFO"
    re.compile(
        rf"{_NAME}(?:,\s*(?:age\s*)?\d+,)?(?:,[^.;]{{2,160}}?,)?\s+(?:has\s+|had\s+)?(?:resigned|retired|stepped down|will resign|will retire|will step down|departed)\s+(?:{_AS}|from\s+(?:the\s+|his\s+|her\s+)?(?:position|role|office)s?\s+(?:of|as)\s+(?:a |an |the |its )?)?{_TITLE}{_TITLE_END}"
    ),
    # "Departure of Brett Kaufman as Chief Financial Officer" (a sub-heading), "announced the
    # retirement of John Roe as Chief Financial Officer"
    re.compile(
        rf"\b(?i:departure|retirement|resignation)\s+of\s+{_NAME}\s+(?:as|from\s+(?:the\s+|his\s+|her\s+)?(?:position|role|office)s?\s+(?:of|as))\s+(?:the\s+)?{_TITLE}{_TITLE_END}"
    ),
    # "Brett Kaufman’s employment as the Chief Financial Officer ... will terminate"
    re.compile(
        rf"{_NAME}[’']s\s+employment\s+as\s+(?:the\s+)?{_TITLE}{_TITLE_END}.{{0,160}}?\bwill\s+terminate"
    ),
)
# Words that start capitalised in filings but are never part of a person's name.
_NOT_NAME = _words(
    "The Company Board Directors Director Registrant Committee Corporation Inc Chief Officer "
    "Executive President Vice Chairman Chair On In As Its Our Each Mr Mrs Ms Dr Messrs Compensation "
    "Agreement Firm Bank Senior Financial Independent Item Class Member Plan Annual General Counsel "
    "Secretary Treasurer Group Holdings Co Trust"
)


def _clean_title(title: str, company: str | None = None) -> str | None:
    title = re.sub(r"\s+", " ", title).strip(" ,;:-")
    first = (company or "").split()[:1]
    if first and first[0].lower() not in ("the", "a"):
        # "Chief Financial Officer and Treasurer of AFC Gamma": the company is not part of the title
        title = re.sub(rf"\s+of\s+(?:the\s+)?{re.escape(first[0])}\b.*$", "", title, flags=re.IGNORECASE)
    title = re.sub(r"^(?:a|an|the|its|our)\s+", "", title, flags=re.IGNORECASE)
    if not title or len(title) > 90 or not re.search(r"[A-Za-z]", title):
        return None
    if not re.search(
        r"officer|president|director|chair|board|treasurer|secretary|counsel|head|manager|chief|member|"
        r"trustee|ceo|cfo|coo|cto|cio|vice|controller|partner|executive",
        title,
        re.IGNORECASE,
    ):
        return None
    return title


def _valid_name(name: str) -> str | None:
    words = name.strip().rstrip(",").split()
    while words and words[0].rstrip(".,") in _NOT_NAME:
        words = words[1:]  # "Treasurer Brett Kaufman": a sub-heading's last word ran into the name
    if len(words) < 2 or any(w.rstrip(".,") in _NOT_NAME for w in words):
        return None
    return " ".join(words)


@dataclass(frozen=True)
class Move:
    """One executive move found in a 5.02 sentence."""

    type: str  # executive_hire | executive_departure
    person: str
    title: str
    sentence: str


def executive_moves(section: str, company: str | None = None) -> list[Move]:
    """The appointments and departures a 5.02 item states, one per person and direction."""
    moves: list[Move] = []
    seen: set[tuple[str, str]] = set()
    for sentence in sentences(section):
        for kind, patterns in (("executive_departure", _LEAVE_PATTERNS), ("executive_hire", _HIRE_PATTERNS)):
            for pattern in patterns:
                for found in pattern.finditer(sentence):
                    title = _clean_title(found.group("title"), company)
                    names = [found.group("name")]
                    if "name2" in pattern.groupindex and found.group("name2"):
                        names.append(found.group("name2"))
                    for raw in names:
                        person = _valid_name(raw)
                        key = (kind, (person or "").split()[-1].lower() if person else "")
                        if person and title and key not in seen:
                            seen.add(key)
                            moves.append(Move(kind, person, title, sentence))
    return moves


# 1.01: which material agreements are commercial. A loan, an employment contract or a merger is not
# a partnership; supply, licence, collaboration and the like are.
_FINANCING = re.compile(
    r"\b(credit agreement|credit facility|loan|indenture|notes? due|notes? purchase|term facility|revolving|"
    r"underwriting agreement|purchase agreement for (?:the )?(?:notes|shares)|securities purchase|"
    r"equity distribution|at[- ]the[- ]market|sales agreement|guarantee|security agreement|forbearance|"
    r"employment agreement|separation agreement|consulting agreement|severance|retention|compensation|"
    r"lease agreement|registration rights|warrant|exchange agreement|voting agreement|support agreement)\b",
    re.IGNORECASE,
)
_MERGER = re.compile(
    r"\b(agreement and plan of merger|merger agreement|plan of merger|stock purchase agreement|"
    r"share purchase agreement|asset purchase agreement|acquisition agreement|business combination agreement|"
    r"equity purchase agreement|membership interest purchase agreement)\b",
    re.IGNORECASE,
)
_COMMERCIAL = re.compile(
    r"\b(collaboration|license|licence|licensing|supply|distribution|partnership|joint venture|"
    r"strategic alliance|alliance|co-?development|development agreement|commercial agreement|"
    r"services agreement|master services|manufacturing|reseller|co-?promotion|marketing agreement|"
    r"purchase and sale agreement for (?:the )?(?:products|supply)|offtake|customer agreement)\b",
    re.IGNORECASE,
)


def agreement_kind(section: str) -> str:
    """What a 1.01 agreement is, from its own name in the item's first sentences: "merger" (an
    agreement to acquire or combine), "financing" (loans, notes, equity sales, employment and other
    non-commercial contracts), "commercial" (supply, licence, collaboration, distribution, joint
    venture...) or "other". Merger and financing words win over commercial ones, since a credit
    agreement's text may mention a licence and a merger's a supply."""
    head = " ".join(sentences(section)[:3])
    if _MERGER.search(head):
        return "merger"
    if _FINANCING.search(head):
        return "financing"
    if _COMMERCIAL.search(head):
        return "commercial"
    return "other"


_COUNTERPARTY_PATTERNS = (
    re.compile(
        r"\b(?:acquired|acquisition of|acquire|merger with|merge with and into|combination with)\s+(?:all of the outstanding [^,]{0,60}? of\s+)?(?P<party>[A-Z][\w&.,'’-]*(?:\s+[A-Z0-9][\w&.'’-]*){0,6})"
    ),
    re.compile(
        r"\b(?:with|and)\s+(?P<party>[A-Z][\w&.'’-]*(?:\s+[A-Z0-9][\w&.'’-]*){0,6}),?\s+(?:a|an)\s+[A-Z][a-z]+\s+(?:corporation|limited|company|partnership)"
    ),
    re.compile(r"\bsale to\s+(?P<party>[A-Z][\w&.'’-]*(?:\s+[A-Z0-9][\w&.'’-]*){0,6})"),
)
_PARTY_STOP = frozenset(
    ["The", "Company", "Registrant", "Merger", "Sub", "Agreement", "Buyer", "Seller", "Purchaser", "Parent"]
)


def counterparty(section: str, company: str | None) -> str | None:
    """The other company a deal item names (the acquired company, the buyer, the partner), as written."""
    own = (company or "").lower().split()[:1]
    for sentence in sentences(section)[:4]:
        for pattern in _COUNTERPARTY_PATTERNS:
            for found in pattern.finditer(sentence):
                party = found.group("party").strip(" ,.")
                party = re.sub(r",?\s+(?:a|an|the)$", "", party)
                words = party.split()
                if (
                    not words
                    or words[0] in _PARTY_STOP
                    or (own and words[0].lower() == own[0])
                    or re.search(r"\b(?:Merger|Acquisition)\s+(?:Sub|Corp|Enterprises)", party)
                ):
                    continue
                return party
    return None


def first_sentence_with(section: str, pattern: str) -> str:
    """The first sentence of an item that says what happened (matches `pattern`), else its first."""
    all_sentences = sentences(section)
    for sentence in all_sentences:
        if re.search(pattern, sentence, re.IGNORECASE) and not re.match(r"item\b", sentence, re.IGNORECASE):
            return sentence
    body = [s for s in all_sentences if not re.match(r"item\b", s, re.IGNORECASE)]
    return (body or all_sentences or [section])[0]


def eight_k_documents(
    filing: Submission, *, tickers: list[str], company_names: dict[str, str] | None = None
) -> tuple[list[Document], dict[str, int]]:
    """The Documents an 8-K gives: one carrying the events its items state (when any), and one per
    EX-99.1 press release for the detector. Also counts what was read and why an item gave nothing."""
    counts: dict[str, int] = {}
    url = index_url(filing.cik, filing.accession)
    primary = filing.document(filing.form or "8-K", "8-K", "8-K/A") or (
        filing.documents[0] if filing.documents else None
    )
    docs: list[Document] = []
    if primary is not None and any(item in TRIGGER_ITEMS for item in filing.items):
        company = (
            registrant_name(primary.text)
            or cover_name(document_text(primary.text))
            or (company_names or {}).get(filing.cik or "")
            or filing.company
            or "unknown registrant"
        )
        doc = _eight_k_document(filing, primary, company, url, tickers, counts)
        if doc is not None:
            docs.append(doc)
    for exhibit in filing.documents:
        if exhibit.type in PRESS_RELEASE_TYPES:
            title, text = press_release_parts(document_text(exhibit.text))
            if title or text:
                counts["press_releases"] = counts.get("press_releases", 0) + 1
                docs.append(
                    Document(
                        id=f"sec:{filing.accession}:{exhibit.type}",
                        title=title,
                        text=text,
                        url=url,
                        published_at=filing.accepted,
                        source=SOURCE,
                    )
                )
    return docs, counts


_EXHIBIT_LABEL = re.compile(
    r"^(?:(?:exhibit|ex-?)\s*99(?:\.\d+)?|for immediate release|(?:news|press) release)\.?:?$", re.IGNORECASE
)


def press_release_parts(text: str) -> tuple[str | None, str | None]:
    """A press release as (headline, body): its first line after the "Exhibit 99.1" label is the
    headline when it is headline-sized, as the detector reads news."""
    lines = text.split("\n")
    while lines and _EXHIBIT_LABEL.match(lines[0].strip()):
        lines = lines[1:]
    if len(lines) > 1 and len(lines[0]) <= 200 and len(lines[0].split()) >= 3:
        return lines[0], "\n".join(lines[1:]) or None
    return None, "\n".join(lines) or None


def _eight_k_document(
    filing: Submission,
    primary: SubmissionDocument,
    company: str,
    url: str | None,
    tickers: list[str],
    counts: dict[str, int],
) -> Document | None:
    sections = split_items(document_text(primary.text))
    doc_id = f"sec:{filing.accession}"
    facts = Filing(
        form=filing.form or "8-K",
        accession=filing.accession,
        cik=filing.cik,
        tickers=tickers,
        file_number=filing.file_number,
        items=list(filing.items),
        is_amendment=(filing.form or "").upper().endswith("/A"),
    )
    events: list[TriggerEvent] = []
    used: list[str] = []

    def event(type_: str, evidence: str, *key: Any, **fields: Any) -> TriggerEvent:
        return TriggerEvent(
            event_id=TriggerEvent.make_id(doc_id, type_, *key),
            document_id=doc_id,
            type=type_,  # type: ignore[arg-type]  # one of the contract's types, by construction
            company=company,
            confidence=fields.pop("confidence", 0.95),
            evidence=evidence,
            published_at=filing.accepted,
            url=url,
            source=SOURCE,
            filing=facts,
            **fields,
        )

    for item in filing.items:
        section = sections.get(item)
        if item not in TRIGGER_ITEMS:
            continue
        if section is None:
            counts[f"item_{item}_text_not_found"] = counts.get(f"item_{item}_text_not_found", 0) + 1
            continue
        if item == "5.02":
            moves = executive_moves(section, company)
            if not moves:
                counts["item_5.02_no_move"] = counts.get("item_5.02_no_move", 0) + 1
            for move in moves:
                events.append(
                    event(
                        move.type,
                        move.sentence,
                        move.person,
                        person=move.person,
                        title=move.title,
                        role=normalise_role(move.title),
                    )
                )
        elif item == "2.01":
            evidence = first_sentence_with(section, r"complet|consummat|acqui|merge|sale|sold|dispos")
            events.append(event("acquisition", evidence, "2.01", counterparty=counterparty(section, company)))
        elif item == "2.05":
            evidence = first_sentence_with(
                section, r"restructur|reduc|workforce|layoff|position|exit|disposal|clos"
            )
            events.append(event("layoffs", evidence, "2.05"))
        elif item == "1.01":
            kind = agreement_kind(section)
            counts[f"item_1.01_{kind}"] = counts.get(f"item_1.01_{kind}", 0) + 1
            if kind == "merger":
                evidence = first_sentence_with(section, r"merger|acqui|purchase")
                events.append(
                    event(
                        "acquisition",
                        evidence,
                        "1.01",
                        counterparty=counterparty(section, company),
                        confidence=0.9,
                    )
                )
            elif kind == "commercial":
                evidence = first_sentence_with(section, r"agreement")
                events.append(
                    event(
                        "partnership",
                        evidence,
                        "1.01",
                        counterparty=counterparty(section, company),
                        confidence=0.85,
                    )
                )
        used.append(section)
    if not events:
        return None
    item_list = ", ".join(filing.items)
    return Document(
        id=doc_id,
        title=f"{company}: Form {filing.form or '8-K'}, Items {item_list}",
        text="\n\n".join(used),
        url=url,
        published_at=filing.accepted,
        source=SOURCE,
        events=events,
    )


_CRAWLER_NAME = re.compile(r"^(?P<cik>\d{1,10})_8-?K_\d{4}_(?P<accession>\d{10}-\d{2}-\d{6})")


def bare_eight_k(text: str, name: str | None = None) -> Submission:
    """An 8-K primary document saved without its submission header: the items are its headings, the
    accession and CIK come from a file name like `<cik>_8K_<year>_<accession>.htm` when it has them."""
    plain = document_text(text)
    items = tuple(split_items(plain))
    if not items:
        raise FilingReadError("neither an EDGAR submission nor an 8-K document (no Item headings)")
    named = _CRAWLER_NAME.match(name or "")
    accession = named.group("accession") if named else None
    if accession is None and name:
        found = _ACCESSION.search(name)
        accession = found.group(0) if found else None
    return Submission(
        accession=accession,
        form="8-K",
        company=cover_name(plain),
        cik=_cik(named.group("cik")) if named else None,
        file_number=None,
        filed=None,
        accepted=None,
        items=items,
        address=None,
        documents=(SubmissionDocument(type="8-K", filename=name, description=None, text=text),),
    )


def filing_documents(
    raw: bytes | str,
    *,
    name: str | None = None,
    tickers_by_cik: dict[str, list[str]] | None = None,
    names_by_cik: dict[str, str] | None = None,
) -> tuple[list[Document], dict[str, int]]:
    """Every Document a full submission gives (also a bare Form D XML or a bare 8-K document, named
    `name`), with counts of what happened. Raises FilingReadError when the bytes are not a filing."""
    text = raw if isinstance(raw, str) else decode(raw)
    tickers_by_cik = tickers_by_cik or {}
    has_header = "<SEC-HEADER>" in text or "<SUBMISSION>" in text or "ACCESSION NUMBER:" in text[:5000]
    if not has_header and "<edgarSubmission" in text:
        form = parse_form_d(text)
        key = offering_key(form, None, None)
        tickers = tickers_by_cik.get(form.cik or "", [])
        return [form_d_documents(form, accession=None, filing=None, tickers=tickers, key=key)], {"form_d": 1}
    filing = parse_submission(text) if has_header else bare_eight_k(text, name)
    form_type = (filing.form or "").upper()
    tickers = tickers_by_cik.get(filing.cik or "", [])
    if form_type in ("D", "D/A"):
        primary = filing.document("D", "D/A")
        if primary is None:
            raise FilingReadError(f"Form {form_type} {filing.accession} has no D document")
        form = parse_form_d(primary.text, issuer_name=filing.company)
        key = offering_key(form, filing, filing.accession)
        return [
            form_d_documents(form, accession=filing.accession, filing=filing, tickers=tickers, key=key)
        ], {"form_d": 1}
    if form_type.startswith("8-K"):
        docs, counts = eight_k_documents(filing, tickers=tickers, company_names=names_by_cik)
        counts["8-K"] = 1
        return docs, counts
    return [], {f"form_{form_type or 'unknown'}_skipped": 1}


# -- the latest-filings Atom feed -------------------------------------------------------------


@dataclass(frozen=True)
class AtomEntry:
    """One filing in the getcurrent feed (one per filing, whatever the number of entities)."""

    accession: str
    form: str
    company: str
    cik: str | None
    index_url: str
    updated: datetime
    items: tuple[str, ...]


_ATOM = "{http://www.w3.org/2005/Atom}"
_ENTRY_TITLE = re.compile(r"^(?P<form>.+?) - (?P<name>.*) \((?P<cik>\d{10})\) \((?P<role>[^)]*)\)\s*$")
_ACCESSION = re.compile(r"\d{10}-\d{2}-\d{6}")


def parse_atom(content: bytes) -> list[AtomEntry]:
    """The getcurrent (or getcompany) Atom feed's filings, each accession once, in feed order."""
    try:
        root = ET.fromstring(content)
    except ET.ParseError as exc:
        raise FilingReadError(f"EDGAR Atom feed does not parse ({exc})") from exc
    out: list[AtomEntry] = []
    seen: set[str] = set()
    for entry in root.iter(f"{_ATOM}entry"):
        ident = entry.findtext(f"{_ATOM}id") or ""
        link = entry.find(f"{_ATOM}link")
        href = link.get("href", "") if link is not None else ""
        accession_match = _ACCESSION.search(ident) or _ACCESSION.search(href)
        updated_raw = (entry.findtext(f"{_ATOM}updated") or "").strip()
        if not accession_match or not updated_raw:
            continue
        accession = accession_match.group(0)
        if accession in seen:
            continue  # one entry per entity (Filer, Issuer, Reporting...): one filing
        seen.add(accession)
        title = (entry.findtext(f"{_ATOM}title") or "").strip()
        parsed = _ENTRY_TITLE.match(title)
        category = entry.find(f"{_ATOM}category")
        form = (category.get("term") if category is not None else None) or (
            parsed.group("form") if parsed else ""
        )
        summary = entry.findtext(f"{_ATOM}summary") or ""
        items = tuple(
            dict.fromkeys(
                n
                for n in (
                    item_number(line) for line in re.split(r"<br\s*/?>", summary, flags=re.IGNORECASE)[1:]
                )
                if n
            )
        )
        try:
            updated = datetime.fromisoformat(updated_raw.replace("Z", "+00:00"))
            if updated.tzinfo is None:
                updated = updated.replace(tzinfo=_eastern())
            updated = updated.astimezone(UTC)
        except (ValueError, OverflowError):  # OverflowError: a date before year 1 once in UTC
            continue
        out.append(
            AtomEntry(
                accession=accession,
                form=form.strip(),
                company=parsed.group("name") if parsed else title,
                cik=parsed.group("cik") if parsed else None,
                index_url=href,
                updated=updated,
                items=items,
            )
        )
    return out
