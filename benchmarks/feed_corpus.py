"""A news feed for the benchmarks: headlines, and for most documents a lead, made up deterministically.

    from benchmarks.feed_corpus import feed
    items = feed(10_000, seed=42)        # [FeedItem(title, body, trigger), ...], the same for the same seed

Speed figures are only honest on text that looks like a feed. spaCy's tokenizer caches every distinct word it
has seen, so a corpus that reuses a few hundred words flatters it (and anything built on it) several times
over. Here company, investor and person names are made from syllables (thousands of distinct names), amounts,
dates, scores and prices vary, and everyday news is drawn from a wide vocabulary (politics, markets, sport,
weather, product reviews). About 40% of documents announce a buying trigger (funding, acquisition, IPO,
executive hire or departure, layoffs, expansion, launch, partnership) and 60% do not, some of them business
look-alikes (rumours, fund launches, earnings, lawsuits, listicles). Headlines are 60-110 characters, some in
Title Case or ALL CAPS. About 60% of documents carry a body: a lead of one or two sentences, for triggers in
wire or press-release style (often after a dateline such as "SINGAPORE -- ") restating or adding to the event,
for the rest an everyday-news lead.

Everything here was written for buysignal's benchmarks: the headline shapes come from the project's former
synthetic-headline generator, the leads and vocabularies are invented; nothing is taken from any evaluation
set.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

TRIGGER_SHARE = 0.4
BODY_SHARE = 0.6

# fmt: off
_ONSETS = ["b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br", "ch",
           "cl", "dr", "fl", "gr", "kr", "pl", "pr", "sh", "st", "th", "tr", "v", "zh", "qu"]
_VOWELS = ["a", "e", "i", "o", "u", "a", "e", "i", "o", "ai", "ea", "io", "ou", "y"]
_CODAS = ["", "", "", "n", "r", "l", "x", "s", "k", "m", "nd", "rt", "st", "th", "ck", "sh", "v"]
_CO_TAILS = ["", "", "", "", " Labs", " AI", " Health", " Technologies", " Systems", " Inc", " Robotics", " Bio",
             " Energy", " Pay", " Group", " Networks", ".io", " Therapeutics", " Logistics", " Games"]
_VC_WORDS = ["Ventures", "Capital", "Partners", "Investments", "Growth", "Fund"]
_FIRST_NAMES = [
    "James", "Maria", "Wei", "Aisha", "Carlos", "Priya", "Olga", "Kenji", "Fatima", "Lucas", "Sofia", "Ahmed",
    "Chen", "Emma", "Noah", "Ana", "Ivan", "Yuki", "Omar", "Lena", "Raj", "Sara", "David", "Mei", "Tomasz",
    "Amara", "Diego", "Hana", "Jonas", "Leila", "Mateo", "Nia", "Pavel", "Rosa", "Samir", "Tara", "Victor",
    "Zoe", "Arjun", "Bianca", "Daniel", "Elif", "Felix", "Grace", "Hugo", "Ines", "Kwame", "Laura", "Marco",
    "Nadia", "Oscar", "Paula", "Rachel", "Kofi", "Ingrid", "Thabo", "Mariana", "Sean", "Akiko", "Dmitri",
]

# Trigger headline shapes' vocabularies (from the former generator).
_DESCRIPTORS = [
    "fintech startup", "AI startup", "e-commerce platform", "healthtech firm", "logistics company",
    "edtech startup", "SaaS provider", "proptech startup", "insurtech company", "robotics maker",
    "payments firm", "agritech startup", "cybersecurity company", "online marketplace", "mobility startup",
    "food delivery app", "B2B software maker", "biotech company", "neobank", "data analytics firm",
    "climate tech startup", "HR tech platform",
]
_LOCAL = [
    "Singapore's", "Indonesian", "Indian", "Berlin-based", "London-based", "Nigerian", "Vietnamese",
    "Malaysia-based", "Brazilian", "French", "Kenyan", "Japanese", "Australian", "US-based", "Toronto-based",
    "Dubai-based", "Korean", "Mexican", "Philippine", "Thai",
]
_PLACES = [
    "Singapore", "Indonesia", "Vietnam", "the Philippines", "Thailand", "Malaysia", "India", "Japan",
    "South Korea", "Australia", "the US", "the UK", "Germany", "France", "Brazil", "Mexico", "Southeast Asia",
    "Europe", "Latin America", "the Middle East", "Africa", "Kenya", "Nigeria", "Canada", "Spain", "Poland",
    "Taiwan", "Hong Kong", "Dubai", "Jakarta", "Bangkok", "London", "Berlin", "Tokyo", "Sydney", "Toronto",
    "Mumbai", "Bengaluru", "Manila", "Ho Chi Minh City",
]
_TITLES = [
    "CEO", "chief executive officer", "CFO", "chief financial officer", "COO", "chief operating officer", "CTO",
    "chief technology officer", "CIO", "chief information officer", "CISO", "chief information security officer",
    "CMO", "chief marketing officer", "chief revenue officer", "CRO", "chief product officer", "CPO",
    "chief people officer", "CHRO", "president", "chairman", "board chair", "VP of marketing",
    "vice president of sales", "VP of engineering", "head of marketing", "head of sales", "country manager",
    "managing director", "general counsel", "chief scientist", "VP Marketing", "Head of Demand Generation",
    "Chief Revenue Officer", "SVP of Customer Success",
]
_PRODUCTS = [
    "a payments app for small merchants", "an AI assistant for accountants", "its first electric scooter",
    "a buy-now-pay-later service", "a no-code analytics tool", "a telehealth app",
    "a crypto wallet for retail users", "a fleet tracking platform", "a new API for developers",
    "a grocery delivery service", "an open-source database", "a fraud detection engine",
    "a learning app for kids", "a smart thermostat", "a digital bank account for freelancers",
    "a developer platform", "a chatbot builder", "a subscription service for pet food",
]
_PURPOSES = [
    "expand into {place}", "grow its engineering team", "scale its platform", "build out its AI tools",
    "hire more engineers", "fuel regional growth", "enter new markets", "develop new products",
    "strengthen its balance sheet", "double its headcount",
]
_ROUNDS = ["seed", "pre-seed", "Series A", "Series B", "Series C", "Series D", "Series E", "Series F",
           "pre-Series A", "bridge", "debt", "growth"]
_EXCHANGES = ["Nasdaq", "the NYSE", "the Singapore Exchange", "the London Stock Exchange", "the ASX",
              "the Indonesia Stock Exchange", "the Tokyo Stock Exchange", "Euronext", "the BSE", "HKEX"]
_AMOUNT_FORMS = [
    ("${v}M", 1e6), ("${v} million", 1e6), ("US${v}M", 1e6), ("US${v} million", 1e6), ("${v}K", 1e3),
    ("${v}B", 1e9), ("${v} billion", 1e9), ("€{v}m", 1e6), ("€{v} million", 1e6), ("£{v}m", 1e6),
    ("£{v} million", 1e6), ("S${v} million", 1e6), ("RM{v} million", 1e6), ("Rs {v} crore", 1e7),
    ("INR {v} crore", 1e7), ("¥{v} billion", 1e9), ("{v}bn", 1e9), ("USD {v} million", 1e6),
]
_AMOUNT_BASES = [1, 2, 3, 4.5, 5, 7.5, 8, 10, 12, 15, 20, 25, 30, 40, 50, 65, 80, 100, 120, 250]
_TRIGGER_TAILS = [
    ", as demand for digital payments grows across the region",
    " amid a slowdown in venture funding for consumer startups",
    ", its chief executive said in a statement on Tuesday",
    " to expand its footprint in Southeast Asia and Latin America",
    ", according to a regulatory filing",
    " after a year of rapid growth in its enterprise business",
    " in a bid to compete with larger regional rivals",
    ", weeks after launching its mobile app in three new markets",
    " as it doubles down on small-business customers",
    " to hire engineers and grow its sales team",
]

# Leads: datelines, calendar, customers, offerings, quotes.
_DATELINE_CITIES = [
    "SAN FRANCISCO", "NEW YORK", "LONDON", "SINGAPORE", "BERLIN", "PARIS", "TORONTO", "BOSTON", "AUSTIN",
    "TEL AVIV", "BENGALURU", "JAKARTA", "SYDNEY", "TOKYO", "STOCKHOLM", "AMSTERDAM", "DUBLIN", "SEATTLE",
    "CHICAGO", "NAIROBI", "LAGOS", "SAO PAULO", "MEXICO CITY", "MUNICH", "ZURICH", "HONG KONG", "SEOUL",
]
_REGIONS = ["Calif.", "Texas", "Ohio", "Mass.", "Wash.", "Colo.", "Ga.", "N.C.", "Ontario", "Bavaria"]
_AGENCIES = ["(Reuters)", "(AP)", "(BUSINESS WIRE)", "/PRNewswire/", "(GLOBE NEWSWIRE)", "(AFP)"]
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]
_MONTHS_SHORT = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]
_QUARTERS = ["first quarter", "second quarter", "third quarter", "fourth quarter", "first half",
             "second half"]
_CUSTOMERS = [
    "hospitals", "small retailers", "logistics fleets", "independent pharmacies", "mid-sized banks", "schools",
    "farmers", "restaurants", "insurers", "utilities", "construction firms", "law firms", "airlines",
    "universities", "city governments", "dental clinics", "freight brokers", "online sellers",
    "wealth managers", "car dealers", "hotel chains", "telecom operators", "game studios", "landlords",
    "recruiters", "accounting firms", "shipping lines", "grocers", "clinics", "developers",
]
_OFFERINGS = [
    "billing software", "route-planning tools", "fraud checks", "payroll services", "inventory tracking",
    "cloud security", "speech recognition", "demand forecasting", "contract management", "remote monitoring",
    "customer support chatbots", "carbon accounting", "identity verification", "credit scoring",
    "scheduling software", "warehouse robots", "data pipelines", "energy storage", "digital lending",
    "cold-chain sensors", "video analytics", "tax filing", "expense management", "clinical trial software",
]
_QUOTE_OPENINGS = [
    "This funding lets us", "We are thrilled to", "Our customers asked us to", "With this team in place we can",
    "The market is ready for us to", "We built the company to", "This is a chance to", "Now is the time to",
    "We intend to", "Our next step is to",
]
_QUOTE_ENDINGS = [
    "move faster for {customers}", "serve {customers} across {place}", "make {offering} simple",
    "bring {offering} to {customers}", "hire the best people in {place}", "grow without losing focus",
    "double down on {offering}", "reach profitability by {year}", "take {offering} global",
]
_PERSON_ROLES = [
    "economist", "professor of public policy", "spokesperson", "senior analyst", "researcher",
    "union representative", "former minister", "campaigner", "consultant", "lecturer in history",
]
_DEPARTMENTS = ["sales", "recruiting", "marketing", "customer support", "operations", "product", "design",
                "finance", "engineering", "content moderation"]
_REASONS = ["growth slows", "it struggles to raise new money", "it shifts its focus to larger customers",
            "demand for its core product cools", "it prepares for a possible listing",
            "it folds two business units into one", "costs rise faster than sales"]
_LEAVING = ["pursue other opportunities", "spend more time with family", "start a company of her own",
            "start a company of his own", "join a rival", "take a role at an investment firm", "retire"]

# Everyday news.
_INSTITUTIONS = [
    "Fed", "ECB", "Senate", "Parliament", "Supreme Court", "city council", "regulators", "WHO", "IMF", "UN",
    "police", "NASA", "the EU", "lawmakers", "OPEC", "central bank", "health officials", "the White House",
    "unions", "farmers", "teachers", "scientists",
]
_NEWS_VERBS = [
    "warns of", "debates", "rejects", "approves", "delays", "questions", "faces", "criticises", "backs",
    "blocks", "probes", "reviews", "weighs in on", "struggles with", "braces for", "reports on", "highlights",
    "downplays", "pushes for", "votes on", "signals", "predicts", "welcomes", "condemns", "tests", "studies",
    "unveils plan on", "tightens rules on", "eases limits on", "sues over",
]
_PAST_VERBS = [
    "warned of", "debated", "rejected", "approved", "delayed", "questioned", "criticised", "backed",
    "blocked", "opened an inquiry into", "reviewed", "weighed in on", "pushed for", "voted on",
    "signalled a shift on", "welcomed", "condemned", "published a study of", "unveiled a plan on",
    "tightened rules on", "eased limits on", "filed a lawsuit over", "held hearings on", "called for action on",
]
_NEWS_OBJECTS = [
    "inflation outlook", "interest rates", "housing shortage", "climate targets", "budget deficit",
    "trade tariffs", "chip exports", "drought relief", "wildfire season", "teacher strike", "vaccine rollout",
    "rail fares", "minimum wage", "pension reform", "data privacy rules", "energy prices", "crop yields",
    "ocean warming", "election results", "school funding", "bridge repairs", "water quality", "airline delays",
    "coral bleaching", "migration policy", "tax overhaul", "antitrust case", "smartphone sales",
    "battery recycling", "quantum computing research", "heatwave warnings", "flood defences", "bird flu cases",
    "space telescope images", "museum reopening", "football transfer window", "tennis final",
    "marathon record", "chess championship", "film festival lineup", "streaming prices", "ticket scalping",
    "cyberattack on hospitals", "satellite launch schedule", "bond yields", "oil output", "copper prices",
    "wheat exports", "supply chain snarls", "consumer confidence", "retail footfall", "rent controls",
    "hospital waiting lists", "fishing quotas", "road tolls", "air pollution", "childcare costs",
    "broadband coverage", "prison overcrowding", "noise complaints", "tourism taxes",
]
_NEWS_TAILS = [
    ", officials say", " as talks drag on", " amid growing public pressure", " for the third straight month",
    " despite strong opposition", " ahead of next week's summit", " in a surprise move", " after heavy rainfall",
    ", survey shows", ", data shows", " as prices keep climbing", " in landmark ruling", " after months of delays",
    ", report finds", " in coastal regions", " across northern states", " for the first time since 2009",
    ", analysts caution", " as winter approaches", " in a close vote",
]
_CLAUSES = [
    "ending months of uncertainty", "drawing sharp criticism from opposition parties",
    "despite warnings from business groups", "in a move welcomed by consumer advocates",
    "after a long and often heated debate", "citing new figures on household spending",
    "as pressure mounts ahead of local elections", "following a string of complaints from residents",
    "in a decision that surprised many observers", "weeks after protests in several cities",
]
_EFFECTS = [
    "lower household bills", "push up prices for consumers", "cost taxpayers billions",
    "ease pressure on hospitals", "slow economic growth", "help first-time buyers", "hurt small businesses",
    "reduce emissions sharply", "lengthen waiting times", "change little in practice",
]
_REVIEW_THINGS = [
    "laptop", "e-bike", "smartwatch", "noise-cancelling headphones", "mechanical keyboard", "air fryer",
    "robot vacuum", "budget phone", "gaming monitor", "mesh router", "standing desk", "espresso machine", "drone",
    "tablet", "e-reader",
]
_TECH_TAILS = [
    "is the best we have tested this year", "is fast but overpriced", "gets a major software update",
    "finally fixes its battery problem", "now costs less than ever", "has one fatal flaw",
    "is worth the upgrade", "review: solid, quiet and a little dull", "hands-on: first impressions",
    "tips and hidden features",
]
_REVIEW_PARTS = ["hinge", "speaker", "touchpad", "charging port", "companion app", "display", "fan",
                 "carrying case", "remote", "power button"]
_REVIEW_ADJS = ["flimsy", "cheap", "sluggish", "dated", "fiddly", "noisy", "awkward", "underpowered"]
_CITIES = [
    "Lagos", "Jakarta", "Lisbon", "Denver", "Nairobi", "Osaka", "Krakow", "Austin", "Manila", "Bogota",
    "Tallinn", "Hanoi", "Accra", "Porto", "Seville", "Leeds", "Perth", "Calgary", "Pune", "Cebu", "Bergen",
    "Graz", "Lyon", "Quito", "Tbilisi", "Dhaka", "Ghent", "Turku", "Izmir", "Tulsa",
]
_ORDINALS = ["second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
# fmt: on
_SECTOR_ORIGINS = [w for w in _LOCAL if not w.endswith("'s")] + [""]


@dataclass
class FeedItem:
    """One feed document: its headline, its body (a lead of one or two sentences, or None) and whether it
    was written to announce a trigger."""

    title: str
    body: str | None
    trigger: bool


@dataclass
class Story:
    """A trigger headline and the facts its lead restates or adds to."""

    text: str
    kind: str
    company: str
    other: str = ""
    person: str = ""
    title: str = ""
    amount: str = ""
    round: str = ""
    investors: tuple[str, ...] = ()
    place: str = ""
    product: str = ""
    purpose: str = ""


def title_case(text: str) -> str:
    """Headline Title Case: every word capitalised except short function words after the first."""
    small = {"a", "an", "the", "of", "in", "on", "at", "to", "for", "and", "by", "with", "as", "from"}
    out = []
    for i, w in enumerate(text.split(" ")):
        if i > 0 and w in small:
            out.append(w)
        elif w[:1].islower():
            out.append(w[:1].upper() + w[1:])
        else:
            out.append(w)
    return " ".join(out)


class NameMaker:
    """Invented names from syllables: thousands of distinct companies and people, as in a real feed."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def word(self, syllables: int) -> str:
        r = self.rng
        w = "".join(r.choice(_ONSETS) + r.choice(_VOWELS) for _ in range(syllables)) + r.choice(_CODAS)
        return w.capitalize()

    def company(self) -> str:
        r = self.rng
        name = self.word(r.choice([2, 2, 3])) + r.choice(_CO_TAILS)
        return name if r.random() > 0.05 else name.lower()

    def person(self) -> str:
        return f"{self.rng.choice(_FIRST_NAMES)} {self.word(self.rng.choice([2, 3]))}"

    def investor(self) -> str:
        return f"{self.word(2)} {self.rng.choice(_VC_WORDS)}"


