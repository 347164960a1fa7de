"""normalize_company and the domain helpers, table-driven."""

from __future__ import annotations

import pytest

from matchers import normalize_company, normalize_domain
from matchers.normalize import (
    company_tokens,
    domains_in_text,
    is_news_host,
    name_qualifiers,
    sorted_key,
    written_tokens,
)

# (as written, normalised): legal forms of many countries, listing noise, punctuation, diacritics
SAME_AS = [
    ("Acme Inc", "acme"),
    ("ACME, INC.", "acme"),
    ("Acme Incorporated", "acme"),
    ("Acme Corp.", "acme"),
    ("Acme Corporation", "acme"),
    ("Acme Co.", "acme"),
    ("Acme Company", "acme"),
    ("Acme Ltd", "acme"),
    ("Acme Limited", "acme"),
    ("Acme LLC", "acme"),
    ("Acme L.L.C.", "acme"),
    ("Acme LLP", "acme"),
    ("Acme L.P.", "acme"),
    ("Acme plc", "acme"),
    ("Acme PLC", "acme"),
    ("Acme GmbH", "acme"),
    ("Acme GmbH & Co. KG", "acme"),
    ("Acme AG", "acme"),
    ("Acme SA", "acme"),
    ("Acme S.A.", "acme"),
    ("Acme S.p.A.", "acme"),
    ("Acme SpA", "acme"),
    ("Acme SAS", "acme"),
    ("Acme SARL", "acme"),
    ("Acme B.V.", "acme"),
    ("Acme NV", "acme"),
    ("Acme Oy", "acme"),
    ("Acme AB", "acme"),
    ("Acme AB (publ)", "acme"),
    ("Acme ASA", "acme"),
    ("Acme A/S", "acme"),
    ("Acme Pty Ltd", "acme"),
    ("Acme Pte. Ltd.", "acme"),
    ("Acme KK", "acme"),
    ("Acme K.K.", "acme"),
    ("Acme Kabushiki Kaisha", "acme"),
    ("Acme Sdn Bhd", "acme"),
    ("Acme Bhd", "acme"),
    ("Acme SE", "acme"),
    ("Acme S.A. de C.V.", "acme"),
    ("The Acme Company", "acme"),
    ("Acme Holdings Co., Ltd.", "acme holdings"),
    ("Acme Hldgs", "acme holdings"),
    ("Acme Holding", "acme holdings"),
    ("Acme Intl", "acme international"),
    ("Acme International", "acme international"),
    ("Acme Tech", "acme technologies"),
    ("Acme Technology Inc", "acme technologies"),
    ("Acme Svcs", "acme services"),
    ("Acme Bancorporation", "acme bancorp"),
    ("Johnson & Johnson", "johnson johnson"),
    ("Johnson and Johnson", "johnson johnson"),
    ("Nestlé S.A.", "nestle"),
    ("Société Générale", "societe generale"),
    ("Pilgrim's Pride Corp", "pilgrims pride"),
    ("Pilgrim’s Pride Corp", "pilgrims pride"),
    ("Floating-Rate Income Fund", "floating rate income fund"),
    ("Acme Inc. - Common Stock", "acme"),
    ("Acme Inc Common Stock", "acme"),
    ("Acme, Inc. - Class A Common Stock", "acme"),
    ("Acme Ltd. - Ordinary Shares", "acme"),
    ("Acme plc - American Depositary Shares, each representing one Ordinary Share", "acme"),
    ("Acme SA Sponsored ADR (Israel)", "acme"),
    ("Acme LP Common Units representing limited partner interests", "acme"),
    ("Acme Corp - Warrants", "acme"),
    ("Acme Corp Units", "acme"),
    ("Acme Acquisition Corp Rights", "acme acquisition"),
    ("Acme Holding L.P. Units", "acme holdings"),
    ("Acme Acquisition Corp. Warrants to purchase one share", "acme acquisition"),
    ("First BanCorp. New Common Stock", "first bancorp"),
    ("Prudential Public Limited Company", "prudential"),
    ("Acme Corp - Series B Preferred Stock", "acme"),
    ("Acme Corp - 6.50% Senior Notes due 2043", "acme"),
    ("Acme Trust Common Shares of Beneficial Interest", "acme trust"),
    ("Acme Inc (The) Common Stock", "acme"),
    ("ACME CORP /DE/", "acme"),
    ("ACME FINANCIAL CORP/PA", "acme financial"),
    ("ACME INDUSTRIES INC \\DE\\", "acme industries"),
    ("ACME ADVERTISING CO/NEW", "acme advertising"),
    ("ACME FINANCIAL CORP DE", "acme financial"),
    ("Acme Ship Lease Inc New", "acme ship lease"),
    ("A.O. Smith Corporation", "a o smith"),
    ("Coca-Cola Co", "coca cola"),
    ("PT Bank Central Asia Tbk", "bank central asia"),
    ("", ""),
    ("Inc.", "inc"),  # nothing else left: keep the word rather than an empty key
    # the issuer's name written twice by the listing
    ("Quillon Fund Inc. Quillon Fund Inc. Common Stock", "quillon fund"),
    ("Vexmoor Income Fund II Income Fund II", "vexmoor income fund ii"),
    ("Brantley Auto Inc Brantley Auto Inc W/I", "brantley auto"),
    # more listing noise
    ("Nordhaven Bank Pfd 3 Ordinary Shares", "nordhaven bank"),
    ("Tallis Mining Corporation Oridinary Shares", "tallis mining"),
    ("Orrin Pipeline Partners LP Limited Partnership", "orrin pipeline partners"),
    ("Orrin Pipeline Partners, LP Limited Partner Interests", "orrin pipeline partners"),
    ("Kestrel Energy Trust Units of Beneficial Interest", "kestrel energy trust"),
    ("Kestrel Bond Fund Share of Beneficial Interest", "kestrel bond fund"),
    ("Marlow Display Co, Ltd AMERICAN DEPOSITORY SHARES", "marlow display"),
    ("Quenby Corporation (Holding Company)Common Stock", "quenby"),
    ("Quenby Fund, Inc.Common Stock", "quenby fund"),
    ("Quenby, Inc. Corporate Units", "quenby"),
    # legal forms and group words of other languages
    ("Ostrava Groep NV", "ostrava group"),
    ("Ostrava Gruppe AG", "ostrava group"),
    ("Grupo Ostrava S.A.B.", "group ostrava"),
    ("Ostrava Participacoes S.A.", "ostrava holdings"),
    ("Ostrava S.A.C.I.F. y A.", "ostrava"),
    # a state glued to the legal form by the registry
    ("FERRAND INVESTMENT CORPORATIONDE", "ferrand investments"),
]


