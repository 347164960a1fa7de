"""The fields of an event that are facts of language rather than things to learn: the funding round's
name, its amount and currency (triggers/amounts.py), and a job title's normalised role
(schemas/roles.py). Small, exact and tested on sentences we write."""

from __future__ import annotations

import re

from spacy.tokens import Doc

from triggers.amounts import Amount, find_amounts

# Round names as written, most specific first ("pre-Series A" before "Series A").
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
        (
            r"\bventure debt\b|\bdebt\b|\bloans?\b|\bcredit (?:facility|line)\b|\bconvertible notes?\b|\bnotes offering\b",
            "debt",
        ),
        (r"\bgrowth (round|equity|funding|capital|investment)\b|\bpre-ipo\b|\blate[- ]stage\b", "growth"),
    ]
]
# Words before an amount that make it something other than the money raised.
_NOT_RAISED = re.compile(
    r"\b(valuation|valued at|worth|revenue|sales|market cap)\W*(?:of\W*)?$", re.IGNORECASE
)


def funding_round(text: str) -> str:
    """The round a funding sentence names, `undisclosed` when it names none."""
    for pattern, name in _ROUND_PATTERNS:
        if pattern.search(text):
            return name
    return "undisclosed"


def raised_amount(text: str) -> Amount | None:
    """The first amount in `text` that is not a valuation or a revenue figure."""
    for amount in find_amounts(text):
        if not _NOT_RAISED.search(text[max(0, amount.start - 30) : amount.start]):
            return amount
    return None


# A wire prefix before a headline: "UPDATE 1-", "BRIEF-", "INSTANT VIEW:", "EXCLUSIVE-".
_WIRE_PREFIX = re.compile(r"^(?:[A-Z][A-Z0-9 ]{1,24}\d?\s?[-:]\s*)+(?=[A-Z])")
_NAME_JOINERS = frozenset(["&", "of", "de", "-", "."])
# Capitalised first words that open a headline without being its subject.
_OPENERS = frozenset(
    [
        "after",
        "as",
        "at",
        "in",
        "on",
        "with",
        "why",
        "how",
        "what",
        "when",
        "the",
        "a",
        "an",
        "report",
        "exclusive",
        "breaking",
        "watch",
        "analysis",
        "opinion",
        "update",
    ]
)
_TITLE_WORDS = frozenset(
    [
        "ceo",
        "cfo",
        "coo",
        "cto",
        "cmo",
        "cio",
        "cro",
        "cpo",
        "chief",
        "president",
        "chairman",
        "chair",
        "founder",
        "co-founder",
        "head",
        "vp",
        "director",
    ]
)


def _name_like(word: str) -> bool:
    return bool(word) and (word[0].isupper() or word[0].isdigit()) and any(ch.isalpha() for ch in word)


# Short words that Title Case leaves in lower case.
_TITLE_CASE_SMALL = frozenset(
    ["with", "from", "into", "onto", "over", "upon", "amid", "than", "that", "this", "after"]
)


def _cased_like_a_sentence(words: list[str]) -> bool:
    """True when capitals mark names: some ordinary word after the first is in lower case ("Acme raises
    ..."). False for Title Case and ALL CAPS text, where only small words stay lower case."""
    return any(w.isalpha() and w.islower() and len(w) >= 4 and w not in _TITLE_CASE_SMALL for w in words[1:])


def headline_subject(doc: Doc) -> str | None:
    """The company a sentence-case headline is about, as written: the run of capitalised words it opens
    with, after leading lower-case descriptors ("fintech startup") and a one-word possessive place or
    parent ("Japan's"). None for Title Case and ALL CAPS headlines, where capitals say nothing."""
    words = [t.text for t in doc]
    if not _cased_like_a_sentence(words):
        return None
    k = 0
    while k < len(words) and (not _name_like(words[k]) or words[k].lower() in _OPENERS):
        k += 1  # "fintech startup Paylane ...", "After 14 years, Acme ..."
    found: tuple[int, int] | None = None
    while k < len(words):
        start = k
        while (
            k < len(words)
            and words[k].lower() not in _TITLE_WORDS  # "Acme CEO Jo Park": the company ends at the title
            and (_name_like(words[k]) or (k > start and words[k].lower() in _NAME_JOINERS))
        ):
            k += 1
        end = k
        while end > start and words[end - 1].lower() in _NAME_JOINERS:
            end -= 1
        if end == start:
            break
        found = (start, end)
        if (
            end - start == 1
            and k + 1 < len(words)
            and words[k] in ("'s", "’s")
            and _name_like(words[k + 1])
            and words[k + 1].lower() not in _TITLE_WORDS
        ):
            k += 1  # "Japan's Mazda": the company after a one-word possessive
            continue
        break
    return doc[found[0] : found[1]].text if found else None


