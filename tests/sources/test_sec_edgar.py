"""The sec_edgar source: real EDGAR filings become structured events; fair access is enforced.

Two kinds of input: small real excerpts in tests/cases/sources/edgar/ (always run; origins in the
README there) and the full sample set in ../shared/edgar (run when it is there). HTTP goes through
httpx.MockTransport; nothing here reaches the internet.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from matchers import AccountIndex
from pipelines.commands.cli import main
from pipelines.core.dedup import deduplicate
from schemas import Account, DeadLetter, Document, TriggerEvent
from schemas.errors import ConfigError
from sinks.store import Store
from sources.edgar_filings import (
    agreement_kind,
    filing_documents,
    item_number,
    parse_atom,
)
from sources.sec_edgar import RateLimiter, SecEdgarSource, check_user_agent
from sources.state import MemoryFeedState

CASES = Path(__file__).resolve().parents[1] / "cases" / "sources" / "edgar"
UA = "Acme Research ops@acme.example"
FIXED = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def events_of(docs: list[Document]) -> list[TriggerEvent]:
    return [e for d in docs for e in d.events]


def read_case(name: str) -> tuple[list[Document], dict[str, int]]:
    return filing_documents((CASES / name).read_bytes(), name=name)


# -- parsing real filings (excerpts kept in tests/cases) ------------------------------------------


def test_a_form_d_amendment_is_one_funding_event_with_the_amount_sold() -> None:
    docs, _ = read_case("0001398344-24-000491.nc")
    [event] = events_of(docs)
    assert (
        event.type == "funding_round" and event.company == "INVESTURE OPPORTUNITY FUND, LP"
    )  # as the form writes it
    assert event.amount == 561_224_695 and event.currency == "USD"
    assert (
        event.filing is not None and event.filing.offering_indefinite and event.filing.total_offering is None
    )
    assert event.filing.is_amendment and event.filing.previous_accession == "0001398344-18-000523"
    assert (
        event.filing.file_number == "021-67023" and event.filing.cik == "0001296490"
    )  # the issuer; the accession names its filing agent
    assert (
        event.url
        == "https://www.sec.gov/Archives/edgar/data/1296490/000139834424000491/0001398344-24-000491-index.htm"
    )
    assert event.evidence in docs[0].content


def test_a_form_d_keeps_offering_date_industry_and_people() -> None:
    docs, _ = read_case("0001745524-18-000001.txt")
    [event] = events_of(docs)
    facts = event.filing
    assert facts is not None
    assert event.amount == 0 and facts.total_offering == 25_000_000 and facts.first_sale_yet_to_occur
    assert facts.industry_group == "Pooled Investment Fund" and facts.fund_type == "Private Equity Fund"
    assert facts.issuer_address and "ORLANDO" in facts.issuer_address.upper()
    assert facts.related_persons and all("(" in p for p in facts.related_persons)
    assert event.published_at == datetime(2018, 7, 5, 15, 48, 12, tzinfo=UTC)  # 11:48:12 EDT


def test_an_amendment_restates_the_event_instead_of_adding_one(tmp_path: Path) -> None:
    original = (CASES / "0001745524-18-000001.txt").read_text(encoding="latin-1")
    # The same offering amended a year later (the real filing, edited here: new accession, D/A, sold).
    amended = (
        original.replace("0001745524-18-000001", "0001745524-19-000002")
        .replace("CONFORMED SUBMISSION TYPE:\tD", "CONFORMED SUBMISSION TYPE:\tD/A")
        .replace("<ACCEPTANCE-DATETIME>20180705114812", "<ACCEPTANCE-DATETIME>20190705114812")
        .replace("<isAmendment>false</isAmendment>", "<isAmendment>true</isAmendment>")
        .replace("<totalAmountSold>0</totalAmountSold>", "<totalAmountSold>4000000</totalAmountSold>")
    )
    [first] = events_of(filing_documents(original)[0])
    [second] = events_of(filing_documents(amended)[0])
    assert first.event_id == second.event_id and second.amount == 4_000_000
    assert [
        (e.event_id, e.amount, e.document_id) for e in deduplicate([first, second], known=[first.event_id])
    ] == [(second.event_id, 4_000_000, second.document_id)]

    store = Store(f"sqlite:///{tmp_path / 'edgar.db'}")
    try:
        store.upsert_events([first])
        store.upsert_events([second])
        [stored] = store.events()
        assert stored.amount == 4_000_000 and stored.filing == second.filing  # the facts are kept
        docs = filing_documents(amended)[0] + [Document(id="news", title="no events")]
        store.upsert_documents(docs)
        assert sorted(store.documents(), key=lambda d: d.id) == sorted(docs, key=lambda d: d.id)
    finally:
        store.close()


def test_an_8k_5_02_appointment_names_person_title_and_role() -> None:
    docs, _ = read_case("0000950137-05-004969.txt")
    [event] = events_of(docs)
    assert (event.type, event.person, event.title, event.role) == (
        "executive_hire",
        "Thomas J. Ridge",
        "Class I director",
        "board",
    )
    assert event.filing is not None and event.filing.items == ["5.02"]
    assert "elected Thomas J. Ridge to serve as a Class I director" in event.evidence
    assert event.evidence in docs[0].content


def test_an_8k_5_02_resignation_is_a_departure() -> None:
    docs, _ = read_case("0001628280-25-058337_excerpt.txt")
    [event] = events_of(docs)
    assert (event.type, event.person, event.role) == ("executive_departure", "Dina Powell McCormick", "board")
    assert event.company == "Meta Platforms, Inc."  # as the cover page's inline XBRL writes it


def test_an_8k_2_05_is_layoffs_and_its_press_release_goes_to_the_detector() -> None:
    docs, counts = read_case("0001275287-05-000682.txt")
    [event] = events_of(docs)
    assert event.type == "layoffs" and "restructuring" in event.evidence
    release = [d for d in docs if not d.events]
    assert [d.id for d in release] == ["sec:0001275287-05-000682:EX-99.1"] and counts["press_releases"] == 1
    assert release[0].url == event.url  # the filing's index page


def test_item_numbers_from_descriptions_in_every_wording() -> None:
    assert item_number("Departure of Directors or Principal Officers; Election of Directors") == "5.02"
    assert item_number("Cost Associated with Exit or Disposal Activities") == "2.05"
    assert item_number("Acquisition or disposition of assets") == "2.01"
    assert item_number("Item 1.01: Entry into a Material Definitive Agreement") == "1.01"
    assert item_number("<ITEMS>5.02") == "5.02"


def test_item_headings_are_told_from_references_to_items() -> None:
    from sources.edgar_filings import split_items

    text = (
        "Item 2.01 Completion of Acquisition or Disposition of Assets. On June 7, the merger under the "
        "Entry into a Material Definitive Agreement reported in Item 1.01 of our report was completed. "
        "The information in Item 2.02 of this Current Report is furnished. "
        "Item 9.01 Financial Statements and Exhibits. (d) Exhibits. SIGNATURES By: /s/ A. Person"
    )
    sections = split_items(text)
    assert list(sections) == ["2.01", "9.01"]
    assert sections["2.01"].startswith("On June 7") and "SIGNATURES" not in sections["9.01"]


def test_a_1_01_is_a_partnership_only_for_a_commercial_agreement() -> None:
    assert (
        agreement_kind("On May 1, the Company entered into a Credit Agreement with the lenders.")
        == "financing"
    )
    assert (
        agreement_kind("The Company entered into an Agreement and Plan of Merger with Beta Inc.") == "merger"
    )
    assert (
        agreement_kind("The Company entered into a License and Collaboration Agreement with Gamma.")
        == "commercial"
    )
    assert agreement_kind("The Company entered into an Employment Agreement with its CEO.") == "financing"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "On March 1, 2026, the Board appointed John Smith, age 52, as Chief Operating Officer, effective April 1.",
            [("executive_hire", "John Smith", "Chief Operating Officer")],
        ),
        (
            "Jane Doe was appointed President and Chief Executive Officer of the Company on May 2, 2026.",
            [("executive_hire", "Jane Doe", "President and Chief Executive Officer")],
        ),
        (
            "The Company announced the appointment of Ann Lee as Chief Technology Officer.",
            [("executive_hire", "Ann Lee", "Chief Technology Officer")],
        ),
        (
            "On May 2, 2026, the Company announced the retirement of John Roe as Chief Financial Officer.",
            [("executive_departure", "John Roe", "Chief Financial Officer")],
        ),
        (
            "On May 2, 2026, Mary Major notified the Board of her decision to retire as Chief Executive Officer.",
            [("executive_departure", "Mary Major", "Chief Executive Officer")],
        ),
        (
            "On June 1, 2026, Paul Poe resigned from his position as Chief Revenue Officer.",
            [("executive_departure", "Paul Poe", "Chief Revenue Officer")],
        ),
        ("The Board approved base salaries for the named executive officers.", []),
        ("Mr. Smith will receive an annual base salary of $500,000 as Chief Operating Officer.", []),
    ],
)
def test_5_02_wordings_we_write(sentence: str, expected: list[tuple[str, str, str]]) -> None:
    from sources.edgar_filings import executive_moves

    assert [(m.type, m.person, m.title) for m in executive_moves(sentence, "Acme Corp")] == expected


def test_the_atom_feed_gives_each_filing_once_with_its_items() -> None:
    entries = parse_atom((CASES / "getcurrent_8-K_items_excerpt.atom.xml").read_bytes())
    lyra = next(e for e in entries if e.cik == "0001327273")
    assert lyra.form == "8-K" and lyra.items == ("2.05", "5.02", "8.01")
    assert lyra.updated == datetime(2026, 1, 12, 12, 30, 26, tzinfo=UTC)
    mixed = parse_atom((CASES / "getcurrent_excerpt.atom.xml").read_bytes())
    assert [e.form for e in mixed] == ["13F-HR", "D", "4"]  # the Form 4's two entries are one filing


# -- every sample in ../shared/edgar --------------------------------------------------------------

# file -> the events it must give: (type, company, person, title, amount)
SHARED_FORM_D = {
    "formd/D_1685-38th-REIT_2023-01-27_primary_doc.xml": 125_000,
    "formd/D_AP-Fund-IV_2023-01-30_primary_doc.xml": 659_752,
    "formd/D-A_Shepherds-Finance_2023-01-31_primary_doc.xml": 5_725_051,
    "formd/D_Diffusion-Pharmaceuticals_primary_doc.xml": 1_029_908,
    "formd/D_Upshot-Real-Estate-Fund-II_2018-07-05_0001745524-18-000001.txt": 0,
    "formd/D_Gabelli-International-Gold-Fund_2009-03-16_0000919574-09-006093.txt": 500_000,
    "formd/D_VEPF-VIII-Co-Invest-4-A_2024-01-11_0002002260-24-000001.nc": 0,
    "formd/D-A_Investure-Opportunity-Fund_2024-01-11_0001398344-24-000491.nc": 561_224_695,
}
SHARED_8K: dict[str, list[tuple[str, str | None, str | None]]] = {
    # (type, person, title); an empty list: the filing's items state no trigger
    "8k/1995-12-06_Cisco-Systems_0000891618-95-000727/0000891618-95-000727.txt": [
        ("acquisition", None, None)
    ],
    "8k/2005-02-23_Pericom-Semiconductor_0001275287-05-000682/1001426_8K_2005_0001275287-05-000682.txt": [
        ("layoffs", None, None)
    ],
    "8k/2005-04-27_Exelon_0000950137-05-004969/0000950137-05-004969.txt": [
        ("executive_hire", "Thomas J. Ridge", "Class I director")
    ],
    "8k/2015-06-02_Walt-Disney_0001001039-15-000150/1001039_8K_2015_0001001039-15-000150.htm": [
        ("executive_departure", "James A. Rasulo", "Chief Financial Officer")
    ],
    "8k/2017-04-28_Tyson-Foods_0000100493-17-000074/100493_8K_2017_0000100493-17-000074.htm": [
        ("acquisition", None, None)
    ],
    "8k/2017-06-07_Tyson-Foods_0000950103-17-005541/100493_8K_2017_0000950103-17-005541.htm": [
        ("acquisition", None, None)
    ],
    "8k/2017-12-14_Walt-Disney_0000950157-17-001598/1001039_8K_2017_0000950157-17-001598.htm": [
        ("acquisition", None, None)
    ],
    "8k/2019-02-06_Nuance-Communications_0000950142-19-000172/1002517_8K_2019_0000950142-19-000172.htm": [
        ("acquisition", None, None)
    ],
    "8k/2019-07-10_Oracle_0001193125-19-191922/0001193125-19-191922.txt": [
        ("executive_hire", "Rona Fairhead", "director")
    ],
    "8k/2021-01-22_NetApp_0001193125-21-014704/1002047_8K_2021_0001193125-21-014704.htm": [],  # credit agreement
    "8k/2021-02-04_NetApp_0001564590-21-004336/1002047_8K_2021_0001564590-21-004336.htm": [
        ("executive_hire", "Carrie Palin", "member of the Board")
    ],
    "8k/2023-02-24_BlackRock_0001193125-23-048785/0001193125-23-048785.txt": [
        ("executive_departure", "Gary S. Shedlin", "Chief Financial Officer"),
        ("executive_hire", "Martin Small", "Chief Financial Officer"),
    ],
    "8k/2023-03-06_Nordstrom_0000072333-23-000015/0000072333-23-000015.txt": [],  # pay only
    "8k/2023-03-17_AFC-Gamma_primary-doc/afcgamma.8K.html": [
        ("executive_departure", "Brett Kaufman", "Chief Financial Officer and Treasurer"),
        ("executive_hire", "Brandon Hetzel", "Chief Financial Officer and Treasurer"),
    ],
    "8k/2024-03-08_3M_0000066740-24-000023/0000066740-24-000023.txt": [],  # 8.01 + EX-99.1
    "8k/2024-12-27_1895-Bancorp-of-Wisconsin_0000943374-24-000509/0000943374-24-000509.txt": [],  # pay only
    "8k/2025-01-08_Acorn-Energy_0001493152-25-001317/0001493152-25-001317.nc": [],  # consulting terms
    "8k/2025-04-15_ABVC-BioPharma_0001213900-25-032135/0001213900-25-032135.txt": [],  # results
    "8k/2025-12-19_Meta-Platforms_0001628280-25-058337/0001628280-25-058337.txt": [
        ("executive_departure", "Dina Powell McCormick", "member of the Board of Directors")
    ],
    "8k/2026-03-06_NVIDIA_0001045810-26-000024/0001045810-26-000024.txt": [],  # pay plan only
    "8k/2026-06-25_JPMorgan-Chase_0000019617-26-000241/0000019617-26-000241.txt": [
        ("executive_hire", "Doug Petno", "Co-Presidents"),
        ("executive_hire", "Troy Rohrbaugh", "Co-Presidents"),
        ("executive_departure", "Marianne Lake", "CEO of CCB"),
    ],
}


@pytest.mark.parametrize("name", sorted(SHARED_FORM_D))
def test_every_shared_form_d_is_one_funding_event_with_the_right_amount(shared: Path, name: str) -> None:
    path = shared / "edgar" / name
    docs, _ = filing_documents(path.read_bytes(), name=path.name)
    [event] = events_of(docs)
    assert event.type == "funding_round" and event.amount == SHARED_FORM_D[name] and event.currency == "USD"
    assert event.evidence in docs[0].content


@pytest.mark.parametrize("name", sorted(SHARED_8K))
def test_every_shared_8k_item_gives_the_right_event(shared: Path, name: str) -> None:
    path = shared / "edgar" / name
    docs, _ = filing_documents(path.read_bytes(), name=path.name)
    found = events_of(docs)
    assert [(e.type, e.person, e.title) for e in found] == SHARED_8K[name]
    for event in found:
        doc = next(d for d in docs if event in d.events)
        assert event.evidence in doc.content and event.company


def test_press_releases_in_the_shared_8ks_are_plain_documents(shared: Path) -> None:
    with_release = [
        "8k/2019-07-10_Oracle_0001193125-19-191922/0001193125-19-191922.txt",
        "8k/2024-03-08_3M_0000066740-24-000023/0000066740-24-000023.txt",
        "8k/2025-04-15_ABVC-BioPharma_0001213900-25-032135/0001213900-25-032135.txt",
    ]
    for name in with_release:
        docs, _ = filing_documents((shared / "edgar" / name).read_bytes())
        releases = [d for d in docs if d.id.endswith(":EX-99.1")]
        assert len(releases) == 1 and not releases[0].events and releases[0].text


# -- the source over HTTP --------------------------------------------------------------------------

FILINGS = {  # accession -> (form, cik, case file) served for the feed below
    "0001745524-18-000001": ("D", "0001745524", "0001745524-18-000001.txt"),
    "0001398344-24-000491": ("D/A", "0001296490", "0001398344-24-000491.nc"),
    "0000950137-05-004969": ("8-K", "0001109357", "0000950137-05-004969.txt"),
    "0001628280-25-058337": ("8-K", "0001326801", "0001628280-25-058337_excerpt.txt"),
}


def atom(entries: list[tuple[str, str, str, str, str]]) -> bytes:
    """A getcurrent feed in EDGAR's own layout (see getcurrent_excerpt.atom.xml) listing the given
    (accession, form, cik, updated, items) filings, newest first. Synthetic: written by this test."""
    parts = ['<?xml version="1.0" encoding="ISO-8859-1" ?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n']
    for accession, form, cik, updated, items in entries:
        lines = "".join(f"\n&lt;br&gt;Item {i}: x" for i in items.split(",") if i)
        folder = accession.replace("-", "")
        parts.append(
            f"<entry>\n<title>{form} - Some Filer ({cik}) (Filer)</title>\n"
            f'<link rel="alternate" type="text/html" href="https://www.sec.gov/Archives/edgar/data/{int(cik)}/'
            f'{folder}/{accession}-index.htm"/>\n<summary type="html">\n &lt;b&gt;Filed:&lt;/b&gt; x'
            f"{lines}\n</summary>\n<updated>{updated}</updated>\n"
            f'<category scheme="https://www.sec.gov/" label="form type" term="{form}"/>\n'
            f"<id>urn:tag:sec.gov,2008:accession-number={accession}</id>\n</entry>\n"
        )
    parts.append("</feed>\n")
    return "".join(parts).encode("latin-1")


FEED_D = atom(
    [
        ("0001398344-24-000491", "D/A", "0001296490", "2024-01-11T16:00:00-05:00", ""),
        ("0001745524-18-000001", "D", "0001745524", "2024-01-11T09:00:00-05:00", ""),
    ]
)
FEED_8K = atom(
    [
        ("0001628280-25-058337", "8-K", "0001326801", "2025-12-19T16:05:00-05:00", "5.02"),
        ("0000000000-25-000001", "8-K", "0000000001", "2025-12-19T16:00:00-05:00", "2.02,9.01"),
        ("0000950137-05-004969", "8-K", "0001109357", "2025-12-19T08:00:00-05:00", "5.02"),
    ]
)


class Edgar:
    """A MockTransport EDGAR: the feeds above, the case filings, company_tickers.json; `override`
    answers chosen URLs differently (a list of responses, used in turn)."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.override: dict[str, list[httpx.Response]] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        url = str(request.url)
        for key, answers in self.override.items():
            if key in url and answers:
                return answers.pop(0)
        if "/cgi-bin/browse-edgar" in url:
            return httpx.Response(200, content=FEED_D if request.url.params["type"] == "D" else FEED_8K)
        if url.endswith("company_tickers.json"):
            return httpx.Response(200, content=(CASES / "company_tickers_excerpt.json").read_bytes())
        for accession, (_form, _cik, case) in FILINGS.items():
            if url.endswith(f"/{accession}.txt"):
                return httpx.Response(200, content=(CASES / case).read_bytes())
        return httpx.Response(403, content=(CASES / "full-index_missing_403_AccessDenied.xml").read_bytes())

    def urls(self) -> list[str]:
        return [str(r.url) for r in self.requests]


