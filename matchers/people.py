"""People to CRM contacts: names with nicknames, middle initials and diacritics, checked against a company.

Decision on name-only matches (no company given): a contact is returned only when it is the one
contact whose name fits, the first name is written out (not an initial), and first and last name agree
exactly or by a known nickname. A company that is given and does not agree with the contact's account
means no match: another person with the same name at another company is the likelier reading.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources

from anyascii import anyascii
from nicknames import name_triplets
from rapidfuzz import fuzz

from matchers.normalize import company_tokens, core_tokens, words
from schemas import Account, Contact


# Nicknames and the names they stand for: the maintained `nicknames` dataset (English given names),
# plus data/nicknames-extra.csv for the pairs it lacks (other languages' short forms such as
# "Paco"/"Francisco", and spellings such as "Robbie"/"Robert"). Both directions are used: "Bob" finds
# "Robert" and the reverse; two nicknames of one name find each other.
def _nickname_pairs() -> Iterator[tuple[str, str]]:
    for triplet in name_triplets():
        yield triplet.name2, triplet.name1
    with resources.files("matchers").joinpath("data/nicknames-extra.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            yield row["nickname"], row["name"]


def _first_groups() -> dict[str, frozenset[str]]:
    """first name -> the names it can stand for (itself included)."""
    groups: dict[str, set[str]] = {}
    for nickname, name in _nickname_pairs():
        groups.setdefault(nickname, {nickname}).add(name)
        groups.setdefault(name, {name})
    return {first: frozenset(names) for first, names in groups.items()}


_FIRST_GROUPS = _first_groups()


def _group(first: str) -> frozenset[str]:
    return _FIRST_GROUPS.get(first, frozenset({first}))


_HONORIFICS = frozenset(words("mr mrs ms miss mx dr prof professor sir dame lord lady rev hon"))
_SUFFIXES = frozenset(words("jr sr ii iii iv phd md mba cpa esq jd dds cfa pe obe cbe mbe kbe"))
_NAME_SPLIT = re.compile(r"[^a-z]+")
# Lower-case particles that belong to the last name ("van der Berg", "de la Cruz", "bin Salman").
_PARTICLES = frozenset(words("van von der den de del della di da dos das du la le bin al ter ten st"))


@dataclass(frozen=True, slots=True)
class PersonName:
    """A person name taken apart: first name, last name (with particles), any middle names/initials."""

    first: str
    last: str
    middle: tuple[str, ...] = ()

    @property
    def first_is_initial(self) -> bool:
        return len(self.first) == 1


def parse_person_name(name: str | None) -> PersonName | None:
    """Split a written name into first / middle / last, ASCII and lower case. Handles "Last, First",
    honorifics ("Dr."), suffixes ("Jr.", "PhD"), middle initials ("John Q. Public") and diacritics
    ("José Núñez" -> jose / nunez). None when fewer than two name parts are left."""
    if not name:
        return None
    text = anyascii(name).lower().strip()
    text = re.sub(r"\([^)]*\)|\"[^\"]*\"", " ", text)  # nicknames in quotes or brackets
    if "," in text:
        head, _, tail = text.partition(",")
        tail_words = [w for w in _NAME_SPLIT.split(tail) if w]
        if tail_words and not all(w in _SUFFIXES for w in tail_words):
            text = f"{tail} {head}"  # "Smith, John" -> "John Smith"
    text = text.replace("'", "").replace("\u2019", "")
    words = [w for w in re.split(r"[\s.]+", text) if w]
    words = [re.sub(r"[^a-z-]", "", w) for w in words]
    words = [w for w in words if w and w not in _HONORIFICS and w not in _SUFFIXES]
    if len(words) < 2:
        return None
    first = words[0]
    rest = words[1:]
    # the last name starts at the first particle of the trailing run, else it is the last word
    start = len(rest) - 1
    while start > 0 and rest[start - 1] in _PARTICLES:
        start -= 1
    last = " ".join(rest[start:]).replace("-", " ")
    middle = tuple(rest[:start])
    return PersonName(first=first.replace("-", ""), last=last, middle=middle)


def _last_keys(last: str) -> list[str]:
    """Keys a last name is filed under: all of it and, for double names, its last part
    ("garcia marquez" is found as "marquez" too; "van der berg" as "berg")."""
    compact = last.replace(" ", "")
    parts = last.split()
    keys = [compact]
    if len(parts) > 1:
        keys.append(parts[-1])
        if parts[0] not in _PARTICLES:
            keys.append(parts[0])
    return keys


@dataclass(frozen=True, slots=True)
class ContactMatch:
    """A CRM contact a person mention was joined to, with how sure (0-100) and how
    (`name_company`, `name_account`, `name_only`)."""

    contact: Contact
    score: float
    method: str


class ContactIndex:
    """Person mention -> CRM contact, by name together with company (see the module docstring)."""

    def __init__(self) -> None:
        self.contacts: list[Contact] = []
        self._names: list[PersonName | None] = []
        self._by_last: dict[str, list[int]] = {}
        self._account_keys: dict[str, set[str]] = {}  # account_id -> name keys of the account

    @classmethod
    def build(cls, contacts: Iterable[Contact], accounts: Iterable[Account]) -> ContactIndex:
        """Index CRM contacts by last name; `accounts` gives the names their account ids stand for."""
        index = cls()
        for account in accounts:
            keys = index._account_keys.setdefault(account.account_id, set())
            for name in (account.name, *account.aliases):
                keys |= _company_keys(name)
        for contact in contacts:
            parsed = _contact_name(contact)
            pos = len(index.contacts)
            index.contacts.append(contact)
            index._names.append(parsed)
            if parsed is None:
                continue
            for key in _last_keys(parsed.last):
                index._by_last.setdefault(key, []).append(pos)
        return index

    def __len__(self) -> int:
        return len(self.contacts)

    def match_person(
        self, name: str, company: str | None = None, account_id: str | None = None
    ) -> ContactMatch | None:
        """The CRM contact `name` means. With `account_id` or `company`, the contact's account (or
        company field) must agree; without either, only a unique and strong name match counts."""
        parsed = parse_person_name(name)
        if parsed is None:
            return None
        found: dict[int, float] = {}
        for key in _last_keys(parsed.last):
            for pos in self._by_last.get(key, ()):
                s = _name_score(parsed, self._names[pos])
                if s > found.get(pos, 0.0):
                    found[pos] = s
        found = {p: s for p, s in found.items() if s >= 80.0}
        if not found:
            return None
        if account_id or company:
            agreeing = [
                (p, s)
                for p, s in found.items()
                if self._company_agrees(self.contacts[p], company, account_id)
            ]
            if not agreeing:
                return None
            agreeing.sort(key=lambda x: -x[1])
            if len(agreeing) > 1 and agreeing[1][1] >= agreeing[0][1] - 5.0:
                return None  # two people of that name at that company: too close to call
            pos, s = agreeing[0]
            method = (
                "name_account"
                if account_id and self.contacts[pos].account_id == account_id
                else "name_company"
            )
            return ContactMatch(self.contacts[pos], round(s, 1), method)
        # name alone: unique, first name written out, exact or nickname agreement
        if len(found) != 1:
            return None
        pos, s = next(iter(found.items()))
        if parsed.first_is_initial or s < 95.0:
            return None
        return ContactMatch(self.contacts[pos], round(s * 0.9, 1), "name_only")

    def _company_agrees(self, contact: Contact, company: str | None, account_id: str | None) -> bool:
        if account_id is not None and contact.account_id == account_id:
            return True
        if not company:
            return False
        keys = _company_keys(company)
        if not keys:
            return False
        known = set(self._account_keys.get(contact.account_id or "", set()))
        if contact.company:
            known |= _company_keys(contact.company)
        return bool(keys & known)


def _company_keys(name: str | None) -> set[str]:
    """Keys under which two spellings of one company meet: the normalised name, without spaces,
    and its core (without structure words like Holdings/Group)."""
    tokens = company_tokens(name)
    if not tokens:
        return set()
    return {" ".join(tokens), "".join(tokens), " ".join(core_tokens(tokens))}


def _contact_name(contact: Contact) -> PersonName | None:
    if contact.first_name and contact.last_name:
        parsed = parse_person_name(f"{contact.first_name} {contact.last_name}")
        if parsed is not None:
            return parsed
    return parse_person_name(contact.full_name)


def _name_score(q: PersonName, c: PersonName | None) -> float:
    """0-100: how well two parsed names agree. Last names must agree (a typo in a long one is
    tolerated); first names agree exactly (100), by nickname (96), by a short form ("Theo"/"Theodore", 92)
    or by initial (85). Conflicting middle initials cost points."""
    if c is None:
        return 0.0
    ql, cl = q.last.replace(" ", ""), c.last.replace(" ", "")
    if ql == cl or ql in _last_keys(c.last) or cl in _last_keys(q.last):
        last = 100.0
    elif min(len(ql), len(cl)) >= 6 and fuzz.ratio(ql, cl) >= 90:
        last = 90.0
    else:
        return 0.0
    qf, cf = q.first, c.first
    if qf == cf:
        first = 100.0
    elif _group(qf) & _group(cf):
        first = 96.0
    elif len(qf) == 1 or len(cf) == 1:
        first = 85.0 if qf[0] == cf[0] else 0.0
    elif (
        min(len(qf), len(cf)) >= 3
        and abs(len(qf) - len(cf)) >= 3
        and (qf.startswith(cf) or cf.startswith(qf))
    ):
        # a short form ("Theo"/"Theodore"), not a sibling name one letter longer ("Robert"/"Roberta")
        first = 92.0
    else:
        return 0.0
    score = min(last, first)
    # "John Q. Public" and "John R. Public" are two people
    if q.middle and c.middle and q.middle[0][0] != c.middle[0][0]:
        score -= 30.0
    return score
