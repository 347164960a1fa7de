"""Company-name and domain normalisation: the keys every matching step compares.

Why rules and not a model: CRM exports, registries and news spell the same company with legal forms
of many countries, listing noise ("- Common Stock", "Class A"), registry word order ("SMITH A O CORP")
and registry abbreviations ("INTL", "HLDGS"). Each rule below removes one such source of variation
while keeping the words that tell two companies apart.

Decisions on generic words:
- legal forms (Inc, GmbH, S.p.A., Pty Ltd, ...) are noise everywhere at the end of a name;
- "Holding(s)", "Group", "Companies", "International" are identity in the exact key (two accounts
  "Acme Holdings" and "Acme Group" may be different legal entities) but count little in fuzzy
  scoring (see `GENERIC_WORDS` and `core_tokens`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract
from anyascii import anyascii


def words(text: str) -> list[str]:
    """The whitespace-separated words of a text (how the word lists below are written)."""
    return text.split()


# --- listing noise -------------------------------------------------------------------------------
# A security description starts at the first of these phrases; everything from there on describes
# the share, not the company ("Alibaba Group Holding Limited American Depositary Shares each ...").
_SECURITY_START = [
    r"common stocks?",
    r"common shares?",
    r"ordinary shares?",
    r"ordinary stock",
    r"preferred stocks?",
    r"preferred shares?",
    r"preference shares?",
    r"capital stock",
    r"(?:american|global) deposit(?:a|o)ry (?:shares?|receipts?)",
    r"depositary (?:shares?|receipts?|units?)",
    r"(?:sponsored |unsponsored )?adrs?\b",
    r"(?:sponsored |unsponsored )?ads\b",
    r"shares? of beneficial interest",
    r"beneficial interest",
    r"(?:limited )?partnership units?",
    r"ltd partnership units?",
    r"common units?(?: representing)?",
    r"corporate units?\b",
    r"limited partner(?:ship)? interests?",
    r"units?(?=\s+(?:representing|each|consisting|of beneficial))",
    r"warrants?(?=\s+(?:to|expiring|each))",
    r"subordinate voting shares?",
    r"(?:non-?)?voting shares?",
    r"(?:ny|new york) registry shares?",
    r"registered shares?",
    r"class [a-z]\b(?: (?:common|ordinary|shares?|stock|units?))?",
    r"series [a-z0-9]+\b(?: (?:preferred|fixed|floating|cumulative|notes?|shares?))?",
    r"\d+(?:\.\d+)?% ",
    r"(?:cumulative|perpetual|redeemable|convertible|fixed[- ]to[- ]floating|fixed rate|floating rate) "
    r"(?:preferred|notes?|subordinated|senior|rate)",
    r"(?:senior |subordinated )+notes?",
    r"notes? due",
    r"due \d{4}",
    r"etns?\b",
    r"pfd\b",  # "Acme Bank Pfd 3": an abbreviated preferred issue
    r"w/i\b",  # "when issued" trading before a spin-off completes
    r"when[- ]issued\b",
]
# the phrase starts after a space, a dash, a comma, the full stop of a legal form ("Inc.Common Stock")
# or a closing bracket ("Acme Corp (Holding Company)Common Stock")
_SECURITY_RE = re.compile(
    r"(?:^|\s|-|,|(?<=[a-z]\.)|(?<=\)))\s*(?:" + "|".join(_SECURITY_START) + r")", re.IGNORECASE
)
_DASH_TAIL_RE = re.compile(r"\s+[-\u2013\u2014]\s+.*$")  # "Acme Inc - Common Stock" / "- Class A"
# Words that mark a " - ..." tail as describing the listing, wherever they stand in it.
_TAIL_NOISE_RE = re.compile(
    r"\b(?:stock|shares?|units?|notes?|preferred|securities|warrants?|rights|depositary|ads|adr|etns?|"
    r"closed[- ]end fund|business development company|real estate investment trust|exchange traded|"
    r"debentures?|due \d{4})\b|%",
    re.IGNORECASE,
)
_BARE_SECURITY_RE = re.compile(r"([\w.]+),?\s+((?:units?|rights?|warrants?)\s*)$", re.IGNORECASE)
# "Acme Corporation Oridinary Shares": one (possibly misspelt) word and "Shares"/"Stock" right after a
# legal form describe the share, whatever the word is.
_FORM_THEN_SHARES_RE = re.compile(r"([\w.]+),?\s+([a-z]+\s+(?:shares?|stock)\s*)$", re.IGNORECASE)
# "Acme Partners LP Limited Partnership": the legal form written twice (alone it names the entity)
_LP_TWICE_RE = re.compile(r"\b(l\.?p\.?),?\s+limited partnership\b", re.IGNORECASE)
_PARENS_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
# SEC registrant tags: "ACME CORP /DE/", "CNB FINANCIAL CORP/PA", "KVH INC \\DE\\", "LAMAR CO/NEW"
_STATE_CODES = frozenset(
    words("""al ak az ar ca co ct de fl ga hi id il in ia ks ky la me md ma mi mn ms mo mt ne nv nh nj nm ny nc
    nd oh ok or pa ri sc sd tn tx ut vt va wa wv wi wy dc pr vi bc on qc ab uk can ber cay bvi""")
)
_STATE_TAG_RE = re.compile(
    r"(\s|\b(?:corp|inc|co|ltd|plc|llc|lp|corporation|company|trust|fund|bancorp)\.?)\s*[/\\]"
    r"(?:" + "|".join(sorted(_STATE_CODES)) + r"|new)[/\\]?(?=\s*$|\s*[/\\])",
    re.IGNORECASE,
)

# --- legal forms ---------------------------------------------------------------------------------
# Compared on the token list after punctuation removal, so "S.A." -> "s a" and "A/S" -> "a s" are
# listed as token sequences. Longest sequences first so "pty ltd" goes before "ltd".
_LEGAL_FORM_TEXT = (
    "inc, incorporated, corp, corporation, co, company, cos, ltd, limited, llc, l l c, llp, l l p, "
    "lp, l p, plc, p l c, gmbh, gmbh co kg, co kg, kg, kgaa, ag, sa, s a, spa, s p a, sas, s a s, "
    "sarl, s a r l, srl, s r l, sl, s l, sau, bv, b v, nv, n v, oy, oyj, ab, publ, ab publ, asa, "
    "a s, as, aps, a p s, pty, pty ltd, proprietary limited, pte, pte ltd, private limited, pvt, "
    "pvt ltd, kk, k k, kabushiki kaisha, godo kaisha, yugen kaisha, sdn bhd, bhd, berhad, se, sca, "
    "scs, sce, nl, tbk, pt, ulc, lllp, pllc, ltda, s a de c v, sa de cv, de cv, sab de cv, "
    "s a b de c v, sab, s a b, sapi, s a c i, s a c i f y a, saci, sacifya, ood, eood, doo, d o o, "
    "zrt, kft, sp z o o, sp zoo, spzoo, ehf, hf, ky, "
    "ay, og, cv, vof, ks, akc, jsc, pjsc, ojsc, cjsc, ooo, zao, oao, pao, the, the company, "
    "corp ltd, public limited company, public company limited, public co ltd, public co, "
    "public ltd co, pcl, company limited, co ltd"
)
_LEGAL_FORMS: tuple[tuple[str, ...], ...] = tuple(
    sorted(
        {tuple(form.split()) for form in _LEGAL_FORM_TEXT.split(",") if form.strip()},
        key=lambda form: (-len(form), form),
    )
)

# legal forms by their last word, longest first, so stripping looks at a handful, not all of them
_FORMS_BY_LAST: dict[str, list[tuple[str, ...]]] = {}
for _form in _LEGAL_FORMS:
    _FORMS_BY_LAST.setdefault(_form[-1], []).append(_form)

# Registry and everyday abbreviations -> one canonical spelling, so "INTL" == "International".
_CANONICAL: dict[str, str] = {}
for _canon, _variants in {
    "international": ["intl", "internat", "int'l", "internationl", "inter national"],
    "technologies": ["technology", "tech", "techs", "technol", "techn", "tecnologies", "technologie"],
    "holdings": ["holding", "hldgs", "hldg", "hold", "holdgs", "hlds", "participacoes"],  # Portuguese
    "group": ["grp", "gp", "groep", "gruppe", "gruppo", "grupo", "groupe"],  # Dutch, German, ...
    "financial": ["finl", "fin'l", "finanical", "fincl", "finc"],
    "services": ["service", "svcs", "svc", "srvcs", "servs"],
    "systems": ["system", "sys", "syst"],
    "pharmaceuticals": ["pharmaceutical", "pharma", "pharms", "pharmaceutic", "pharmaceuticls"],
    "industries": ["industry", "inds", "indus", "ind", "industrie"],
    "communications": ["communication", "comm", "comms", "communs", "communicatns", "commun"],
    "bancorp": ["bancorporation", "bankcorp", "bncp"],
    "manufacturing": ["mfg", "manuf", "manufactur"],
    "laboratories": ["laboratory", "labs", "lab"],
    "associates": ["assoc", "assocs", "associated"],
    "brothers": ["bros", "bro"],
    "national": ["natl", "nat'l", "nat"],
    "american": ["amer", "amern"],
    "management": ["mgmt", "mgt", "managment"],
    "resources": ["resource", "res", "rsrcs"],
    "properties": ["property", "pptys", "prop", "props"],
    "investments": ["investment", "invt", "invts", "inv", "invest"],
    "mortgage": ["mtg", "mtge"],
    "products": ["product", "prods", "prod"],
    "electronics": ["electronic", "elec", "electrs"],
    "entertainment": ["entmt", "entmnt", "ent"],
    "development": ["dev", "devel", "devt"],
    "solutions": ["solution", "sol", "solns"],
    "networks": ["network", "ntwks", "netwks"],
    "software": ["sftwr", "sw"],
    "semiconductor": ["semiconductors", "semi", "semicond"],
    "energy": ["enrgy", "engy"],
    "realty": ["rlty"],
    "trust": ["tr", "trst"],
    "partners": ["partner", "ptnrs", "prtnrs"],
    "capital": ["cap", "cptl"],
    "enterprises": ["enterprise", "entps", "entrp", "ent"],
    "biosciences": ["bioscience"],
    "therapeutics": ["therapeutic", "thera", "therap"],
    "pharmacy": ["pharm"],
    "medical": ["med"],
    "health": ["hlth"],
    "healthcare": ["hlthcare", "hlthcr"],
    "insurance": ["ins", "insur"],
    "banc": [],
    "bancshares": ["bancshs", "bankshares"],
    "securities": ["sec", "secs"],
    "fund": ["fd"],
    "municipal": ["muni", "mun"],
    "opportunities": ["opportunity", "opps", "opp", "opport"],
    "global": ["glbl", "gbl"],
    "corporate": [],
    "center": ["ctr", "centre", "cntr"],
    "mountain": ["mtn"],
    "mount": ["mt"],
    "saint": ["st"],
    "first": ["1st"],
    "second": ["2nd"],
    "third": ["3rd"],
    "south": [],
    "chemical": ["chem", "chemicals"],
    "construction": ["constr", "const"],
    "equipment": ["equip", "eqp"],
    "engineering": ["eng", "engr", "engg"],
    "transportation": ["transport", "transp", "trans"],
    "utilities": ["utility", "util", "utils"],
    "acquisition": ["acquisitions", "acq", "acqu"],
    "distribution": ["distrib", "dist"],
    "restaurants": ["restaurant", "rest"],
    "stores": ["store", "strs"],
    "foods": ["food"],
    "motors": ["motor"],
    "markets": ["market", "mkts", "mkt"],
    "advisors": ["advisers", "adviser", "advisor", "advsrs"],
    "ventures": ["venture", "vent"],
    "worldwide": ["wrldwide", "world wide"],
    "company": ["companies"],
    "ltd": ["limited"],  # inside a name ("Limited Duration"); at the end both are legal forms
    "corp": ["corporation"],  # inside a name ("Service Corporation International")
    "bank": ["banco", "banca", "banque", "bk"],
}.items():
    for _v in _variants:
        _CANONICAL.setdefault(_v, _canon)
    _CANONICAL.setdefault(_canon, _canon)
for _ambiguous in ("ent", "st", "sec"):  # too short to expand safely; keep as written
    _CANONICAL[_ambiguous] = _ambiguous

# Words that name what kind of company it is, not which one: they weigh little in fuzzy scoring.
GENERIC_WORDS: frozenset[str] = frozenset(
    words("""group holdings international company companies corporate global worldwide enterprises partners
    industries services systems technologies solutions and of the de la le les des del y et fund trust
    capital financial national american management investments associates ventures""")
)

_AND_RE = re.compile(r"\s*&\s*|\s*\+\s*")
_APOS_RE = re.compile(r"[\u2019'`\u00b4]")
_NON_ALNUM_RE = re.compile(r"[^a-z0-9]+")
_SPACES_RE = re.compile(r"\s+")


def _strip_listing_noise(text: str) -> str:
    """Cut the security description off a listing name ("Acme Inc - Common Stock" -> "Acme Inc")."""
    text = _DASH_TAIL_RE.sub("", text) if _DASH_TAIL_RE.search(text) and _dash_tail_is_noise(text) else text
    m = _SECURITY_RE.search(text)
    # Only cut when something remains before the noise: "Units Corp" stays a name.
    if m and m.start() > 0 and text[: m.start()].strip(" ,-"):
        text = text[: m.start()]
    # A bare "Units" / "Rights" / "Warrants" at the end is a listing only right after a legal form
    # ("Acme Acquisition Corp Rights", "Acme Holding L.P. Units"); "Acme Digital Rights" is a name.
    for pattern in (_BARE_SECURITY_RE, _FORM_THEN_SHARES_RE):
        m = pattern.search(text)
        if m and m.group(1).replace(".", "").lower() in _LEGAL_HEADS:
            text = text[: m.start(2)]
    return text


def _dash_tail_is_noise(text: str) -> bool:
    """A " - ..." tail is noise when it describes a security; "Petroleo Brasileiro - Petrobras" keeps it."""
    tail = _DASH_TAIL_RE.search(text)
    if tail is None:
        return False
    return bool(
        _SECURITY_RE.match(" " + tail.group(0).strip(" -\u2013\u2014"))
        or _TAIL_NOISE_RE.search(tail.group(0))
    )


# Registry and listing leftovers after a legal form: "GLOBAL SHIP LEASE INC NEW", "ELDORADO GOLD
# CORP FI", "DIODES INC DEL", "PROTHENA CORP PUBLIC", "MIZUHO ... GROUP INC SPONSORED".
_TRAILERS = (
    frozenset(
        words("""new old fi cn del public common reit sponsored unsponsored sponosred adr ads the ny n y""")
    )
    | _STATE_CODES
)
_GLUED_FORMS = frozenset(words("corp corporation company incorporated limited"))
_LEGAL_HEADS = frozenset(
    words("inc corp co ltd plc llc lp sa ag nv se limited corporation company trust fund")
)


def _strip_legal_forms(tokens: list[str]) -> list[str]:
    """Drop legal forms at the end (repeatedly: "Acme Holdings Co Ltd") and a leading "the"."""
    if tokens and tokens[0] == "the" and len(tokens) > 1:
        tokens = tokens[1:]
    # "... INC NEW": up to two leftover words after a legal form go with it
    for back in (1, 2):
        if (
            len(tokens) > back + 1
            and tokens[-back - 1] in _LEGAL_HEADS
            and all(t in _TRAILERS for t in tokens[-back:])
        ):
            tokens = tokens[:-back]
            break
    # listings mark a re-registered company with a trailing "New" ("First BanCorp. New")
    if len(tokens) > 2 and tokens[-1] == "new":
        tokens = tokens[:-1]
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        for form in _FORMS_BY_LAST.get(tokens[-1], ()):
            n = len(form)
            if len(tokens) > n and tuple(tokens[-n:]) == form:
                # "Acme U.S.A." -> "acme u s a": "s a" ends a run of initials here, not a legal form
                if len(tokens[-n - 1]) == 1 and all(len(t) == 1 for t in form):
                    continue
                tokens = tokens[:-n]
                changed = True
                break
    # SEC names sometimes glue the state to the legal form: "ACME INVESTMENT CORPORATIONDE"
    last = tokens[-1] if len(tokens) > 1 else ""
    if last[-2:] in _STATE_CODES and last[:-2] in _GLUED_FORMS:
        tokens = _strip_legal_forms(tokens[:-1])
    # SEC style "BROADWAY FINANCIAL CORP DE": a state code right after a legal form
    if (
        len(tokens) > 2
        and tokens[-1] in _STATE_CODES
        and len(tokens[-1]) == 2
        and (tokens[-2],) in _LEGAL_FORMS
    ):
        tokens = _strip_legal_forms(tokens[:-1])
    # A leading legal form is noise too in some countries ("PT Bank Central Asia", "OOO Yandex").
    if len(tokens) > 1 and tokens[0] in {"pt", "ooo", "oao", "zao", "pao", "pjsc", "jsc"}:
        tokens = tokens[1:]
    return tokens


@lru_cache(maxsize=200_000)
def company_tokens(name: str | None) -> tuple[str, ...]:
    """The canonical tokens of a company name: ASCII, lower case, no listing noise, no legal form,
    "&"/"and" dropped, registry abbreviations expanded. Empty when nothing identifying is left."""
    return _company_tokens(name, expand=True)


@lru_cache(maxsize=65_536)
def written_tokens(name: str | None) -> tuple[str, ...]:
    """The tokens of a company name as `company_tokens` makes them but with abbreviations left as
    written, so "Tetra Tech" and "Tetra Technologies" (one key after expansion) stay apart: the
    tie-break between accounts whose canonical names are the same."""
    return _company_tokens(name, expand=False)


def _company_tokens(name: str | None, *, expand: bool) -> tuple[str, ...]:
    if not name:
        return ()
    text = anyascii(name) if not name.isascii() else name
    text = _STATE_TAG_RE.sub(r"\1 ", _STATE_TAG_RE.sub(r"\1 ", text))
    text = _strip_listing_noise(_LP_TWICE_RE.sub(r"\1", text))
    text = _PARENS_RE.sub(" ", text)
    text = _AND_RE.sub(" and ", text)
    text = _APOS_RE.sub("", text.lower())  # "Pilgrim's" -> "pilgrims"
    # "A.O. Smith" -> "a o smith"; "S.A." -> "s a"; "Floating-Rate" -> "floating rate"
    tokens = _collapse_repeats(_NON_ALNUM_RE.sub(" ", text).split())
    tokens = _strip_legal_forms(tokens)
    tokens = [_CANONICAL.get(t, t) if expand else t for t in tokens if t != "and"]
    tokens = _strip_legal_forms(tokens)  # "Acme Co. and Co" after "and" removal
    return tuple(tokens)


def _collapse_repeats(tokens: list[str]) -> list[str]:
    """One copy of a run of words written twice in a row: listings often repeat the issuer's name
    ("Acme Fund Inc. Acme Fund Inc. Common Stock", "Acme Income Fund II Income Fund II")."""
    if len(tokens) < 4 or len(set(tokens)) == len(tokens):
        return tokens
    for size in range(len(tokens) // 2, 1, -1):
        for start in range(len(tokens) - 2 * size + 1):
            if tokens[start : start + size] == tokens[start + size : start + 2 * size]:
                return _collapse_repeats(tokens[: start + size] + tokens[start + 2 * size :])
    return tokens


_QUALIFIER_RE = re.compile(r"\(([^)]*)\)|[/\\]([a-z]{2,3})[/\\]?(?=\s*$|\s*[/\\])", re.IGNORECASE)
_NOT_QUALIFIERS = frozenset(words("the new old publ"))


@lru_cache(maxsize=65_536)
def name_qualifiers(name: str | None) -> frozenset[str]:
    """The words a name carries in brackets or registry tags ("Acme (Brasil) S.A." -> {"brasil"},
    "ACME CORP /ME/" -> {"me"}): a country or state that tells same-named companies apart."""
    if not name:
        return frozenset()
    found: set[str] = set()
    for m in _QUALIFIER_RE.finditer(anyascii(name)):
        found.update(_NON_ALNUM_RE.sub(" ", (m.group(1) or m.group(2)).lower()).split())
    return frozenset(found - _NOT_QUALIFIERS)


def normalize_company(name: str | None) -> str:
    """The normalised form of a company name, used as its exact-match key.

    Examples: "The A.O. Smith Corporation" -> "a o smith"; "Acme Technologies GmbH & Co. KG" ->
    "acme technologies"; "Alibaba Group Holding Limited American Depositary Shares" ->
    "alibaba group holdings". Two names that differ only by case, punctuation, diacritics, legal form,
    listing noise or registry abbreviations get the same key.
    """
    return " ".join(company_tokens(name))


def compact_key(tokens: tuple[str, ...]) -> str:
    """The tokens without spaces: "arcelor mittal" and "arcelormittal" meet here."""
    return "".join(tokens)


def sorted_key(tokens: tuple[str, ...]) -> str:
    """The tokens in sorted order: registry word order ("smith a o") meets "a o smith" here."""
    return " ".join(sorted(tokens))


def core_tokens(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The tokens without generic words ("alibaba group holdings" -> "alibaba"); the tokens
    themselves when nothing would be left ("american capital group" keeps all)."""
    core = tuple(t for t in tokens if t not in GENERIC_WORDS)
    return core or tokens