def source(
    edgar: Edgar, state: MemoryFeedState, sleeps: list[float] | None = None, **kw: object
) -> SecEdgarSource:
    waits = sleeps if sleeps is not None else []
    return SecEdgarSource(
        user_agent=UA,
        state=state,
        client=httpx.Client(transport=httpx.MockTransport(edgar)),
        sleep=waits.append,
        limiter=RateLimiter(10, sleep=waits.append, monotonic=lambda: 0.0),
        clock=lambda: FIXED,
        **kw,  # type: ignore[arg-type]
    )


def test_new_filings_are_fetched_once_and_a_rerun_fetches_nothing_new() -> None:
    edgar, state = Edgar(), MemoryFeedState()
    first = list(source(edgar, state).read())
    assert not [i for i in first if isinstance(i, DeadLetter)]
    events = events_of([d for d in first if isinstance(d, Document)])
    assert sorted((e.type, e.company) for e in events) == [
        ("executive_departure", "Meta Platforms, Inc."),
        ("executive_hire", "EXELON CORP"),  # company_tickers.json's name: older filings have no XBRL
        ("funding_round", "INVESTURE OPPORTUNITY FUND, LP"),
        ("funding_round", "Upshot Real Estate Fund II, LP"),
    ]
    assert all(r.headers["User-Agent"] == UA for r in edgar.requests)
    fetched = [u for u in edgar.urls() if u.endswith(".txt")]
    assert len(fetched) == 4 and not any("0000000000-25-000001" in u for u in fetched)  # 2.02 only: skipped
    meta = next(e for e in events if e.person == "Dina Powell McCormick")
    assert meta.filing is not None and meta.filing.tickers == ["META"]

    edgar.requests.clear()
    again = list(source(edgar, state).read())
    assert again == [] and all("browse-edgar" in u for u in edgar.urls())  # the feeds only


