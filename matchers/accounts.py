"""AccountIndex: joins a company mention to a CRM account, precision first.

The cascade (first step that answers wins):
1. domain: the `domain` argument (trusted as given), else the host of `url`, a press-contact e-mail
   or a domain in `text` (news, wire and mailbox hosts are ignored; these must also agree with the
   company name when one is given, because newsrooms and stories name other companies' sites too);
2. name_exact: the normalised name (then the same without spaces, then its tokens sorted, which
   catches registry word order);
3. alias: `Account.aliases`, the user's aliases file and aliases added at runtime (review decisions);
4. fuzzy: rapidfuzz over a blocked candidate set. Blocking keys are the rare tokens of a name (an
   inverted index whose postings longer than `MAX_POSTING` are never read), 4-letter prefixes and
   suffixes and first-2+last-2 letters of misspelt tokens, and the first two tokens. A query reads
   a few thousand postings at most and scores `MAX_CANDIDATES`, never every account.

Fuzzy score: an IDF-weighted Dice over tokens (a token counts as matched when equal, or when
rapidfuzz's ratio says it is a misspelling of a token of similar length), blended with rapidfuzz's
token_sort_ratio over the whole normalised names. Rare words ("Acadia") weigh a lot, generic ones
("Holdings", "Group") little, so "Acadia Healthcare" does not take "Acadia Pharmaceuticals".

Renamed companies: registries keep a company's current name while mentions use an older one
("Acme Widgets" now "Acme", "Acme" now "Acme Health", "Oldfam Dividend Fund" now "Newfam Dividend
Fund"). Below the threshold, the best candidate is still assigned (at the threshold score) when one
name is the other with words added or dropped, the shared words point to that account alone and the
runner-up is far behind (`_renamed`), or when only a fund family's name changed and the old family
names no account any more (`_family_renamed`). Kind-of-business words ("Technologies"), initials,
series numbers and sibling funds are kept out: those are how spin-offs and siblings differ.
Between two fund names, any word of difference keeps the fuzzy score under the threshold.

A name equal to an account's domain label ("Clay" for clay.com, whose CRM name is "Clay Labs,
Inc.") is that account whatever the name's length, when no other account has that label.

Ambiguity: when the best two distinct accounts are within `margin` points, nothing is assigned:
the Match has ambiguous=True, review_reason "tie", and the candidates go to review. So does a
short form that every word of fits two or more accounts ("Meridian" with "Meridian Health Partners"
and "Meridian Capital Group"). A near miss (no account assigned, the best candidate scoring at
least `review_min`) goes to review too, with review_reason "near_miss". An assigned match says why
in `matched_by` ("domain clay.com (the event's link)", "exact name", "alias", "fuzzy name score
91.2", ...). Accounts that share one normalised
name are told apart, when the mention allows, by the words as written ("Tetra Tech" is not "Tetra
Technologies") and by bracketed or registry qualifiers ("(Brasil)", "/ME/"); see `_break_tie`.

The index is plain Python containers and numpy arrays, so it pickles as it is (Beam can ship it to
workers; benchmarks/bench_match.py prints the pickle size and time). Rebuilding is the other option:
about a minute per million accounts on one core, a fraction of a second for a typical CRM.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from rapidfuzz import fuzz, process

from matchers.normalize import (
    GENERIC_WORDS,
    compact_key,
    company_tokens,
    domain_label,
    domains_in_text,
    is_news_host,
    name_qualifiers,
    normalize_domain,
    sorted_key,
    words,
    written_tokens,
)
from schemas import Account, Match, MatchCandidate, ReviewReason

DEFAULT_THRESHOLD = 88.0  # fuzzy scores below this are "none"
DEFAULT_MARGIN = 4.0  # best and runner-up closer than this (distinct accounts) are ambiguous
# Below the threshold, a best candidate scoring at least this goes to review as a near miss.
DEFAULT_REVIEW_MIN = 50.0
MAX_POSTING = 1500  # blocking keys shared by more names than this are too common to block on
MAX_CANDIDATES = 60  # candidates scored per query after blocking
GENERIC_WEIGHT = 0.35  # how much a generic word ("Group") weighs against an ordinary one
_TYPO_MIN_LEN = 5  # tokens shorter than this must match exactly
TYPO_MIN_RATIO = 85  # rapidfuzz ratio for two words to count as one misspelt ("Robotcs" / "Robotics")
UNMATCHED_PENALTY = 7.0  # points off per word only one of the two names has (structure words aside)
# Words about the corporate structure, not the business: "Acme" and "Acme Holdings" are one company.
STRUCTURE_WORDS = frozenset(words("holdings group company companies enterprises worldwide international"))
MAX_TIE_BREAK = 8  # more accounts than this with one name: the mention cannot single one out
DOMAIN_NAME_SCORE = 95.0
RENAME_MIN_SCORE = 30.0  # below this the best candidate shares too little to be a renamed name
RENAME_MARGIN = 15.0  # a renamed name is taken only this far ahead of the runner-up
RENAME_MIN_ANCHOR = 4  # shorter words are mostly initials, which unrelated companies share by chance
# words neither here nor there when one name is the other with words added or dropped
_IGNORABLE = STRUCTURE_WORDS | frozenset(words("of the and de la le les des del y et co"))
_SERIES = frozenset(words("i ii iii iv v vi vii viii ix x xi xii"))
_FUND_NAME_WORDS = frozenset(words("fund trust"))
_FUND_WORDS = frozenset(words("fund funds trust portfolio etf income municipal"))


# CRM columns (kept in Account.extra) that carry an identity; headers compared without case or spacing.
IDENTITY_COLUMNS = {
    "cik": "cik",
    "seccik": "cik",
    "centralindexkey": "cik",
    "ciknumber": "cik",
    "ticker": "ticker",
    "tickers": "ticker",
    "tickersymbol": "ticker",  # Salesforce's standard Account field
    "stockticker": "ticker",
    "stocksymbol": "ticker",
}


def _header_key(header: str) -> str:
    return "".join(ch for ch in header.lower() if ch.isalnum())


def identity_keys(kind: str, value: str) -> list[str]:
    """The lookup keys of a CIK ("0000320193" and "320193" agree) or of tickers ("NASDAQ:AAPL",
    "BRK.B" and "brk-b" agree; several may share a cell, split on commas, semicolons or spaces)."""
    if kind == "cik":
        digits = "".join(ch for ch in value if ch.isdigit())
        return [digits.lstrip("0") or "0"] if digits else []
    keys = []
    for part in value.replace(";", ",").replace(" ", ",").split(","):
        ticker = part.rsplit(":", 1)[-1].strip().upper().replace(".", "-")
        if ticker:
            keys.append(ticker)
    return keys


class _Found(NamedTuple):
    """What one step of the cascade found: `ranked` (account position, score) best first; `why`
    says in words how an assigned account was found (Match.matched_by)."""

    method: str
    ranked: list[tuple[int, float]]
    ambiguous: bool
    score: float
    why: str | None = None
    review: ReviewReason | None = None


@dataclass(frozen=True, slots=True)
class AccountRef:
    """What the index keeps of an account: enough to answer and to explain."""

    account_id: str
    name: str
    domain: str | None
    type: str | None


def _add(table: dict[str, Any], key: str, value: int) -> None:
    """Multi-map with an int for the common single value, a list when there are several."""
    old = table.get(key)
    if old is None:
        table[key] = value
    elif isinstance(old, list):
        if value not in old:
            old.append(value)
    elif old != value:
        table[key] = [old, value]


def _values(table: Mapping[str, Any], key: str) -> list[int]:
    v = table.get(key)
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


class AccountIndex:
    """Company mention -> CRM account (implements matchers.base.AccountMatcher)."""

    def __init__(
        self,
        threshold: float | None = None,
        margin: float = DEFAULT_MARGIN,
        review_min: float | None = None,
    ) -> None:
        self.threshold = DEFAULT_THRESHOLD if threshold is None else float(threshold)
        self.margin = margin
        self.review_min = DEFAULT_REVIEW_MIN if review_min is None else float(review_min)
        self.accounts: list[AccountRef] = []
        self._pos: dict[str, int] = {}  # account_id -> position
        # exact keys -> account positions
        self._by_domain: dict[str, Any] = {}
        self._by_label: dict[str, Any] = {}  # "kestrelpay" for kestrelpay.com, "clay" for clay.com
        self._by_key: dict[str, Any] = {}
        self._by_compact: dict[str, Any] = {}
        self._by_sorted: dict[str, Any] = {}
        self._by_alias: dict[str, Any] = {}
        # identity keys from CIK / ticker columns (an SEC filing names its filer by CIK)
        self._by_cik: dict[str, Any] = {}
        self._by_ticker: dict[str, Any] = {}
        # fuzzy: entries are names and build-time aliases; entry -> account position
        self._entry_key: list[str] = []
        self._entry_account: list[int] = []
        self._df: dict[str, int] = {}
        self._postings: dict[str, Any] = {}  # blocking key -> int | np.ndarray of entry numbers
        self._n_entries = 0

    # -- building ----------------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        accounts: Iterable[Account],
        *,
        aliases: Mapping[str, str] | None = None,
        threshold: float | None = None,
        margin: float = DEFAULT_MARGIN,
        review_min: float | None = None,
    ) -> AccountIndex:
        """Index CRM accounts. `aliases` maps an alias (another name, a former name, a brand) to an
        account id, e.g. from `load_aliases`; `threshold` is the lowest fuzzy score (0-100) that
        assigns an account; `review_min` the lowest best score (0-100) that sends an unassigned
        mention to review as a near miss (at or above the threshold: never). Aliases naming an
        unknown account id raise ValueError."""
        index = cls(threshold=threshold, margin=margin, review_min=review_min)
        raw_postings: dict[str, list[int]] = {}
        for account in accounts:
            pos = index._pos.get(account.account_id)
            if pos is not None:
                continue  # a duplicate row of the same account adds nothing
            pos = len(index.accounts)
            domain = normalize_domain(account.domain)
            index.accounts.append(AccountRef(account.account_id, account.name, domain, account.type))
            index._pos[account.account_id] = pos
            if domain and not is_news_host(domain):
                _add(index._by_domain, domain, pos)
                label = domain_label(domain)
                if label:
                    _add(index._by_label, label, pos)
            for header, value in account.extra.items():
                kind = IDENTITY_COLUMNS.get(_header_key(header))
                for key in identity_keys(kind, value) if kind else ():
                    _add(index._by_cik if kind == "cik" else index._by_ticker, key, pos)
            tokens = company_tokens(account.name)
            index._add_exact(index._by_key, tokens, pos)
            index._add_entry(tokens, pos, raw_postings)
            for alias in account.aliases:
                alias_tokens = company_tokens(alias)
                index._add_exact(index._by_alias, alias_tokens, pos)
                index._add_entry(alias_tokens, pos, raw_postings)
        # Freeze postings: one int for a single entry, a compact int32 array otherwise.
        index._postings = {
            k: (v[0] if len(v) == 1 else np.asarray(v, dtype=np.int32)) for k, v in raw_postings.items()
        }
        company_tokens.cache_clear()  # the build's names will not be asked again; free the memory
        for alias, account_id in (aliases or {}).items():
            index.add_alias(alias, account_id)
        return index

    def _add_exact(self, table: dict[str, Any], tokens: tuple[str, ...], pos: int) -> None:
        """File a name (table is `_by_key`) or an alias (table is `_by_alias`) under its exact keys."""
        if not tokens:
            return
        if table is self._by_key:
            _add(self._by_key, " ".join(tokens), pos)
            _add(self._by_compact, compact_key(tokens), pos)
            _add(self._by_sorted, sorted_key(tokens), pos)
        else:  # aliases keep their three kinds of key in one table, told apart by a prefix
            _add(table, " ".join(tokens), pos)
            _add(table, "~" + compact_key(tokens), pos)
            _add(table, "#" + sorted_key(tokens), pos)

    def _add_entry(self, tokens: tuple[str, ...], pos: int, raw: dict[str, list[int]]) -> None:
        if not tokens:
            return
        entry = len(self._entry_key)
        self._entry_key.append(" ".join(tokens))
        self._entry_account.append(pos)
        self._n_entries += 1
        for key in set(_blocking_keys(tokens)):
            raw.setdefault(key, []).append(entry)
        for t in set(tokens):
            self._df[t] = self._df.get(t, 0) + 1

    def add_alias(self, alias: str, account_id: str) -> None:
        """Teach the index another name for an account (an accepted review decision, a brand, a
        former name). Raises ValueError naming the alias when the account id is unknown."""
        pos = self._pos.get(account_id)
        if pos is None:
            raise ValueError(
                f"matchers.AccountIndex: alias {alias!r} names account {account_id!r}, which is not "
                "in the accounts export; fix the aliases file or export the account"
            )
        tokens = company_tokens(alias)
        if not tokens:
            raise ValueError(f"matchers.AccountIndex: alias {alias!r} for {account_id!r} has no name left")
        self._add_exact(self._by_alias, tokens, pos)

    def __len__(self) -> int:
        return len(self.accounts)

    def get(self, account_id: str) -> AccountRef | None:
        """The indexed account with this id, or None."""
        pos = self._pos.get(account_id)
        return None if pos is None else self.accounts[pos]

    # -- matching ----------------------------------------------------------------------------
    def match(
        self,
        company: str | None,
        *,
        event_id: str = "",
        domain: str | None = None,
        url: str | None = None,
        text: str | None = None,
        cik: str | None = None,
        tickers: Sequence[str] = (),
    ) -> Match:
        """The account `company` means, by the cascade domain -> name_exact -> alias -> fuzzy.
        Identity comes first when the mention has one (an SEC filer's `cik` and `tickers`) and an
        account carries a CIK or ticker column: method "cik" or "ticker". Never raises on odd input:
        an empty or unusable mention gives method "none"."""
        tokens = company_tokens(company) if company else ()
        found = self._match_identity(cik, tickers)
        if found is None:
            found = self._match_domain(company, tokens, domain, url, text)
        if found is None and tokens:
            found = self._match_exact(tokens, company)
        if found is None and tokens:
            found = self._match_domain_name(tokens)
        if found is None and tokens:
            found = self._match_fuzzy(tokens)
        if found is None:
            found = _Found("none", [], False, 0.0)
        return self._answer(event_id, company, found)

    def match_many(
        self, mentions: Iterable[Mapping[str, Any] | str | None], *, id_key: str = "id"
    ) -> list[Match]:
        """Match a batch. Each mention is a company name, or a mapping with `company` and optionally
        `domain`, `url`, `text` and an id under `id_key` (or `event_id`)."""
        out: list[Match] = []
        for m in mentions:
            if m is None or isinstance(m, str):
                out.append(self.match(m))
                continue
            out.append(
                self.match(
                    m.get("company"),
                    event_id=str(m.get(id_key) or m.get("event_id") or ""),
                    domain=m.get("domain"),
                    url=m.get("url"),
                    text=m.get("text"),
                )
            )
        return out

    def _answer(self, event_id: str, company: str | None, found: _Found) -> Match:
        method, ranked, ambiguous, score = found.method, found.ranked, found.ambiguous, found.score
        candidates = [
            MatchCandidate(
                account_id=self.accounts[p].account_id,
                account_name=self.accounts[p].name,
                score=round(min(max(s, 0.0), 100.0), 1),
            )
            for p, s in ranked[:3]
        ]
        if method == "none" or ambiguous or not ranked:
            review = "tie" if ambiguous and candidates else found.review if candidates else None
            return Match(
                event_id=event_id,
                company=company,
                score=round(min(max(score, 0.0), 100.0), 1),
                method=method,
                ambiguous=ambiguous,
                candidates=candidates,
                review_reason=review,
            )
        best = self.accounts[ranked[0][0]]
        return Match(
            event_id=event_id,
            company=company,
            account_id=best.account_id,
            account_name=best.name,
            score=round(min(max(score, 0.0), 100.0), 1),
            method=method,
            candidates=candidates,
            matched_by=found.why or method,
        )

    # step 1
    def _match_domain(
        self,
        company: str | None,
        tokens: tuple[str, ...],
        domain: str | None,
        url: str | None,
        text: str | None,
    ) -> _Found | None:
        if not self._by_domain:
            return None
        # The `domain` argument is the caller's own statement: trusted as it is.
        d = normalize_domain(domain)
        if d and not is_news_host(d):
            found = self._domain_accounts(d, tokens)
            if found:
                return self._pick("domain", found, 100.0, f"domain {d}")
        # The event's URL can be a company's newsroom writing about a partner or a customer: its host
        # counts when it agrees with the company mentioned (or no company is mentioned).
        d = normalize_domain(url)
        if d and not is_news_host(d):
            agreed = [p for p in self._domain_accounts(d, tokens) if not tokens or self._agrees(tokens, p, d)]
            if agreed:
                return self._pick("domain", agreed, 98.0, f"domain {d} (the event's link)")
        if text:
            emails, others = domains_in_text(text)
            for d in [*emails, *others]:
                found = self._domain_accounts(d, tokens)
                # A story names many sites: a domain from free text counts only when it agrees with
                # the company mentioned (or when no company is mentioned at all).
                agreed = [p for p in found if not tokens or self._agrees(tokens, p, d)]
                if agreed:
                    return self._pick("domain", agreed, 95.0, f"domain {d} (named in the text)")
        return None

    def _match_domain_name(self, tokens: tuple[str, ...]) -> _Found | None:
        """The mention written as an account's web domain ("Kestrel Pay" for kestrelpay.com, whose
        CRM name is "Kestrel Payments Pte. Ltd."; "Clay" for clay.com, "Clay Labs, Inc."): the whole
        name, spaces dropped, is the domain's name part. Any length counts, since the account's own
        website vouches for it; when several accounts share that name part it is a tie for review."""
        compact = compact_key(tokens)
        found = _values(self._by_label, compact)
        if not found:
            return None
        return self._pick(
            "domain_name", found, DOMAIN_NAME_SCORE, f"name is the domain {self.accounts[found[0]].domain}"
        )

    def _domain_accounts(self, d: str, tokens: tuple[str, ...]) -> list[int]:
        found = _values(self._by_domain, d)
        if len(found) > 1 and tokens:
            # several CRM rows share the domain (subsidiaries, duplicates): let the name decide
            key = " ".join(tokens)
            named = [p for p in found if " ".join(company_tokens(self.accounts[p].name)) == key]
            if named:
                return named
        return found

    def _agrees(self, tokens: tuple[str, ...], pos: int, d: str) -> bool:
        label = domain_label(d)
        compact = compact_key(tokens)
        if label and (
            label == compact
            or (min(len(label), len(compact)) >= 4 and (label in compact or compact in label))
        ):
            return True
        return self._score(tokens, company_tokens(self.accounts[pos].name)) >= 75.0

    # step 0
    def _match_identity(self, cik: str | None, tickers: Sequence[str]) -> _Found | None:
        for key in identity_keys("cik", cik or ""):
            positions = _values(self._by_cik, key)
            if positions:
                return self._pick("cik", positions, 100.0, f"SEC CIK {key}")
        for ticker in tickers:
            for key in identity_keys("ticker", ticker):
                positions = _values(self._by_ticker, key)
                if positions:
                    return self._pick("ticker", positions, 100.0, f"ticker {key}")
        return None

    def _pick(self, method: str, positions: list[int], score: float, why: str) -> _Found:
        ranked = [(p, score) for p in positions]
        return _Found(method, ranked, len(positions) > 1, score, why)

    # steps 2 and 3
    def _match_exact(self, tokens: tuple[str, ...], company: str | None = None) -> _Found | None:
        key = " ".join(tokens)
        for table, lookup, score, why in (
            (self._by_key, key, 100.0, "exact name"),
            (self._by_compact, compact_key(tokens), 99.0, "exact name (spacing aside)"),
            (self._by_sorted, sorted_key(tokens), 98.0, "exact name (word order aside)"),
        ):
            found = _values(table, lookup)
            if 1 < len(found) <= MAX_TIE_BREAK and company:
                chosen = self._break_tie(company, found)
                if chosen is not None:
                    ranked = [(chosen, score), *((p, score - 1.0) for p in found if p != chosen)]
                    return _Found("name_exact", ranked, False, score, f"{why}, as written")
            if found:
                return self._pick("name_exact", found, score, why)
        for lookup, score, why in (
            (key, 100.0, "alias"),
            ("~" + compact_key(tokens), 99.0, "alias (spacing aside)"),
            ("#" + sorted_key(tokens), 98.0, "alias (word order aside)"),
        ):
            found = _values(self._by_alias, lookup)
            if found:
                return self._pick("alias", found, score, why)
        return None

    def _break_tie(self, company: str, positions: list[int]) -> int | None:
        """The one account among several with the same canonical name that the mention names more
        closely, or None. First the words as written ("Tetra Tech" is not "Tetra Technologies",
        though both expand to one key); then a bracketed or registry qualifier ("(Brasil)", "/ME/")
        that the mention shares, or, when the mention's qualifiers match no account's, the one
        account that carries none (the parent beside its country subsidiaries)."""
        written = compact_key(written_tokens(company))
        pool = [p for p in positions if compact_key(written_tokens(self.accounts[p].name)) == written]
        if len(pool) == 1:
            return pool[0]
        wanted = name_qualifiers(company)
        if not wanted:
            return None
        pool = pool or positions
        quals = {p: name_qualifiers(self.accounts[p].name) for p in pool}
        agree = [p for p in pool if quals[p] & wanted]
        if not agree:
            agree = [p for p in pool if not quals[p]]
        return agree[0] if len(agree) == 1 else None

    # step 4
    def _candidates(self, tokens: tuple[str, ...]) -> list[int]:
        """Entry numbers that share a rare blocking key with the mention, best-sharing first."""
        lists: list[tuple[int, Any]] = []
        for key in set(_query_keys(tokens, self._df)):
            post = self._postings.get(key)
            if post is None:
                continue
            size = 1 if isinstance(post, int) else len(post)
            lists.append((size, post))
        if not lists:
            return []
        lists.sort(key=lambda x: x[0])
        usable = [(s, p) for s, p in lists if s <= MAX_POSTING]
        if not usable:
            # every key is common ("First Capital Group"): intersect the two rarest lists instead
            if len(lists) < 2:
                return []
            a, b = lists[0][1], lists[1][1]
            both = np.intersect1d(np.atleast_1d(a), np.atleast_1d(b), assume_unique=True)
            return [int(x) for x in both[:MAX_CANDIDATES]]
        n = self._n_entries
        arrays = []
        weights = []
        for size, post in usable:
            arr = np.atleast_1d(np.asarray(post, dtype=np.int32))
            arrays.append(arr)
            weights.append(np.full(len(arr), math.log((n + 1) / (size + 1)) + 1.0, dtype=np.float32))
        allp = np.concatenate(arrays)
        if len(allp) <= MAX_CANDIDATES:
            return [int(x) for x in np.unique(allp)]
        uniq, inverse = np.unique(allp, return_inverse=True)
        sums = np.bincount(inverse, weights=np.concatenate(weights))
        if len(uniq) <= MAX_CANDIDATES:
            return [int(x) for x in uniq]
        top = np.argpartition(-sums, MAX_CANDIDATES - 1)[:MAX_CANDIDATES]
        return [int(x) for x in uniq[top]]

    def _match_fuzzy(self, tokens: tuple[str, ...]) -> _Found | None:
        entries = self._candidates(tokens)
        if not entries:
            return None
        key = " ".join(tokens)
        choices = [self._entry_key[e] for e in entries]
        # cheap C-speed pre-ranking, then the weighted token score on the few best
        pre = process.extract(key, choices, scorer=fuzz.token_set_ratio, limit=12, score_cutoff=40)
        best: dict[int, float] = {}
        best_entry: dict[int, int] = {}
        for _choice, _pre_score, i in pre:
            e = entries[i]
            pos = self._entry_account[e]
            s = self._score(tokens, tuple(self._entry_key[e].split()))
            if s > best.get(pos, -1.0):
                best[pos] = s
                best_entry[pos] = e
        if not best:
            return None
        ranked = sorted(best.items(), key=lambda x: (-x[1], x[0]))
        top = ranked[0][1]
        # Accounts whose names are a reordering of the winner's ("Gray & Henderson" / "Henderson &
        # Gray") score the same, whether or not blocking brought them in: they make it a tie.
        twins = [
            p
            for p in _values(self._by_sorted, sorted_key(company_tokens(self.accounts[ranked[0][0]].name)))
            if p not in best
        ]
        if twins:
            ranked = [ranked[0], *((p, top) for p in twins), *ranked[1:]]
        if top < self.threshold:
            entry = best_entry[ranked[0][0]]
            renamed = (
                "renamed (words added or dropped)"
                if self._renamed(tokens, ranked, entry)
                else "renamed (fund family)"
                if self._family_renamed(tokens, ranked, entry)
                else None
            )
            if renamed:
                # the same company under a longer, shorter or re-branded name: assigned at the
                # threshold, the lowest score that assigns, so a review can sort these apart
                ranked[0] = (ranked[0][0], self.threshold)
                return _Found(
                    "fuzzy", ranked, False, self.threshold, f"{renamed}, fuzzy name score {top:.1f}"
                )
            holders = self._short_form_of_several(tokens, ranked, best_entry)
            if holders:
                ranked = [
                    *((p, s) for p, s in ranked if p in holders),
                    *((p, s) for p, s in ranked if p not in holders),
                ]
                return _Found("fuzzy", ranked, True, ranked[0][1])
            near: ReviewReason | None = "near_miss" if top >= self.review_min else None
            return _Found("none", ranked, False, top, review=near)
        if (
            len(ranked) > 1
            and ranked[1][1] >= self.threshold - self.margin
            and top - ranked[1][1] < self.margin
        ):
            return _Found("fuzzy", ranked, True, top)
        return _Found("fuzzy", ranked, False, top, f"fuzzy name score {top:.1f}")

    def _weight(self, token: str) -> float:
        df = self._df.get(token, 0)
        w = math.log((self._n_entries + 1) / (df + 1)) + 1.0
        if token in GENERIC_WORDS:
            w *= GENERIC_WEIGHT
        elif len(token) == 1:
            w *= 0.5  # initials ("A O Smith") identify less than words
        return w

    def _score(self, q: tuple[str, ...], c: tuple[str, ...]) -> float:
        """0-100 similarity of two token tuples (see the module docstring)."""
        if not q or not c:
            return 0.0
        if compact_key(q) == compact_key(c):
            return 99.0
        wq = [self._weight(t) for t in q]
        wc = [self._weight(t) for t in c]
        used_c = [False] * len(c)
        done_q = [False] * len(q)
        matched = 0.0
        exact = 0  # token pairs spelt the same
        for i, t in enumerate(q):
            best_j, best_s = -1, 0.0
            for j, u in enumerate(c):
                if used_c[j]:
                    continue
                if t == u:
                    s = 1.0
                elif len(t) >= _TYPO_MIN_LEN and len(u) >= _TYPO_MIN_LEN and abs(len(t) - len(u)) <= 2:
                    r = fuzz.ratio(t, u, score_cutoff=TYPO_MIN_RATIO)
                    s = r / 100.0 if r else 0.0
                elif min(len(t), len(u)) >= 4 and (t.startswith(u) or u.startswith(t)):
                    s = 0.8  # "biopharma" / "biopharmaceuticals" kind of truncation
                else:
                    s = 0.0
                if s > best_s:
                    best_j, best_s = j, s
                    if s == 1.0:
                        break
            if best_j >= 0:
                used_c[best_j] = True
                done_q[i] = True
                matched += best_s * (wq[i] + wc[best_j])
                exact += best_s == 1.0
        dice = matched / (sum(wq) + sum(wc))
        chars = fuzz.token_sort_ratio(" ".join(q), " ".join(c)) / 100.0
        score = 100.0 * (0.75 * dice + 0.25 * chars)
        if exact == 0:
            # nothing spelt the same ("Navient" / "Avient"): one-letter differences name different
            # companies too often to assign on spelling alone
            return min(score, self.threshold - self.margin - 1.0)
        # A word one name has and the other lacks usually tells two companies apart ("Templeton
        # Emerging Markets Fund" / "... Income Fund", "PTC" / "PTC Therapeutics"), however long the
        # shared part is; words that only describe the corporate structure ("Holdings") do not.
        unmatched = [t for i, t in enumerate(q) if not done_q[i]] + [
            u for j, u in enumerate(c) if not used_c[j]
        ]
        extra = sum(t not in STRUCTURE_WORDS for t in unmatched)
        score -= UNMATCHED_PENALTY * extra
        if extra and _FUND_NAME_WORDS.intersection(q) and _FUND_NAME_WORDS.intersection(c):
            # sibling funds of one family differ by a single word ("Acme Global Income Fund" /
            # "Acme Income Fund"): between two fund names any word of difference is another fund
            score = min(score, self.threshold - self.margin - 1.0)
        # Same name but for structure words ("ADTRAN" / "ADTRAN Holdings", "IZEA" / "IZEA Worldwide"):
        # trusted when every shared word is spelt the same and one is distinctive. Scores sit in a
        # narrow band (91-95) so that two accounts that both fit come out too close to call.
        if exact == sum(done_q):
            shared = [t for i, t in enumerate(q) if done_q[i]]
            if not extra and any(self._distinctive(t) for t in shared):
                score = max(score, 91.0 + 4.0 * dice)
        return max(score, 0.0)

    def _renamed(self, q: tuple[str, ...], ranked: Sequence[tuple[int, float]], entry: int) -> bool:
        """True when the best candidate is the mention's company under a name with words added or
        dropped ("Acme Widgets" -> "Acme", "Acme" -> "Acme Widgets"): one name's words (structure
        words aside) all appear in the other, the shared words point to this account and no other,
        and the runner-up is far behind.

        Two directions, two strengths of evidence. When the account has words the mention lacks,
        one shared word must belong to this account alone (an investment fund is never taken this
        way: sibling funds differ by one word, "Acme Income Fund" / "Acme Municipal Income Fund").
        When the mention has the extra words, no other account may hold all the shared words, and
        they must include a distinctive one. Series numbers ("Fund II") never count as extra."""
        pos, top = ranked[0]
        if top < RENAME_MIN_SCORE:
            return False
        if len(ranked) > 1 and top - ranked[1][1] < RENAME_MARGIN:
            return False
        c = tuple(self._entry_key[entry].split())
        shared: list[str] = []
        q_extra = [t for t in q if t not in _IGNORABLE]
        c_extra = [u for u in c if u not in _IGNORABLE]
        for t in list(q_extra):
            if t in c_extra:
                shared.append(t)
                q_extra.remove(t)
                c_extra.remove(t)
        if not shared or (q_extra and c_extra):
            return False
        extra = (*q_extra, *c_extra)
        # More new words than kept ones is another company ("Acme" / "Acme Gold Mining Royalty");
        # a series number names a sibling ("Fund II"); a kind-of-business word is what tells a
        # parent from its spin-off or sibling ("Acme" / "Acme Technologies", "Acme Financial
        # Services" / "Acme Financial Holdings").
        # One trailing business word on the account's side after a two-word shared name is the
        # usual short form in news ("Pinecrest Data" for "Pinecrest Data Systems"), not a spin-off.
        short_form = bool(c_extra) and not q_extra and len(c_extra) == 1 and len(shared) >= 2
        if len(extra) > len(shared) or any(
            t.isdigit() or t in _SERIES or (t in GENERIC_WORDS and not short_form) for t in extra
        ):
            return False
        anchors = [
            u for u in shared if u not in GENERIC_WORDS and len(u) >= RENAME_MIN_ANCHOR and not u.isdigit()
        ]
        if not anchors:
            return False
        if c_extra:  # the account's name is longer
            if _FUND_WORDS.intersection(c) or _FUND_WORDS.intersection(q):
                return False
            return any(self._sole_owner((u,), pos) for u in anchors)
        return any(self._distinctive(u) for u in anchors) and self._sole_owner(tuple(shared), pos)

    def _short_form_of_several(
        self, q: tuple[str, ...], ranked: Sequence[tuple[int, float]], best_entry: Mapping[int, int]
    ) -> set[int]:
        """The accounts (two or more) a short form fits alike, or an empty set: every word of the
        mention is in each of their names ("Meridian" with "Meridian Health Partners" and "Meridian
        Capital Group" in the CRM), whatever their fuzzy scores (a structure word like "Group"
        weighs less, which says nothing about which one is meant). A person should choose, so the
        match goes to review with its candidates instead of being dropped as no match. The
        mention needs a word few names share, so "Capital" alone is not sent to review."""
        if len(ranked) < 2:
            return set()
        words = {t for t in q if t not in _IGNORABLE}
        if not any(
            t not in GENERIC_WORDS and len(t) >= RENAME_MIN_ANCHOR and self._df.get(t, 0) <= MAX_TIE_BREAK
            for t in words
        ):
            return set()
        holders = set()
        for pos, _score in ranked:
            entry = best_entry.get(pos)
            name = (
                self._entry_key[entry].split()
                if entry is not None
                else company_tokens(self.accounts[pos].name)
            )
            if words.issubset(name):
                holders.add(pos)
        return holders if len(holders) >= 2 else set()

    def _family_renamed(self, q: tuple[str, ...], ranked: Sequence[tuple[int, float]], entry: int) -> bool:
        """True when the best candidate is the mention's investment fund after its fund family was
        renamed ("Oldfam Global Dividend Fund" -> "Newfam Global Dividend Fund"): the names differ only
        in their first one or two words, the old family's words name no account any more (the whole
        family moved), the rest is a fund name of three or more words that no other account has,
        and the runner-up is far behind."""
        pos, top = ranked[0]
        if len(ranked) > 1 and top - ranked[1][1] < RENAME_MARGIN:
            return False
        c = tuple(self._entry_key[entry].split())
        if not (_FUND_NAME_WORDS.intersection(q) and _FUND_NAME_WORDS.intersection(c)):
            return False
        for i in (1, 2):
            for j in (1, 2):
                rest = q[i:]
                if len(rest) < 3 or rest != c[j:] or q[0] == c[0]:
                    continue
                if any(self._df.get(t, 0) for t in q[:i]):
                    continue
                anchors = [t for t in rest if t not in GENERIC_WORDS and t not in _FUND_WORDS]
                if len(anchors) < 2:
                    continue
                if self._sole_owner(rest, pos):
                    return True
        return False

    def _sole_owner(self, tokens: tuple[str, ...], pos: int) -> bool:
        """True when account `pos` is the only account with a name (or alias) holding all these
        words. Reads the postings of the rarest word only; a word too common to read says no."""
        rarest = min(tokens, key=lambda t: self._df.get(t, 0))
        post = self._postings.get("w" + rarest)
        if post is None:
            return False
        entries = [post] if isinstance(post, int) else post
        if len(entries) > MAX_POSTING:
            return False
        wanted = set(tokens)
        found = False
        for e in entries:
            if not wanted.issubset(self._entry_key[int(e)].split()):
                continue
            if self._entry_account[int(e)] != pos:
                return False
            found = True
        return found

    def _distinctive(self, token: str) -> bool:
        """A word that few names share (and not a generic one): enough to identify a company."""
        if token in GENERIC_WORDS or len(token) < 3:
            return False
        return self._df.get(token, 0) <= max(3, int(self._n_entries * 0.0005))


def _blocking_keys(tokens: tuple[str, ...]) -> list[str]:
    """Keys a name is filed under: each token; for long tokens the first 4, last 4 and first 2 +
    last 2 letters (one of them survives a typo anywhere); the first two tokens."""
    keys = []
    for t in tokens:
        keys.append("w" + t)
        if len(t) >= _TYPO_MIN_LEN:
            keys.append("p" + t[:4])
            keys.append("s" + t[-4:])
            keys.append("m" + t[:2] + t[-2:])  # survives a typo in the middle of a short word
    if len(tokens) >= 2:
        keys.append("b" + tokens[0] + " " + tokens[1])
    return keys


def _query_keys(tokens: tuple[str, ...], df: Mapping[str, int]) -> list[str]:
    """Keys to look a mention up under: known tokens directly; prefixes/suffixes for unknown
    (misspelt or joined) tokens; the first two tokens."""
    keys = []
    for t in tokens:
        keys.append("w" + t)
        if len(t) >= _TYPO_MIN_LEN and t not in df:
            keys.append("p" + t[:4])
            keys.append("s" + t[-4:])
            keys.append("m" + t[:2] + t[-2:])
    if len(tokens) >= 2:
        keys.append("b" + tokens[0] + " " + tokens[1])
    return keys