# Job titles as written: a post ("chief marketing officer", "president", "VP", "head"), its grade
# ("senior", "executive", "interim") and its function ("of marketing", "Marketing", "for sales and
# strategy"), and two posts joined ("president and chief executive officer").
_GRADE = r"(?:(?:senior|executive|group|deputy|interim|acting|global|regional|co-?|managing|new)\s+)*"
_FUNCTION = (
    r"(?:marketing|sales|growth|demand generation|revenue|engineering|product|products|operations|finance|"
    r"technology|strategy|business development|partnerships|communications|people|human resources|hr|"
    r"legal|data|digital|customer success|research|design|brand|commercial|investor relations|"
    r"international|global sales|north america|europe|emea|apac|asia|the americas|corporate development)"
)
_POST = (
    r"(?:chief\s+(?:[a-z&-]+\s+){1,3}officer|chief\s+executive|chief\s+[a-z]+|ceo|cfo|coo|cto|cmo|cio|cro|cpo|"
    r"chro|ciso|president|vice[- ]chair(?:man|woman)?|chairman|chairwoman|chairperson|chair|"
    r"(?:vice[- ]president|vp|svp|evp)|head|managing\s+director|general\s+manager|director|partner|"
    r"general\s+counsel|treasurer|country\s+manager)"
)
_ONE_TITLE = (
    rf"{_GRADE}{_POST}(?:\s*,?\s*(?:of|for)\s+{_FUNCTION}(?:\s+(?:and|&)\s+{_FUNCTION})?|\s+{_FUNCTION})?"
)
_TITLE = re.compile(rf"\b{_ONE_TITLE}(?:\s*(?:and|&|,)\s*{_ONE_TITLE})?\b", re.IGNORECASE)


def job_title(text: str) -> str | None:
    """The first job title written in `text`, whole ("VP Marketing", "Head of Demand Generation",
    "president and chief executive officer"), or None."""
    m = _TITLE.search(text)
    return m.group(0).strip(" ,") if m else None


# A person's name: two to four capitalised words, initials and a suffix allowed ("John W. Smith Jr.").
_PERSON = re.compile(
    r"\b[A-Z][a-z'’-]+(?:\s+[A-Z]\.)*(?:\s+(?:de|van|von|da|del|bin|al)\b)?(?:\s+[A-Z][a-z'’-]+){1,2}"
    r"(?:\s+(?:Jr|Sr)\.?|\s+I{2,3})?"
)
_NOT_NAMES = frozenset(
    ["inc", "corp", "co", "ltd", "plc", "llc", "group", "bank", "holdings", "capital", "partners", "labs",
     "technologies", "systems", "company", "ventures", "the", "chief", "president", "officer", "board"]
)  # fmt: skip


def person_name(text: str, company: str | None = None) -> str | None:
    """The first person's name in a sentence-case `text` that is not the company's, or None. In Title
    Case and ALL CAPS text every word looks like a name, so there it gives None."""
    if not _cased_like_a_sentence(text.split()):
        return None
    for m in _PERSON.finditer(text):
        name = m.group(0)
        words = {w.strip(".,").lower() for w in name.split()}
        if words & _NOT_NAMES or (company and company.lower() in name.lower()):
            continue
        if _TITLE.fullmatch(name):
            continue
        return name
    return None


# Nouns that end a descriptor before a company's name: "Indonesian e-commerce startup Bukit".
_COMPANY_NOUNS = frozenset(
    [
        "startup",
        "start-up",
        "firm",
        "company",
        "platform",
        "provider",
        "maker",
        "giant",
        "unicorn",
        "app",
        "marketplace",
        "operator",
        "chain",
        "lender",
        "insurer",
        "developer",
        "retailer",
        "brand",
        "group",
        "bank",
        "fintech",
        "insurtech",
        "proptech",
        "edtech",
        "healthtech",
        "service",
        "network",
        "manufacturer",
        "producer",
        "carrier",
        "airline",
        "studio",
        "agency",
        "exchange",
        "website",
        "portal",
        "supplier",
        "distributor",
    ]
)