def test_a_failed_filing_is_a_dead_letter_and_is_fetched_again_next_run() -> None:
    edgar, state = Edgar(), MemoryFeedState()
    edgar.override["0001745524-18-000001.txt"] = [httpx.Response(503) for _ in range(5)]  # EDGAR down
    first = list(source(edgar, state).read())
    dead = [i for i in first if isinstance(i, DeadLetter)]
    assert len(dead) == 1 and "0001745524-18-000001" in dead[0].payload
    edgar.requests.clear()
    second = list(source(edgar, state).read())
    fetched = [u for u in edgar.urls() if u.endswith(".txt")]
    # the failed (older) filing and the newer one after it in the same feed; the 8-Ks were done
    assert sorted(u.rsplit("/", 1)[1] for u in fetched) == [
        "0001398344-24-000491.txt",
        "0001745524-18-000001.txt",
    ]
    assert not [i for i in second if isinstance(i, DeadLetter)]


def test_a_missing_filing_is_a_dead_letter_once_and_the_cursor_moves_on() -> None:
    edgar, state = Edgar(), MemoryFeedState()
    edgar.override["0001745524-18-000001.txt"] = [httpx.Response(404)]
    first = list(source(edgar, state).read())
    [dead] = [i for i in first if isinstance(i, DeadLetter)]
    assert "not asked again" in dead.error
    edgar.requests.clear()
    assert list(source(edgar, state).read()) == []
    assert not [u for u in edgar.urls() if u.endswith(".txt")]


