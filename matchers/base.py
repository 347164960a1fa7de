"""What every matcher is: a mention of a company in, the CRM account it means (or none) out."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from schemas import Match


@runtime_checkable
class AccountMatcher(Protocol):
    """Joins a company mention to a CRM account. `domain`, `url` and `text` are optional hints
    (the domain cascade step uses them). Returns a Match with method "none" and account_id None
    when nothing is good enough, and ambiguous=True with candidates when two are too close to call."""

    def match(
        self,
        company: str | None,
        *,
        event_id: str = "",
        domain: str | None = None,
        url: str | None = None,
        text: str | None = None,
    ) -> Match: ...
