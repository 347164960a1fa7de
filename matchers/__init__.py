"""matchers: joins trigger events to CRM accounts and people to CRM contacts.

- `AccountIndex.build(accounts, aliases=..., threshold=...)` -> `.match(company, ...)` -> schemas.Match
- `normalize_company(name)`, `normalize_domain(value)`, `load_aliases(path)`
- `ContactIndex.build(contacts, accounts)` -> `.match_person(name, company, account_id)` -> ContactMatch
- `champion_events(...)`, `job_change_text(change)`, `is_churn_risk(event, accounts)`
- a title's role: `schemas.roles.normalise_role(title, executive=False)`
"""

from __future__ import annotations

from matchers.accounts import AccountIndex, AccountRef
from matchers.aliases import load_aliases
from matchers.champions import champion_events, is_churn_risk, job_change_text
from matchers.normalize import normalize_company, normalize_domain
from matchers.people import ContactIndex, ContactMatch, PersonName, parse_person_name

__all__ = [
    "AccountIndex",
    "AccountRef",
    "ContactIndex",
    "ContactMatch",
    "PersonName",
    "champion_events",
    "is_churn_risk",
    "job_change_text",
    "load_aliases",
    "normalize_company",
    "normalize_domain",
    "parse_person_name",
]