def test_throttling_403_waits_then_resumes_and_5xx_is_retried() -> None:
    edgar, state, sleeps = Edgar(), MemoryFeedState(), list[float]()
    page = (CASES / "rate-exceeded_403-page.html").read_bytes()
    edgar.override["0000950137-05-004969.txt"] = [httpx.Response(403, content=page)]
    edgar.override["0001628280-25-058337.txt"] = [
        httpx.Response(503),
        httpx.Response(429, headers={"Retry-After": "7"}),
    ]
    items = list(source(edgar, state, sleeps, forms=["8-K"]).read())
    assert not [i for i in items if isinstance(i, DeadLetter)]
    assert 600.0 in sleeps and 7.0 in sleeps  # the SEC's ten minutes; the server's Retry-After
    assert len([e for d in items if isinstance(d, Document) for e in d.events]) == 2


def test_a_missing_file_403_is_not_throttling() -> None:
    edgar, state, sleeps = Edgar(), MemoryFeedState(), list[float]()
    edgar.override["0000950137-05-004969.txt"] = [
        httpx.Response(403, content=(CASES / "full-index_missing_403_AccessDenied.xml").read_bytes())
    ]
    items = list(source(edgar, state, sleeps, forms=["8-K"]).read())
    assert len([i for i in items if isinstance(i, DeadLetter)]) == 1 and 600.0 not in sleeps


