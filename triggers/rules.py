"""The hand-written rules that find trigger events in one headline or lead sentence.

How it reads a sentence: first a cheap test on the raw text (CueFilter: are all words of some cue phrase
there?) lets the caller skip sentences with no cue at all, most of a feed. Then a phrase matcher on the
lower-case tokens (so Title Case and ALL-CAPS headlines work) finds the cue words of each event type ("raises", "acquires", "steps down as"); around each cue the
rules pick the subject company (the name run just before the cue, minus descriptors such as
"Singapore's fintech startup"), the object (acquired company, partner, person and title), the amount,
the round and the investors. Hedges ("in talks to", "plans to raise", "reportedly") and the
not-an-event shapes (a VC firm's own fund, a lifetime funding total, a listicle) stop a cue; a sourcing
hedge elsewhere in the sentence ("..., sources say") is noted on the candidate for the scorer.

The rules work on spaCy tokens so offsets stay exact: every field is a slice of the text as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc

from triggers.amounts import Amount, find_amounts
from triggers.lexicon import (
    COMMON_WORDS,
    CORPORATE_SUFFIXES,
    DESCRIPTORS,
    NAME_TAILS,
    NATIONALITIES,
    PLACES,
    PREPOSITIONS,
    VOCABULARY,
    is_common_word,
)
from triggers.roles import normalise_role


@dataclass
class Candidate:
    """One event the rules found in one sentence, before scoring. Offsets are into the sentence."""

    type: str
    company: str | None = None
    counterparty: str | None = None
    person: str | None = None
    title: str | None = None
    role: str | None = None
    round: str | None = None
    amount: float | None = None
    currency: str | None = None
    investors: list[str] = field(default_factory=list)
    rule: str = ""  # which rule family fired; a scoring feature
    strength: float = 0.8  # how specific the rule is (prior, refined by calibration)
    cue_start: int = 0  # token index of the cue
    cue: str = ""  # the cue words as written, lower case ("raises", "steps down as")
    hedge_near: bool = False  # a hedge word elsewhere in the sentence ("..., sources say"): less sure
    casing: str = "sentence"  # how the sentence is written: sentence, title or upper (ALL CAPS)
    confidence: float = 0.0  # set by the scorer component


# --- cue lexicon: phrase -> (type, rule family) ------------------------------------------------------

_FUNDING_VERBS = [
    "raises",
    "raised",
    "raise",
    "raising",
    "secures",
    "secured",
    "secure",
    "securing",
    "bags",
    "bagged",
    "bag",
    "nabs",
    "nabbed",
    "nab",
    "lands",
    "landed",
    "gets",
    "got",
    "receives",
    "received",
    "closes",
    "closed",
    "completes",
    "completed",
    "snags",
    "snagged",
    "grabs",
    "grabbed",
    "scores",
    "scored",
    "attracts",
    "attracted",
    "garners",
    "garnered",
    "obtains",
    "obtained",
    "collects",
    "collected",
    "announces",
    "announced",
    "wins",
    "won",
    "nets",
    "netted",
    "confirms",
    "confirmed",
]
_FUNDING_PHRASES = ["picks up", "picked up", "rakes in", "raked in", "pulls in", "pulled in", "has raised"]
_INVEST_VERBS = [
    "invests",
    "invested",
    "investing",
    "leads",
    "led",
    "co-leads",
    "co-led",
    "injects",
    "injected",
    "pumps",
    "pumped",
    "participates",
    "participated",
    "participate",
    "invest",
    "inject",
    "pump",
]
# Bare "buy" / "buying" are left out: "motorcycle buying platform", "buy now, pay later".
_ACQ_ACTIVE = ["acquires", "acquired", "acquire", "acquiring", "buys", "bought", "to buy", "agrees to buy"]
_ACQ_PHRASES = [
    "snaps up",
    "snapped up",
    "takes over",
    "took over",
    "merges with",
    "merged with",
    "merge with",
    "takeover of",
    "acquisition of",
    "buyout of",
    "merger with",
    "buys majority stake in",
    "buys stake in",
    "acquires majority stake in",
    "acquires stake in",
]
_ACQ_PASSIVE = ["acquired by", "bought by", "gets acquired", "got acquired", "been acquired", "is acquired"]
_IPO = [
    "ipo",
    "files for ipo",
    "files to go public",
    "filed to go public",
    "goes public",
    "went public",
    "go public",
    "lists on",
    "listed on",
    "debuts on",
    "direct listing",
    "stock market debut",
    "market debut",
    "nasdaq debut",
    "nyse debut",
    "trading debut",
    "public debut",
    "public listing",
    "prices ipo",
    "priced its ipo",
    "files for an ipo",
    "initial public offering",
]
_HIRE_VERBS = [
    "appoints",
    "appointed",
    "appoint",
    "names",
    "named",
    "name",
    "hires",
    "hired",
    "hire",
    "taps",
    "tapped",
    "promotes",
    "promoted",
    "elects",
    "elected",
    "elect",
    "picks",
    "picked",
    "nominates",
    "nominated",
    "nominate",
    "recruits",
    "poaches",
    "poached",
    "welcomes",
    "succeeds",
    "succeed",
]
_HIRE_PHRASES = [
    "succeeded by",
    "replaced by",
    "ropes in",
    "roped in",
    "brings in",
    "brings on",
    "joins",
    "joined",
    "join",
    "takes over as",
]
_DEPART_PHRASES = [
    "steps down",
    "stepped down",
    "step down",
    "stepping down",
    "resigns",
    "resigned",
    "resign",
    "quits",
    "quit",
    "leaves",
    "leaving",
    "left",
    "leave",
    "to leave",
    "to step down",
    "departs",
    "departing",
    "departed",
    "exits",
    "exiting",
    "retires",
    "retiring",
    "retired",
    "retire",
    "fired",
    "fires",
    "ousted",
    "ousts",
    "sacked",
    "sacks",
    "is out",
    "departure",
    "resignation",
    "steps aside",
    "stepping aside",
    "died",
]
_LAYOFF_PHRASES = [
    "lays off",
    "laid off",
    "lay off",
    "laying off",
    "layoffs",
    "layoff",
    "job cuts",
    "cuts jobs",
    "cut jobs",
    "cutting jobs",
    "slashes jobs",
    "axes jobs",
    "shuts down",
    "shut down",
    "shutting down",
    "shutters",
    "shuttered",
    "closes down",
    "winds down",
    "ceases operations",
    "retrenches",
    "retrenchment",
    "downsizes",
    "downsizing",
    "cuts",
    "cut",
    "slashes",
    "axes",
    "to close",
    "job losses",
    "redundancies",
    # Need a jobs object, like "cuts": "will eliminate 12% of its workforce", "reduces headcount".
    "eliminates",
    "eliminated",
    "eliminate",
    "eliminating",
    "reduces",
    "reduced",
    "reduce",
    "reducing",
    "trims",
    "trimmed",
    "trim",
    "workforce reduction",
    "reduction in force",
]
_EXPANSION_PHRASES = [
    "expands to",
    "expands into",
    "expands in",
    "expand to",
    "expand into",
    "expanded to",
    "expanded into",
    "expanding to",
    "expanding into",
    "expands across",
    "expands its presence",
    # The bare verb counts only with a place a few words on ("expands its delivery service to Vietnam").
    "expands",
    "expand",
    "expanded",
    "expanding",
    "brings",
    "brought",
    "bringing",
    "expansion into",
    "expansion to",
    "enters",
    "entered",
    "enter",
    "entering",
    "launches in",
    "launched in",
    "launch in",
    "launching in",
    "debuts in",
    "arrives in",
    "goes live in",
    "forays into",
    "foray into",
    "ventures into",
    "sets up",
    "set up",
    "setting up",
    "opens",
    "opened",
    "open",
    "opening",
    "hiring spree",
    "hiring drive",
    "to hire",
    "moves into",
    "marks entry",
    "makes entry",
    "enters into",
]
_LAUNCH_PHRASES = [
    "launches",
    "launched",
    "launch",
    "launching",
    "unveils",
    "unveiled",
    "unveil",
    "releases",
    "released",
    "introduces",
    "introduced",
    "rolls out",
    "rolled out",
    "roll out",
    "debuts",
    "debuted",
    "now offering",
    "now offers",
    "launch of",
    "unveiling",
]
_PARTNER_PHRASES = [
    "partners with",
    "partnered with",
    "partnering with",
    "partner with",
    "teams up with",
    "teamed up with",
    "team up with",
    "teaming up with",
    "ties up with",
    "tied up with",
    "tie up with",
    "joins hands with",
    "join hands with",
    "joins forces with",
    "join forces with",
    "collaborates with",
    "collaborate with",
    "collaborating with",
    "in collaboration with",
    "in partnership with",
    "partnership with",
    "alliance with",
    "forms alliance with",
    "integrates with",
    "joint venture with",
    "jv with",
    "signs mou with",
    "inks mou with",
    "strikes deal with",
    "signs deal with",
    "inks deal with",
    "signs agreement with",
    "inks agreement with",
    "signs pact with",
    "inks pact with",
    "inks partnership with",
    "signs partnership with",
    "announces partnership with",
    "partnership",
    "collaborate",
    "to create",
    "to build",
    "to develop",
    "to co-develop",
    "to set up",
    "to form",
    "to jointly",
    "partner",
    "join forces",
    "team up",
    # Partnership nouns: "X and Y enter research collaboration", "X forms joint venture with Y".
    "collaboration",
    "collaboration with",
    "alliance",
    "joint venture",
    "tie-up",
    "tie-up with",
    # "X selects Y as (its technology) partner": the choice verb only counts with "as ... partner".
    "selects",
    "selected",
    "chooses",
    "chose",
]

CUES: dict[str, list[str]] = {
    "funding": _FUNDING_VERBS + _FUNDING_PHRASES,
    "invest": _INVEST_VERBS,
    "acq_active": _ACQ_ACTIVE + _ACQ_PHRASES,
    "acq_passive": _ACQ_PASSIVE,
    "ipo": _IPO,
    "hire": _HIRE_VERBS + _HIRE_PHRASES,
    "depart": _DEPART_PHRASES,
    "layoff": _LAYOFF_PHRASES,
    "expansion": _EXPANSION_PHRASES,
    "launch": _LAUNCH_PHRASES,
    "partner": _PARTNER_PHRASES,
}

# --- word classes ------------------------------------------------------------------------------------

_HEDGES = [
    "in talks",
    "talks to",
    "in discussions",
    "plans to",
    "planning to",
    "plan to",
    "plans",
    "considering",
    "considers",
    "mulls",
    "mulling",
    "eyes",
    "eyeing",
    "weighs",
    "weighing",
    "explores",
    "exploring",
    "reportedly",
    "rumoured",
    "rumored",
    "rumour",
    "rumor",
    "said to be",
    "is said to",
    "expected to",
    "likely to",
    "could",
    "may",
    "might",
    "would",
    "looking to",
    "looks to",
    "seeks to",
    "seeking to",
    "aims to",
    "aiming to",
    "wants to",
    "hopes to",
    "hoping to",
    "prepares to",
    "preparing to",
    "gearing up to",
    "set to",
    "poised to",
    "nears",
    "nearing",
    "close to",
    "in line to",
    "mulls over",
    "reports say",
    "sources say",
    "according to sources",
    "is raising",
    "are raising",
    "seeks",
    "seeking",
    "looking for",
    "ahead of",
    "after",
    "before",
    "following",
    "should",
    "if",
    "why",
    "how",
    "will",
    "fails to",
    "failed to",
    "denies",
    "not",
    "claims",
    "alleges",
    "allegedly",
]
_DIRECT_HEDGES = {
    "wants to",
    "aims to",
    "aiming to",
    "hopes to",
    "hoping to",
    "seeks to",
    "seeking to",
    "looking to",
    "looks to",
    "will",
    "set to",
    "poised to",
    "could",
    "may",
    "might",
    "would",
    "should",
    "if",
    "not",
    "after",
    "before",
    "following",
    "ahead of",
}
# Hedges that only make funding / IPO / acquisition speculative; a "to launch" or "will expand"
# announcement still counts for the lighter event types.
_FUTURE_OK_TYPES = {
    "product_launch",
    "expansion",
    "partnership",
    "executive_hire",
    "executive_departure",
    "layoffs",
    "acquisition",
}
_SOFT_HEDGES = {"will", "set to", "to", "after", "following", "before", "ahead of"}

_FUNDING_NOUNS = {
    "funding",
    "round",
    "investment",
    "investments",
    "financing",
    "seed",
    "series",
    "capital",
    "money",
    "cash",
    "backing",
    "debt",
    "bridge",
    "pre-series",
    "pre-seed",
    "angel",
    "pre-ipo",
    "equity",
    "funds",
    "injection",
    "led",
    "from",
    "crowdfunding",
    "grant",
}
_OPINION_PREFIX = re.compile(
    r"^\W*(opinion|op-ed|oped|interview|q&a|podcast|video|watch|webinar|editorial|commentary|analysis|"
    r"explainer|guest post|sponsored|event|events|column|review|recap|infographic|quiz|poll)\b\s*[:|\-—]",
    re.IGNORECASE,
)
_QUESTION_START = re.compile(
    r"^\W*(how|why|what|when|where|who|which|should|can|could|would|is|are|do|does|did|will|meet|"
    r"an inside look|a look|a closer look|a peek|a sneak|a deep dive|"
    r"here's|here are|these|this is|inside|lessons|tips|the rise|the fall|the state|the future|"
    r"a guide|guide|everything)\b",
    re.IGNORECASE,
)
# "How logistics startup Ferrowheel raised $2M", "Why Acme partnered with Beta": a feature about an event
# that happened (a past-tense event verb after a capitalised name), not a how-to or an open question.
_TOLD_STORY = re.compile(
    r"^\W*(?:[Hh]ow|[Ww]hy)\s+(?:[\w.&'’-]+\s+){0,4}?[A-Z][\w.&'’-]*\s+(?:raised|partnered|teamed up|acquired|"
    r"bought|secured|landed|launched|expanded)\b"
)
_LISTICLE = re.compile(
    r"^\W*(top\s+)?\d+\s+(\w+\s+){0,3}?(ways|things|tips|lessons|reasons|startups|"
    r"trends|companies|tools|steps|questions|mistakes|investors|apps|books|ideas|"
    r"founders|women|people|signs|habits|rules|myths|facts|strategies|takeaways|"
    r"predictions|highlights|deals|rounds|stories|secrets|key|best|top|most|new|"
    r"hottest|notable|biggest|emerging|fintech|tech|indian|asian)\b",
    re.IGNORECASE,
)
_PROMO = re.compile(
    r"\b(tickets?|register now|registration|early[- ]bird|join us|sign up|don't miss|last chance|"
    r"save the date|speakers? (announced|revealed|lineup)|apply now|applications? (open|close))\b",
    re.IGNORECASE,
)
_PROMO_HINTS = (
    "ticket",
    "regist",
    "early",
    "join us",
    "sign up",
    "miss",
    "last chance",
    "save the date",
    "speaker",
    "apply now",
    "application",
)


def _promo_hint(text: str) -> bool:
    """Whether _PROMO can match at all: each of its alternatives holds one of these substrings."""
    low = text.lower()
    return any(h in low for h in _PROMO_HINTS)


# Partnership nouns and what may stand between them and the verb that makes them an event
# ("X and Y enter research collaboration", "X forms a strategic alliance with Y").
_PARTNERSHIP_NOUNS = frozenset(["partnership", "collaboration", "alliance", "joint venture", "tie-up"])
_PARTNERSHIP_MODIFIERS = frozenset(
    [
        "new",
        "a",
        "an",
        "the",
        "strategic",
        "its",
        "their",
        "global",
        "exclusive",
        "regional",
        "multi-year",
        "multiyear",
        "long-term",
        "research",
        "r&d",
        "development",
        "co-development",
        "licensing",
        "commercial",
        "commercialization",
        "commercialisation",
        "technology",
        "tech",
        "distribution",
        "marketing",
        "clinical",
        "discovery",
        "drug",
        "supply",
        "manufacturing",
        "joint",
        "industry",
        "academic",
        "landmark",
        "major",
        "broad",
        "expanded",
    ]
)
_PARTNERSHIP_VERBS = frozenset(
    [
        "inks",
        "signs",
        "announces",
        "announce",
        "forms",
        "form",
        "launches",
        "launch",
        "seals",
        "strikes",
        "enters",
        "enter",
        "entered",
        "expands",
        "renews",
        "extends",
        "establish",
        "establishes",
        "established",
        "formed",
        "signed",
        "inked",
        "announced",
        "sealed",
        "struck",
        "through",
        "via",
        "extend",
        "renew",
        "expand",
        "sign",
        "ink",
        "seal",
        "strike",
        "deepen",
        "deepens",
        "into",
    ]
)
# Layoff verbs that only count with a jobs object ("cuts 200 jobs", not "cuts prices").
_JOB_OBJECT_CUES = frozenset(
    [
        "cuts",
        "cut",
        "slashes",
        "axes",
        "to close",
        "eliminates",
        "eliminated",
        "eliminate",
        "eliminating",
        "reduces",
        "reduced",
        "reduce",
        "reducing",
        "trims",
        "trimmed",
        "trim",
    ]
)
# Verbs that end a headline's opening subject ("Tundra Foods Announces ...", "Acme to restructure").
_HEADLINE_VERBS = frozenset(
    [
        "announces",
        "unveils",
        "outlines",
        "details",
        "begins",
        "starts",
        "launches",
        "reports",
        "says",
        "confirms",
        "restructures",
        "reorganizes",
        "reorganises",
        "overhauls",
        "completes",
        "plans",
        "to",
        "will",
        "is",
        "has",
        ":",
    ]
)
_CHOICE_VERBS = frozenset(["selects", "selected", "chooses", "chose"])
# After "enters": a pact, not a market ("enters research collaboration", "enter into strategic alliance").
_PACT_AHEAD = re.compile(
    r"^\s*(into )?((?!through |via |with |in |after )[\w&-]+ ){0,2}(partnerships?|collaborations?|alliances?|joint ventures?|tie-ups?|"
    r"agreements?|deals?|pacts?|mous?)\b"
)

_LIFETIME = re.compile(
    r"\b(to date|so far|in total|total funding|total of|till date|since (its )?(inception|launch|founding)|"
    r"cumulative|altogether|lifetime)\b",
    re.IGNORECASE,
)
_BRINGS_TOTAL = re.compile(r"\b(brings?|bringing|takes?|taking)\b.{0,30}\btotal\b", re.IGNORECASE)
_VALUATION = re.compile(r"\b(valuation|valued at|worth)\b", re.IGNORECASE)
_VC_FUND = re.compile(
    r"\b(new|maiden|debut|first|second|third|fourth|fifth|latest|\d+(st|nd|rd|th)|its|venture|vc|"
    r"sophomore|flagship|early-stage|growth|seed|opportunity|impact|evergreen|fintech|deep ?tech|"
    r"climate|crypto|ai)\s+fund\b|\bfund\s+(i|ii|iii|iv|v|vi|\d)\b|\bfund\s+of\s+funds\b|"
    r"\bfund\b(?!ing|s\b)(?=.{0,40}\b(for|to back|to invest|targeting|focused|focusing)\b)",
    re.IGNORECASE,
)


def _own_fund(text_low: str) -> bool:
    """A VC firm's own fund ("launches a new US$60M fund", "raises $210M for its third fund"), not an
    investor named "X Fund" after "from" / "led by"."""
    if "fund" not in text_low:
        return False  # both patterns need the word; the substring test is far cheaper than them
    m = _VC_FUND.search(text_low) or _FUND_WORD.search(text_low)
    if not m:
        return False
    before = text_low[max(0, m.start() - 30) : m.start()]
    return not re.search(r"\b(from|by|and|with|including)\b|'s |’s ", before)


_FUND_WORD = re.compile(r"\bfund\b|\bfunds\b(?! from)", re.IGNORECASE)
_INVESTOR_NAME = re.compile(
    r"\b(ventures?|capital|partners|vc|investments?|fund|equity|holdings|angels?|accelerator|labs|"
    r"management|advisors|advisers|group|syndicate)\b",
    re.IGNORECASE,
)
_ROUND_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p, re.IGNORECASE), r)
    for p, r in [
        (r"\bpre[- ]?series[- ]?a\b", "pre_series_a"),
        (r"\bpre[- ]?seed\b", "pre_seed"),
        (r"\bseries[- ]?a\b|\ba[- ]round\b|\bseries[- ]a\+", "series_a"),
        (r"\bseries[- ]?b\b|\bb[- ]round\b", "series_b"),
        (r"\bseries[- ]?c\b|\bc[- ]round\b", "series_c"),
        (r"\bseries[- ]?d\b|\bd[- ]round\b", "series_d"),
        (r"\bseries[- ]?[e-k]\b|\b[e-h][- ]round\b", "series_e_plus"),
        (r"\bseed\b|\bangel (round|funding|investment)\b", "seed"),
        (r"\bbridge[- ](?:round|funding|financing|loan|note|investment)\b", "bridge"),
        (r"\bventure debt\b|\bdebt\b|\bloan\b|\bcredit facility\b|\bconvertible note", "debt"),
        (r"\bgrowth (round|equity|funding|capital|investment)\b|\bpre-ipo\b|\blate[- ]stage\b", "growth"),
    ]
]
# Words whose capitalisation tells Title Case from sentence case: everyday content words (small function
# words stay lower-case in Title Case by convention, so they say nothing).
_COMMON_CASE_WORDS = (COMMON_WORDS | DESCRIPTORS) - NAME_TAILS - PLACES - STOP_WORDS

_TITLE_WORDS = frozenset(
    [
        "ceo",
        "cfo",
        "coo",
        "cto",
        "cio",
        "cmo",
        "cro",
        "cpo",
        "chro",
        "ciso",
        "chief",
        "president",
        "chairman",
        "chairwoman",
        "chairperson",
        "chair",
        "vice",
        "vp",
        "svp",
        "evp",
        "head",
        "director",
        "founder",
        "co-founder",
        "cofounder",
        "exec",
        "executive",
        "md",
        "gm",
        "boss",
        "partner",
        "treasurer",
        "secretary",
    ]
)
_PERSON_PARTICLES = frozenset(
    [
        "de",
        "von",
        "van",
        "der",
        "den",
        "da",
        "del",
        "la",
        "le",
        "al",
        "bin",
        "binti",
        "dos",
        "du",
        "di",
        "st",
        "st.",
    ]
)
_DETERMINERS = frozenset(["a", "an", "the", "its", "their", "his", "her", "new", "former", "another"])
_OBJ_STOPS = frozenset(
    [
        "for",
        "to",
        "with",
        "from",
        "in",
        "into",
        "at",
        "on",
        "as",
        "amid",
        "after",
        "that",
        "which",
        "who",
        "via",
        "by",
        "following",
        "over",
        "while",
        "despite",
        "and",
        "led",
        "through",
        "because",
        "ahead",
        "worth",
        "valued",
        "including",
        "plus",
        "alongside",
        "backed",
        "under",
        "than",
        "within",
        "across",
    ]
)
_PASSIVE_AUX = frozenset(["is", "are", "was", "were", "been", "be", "being", "gets", "got"])
_SKIP_BEFORE_CUE = frozenset(
    [
        "has",
        "have",
        "had",
        "is",
        "are",
        "was",
        "were",
        "will",
        "to",
        "officially",
        "also",
        "just",
        "now",
        "finally",
        "quietly",
        "formally",
        "successfully",
        "reportedly",
        "has",
        "been",
        "have",
        "been",
        "today",
        "further",
        "again",
        "already",
        "recently",
        "then",
        "jointly",
        "agrees",
        "agreed",
        "agree",
        "moves",
        "signs",
        "set",
    ]
)
_TITLE_ATOM = (
    r"(?:(?:senior|executive|deputy|group|global|regional|interim|acting|founding|joint|new|first|"
    r"division|non-executive|independent|managing|associate|assistant|co-?)\s+)*"
    r"(?:chief\s+[a-z]+(?:\s+[a-z]+)?\s+officer|chief\s+executive|ceo|cfo|coo|cto|cio|cmo|cro|cpo|chro|"
    r"ciso|vice[\s-]+chairman|vice[\s-]+chair|vice[\s-]+president|president|chairman|chairwoman|"
    r"chairperson|chair|svp|evp|vp|head|managing\s+director|general\s+manager|country\s+manager|"
    r"country\s+head|executive\s+director|managing\s+partner|general\s+partner|venture\s+partner|"
    r"partner|board\s+chair(?:man|woman)?|general\s+counsel|chief\s+(?!executive\b)[a-z]+|director|"
    r"board\s+members?|treasurer|md|gm)"
    r"(?:\s+(?:of|for)\s+(?:the\s+)?(?:board|marketing|sales|engineering|tech|technology|product|products|"
    r"operations|finance|business\s+development|strategy|growth|hr|human\s+resources|people|design|data|"
    r"research|communications|partnerships|international|global\s+sales|digital|e-commerce|"
    r"(?:southeast\s+)?asia(?:\s+pacific)?|apac|emea|europe|north\s+america|latin\s+america|"
    r"[a-z]+\s+and\s+[a-z]+\s+development)(?![\w-]))?"
)
_TITLE_RE = re.compile(
    rf"{_TITLE_ATOM}(?:\s*(?:,\s*|\s+and\s+|\s*&\s*)(?:a\s+)?{_TITLE_ATOM})*",
    re.IGNORECASE,
)
_SAID_PREFIX = re.compile(
    r"^\s*(?:the\s+board\s+of\s+directors\s+of\s+|the\s+board\s+of\s+)?<?(?P<co>[A-Z][^<>]{1,90}?)>?"
    r"(?:\s*<[^>]*>)?(?:\s*\([^)]*\))?\s+(?:said|says|announced|announces)\b",
)
_AGE = re.compile(r"^\s*,\s*\d{2}\s*,")


def _title_at(text: str, start: int) -> re.Match[str] | None:
    """A job title starting exactly at `start` (after spaces)."""
    m = _TITLE_RE.match(text, start)
    if m and m.end() > m.start():
        return m
    return None


class Tok(NamedTuple):
    """The few token attributes the rules read, as plain Python values (a spaCy Token is created anew
    and read through Cython on every access; the rules read them many times)."""

    text: str
    lower_: str
    idx: int
    whitespace_: str
    is_alpha: bool
    is_lower: bool
    is_upper: bool
    like_num: bool


_NUMBER_WORDS = frozenset(
    [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "hundred",
        "thousand",
        "million",
        "billion",
        "trillion",
    ]
)


def _like_num(t: str, low: str) -> bool:
    # The same idea as spaCy's English like_num, for plain strings (cheaper than reading the lexeme flag).
    c = t[:1]
    if not (c.isdigit() or (c in "+-±~" and t[1:2].isdigit())):
        return low in _NUMBER_WORDS
    t = t.lstrip("+-±~").replace(",", "").replace(".", "")
    if t.isdigit():
        return True
    if t.count("/") == 1:
        num, denom = t.split("/")
        return num.isdigit() and denom.isdigit()
    return False


# Per distinct word: (lower, is_alpha, is_lower, is_upper, like_num). Words repeat across headlines, so
# this saves recomputing them for every token (bounded: cleared when it grows past 200,000 words).
_WORD_FLAGS: dict[str, tuple[str, bool, bool, bool, bool]] = {}


def _word_flags(t: str) -> tuple[str, bool, bool, bool, bool]:
    low = t.lower()
    flags = (low, t.isalpha(), t.islower(), t.isupper(), _like_num(t, low))
    if len(_WORD_FLAGS) > 200_000:
        _WORD_FLAGS.clear()
    _WORD_FLAGS[t] = flags
    return flags


def _tokens(doc: Doc) -> list[Tok]:
    """All tokens of `doc` as plain tuples (each spaCy Token is read once, not on every rule's access)."""
    out = []
    new = tuple.__new__
    flags_of = _WORD_FLAGS.get
    for tok in doc:
        t = tok.text
        f = flags_of(t) or _word_flags(t)
        out.append(new(Tok, (t, f[0], tok.idx, tok.whitespace_, f[1], f[2], f[3], f[4])))
    return out


_NAME_CACHE: dict[tuple[str, str], bool] = {}


def _word_is_name(t: Tok, mode: str) -> bool:
    """Whether a word (out of context) can be part of a company or person name in this casing mode."""
    text, low = t.text, t.lower_
    if not text[0].isalnum():
        return False
    if low in _TITLE_WORDS or low.rstrip("s") in _TITLE_WORDS and low not in {"partners", "heads"}:
        return False
    if low in NATIONALITIES or low.endswith("-based") or low.endswith("-backed"):
        return False
    if mode != "sentence":
        if any(c.isdigit() for c in text):
            return not t.like_num
        return not is_common_word(low)
    if t.like_num:
        return False
    return text[0].isupper() or any(c.isupper() for c in text[1:]) or any(c.isdigit() for c in text)


class SentenceReader:
    """The token view of one sentence: which tokens look like names, where amounts and clauses are."""

    def __init__(self, doc: Doc, text: str | None = None, tokens: list[Tok] | None = None) -> None:
        self.doc = doc
        self.text = doc.text if text is None else text  # Doc.text joins all tokens on every call
        self.tokens = _tokens(doc) if tokens is None else tokens
        self.lower = [t.lower_ for t in self.tokens]
        self.n = len(self.tokens)
        self.amounts: list[Amount] = find_amounts(self.text)
        self.amount_tok: list[Amount | None] = [None] * self.n
        for a in self.amounts:
            for i, t in enumerate(self.tokens):
                if a.start <= t.idx < a.end:
                    self.amount_tok[i] = a
        self.mode = self._mode()
        self.name_like = [self._is_name(i) for i in range(self.n)]
        self._glue()

    def _glue(self) -> None:
        """Tokens written together ("Go-Jek", "Ctrl-labs") are one word: a name if any part is one."""
        i = 0
        while i < self.n:
            j = i
            while (
                j + 1 < self.n
                and self.tokens[j].whitespace_ == ""
                and self.tokens[j + 1].text
                not in {",", ":", ";", "'s", "’s", "?", "!", "(", ")", '"', "“", "”"}
                and self.tokens[j].text not in {"(", '"', "“", "”", "[", "]"}
                and self.amount_tok[j + 1] is None
                and self.amount_tok[j] is None
                and not (self.tokens[j + 1].text == "." and j + 2 >= self.n)
            ):
                j += 1
            if j > i and any(self.name_like[k] for k in range(i, j + 1)):
                words = [k for k in range(i, j + 1) if any(c.isalnum() for c in self.tokens[k].text)]
                if (
                    words
                    and not any(self.lower[k] in NATIONALITIES for k in words)
                    and not self.lower[j].endswith(
                        ("based", "backed", "led", "owned", "focused", "powered", "listed")
                    )
                ):
                    for k in range(i, j + 1):
                        self.name_like[k] = True
            i = j + 1

    def _mode(self) -> str:
        words = [t for t in self.tokens if t.is_alpha and len(t.text) >= 3]
        if len(words) >= 3 and len([1 for t in words if t.is_upper]) >= 0.7 * len(words):
            return "upper"
        # Names are capitalised in any style; everyday words only in Title Case.
        common = [
            t
            for t in words[1:]
            if t.lower_ in _COMMON_CASE_WORDS and not (t.idx and self.text[t.idx - 1] == "-")
        ]
        if common and len([1 for t in common if t.text[0].isupper()]) >= 0.75 * len(common):
            return "title"
        return "sentence"

    def _is_name(self, i: int) -> bool:
        if self.amount_tok[i] is not None:
            return False
        t = self.tokens[i]
        if i == 0 and self.mode == "sentence":
            low = t.lower_
            if low in VOCABULARY and t.text[:1].isupper() and not any(c.isupper() for c in t.text[1:]):
                # The first word of a sentence is capitalised anyway: "How", "New", "Fintech".
                return i + 1 < self.n and self.tokens[i + 1].text[:1].isupper() and low == "the"
        key = (t.text, self.mode)
        found = _NAME_CACHE.get(key)
        if found is None:
            found = _word_is_name(t, self.mode)
            if len(_NAME_CACHE) > 200_000:
                _NAME_CACHE.clear()
            _NAME_CACHE[key] = found
        return found

    # --- spans -----------------------------------------------------------------------------------

    def span_text(self, start: int, end: int) -> str:
        """The text of tokens [start, end) as written."""
        return self.text[self.tokens[start].idx : self.tokens[end - 1].idx + len(self.tokens[end - 1].text)]

    def is_boundary(self, i: int) -> bool:
        t = self.tokens[i].text
        return (
            t in {",", ":", ";", "—", "–", "|", "?", "!", "(", ")", "[", "]", "\n", '"', "“", "”"}
            or (
                t == "-"
                and self.tokens[i].whitespace_ != ""
                and i > 0
                and self.tokens[i - 1].whitespace_ != ""
            )
            or (t == "." and i == self.n - 1)
            or t.isspace()
        )

    def name_run_before(self, end: int, *, allow_lower_head: bool = True) -> tuple[int, int] | None:
        """The name written just before token `end` (exclusive), as a token range, without descriptors."""
        j = end - 1
        # Ticker symbols "<TORT.T>" between the name and the verb are not part of the name.
        while j >= 0 and self.tokens[j].text == ">":
            k = j
            while k >= 0 and self.tokens[k].text != "<":
                k -= 1
            inner = self.text[self.tokens[k].idx + 1 : self.tokens[j].idx] if k >= 0 else ""
            if k >= 0 and (len(inner) <= 7 and inner.upper() == inner or "." in inner):
                j = k - 1  # a ticker symbol "<TORT.T>" is not part of the name
            else:
                j -= 1  # "<Allied Stores Corp>": the brackets only mark the name
                break
        stop = j + 1
        run: list[int] = []
        while j >= 0:
            low = self.lower[j]
            if self.name_like[j]:
                run.append(j)
                j -= 1
                continue
            if (
                self.mode != "sentence"
                and (low in NAME_TAILS or (not run and j == stop - 1 and low in DESCRIPTORS))
                and j > 0
                and self.name_like[j - 1]
            ):
                run.append(j)
                j -= 1
                continue
            if run and low in CORPORATE_SUFFIXES and j > 0:
                run.append(j)
                j -= 1
                continue
            if (
                self.tokens[j].text in {"&", ".", "-", "+"}
                and self.tokens[j].whitespace_ == ""
                and j > 0
                and self.name_like[j - 1]
                and (run or self.tokens[j].text in {"+", "."})
            ):
                run.append(j)
                j -= 1
                continue
            if self.tokens[j].text == "&" and run and j > 0 and self.name_like[j - 1]:
                run.append(j)
                j -= 1
                continue
            if (
                low in {"of", "de", "von", "van"}
                and run
                and j > 0
                and self.name_like[j - 1]
                and (self.lower[j - 1] not in PLACES)
            ):
                run.append(j)
                j -= 1
                continue
            if low in {"'s", "’s"} and j > 0 and self.name_like[j - 1] and self.lower[j - 1] not in PLACES:
                if not run and j == stop - 1:
                    # "Byju's raises": the possessive belongs to the name itself.
                    run.append(j)
                    j -= 1
                    continue
                if (
                    len(run) == 1
                    and self.tokens[run[0]].text[:1].isupper()
                    and (j < 2 or not self.name_like[j - 2])
                ):
                    # "Monk's Hill" is a name; "Ev Williams's Medium" is a person's company.
                    run.append(j)
                    j -= 1
                    continue
            if low == "the" and run and self.tokens[j].text[:1] == "T":
                run.append(j)
            elif (
                j == 0
                and self.mode == "sentence"
                and self.tokens[0].text[:1].isupper()
                and (run or stop == 1)
                and low
                not in NATIONALITIES
                | {
                    "how",
                    "why",
                    "what",
                    "when",
                    "who",
                    "where",
                    "this",
                    "these",
                    "new",
                    "former",
                    "ex",
                    "report",
                    "update",
                    "exclusive",
                }
                and (not run or self.tokens[run[-1]].text[:1].isupper())
                and low not in DESCRIPTORS
            ):
                # The first word is capitalised anyway; next to a name it is part of it ("Chain Partners").
                run.append(0)
            break
        if not run and allow_lower_head and j == stop - 1 and j >= 0:
            # "Media startup kumparan launches": a lower-case brand right after a descriptor.
            low = self.lower[j]
            if (
                self.tokens[j].is_alpha
                and low not in VOCABULARY
                and len(low) > 3
                and (
                    j == 0
                    or self.lower[j - 1]
                    in DESCRIPTORS | NATIONALITIES | {"by", "with", "in", "into", "of", "'s", "’s"}
                    or self.is_boundary(j - 1)
                )
            ):
                return (j, j + 1)
        if not run:
            return None
        run.reverse()
        while run and (
            self.tokens[run[0]].text in {"&", ".", "-", "+", "'s", "’s"}
            or self.lower[run[0]] in {"of", "de", "von", "van"}
        ):
            run.pop(0)
        if not run or not any(
            self.tokens[k].is_alpha or any(c.isalpha() for c in self.tokens[k].text) for k in run
        ):
            return None
        return (run[0], run[-1] + 1)

    def name_run_after(self, start: int, limit: int | None = None) -> tuple[int, int] | None:
        """The name of the noun phrase that starts at `start`: its last name run before a stop word.
        "Rocket Internet e-commerce platform Daraz for $X" -> "Daraz"."""
        end = start
        limit = self.n if limit is None else min(limit, self.n)
        while end < limit:
            low = self.lower[end]
            if self.is_boundary(end) and self.tokens[end].text not in {"(", ")"}:
                break
            if self.tokens[end].text == "(":
                break
            if low in _OBJ_STOPS and end > start:
                prev = self.lower[end - 1]
                if low in {"in", "of"} and prev in {"stake", "stakes", "control", "majority", "shares"}:
                    end += 1
                    continue
                break
            if low in {"and", "to", "for", "with"} and end == start:
                break
            end += 1
        if end == start:
            return None
        return self.name_run_before(end)

    def person_at(self, i: int) -> tuple[int, int] | None:
        """A person's name starting at token i ("C.W. Strong Jr.", "Mohd Ridzwan (Reez) Nordin")."""
        j = i
        parts = 0
        while j < self.n:
            t, low = self.tokens[j].text, self.lower[j]
            if (
                low in _TITLE_WORDS
                or low in VOCABULARY
                and self.mode != "sentence"
                and low not in _PERSON_PARTICLES
            ):
                break
            if t[:1].isupper() and (t[:1].isalpha()) and low not in {"as", "to"}:
                if self.mode == "sentence" and low in VOCABULARY and low in {"the", "its"}:
                    break
                parts += 1
                j += 1
                continue
            if (
                low in _PERSON_PARTICLES
                and parts
                and j + 1 < self.n
                and self.tokens[j + 1].text[:1].isupper()
            ):
                j += 1
                continue
            if t in {"'", "’"} and parts:
                j += 1
                continue
            if t == "(" and parts and j + 2 < self.n and self.tokens[j + 2].text == ")":
                j += 3
                continue
            if t in {"-", "."} and parts and self.tokens[j].whitespace_ == "":
                j += 1
                continue
            break
        if parts < 2 and not (parts == 1 and j - i == 1 and self.mode != "sentence"):
            return None
        if parts < 2:
            return None
        # Drop a trailing possessive-less company word glued on ("Jane Doe Acme" is rare; keep as is).
        end = j
        while end > i and self.tokens[end - 1].text in {"(", "-", "."} and self.lower[end - 1] != "jr.":
            end -= 1
        return (i, end)

    def person_before(self, end: int) -> tuple[int, int] | None:
        """A person's name ending just before token `end` (skips ", 54," ages and appositive titles)."""
        j = end - 1
        # Skip ", 54," and ", president and chief operating officer,".
        if j >= 0 and self.tokens[j].text == ",":
            k = j - 1
            while k >= 0 and self.tokens[k].text != "," and j - k < 12:
                k -= 1
            if k >= 0 and self.tokens[k].text == ",":
                j = k - 1
        stop = j + 1
        k = j
        while k >= 0:
            t, low = self.tokens[k].text, self.lower[k]
            if (
                t[:1].isupper()
                and t[:1].isalpha()
                and low not in _TITLE_WORDS
                and not (self.mode != "sentence" and low in VOCABULARY)
            ):
                k -= 1
                continue
            if low in _PERSON_PARTICLES or t in {".", "-", "'", "’"} or (t == ")" and k >= 2):
                if t == ")":
                    k -= 3
                    continue
                k -= 1
                continue
            break
        start = k + 1
        while start < stop and (
            self.lower[start] in _PERSON_PARTICLES or self.tokens[start].text in {".", "-"}
        ):
            start += 1
        if stop - start < 2:
            return None
        return (start, stop)

    def clause_end(self, i: int) -> int:
        """The token index where the clause holding token i ends (exclusive)."""
        j = i
        while j < self.n and not (
            self.tokens[j].text in {":", ";", "|", "—", "–", "?", "!"}
            or (self.tokens[j].text == "." and j == self.n - 1)
        ):
            j += 1
        return j

    def clause_start(self, i: int) -> int:
        """The token index where the clause holding token i starts (a colon or semicolon before it)."""
        j = i - 1
        while j >= 0 and self.tokens[j].text not in {":", ";", "|", "—", "–", "?", "!"}:
            j -= 1
        return j + 1


_WORD = re.compile(r"[a-z0-9]+")


class CueFilter:
    """A cheap test on the raw text: can any cue phrase of the lexicon occur in it?

    Most headlines in a feed announce nothing, and for them tokenising and running the rules is wasted
    work. This looks at the lower-cased words of the text (one regex pass) and says yes only when every
    word of some cue phrase is there. It is a superset of what the PhraseMatcher can match (a phrase's
    tokens are always whole words of the text, in any casing), so a text it rejects has no cue at all."""

    def __init__(self, phrases: list[str]) -> None:
        self._needs: dict[str, list[frozenset[str]]] = {}
        for phrase in phrases:
            words = _WORD.findall(phrase.lower())
            if not words:
                continue
            # Index each phrase by its most telling word: the longest that is not a stop word.
            key = max(words, key=lambda w: (w not in STOP_WORDS, len(w)))
            need = frozenset(words)
            if need not in self._needs.setdefault(key, []):
                self._needs[key].append(need)
        self._keys = frozenset(self._needs)

    def __call__(self, text: str) -> bool:
        """True when the text may hold a cue (then the rules must run), False when it surely does not."""
        words = set(_WORD.findall(text.lower()))
        for key in self._keys.intersection(words):
            for need in self._needs[key]:
                if need <= words:
                    return True
        return False


class CueMatcher:
    """Finds every cue and hedge phrase in a sentence's lower-case tokens: (family, start, end) for each
    occurrence, like spaCy's PhraseMatcher on LOWER, but on the token strings the rules already hold."""

    def __init__(self, families: dict[str, list[str]], tokenizer) -> None:  # type: ignore[no-untyped-def]
        self._by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for family, phrases in families.items():
            for phrase in phrases:
                words = tuple(t.lower_ for t in tokenizer(phrase))
                entries = self._by_first.setdefault(words[0], [])
                if (words, family) not in entries:
                    entries.append((words, family))

    def __call__(self, lower: list[str]) -> list[tuple[str, int, int]]:
        found = []
        by_first = self._by_first
        for i, word in enumerate(lower):
            entries = by_first.get(word)
            if entries:
                for words, family in entries:
                    k = len(words)
                    if k == 1 or tuple(lower[i : i + k]) == words:
                        found.append((family, i, i + k))
        return found


HEDGE = "HEDGE"
CUE_FILTER = CueFilter([p for phrases in CUES.values() for p in phrases])

# Hedges that make a reported event less certain wherever they stand in the sentence ("X raises $5M,
# sources say"); the temporal ones ("after", "ahead of", "will") only matter right before the cue.
_SPECULATIVE = frozenset(
    [
        "in talks",
        "talks to",
        "in discussions",
        "reportedly",
        "rumoured",
        "rumored",
        "rumour",
        "rumor",
        "said to be",
        "is said to",
        "expected to",
        "likely to",
        "could",
        "may",
        "might",
        "reports say",
        "sources say",
        "according to sources",
        "claims",
        "alleges",
        "allegedly",
        "denies",
        "considering",
        "mulls",
        "weighs",
        "eyes",
        "plans",
        "plans to",
        "nears",
    ]
)
# After the cue only a sourcing phrase makes the report unconfirmed ("X raises $5M, sources say"); a
# later "plans to ..." or "claims growth" is a new clause about something else.
_SOURCING = frozenset(
    [
        "reportedly",
        "rumoured",
        "rumored",
        "rumour",
        "rumor",
        "said to be",
        "is said to",
        "reports say",
        "sources say",
        "according to sources",
        "allegedly",
    ]
)


class TriggerRules:
    """Finds Candidates in a Doc holding one headline or sentence. Built once; call `find` per Doc."""

    def __init__(self, vocab) -> None:  # type: ignore[no-untyped-def]
        from spacy.lang.en import English

        # `vocab` is the pipeline's; the cue lexicon is matched on plain lower-case strings, so it is not
        # needed here, but components are built with it (kept for callers that pass it).
        self.vocab = vocab
        tokenizer = English().tokenizer
        families = dict(CUES)
        # Hedges share the matcher: one pass over the sentence finds cues and hedges.
        families[HEDGE] = _HEDGES
        self.cues = CueMatcher(families, tokenizer)
        self.has_cue = CUE_FILTER
        self._handlers = {
            "funding": self._funding,
            "invest": self._invest,
            "acq_active": self._acquisition,
            "acq_passive": self._acquired_by,
            "ipo": self._ipo,
            "hire": self._hire,
            "depart": self._departure,
            "layoff": self._layoff,
            "expansion": self._expansion,
            "launch": self._launch,
            "partner": self._partner,
        }

    # --- entry point -------------------------------------------------------------------------------

    def find(self, doc: Doc, text: str | None = None) -> list[Candidate]:
        """The events this sentence reports as having happened (or formally announced). `text` is the
        doc's text when the caller has it (Doc.text rebuilds it from the tokens on every call)."""
        if text is None:
            text = doc.text
        if not text.strip():
            return []
        tokens = _tokens(doc)
        matches = self.cues([t.lower_ for t in tokens])
        hedge_spans = [(s, e) for m, s, e in matches if m == HEDGE]
        matches = [m for m in matches if m[0] != HEDGE]
        if not matches:
            return []  # most sentences: no cue word at all
        body = text
        # "Today's top tech news, May 8: X acquires Y" and "Recode Daily: ..." are roundups whose
        # events come after the colon; "Opinion:" and "Interview:" pieces report nothing.
        if _OPINION_PREFIX.search(body) or (_promo_hint(body) and _PROMO.search(body)):
            return []
        after_colon = body.split(":", 1)[1] if ":" in body[:80] else body
        told = _TOLD_STORY.search(body)
        if _QUESTION_START.search(body) and _QUESTION_START.search(after_colon) and not told:
            return []
        if told:
            # "How X raised $2M": the hedge words "how"/"why" introduce the story, not a doubt.
            hedge_spans = [(hs, he) for hs, he in hedge_spans if hs != 0]
        r = SentenceReader(doc, text, tokens)
        listicle = _LISTICLE.search(body) or _LISTICLE.search(after_colon)
        if listicle:
            noun = listicle.group(0).split()[-1]
            # "500 Startups invests ..." names a firm; "27 startups to watch" is a list.
            if not (noun[:1].isupper() and r.mode == "sentence"):
                return []
        # Longest match per start wins ("steps down" over "down"), then by position.
        by_start: dict[int, tuple[str, int, int]] = {}
        for fam, s, e in matches:
            if s not in by_start or e - s > by_start[s][2] - by_start[s][1]:
                by_start[s] = (fam, s, e)
        taken: set[int] = set()
        out: list[Candidate] = []
        said_company = self._said_company(text)
        speculative = [
            (hs, he, phrase)
            for hs, he, phrase in ((hs, he, " ".join(r.lower[hs:he])) for hs, he in hedge_spans)
            if phrase in _SPECULATIVE
            # "May 31" is a date, not the modal verb.
            and not (phrase == "may" and he < r.n and r.tokens[he].like_num)
        ]
        for s in sorted(by_start):
            fam, s, e = by_start[s]
            if s in taken:
                continue
            found = self._dispatch(r, fam, s, e, out, said_company, hedge_spans)
            if found:
                cue = " ".join(r.lower[s:e])
                hedge_near = any(
                    (he <= s) or (hs >= e and phrase in _SOURCING) for hs, he, phrase in speculative
                )
                for c in found:
                    c.cue_start = s
                    c.cue = cue
                    c.hedge_near = hedge_near
                    c.casing = r.mode
                out.extend(found)
                taken.update(range(s, e))
        return self._dedupe(self._ipo_proceeds(out))

    def headline_company(self, doc: Doc, text: str | None = None) -> str | None:
        """The company a headline opens with ("Tundra Foods Announces Restructuring ..." -> "Tundra
        Foods"), or None. Used for an event found in the lead ("The company will cut 300 jobs") whose
        sentence names no company: the article is about the headline's subject."""
        if text is None:
            text = doc.text
        r = SentenceReader(doc, text, _tokens(doc))
        for k in range(1, min(r.n, 9)):
            if r.lower[k] in _HEADLINE_VERBS:
                run = r.name_run_before(k)
                if run and run[0] == 0:
                    return r.span_text(*run)
                # A Title Case headline: every word before the verb is capitalised ("Tundra Foods").
                if k <= 4 and all(r.tokens[x].text[:1].isupper() for x in range(k)):
                    return r.span_text(0, k)
                return None
        return None

    @staticmethod
    def _ipo_proceeds(cands: list[Candidate]) -> list[Candidate]:
        """An IPO that raises money ("prices IPO at $18 a share, raising $210M") is one event, the IPO:
        its proceeds are not a venture round, so a funding candidate of the same company goes."""
        ipo_companies = {(c.company or "").lower() for c in cands if c.type == "ipo"}
        if not ipo_companies:
            return cands
        return [
            c
            for c in cands
            if not (
                c.type == "funding_round"
                and ((c.company or "").lower() in ipo_companies or not c.company or "" in ipo_companies)
            )
        ]

    @staticmethod
    def _dedupe(cands: list[Candidate]) -> list[Candidate]:
        seen: dict[tuple[str, str], Candidate] = {}
        for c in cands:
            key = (c.type, (c.company or "").lower())
            if key not in seen:
                seen[key] = c
        return list(seen.values())

    @staticmethod
    def _said_company(text: str) -> str | None:
        """The company of a wire sentence "Olin Corp said ..." (or None)."""
        m = re.search(r"(?i)\s(?:said|says)\s", text[:160])
        if not m:
            return None
        co = text[: m.start()]
        co = re.sub(r"(?i)^\s*the\s+board\s+(?:of\s+directors\s+)?of\s+", "", co)
        co = re.split(r",\s+(?=[a-z])|\s*<[A-Z.]{1,8}>|\s+\([^)]*\)", co)[0]
        m2 = re.match(r"^(.*?\b(?:Corp|Inc|Co|Ltd|Plc|PLC|Group|AG|SA|NV))(?:'s|’s)\s+(.+)$", co)
        if m2:
            co = m2.group(2)
        co = co.strip(" <>,")
        if not co or len(co.split()) > 9 or not co[:1].isupper():
            return None
        if (
            co.lower().split()[0] in {"it", "he", "she", "they", "sources", "analysts", "officials", "the"}
            and len(co.split()) == 1
        ):
            return None
        return co

    def _hedged(self, r: SentenceReader, s: int, hedge_spans: list[tuple[int, int]], type_: str) -> bool:
        """A hedge in the few tokens before the cue (same clause) makes the event speculative."""
        lo = max(r.clause_start(s), s - 7)
        for hs, he in hedge_spans:
            if hs >= lo and he <= s + 1 and hs < s + 1:
                phrase = " ".join(r.lower[hs:he])
                if phrase in _DIRECT_HEDGES and he < s - 2:
                    continue  # "startup that wants to cut sugar secures ...": not about this verb
                if (
                    phrase == "would"
                    and type_ in _FUTURE_OK_TYPES
                    and hs >= 2
                    and r.lower[hs - 1] in {"it", "they"}
                    and {"said", "says"} & set(r.lower[max(0, hs - 5) : hs - 1])
                ):
                    continue  # "X said it would cut 400 jobs": reported speech of an announcement
                if type_ in _FUTURE_OK_TYPES and phrase in _SOFT_HEDGES | {"plans", "plans to", "plan to"}:
                    if phrase.startswith("plan") and type_ not in {"expansion", "product_launch"}:
                        return True
                    continue
                if phrase in {"after", "following", "before", "ahead of"} and he < s - 3:
                    continue
                return True
        # "to raise" / "to acquire": a future for money events unless it is a formal agreement.
        return bool(s > 0 and r.lower[s - 1] == "to" and type_ in {"funding_round", "ipo"})

    # --- dispatch ---------------------------------------------------------------------------------

    def _dispatch(
        self,
        r: SentenceReader,
        fam: str,
        s: int,
        e: int,
        prior: list[Candidate],
        said: str | None,
        hedges: list[tuple[int, int]],
    ) -> list[Candidate]:
        handler = self._handlers[fam]
        found = handler(r, s, e, prior, said)
        kept = []
        for c in found:
            if self._hedged(r, s, hedges, c.type):
                continue
            kept.append(c)
        return kept

    # --- subject ----------------------------------------------------------------------------------

    def subject(self, r: SentenceReader, s: int, prior: list[Candidate]) -> str | None:
        """The company the clause before cue `s` is about."""
        span = self.subject_span(r, s, prior)
        if span is None and s > 0 and r.lower[s - 1] == "to":
            # A purpose clause ("X teams up with Y to enter Z") is about the earlier event's company.
            return next((c.company for c in reversed(prior) if c.company), None)
        if isinstance(span, str) or span is None:
            return span
        return r.span_text(*span)

    def subject_span(self, r: SentenceReader, s: int, prior: list[Candidate]) -> tuple[int, int] | str | None:
        j = s
        while j > 0 and (
            r.lower[j - 1] in _SKIP_BEFORE_CUE
            or (
                j > 1
                and not r.is_boundary(j - 2)
                and r.lower[j - 1].endswith("ly")
                and r.tokens[j - 1].is_lower
                and r.lower[j - 1] not in VOCABULARY
            )
        ):
            j -= 1
        # "Ecuadorean State Oil Corporation (CEPE) has named": skip an acronym in brackets.
        if (
            j >= 3
            and r.tokens[j - 1].text == ")"
            and r.tokens[j - 3].text == "("
            and r.tokens[j - 2].is_upper
        ):
            j -= 3
        if j > 0 and not r.is_boundary(j - 1):
            run = r.name_run_before(j, allow_lower_head=True)
            if run is None:
                return None
            a, _ = run
            if a > 0 and r.lower[a - 1] in PREPOSITIONS:
                return None
            return run
        if j == 0 or (j > 0 and r.tokens[j - 1].text == ":"):
            # "Securing US$10M, Carmudi aims to ...": the subject follows the participle clause.
            if r.lower[s].endswith("ing"):
                k = s
                while k < r.n and r.tokens[k].text != ",":
                    k += 1
                x = k + 1
                while x < r.n and r.name_like[x]:
                    x += 1
                if x > k + 1:
                    return (k + 1, x)
            return None
        if r.lower[j - 1] == "by" and r.lower[s].endswith("ing"):
            for c in reversed(prior):
                if c.company:
                    return c.company
            run = r.name_run_before(j - 1, allow_lower_head=True)
            if run is None:
                k = j - 2
                while k > 0 and not r.is_boundary(k - 1):
                    k -= 1
                return self.subject_span(r, k + 1, []) if False else None
        if r.tokens[j - 1].text != ",":
            return None
        # "X, a fintech startup, raises" / "Digit Insurance covers ..., raises" / "..., expands to".
        for c in reversed(prior):
            if c.cue_start < s and c.company:
                return c.company
        seg_end = j - 1
        for _hop in range(2):
            seg_start = seg_end
            while seg_start > 0 and not r.is_boundary(seg_start - 1):
                seg_start -= 1
            if seg_start >= seg_end:
                return None
            first = r.lower[seg_start]
            lead = seg_start
            while lead < seg_end and r.name_like[lead]:
                lead += 1
            if (
                lead > seg_start
                and lead < seg_end
                and (r.tokens[lead].is_lower or r.mode != "sentence")
                and r.tokens[lead].is_alpha
            ):
                # A clause: its subject leads it ("Tourplus connects travellers ..., raises").
                return (seg_start, lead)
            if first in {"a", "an", "the"} and r.tokens[seg_start].is_lower or not r.name_like[seg_end - 1]:
                # An appositive describing the name before it.
                if seg_start > 0 and r.tokens[seg_start - 1].text == ",":
                    seg_end = seg_start - 1
                    continue
                return None
            run = r.name_run_before(seg_end)
            if run and run[0] == seg_start:
                return run
            if run and not (run[0] > 0 and r.lower[run[0] - 1] in PREPOSITIONS) and run[0] - seg_start <= 3:
                return run
            # A clause: its subject leads it ("Tourplus connects travellers ..., raises").
            k = seg_start
            while k < seg_end and r.name_like[k]:
                k += 1
            if k > seg_start:
                return (seg_start, k)
            return None
        return None

    # --- money events -----------------------------------------------------------------------------

    def _round(self, text: str) -> str | None:
        for pattern, name in _ROUND_PATTERNS:
            if pattern.search(text):
                return name
        return None

    def _amount_after(self, r: SentenceReader, start_char: int, end_char: int) -> Amount | None:
        for a in r.amounts:
            if a.start >= start_char and a.end <= end_char:
                before = r.text[max(0, a.start - 25) : a.start]
                if _VALUATION.search(before):
                    continue
                return a
        return None

    def _investors(self, r: SentenceReader, s: int, end: int) -> list[str]:
        """Names after "from", "led by", "with participation from", "backed by" in the clause."""
        text = r.span_text(s, end) if end > s else ""
        m = re.search(
            r"\b(?:led by|co-led by|from|backed by|participation (?:of|from)|including)\s+(.*)$",
            text,
            re.IGNORECASE,
        )
        if not m:
            return []
        tail = m.group(1)
        tail = re.split(
            r"(?i)\s+(?:to|for|in order to|as|at|amid|after|which|that)\s+|[;:.](?:\s|$)| — ", tail
        )[0]
        parts = re.split(
            r"(?i),\s*|\s+and\s+|\s*&\s+|\s+with participation from\s+|\s+with\s+|\s+along with\s+|"
            r"\s+alongside\s+|\s+led by\s+|\s+from\s+",
            tail,
        )
        names = []
        for p in parts:
            p = p.strip(" .")
            p = re.sub(
                r"^(?:(?i:others?|existing investors?|other investors?|investors?)\b|"
                r"(?:[A-Z][a-z]+(?:'s|’s)\s+))",
                "",
                p,
            ).strip()
            words = p.split()
            if not words or not words[0][:1].isupper() and not words[0][:1].isdigit():
                continue
            low = p.lower()
            if low in VOCABULARY or low.startswith("the company") or len(words) > 6:
                continue
            # Drop descriptors before the name ("VC firm Sequoia" -> "Sequoia").
            while len(words) > 1 and words[0].lower() in DESCRIPTORS | NATIONALITIES:
                words.pop(0)
            names.append(" ".join(words))
        return names[:8]

    def _funding(self, r, s, e, prior, said) -> list[Candidate]:  # type: ignore[no-untyped-def]
        end = r.clause_end(e)
        cue = r.lower[s]
        after = r.span_text(e, end) if end > e else ""
        low_after = after.lower()
        window = r.lower[e : min(end, e + 8)]
        amount = self._amount_after(
            r, r.tokens[e - 1].idx, r.tokens[end - 1].idx + len(r.tokens[end - 1].text)
        )
        has_noun = any(w in _FUNDING_NOUNS or w.rstrip(",") in _FUNDING_NOUNS for w in window)
        near_amount = (
            amount is not None and amount.start - (r.tokens[e - 1].idx + len(r.tokens[e - 1].text)) < 40
        )
        if not (near_amount or has_noun):
            return []
        weak = cue in {
            "announces",
            "announced",
            "completes",
            "completed",
            "closes",
            "closed",
            "wins",
            "won",
            "gets",
            "got",
            "receives",
            "received",
            "obtains",
            "obtained",
            "collects",
            "collected",
            "attracts",
            "attracted",
            "garners",
            "garnered",
            "scores",
            "scored",
            "nets",
            "netted",
            "confirms",
            "confirmed",
        }
        # Weak verbs need a funding noun right after ("completes US$200M A round", "gets investment").
        if (
            weak
            and not any(w in _FUNDING_NOUNS - {"from", "led", "capital", "money", "cash"} for w in window)
            and not (near_amount and cue in {"gets", "got", "receives", "received", "nets", "netted"})
        ):
            return []
        whole = r.text
        if _own_fund(low_after[:60]):
            return []
        first_part = low_after.split(",")[0]
        if _LIFETIME.search(first_part) and not _BRINGS_TOTAL.search(first_part):
            return []
        if re.search(r"\b(competition|contest|prize|award|challenge|hackathon|pitch)\b", low_after):
            return []
        if cue == "has" or (s > 0 and r.lower[s - 1] in {"has", "have"} and _LIFETIME.search(whole)):
            return []
        # "X has now raised $140M" and "X, which has raised $30M, ..." report a lifetime total or
        # background, not a new round.
        if s > 1 and r.lower[s - 2] in {"has", "have"} and r.lower[s - 1] in {"now", "already", "so"}:
            return []
        if s > 1 and r.lower[s - 1] in {"has", "have", "had"} and r.lower[s - 2] in {"which", "that", "who"}:
            return []
        company = self.subject(r, s, prior)
        counterparty = None
        # "funding round for X" / "Series A in X" without a raising subject.
        if company is None and cue in {"raises", "raised", "raise", "raising"}:
            company = None
        subj = self.subject_span(r, s, prior)
        if (
            isinstance(subj, tuple)
            and _INVESTOR_NAME.search(r.span_text(*subj))
            and _own_fund(low_after[:80])
        ):
            return []
        if company and company.lower() in {"it", "this", "they"}:
            company = None
        investors = self._investors(r, e, end)
        if investors:
            counterparty = investors[0]
        rnd = self._round(r.span_text(s, end)) or "undisclosed"
        c = Candidate(
            "funding_round",
            company=company,
            counterparty=counterparty,
            round=rnd,
            amount=amount.value if amount else None,
            currency=amount.currency if amount else None,
            investors=investors,
            rule="funding_verb",
            strength=0.9 if (amount or rnd != "undisclosed") else 0.75,
        )
        return [c]

    def _invest(self, r, s, e, prior, said) -> list[Candidate]:  # type: ignore[no-untyped-def]
        """ "Sequoia invests US$5M in X", "Temasek leads US$100M Series D in X", "VC joins X's round"."""
        end = r.clause_end(e)
        cue = r.lower[s]
        seg = r.span_text(s, end)
        low = seg.lower()
        investor = self.subject(r, s, prior)
        company = None
        if cue in {
            "joins",
            "joined",
            "join",
            "participates",
            "participated",
            "participate",
            "leads",
            "led",
            "co-leads",
            "co-led",
        }:
            if not re.search(r"\b(round|funding|investment|financing|series)\b", low):
                return []
            if cue in {"led", "leads"} and s > 0 and r.lower[s - 1] in {"is", "was", "round", "funding"}:
                return []
            # The company owns the round ("Skillshare's US$28M Series C round") or follows "in"/"for".
            for k in range(e, end):
                if r.lower[k] in {"'s", "’s"} and r.lower[k - 1] not in PLACES:
                    run = r.name_run_before(k)
                    if run:
                        company = r.span_text(*run)
                    break
            if company is None:
                for k in range(e, end):
                    if r.lower[k] in {"in", "into", "for"}:
                        run = r.name_run_after(k + 1)
                        if run:
                            company = r.span_text(*run)
                        break
            if company is None:
                return []
        else:
            if s > 0 and (r.lower[s - 1] in {"to", "-", "co"} or r.lower[s - 1].endswith("co-")):
                return []
            if re.search(r"\b(in|into)\s+(\d+|several|many|more|other|local|global)\b", low[:60]):
                return []  # "invest in 240 startups": a programme, not a round
            found_in = False
            for k in range(e, min(end, e + 8)):
                if r.lower[k] in {"in", "into"}:
                    found_in = True
                    run = r.name_run_after(k + 1)
                    if run:
                        company = r.span_text(*run)
                    elif not any(w in DESCRIPTORS for w in r.lower[k + 1 : min(end, k + 6)]):
                        return []
                    break
            if not found_in:
                return []
        if _own_fund(low):
            return []
        amount = self._amount_after(r, r.tokens[s].idx, len(r.text))
        rnd = self._round(seg) or "undisclosed"
        investors = [investor] if investor else []
        return [
            Candidate(
                "funding_round",
                company=company,
                counterparty=investor,
                round=rnd,
                amount=amount.value if amount else None,
                currency=amount.currency if amount else None,
                investors=investors,
                rule="invest_in",
                strength=0.8,
            )
        ]

    def _acquisition(self, r, s, e, prior, said) -> list[Candidate]:  # type: ignore[no-untyped-def]
        cue = " ".join(r.lower[s:e])
        end = r.clause_end(e)
        low_after = r.span_text(e, end).lower() if end > e else ""
        if re.match(
            r"^\s*(shares?|stock|tickets?|back|time|land|ads?|advertising|property|a home)\b", low_after
        ):
            return []
        if cue in {"acquired", "bought"} and s > 0 and r.lower[s - 1] in _PASSIVE_AUX:
            return self._acquired_by(r, s, e, prior, said)
        if cue in {"takeover of", "acquisition of", "buyout of", "merger with"}:
            company = None
            k = s - 1
            while k >= 0 and (
                r.amount_tok[k] is not None
                or r.lower[k] in {"-", "plus", "proposed", "planned", "completed", "agreed"}
            ):
                k -= 1
            if k >= 0 and r.lower[k] in {"'s", "’s"}:
                run = r.name_run_before(k)
                if run:
                    company = r.span_text(*run)
            if company is None:
                subj = self.subject(r, s, prior)
                # "X completes (its $27.7B) acquisition of Y"
                j = s - 1
                while j >= 0 and (
                    r.amount_tok[j] is not None
                    or r.lower[j] in {"its", "the", "a", "an", "-", "plus", "proposed", "planned"}
                ):
                    j -= 1
                if j >= 0 and r.lower[j] in {
                    "completes",
                    "completed",
                    "announces",
                    "announced",
                    "closes",
                    "closed",
                    "finalises",
                    "finalizes",
                    "agrees",
                    "seals",
                }:
                    company = self.subject(r, j, prior)
                elif subj:
                    return []
            if company is None:
                return []
            obj = r.name_run_after(e)
            if "talks" in low_after[:20] or (obj is None and not company):
                return []
            return [
                Candidate(
                    "acquisition",
                    company=company,
                    counterparty=r.span_text(*obj) if obj else None,
                    rule="acq_noun",
                    strength=0.8,
                )
            ]
        company = self.subject(r, s, prior)
        if company is None and said:
            company = said
        obj = r.name_run_after(e)
        amount = self._amount_after(r, r.tokens[e - 1].idx, len(r.text))
        if (
            company is None
            and obj is None
            and not any(
                w in DESCRIPTORS | {"peer", "rival", "competitor"} for w in r.lower[e : min(end, e + 5)]
            )
        ):
            return []
        if company is not None and company.lower() in {"it", "they"}:
            company = None
        return [
            Candidate(
                "acquisition",
                company=company,
                counterparty=r.span_text(*obj) if obj else None,
                amount=amount.value if amount else None,
                currency=amount.currency if amount else None,
                rule="acq_verb",
                strength=0.9 if obj else 0.7,
            )
        ]

    def _acquired_by(self, r, s, e, prior, said) -> list[Candidate]:  # type: ignore[no-untyped-def]
        k = s
        while k > 0 and r.lower[k - 1] in _PASSIVE_AUX | {"has", "been", "be", "to", "will", "officially"}:
            k -= 1
        target = self.subject(r, k, prior)
        acquirer = None
        by = None
        for j in range(s, min(r.n, e + 3)):
            if r.lower[j] == "by":
                by = j
                break
        if by is not None:
            run = r.name_run_after(by + 1)
            if run:
                acquirer = r.span_text(*run)
        if acquirer:
            return [
                Candidate(
                    "acquisition", company=acquirer, counterparty=target, rule="acq_passive", strength=0.85
                )
            ]
        return [Candidate("acquisition", company=target, rule="acq_passive", strength=0.75)]

    def _ipo(self, r, s, e, prior, said) -> list[Candidate]:  # type: ignore[no-untyped-def]
        cue = " ".join(r.lower[s:e])
        text_low = r.text.lower()
        cs, ce = r.clause_start(s), r.clause_end(e)
        clause = " ".join(r.lower[cs:ce])
        if re.search(
            r"\b(pre-ipo|ipo plans?|plans? (an |its )?ipo|mulls|eyes|considering|ahead of|before its|"
            r"after its|since its|post-ipo|ipo-bound|prepares|preparing|could|may|might|set to|"
            r"reportedly|talks|hires banks|picks banks|delays?|postpones?|shelves?|scraps?)\b",
            clause,
        ):
            return []
        if cue in {"ipo", "initial public offering"}:
            # The noun alone: it must be done ("files for", "prices", "$500m IPO", "X's IPO filing").
            if not re.search(
                r"\b(files?|filed|filing|prices?|priced|pricing|launch(es|ed)?|complet(es|ed)|"
                r"raises?|raised|debut|debuts|lists?|listing|opens|soars|jumps|closes)\b",
                clause,
            ) and not (s > 0 and r.amount_tok[s - 1] is not None):
                return []
            company = None
            k = s - 1
            while k >= 0 and (
                r.amount_tok[k] is not None
                or r.lower[k] in {"'s", "’s", "its", "planned", "first", "blockbuster"}
            ):
                if r.lower[k] in {"'s", "’s"}:
                    run = r.name_run_before(k)
                    if run:
                        company = r.span_text(*run)
                    break
                k -= 1
            if company is None:
                j = cs
                while j < s and r.lower[j] not in {
                    "files",
                    "filed",
                    "prices",
                    "priced",
                    "launches",
                    "completes",
                    "raises",
                    "raised",
                    "puts",
                    "makes",
                }:
                    j += 1
                if j < s:
                    company = self.subject(r, j, prior)
            if company is None and not re.search(r"\bipo\b", text_low):
                return []
        else:
            if cue in {"lists on", "listed on", "debuts on"} and not re.search(
                r"\b(exchange|nasdaq|nyse|sgx|bourse|board|market|hkex|tsx|asx|lse|bse|nse|idx|set|aim|"
                r"mothers|star|euronext|tse|otc|six|krx|kosdaq|jse|b3|bmv|catalist)\b",
                " ".join(r.lower[e:ce]),
            ):
                return []
            k = s
            while k > 0 and r.lower[k - 1] in {"makes", "made", "marks", "its", "a", "strong", "successful"}:
                k -= 1
            company = self.subject(r, k, prior)
        return [Candidate("ipo", company=company, rule="ipo", strength=0.85)]

    # --- people -----------------------------------------------------------------------------------

    def _title_after(self, r: SentenceReader, k: int, end: int) -> tuple[str, int] | None:
        """A title starting at token k (skipping "as", "to the post of", "its", "new"), with its end token."""
        skip = {
            "as",
            "to",
            "the",
            "its",
            "their",
            "his",
            "her",
            "new",
            "newly-created",
            "newly",
            "created",
            "post",
            "posts",
            "position",
            "positions",
            "role",
            "of",
            "additional",
            "company's",
            "is",
            "be",
            "become",
            "becomes",
            "-",
            "its new",
            "interim",
            "named",
        }
        j = k
        while j < end and (r.lower[j] in skip) and not _title_at(r.text, r.tokens[j].idx):
            j += 1
        if j >= end:
            return None
        m = _title_at(r.text, r.tokens[j].idx)
        if not m:
            return None
        title = m.group(0).strip().rstrip(",")
        stop = j
        while stop < r.n and r.tokens[stop].idx < m.end():
            stop += 1
        return title, stop

    def _company_of(self, r: SentenceReader, k: int, end: int) -> str | None:
        """ "of/at COMPANY" right after a title."""
        if k < end and r.lower[k] in {"of", "at"}:
            j = k + 1
            if j < end and r.lower[j] in {"its", "the"}:
                j += 1
            run = r.name_run_after(j)
            if run:
                name = r.span_text(*run)
                if r.lower[run[1] - 1] not in {"company", "board"}:
                    return name
        return None

    def _hire(self, r, s, e, prior, said) -> list[Candidate]:  # type: ignore[no-untyped-def]
        cue = " ".join(r.lower[s:e])
        end = r.clause_end(e)
        low_after = " ".join(r.lower[e:end])
        if cue in {"hire", "hires", "hired"} and re.match(
            r"^(more|\d+|hundreds|thousands|over|up to|new staff)", low_after
        ):
            return []
        if cue in {"brings in", "brings on"} and e < r.n and r.amount_tok[e] is not None:
            return []  # "brings in $5M": money, not a person
        if cue in {"name", "names", "named"} and re.match(
            r"^(a |its )?(new )?(name|brand)|^after|^in|^on|^to the list|^among|^one of|^as one", low_after
        ):
            return []
        if cue in {"elect", "elects", "elected"} and not _TITLE_RE.search(r.text[r.tokens[e - 1].idx :]):
            return []
        if cue in {"succeeded by", "replaced by"}:
            p = r.person_at(e)
            if p is None:
                return []
            return [
                Candidate(
                    "executive_hire",
                    company=said or self.subject(r, r.clause_start(s), prior),
                    person=r.span_text(*p),
                    rule="successor",
                    strength=0.7,
                )
            ]
        if cue in {"joins", "joined", "join"}:
            return self._joins(r, s, e, prior, said, end)
        passive = s > 0 and r.lower[s - 1] in _PASSIVE_AUX | {"been"}
        person = title = None
        company = None
        if passive or (
            cue in {"named", "appointed", "elected", "promoted", "tapped"}
            and r.person_before(s)
            and self.subject_span(r, s, prior) is not None
            and self._title_after(r, e, end)
        ):
            k = s
            while k > 0 and r.lower[k - 1] in _PASSIVE_AUX | {"been", "has", "have", "was", "will", "be"}:
                k -= 1
            p = r.person_before(k)
            if p:
                person = r.span_text(*p)
            t = self._title_after(r, e, end)
            if t:
                title, stop = t
                company = self._company_of(r, stop, end)
            if company is None:
                company = said
            if company is None and p:
                # "Acme CEO Jane Doe ..." rarely passive; try a name run before the person.
                company = None
        else:
            company = self.subject(r, s, prior)
            if company is None or company.lower() in {"it", "board", "its board"}:
                company = said or company
            j = e
            while j < end and r.lower[j] in {"its", "the", "a", "former", "new", "as", "to"}:
                j += 1
            t1 = self._title_after(r, j, end)
            if t1 and t1[1] < end:
                # "appoints CFO Jane Doe to President" / "names new CEO Jane Doe"
                p = r.person_at(t1[1])
                if p:
                    person = r.span_text(*p)
                    t2 = self._title_after(r, p[1], end)
                    title = t2[0] if t2 and p[1] < end and r.lower[p[1]] in {"to", "as"} else t1[0]
                    if t2 and r.lower[p[1]] in {"to", "as"}:
                        company = self._company_of(r, t2[1], end) or company
                else:
                    title = t1[0]
            else:
                # "former Google exec Jane Doe as CMO": skip a short descriptor before the person.
                p = None
                for k in range(j, min(end, j + 8)):
                    q = r.person_at(k)
                    if q:
                        p = p or q
                        if q[1] < r.n and (
                            r.lower[q[1]] in {"as", "to", ","} or self._title_after(r, q[1], end)
                        ):
                            p = q
                            break
                if p:
                    person = r.span_text(*p)
                    k = p[1]
                    m_age = _AGE.match(r.text[r.tokens[k].idx - (1 if False else 0) :]) if k < r.n else None
                    if m_age:
                        while k < end and r.tokens[k].idx < r.tokens[p[1]].idx + m_age.end():
                            k += 1
                    t2 = self._title_after(r, k, end)
                    if t2 is None and k < end and r.tokens[k].text == ",":
                        # ", former senior vice president of AT&T, its president"
                        j2 = k + 1
                        while j2 < end and r.tokens[j2].text != ",":
                            j2 += 1
                        t2 = self._title_after(r, j2 + 1, end) if j2 < end else None
                    if t2:
                        title = t2[0]
                        sub = self._company_of(r, t2[1], end)
                        if sub and re.search(
                            r"\b(unit|subsidiary|division|arm)\b", " ".join(r.lower[t2[1] : end])
                        ):
                            company = sub
        if title is None:
            # "hires former Expedia exec as CFO": a title after "as" even without a named person.
            for x in range(e, end):
                if r.lower[x] == "as":
                    t3 = self._title_after(r, x + 1, end)
                    if t3:
                        title = t3[0]
                    break
        if said and company != said and s > 0 and 0 <= r.text.lower().find(" said ") < r.tokens[s].idx:
            company = said  # wire style: "Olin Corp said it named ..."
        unit = re.search(r"\bof its ((?:[A-Z][\w.&()-]*\s+){1,5}?)(?:unit|subsidiary|affiliate)\b", r.text)
        if unit:
            company = unit.group(1).strip()
        if title is None and person is None:
            return []
        if title is None and cue not in {
            "hires",
            "hired",
            "appoints",
            "appointed",
            "ropes in",
            "roped in",
            "poaches",
            "poached",
            "brings in",
            "brings on",
        }:
            return []
        if title and re.fullmatch(r"(?i)(board members?|directors?|governors?|partners?)", title):
            return []
        out = [
            Candidate(
                "executive_hire",
                company=company,
                person=person,
                title=title,
                role=normalise_role(title) if title else None,
                rule="hire",
                strength=0.9 if title and person else 0.7,
            )
        ]
        # Succession: "succeeding X, who retired" also reports X's departure.
        tail = r.text.lower()
        if re.search(r"\b(succeed|succeeding|replac|vacan)", tail) and re.search(
            r"\b(retir|resign|died|death|left|leav|depart|step(s|ped)? down|fired|ousted)", tail
        ):
            dep_person = None
            m = re.search(r"\b(?:succeeding|succeed|replacing|replace)\s+", r.text)
            if m:
                for k in range(r.n):
                    if r.tokens[k].idx >= m.end():
                        p = r.person_at(k)
                        if p:
                            dep_person = r.span_text(*p)
                        break
            out.append(
                Candidate(
                    "executive_departure", company=company, person=dep_person, rule="succession", strength=0.7
                )
            )
        return out

    def _joins(self, r, s, e, prior, said, end) -> list[Candidate]:  # type: ignore[no-untyped-def]
        """ "Jane Doe joins Acme as CMO" / "Jane Doe joins the board of Acme"."""
        low_after = " ".join(r.lower[e:end])
        if re.search(r"\b(round|funding|investment|series)\b", low_after):
            return self._invest(r, s, e, prior, said)
        p = r.person_before(s)
        as_idx = None
        for k in range(e, end):
            if r.lower[k] == "as":
                as_idx = k
                break
        if as_idx is None:
            return []
        t = self._title_after(r, as_idx + 1, end)
        if not t:
            return []
        run = r.name_run_after(e, limit=as_idx)
        company = r.span_text(*run) if run else None
        if company is None or company.lower() in {"the company", "company"}:
            company = said
        return [
            Candidate(
                "executive_hire",
                company=company,
                person=r.span_text(*p) if p else None,
                title=t[0],
                role=normalise_role(t[0]),
                rule="joins_as",
                strength=0.85,
            )
        ]

    def _departure(self, r, s, e, prior, said) -> list[Candidate]:  # type: ignore[no-untyped-def]
        cue = " ".join(r.lower[s:e])
        end = r.clause_end(e)
        cs = r.clause_start(s)
        before = r.text[r.tokens[cs].idx : r.tokens[s].idx] if s > cs else ""
        after = r.text[r.tokens[e - 1].idx + len(r.tokens[e - 1].text) :] if e <= r.n else ""
        if cue in {"died"} and not re.search(r"\b(ceo|chairman|president|founder|chief)\b", before.lower()):
            return []
        if cue in {"succeeding", "replacing"}:
            return []
        # Only people leave: the clause must name an executive post or executives.
        title_m = None
        for m in _TITLE_RE.finditer(before):
            title_m = m
        after_title = None
        ma = re.match(r"^\s*(?:as|from (?:the )?(?:post|position|role) of)\s+", after, re.IGNORECASE)
        if ma:
            after_title = _title_at(after, ma.end())
        exec_word = re.search(
            r"\b(executives?|execs?|founders?|co-founders?|cofounders?|leadership|"
            r"management|top brass|boss)\b",
            before,
            re.IGNORECASE,
        )
        if cue in {"fires", "sacks", "ousts"}:
            # "Acme fires CEO Jane Doe"
            company = self.subject(r, s, prior)
            t = self._title_after(r, e, end)
            person = None
            if t:
                p = r.person_at(t[1]) if t[1] < r.n else None
                person = r.span_text(*p) if p else None
            if not t:
                return []
            return [
                Candidate(
                    "executive_departure",
                    company=company,
                    person=person,
                    title=t[0],
                    role=normalise_role(t[0]),
                    rule="fires",
                    strength=0.8,
                )
            ]
        if not (title_m or after_title or exec_word):
            return []
        if cue in {
            "left",
            "leaves",
            "leaving",
            "quits",
            "quit",
            "exits",
            "exiting",
            "departs",
            "departed",
        } and not (title_m or after_title or exec_word):
            return []
        k = s
        while k > cs and r.lower[k - 1] in {
            "has",
            "have",
            "is",
            "are",
            "was",
            "will",
            "to",
            "quietly",
            "set",
            "reportedly",
            "abruptly",
            "suddenly",
            "officially",
            "also",
            "just",
            "now",
            "be",
            "been",
            "plans",
            "expected",
        }:
            k -= 1
        person = None
        title = None
        company = None
        p = r.person_before(k)
        if p and not any(r.lower[x] in _TITLE_WORDS for x in range(*p)):
            person = r.span_text(*p)
        if title_m:
            title = title_m.group(0).strip().rstrip(",")
            tstart = cs
            while tstart < s and r.tokens[tstart].idx < r.tokens[cs].idx + title_m.start():
                tstart += 1
            # "Spotify's chief content officer" / "Acme CEO Jane Doe"
            j = tstart
            if j > 0 and r.lower[j - 1] in {"'s", "’s"}:
                run = r.name_run_before(j - 1)
                company = r.span_text(*run) if run else None
            elif j > 0:
                run = r.name_run_before(j)
                if run:
                    company = r.span_text(*run)
            if company is None:
                # "CEO of Acme resigns"
                for x in range(tstart, s):
                    if r.lower[x] in {"of", "at"}:
                        run = r.name_run_after(x + 1, limit=k)
                        company = r.span_text(*run) if run else None
                        break
        if after_title:
            title = after_title.group(0).strip().rstrip(",")
            rest = after[after_title.end() :]
            mc = re.match(r"^\s*(?:of|at)\s+(?:the\s+)?", rest)
            if mc:
                pos = r.tokens[e - 1].idx + len(r.tokens[e - 1].text) + after_title.end() + mc.end()
                for x in range(e, r.n):
                    if r.tokens[x].idx >= pos:
                        run = r.name_run_after(x)
                        company = r.span_text(*run) if run else company
                        break
            if person is None:
                p = r.person_before(k)
                person = r.span_text(*p) if p else None
        if company is None and exec_word:
            ma2 = re.search(r"\b(?:at|of|from)\s+", after)
            if ma2:
                pos = r.tokens[e - 1].idx + len(r.tokens[e - 1].text) + ma2.end()
                for x in range(e, r.n):
                    if r.tokens[x].idx >= pos:
                        run = r.name_run_after(x)
                        company = r.span_text(*run) if run else None
                        break
        if company is None and cue in {"leaves", "quits", "quit", "exits"}:
            run = r.name_run_after(e)
            company = r.span_text(*run) if run else None
        if said and 0 <= r.text.lower().find(" said ") < r.tokens[s].idx:
            company = said
        if company is None and exec_word:
            ma3 = re.search(r"\b(?:at|of|from)\s+([A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*){0,3})", before)
            if ma3:
                company = ma3.group(1)
        if person and company and person == company:
            company = said
        return [
            Candidate(
                "executive_departure",
                company=company,
                person=person,
                title=title,
                role=normalise_role(title) if title else None,
                rule="departure",
                strength=0.85 if title else 0.65,
            )
        ]

    # --- company events ---------------------------------------------------------------------------

    def _layoff(self, r, s, e, prior, said) -> list[Candidate]:  # type: ignore[no-untyped-def]
        cue = " ".join(r.lower[s:e])
        end = r.clause_end(e)
        after = " ".join(r.lower[e : min(end, e + 8)])
        if cue in _JOB_OBJECT_CUES:
            if cue == "to close":
                if not re.match(
                    r"^(its |the |all |\d+ |some |several )*(\w+ )?(offices?|stores?|plants?|"
                    r"factories|operations|branches|outlets|sites|centres|centers)\b",
                    after,
                ):
                    return []
            elif not re.search(
                r"\b(jobs?|staff|workforce|employees|workers|positions|roles|headcount|people)\b", after
            ):
                return []
            if re.search(r"\b(prices?|rates?|fees?|costs?|forecast|outlook|stake)\b", after[:30]):
                return []
        if cue in {
            "shuts down",
            "shut down",
            "shutting down",
            "shutters",
            "shuttered",
            "closes down",
            "winds down",
        } and re.match(r"^(rumou?rs?|talk|speculation|reports?|claims?)\b", after):
            return []
        company = self.subject(r, s, prior)
        if company is None and cue in {
            "layoffs",
            "layoff",
            "job cuts",
            "job losses",
            "redundancies",
            "retrenchment",
            "downsizing",
        }:
            k = s - 1
            while k >= 0 and r.lower[k] in {
                "its",
                "new",
                "more",
                "mass",
                "massive",
                "fresh",
                "sweeping",
                "another",
                "round",
                "of",
                "second",
                "third",
                "first",
                "major",
                "has",
                "started",
                "begins",
                "announces",
                "announced",
                "begun",
            }:
                k -= 1
            if k >= 0 and r.lower[k] in {"'s", "’s"}:
                run = r.name_run_before(k)
                company = r.span_text(*run) if run else None
            elif k >= 0:
                run = r.name_run_before(k + 1, allow_lower_head=True)
                company = r.span_text(*run) if run else None
            if company is None:
                cs = r.clause_start(s)
                k2 = cs
                while k2 < s and r.name_like[k2]:
                    k2 += 1
                company = r.span_text(cs, k2) if k2 > cs else None
        if company is None and s > 1 and r.lower[s - 1] == "to":
            run = r.name_run_before(s - 1)
            company = r.span_text(*run) if run else None
        if company is None and said:
            company = said  # "Tundra Foods said it would cut 400 jobs"
        return [Candidate("layoffs", company=company, rule="layoff", strength=0.85 if company else 0.6)]

    def _place_ahead(self, r: SentenceReader, e: int, end: int) -> bool:
        """Whether "to/into/across/in PLACE" follows within a few words of `e` ("expands its payments
        business into Malaysia"). In Title Case every word is capitalised, so there the place must be a
        known one."""
        for x in range(e, min(end, e + 8)):
            if r.lower[x] in {"with", "by", "after", "for", "as", "and"}:
                return False  # another clause: "expands partnership with Y to ..."
            if r.lower[x] in {"to", "into", "across", "in"} and x + 1 < r.n:
                if r.mode == "sentence":
                    return self._is_place_at(r, x + 1)
                low = r.lower[x + 1]
                return low in PLACES or low.rstrip("n") in PLACES
        return False

    def _is_place_at(self, r: SentenceReader, k: int) -> bool:
        while k < r.n and r.tokens[k].like_num:
            k += 1  # "expands to 80 new markets"
        while k < r.n and r.lower[k] in {
            "the",
            "new",
            "its",
            "a",
            "more",
            "other",
            "several",
            "two",
            "three",
            "international",
            "global",
            "overseas",
            "foreign",
            "regional",
        }:
            k += 1
        if k >= r.n:
            return False
        low = r.lower[k]
        if (
            low in PLACES
            or low in {"markets", "market", "cities", "countries", "regions"}
            or (low in NATIONALITIES and k + 1 < r.n and r.lower[k + 1] in {"market", "markets"})
        ):
            return True
        if low.rstrip("n") in PLACES:
            return True
        return r.tokens[k].text[:1].isupper() and r.name_like[k] and low not in DESCRIPTORS

    _FACILITY = re.compile(
        r"\b(offices?|hubs?|headquarters?|hq|centres?|centers?|campus|facility|facilities|plants?|factory|"
        r"factories|stores?|branch|branches|outlets?|showrooms?|warehouses?|labs?|laboratory|"
        r"co-working spaces?|coworking spaces?|space|data cent(er|re)s?|r&d|subsidiary|base|shop|operations|"
        r"presence|flagship)\b",
        re.IGNORECASE,
    )

    def _expansion(self, r, s, e, prior, said) -> list[Candidate]:  # type: ignore[no-untyped-def]
        cue = " ".join(r.lower[s:e])
        end = r.clause_end(e)
        after = r.span_text(e, end) if end > e else ""
        low_after = after.lower()
        # A purpose clause of another event ("raises US$5M to expand into Thailand") is not a new event.
        if (
            s > 0
            and r.lower[s - 1] in {"to", "will", "and"}
            and any(c.type == "funding_round" for c in prior)
        ):
            return []
        if cue in {"opens", "opened", "open", "opening", "sets up", "set up", "setting up"}:
            m = self._FACILITY.search(low_after[:60])
            if not m or re.match(r"^\s*(up|doors? to|source|the door|its platform|api|access)\b", low_after):
                return []
            if (
                cue.startswith("set")
                and not re.search(r"\bin\b", low_after[:60])
                and "shop" not in low_after[:20]
            ):
                return []
        elif cue in {"enters", "entered", "enter", "entering", "enters into"}:
            if (
                cue == "enters into"
                or re.match(
                    r"^\s*(into )?(a |an |the )?(partnership|agreement|deal|talks|"
                    r"mou|pact|race|fray|ring|stage|phase|administration|"
                    r"liquidation)",
                    low_after,
                )
                or _PACT_AHEAD.match(low_after)
            ):
                return []
            if not self._is_place_at(r, e):
                return []
        elif cue in {"hiring spree", "hiring drive", "to hire"}:
            if cue == "to hire" and not re.match(
                r"^\s*(more than |over |up to |about |around )?[\d,]+\s*|^\s*(hundreds|"
                r"thousands)",
                low_after,
            ):
                return []
        elif cue in {
            "launches in",
            "launched in",
            "launch in",
            "launching in",
            "debuts in",
            "arrives in",
            "goes live in",
        }:
            if not self._is_place_at(r, e):
                return []
        elif cue in {"expands", "expand", "expanded", "expanding", "brings", "brought", "bringing"}:
            if not self._place_ahead(r, e, end):
                return []
        elif cue.startswith("expan"):
            if cue in {"expansion into", "expansion to"}:
                pass
            elif not (self._is_place_at(r, e) or cue.endswith("presence")):
                return []
        else:
            if not self._is_place_at(r, e):
                return []
        company = self.subject(r, s, prior)
        if cue in {"expansion into", "expansion to"} and company is None:
            k = s - 1
            while k >= 0 and r.lower[k] in {"its", "'s", "’s", "international", "global", "regional"}:
                if r.lower[k] in {"'s", "’s"}:
                    run = r.name_run_before(k)
                    company = r.span_text(*run) if run else None
                    break
                k -= 1
            if company is None:
                return []
        return [Candidate("expansion", company=company, rule="expansion", strength=0.85 if company else 0.6)]

    def _launch(self, r, s, e, prior, said) -> list[Candidate]:  # type: ignore[no-untyped-def]
        cue = " ".join(r.lower[s:e])
        end = r.clause_end(e)
        after = r.span_text(e, end) if end > e else ""
        low_after = after.lower()
        if re.match(r"^\s*(in|into)\b", low_after):
            return []  # market entry: the expansion rule decides
        if re.match(
            r"^\s*(a |an |its |the |new |first |\w+ )*(report|survey|study|results?|earnings|figures|"
            r"statement|data|ipo|probe|investigation|lawsuit|appeal|bid|campaign against|attack|"
            r"guidelines|rules|regulations|restructuring|reorgani[sz]ation|turnaround|strateg(?:y|ies)|"
            r"overhaul|cost-cutting|cost cuts)\b",
            low_after,
        ):
            return []  # a company plan, not a product
        if _own_fund(low_after[:60]) or re.search(r"\b(ico|token sale|tokens?|fund)\b", low_after[:40]):
            return []
        if s > 0 and r.lower[s - 1] in {"you", "help", "can", "how", "we", "i"}:
            return []
        if s > 0 and r.lower[s - 1] == "to" and any(c.type == "funding_round" for c in prior):
            return []  # the purpose of a round ("raises $5M to launch ..."), not a launch yet
        if (
            s > 0
            and r.lower[s - 1] in {"the", "a", "its"}
            and cue != "launch of"
            and not (s > 1 and r.lower[s - 2] in {"with", "announces", "announced", "marks"})
        ):
            return []  # "the launch" as a noun, not "X launches"
        if re.match(r"^\s*(a |an |its |the |new )*(\w+ )?partnership\b", low_after):
            company = self.subject(r, s, prior)
            return [Candidate("partnership", company=company, rule="launch_partnership", strength=0.7)]
        if self._FACILITY.search(low_after[:40]) and re.search(
            r"\b(r&d|office|hub|headquarters?|hq|centre|center|"
            r"campus|store|branch|facility|plant)\b",
            low_after[:40],
        ):
            company = self.subject(r, s, prior)
            return [Candidate("expansion", company=company, rule="launch_facility", strength=0.75)]
        passive = s > 0 and r.lower[s - 1] in _PASSIVE_AUX | {"been"}
        if cue == "launch of" or (s > 1 and r.lower[s - 1] == "the" and r.lower[s - 2] == "with"):
            k = s
            while k > 0 and r.lower[k - 1] in {"the", "with", "announces", "announced", "marks"}:
                k -= 1
            # "Tokopedia expands fintech offering with the launch of X": the subject of the clause.
            cs = r.clause_start(k)
            x = cs
            while x < k and r.name_like[x]:
                x += 1
            if x == cs:
                sub = self.subject(r, k, prior)
                company = sub
            else:
                run = r.name_run_before(x)
                company = r.span_text(*run) if run else None
                # Skip leading descriptors: the name run of the clause's subject phrase.
                first_verb = cs
                while first_verb < k and not (
                    r.tokens[first_verb].is_lower
                    and r.lower[first_verb] not in DESCRIPTORS
                    and r.lower[first_verb] not in NATIONALITIES
                ):
                    first_verb += 1
                run2 = r.name_run_before(first_verb) if first_verb > cs else None
                company = r.span_text(*run2) if run2 else company
        elif passive:
            k = s
            while k > 0 and r.lower[k - 1] in _PASSIVE_AUX | {"been", "officially"}:
                k -= 1
            company = self.subject(r, k, prior)
        else:
            pair = self.subject_and_partner(r, s, prior)
            company = pair if not isinstance(pair, tuple) else None
            if isinstance(pair, tuple):
                co, partner = pair
                return [
                    Candidate("product_launch", company=co, rule="launch", strength=0.8),
                    Candidate(
                        "partnership", company=co, counterparty=partner, rule="joint_launch", strength=0.7
                    ),
                ]
        if not low_after.strip() and not passive:
            return []
        out = [Candidate("product_launch", company=company, rule="launch", strength=0.85 if company else 0.6)]
        mw = re.search(r"\b(with|alongside|together with)\s+", after)
        if mw and not passive:
            pos = r.tokens[e - 1].idx + len(r.tokens[e - 1].text) + mw.end()
            for x in range(e, r.n):
                if r.tokens[x].idx >= pos:
                    if r.name_like[x]:
                        run = r.name_run_after(x)
                        if run and run[0] == x:
                            out.append(
                                Candidate(
                                    "partnership",
                                    company=company,
                                    counterparty=r.span_text(*run),
                                    rule="launch_with",
                                    strength=0.6,
                                )
                            )
                    break
        return out

    def _selects_partner(self, r: SentenceReader, s: int, e: int, prior: list[Candidate]) -> list[Candidate]:
        """A partnership for "X selects Y as (its technology) partner"; any other choice is none."""
        run = r.name_run_after(e)
        if not run or run[0] != e:
            return []
        rest = " ".join(r.lower[run[1] : r.clause_end(run[1])])
        if not re.match(r"^as (?:its |a |an |the |their )?(?:[\w&-]+ ){0,3}partner\b", rest):
            return []
        company = self.subject(r, s, prior)
        return [
            Candidate(
                "partnership",
                company=company,
                counterparty=r.span_text(*run),
                rule="selects_partner",
                strength=0.8 if company else 0.6,
            )
        ]

    def subject_and_partner(
        self, r: SentenceReader, s: int, prior: list[Candidate]
    ) -> str | tuple[str, str] | None:
        """The subject; for "X and Y launch" / "X, Y to create" the pair (X, Y)."""
        span = self.subject_span(r, s, prior)
        if span is None or isinstance(span, str):
            return span
        a, b = span
        k = a - 1
        if k >= 0 and (r.lower[k] in {"and", "&"} or r.tokens[k].text == ","):
            left = r.name_run_before(k)
            if left and (left[0] == 0 or r.is_boundary(left[0] - 1) or r.lower[left[0] - 1] in {":"}):
                return (r.span_text(*left), r.span_text(a, b))
        return r.span_text(a, b)

    def _partner(self, r, s, e, prior, said) -> list[Candidate]:  # type: ignore[no-untyped-def]
        cue = " ".join(r.lower[s:e]).replace(" - ", "-")  # the tokenizer splits "tie-up"
        end = r.clause_end(e)
        if cue in _CHOICE_VERBS:
            return self._selects_partner(r, s, e, prior)
        if cue in _PARTNERSHIP_NOUNS | {"collaborate", "partner", "join forces", "team up"} or cue.startswith(
            "to "
        ):
            # "X and Y partner" / "X, Y collaborate" / "inks partnership with" handled by the longer cues.
            if cue in _PARTNERSHIP_NOUNS:
                k = s - 1
                while k >= 0 and r.lower[k] in _PARTNERSHIP_MODIFIERS:
                    k -= 1
                if k < 0 or r.lower[k] not in _PARTNERSHIP_VERBS:
                    return []
                if k > 0 and r.lower[k] == "into" and r.lower[k - 1] in _PARTNERSHIP_VERBS:
                    k -= 1  # "X and Y enter into a research collaboration"
                pair = self.subject_and_partner(r, k, prior)
                if isinstance(pair, tuple):
                    # "Microsoft, OpenAI extend partnership"
                    return [
                        Candidate(
                            "partnership",
                            company=pair[0],
                            counterparty=pair[1],
                            rule="pair_partnership",
                            strength=0.8,
                        )
                    ]
                company = (
                    self.subject(r, k, prior)
                    if r.lower[k] not in {"through", "via"}
                    else self.subject(r, r.clause_start(k) + 1 if False else k, prior)
                )
                if r.lower[k] in {"through", "via"}:
                    # "Waves enters Southeast Asia through Tokenomy partnership"
                    run = r.name_run_before(s)
                    partner = r.span_text(*run) if run else None
                    company = next((c.company for c in reversed(prior) if c.company), None)
                    return [
                        Candidate(
                            "partnership",
                            company=company,
                            counterparty=partner,
                            rule="via_partnership",
                            strength=0.7,
                        )
                    ]
                partner = None
                mw = None
                for x in range(e, end):
                    if r.lower[x] == "with":
                        mw = x
                        break
                if mw is not None:
                    run = r.name_run_after(mw + 1)
                    partner = r.span_text(*run) if run else None
                return [
                    Candidate(
                        "partnership",
                        company=company,
                        counterparty=partner,
                        rule="inks_partnership",
                        strength=0.8,
                    )
                ]
            pair = self.subject_and_partner(r, s, prior)
            if not isinstance(pair, tuple):
                return []
            return [
                Candidate(
                    "partnership", company=pair[0], counterparty=pair[1], rule="pair_partner", strength=0.8
                )
            ]
        if cue in {
            "partnership with",
            "alliance with",
            "joint venture with",
            "jv with",
            "collaboration with",
            "tie-up with",
        }:
            k = s - 1
            while k >= 0 and r.lower[k] in _PARTNERSHIP_MODIFIERS:
                k -= 1
            if (k < 0 or r.lower[k] not in _PARTNERSHIP_VERBS | {"and", "in", "new"}) and not (
                k >= 0 and r.lower[k] in {"'s", "’s"}
            ):
                return []
            if k >= 0 and r.lower[k] in {"through", "via"}:
                # "X enters Brazil through a partnership with Y": the clause's company partners with Y.
                run = r.name_run_after(e)
                company = next((c.company for c in reversed(prior) if c.company), None)
                return [
                    Candidate(
                        "partnership",
                        company=company,
                        counterparty=r.span_text(*run) if run else None,
                        rule="via_partnership",
                        strength=0.7,
                    )
                ]
            subj_at = k if k >= 0 and r.lower[k] not in {"and", "in", "'s", "’s", "into"} else s
            if k > 0 and r.lower[k] == "into" and r.lower[k - 1] in _PARTNERSHIP_VERBS:
                subj_at = k - 1  # "X enters into collaboration with Y"
            company = self.subject(r, subj_at, prior)
            if company is None and k >= 0 and r.lower[k] in {"'s", "’s"}:
                run = r.name_run_before(k)
                company = r.span_text(*run) if run else None
            if company is None and k >= 0 and r.lower[k] == "and":
                company = next((c.company for c in reversed(prior) if c.company), None)
        else:
            company = self.subject(r, s, prior)
        run = r.name_run_after(e)
        partner = r.span_text(*run) if run else None
        return [
            Candidate(
                "partnership",
                company=company,
                counterparty=partner,
                rule="partners_with",
                strength=0.85 if partner else 0.7,
            )
        ]
