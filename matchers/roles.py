"""Job titles as written ("Chief Revenue Officer", "SVP, Sales EMEA") -> the contract's roles."""

from __future__ import annotations

import re

from anyascii import anyascii

# Checked in order; the first pattern found in the title decides. Specific before general: "Chief
# Information Security Officer" must become ciso, not cio; "Vice President" must not read as president.
_RULES: tuple[tuple[str, str], ...] = (
    (r"\bciso\b|chief information security officer|chief security officer", "ciso"),
    (r"\bceo\b|chief executive|managing director\b(?!.*\b(?:sales|marketing)\b)", "ceo"),
    (r"\bcfo\b|chief financial|finance director|group finance director", "cfo"),
    (r"\bcoo\b|chief operating|chief operations", "coo"),
    (r"\bcto\b|chief technology|chief technical", "cto"),
    (r"\bcio\b|chief information officer|chief digital (?:and|&) information", "cio"),
    (r"\bcmo\b|chief marketing", "cmo"),
    (r"\bcro\b|chief revenue|chief commercial|chief sales", "cro"),
    (r"\bcpo\b|chief product", "cpo"),
    (r"\bchro\b|chief human|chief people|chief talent|chief personnel", "chro"),
    (
        r"\b(?:vp|vice[- ]president|svp|evp|avp)\b.*\b(?:marketing|growth|brand|demand gen(?:eration)?)\b",
        "vp_marketing",
    ),
    (r"\b(?:vp|vice[- ]president|svp|evp|avp)\b.*\b(?:sales|revenue|business development)\b", "vp_sales"),
    (
        r"\b(?:vp|vice[- ]president|svp|evp|avp)\b.*\b(?:engineering|technology|r ?& ?d|development)\b",
        "vp_engineering",
    ),
    (
        r"\b(?:head|director|lead)\b.*\b(?:marketing|demand gen(?:eration)?)\b|\bmarketing (?:director|lead|head)\b",
        "head_of_marketing",
    ),
    (r"\b(?:head|director|lead)\b.*\bsales\b|\bsales (?:director|lead|head)\b", "head_of_sales"),
    (
        r"country manager|general manager\b.*\b(?:country|region|emea|apac|latam|dach|nordics|benelux|uk|us|usa)\b|\bgm\b|regional director|"
        r"managing director\b",
        "country_manager",
    ),
    (r"(?<!vice )(?<!vice-)\bpresident\b", "president"),
    (r"\bchair(?:man|woman|person)?\b(?!.*\bvice\b)", "chair"),
    (r"\bboard\b|\bdirector\b.*\bboard\b|non[- ]executive director|independent director|\bned\b", "board"),
    (
        r"\bchief\b|\b(?:vp|vice[- ]president|svp|evp)\b|\bhead of\b|\bdirector\b|\bpartner\b|founder|general manager",
        "other_exec",
    ),
)
_COMPILED = tuple((re.compile(p, re.IGNORECASE), role) for p, role in _RULES)


def title_to_role(title: str | None) -> str | None:
    """The contract role for a job title, or None when the title is not an executive one
    ("Software Engineer"). Co-titles take the first that matches in rule order ("CEO & Chair" -> ceo)."""
    if not title:
        return None
    text = anyascii(title).strip()
    for pattern, role in _COMPILED:
        if pattern.search(text):
            return role
    return None