def test_the_rate_limit_holds_across_sources_sharing_the_process_limiter() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(10, sleep=sleep, monotonic=lambda: now[0])
    for _ in range(21):
        limiter.wait()
    assert now[0] == pytest.approx(2.0)  # 21 requests at 10/s take 2 seconds


@pytest.mark.parametrize("value", [None, "", "buysignal", "ops@acme.example"])
def test_a_user_agent_without_a_name_and_an_email_is_refused(
    value: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BUYSIGNAL_SEC_USER_AGENT", raising=False)
    with pytest.raises(ConfigError, match="User-Agent"):
        check_user_agent(value)
    assert check_user_agent(UA) == UA


def test_a_run_without_a_user_agent_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BUYSIGNAL_SEC_USER_AGENT", raising=False)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[store]\nurl = "sqlite:///{tmp_path / "x.db"}"\n[output]\ndir = "{tmp_path / "out"}"\n'
        '[[sources]]\ntype = "sec_edgar"\nforms = ["D"]\n',
        encoding="utf-8",
    )
    assert main(["run", "--config", str(config)]) == 2
    assert "User-Agent" in capsys.readouterr().err


def test_offline_files_need_no_user_agent_and_bad_files_are_dead_letters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BUYSIGNAL_SEC_USER_AGENT", raising=False)
    src = SecEdgarSource(
        files=[str(CASES / "0000950137-05-004969.txt"), str(CASES / "rate-exceeded_403-page.html")],
        tickers_file=str(CASES / "company_tickers_excerpt.json"),
    )
    items = list(src.read())
    assert [type(i).__name__ for i in items] == ["Document", "DeadLetter"]
    doc = items[0]
    assert isinstance(doc, Document) and doc.events[0].filing and doc.events[0].filing.tickers == ["EXC"]


