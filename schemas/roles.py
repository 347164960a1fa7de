"""Job titles as written ("Chief Marketing Officer", "SVP, Sales EMEA", "president and CEO") to the
CONTRACT.md role list: the one normalisation every title goes through, whether a trigger detector read
it in a headline, a filing stated it in an 8-K item 5.02 or a CRM or job-change export carried it.

A title naming several posts maps to the most senior one a seller would act on: a C-level post before
a VP, a president or a chair ("chairman and chief executive officer" is `ceo`, "president and chief
operating officer" is `coo`), then a VP or head with a function, then a country or region, then a
president, a chair, the board. Rules are general facts of how titles are written, checked in order
(first match wins); they live here, in `schemas`, because sources, triggers and matchers all need them
and may import only `schemas`.
"""

from __future__ import annotations

import re
import unicodedata

from schemas.records import Role

# The words of a function, wherever they stand in the title ("VP Marketing", "Marketing VP").
# Marketing includes the functions a marketing leader runs under another name: demand generation, growth
# (not growth equity or growth-stage investing), brand, and every "... marketing" (product, growth,
# digital, field marketing).
_MARKETING = r"\bmarketing\b|\bbrand(?:s|ing)?\b|\bgrowth\b(?! equity| stage| investing| fund)|\bdemand gen(?:eration)?\b"
_SALES = r"\bsales\b|\bbusiness development\b|\bcommercial\b|\brevenue\b"
# Bare "development" is left out: "corporate development" is not engineering.
_ENGINEERING = (
    r"\bengineering\b|\btech(?:nology)?\b|\br ?& ?d\b|\bresearch (?:and|&) development\b|"
    r"\bproduct development\b|\bsoftware development\b"
)
_VP = r"\b[sea]?vps?\b"  # "vice president" is rewritten to "vp" before the rules run
# A post that leads a function; "manager" is not one ("Marketing Manager" is not the head of marketing),
# and "lead" is one only as a post ("Marketing Lead", "Lead, Growth"), not in "Lead Sales Engineer".
_LEAD = r"\bheads?\b|\bdirectors?\b|\bleader\b|\blead$|\blead of\b|^lead\b(?!.*\bengineer\b)"
# A country or region a post is for ("General Manager, EMEA", "Managing Director UK and Ireland").
_REGION = (
    r"\b(?:emea|apac|latam|dach|nordics?|benelux|anz|mena|americas|north america|south america|"
    r"latin america|europe|asia(?: pacific)?|middle east|africa|uk|us|usa|united states|united kingdom|"
    r"ireland|germany|france|spain|italy|netherlands|switzerland|sweden|poland|japan|china|india|"
    r"singapore|australia|canada|brazil|mexico|korea|israel|country|region|international)\b"
)


def _both(first: str, second: str) -> str:
    """A pattern that holds when `first` and `second` both occur, in either order."""
    return rf"^(?=.*(?:{first}))(?=.*(?:{second}))"


_REGIONAL_POST = _both(r"\bmanaging director\b|\bgeneral manager\b|\bhead\b", _REGION)