@pytest.mark.parametrize(("written", "expected"), SAME_AS)
def test_normalize_company(written: str, expected: str) -> None:
    assert normalize_company(written) == expected


# identity words that must survive normalisation
KEEPS_IDENTITY = [
    ("Unit Corp", "unit"),
    ("Acme Group", "acme group"),
    ("Acme Holdings", "acme holdings"),
    ("First Capital Group", "first capital group"),
    ("TCP/IP Corp", "tcp ip"),
    ("Acme Rights Management", "acme rights management"),
    ("Co-Diagnostics Inc", "co diagnostics"),
    ("CV Sciences Inc", "cv sciences"),
    ("Acme Digital Rights", "acme digital rights"),
    ("Acme Storage Units", "acme storage units"),
    ("Brand New Day Inc", "brand new day"),
    ("Ferrand U.S.A., Inc.", "ferrand u s a"),  # initials, not the legal form "S.A."
    ("Orrin Pipeline Limited Partnership", "orrin pipeline ltd partnership"),  # names the entity
    ("Acme Cone", "acme cone"),  # not "co" + a state code
]


@pytest.mark.parametrize(("written", "expected"), KEEPS_IDENTITY)
def test_normalize_keeps_identity(written: str, expected: str) -> None:
    assert normalize_company(written) == expected


def test_registry_word_order_meets_in_the_sorted_key() -> None:
    a = tuple(normalize_company("SMITH A O CORP").split())
    b = tuple(normalize_company("A. O. Smith Corporation").split())
    assert a != b and sorted_key(a) == sorted_key(b)


@pytest.mark.parametrize(
    ("name", "written", "canonical"),
    [
        ("Velmora Tech, Inc.", ("velmora", "tech"), ("velmora", "technologies")),
        ("VELMORA BANKSHARES INC/OH", ("velmora", "bankshares"), ("velmora", "bancshares")),
        (
            "Velmora Intl Holding Co.",
            ("velmora", "intl", "holding"),
            ("velmora", "international", "holdings"),
        ),
    ],
)
def test_written_tokens_keep_abbreviations(
    name: str, written: tuple[str, ...], canonical: tuple[str, ...]
) -> None:
    assert written_tokens(name) == written
    assert company_tokens(name) == canonical


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Caldera Bank (Chile) S.A.", {"chile"}),
        ("Harlow Bancorp, Inc /ME/", {"me"}),
        ("HARLOW BANCORP INC\\NC\\", {"nc"}),
        ("Harlow Bancorp, Inc (ME) - Common Stock", {"me"}),
        ("Quenby Inc (The)", set()),
        ("Quenby Inc", set()),
        (None, set()),
    ],
)
def test_name_qualifiers(name: str | None, expected: set[str]) -> None:
    assert name_qualifiers(name) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://www.acme.com/about", "acme.com"),
        ("acme.com", "acme.com"),
        ("www.Acme.COM", "acme.com"),
        ("http://shop.acme.co.uk:8080/x", "acme.co.uk"),
        ("press@news.acme.io", "acme.io"),
        # suffixes from the public suffix list (tldextract's bundled snapshot, never fetched)
        ("https://www.shop.acme.com.pl/o-nas", "acme.com.pl"),
        ("portal.acme.gov.in", "acme.gov.in"),
        ("acme.co.jp", "acme.co.jp"),
        ("co.uk", None),  # a public suffix alone names no one
        ("intranet.acme.example", "acme.example"),  # a suffix the list doesn't know: last two labels
        ("localhost", None),
        ("http://10.0.0.1/", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_domain(value: str | None, expected: str | None) -> None:
    assert normalize_domain(value) == expected


def test_domains_in_text_skips_news_and_mail_hosts() -> None:
    text = (
        "Read it on https://techcrunch.com/2026/acme or prnewswire.com. Media contact: press@acme.io, "
        "jane@gmail.com. Learn more at www.beta-labs.com and see setup.py."
    )
    emails, others = domains_in_text(text)
    assert emails == ["acme.io"]
    assert others == ["beta-labs.com"]
    assert is_news_host("businesswire.com") and is_news_host("globenewswire.com")


def test_the_public_suffix_list_is_the_bundled_snapshot_never_fetched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import copy
    import socket

    from matchers import normalize

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the public suffix list must not be fetched at run time")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    fresh = copy.copy(normalize._SUFFIXES)
    fresh._extractor = None  # as at first use: the list is loaded now
    assert fresh.extract_str("shop.acme.com.pl").suffix == "com.pl"