def test_tickers_are_cached_for_a_day(tmp_path: Path) -> None:
    edgar, cache = Edgar(), tmp_path / "tickers.json"
    now = [FIXED]

    def run() -> None:
        src = source(edgar, MemoryFeedState(), forms=["8-K"], tickers_cache=str(cache))
        src.clock = lambda: now[0]
        list(src.read())

    run()
    run()
    assert sum(u.endswith("company_tickers.json") for u in edgar.urls()) == 1
    now[0] = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    run()
    assert sum(u.endswith("company_tickers.json") for u in edgar.urls()) == 2


# -- matching by identity ------------------------------------------------------------------------


def test_matching_goes_by_cik_then_ticker_then_name() -> None:
    accounts = [
        Account(account_id="A1", name="JP Morgan", extra={"CIK": "19617"}),
        Account(account_id="A2", name="Meta", extra={"TickerSymbol": "NASDAQ:META"}),
        Account(account_id="A3", name="Exelon Corporation"),
    ]
    index = AccountIndex.build(accounts)
    assert index.match("JPMORGAN CHASE & CO", cik="0000019617").method == "cik"
    by_ticker = index.match("Meta Platforms, Inc.", cik="0001326801", tickers=["META"])
    assert (by_ticker.account_id, by_ticker.method) == ("A2", "ticker")
    by_name = index.match("Exelon Corporation", cik="0001109357", tickers=["EXC"])
    assert by_name.account_id == "A3" and by_name.method not in ("cik", "ticker")


