"""Job titles as written ("Chief Marketing Officer", "president and CEO") to the CONTRACT.md role list.

A title naming several posts maps to the most senior one a seller would act on: a CEO before a
president, a C-level post before a chair, a chair before a VP, so "chairman and chief executive
officer" is `ceo` and "president and chief operating officer" is `coo`.
"""

from __future__ import annotations

import re

# (pattern, role), most senior / most specific first; patterns run on the lower-cased title.
_ROLE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), role)
    for p, role in [
        (r"\bchief executive\b|\bceo\b|\bgroup chief executive\b", "ceo"),
        (r"\bchief financial\b|\bcfo\b|\bfinance director\b", "cfo"),
        (r"\bchief operating\b|\bcoo\b", "coo"),
        (r"\bchief technology\b|\bchief technical\b|\bcto\b", "cto"),
        (r"\bchief information security\b|\bciso\b", "ciso"),
        (r"\bchief information\b|\bcio\b", "cio"),
        (r"\bchief marketing\b|\bcmo\b", "cmo"),
        (r"\bchief revenue\b|\bcro\b", "cro"),
        (r"\bchief product\b|\bcpo\b", "cpo"),
        (r"\bchief human\b|\bchief people\b|\bchro\b", "chro"),
        (r"\bvice[- ]president\b|\bvp\b|\bsvp\b|\bevp\b", "_vp"),
        (r"\bpresident\b", "president"),
        (r"\bvice[- ]chair", "chair"),
        (r"\bchair(man|woman|person)?\b", "chair"),
        (r"\bhead of\b|\bheads\b|\bdirector of\b|\bdirector,\b", "_head"),
        (r"\bcountry manager\b|\bcountry head\b|\bmanaging director\b.*\b(for|of|in)\b", "country_manager"),
        (r"\bmanaging director\b|\bgeneral manager\b|\bexecutive director\b", "other_exec"),
        (r"\bboard\b|\bdirectors?\b|\bgovernors?\b", "board"),
        (r"\bchief\b|\bpartner\b|\bexecutive\b|\bcounsel\b", "other_exec"),
    ]
]
_MARKETING = re.compile(r"\bmarketing\b|\bbrand\b|\bgrowth\b")
_SALES = re.compile(r"\bsales\b|\bbusiness development\b|\bcommercial\b|\brevenue\b")
_ENGINEERING = re.compile(r"\bengineering\b|\btech(nology)?\b|\bproduct development\b|\br&d\b")
_PLAIN_HEAD = re.compile(r"\bhead\b|\bdirector\b|\blead\b|\bmanager\b")


def normalise_role(title: str | None) -> str | None:
    """The CONTRACT.md role for a job title as written, or None when `title` is empty.
    Anything executive that fits no named role is `other_exec`."""
    if not title or not title.strip():
        return None
    t = " ".join(title.lower().replace("-", " ").split())
    t = t.replace("vice president", "vice-president")
    for pattern, role in _ROLE_PATTERNS:
        if not pattern.search(t):
            continue
        if role == "_vp":
            # A VP title that also names a C-level post ("senior VP and CFO"): the C-level post won above.
            if _MARKETING.search(t):
                return "vp_marketing"
            if _SALES.search(t):
                return "vp_sales"
            if _ENGINEERING.search(t):
                return "vp_engineering"
            return "other_exec"
        if role == "_head":
            if _MARKETING.search(t):
                return "head_of_marketing"
            if _SALES.search(t):
                return "head_of_sales"
            if re.search(r"\bcountry\b", t):
                return "country_manager"
            return "other_exec"
        return role
    if _PLAIN_HEAD.search(t):
        if _MARKETING.search(t):
            return "head_of_marketing"
        if _SALES.search(t):
            return "head_of_sales"
    return "other_exec"