class FeedGenerator:
    """Deterministic feed documents: trigger headlines in the former generator's shapes, everyday news, and
    leads for both, with invented names throughout."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.names = NameMaker(self.rng)

    # --- vocabularies --------------------------------------------------------------------------------
    def company(self) -> str:
        return self.names.company()

    def person(self) -> str:
        return self.names.person()

    def investor(self) -> str:
        return self.names.investor()

    def place(self) -> str:
        return self.rng.choice(_PLACES)

    def desc(self) -> str:
        """An optional descriptor before a company name ("Berlin-based fintech startup "), or ""."""
        r = self.rng
        roll = r.random()
        if roll < 0.3:
            return ""
        if roll < 0.55:
            return r.choice(_DESCRIPTORS) + " "
        if roll < 0.75:
            return f"{r.choice(_LOCAL)} {r.choice(_DESCRIPTORS)} "
        return r.choice(_LOCAL) + " "

    def amount(self) -> str:
        """A written amount ("$12 million", "€4.5m", "Rs 30 crore")."""
        r = self.rng
        fmt, mult = r.choice(_AMOUNT_FORMS)
        base: float = r.choice(_AMOUNT_BASES)
        if r.random() < 0.3:
            base = round(r.uniform(1.1, 99.9), 1)
        if mult >= 1e9 and base > 10:
            base = r.choice([1, 1.2, 2, 3.5, 1.8, 2.7])
        if mult == 1e3:
            base = r.choice([150, 200, 500, 750, 900])
        return fmt.replace("{v}", f"{base:g}")

    def purpose(self) -> str:
        return self.rng.choice(_PURPOSES).format(place=self.place())

    # --- trigger headlines (the former generator's shapes) -------------------------------------------
    def funding(self) -> Story:
        r = self.rng
        co, d, amt, rnd = self.company(), self.desc(), self.amount(), r.choice(_ROUNDS)
        inv1, inv2, inv3 = self.investor(), self.investor(), self.investor()
        purpose = self.purpose()
        text = r.choice(
            [
                f"{d}{co} raises {amt} {rnd} round",
                f"{d}{co} raises {amt} {rnd} funding led by {inv1}",
                f"{d}{co} secures {amt} in {rnd} funding from {inv1} and {inv2}",
                f"{d}{co} bags {amt} to {purpose}",
                f"{co} closes {amt} {rnd} round led by {inv1}, with participation from {inv2} and {inv3}",
                f"{co} lands {rnd} funding from {inv1}",
                f"{d}{co} nabs {amt} {rnd} to {purpose}",
                f"{co} picks up {amt} in {rnd} funding",
                f"{co} announces {amt} {rnd} funding round",
                f"{d}{co} gets {amt} investment from {inv1}",
                f"{co} raises {amt} to {purpose}",
                f"{d}{co} raises fresh funding from {inv1}",
                f"{co} completes {amt} {rnd} round",
                f"{co} snags {amt} from {inv1} to {purpose}",
            ]
        )
        if r.random() < 0.12:  # the investor as the subject
            text = r.choice(
                [f"{inv1} leads {amt} {rnd} round in {d}{co}", f"{inv1} invests {amt} in {d}{co}"]
            )
        return Story(
            text, "funding", co, amount=amt, round=rnd, investors=(inv1, inv2, inv3), purpose=purpose
        )

    def acquisition(self) -> Story:
        r = self.rng
        co, target, d, amt = self.company(), self.company(), self.desc(), self.amount()
        text = r.choice(
            [
                f"{co} acquires {d}{target}",
                f"{co} to acquire {target} for {amt}",
                f"{co} buys {d}{target}",
                f"{co} snaps up {d}{target}",
                f"{co} completes acquisition of {target}",
                f"{co} agrees to buy {target} for {amt}",
                f"{d}{co} acquires {target} to expand its offering",
                f"{co} takes over {d}{target}",
                f"{co} buys majority stake in {target}",
            ]
        )
        if r.random() < 0.15:
            text = f"{target} acquired by {co}"
        return Story(text, "acquisition", co, other=target, amount=amt)

    def ipo(self) -> Story:
        r = self.rng
        co, ex, amt = self.company(), r.choice(_EXCHANGES), self.amount()
        text = r.choice(
            [
                f"{co} files for IPO",
                f"{co} files to go public on {ex}",
                f"{co} prices IPO at ${r.randint(8, 40)} a share",
                f"{co} makes stock market debut on {ex}",
                f"{co} lists on {ex}",
                f"{co} debuts on {ex}",
                f"{co} files for {amt} IPO",
                f"{co} goes public on {ex}",
            ]
        )
        return Story(text, "ipo", co, other=ex, amount=amt)

    def hire(self) -> Story:
        r = self.rng
        co, p, d, t = self.company(), self.person(), self.desc(), r.choice(_TITLES)
        text = r.choice(
            [
                f"{d}{co} appoints {p} as {t}",
                f"{co} names {p} {t}",
                f"{co} hires former {self.company()} executive {p} as {t}",
                f"{p} joins {co} as {t}",
                f"{co} promotes {p} to {t}",
                f"{co} taps {p} as new {t}",
                f"{co} names new {t} {p}",
                f"{co} said it appointed {p} {t}",
                f"{co} said {p} has been named {t}",
                f"{co} has appointed {p} as its new {t}",
            ]
        )
        return Story(text, "hire", co, person=p, title=t)

    def departure(self) -> Story:
        r = self.rng
        co, p, t = self.company(), self.person(), r.choice(_TITLES)
        text = r.choice(
            [
                f"{co} {t} {p} steps down",
                f"{p} steps down as {t} of {co}",
                f"{co}'s {t} {p} resigns",
                f"{co} {t} {p} to leave the company",
                f"{co} {t} {p} resigns after three years",
                f"{co} fires {t} {p}",
                f"{co} {t} {p} retires",
            ]
        )
        return Story(text, "departure", co, person=p, title=t)

    def layoffs(self) -> Story:
        r = self.rng
        co, d, n = self.company(), self.desc(), r.choice([40, 75, 120, 300, 1200, 4000, r.randint(20, 2500)])
        place = self.place()
        text = r.choice(
            [
                f"{d}{co} lays off {n} employees",
                f"{co} cuts {n} jobs",
                f"{co} to cut {r.randint(5, 30)}% of its workforce",
                f"{co} shuts down operations in {place}",
                f"{co} announces layoffs amid slowdown",
                f"{d}{co} slashes {n} jobs",
                f"{co} is laying off {n} staff",
                f"{d}{co} shuts down",
            ]
        )
        return Story(text, "layoffs", co, amount=str(n), place=place)

    def expansion(self) -> Story:
        r = self.rng
        co, d, pl = self.company(), self.desc(), self.place()
        text = r.choice(
            [
                f"{d}{co} expands to {pl}",
                f"{co} enters {pl} market",
                f"{d}{co} launches in {pl}",
                f"{co} opens new office in {pl}",
                f"{co} opens R&D centre in {pl}",
                f"{co} sets up regional headquarters in {pl}",
                f"{co} forays into {pl}",
                f"{co} expands into {pl} with local team",
            ]
        )
        return Story(text, "expansion", co, place=pl)

    def launch(self) -> Story:
        r = self.rng
        co, d, pr = self.company(), self.desc(), r.choice(_PRODUCTS)
        verb = r.choice(["launches", "unveils", "rolls out", "introduces", "releases", "debuts"])
        return Story(f"{d}{co} {verb} {pr}", "launch", co, product=pr)

    def partnership(self) -> Story:
        r = self.rng
        co, other, d, purpose = self.company(), self.company(), self.desc(), self.purpose()
        text = r.choice(
            [
                f"{d}{co} partners with {other} to {purpose}",
                f"{co} teams up with {d}{other}",
                f"{co} inks partnership with {other}",
                f"{co} signs MoU with {other}",
                f"{co} collaborates with {other} on payments",
                f"{co} ties up with {other} for last-mile delivery",
                f"{co} and {other} partner on data sharing",
            ]
        )
        return Story(text, "partnership", co, other=other, purpose=purpose)

    def multi(self) -> Story:
        r = self.rng
        co = self.company()
        if r.random() < 0.5:
            amt, rnd, place = self.amount(), r.choice(_ROUNDS), self.place()
            text = f"{co} raises {amt} {rnd} round, expands to {place}"
            return Story(
                text, "funding", co, amount=amt, round=rnd, investors=(self.investor(),), place=place
            )
        other, pr = self.company(), r.choice(_PRODUCTS)
        return Story(f"{co} acquires {other}, launches {pr}", "acquisition", co, other=other, product=pr)

    def trigger_story(self) -> Story:
        """One trigger headline (lengthened with a tail when short, as wire headlines often are)."""
        r = self.rng
        maker = r.choice(
            [self.funding, self.funding, self.funding, self.acquisition, self.ipo, self.hire, self.hire]
            + [self.departure, self.layoffs, self.expansion, self.launch, self.partnership, self.multi]
        )
        story = maker()
        if len(story.text) < 80 and r.random() < 0.85:
            story.text += r.choice(_TRIGGER_TAILS)
        return story

    # --- trigger leads ---------------------------------------------------------------------------------
    def dateline(self) -> str:
        """A wire or press-release dateline, or "" (a third of leads have none)."""
        r = self.rng
        roll = r.random()
        city = r.choice(_DATELINE_CITIES)
        day = f"{r.choice(_MONTHS_SHORT)} {r.randint(1, 28)}"
        if roll < 0.33:
            return ""
        if roll < 0.5:
            return f"{city} -- "
        if roll < 0.65:
            return f"{city} {r.choice(_AGENCIES[:2])} - "
        if roll < 0.75:
            return f"{city}, {r.choice(_REGIONS)} -- (BUSINESS WIRE) -- "
        if roll < 0.9:
            return f"{city}, {day}, 2026 {r.choice(_AGENCIES[2:5])} -- "
        return f"{city}, {day} {r.choice(['(AP)', '(AFP)'])} — "

    def quote(self, speaker: str, company: str) -> str:
        r = self.rng
        said = r.choice(
            [
                f"said {speaker}, {company}'s co-founder and chief executive",
                f"{speaker}, chief executive of {company}, said in a statement",
                f"said {speaker}, who founded {company} in {r.randint(2008, 2024)}",
            ]
        )
        ending = r.choice(_QUOTE_ENDINGS).format(
            customers=r.choice(_CUSTOMERS),
            place=self.place(),
            offering=r.choice(_OFFERINGS),
            year=r.randint(2026, 2030),
        )
        return f"“{r.choice(_QUOTE_OPENINGS)} {ending},” {said}."

    def trigger_lead(self, s: Story) -> str:
        """One or two sentences restating the story's event or adding to it, in wire or press-release style."""
        r = self.rng
        co, when = s.company, f"on {r.choice(_WEEKDAYS)}"
        sector = f"{r.choice(_SECTOR_ORIGINS)} {r.choice(_DESCRIPTORS)}".strip()
        customers, offering = r.choice(_CUSTOMERS), r.choice(_OFFERINGS)
        ceo, year = self.person(), r.randint(1998, 2024)
        rnd = s.round or r.choice(_ROUNDS)
        amt = s.amount if s.amount and s.kind != "layoffs" else self.amount()
        inv = s.investors or (self.investor(), self.investor(), self.investor())
        inv = inv + tuple(self.investor() for _ in range(3 - len(inv)))
        other = s.other or self.company()
        first: list[str]
        second: list[str]
        if s.kind == "funding":
            first = [
                f"{co}, a {sector}, said {when} it had raised {amt} in {rnd} funding led by {inv[0]}.",
                f"{co} today announced that it has closed a {amt} {rnd} round led by {inv[0]}, bringing its "
                f"total funding to {self.amount()}.",
                f"{co}, which sells {offering} to {customers}, has raised {amt} from {inv[0]} and {inv[1]} to "
                f"{s.purpose or self.purpose()}.",
                f"The {sector} {co} has secured {amt} in new funding, it said in a statement {when}.",
            ]
            second = [
                f"The round was led by {inv[0]}, with participation from {inv[1]} and existing investor {inv[2]}.",
                f"The company plans to use the money to {self.purpose()} and to {self.purpose()}.",
                f"Founded in {year} by {ceo} and {self.person()}, {co} says it now serves more than "
                f"{r.randint(2, 900) * 10:,} {customers} in {r.randint(2, 40)} countries.",
                f"The deal values the company at about {self.amount()}, according to a person familiar with "
                "the matter.",
                self.quote(ceo, co),
            ]
        elif s.kind == "acquisition":
            first = [
                f"{co} said {when} it had agreed to buy {other}, a {sector} based in {r.choice(_CITIES)}, for "
                f"{amt} in cash and stock.",
                f"{co} has acquired {other} for an undisclosed sum, the companies said, adding its "
                f"{r.randint(12, 900)} employees to {co}'s {self.names.word(2)} unit.",
                f"{co} today announced a definitive agreement to acquire {other}, a provider of {offering} for "
                f"{customers}.",
            ]
            second = [
                f"The deal is expected to close in the {r.choice(_QUARTERS)} of {r.randint(2026, 2027)}, "
                "subject to regulatory approval.",
                f"{other} was founded in {year} and had raised {self.amount()} from investors including {inv[0]}.",
                "Terms of the deal were not disclosed.",
                self.quote(ceo, co),
            ]
        elif s.kind == "ipo":
            price = r.randint(8, 60)
            first = [
                f"{co} said {when} it had filed for an initial public offering on {s.other}, seeking to raise "
                f"up to {amt}.",
                f"Shares of {co} opened at ${price + r.randint(-5, 12)} in their debut {when}, against an "
                f"offer price of ${price}.",
                f"{co}, a {sector}, has set the terms of its initial public offering at ${price} to "
                f"${price + 2} a share.",
            ]
            second = [
                f"The company, founded in {year}, reported revenue of {self.amount()} last year, up "
                f"{r.randint(3, 140)}% from a year earlier.",
                f"{self.names.word(2)} & Co and {self.names.word(3)} Securities are leading the offering.",
                f"The listing values the company at about {self.amount()}.",
            ]
        elif s.kind in ("hire", "departure"):
            p, t = s.person, s.title
            last = p.split()[-1]
            if s.kind == "hire":
                first = [
                    f"{co} today announced that {p} has joined the company as {t}, effective "
                    f"{r.choice(_MONTHS)} {r.randint(1, 28)}.",
                    f"{co} has appointed {p} as its {t}, the company said {when}, as it prepares to "
                    f"{self.purpose()}.",
                    f"{p}, who previously spent {r.randint(3, 19)} years at {other}, will join {co} as {t} and "
                    f"report to chief executive {ceo}.",
                ]
                second = [
                    f"{last} succeeds {self.person()}, who is leaving to {r.choice(_LEAVING)}.",
                    f"Before joining {co}, {last} led {r.choice(_DEPARTMENTS)} at {other} and {self.company()}.",
                    self.quote(ceo, co),
                ]
            else:
                first = [
                    f"{p}, {co}'s {t}, will step down at the end of {r.choice(_MONTHS)}, the company said {when}.",
                    f"{co} said {t} {p} had resigned to {r.choice(_LEAVING)}, effective immediately.",
                    f"{p} is leaving {co} after {r.randint(2, 14)} years as {t}, according to a filing.",
                ]
                second = [
                    f"The company has begun a search for a successor and named {self.person()} interim {t}.",
                    f"{last} joined {co} in {year} and oversaw its expansion into {self.place()}.",
                ]
        elif s.kind == "layoffs":
            n = s.amount or str(r.randint(20, 900))
            first = [
                f"{co} is cutting about {n} jobs, or {r.randint(4, 30)}% of its staff, as "
                f"{r.choice(_REASONS)}, chief executive {ceo} told employees in a memo {when}.",
                f"{co} said {when} it would close its {r.choice(_CITIES)} office and lay off {n} workers as "
                f"{r.choice(_REASONS)}.",
            ]
            second = [
                f"The cuts mainly affect its {r.choice(_DEPARTMENTS)} and {r.choice(_DEPARTMENTS)} teams.",
                f"The company had {r.randint(300, 20000):,} employees at the end of {r.randint(2023, 2025)}.",
            ]
        elif s.kind == "expansion":
            pl = s.place
            first = [
                f"{co} said {when} it would open an office in {pl} and hire {r.randint(10, 300)} people there "
                f"over the next {r.randint(6, 36)} months.",
                f"{co}, a {sector}, has launched its service in {pl}, its {r.choice(_ORDINALS)} market outside "
                "its home country.",
            ]
            second = [
                f"{self.person()} will lead the new team in {pl} as {r.choice(_TITLES)}.",
                f"The company already serves {r.randint(2, 900) * 10:,} {customers} in "
                f"{r.randint(2, 40)} countries.",
                self.quote(ceo, co),
            ]
        elif s.kind == "launch":
            pr = s.product
            first = [
                f"{co} today introduced {pr}, which it says lets {customers} cut the time spent on "
                f"{offering} by {r.randint(10, 80)}%.",
                f"{co} {when} unveiled {pr}, priced at ${r.randint(5, 400)} a month, for {customers} in "
                f"{self.place()}.",
            ]
            second = [
                f"It is available now in {self.place()} and will reach {self.place()} in {r.choice(_MONTHS)}.",
                self.quote(ceo, co),
            ]
        else:  # partnership
            first = [
                f"{co} and {other} have signed a {r.randint(2, 10)}-year agreement under which {other} will "
                f"offer {co}'s {offering} to its {customers}.",
                f"{co} said {when} it was teaming up with {other} to {s.purpose or self.purpose()}.",
            ]
            second = ["Financial terms of the partnership were not disclosed.", self.quote(ceo, co)]
        lead = self.dateline() + r.choice(first)
        if r.random() < 0.6:
            lead += " " + r.choice(second)
        return lead

    # --- non-trigger headlines and leads -------------------------------------------------------------
    def negative(self) -> tuple[str, str]:
        """A business headline that announces no trigger (rumours, VC funds, results, features, lawsuits),
        with a lead to match."""
        r = self.rng
        co, other, p, vc, amt = self.company(), self.company(), self.person(), self.investor(), self.amount()
        t, n = r.choice(_TITLES), r.choice([5, 7, 10, 12, 15, 20])
        when, q = f"on {r.choice(_WEEKDAYS)}", r.choice(_QUARTERS)
        kind, text = r.choice(
            [
                ("talks", f"{co} in talks to raise {amt}"),
                ("talks", f"{co} reportedly in talks to acquire {other}"),
                ("talks", f"{co} plans to raise {amt} next year"),
                ("talks", f"{co} is considering an IPO"),
                ("talks", f"{co} said to be weighing a sale to {other}"),
                ("fund", f"{vc} launches {amt} fund for early-stage startups"),
                ("fund", f"{vc} closes {amt} third fund"),
                ("fund", f"{vc} raises {amt} for new fund"),
                ("results", f"{co} has raised {amt} to date"),
                ("results", f"{co} now valued at {amt} after secondary share sale"),
                ("results", f"{co} reports {amt} in quarterly revenue"),
                ("results", f"{co} posts {amt} annual loss"),
                ("feature", f"{n} startups to watch in 2026"),
                ("feature", f"How {co} built a profitable business without VC money"),
                ("feature", f"Why {p} thinks {self.place()} is the next startup hub"),
                ("feature", f"Opinion: the {r.choice(_DESCRIPTORS)} bubble is about to burst"),
                ("feature", f"Interview: {p}, {t} of {co}, on building a remote team"),
                ("feature", f"Join us at the {co} Summit: early-bird tickets on sale now"),
                ("results", f"{co} raises prices for premium users"),
                ("legal", f"{co} raises concerns over new data rules"),
                ("feature", f"{n} things founders get wrong about fundraising"),
                ("feature", f"{co} {t} {p} on the future of payments"),
                ("results", f"{self.place()} startup funding hits {amt} in first half"),
                ("talks", f"{co} could be acquired by {other}, sources say"),
                ("talks", f"{co} eyes IPO in 2027"),
                ("talks", f"{co} mulls layoffs as sales slow"),
                ("feature", f"What {co}'s rise means for {r.choice(_DESCRIPTORS)}s"),
                ("feature", f"{co} wins award for best workplace"),
                ("feature", f"Podcast: {p} on raising a seed round"),
                ("talks", f"{co} denies report it will cut jobs"),
                ("results", f"{co} shares jump after strong earnings"),
                ("legal", f"Regulators probe {co} over data practices"),
                ("legal", f"{co} sued by former employees"),
                ("talks", f"{co} raises {amt} from {vc}, sources say"),
                ("talks", f"{co} to acquire {other} for {amt}, according to sources"),
                ("talks", f"{co} hires {p} as {t}, reports say"),
                ("talks", f"{co} could cut {n}% of staff, reports say"),
            ]
        )
        leads = {
            "talks": [
                f"{co} is in early talks with investors including {vc} about a deal that could value it at "
                f"{self.amount()}, according to two people familiar with the matter, who asked not to be named.",
                f"A spokesperson for {co} declined to comment on the report {when}, and the people said the "
                "talks could still fall apart.",
            ],
            "fund": [
                f"{vc} said {when} it had closed its {r.choice(_ORDINALS)} fund at {amt} and would back "
                f"{r.randint(15, 60)} companies building {r.choice(_OFFERINGS)} for {r.choice(_CUSTOMERS)}.",
                f"The firm's limited partners include pension funds, family offices and {self.company()}.",
            ],
            "results": [
                f"{co} reported {q} revenue of {self.amount()}, up {r.randint(2, 90)}% from a year earlier, and "
                f"a net loss of {self.amount()}, it said {when}.",
                f"Analysts polled by {self.names.word(2)} Research had expected revenue of {self.amount()}, and "
                f"the shares rose {r.randint(1, 18)}% in late trading.",
            ],
            "feature": [
                f"{p} has spent {r.randint(3, 25)} years building companies that sell {r.choice(_OFFERINGS)} to "
                f"{r.choice(_CUSTOMERS)}, and has strong views on what goes wrong.",
                f"In this week's edition we look at {r.choice(_OFFERINGS)}, {r.choice(_OFFERINGS)} and why "
                f"{r.choice(_CUSTOMERS)} are suddenly paying attention.",
            ],
            "legal": [
                f"The complaint, filed {when} in federal court in {r.choice(_CITIES)}, accuses {co} of "
                f"sharing data on {r.randint(2, 90)} million users without consent.",
                f"{co} said it would fight the claims and that it complied with all applicable rules.",
            ],
        }[kind]
        lead = r.choice(leads[:1]) + (" " + leads[1] if r.random() < 0.5 else "")
        if len(text) < 70:
            text += r.choice(_NEWS_TAILS)
        return text, lead

    def everyday(self) -> tuple[str, str]:
        """One everyday news headline that announces no buying trigger, and a lead to match."""
        r = self.rng
        roll = r.random()
        when = f"on {r.choice(_WEEKDAYS)}"
        city, city2 = r.choice(_CITIES), r.choice(_CITIES)
        if roll < 0.35:
            who = r.choice(_INSTITUTIONS + [self.person(), f"{city} mayor"])
            obj = r.choice(_NEWS_OBJECTS)
            head = f"{who[:1].upper()}{who[1:]} {r.choice(_NEWS_VERBS)} {obj}{r.choice(_NEWS_TAILS)}"
            lead = (
                f"{who[:1].upper()}{who[1:]} {when} {r.choice(_PAST_VERBS)} {obj}, {r.choice(_CLAUSES)}. "
                f"{self.person()}, a {r.choice(_PERSON_ROLES)} at the University of {city2}, said the "
                f"{r.choice(_NEWS_OBJECTS)} could {r.choice(_EFFECTS)} by {r.randint(2027, 2035)}."
            )
            return head, lead
        if roll < 0.52:
            thing, co = r.choice(_REVIEW_THINGS), self.company()
            head = (
                f"The {co} {thing} {r.choice(_TECH_TAILS)}{r.choice(_NEWS_TAILS) if r.random() < 0.5 else ''}"
            )
            lead = (
                f"The {thing} from {co} costs ${r.randint(30, 2400)} and comes in {r.randint(2, 6)} colours; "
                f"in our tests its battery lasted about {r.randint(4, 40)} hours. It is "
                f"{r.randint(5, 30)}% lighter than last year's model, but the {r.choice(_REVIEW_PARTS)} still "
                f"feels {r.choice(_REVIEW_ADJS)}."
            )
            return head, lead
        if roll < 0.7:
            p = self.person()
            home, away = r.randint(1, 5), r.randint(0, 4)
            head = (
                f"{p} {r.choice(['scores twice', 'shines', 'stars', 'strikes late'])} as {city} beat {city2} "
                f"{home}-{away}{r.choice(_NEWS_TAILS)}"
            )
            lead = (
                f"{p} scored in the {r.randint(2, 90)}th minute as {city} beat {city2} {home}-{away} {when} "
                f"night in front of {r.randint(4, 80) * 1000 + r.randint(0, 999):,} fans. The win lifts {city} "
                f"to {r.choice(_ORDINALS)} place, {r.randint(1, 15)} points behind {r.choice(_CITIES)}."
            )
            return head, lead
        if roll < 0.85:
            co, pct = self.company(), r.randint(1, 19)
            move = r.choice(["slip", "rise", "tumble", "edge up", "steady"])
            why = r.choice(["after results", "on weak guidance", "as sales beat forecasts", "in early trade"])
            head = f"{co} shares {move} {pct}% {why}{r.choice(_NEWS_TAILS)}"
            lead = (
                f"Shares of {co} moved {pct}% to ${r.randint(3, 400)}.{r.randint(10, 99)} {when} after the "
                f"company reported {r.choice(_QUARTERS)} sales of {self.amount()} and said demand from "
                f"{r.choice(_CUSTOMERS)} remained {r.choice(['soft', 'strong', 'uneven', 'steady'])}."
            )
            return head, lead
        obj = r.choice(_NEWS_OBJECTS)
        head = (
            f"{city} {r.choice(['weather', 'traffic', 'schools', 'hospitals', 'transit'])}: {obj} "
            f"{r.choice(['explained', 'in five charts', 'what to know', 'live updates'])} as "
            f"{r.choice(_INSTITUTIONS)} {r.choice(_NEWS_VERBS)} {r.choice(_NEWS_OBJECTS)}"
        )
        lead = (
            f"Forecasters expect up to {r.randint(10, 180)} millimetres of rain in {city} over the weekend, and "
            f"officials have told residents near the {self.names.word(2)} river to prepare for flooding. "
            f"Schools in {r.randint(2, 30)} districts will stay closed {when}, the council said."
        )
        return head, lead

    # --- documents -------------------------------------------------------------------------------------
    def item(self) -> FeedItem:
        """One feed document: 40% triggers; 60% carry a lead; headlines 10% Title Case, 4% ALL CAPS."""
        r = self.rng
        trigger = r.random() < TRIGGER_SHARE
        if trigger:
            story = self.trigger_story()
            title, lead = story.text, self.trigger_lead(story)
        elif r.random() < 0.15:
            title, lead = self.negative()  # the hard ones: rumours, VC funds, results, opinion
        else:
            title, lead = self.everyday()
        casing = r.random()
        if casing < 0.10:
            title = title_case(title)
        elif casing < 0.14:
            title = title.upper()
        return FeedItem(title, lead if r.random() < BODY_SHARE else None, trigger)


def feed(n: int, seed: int = 42) -> list[FeedItem]:
    """`n` feed documents, the same for the same seed."""
    gen = FeedGenerator(seed)
    return [gen.item() for _ in range(n)]