# --- domains -------------------------------------------------------------------------------------
# Hosts that publish news about other companies: a URL or address there says nothing about the
# company in the story.
NEWS_HOSTS: frozenset[str] = frozenset(
    words("""techcrunch.com prnewswire.com businesswire.com globenewswire.com reuters.com medium.com
    bloomberg.com wsj.com ft.com nytimes.com cnbc.com forbes.com venturebeat.com theverge.com
    wired.com zdnet.com crunchbase.com finsmes.com axios.com fortune.com businessinsider.com
    marketwatch.com yahoo.com finance.yahoo.com seekingalpha.com accesswire.com newswire.com
    prweb.com einpresswire.com cision.com marketscreener.com benzinga.com thenextweb.com
    siliconangle.com geekwire.com sifted.eu tech.eu eu-startups.com inc42.com yourstory.com
    e27.co techinasia.com dealstreetasia.com substack.com linkedin.com twitter.com x.com
    facebook.com youtube.com github.com google.com news.google.com feedburner.com bbc.co.uk
    bbc.com theguardian.com cnn.com apnews.com economist.com fiercebiotech.com fiercepharma.com
    biospace.com streetinsider.com investing.com nasdaq.com sec.gov wikipedia.org feedproxy.google.com
    techradar.com engadget.com arstechnica.com mashable.com gizmodo.com protocol.com""")
)
# Mailbox providers: an address there is a person's, not a company's.
MAIL_HOSTS: frozenset[str] = frozenset(
    words("""gmail.com googlemail.com yahoo.com hotmail.com outlook.com live.com msn.com aol.com icloud.com
    me.com mac.com proton.me protonmail.com gmx.com gmx.de web.de mail.com yandex.ru qq.com 163.com
    126.com zoho.com fastmail.com hey.com""")
)
# The public suffix list as the installed tldextract ships it (a snapshot in the package): never
# fetched at run time, so matching works offline and gives the same answer on every machine.
_SUFFIXES = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