def appositive_name(doc: Doc, verbs: frozenset[str] = frozenset()) -> str | None:
    """The company named after a descriptor that opens a headline ("Indonesian e-commerce startup Bukit
    raises ...", "Fintech firm Paylane ..."): the capitalised run after the descriptor's noun. `verbs`
    are words that end the descriptor ("Acme acquires startup Lumo" names Lumo as the object)."""
    words = [t.text for t in doc]
    if not _cased_like_a_sentence(words):
        return None
    lead = 0  # an opening capitalised run: "Indonesian", "Hong Kong-based"
    while lead < len(words) and lead < 4 and (_name_like(words[lead]) or words[lead] in ("-", "based")):
        lead += 1
    for j in range(min(len(words) - 1, 7)):
        if words[j].lower() not in _COMPANY_NOUNS or not _name_like(words[j + 1]):
            continue
        if any(_name_like(w) or w.lower() in verbs for w in words[lead:j]):
            return None  # a capitalised word or a verb inside the descriptor: not this pattern
        end = j + 1
        while end < len(words) and (
            _name_like(words[end]) or (end > j + 1 and words[end].lower() in _NAME_JOINERS)
        ):
            end += 1
        while end > j + 1 and words[end - 1].lower() in _NAME_JOINERS:
            end -= 1
        return doc[j + 1 : end].text
    return None


_INVESTOR_CUE = re.compile(
    r"\b(?:co-led by|led by|backed by|with participation (?:from|of)|participation from|from|including)\s+",
    re.IGNORECASE,
)
_INVESTOR = re.compile(r"[A-Z0-9][\w.&'’-]*(?:\s+(?:[A-Z0-9][\w.&'’-]*|&|of|de))*")


def investors_in(text: str) -> list[str]:
    """The investors a funding sentence names after "led by", "from", "backed by", "with participation
    from": capitalised names separated by commas and "and", in the order written."""
    found: list[str] = []
    for cue in _INVESTOR_CUE.finditer(text):
        rest = text[cue.end() :]
        pos = 0
        while True:
            m = _INVESTOR.match(rest, pos)
            if not m:
                break
            name = m.group(0).rstrip(" .,&")
            if name and name.lower() not in ("existing", "new", "the") and name not in found:
                found.append(name)
            sep = re.match(
                r"\s*(?:,\s*(?:and\s+|with participation from\s+)?|\s+and\s+|\s*&\s*)", rest[m.end() :]
            )
            if not sep or not sep.group(0):
                break
            pos = m.end() + sep.end()
    return found


def strip_wire_prefix(text: str) -> str:
    """A headline without its wire prefix ("UPDATE 1-Acme to buy Beta" -> "Acme to buy Beta")."""
    return _WIRE_PREFIX.sub("", text, count=1)


# An acquisition written from the acquired company's side: "Lumo acquired by Acme", "Lumo to be bought by
# Acme", "Lumo agrees to sell itself to Acme". The acquirer is the event's company (the guide's rule).
_PASSIVE_DEAL = re.compile(
    r"^(?P<acquired>[A-Z0-9](?:[^,:;]|,\s*(?:Inc|Ltd|LLC|Corp|Co|plc|S\.A|N\.V|AG|GmbH)\b){0,60}?)\s+(?:"
    r"(?:is\s+|has\s+been\s+|was\s+|will\s+be\s+|to\s+be\s+|gets\s+|got\s+|set\s+to\s+be\s+|being\s+)?"
    r"(?:acquired|bought|purchased|taken\s+over)\s+by"
    r"|(?:agrees?\s+to\s+|agreed\s+to\s+|to\s+|will\s+)?(?:sells?|sold)\s+(?:itself\s+|(?:its\s+)?business\s+)?to"
    r")\s+(?P<acquirer>.+)$",
    re.IGNORECASE,
)
# Words after which an acquirer's name has ended ("... by Acme for $2 billion", "... by Acme in deal").
_NAME_STOPS = frozenset(
    ["for", "in", "at", "on", "with", "from", "amid", "after", "as", "to", "and", "valued", "worth", "the",
     "a", "an", "deal", "-", "–", "—", "|", "("]
)  # fmt: skip


def _leading_name(words: list[str], most: int, also_stop: frozenset[str] = frozenset()) -> list[str]:
    """The capitalised run `words` open with, at most `most` words, ended by a stop word (or one of
    `also_stop`), a word that is not name-like, or a comma or full stop after a word."""
    name: list[str] = []
    for raw in words[:most]:
        word = raw.rstrip(",;:.")
        low = word.lower()
        if not word or low in _NAME_STOPS or low in also_stop or not _name_like(word):
            break
        name.append(word)
        if raw != word:
            break  # a comma or full stop ends the name
    return name


