"""AccountIndex: each cascade step, ambiguity, blocking among near-duplicates, aliases, pickling."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from matchers import AccountIndex, load_aliases
from matchers.accounts import MAX_CANDIDATES, MAX_TIE_BREAK
from matchers.base import AccountMatcher
from matchers.normalize import words
from schemas import Account
from schemas.errors import ConfigError

CASES = Path(__file__).resolve().parents[1] / "cases" / "matchers"


def _accounts() -> list[Account]:
    return [
        Account(account_id="ACC-ACME", name="Acme Robotics GmbH", domain="https://www.acme-robotics.de/"),
        Account(account_id="ACC-SMITH", name="SMITH A O CORP"),
        Account(account_id="ACC-ADTRAN", name="ADTRAN Holdings, Inc."),
        Account(account_id="ACC-PHARMA", name="Acadia Pharmaceuticals Inc."),
        Account(account_id="ACC-IBM", name="International Business Machines Corp", domain="ibm.com"),
        Account(account_id="ACC-META", name="Meta Platforms, Inc.", aliases=["Facebook Inc"]),
        Account(account_id="ACC-GOOG", name="Alphabet Inc.", domain="abc.xyz"),
        Account(account_id="ACC-LIBG", name="Liberty Global Ltd"),
        Account(account_id="ACC-LIBM", name="Liberty Media Corp"),
        Account(account_id="ACC-NORD1", name="Nordwind Capital Partners LLC"),
        Account(account_id="ACC-NORD2", name="Nordwind Capital Partners Ltd"),
        Account(account_id="ACC-TEMPL", name="Templeton Emerging Markets Income Fund"),
        Account(account_id="ACC-AVIENT", name="Avient Corp"),
        Account(account_id="ACC-ZEPH-H", name="Zephyra Holdings Inc"),
        Account(account_id="ACC-ZEPH-G", name="Zephyra Group plc"),
    ]


@pytest.fixture(scope="module")
def index() -> AccountIndex:
    return AccountIndex.build(_accounts())


def test_implements_the_protocol(index: AccountIndex) -> None:
    assert isinstance(index, AccountMatcher)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"domain": "acme-robotics.de"}, "ACC-ACME"),
        ({"url": "https://www.acme-robotics.de/press/2026"}, "ACC-ACME"),
        ({"text": "Media contact: Jane Roe, press@acme-robotics.de"}, "ACC-ACME"),
        ({"text": "More at www.acme-robotics.de."}, "ACC-ACME"),
    ],
)
def test_domain_step(index: AccountIndex, kwargs: dict[str, str], expected: str) -> None:
    m = index.match("Acme", event_id="e1", **kwargs)
    assert (m.account_id, m.method, m.event_id) == (expected, "domain", "e1")
    assert m.candidates[0].account_id == expected


def test_domain_step_ignores_news_hosts_and_unrelated_domains(index: AccountIndex) -> None:
    m = index.match("Acme Robotics", url="https://techcrunch.com/2026/11/acme", text="via prnewswire.com")
    assert m.method == "name_exact" and m.account_id == "ACC-ACME"
    # a story on a company's newsroom about another company does not go to the newsroom's owner
    m = index.match("Zyxel Quantum", url="https://acme-robotics.de/news/partner")
    assert m.account_id is None and m.method == "none"
    # the explicit domain argument is the caller's own statement and wins
    assert index.match("Google", domain="abc.xyz").account_id == "ACC-GOOG"


@pytest.mark.parametrize(
    ("mention", "expected"),
    [
        ("Acme Robotics", "ACC-ACME"),
        ("ACME ROBOTICS GMBH", "ACC-ACME"),
        ("Acme Robotics, Inc. - Common Stock", "ACC-ACME"),
        ("A. O. Smith Corporation", "ACC-SMITH"),  # registry word order
        ("AcmeRobotics", "ACC-ACME"),  # spaces dropped
        ("International Business Machines Corporation", "ACC-IBM"),
    ],
)
def test_name_exact_step(index: AccountIndex, mention: str, expected: str) -> None:
    m = index.match(mention)
    assert (m.account_id, m.method, m.ambiguous) == (expected, "name_exact", False)
    assert 0 <= m.score <= 100


def test_alias_step_from_account_aliases_file_and_runtime(tmp_path: Path) -> None:
    aliases = load_aliases(CASES / "aliases.csv")
    assert aliases == {"Big Blue": "ACC-IBM", "Facebook": "ACC-META", "Alphabet, Google's parent": "ACC-GOOG"}
    index = AccountIndex.build(_accounts(), aliases=aliases)
    assert (index.match("Big Blue").account_id, index.match("Big Blue").method) == ("ACC-IBM", "alias")
    assert index.match("Facebook, Inc.").account_id == "ACC-META"  # Account.aliases
    assert index.match("Google").account_id is None
    index.add_alias("Google LLC", "ACC-GOOG")  # an accepted review decision
    m = index.match("Google")
    assert (m.account_id, m.method) == ("ACC-GOOG", "alias")
    with pytest.raises(ValueError, match="ACC-NOPE"):
        index.add_alias("Nope", "ACC-NOPE")


def test_aliases_file_errors_name_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="alias,account_id"):
        load_aliases(CASES / "aliases_bad_header.csv")
    with pytest.raises(ConfigError, match="line 2"):
        load_aliases(CASES / "aliases_empty_field.csv")
    with pytest.raises(ConfigError, match="not found"):
        load_aliases(tmp_path / "missing.csv")


@pytest.mark.parametrize(
    ("mention", "expected"),
    [
        ("Acme Robotcs", "ACC-ACME"),  # a typo in one word, the other spelt right
        ("ADTRAN", "ACC-ADTRAN"),  # structure word ("Holdings") missing
        ("Templeton Emerging Markts Income Fund", "ACC-TEMPL"),
    ],
)
def test_fuzzy_step(index: AccountIndex, mention: str, expected: str) -> None:
    m = index.match(mention)
    assert (m.account_id, m.method) == (expected, "fuzzy")
    assert m.candidates and m.candidates[0].account_id == expected and m.score >= index.threshold


@pytest.mark.parametrize(
    "mention",
    [
        "Acadia Healthcare Company",  # shares the rare word, differs in business
        "Templeton Emerging Markets Fund",  # one word short of a fund's name is another fund
        "Navient",  # one letter from Avient, nothing spelt the same
        "Totally Unknown Widgets",
        "",
        None,
    ],
)
def test_precision_first_no_match(index: AccountIndex, mention: str | None) -> None:
    m = index.match(mention)
    assert m.account_id is None and m.method == "none" and not m.ambiguous


def test_ambiguous_fuzzy_does_not_assign(index: AccountIndex) -> None:
    m = index.match("Zephyra")  # Zephyra Holdings and Zephyra Group fit equally well
    assert m.account_id is None and m.ambiguous and m.method == "fuzzy"
    assert {c.account_id for c in m.candidates[:2]} == {"ACC-ZEPH-H", "ACC-ZEPH-G"}
    assert len(m.candidates) <= 3
    # "Liberty" is in two account names, each with a word of its own: no assignment either
    m = index.match("Liberty")
    assert m.account_id is None and {c.account_id for c in m.candidates[:2]} == {"ACC-LIBG", "ACC-LIBM"}


def test_ambiguous_exact_does_not_assign(index: AccountIndex) -> None:
    m = index.match("Nordwind Capital Partners")
    assert m.account_id is None and m.ambiguous and m.method == "name_exact"
    assert {c.account_id for c in m.candidates} == {"ACC-NORD1", "ACC-NORD2"}


def test_blocking_finds_the_right_account_among_many_near_duplicates() -> None:
    # 3,000 names sharing the words "Vertex", "Capital", "Group", "Systems": the blocking keys of
    # those words are too common to read, so only the rare word leads to the account.
    accounts = [Account(account_id=f"N{i}", name=f"Vertex Capital Group {i} Systems") for i in range(3000)]
    accounts += [
        Account(account_id=f"D{i}", name=f"Vertex Systems {w}") for i, w in enumerate(["Quorra", "Zephyr"])
    ]
    accounts.append(Account(account_id="TARGET", name="Vertex Capital Quillfeather Systems Inc"))
    index = AccountIndex.build(accounts)
    m = index.match("Vertex Capital Quilfeather Systems")  # typo in the rare word
    assert (m.account_id, m.method) == ("TARGET", "fuzzy")
    m = index.match("Vertex Systems Zephyr GmbH")
    assert m.account_id == "D1"
    # the candidate set stays small whatever the index size
    assert len(index._candidates(("vertex", "capital", "group", "systems"))) <= MAX_CANDIDATES


def test_match_many_and_pickle(index: AccountIndex) -> None:
    batch = index.match_many(
        [{"id": "a", "company": "Acme Robotics"}, {"id": "b", "company": "Nobody Ltd"}, "ADTRAN"]
    )
    assert [m.account_id for m in batch] == ["ACC-ACME", None, "ACC-ADTRAN"]
    assert [m.event_id for m in batch] == ["a", "b", ""]
    clone = pickle.loads(pickle.dumps(index))
    assert clone.match("Acme Robotcs") == index.match("Acme Robotcs")


def test_threshold_is_respected() -> None:
    strict = AccountIndex.build(_accounts(), threshold=99.5)
    assert strict.match("Acme Robotcs").account_id is None
    assert strict.match("Acme Robotics").account_id == "ACC-ACME"  # exact steps don't use it


def test_shared_domain_is_decided_by_the_name() -> None:
    index = AccountIndex.build(
        [
            Account(account_id="P", name="Globex Corporation", domain="globex.com"),
            Account(account_id="S", name="Globex Logistics GmbH", domain="https://globex.com"),
        ]
    )
    assert index.match("Globex Logistics", domain="globex.com").account_id == "S"
    m = index.match(None, domain="globex.com")  # no name to decide: both are candidates
    assert m.account_id is None and m.ambiguous and m.method == "domain"
    assert {c.account_id for c in m.candidates} == {"P", "S"}


def test_reordered_twin_names_make_a_tie() -> None:
    index = AccountIndex.build(
        [
            Account(account_id="HG", name="Henderson & Gray Inc."),
            Account(account_id="GH", name="Gray & Henderson Ltd"),
            Account(account_id="X", name="Henderson Pryce LLC"),
        ]
    )
    m = index.match("Hendersen & Gray")  # a typo: fuzzy, and both orders fit equally
    assert m.account_id is None and m.ambiguous
    assert {c.account_id for c in m.candidates[:2]} == {"HG", "GH"}


def test_exact_tie_is_broken_by_the_name_as_written_or_its_qualifier() -> None:
    index = AccountIndex.build(
        [
            Account(account_id="VT-TECH", name="Velmora Tech Inc"),
            Account(account_id="VT-TECHNOLOGIES", name="VELMORA TECHNOLOGIES INC"),
            Account(account_id="CB-PARENT", name="Caldera Bank, S.A."),
            Account(account_id="CB-CHILE", name="Caldera Bank (Chile) S.A."),
            Account(account_id="HB-ME", name="Harlow Bancorp, Inc /ME/"),
            Account(account_id="HB-NC", name="HARLOW BANCORP /NC/"),
        ]
    )
    for mention, expected in [
        ("Velmora Tech, Inc. - Common Stock", "VT-TECH"),  # both expand to "velmora technologies"
        ("Velmora Technologies Inc", "VT-TECHNOLOGIES"),
        ("Caldera Bank (Chile) S.A.", "CB-CHILE"),
        ("Caldera Bank, S.A. Sponsored ADR (Spain)", "CB-PARENT"),  # no account says Spain: the parent
        ("Harlow Bancorp, Inc (ME) - Common Stock", "HB-ME"),
    ]:
        m = index.match(mention)
        assert (m.account_id, m.method, m.ambiguous) == (expected, "name_exact", False), mention
        assert m.candidates[0].account_id == expected and len(m.candidates) == 2
    for mention in ["Velmora Technology", "Caldera Bank", "Harlow Bancorp", "Harlow Bancorp (TX)"]:
        m = index.match(mention)  # nothing in the mention tells the two apart
        assert m.account_id is None and m.ambiguous, mention


def _renamed_accounts() -> list[Account]:
    return [
        Account(account_id="QUORVEX", name="Quorvex Inc."),
        Account(account_id="TAMBRIN", name="Tambrin Health, Inc."),
        Account(account_id="PIERMONT", name="Piermont Realty Trust, Inc."),
        Account(account_id="HALVERN", name="HALVERN CORP"),
        Account(account_id="ZQT", name="ZQT Inc"),
        Account(account_id="BRISCO", name="Brisco Gold Mining Royalty Corp"),
        Account(account_id="MARDEN-MUNI", name="Marden Municipal Income Fund"),
        Account(account_id="MARDEN-III", name="Marden Preferred Income Fund III"),
        Account(account_id="MARDEN-GLOBAL", name="Marden Global Dividend Income Fund"),
        Account(account_id="KELSO-1", name="Kelso Realty Trust"),
        Account(account_id="KELSO-2", name="Kelso Harbor Realty Trust"),
        Account(account_id="NORVANE", name="Norvane Global Dynamic Dividend Fund"),
        Account(account_id="BRACKETT", name="Brackett Partners LLC"),
        Account(account_id="OPP-1", name="Norvane Income Opportunities Fund"),
        Account(account_id="OPP-2", name="Castor Income Opportunities Fund"),
        Account(account_id="TAVISH", name="Tavish Municipal Income Fund"),
        Account(account_id="RELLIK-II", name="Rellik Acquisition Corp II"),
        Account(account_id="GORSE", name="Gorse Global Gold, Natural Resources & Income Trust"),
        Account(account_id="HARBOR-POINT", name="Harbor Point Realty Inc"),
        *(Account(account_id=f"HARBOR-{w}", name=f"Harbor {w} Inc") for w in FILLER[:4]),
        *(Account(account_id=f"POINT-{w}", name=f"Point {w} Realty Inc") for w in FILLER[4:8]),
        *(Account(account_id=f"FILL-{i}", name=f"{w} Holdings Inc") for i, w in enumerate(FILLER)),
    ]


# ordinary names, so that the words of the names above are rare in the index, as in a real CRM
FILLER = words("Alder Birch Cedar Dogwood Elm Fir Ginkgo Hazel Ivy Juniper Larch Maple Oak Pine Rowan Spruce")


@pytest.fixture(scope="module")
def renamed_index() -> AccountIndex:
    return AccountIndex.build(_renamed_accounts())


@pytest.mark.parametrize(
    ("mention", "expected"),
    [
        ("Quorvex Robotics, Inc. - Common Stock", "QUORVEX"),  # the account dropped a word
        ("Tambrin, Inc.", "TAMBRIN"),  # the account added one
        ("Piermont Office Realty Trust, Inc. Class A Common Stock", "PIERMONT"),
        ("Ellery Global Dynamic Dividend Fund", "NORVANE"),  # the fund family was renamed
    ],
)
def test_renamed_company_is_matched(renamed_index: AccountIndex, mention: str, expected: str) -> None:
    m = renamed_index.match(mention)
    assert (m.account_id, m.method, m.ambiguous) == (expected, "fuzzy", False)
    assert m.score == renamed_index.threshold


@pytest.mark.parametrize(
    "mention",
    [
        "Halvern Technologies, Inc.",  # a kind-of-business word: a spin-off as often as a rename
        "ZQT Therapeutics, Inc.",  # the shared word is initials, which unrelated companies share
        "Brisco Corp",  # more words added than kept
        "Marden Income Fund",  # one word short of a fund's name is a sibling fund
        "Marden Preferred Income Fund",  # ... and so is a series number
        "Marden Dividend Income Fund",
        "Tavish Income Fund",
        "Gorse Natural Resources, Gold & Income Trust",  # close in spelling, but a word short
        "Rellik Acquisition Corp",  # the account is the second of a series
        "Kelso Office Realty Trust",  # another account holds all the shared words too
        "Harbor Point Office Realty",  # all the shared words are common ones
        "Brackett Global Dynamic Dividend Fund",  # the old family still names an account
        "Ellery Income Opportunities Fund",  # two accounts hold the rest of the name
    ],
)
def test_renamed_rules_keep_precision(renamed_index: AccountIndex, mention: str) -> None:
    assert renamed_index.match(mention).account_id is None


def test_tie_break_gives_up_among_many_same_named_accounts() -> None:
    accounts = [Account(account_id=f"VT-{i}", name=f"Velmora Technologies {s}") for i, s in enumerate(LEGAL)]
    accounts.append(Account(account_id="VT-TECH", name="Velmora Tech Inc"))
    assert len(accounts) > MAX_TIE_BREAK  # reading every one of them would cost each mention too much
    m = AccountIndex.build(accounts).match("Velmora Tech")
    assert m.account_id is None and m.ambiguous and m.method == "name_exact"


LEGAL = words("Inc Corp Ltd LLC GmbH AG plc SA NV BV Oy AB")


def test_a_short_form_that_fits_two_accounts_goes_to_review() -> None:
    index = AccountIndex.build(
        [
            Account(account_id="A", name="Quillmoor Analytics Ltd"),
            Account(account_id="B", name="Quillmoor Logistics Inc"),
            Account(account_id="C", name="Brackenfield Data Systems"),
        ]
    )
    m = index.match("Quillmoor")
    assert m.account_id is None and m.ambiguous
    assert {c.account_id for c in m.candidates[:2]} == {"A", "B"}
    # a short form with one trailing business word dropped, owned by one account: assigned
    short = index.match("Brackenfield Data")
    assert short.account_id == "C" and not short.ambiguous


def test_a_name_written_as_the_account_domain_matches() -> None:
    index = AccountIndex.build(
        [
            Account(
                account_id="K", name="Kestrelwing Payments Pte. Ltd.", domain="https://www.kestrelwingpay.com"
            ),
            Account(account_id="L", name="Kestrelwing Logistics", domain="kestrelwinglogistics.com"),
            Account(account_id="S", name="Short Name Inc", domain="abc.com"),
        ]
    )
    m = index.match("Kestrelwing Pay")
    assert (m.account_id, m.method) == ("K", "domain_name")
    assert m.matched_by == "name is the domain kestrelwingpay.com"


@pytest.mark.parametrize(
    ("mention", "name", "website"),
    [
        ("Clay", "Clay Labs, Inc.", "https://www.clay.com"),
        ("Glean", "Glean Technologies, Inc.", "glean.com"),
        ("Ramp", "Ramp Business Corporation", "http://ramp.com/"),
        ("Brex", "Brex Holdings Corp.", "www.brex.com"),
        ("Deel", "Deel Payroll Services, Inc.", "deel.com"),
        ("Vanta", "Vanta Compliance Inc", "vanta.com"),
        ("ABC", "Short Name Inc", "abc.com"),
    ],
)
def test_a_short_brand_equal_to_its_account_domain_label_matches(
    mention: str, name: str, website: str
) -> None:
    index = AccountIndex.build(
        [
            Account(account_id="OWN", name=name, domain=website),
            Account(account_id="OTHER", name="Copperfield Analytics Ltd", domain="copperfield.io"),
        ]
    )
    m = index.match(mention)
    assert (m.account_id, m.method, m.ambiguous) == ("OWN", "domain_name", False)
    assert m.matched_by is not None and m.matched_by.startswith("name is the domain ")


def test_a_short_domain_label_two_accounts_share_is_a_tie_for_review() -> None:
    index = AccountIndex.build(
        [
            Account(account_id="US", name="Clay Labs, Inc.", domain="clay.com"),
            Account(account_id="UK", name="Clay Studio Ltd", domain="clay.co.uk"),
        ]
    )
    m = index.match("Clay")
    assert m.account_id is None and m.ambiguous and m.review_reason == "tie"
    assert {c.account_id for c in m.candidates} == {"US", "UK"}
    assert m.matched_by is None


def test_a_short_form_two_accounts_hold_is_a_tie_whatever_their_scores() -> None:
    # "Group" is a structure word, so "Meridian Capital Group" scores far above "Meridian Health
    # Partners" for the bare "Meridian"; neither is more right, so a person decides.
    index = AccountIndex.build(
        [
            Account(account_id="MH", name="Meridian Health Partners"),
            Account(account_id="MC", name="Meridian Capital Group"),
            Account(account_id="OK", name="Okapi Freight Ltd"),
        ]
    )
    m = index.match("Meridian", event_id="e-meridian")
    assert m.account_id is None and m.ambiguous and m.review_reason == "tie"
    assert {c.account_id for c in m.candidates[:2]} == {"MH", "MC"}
    assert all(c.score > 0 for c in m.candidates[:2])
    # one holder only: the short form names that account
    assert index.match("Okapi").account_id == "OK"


def test_a_near_miss_goes_to_review_with_its_candidates_and_scores() -> None:
    accounts = [
        Account(account_id="BR", name="Blue Ridge Analytics"),
        Account(account_id="TM", name="Tallowmere Robotics Inc."),
    ]
    m = AccountIndex.build(accounts).match("Blue Ridge Analytic Labs")
    assert m.account_id is None and not m.ambiguous and m.method == "none"
    assert m.review_reason == "near_miss"
    assert m.candidates[0].account_id == "BR" and 50 <= m.candidates[0].score < 88
    assert m.score == m.candidates[0].score
    # below review_min: no review, still no account
    strict = AccountIndex.build(accounts, review_min=90).match("Blue Ridge Analytic Labs")
    assert strict.account_id is None and strict.review_reason is None
    # nothing alike at all: nothing to review
    assert AccountIndex.build(accounts).match("Quarry Labs").review_reason is None


def test_every_assigned_match_says_why() -> None:
    index = AccountIndex.build(
        [
            Account(account_id="K", name="Kestrelwing Payments Pte. Ltd.", domain="kestrelwingpay.com"),
            Account(account_id="T", name="Tallowmere Robotics Inc.", aliases=["Tallow Bots"]),
            Account(
                account_id="A", name="Acme Robotics GmbH", extra={"Ticker Symbol": "ACMR", "CIK": "12345"}
            ),
        ]
    )
    cases = [
        (
            index.match("Kestrelwing", url="https://kestrelwingpay.com/news/1"),
            "domain kestrelwingpay.com (the event's link)",
        ),
        (index.match(None, domain="kestrelwingpay.com"), "domain kestrelwingpay.com"),
        (
            index.match("Kestrelwing", text="Contact: press@kestrelwingpay.com"),
            "domain kestrelwingpay.com (named in the text)",
        ),
        (index.match("Kestrelwing Pay"), "name is the domain kestrelwingpay.com"),
        (index.match("Tallowmere Robotics"), "exact name"),
        (index.match("TallowmereRobotics"), "exact name (spacing aside)"),
        (index.match("Tallow Bots"), "alias"),
        (index.match("Acme Robotcs"), None),  # fuzzy: checked below
        (index.match("Whatever", cik="0000012345"), "SEC CIK 12345"),
        (index.match("Whatever", tickers=["NASDAQ:ACMR"]), "ticker ACMR"),
    ]
    for match, why in cases:
        assert match.account_id is not None, match
        if why is not None:
            assert match.matched_by == why
    fuzzy = index.match("Acme Robotcs")
    assert fuzzy.method == "fuzzy" and fuzzy.matched_by == f"fuzzy name score {fuzzy.score:.1f}"
    unmatched = index.match("Nothing Alike Corp")
    assert unmatched.account_id is None and unmatched.matched_by is None
