"""Champion moves: a CRM contact named in a job-change post or an executive-hire story now works at a
different company than their CRM account. That is two triggers: `champion_left` on the old account
(a churn risk when the account is a customer) and `champion_joined` on the new company (a warm lead).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from matchers.accounts import AccountIndex
from matchers.normalize import company_tokens, core_tokens
from matchers.people import ContactIndex, ContactMatch, parse_person_name
from schemas import ROLES, Account, Document, JobChange, TriggerEvent
from schemas.roles import normalise_role

JOB_CHANGE_CONFIDENCE = 0.9  # a job-change export is structured data, but the person match may be wrong
_SENTENCE_RE = re.compile(r"[^.!?\n]+(?:[.!?]+|(?=\n)|$)")
_EVIDENCE_MAX = 400


def job_change_text(change: JobChange) -> str:
    """The text a job-change post stands for, e.g. "Jane Doe started as CFO at Beta Corp (previously
    Acme Inc)." Store the job change as a Document with this text and id `change.id` so that the
    champion events' evidence is a verbatim substring of it."""
    parts = [change.person]
    parts.append(f"started as {change.new_title}" if change.new_title else "started a new position")
    if change.new_company:
        parts.append(f"at {change.new_company}")
    text = " ".join(parts)
    if change.previous_company:
        text += f" (previously {change.previous_company})"
    return text + "."


def champion_events(
    person: str,
    new_company: str | None,
    previous_company: str | None,
    *,
    contacts: ContactIndex,
    accounts: AccountIndex,
    title: str | None = None,
    role: str | None = None,
    document: Document | None = None,
    source_event: TriggerEvent | None = None,
    job_change: JobChange | None = None,
    account_map: Mapping[str, Account] | None = None,
) -> list[TriggerEvent]:
    """champion_left + champion_joined when `person` is a CRM contact who now works at `new_company`,
    which is not their CRM account; [] otherwise (not a contact, same account, nothing known).

    Give the source as `document` (evidence is taken from its text), `source_event` (an
    executive_hire TriggerEvent; its evidence is used when no document is given) or `job_change`
    (text from `job_change_text`). `previous_company`, when known, must agree with the contact's
    CRM account; when unknown, only a unique, strong name match counts (see matchers.people).
    `role` is used when valid, else derived from `title`. `account_map` (account_id -> Account)
    supplies the old account's name; without it the index's copy is used.
    """
    if not person or not new_company:
        return []  # without a new company there is no move to report
    match = _find_contact(person, previous_company, contacts, accounts)
    if match is None:
        return []
    contact = match.contact
    old_id = contact.account_id
    old_name = _account_name(old_id, accounts, account_map) or contact.company
    if not old_name:
        return []
    if _same_company(new_company, old_id, old_name, accounts, account_map):
        return []  # a new title at the same account: a promotion, not a move
    new_match = accounts.match(new_company)
    if old_id and new_match.account_id == old_id:
        return []

    document_id, text, published_at, url, source, base_confidence = _source(
        document, source_event, job_change
    )
    evidence = _evidence(text, person, source_event)
    role_value = role if role in ROLES else normalise_role(title, executive=False)
    confidence = round(max(0.0, min(1.0, base_confidence * match.score / 100.0)), 3)
    common = {
        "document_id": document_id,
        "person": person,
        "title": title,
        "role": role_value,
        "confidence": confidence,
        "evidence": evidence,
        "published_at": published_at,
        "url": url,
        "source": source,
        "contact_id": contact.contact_id,
    }
    left = TriggerEvent(
        event_id=TriggerEvent.make_id(document_id, "champion_left", contact.contact_id),
        type="champion_left",
        company=old_name,
        counterparty=new_company,
        account_id=old_id,
        **common,  # type: ignore[arg-type]
    )
    joined = TriggerEvent(
        event_id=TriggerEvent.make_id(document_id, "champion_joined", contact.contact_id),
        type="champion_joined",
        company=new_company,
        counterparty=old_name,
        account_id=new_match.account_id,
        **common,  # type: ignore[arg-type]
    )
    return [left, joined]


def is_churn_risk(event: TriggerEvent, account_map: Mapping[str, Account] | AccountIndex) -> bool:
    """True for a champion_left on an account whose CRM type says it is a customer: the person who
    bought from you has gone. (Campaign segments can say the same with account_type: [Customer].)"""
    if event.type != "champion_left" or not event.account_id:
        return False
    if isinstance(account_map, AccountIndex):
        ref = account_map.get(event.account_id)
        kind = ref.type if ref else None
    else:
        account = account_map.get(event.account_id)
        kind = account.type if account else None
    return bool(kind) and "customer" in (kind or "").lower()


def _find_contact(
    person: str, previous_company: str | None, contacts: ContactIndex, accounts: AccountIndex
) -> ContactMatch | None:
    if previous_company:
        found = contacts.match_person(person, company=previous_company)
        if found is None:
            # the post may spell the old company differently from the CRM: try the account it means
            prev = accounts.match(previous_company)
            if prev.account_id:
                found = contacts.match_person(person, account_id=prev.account_id)
        return found
    return contacts.match_person(person)


def _account_name(
    account_id: str | None, accounts: AccountIndex, account_map: Mapping[str, Account] | None
) -> str | None:
    if not account_id:
        return None
    if account_map is not None and account_id in account_map:
        return account_map[account_id].name
    ref = accounts.get(account_id)
    return ref.name if ref else None


def _same_company(
    new_company: str,
    old_id: str | None,
    old_name: str,
    accounts: AccountIndex,
    account_map: Mapping[str, Account] | None,
) -> bool:
    new = company_tokens(new_company)
    names = [old_name]
    if old_id and account_map is not None and old_id in account_map:
        names.extend(account_map[old_id].aliases)
    for name in names:
        old = company_tokens(name)
        if new and old and (new == old or core_tokens(new) == core_tokens(old)):
            return True
    return False


def _source(
    document: Document | None, event: TriggerEvent | None, change: JobChange | None
) -> tuple[str, str, object, str | None, str | None, float]:
    """(document id, text, published_at, url, source, confidence) from whichever source was given."""
    if document is not None:
        conf = event.confidence if event is not None else JOB_CHANGE_CONFIDENCE
        return document.id, document.content, document.published_at, document.url, document.source, conf
    if event is not None:
        return (
            event.document_id,
            event.evidence,
            event.published_at,
            event.url,
            event.source,
            event.confidence,
        )
    if change is not None:
        return (
            change.id,
            job_change_text(change),
            change.changed_at,
            change.url,
            change.source,
            JOB_CHANGE_CONFIDENCE,
        )
    raise ValueError("matchers.champion_events: give the source as document, source_event or job_change")


def _evidence(text: str, person: str, event: TriggerEvent | None) -> str:
    """A verbatim piece of `text` that names the person: the source event's evidence when it does,
    else the first sentence or line holding the full name or the last name, else the text's start."""
    if event is not None and event.evidence and event.evidence in text and _names(event.evidence, person):
        return event.evidence
    for m in _SENTENCE_RE.finditer(text):
        sentence = m.group(0).strip()
        if sentence and _names(sentence, person):
            return sentence[:_EVIDENCE_MAX]
    if event is not None and event.evidence and event.evidence in text:
        return event.evidence
    return text.strip()[:_EVIDENCE_MAX] or text


def _names(sentence: str, person: str) -> bool:
    if person.lower() in sentence.lower():
        return True
    parsed = parse_person_name(person)
    return bool(parsed) and parsed.last.split()[-1] in sentence.lower() if parsed else False
