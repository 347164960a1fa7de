"""Every source's parser, fuzzed (hypothesis): whatever the bytes, a parser yields records and dead
letters or raises its one documented whole-input error, never anything else; every record it yields
can be serialised and stored (no NUL a database refuses, no date that can't be put in UTC).

The example corpus holds the inputs that once stopped whole runs: JSON nested a hundred thousand
deep, `0001-01-01T00:00:00+14:00`, NUL bytes, a gzip bomb saved as a feed file. The number of
generated examples is kept small so the suite stays fast; BUYSIGNAL_FUZZ_EXAMPLES raises it.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from hostile_server import BAD_DATE, deep_json
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from schemas import DeadLetter, Document, Record
from schemas.errors import ConfigError
from sinks.base import Batch
from sinks.store import Store
from sources.base import storable
from sources.crm import AccountsCsvSource, ContactsCsvSource, OpportunitiesCsvSource
from sources.edgar_filings import FilingReadError, filing_documents, parse_atom
from sources.files import iter_documents
from sources.jobchanges import JobChangesSource
from sources.rss import FeedError, RssSource, parse_feed

pytestmark = pytest.mark.slow

FUZZ = settings(
    max_examples=int(os.environ.get("BUYSIGNAL_FUZZ_EXAMPLES", "40")),
    deadline=None,
    database=None,  # no .hypothesis folder in the repo; the corpus is the @example list
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

NUL = "\x00"
# Text with what breaks things: NUL and other control characters, markup, surrogates' neighbours.
nasty_text = st.text(
    alphabet=st.one_of(
        st.sampled_from([NUL, "\x01", "\x1b", "\r", "\n", "<", ">", "&", '"', ";", ",", "\ufeff", "\u2028"]),
        st.characters(codec="utf-8"),
    ),
    max_size=40,
)
dates = st.one_of(
    st.sampled_from([BAD_DATE, "9999-12-31T23:59:59-14:00", "0000-01-01", "2026-13-45", "", "someday"]),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    nasty_text,
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | nasty_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(nasty_text, inner, max_size=3),
    max_leaves=10,
)

_STORE: Store | None = None


def _store() -> Store:
    global _STORE
    if _STORE is None:
        _STORE = Store("sqlite://")
    return _STORE


def _check(items: Iterable[Any]) -> list[Any]:
    """The invariants of what a parser yields, once through the edge check every pipeline applies
    (`storable`): records or dead letters, each serialisable, and the records storable as they are
    (a NUL or an unrepresentable date would fail the write)."""
    out = list(storable(items, "fuzz"))
    records: list[Document] = []
    dead: list[DeadLetter] = []
    for item in out:
        assert isinstance(item, Record), f"a parser yielded {type(item).__name__}"
        json.loads(item.to_json())
        if isinstance(item, DeadLetter):
            dead.append(item)
            continue
        for name, value in item:
            assert not (isinstance(value, str) and NUL in value), f"{name} keeps a NUL"
            if hasattr(value, "astimezone"):
                value.astimezone(UTC)
        if isinstance(item, Document):
            records.append(item)
    # The store takes them as they are: no store-level dead letter for any of them.
    assert _store().store_batch(Batch(documents=records, dead_letters=dead)) == []
    return out


def _file(suffix: str, content: bytes) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(content)
        yield path


# -- RSS / Atom / JSON Feed ----------------------------------------------------------------------


@st.composite
def json_feeds(draw: st.DrawFn) -> bytes:
    item = st.fixed_dictionaries(
        {},
        optional={
            "id": st.one_of(nasty_text, st.integers()),
            "title": st.one_of(nasty_text, json_values),
            "content_text": nasty_text,
            "content_html": nasty_text,
            "summary": nasty_text,
            "url": st.one_of(nasty_text, st.just("javascript:alert(1)"), st.just("/relative")),
            "date_published": dates,
            "date_modified": st.one_of(dates, json_values),
            "tags": json_values,
        },
    )
    feed = {
        "version": draw(
            st.sampled_from(["https://jsonfeed.org/version/1.1", "https://jsonfeed.org/version/1"])
        ),
        "title": draw(st.one_of(nasty_text, json_values)),
        "items": draw(st.lists(st.one_of(item, json_values), max_size=4)),
    }
    return json.dumps(feed).encode()


@st.composite
def xml_feeds(draw: st.DrawFn) -> bytes:
    def text() -> str:
        raw = draw(nasty_text)
        return escape(raw) if draw(st.booleans()) else raw  # sometimes not escaped: broken XML

    items = "".join(
        f"<item><guid>{text()}</guid><title>{text()}</title><description>{text()}</description>"
        f"<pubDate>{text()}</pubDate><link>{text()}</link></item>"
        for _ in range(draw(st.integers(0, 3)))
    )
    if draw(st.booleans()):
        return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{text()}</title>{items}</channel></rss>'.encode(
            draw(st.sampled_from(["utf-8", "latin-1"])), errors="replace"
        )
    entries = "".join(
        f"<entry><id>{text()}</id><title type='html'>{text()}</title><updated>{text()}</updated>"
        f"<content type='html'>{text()}</content></entry>"
        for _ in range(draw(st.integers(0, 3)))
    )
    return f'<feed xmlns="http://www.w3.org/2005/Atom"><title>{text()}</title>{entries}</feed>'.encode()


FEED_CORPUS = [
    b'{"version": "https://jsonfeed.org/version/1.1", "items": [' + deep_json().encode() + b"]}",
    json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "items": [{"id": "x", "tags": json.loads(deep_json(500))}],
        }
    ).encode(),
    json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "items": [{"id": "d", "title": "T", "date_published": BAD_DATE}],
        }
    ).encode(),
    json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "n", "title": "A\x00B"}]}
    ).encode(),
    b'<rss version="2.0"><channel><item><title>A&#0;B</title><description>x\x00y</description></item></channel></rss>',
    b'<rss version="2.0"><channel><item><title>T</title><pubDate>Mon, 01 Jan 0001 00:00:00 +1400</pubDate></item></channel></rss>',
    gzip.compress(b"\0" * 5_000_000),  # a bomb saved as a feed file
    gzip.compress(gzip.compress(b"<rss>" * 100_000)),
]


@FUZZ
@given(st.one_of(json_feeds(), xml_feeds(), st.binary(max_size=300)))
@example(FEED_CORPUS[0])
@example(FEED_CORPUS[1])
@example(FEED_CORPUS[2])
@example(FEED_CORPUS[3])
@example(FEED_CORPUS[4])
@example(FEED_CORPUS[5])
@example(FEED_CORPUS[6])
@example(FEED_CORPUS[7])
def test_feed_parser(content: bytes) -> None:
    try:
        parsed = parse_feed(content, "fuzz")
    except FeedError:
        pass
    else:
        assert isinstance(parsed.entries, list)
    # The whole source, from a saved file (the gzip sniffing and the entry -> Document step too).
    for path in _file(".xml", content):
        _check(RssSource([str(path)], max_bytes=1_000_000).read())


# -- documents JSON Lines --------------------------------------------------------------------------

document_lines = st.lists(
    st.one_of(
        st.fixed_dictionaries(
            {"id": st.one_of(nasty_text, st.integers(), json_values)},
            optional={
                "title": st.one_of(nasty_text, json_values),
                "text": nasty_text,
                "published_at": st.one_of(dates, json_values),
                "url": nasty_text,
                "events": json_values,
            },
        ).map(json.dumps),
        nasty_text,
    ),
    max_size=5,
).map(lambda lines: "\n".join(lines).encode("utf-8", errors="surrogatepass"))


@FUZZ
@given(st.one_of(document_lines, st.binary(max_size=300)))
@example(deep_json().encode() + b"\n" + json.dumps({"id": "a", "title": "ok"}).encode())
@example(json.dumps({"id": "a", "title": "T", "published_at": BAD_DATE}).encode())
@example(json.dumps({"id": "a\x00", "title": "T\x00"}).encode())
@example(b'{"id": "a", "title": ' + deep_json(200).encode() + b"}")
def test_documents_parser(content: bytes) -> None:
    _check(iter_documents(io.BytesIO(content).readlines(), "documents:fuzz"))


# -- CSV exports: CRM accounts, contacts, opportunities, job changes -----------------------------------

HEADERS = {
    "accounts": ["account_id", "name", "domain", "owner", "industry", "country"],
    "contacts": ["contact_id", "first_name", "last_name", "email", "title", "account_id"],
    "opportunities": [
        "opportunity_id",
        "account_id",
        "name",
        "stage",
        "amount",
        "close_date",
        "created_date",
    ],
    "job_changes": ["person", "new_title", "new_company", "previous_company", "date", "url"],
}


@st.composite
def csv_exports(draw: st.DrawFn, kind: str) -> bytes:
    header = HEADERS[kind]
    cell = st.one_of(nasty_text, dates, st.sampled_from(["1e400", "-0", "$1,000,000", "TRUE", "Closed Won"]))
    rows = draw(st.lists(st.lists(cell, min_size=len(header) - 1, max_size=len(header) + 1), max_size=5))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])), errors="replace")


CSV_CORPUS = {
    "accounts": "account_id,name\nA1,Acme\x00 Robotics\nA2,Globex\n",
    "contacts": "contact_id,first_name,last_name,email,account_id\nC1,Jane\x00,Doe,j@x.example,A1\n",
    "opportunities": f"opportunity_id,account_id,name,close_date,amount\nO1,A1,Deal,{BAD_DATE},1e400\n",
    "job_changes": f"person,new_title,new_company,date\nJane Doe,CMO,Acme,{BAD_DATE}\nRaj,CFO\x00,Initech,2025-03-02\n",
}
SOURCES = {
    "accounts": AccountsCsvSource,
    "contacts": ContactsCsvSource,
    "opportunities": OpportunitiesCsvSource,
    "job_changes": JobChangesSource,
}


@pytest.mark.parametrize("kind", sorted(HEADERS))
def test_csv_parsers(kind: str) -> None:
    @FUZZ
    @given(st.one_of(csv_exports(kind), st.binary(max_size=200)))
    @example(CSV_CORPUS[kind].encode())
    @example(b"\x00\x00\x00")
    def run(content: bytes) -> None:
        for path in _file(".csv", content):
            # ConfigError: headers it can't recognise, the one whole-file error (exit 2).
            with contextlib.suppress(ConfigError):
                _check(SOURCES[kind](path).read())

    run()


@FUZZ
@given(
    st.lists(
        st.one_of(
            st.dictionaries(
                st.sampled_from(["id", "person", "name", "title", "company", "changed_at", "url"]),
                st.one_of(nasty_text, dates, json_values),
            ).map(json.dumps),
            nasty_text,
        ),
        max_size=5,
    ).map(lambda lines: "\n".join(lines).encode("utf-8", errors="surrogatepass"))
)
@example(json.dumps({"person": "Jane Doe", "company": "Acme", "changed_at": BAD_DATE}).encode())
@example(deep_json().encode())
@example(json.dumps({"person": "Jane\x00 Doe", "company": "Acme"}).encode())
def test_job_changes_jsonl_parser(content: bytes) -> None:
    for path in _file(".jsonl", content):
        _check(JobChangesSource(path).read())


# -- SEC EDGAR -------------------------------------------------------------------------------------


@st.composite
def edgar_atom(draw: st.DrawFn) -> bytes:
    entries = "".join(
        "<entry>"
        f"<title>{escape(draw(nasty_text))}</title>"
        f"<link href='https://www.sec.gov/Archives/edgar/data/1/{draw(st.sampled_from(['0000950137-05-004969', 'x']))}-index.htm'/>"
        f"<updated>{escape(draw(dates))}</updated>"
        f"<category term='{escape(draw(st.sampled_from(['8-K', 'D', ''])))}'/>"
        f"<id>urn:tag:sec.gov,2008:accession-number={draw(st.sampled_from(['0000950137-05-004969', '']))}</id>"
        "</entry>"
        for _ in range(draw(st.integers(0, 3)))
    )
    return f'<feed xmlns="http://www.w3.org/2005/Atom">{entries}</feed>'.encode(errors="replace")


@FUZZ
@given(st.one_of(edgar_atom(), st.binary(max_size=200)))
@example(
    b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>accession-number=0000950137-05-004969</id>'
    b"<updated>" + BAD_DATE.encode() + b"</updated></entry></feed>"
)
def test_edgar_feed_parser(content: bytes) -> None:
    try:
        entries = parse_atom(content)
    except FilingReadError:
        return
    for entry in entries:
        entry.updated.astimezone(UTC)


@st.composite
def submissions(draw: st.DrawFn) -> bytes:
    header = (
        "<SEC-DOCUMENT>\n<SEC-HEADER>\n"
        f"ACCESSION NUMBER:\t\t{draw(st.sampled_from(['0000950137-05-004969', '', 'x']))}\n"
        f"CONFORMED SUBMISSION TYPE:\t{draw(st.sampled_from(['8-K', 'D', 'D/A', '10-K', '']))}\n"
        f"ITEM INFORMATION:\t\t{draw(nasty_text)}\n"
        f"ACCEPTANCE-DATETIME:\t{draw(st.sampled_from(['20261125090000', '99999999999999', '', 'x']))}\n"
        f"FILED AS OF DATE:\t\t{draw(st.sampled_from(['20261125', '00000000', '']))}\n"
        f"COMPANY CONFORMED NAME:\t\t{draw(nasty_text)}\nCENTRAL INDEX KEY:\t\t{draw(nasty_text)}\n"
        "</SEC-HEADER>\n"
    )
    body = draw(nasty_text)
    form_d = (
        "<edgarSubmission><primaryIssuer><entityName>"
        + escape(draw(nasty_text))
        + "</entityName></primaryIssuer><offeringData><offeringSalesAmounts><totalOfferingAmount>"
        + escape(draw(st.sampled_from(["1000", "Indefinite", "1e400", "-5", ""])))
        + "</totalOfferingAmount><totalAmountSold>"
        + escape(draw(nasty_text))
        + "</totalAmountSold></offeringSalesAmounts></offeringData></edgarSubmission>"
    )
    document = (
        f"<DOCUMENT>\n<TYPE>{draw(st.sampled_from(['8-K', 'D', 'EX-99.1']))}\n<TEXT>\n"
        f"{draw(st.sampled_from([form_d, '<html><body>Item 5.02 ' + escape(body) + '</body></html>', body]))}\n"
        "</TEXT>\n</DOCUMENT>\n"
    )
    return (header + document + "</SEC-DOCUMENT>\n").encode("utf-8", errors="replace")


@FUZZ
@given(st.one_of(submissions(), st.binary(max_size=300)))
@example(
    b"<edgarSubmission>"
    + deep_json(50).replace("[", "<a>").replace("]", "</a>").encode()
    + b"</edgarSubmission>"
)
@example(b"ACCESSION NUMBER: 0000950137-05-004969\nCONFORMED SUBMISSION TYPE: 8-K\n\x00\x00")
@example(  # "²" passes str.isdigit() and fails int(): found by this test
    b"<SEC-DOCUMENT>\nACCESSION NUMBER:\t0000950137-05-004969\nCONFORMED SUBMISSION TYPE:\t8-K\n"
    b"FILED AS OF DATE:\t20261125\nCENTRAL INDEX KEY:\t\xc2\xb2\n<DOCUMENT>\n<TYPE>8-K\n<TEXT>\n"
    b"<edgarSubmission><offeringData><offeringSalesAmounts><totalOfferingAmount>\xc2\xb2</totalOfferingAmount>"
    b"</offeringSalesAmounts></offeringData></edgarSubmission>\n</TEXT>\n</DOCUMENT>\n</SEC-DOCUMENT>\n"
)
def test_edgar_filing_parser(content: bytes) -> None:
    try:
        documents, _ = filing_documents(content, name="fuzz.txt")
    except FilingReadError:
        return
    _check(documents)
