"""matchers: joins trigger events to CRM accounts and people to CRM contacts.

Public API: `AccountIndex`, `normalize_company`, `load_aliases`, `ContactIndex`, `ContactMatch`,
`champion_events`, `job_change_text`, `title_to_role`, `is_churn_risk`.
"""

from __future__ import annotations

from matchers.accounts import AccountIndex, AccountRef
from matchers.aliases import load_aliases
from matchers.normalize import normalize_company, normalize_domain

__all__ = ["AccountIndex", "AccountRef", "load_aliases", "normalize_company", "normalize_domain"]
