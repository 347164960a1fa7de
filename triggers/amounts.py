"""Money amounts as news headlines write them: "$25M", "US$5.3 million", "Rs 50 crore", "€10m", "1.2bn".

Why a regex and not an NER model: the forms are few and regular, a regex is exact and fast, and the
amount must be a plain number in ISO currency units (CONTRACT.md), which a span label alone does not give.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Currency markers written before the number, longest first so "US$" wins over "$".
_PREFIX_CURRENCY: dict[str, str] = {
    "us$": "USD",
    "usd": "USD",
    "$": "USD",
    "s$": "SGD",
    "sgd": "SGD",
    "a$": "AUD",
    "au$": "AUD",
    "aud": "AUD",
    "c$": "CAD",
    "ca$": "CAD",
    "cad": "CAD",
    "hk$": "HKD",
    "hkd": "HKD",
    "nz$": "NZD",
    "nzd": "NZD",
    "nt$": "TWD",
    "ntd": "TWD",
    "twd": "TWD",
    "rm": "MYR",
    "myr": "MYR",
    "rs.": "INR",
    "rs": "INR",
    "inr": "INR",
    "₹": "INR",
    "€": "EUR",
    "eur": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "¥": "JPY",
    "jpy": "JPY",
    "cny": "CNY",
    "rmb": "CNY",
    "₩": "KRW",
    "krw": "KRW",
    "rp": "IDR",
    "idr": "IDR",
    "₱": "PHP",
    "php": "PHP",
    "thb": "THB",
    "฿": "THB",
    "vnd": "VND",
    "chf": "CHF",
    "sek": "SEK",
    "r$": "BRL",
    "brl": "BRL",
    "aed": "AED",
    "zar": "ZAR",
    "ngn": "NGN",
    "₦": "NGN",
}
# Currency words written after the number ("50 million euros", "100 crore rupees").
_SUFFIX_CURRENCY: dict[str, str] = {
    "dollars": "USD",
    "usd": "USD",
    "euros": "EUR",
    "euro": "EUR",
    "eur": "EUR",
    "pounds": "GBP",
    "gbp": "GBP",
    "rupees": "INR",
    "inr": "INR",
    "yuan": "CNY",
    "renminbi": "CNY",
    "rmb": "CNY",
    "yen": "JPY",
    "won": "KRW",
    "ringgit": "MYR",
    "rupiah": "IDR",
    "baht": "THB",
    "pesos": "PHP",
    "dong": "VND",
    "francs": "CHF",
}
_MULTIPLIER: dict[str, float] = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "mil": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "bln": 1e9,
    "billion": 1e9,
    "billions": 1e9,
    "t": 1e12,
    "tn": 1e12,
    "trillion": 1e12,
    "lakh": 1e5,
    "lakhs": 1e5,
    "lac": 1e5,
    "crore": 1e7,
    "crores": 1e7,
    "cr": 1e7,
}


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_AMOUNT_RE = re.compile(
    rf"""
    (?=\S{{0,4}}\s?\d)  # cheap test first: a digit is near, else skip the 60-way currency alternation
    (?<![\w$€£¥₹₩₱฿₦])
    (?:(?P<pre>{_alternation(list(_PREFIX_CURRENCY))})\s?)?
    (?P<num>{_NUMBER})
    (?:\s?-?\s?(?P<mult>{_alternation(list(_MULTIPLIER))})(?![a-z]))?
    (?:\s?(?:\+|-plus|plus))?
    (?:\s(?P<suf>{_alternation(list(_SUFFIX_CURRENCY))})(?![a-z]))?
    """,
    re.IGNORECASE | re.VERBOSE,
)


_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Amount:
    """A money amount found in text: value in currency units, ISO currency (None if unstated), span."""

    value: float
    currency: str | None
    start: int
    end: int
    text: str


def find_amounts(text: str) -> list[Amount]:
    """Every money amount in `text`, in order. A bare number counts only with a multiplier ("1.2bn")
    or a currency, so years, counts and ordinals ("3rd batch", "2018") are not money."""
    found: list[Amount] = []
    if _DIGIT.search(text) is None:
        return found
    for m in _AMOUNT_RE.finditer(text):
        pre, mult, suf = m.group("pre"), m.group("mult"), m.group("suf")
        if not (pre or mult or suf):
            continue
        # "Rs" / "RM" / "Rp" prefixes must not be the tail of a word; the lookbehind checks that.
        # A lone multiplier letter right after a plain number needs a currency: "5m" alone is ambiguous
        # with metres only in rare text, but "5 b" is too weak without a currency.
        if not pre and not suf and mult and mult.lower() in {"t", "b", "k", "cr", "m"} and " " in m.group(0):
            continue
        raw = m.group("num").replace(",", "")
        try:
            value = float(raw)
        except ValueError:  # pragma: no cover - the regex only admits digits
            continue
        if mult:
            value *= _MULTIPLIER[mult.lower()]
        currency = None
        if pre:
            currency = _PREFIX_CURRENCY[pre.lower()]
        elif suf:
            currency = _SUFFIX_CURRENCY[suf.lower()]
        if currency is None and not mult:
            continue
        if value <= 0:
            continue
        # Round away float noise ("5.3 * 1e6" -> 5300000.000000001).
        value = round(value, 2)
        found.append(Amount(value, currency, m.start(), m.end(), m.group(0)))
    return found


def parse_amount(text: str) -> tuple[float | None, str | None]:
    """The first amount in `text` as (value, ISO currency); (None, None) when there is none."""
    amounts = find_amounts(text)
    if not amounts:
        return None, None
    return amounts[0].value, amounts[0].currency