# (pattern, role), checked in order on the normalised title (see `_normalise`); the first match decides.
_RULES: tuple[tuple[str, Role], ...] = (
    (r"\bchief executive\b|\bceo\b|\bprincipal executive officer\b", "ceo"),
    # before cio: a chief information *security* officer is the ciso
    (r"\bchief information security\b|\bchief security officer\b|\bciso\b", "ciso"),
    (
        r"\bchief financial\b|\bchief finance officer\b|\bcfo\b|\bfinance director\b|"
        r"\bprincipal financial officer\b",
        "cfo",
    ),
    (r"\bchief operating\b|\bchief operations\b|\bcoo\b", "coo"),
    (r"\bchief technology\b|\bchief technical\b|\bcto\b", "cto"),
    (r"\bchief information\b|\bchief digital and information\b|\bcio\b", "cio"),
    (r"\bchief marketing\b|\bcmo\b", "cmo"),
    # the commercial and sales chiefs own revenue as the chief revenue officer does
    (r"\bchief revenue\b|\bchief commercial\b|\bchief sales\b|\bcro\b", "cro"),
    (r"\bchief product\b|\bcpo\b", "cpo"),
    (r"\bchief human\b|\bchief people\b|\bchief talent\b|\bchief personnel\b|\bchro\b", "chro"),
    (_both(_VP, _MARKETING), "vp_marketing"),
    (_both(_VP, _SALES), "vp_sales"),
    (_both(_VP, _ENGINEERING), "vp_engineering"),
    (_both(_LEAD, _MARKETING), "head_of_marketing"),
    (_both(_LEAD, _SALES), "head_of_sales"),
    (
        r"\bcountry (?:manager|head|director|lead)\b|\bhead of country\b|\bregional director\b|\bgm\b|"
        rf"{_REGIONAL_POST}|"
        r"\bmanaging director (?:for|in)\b",
        "country_manager",
    ),
    (r"\bpresidents?\b", "president"),
    # a committee's chair sits on the board; the board's chair (and vice chair) is the chair
    (
        r"^(?!.*\bchair\w* of the board\b)(?=.*\bchair\w* of (?:the )?(?:\w+ ){0,3}committee\b|.*\bcommittee chair)",
        "board",
    ),
    (r"\bchair(?:man|woman|person)?\b|\bvice chair", "chair"),
    (
        r"\bboard\b|\bdirectors\b|\bnon executive director\b|\bindependent director\b|\bned\b|\btrustees?\b|"
        r"^(?:(?:a|an|lead|independent|outside|new|class [iv]+)\s+)*director$|"
        r"^director of the (?:company|corporation|registrant|bank|fund|trust)\b",
        "board",
    ),
    # recognisably an executive, but none of the roles above
    (
        rf"\bchief\b|{_VP}|\bhead\b|\bdirector\b|\bfounder\b|\bgeneral manager\b|\bmanaging director\b|"
        r"\bexecutive officer\b|\bgeneral counsel\b|\btreasurer\b|\bcontroller\b|\baccounting officer\b|"
        r"\b(?:managing|general|founding|senior|equity) partner\b|^partner\b",
        "other_exec",
    ),
)
_COMPILED: tuple[tuple[re.Pattern[str], Role], ...] = tuple((re.compile(p), role) for p, role in _RULES)

# "Chief of Staff to the CEO", "Assistant to the President": the post served, not the post held.
_SERVES = re.compile(
    r"\b(?:to|for) the (?:\w+ )?(?:ceo|cfo|coo|cto|cmo|president|chair\w*|chief \w+(?: \w+)? officer)\b"
)


def _normalise(title: str) -> str:
    """Lower case ASCII words separated by single spaces; "vice president" as "vp", "&" as its own word."""
    text = unicodedata.normalize("NFKD", title)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace(".", "")  # "V.P.", "Sr."
    text = re.sub(r"[-\u2010-\u2015/,;:()|]", " ", text)
    text = re.sub(r"\s*&\s*", " & ", text)
    text = " ".join(text.split())
    text = re.sub(r"\bvice presidents?\b", "vp", text)
    return _SERVES.sub(" ", text).strip()


def normalise_role(title: str | None, *, executive: bool = True) -> Role | None:
    """The CONTRACT.md role for a job title as written, or None when `title` has no word in it.

    `executive` says whether the title is known to be an executive's (an executive move in a story or a
    filing): then a title that fits no named role is `other_exec`, as the contract asks. For a title of
    anyone (a CRM contact, a job-change row) pass `executive=False`: a title that is not recognisably an
    executive one ("Software Engineer", "Marketing Manager") then has no role (None)."""
    if not title:
        return None
    text = _normalise(title)
    if not re.search(r"[a-z0-9]", text):
        return None  # no word at all ("&", "-")
    for pattern, role in _COMPILED:
        if pattern.search(text):
            return role
    return "other_exec" if executive else None