@lru_cache(maxsize=65_536)
def _registrable(host: str) -> tuple[str, str]:
    """(registrable domain, its name label) of a host: "shop.acme.co.uk" -> ("acme.co.uk", "acme").
    A host under a suffix the list doesn't know (an intranet name, ".example") keeps its last two
    labels; a public suffix alone ("co.uk") names no one: ("", "")."""
    parts = _SUFFIXES.extract_str(host)
    if parts.suffix:
        return (f"{parts.domain}.{parts.suffix}", parts.domain) if parts.domain else ("", "")
    labels = host.split(".")
    return ".".join(labels[-2:]), labels[-2] if len(labels) >= 2 else labels[-1]


_DOMAIN_RE = re.compile(
    r"(?<![@\w.-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})\b", re.IGNORECASE
)
_EMAIL_RE = re.compile(r"\b[\w.+-]+@((?:[a-z0-9-]+\.)+[a-z]{2,24})\b", re.IGNORECASE)
# Endings that look like domains in prose but are file names or abbreviations.
_NOT_TLDS = frozenset(words("js py html htm php pdf png jpg jpeg gif txt csv json xml md exe zip gz"))


def normalize_domain(value: str | None) -> str | None:
    """The registrable domain of a website, URL, host or e-mail address ("https://www.shop.acme.co.uk/x"
    -> "acme.co.uk"), or None when there is none."""
    if not value:
        return None
    value = value.strip().lower()
    if "@" in value and "/" not in value:
        value = value.rsplit("@", 1)[1]
    if "//" not in value:
        value = "//" + value
    try:
        host = urlsplit(value).hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    host = host.strip(".")
    if host.startswith("www."):
        host = host[4:]
    if host.rsplit(".", 1)[-1].isdigit():  # an IP address names no company
        return None
    return _registrable(host)[0] or None


def is_news_host(domain: str | None) -> bool:
    """True for news sites, press-release wires and platforms whose URLs are about other companies."""
    if not domain:
        return False
    return domain in NEWS_HOSTS or domain in MAIL_HOSTS


def domains_in_text(text: str | None) -> tuple[list[str], list[str]]:
    """Company domains a text names: (from e-mail addresses, e.g. a press contact; from bare domains
    and URLs). News, wire and mailbox hosts are left out."""
    if not text:
        return [], []
    emails: list[str] = []
    for m in _EMAIL_RE.finditer(text):
        d = normalize_domain(m.group(1))
        if d and not is_news_host(d) and d not in emails:
            emails.append(d)
    others: list[str] = []
    for m in _DOMAIN_RE.finditer(text):
        raw = m.group(1)
        if raw.rsplit(".", 1)[-1].lower() in _NOT_TLDS or raw[0].isdigit():
            continue
        d = normalize_domain(raw)
        if d and not is_news_host(d) and d not in emails and d not in others:
            others.append(d)
    return emails, others


def domain_label(domain: str) -> str:
    """The name part of a domain ("acme-robotics.co.uk" -> "acmerobotics"), to check it against a name."""
    return _registrable(domain)[1].replace("-", "")