def passive_acquisition(text: str) -> tuple[str, str] | None:
    """(acquirer, acquired) when a headline reports the deal from the acquired company's side, else None.
    The acquirer is the capitalised run after "by" / "to", as written."""
    m = _PASSIVE_DEAL.match(strip_wire_prefix(text).strip())
    if not m:
        return None
    acquired = m.group("acquired").strip()
    if len(acquired.split()) > 6 or acquired.split()[-1].lower() in ("has", "is", "was", "will"):
        return None
    words = _leading_name(m.group("acquirer").split(), 5)
    if not words:
        return None
    acquirer = " ".join(words)
    for tail in ("'s", "’s"):
        acquirer = acquirer.removesuffix(tail)
    return acquirer, acquired


# Opening words that describe a company rather than name it: demonyms ("Indonesian", "Swiss") and sector
# words ("Fintech"). Names built on the same letters ("Polar Signal", "Global Payments") are kept whole.
_DEMONYM_ENDINGS = ("ian", "ean", "ese", "ish", "ic", "i", "an")
_DEMONYMS = frozenset(["dutch", "french", "swiss", "thai", "greek", "irish", "welsh", "czech", "uk", "us"])


def _describes(word: str) -> bool:
    low = word.lower().strip(".")
    return low in _DEMONYMS or low in _COMPANY_NOUNS or low.endswith(_DEMONYM_ENDINGS) or "-" in low


def whole_company(recognised: str, subject: str | None) -> str:
    """The recogniser's company, widened to the headline's opening name when it cut a name word off the
    front ("Signal" of "Polar Signal raises ..."), but not a descriptor ("Indonesian Bukit" stays Bukit)."""
    if not subject or subject == recognised or not subject.endswith(" " + recognised):
        return recognised
    extra = subject[: -len(recognised)].split()
    if any(_describes(w) for w in extra):
        return recognised
    return subject


def person_beside_title(person: str, title: str | None, evidence: str) -> str:
    """The person as written when the recogniser ran the title into the name ("Demand Generation Maria"
    of "hires Head of Demand Generation Maria Lopez"): title words off the front, and the name's own
    following capitalised words back on."""
    if not title:
        return person
    title_words = {w.lower() for w in title.split()}
    words = person.split()
    k = 0
    while k < len(words) - 1 and words[k].lower() in title_words:
        k += 1
    if k == 0:
        return person
    rest = words[k:]
    at = evidence.find(" ".join(rest))
    if at >= 0:
        after = evidence[at + len(" ".join(rest)) :].split()
        for w in after[: max(0, 3 - len(rest))]:
            clean = w.rstrip(",;:.")
            if not _name_like(clean) or clean.lower() in _NOT_NAMES or clean.lower() in _TITLE_WORDS:
                break
            rest.append(clean)
            if clean != w:
                break
    return " ".join(rest)


# The verbs a Title Case or ALL CAPS announcement puts right after its company ("Acme Corp. Announces
# ...", "ACME APPOINTS ..."), with the words that join two announcers ("Acme and Beta Announce ...").
_ANNOUNCING = frozenset(
    [
        "announces", "announce", "announced", "reports", "report", "provides", "provide", "completes",
        "complete", "completed", "closes", "close", "closed", "signs", "sign", "signed", "enters", "enter",
        "secures", "secure", "secured", "receives", "receive", "raises", "raise", "raised", "launches", "launch",
        "launched", "introduces", "introduce", "unveils", "unveil", "expands", "expand", "opens", "open",
        "names", "name", "named", "appoints", "appoint", "appointed", "hires", "hire", "promotes", "promote",
        "elects", "elect", "welcomes", "welcome", "taps", "tap", "adds", "add", "selects", "select", "partners",
        "partner", "collaborates", "collaborate", "teams", "team", "joins", "join", "integrates", "integrate",
        "acquires", "acquire", "acquired", "buys", "buy", "agrees", "agree", "prices", "price", "priced",
        "files", "file", "debuts", "debut", "lists", "list", "reduces", "reduce", "cuts", "cut", "lays", "lay",
        "extends", "extend", "renews", "renew", "forms", "form", "establishes", "establish", "strengthens",
        "strengthen", "begins", "begin", "inks", "ink", "wins", "win", "lands", "land", "bags", "bag", "gets",
        "get", "nabs", "nab", "picks", "pick", "says", "said", "confirms", "confirm", "sets", "set", "to", "and",
        "is", "are", "has", "have", "will", "unveiling", "announcing",
    ]
)  # fmt: skip