def test_structured_events_skip_the_detector() -> None:
    from pipelines.core import ProcessSettings, TriggerProcessor

    class Detector:
        seen: list[str] = []

        def detect_many(self, docs: list[Document]) -> list[tuple[Document, list[TriggerEvent]]]:
            self.seen.extend(d.id for d in docs)
            return [(d, []) for d in docs]

    filing_docs, _ = read_case("0000950137-05-004969.txt")
    plain = Document(id="news-1", title="Acme raises $5M")
    processor = TriggerProcessor(ProcessSettings())
    detector = Detector()
    processor.detector = detector  # type: ignore[assignment]
    processor.accounts = AccountIndex.build([])
    out = list(processor.detect([filing_docs[0], plain]))
    assert [d.id for d, _ in out] == [filing_docs[0].id, "news-1"] and detector.seen == ["news-1"]
    assert out[0][1] == filing_docs[0].events


def test_documents_and_events_without_filings_serialise_as_before() -> None:
    doc = Document(id="d", title="t")
    assert "events" not in json.loads(doc.to_json())
    event = TriggerEvent(event_id="e", document_id="d", type="ipo", confidence=1, evidence="t")
    assert "filing" not in json.loads(event.to_json())
    docs, _ = read_case("0000950137-05-004969.txt")
    assert Document.model_validate_json(docs[0].to_json()) == docs[0]