def announcer(doc: Doc) -> str | None:
    """The company a Title Case or ALL CAPS headline opens with, up to its verb ("Armstrong Flooring" of
    "Armstrong Flooring Appoints ...", "Interface, Inc." of "Interface, Inc. Announces ..."), where
    capitals don't mark names and the sentence-case reading has nothing to say. None when no verb
    follows within six words, or the opening is not a name."""
    words = [t.text for t in doc]
    first = words[0] if words else ""
    if not _name_like(first) or first.lower() in _OPENERS or first.lower() in _TITLE_WORDS:
        return None
    for end in range(1, min(len(words), 7)):
        low = words[end].lower()
        # The name ends at the verb, a ticker in brackets, a title ("Acme CEO to Step Down") or an
        # adverb ("Acme Substantially Completes ...").
        if low == "(" or low in _ANNOUNCING or low in _TITLE_WORDS or (low.endswith("ly") and len(low) > 4):
            start = 0
            for k in range(end - 1):  # a descriptor before a company noun: "Fintech Startup Paylane"
                if (
                    words[k].lower() in _COMPANY_NOUNS
                    and words[k + 1].lower() not in _NAME_JOINERS
                    and all(_describes(w) for w in words[:k])
                ):
                    start = k + 1
            return doc[start:end].text.strip(" ,:;-–—") or None
        if not (_name_like(words[end]) or low in _NAME_JOINERS or low in (",", "&", "'s", "’s")):
            return None
    return None


# Where a hire's person stands in a Title Case or ALL CAPS headline: right after the appointing verb,
# before "as" / "to" / a comma ("Acme Appoints Dana Whit as VP Marketing"), or before "Joins".
_APPOINTEE = re.compile(
    r"\b(?:appoints|names|hires|promotes|elects|welcomes|taps|adds|appointment of|appoint|name|hire)\s+"
    r"(?P<after>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){1,3}?)(?=\s*(?:,|\bas\b|\bto\b|\bfor\b|$))"
    r"|^(?P<before>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){1,3}?)\s+(?:joins|rejoins|returns to)\b",
    re.IGNORECASE,
)


def appointee(text: str) -> str | None:
    """The person a hire headline names, where capitals don't mark names (Title Case, ALL CAPS) and the
    recogniser found none: the words between the appointing verb and "as"/"to", or before "Joins"."""
    m = _APPOINTEE.search(strip_wire_prefix(text))
    if not m:
        return None
    name = (m.group("after") or m.group("before") or "").strip()
    words = name.split()
    if not 2 <= len(words) <= 4 or any(
        w.lower().strip(".,") in _TITLE_WORDS or w.lower().strip(".,") in _NOT_NAMES for w in words
    ):
        return None
    return name


# The other side of a deal or partnership, after its verb: "acquires analytics startup Numera",
# "to buy rival courier Zipbox", "partners with Horizon Hospitals to ...".
_DEAL_VERB = re.compile(
    r"\b(?:acquires|acquire|acquiring|buys|buy|buying|snaps up|takes over|take over|purchases|purchase|"
    r"merges with|merge with|partners with|partner with|teams up with|team up with|collaborates with|"
    r"joins forces with|ties up with|signs (?:an? )?(?:[\w-]+ ){0,3}(?:agreement|deal|partnership) with|"
    r"inks (?:an? )?(?:[\w-]+ ){0,2}deal with|in (?:a )?partnership with)\s+",
    re.IGNORECASE,
)


def deal_counterparty(text: str, company: str | None = None) -> str | None:
    """The company named after a deal or partnership verb, descriptors before it skipped ("analytics
    startup Numera" gives Numera), as written; None when no name follows."""
    m = _DEAL_VERB.search(strip_wire_prefix(text))
    if not m:
        return None
    words = text[m.end() :].split()
    sentence_case = _cased_like_a_sentence(text.split())
    k = 0
    # Descriptors: lower-case words in sentence case ("rival courier"); in Title Case, a run ending in a
    # company noun ("Analytics Startup").
    if sentence_case:
        while k < len(words) and not _name_like(words[k]) and k < 4:
            k += 1
    else:
        for j in range(min(len(words), 4)):
            low = words[j].lower().strip(",")
            if low in _NAME_STOPS or low in _ANNOUNCING:
                break
            if low in _COMPANY_NOUNS:
                k = j + 1
    found = " ".join(_leading_name(words[k:], 6, _ANNOUNCING)) or None
    return None if found is None or (company and found == company) else found