def test_structured_events_travel_through_the_stream_topic() -> None:
    from pipelines.runners.stream.worker import decode_document

    docs, _ = read_case("0001628280-25-058337_excerpt.txt")
    decoded = decode_document(docs[0].to_json().encode(), "test", "offset 0", 1_000_000)
    assert decoded == docs[0] and isinstance(decoded, Document) and decoded.events


def test_the_match_command_uses_a_filing_events_cik(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("account_id,name,CIK\nA1,JP Morgan,19617\nA2,Exelon Corporation,\n", encoding="utf-8")
    docs, _ = read_case("0000950137-05-004969.txt")
    lines = [
        json.dumps({"id": "e1", "company": "JPMORGAN CHASE & CO", "cik": "0000019617"}),
        docs[0].events[0].to_json(),  # EXELON CORP, CIK 0001109357: no CIK column value, so by name
    ]
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["match", "--accounts", str(accounts), str(events)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (out[0]["account_id"], out[0]["method"]) == ("A1", "cik")
    assert out[1]["method"] != "cik"


def test_a_feed_that_no_longer_reaches_the_last_stop_says_filings_may_be_missed() -> None:
    from schemas import FeedState

    edgar, state = Edgar(), MemoryFeedState()
    probe = source(edgar, state, forms=["D"], page_size=1, max_pages=1)
    state.set_feed_state(FeedState(url=probe.state_key("D"), last_modified="2020-01-01T00:00:00+00:00"))
    items = list(probe.read())
    [gap] = [i for i in items if isinstance(i, DeadLetter)]
    assert "may be missed" in gap.error and "max_pages" in gap.error
    assert len([i for i in items if isinstance(i, Document)]) == 2  # what the feed still shows is read


def test_paging_is_bounded_by_what_edgar_serves() -> None:
    with pytest.raises(ConfigError, match="max_pages"):
        SecEdgarSource(user_agent=UA, max_pages=51)


def test_classify_writes_a_filings_structured_events_without_the_detector(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import triggers

    read: list[str] = []

    class Detector:
        def detect_many(self, docs: object) -> object:
            for doc in docs:  # type: ignore[attr-defined]
                read.append(doc.id)
                yield doc, []

    monkeypatch.setattr(triggers, "load_detector", lambda *a, **k: Detector())
    docs, _ = read_case("0001275287-05-000682.txt")  # the 2.05 filing and its EX-99.1
    path = tmp_path / "docs.jsonl"
    path.write_text("".join(d.to_json() + "\n" for d in docs), encoding="utf-8")
    assert main(["classify", str(path)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["type"] for e in out] == ["layoffs"] and out[0]["filing"]["items"] == ["2.05", "9.01"]
    assert read == ["sec:0001275287-05-000682:EX-99.1"]  # only the press release went to the detector


def test_ingest_sec_edgar_writes_documents_with_their_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("BUYSIGNAL_SEC_USER_AGENT", raising=False)
    assert main(["ingest", "sec_edgar"]) == 2  # live EDGAR without a User-Agent
    assert "User-Agent" in capsys.readouterr().err
    assert main(["ingest", "sec_edgar", str(CASES / "0001275287-05-000682.txt")]) == 0
    docs = [Document.model_validate_json(line) for line in capsys.readouterr().out.splitlines()]
    assert [len(d.events) for d in docs] == [1, 0]  # the 2.05 filing, then its press release
    assert main(["ingest", "rss"]) == 2  # rss still needs a FEED
