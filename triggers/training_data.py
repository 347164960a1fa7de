"""The project's own training data: synthetic news headlines with labels, generated deterministically.

Every template and vocabulary here was written for buysignal (invented company, investor and person names;
generic headline shapes of business news). Nothing is copied from any dev or test set. The same seed gives
the same sentences, so `python -m triggers.train` rebuilds the same model.

    python -m triggers.training_data --n 20 --seed 1     # print a sample
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import asdict, dataclass, field
from typing import Any

from schemas import NEWS_EVENT_TYPES

_PREFIXES = [
    "Nova",
    "Zen",
    "Kora",
    "Bright",
    "Quant",
    "Lumi",
    "Tera",
    "Veri",
    "Pay",
    "Shop",
    "Fin",
    "Med",
    "Agri",
    "Edu",
    "Cloud",
    "Data",
    "Hyper",
    "Omni",
    "Pixel",
    "Stack",
    "Swift",
    "Blue",
    "Red",
    "Green",
    "Clear",
    "Snap",
    "Flow",
    "Loop",
    "Spark",
    "Aero",
    "Bolt",
    "Cora",
    "Delta",
    "Echo",
    "Flux",
    "Hexa",
    "Iris",
    "Juno",
    "Kite",
    "Lyra",
    "Mira",
    "Nimbus",
    "Orbi",
    "Pulse",
    "Quill",
    "Rook",
    "Sola",
    "Tala",
    "Umbra",
    "Vela",
    "Wren",
    "Xeno",
    "Yara",
    "Zeta",
    "Arc",
    "Bloom",
    "Crest",
    "Dune",
    "Ember",
    "Fable",
    "Grove",
    "Halo",
    "Ion",
    "Jade",
    "Koda",
    "Lark",
    "Moss",
    "Nexa",
]
_SUFFIXES = [
    "ly",
    "ify",
    "io",
    "hub",
    "base",
    "works",
    "labs",
    "wise",
    "stack",
    "mint",
    "pay",
    "go",
    "loop",
    "nest",
    "grid",
    "path",
    "scale",
    "byte",
    "cart",
    "dash",
    "ware",
    "field",
    "point",
    "gate",
    "line",
    "sense",
    "trip",
    "desk",
    "door",
    "book",
]
_SECOND = [
    "Technologies",
    "Labs",
    "Health",
    "AI",
    "Robotics",
    "Systems",
    "Inc",
    "Group",
    "Pay",
    "Bio",
    "Energy",
    "Logistics",
    "Foods",
    "Motors",
    "Analytics",
    "Security",
    "Networks",
    "Media",
]
_VC_WORDS = ["Ventures", "Capital", "Partners", "Investments", "Ventures", "Capital"]
_FIRST = [
    "Aisha",
    "Ben",
    "Carla",
    "Deepak",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kavya",
    "Liam",
    "Maya",
    "Nikhil",
    "Olga",
    "Pedro",
    "Qing",
    "Rania",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zara",
    "Arjun",
    "Bianca",
    "Chen",
    "Dmitri",
    "Emeka",
    "Fatima",
    "Gustavo",
    "Hana",
    "Ivan",
    "Julia",
    "Kofi",
    "Lucia",
    "Mateo",
    "Noor",
    "Omar",
    "Priya",
    "Rafael",
    "Sofia",
    "Tomas",
    "Uma",
    "Victor",
    "Wanjiru",
    "Yuki",
]
_LAST = [
    "Okafor",
    "Lindqvist",
    "Tanaka",
    "Mehta",
    "Rossi",
    "Novak",
    "Haddad",
    "Kim",
    "Santos",
    "Fischer",
    "Nguyen",
    "Adeyemi",
    "Costa",
    "Ivanova",
    "Moreau",
    "Sato",
    "Kapoor",
    "Bauer",
    "Herrera",
    "Larsen",
    "Wong",
    "Petrov",
    "Mensah",
    "Silva",
    "Takahashi",
    "Reyes",
    "Jensen",
    "Dubois",
    "Chandra",
    "Akhtar",
    "Varga",
    "Muller",
    "Ortiz",
    "Yilmaz",
    "Park",
    "Osei",
    "Romero",
    "Fernandes",
    "Kowalski",
]
_DESCRIPTORS = [
    "fintech startup",
    "AI startup",
    "e-commerce platform",
    "healthtech firm",
    "logistics company",
    "edtech startup",
    "SaaS provider",
    "proptech startup",
    "insurtech company",
    "robotics maker",
    "payments firm",
    "agritech startup",
    "cybersecurity company",
    "online marketplace",
    "mobility startup",
    "food delivery app",
    "B2B software maker",
    "biotech company",
    "neobank",
    "data analytics firm",
    "climate tech startup",
    "HR tech platform",
]
_LOCAL = [
    "Singapore's",
    "Indonesian",
    "Indian",
    "Berlin-based",
    "London-based",
    "Nigerian",
    "Vietnamese",
    "Malaysia-based",
    "Brazilian",
    "French",
    "Kenyan",
    "Japanese",
    "Australian",
    "US-based",
    "Toronto-based",
    "Dubai-based",
    "Korean",
    "Mexican",
    "Philippine",
    "Thai",
]
_PLACES = [
    "Singapore",
    "Indonesia",
    "Vietnam",
    "the Philippines",
    "Thailand",
    "Malaysia",
    "India",
    "Japan",
    "South Korea",
    "Australia",
    "the US",
    "the UK",
    "Germany",
    "France",
    "Brazil",
    "Mexico",
    "Southeast Asia",
    "Europe",
    "Latin America",
    "the Middle East",
    "Africa",
    "Kenya",
    "Nigeria",
    "Canada",
    "Spain",
    "Poland",
    "Taiwan",
    "Hong Kong",
    "Dubai",
    "Jakarta",
    "Bangkok",
    "London",
    "Berlin",
    "Tokyo",
    "Sydney",
    "Toronto",
    "Mumbai",
    "Bengaluru",
    "Manila",
    "Ho Chi Minh City",
]
_TITLES = [
    ("CEO", "ceo"),
    ("chief executive officer", "ceo"),
    ("CFO", "cfo"),
    ("chief financial officer", "cfo"),
    ("COO", "coo"),
    ("chief operating officer", "coo"),
    ("CTO", "cto"),
    ("chief technology officer", "cto"),
    ("CIO", "cio"),
    ("chief information officer", "cio"),
    ("CISO", "ciso"),
    ("chief information security officer", "ciso"),
    ("CMO", "cmo"),
    ("chief marketing officer", "cmo"),
    ("chief revenue officer", "cro"),
    ("CRO", "cro"),
    ("chief product officer", "cpo"),
    ("CPO", "cpo"),
    ("chief people officer", "chro"),
    ("CHRO", "chro"),
    ("president", "president"),
    ("chairman", "chair"),
    ("board chair", "chair"),
    ("VP of marketing", "vp_marketing"),
    ("vice president of sales", "vp_sales"),
    ("VP of engineering", "vp_engineering"),
    ("head of marketing", "head_of_marketing"),
    ("head of sales", "head_of_sales"),
    ("country manager", "country_manager"),
    ("managing director", "other_exec"),
    ("general counsel", "other_exec"),
    ("chief scientist", "other_exec"),
]
_PRODUCTS = [
    "a payments app for small merchants",
    "an AI assistant for accountants",
    "its first electric scooter",
    "a buy-now-pay-later service",
    "a no-code analytics tool",
    "a telehealth app",
    "a crypto wallet for retail users",
    "a fleet tracking platform",
    "a new API for developers",
    "a grocery delivery service",
    "an open-source database",
    "a fraud detection engine",
    "a learning app for kids",
    "a smart thermostat",
    "a digital bank account for freelancers",
    "a developer platform",
    "a chatbot builder",
    "a subscription service for pet food",
]
_PURPOSES = [
    "expand into {place}",
    "grow its engineering team",
    "scale its platform",
    "build out its AI tools",
    "hire more engineers",
    "fuel regional growth",
    "enter new markets",
    "develop new products",
    "strengthen its balance sheet",
    "double its headcount",
]
_ROUNDS = [
    ("seed", "seed"),
    ("pre-seed", "pre_seed"),
    ("Series A", "series_a"),
    ("Series B", "series_b"),
    ("Series C", "series_c"),
    ("Series D", "series_d"),
    ("Series E", "series_e_plus"),
    ("Series F", "series_e_plus"),
    ("pre-Series A", "pre_series_a"),
    ("bridge", "bridge"),
    ("debt", "debt"),
    ("growth", "growth"),
]
_EXCHANGES = [
    "Nasdaq",
    "the NYSE",
    "the Singapore Exchange",
    "the London Stock Exchange",
    "the ASX",
    "the Indonesia Stock Exchange",
    "the Tokyo Stock Exchange",
    "Euronext",
    "the BSE",
    "HKEX",
]


@dataclass
class Example:
    """One labelled sentence: the types it reports and the fields of its first event."""

    text: str
    types: list[str] = field(default_factory=list)
    company: str | None = None
    counterparty: str | None = None
    person: str | None = None
    title: str | None = None
    role: str | None = None
    round: str | None = None
    amount: float | None = None
    currency: str | None = None


class HeadlineGenerator:
    """Deterministic generator of labelled synthetic headlines (positives, negatives, casing variants)."""

    def __init__(self, seed: int = 0, shapes: str = "all") -> None:
        """`shapes` = "even" / "odd" restricts every type to half of its headline shapes, so a classifier
        trained on one half can be calibrated on the other (shapes it has never seen, like real text)."""
        if shapes not in {"all", "even", "odd"}:
            raise ValueError(f"training_data: shapes must be all, even or odd, not {shapes!r}")
        self.rng = random.Random(seed)
        self.shapes = shapes

    def pick(self, shapes: list[Any]) -> Any:
        """One headline shape, from the half this generator is restricted to."""
        if self.shapes == "even":
            shapes = shapes[0::2]
        elif self.shapes == "odd":
            shapes = shapes[1::2] or shapes
        return self.rng.choice(shapes)

    # --- vocabularies --------------------------------------------------------------------------------
    def company(self) -> str:
        r = self.rng
        name = r.choice(_PREFIXES) + r.choice(_SUFFIXES)
        roll = r.random()
        if roll < 0.25:
            name = f"{name} {r.choice(_SECOND)}"
        elif roll < 0.32:
            name = name.lower()
        elif roll < 0.38:
            name = f"{r.choice(_PREFIXES)}{r.choice(_PREFIXES)}"
        return name

    def investor(self) -> str:
        r = self.rng
        return (
            f"{r.choice(_PREFIXES)}{r.choice(['', 'wood', 'stone', 'peak', 'bridge'])} {r.choice(_VC_WORDS)}"
        )

    def person(self) -> str:
        return f"{self.rng.choice(_FIRST)} {self.rng.choice(_LAST)}"

    def place(self) -> str:
        return self.rng.choice(_PLACES)

    def desc(self) -> str:
        r = self.rng
        roll = r.random()
        if roll < 0.3:
            return ""
        if roll < 0.55:
            return r.choice(_DESCRIPTORS) + " "
        if roll < 0.75:
            return f"{r.choice(_LOCAL)} {r.choice(_DESCRIPTORS)} "
        return r.choice(_LOCAL) + " "

    def amount(self) -> tuple[str, float, str | None]:
        """A written amount with its value and ISO currency."""
        r = self.rng
        forms = [
            ("${v}M", 1e6, "USD"),
            ("${v} million", 1e6, "USD"),
            ("US${v}M", 1e6, "USD"),
            ("US${v} million", 1e6, "USD"),
            ("${v}K", 1e3, "USD"),
            ("${v}B", 1e9, "USD"),
            ("${v} billion", 1e9, "USD"),
            ("€{v}m", 1e6, "EUR"),
            ("€{v} million", 1e6, "EUR"),
            ("£{v}m", 1e6, "GBP"),
            ("£{v} million", 1e6, "GBP"),
            ("S${v} million", 1e6, "SGD"),
            ("RM{v} million", 1e6, "MYR"),
            ("Rs {v} crore", 1e7, "INR"),
            ("INR {v} crore", 1e7, "INR"),
            ("¥{v} billion", 1e9, "JPY"),
            ("{v}bn", 1e9, None),
            ("USD {v} million", 1e6, "USD"),
        ]
        fmt, mult, cur = r.choice(forms)
        base = r.choice([1, 2, 3, 4.5, 5, 7.5, 8, 10, 12, 15, 20, 25, 30, 40, 50, 65, 80, 100, 120, 250])
        if mult >= 1e9 and base > 10:
            base = r.choice([1, 1.2, 2, 3.5])
        if mult == 1e3:
            base = r.choice([150, 200, 500, 750, 900])
        value = round(base * mult, 2)
        return fmt.replace("{v}", f"{base:g}"), value, cur

    def round_(self) -> tuple[str, str]:
        return self.rng.choice(_ROUNDS)

    def title(self) -> tuple[str, str]:
        return self.rng.choice(_TITLES)

    # --- positives -----------------------------------------------------------------------------------
    def funding(self) -> Example:
        r = self.rng
        co, d = self.company(), self.desc()
        amt, value, cur = self.amount()
        rnd_text, rnd = self.round_()
        inv1, inv2, inv3 = self.investor(), self.investor(), self.investor()
        purpose = r.choice(_PURPOSES).format(place=self.place())
        shapes = [
            (f"{d}{co} raises {amt} {rnd_text} round", True, True, None),
            (f"{d}{co} raises {amt} {rnd_text} funding led by {inv1}", True, True, inv1),
            (f"{d}{co} secures {amt} in {rnd_text} funding from {inv1} and {inv2}", True, True, inv1),
            (f"{d}{co} bags {amt} to {purpose}", True, False, None),
            (
                f"{co} closes {amt} {rnd_text} round led by {inv1}, with participation from {inv2} and {inv3}",
                True,
                True,
                inv1,
            ),
            (f"{co} lands {rnd_text} funding from {inv1}", False, True, inv1),
            (f"{d}{co} nabs {amt} {rnd_text} to {purpose}", True, True, None),
            (f"{co} picks up {amt} in {rnd_text} funding", True, True, None),
            (f"{co} announces {amt} {rnd_text} funding round", True, True, None),
            (f"{d}{co} gets {amt} investment from {inv1}", True, False, inv1),
            (f"{co} raises {amt} to {purpose}", True, False, None),
            (f"{d}{co} raises fresh funding from {inv1}", False, False, inv1),
            (f"{co} completes {amt} {rnd_text} round", True, True, None),
            (f"{co} snags {amt} from {inv1} to {purpose}", True, False, inv1),
        ]
        text, with_amt, with_round, lead = self.pick(shapes)
        ex = Example(
            text, ["funding_round"], company=co, counterparty=lead, round=rnd if with_round else "undisclosed"
        )
        if with_amt:
            ex.amount, ex.currency = value, cur
        if r.random() < 0.12:
            # Invested-into shape: the investor is the grammatical subject.
            text = r.choice(
                [f"{inv1} leads {amt} {rnd_text} round in {d}{co}", f"{inv1} invests {amt} in {d}{co}"]
            )
            ex = Example(
                text,
                ["funding_round"],
                company=co,
                counterparty=inv1,
                round=rnd if "round" in text else "undisclosed",
                amount=value,
                currency=cur,
            )
        return ex

    def acquisition(self) -> Example:
        r = self.rng
        co, target, d = self.company(), self.company(), self.desc()
        amt, value, cur = self.amount()
        shapes = [
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
        text = self.pick(shapes)
        if r.random() < 0.15:
            text = f"{target} acquired by {co}"
        return Example(text, ["acquisition"], company=co, counterparty=target)

    def ipo(self) -> Example:
        r = self.rng
        co, ex_ = self.company(), r.choice(_EXCHANGES)
        amt, _, _ = self.amount()
        shapes = [
            f"{co} files for IPO",
            f"{co} files to go public on {ex_}",
            f"{co} prices IPO at $18 a share",
            f"{co} makes stock market debut on {ex_}",
            f"{co} lists on {ex_}",
            f"{co} debuts on {ex_}",
            f"{co} files for {amt} IPO",
            f"{co} goes public on {ex_}",
        ]
        return Example(self.pick(shapes), ["ipo"], company=co)

    def hire(self) -> Example:
        co, p, d = self.company(), self.person(), self.desc()
        t, role = self.title()
        shapes = [
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
        return Example(self.pick(shapes), ["executive_hire"], company=co, person=p, title=t, role=role)

    def departure(self) -> Example:
        co, p = self.company(), self.person()
        t, role = self.title()
        shapes = [
            f"{co} {t} {p} steps down",
            f"{p} steps down as {t} of {co}",
            f"{co}'s {t} {p} resigns",
            f"{co} {t} {p} to leave the company",
            f"{co} {t} {p} resigns after three years",
            f"{co} fires {t} {p}",
            f"{co} {t} {p} retires",
        ]
        return Example(self.pick(shapes), ["executive_departure"], company=co, person=p, title=t, role=role)

    def layoffs(self) -> Example:
        r = self.rng
        co, d = self.company(), self.desc()
        n = r.choice([40, 75, 120, 300, 1200, 4000])
        shapes = [
            f"{d}{co} lays off {n} employees",
            f"{co} cuts {n} jobs",
            f"{co} to cut 10% of its workforce",
            f"{co} shuts down operations in {self.place()}",
            f"{co} announces layoffs amid slowdown",
            f"{d}{co} slashes {n} jobs",
            f"{co} is laying off {n} staff",
            f"{d}{co} shuts down",
        ]
        return Example(self.pick(shapes), ["layoffs"], company=co)

    def expansion(self) -> Example:
        co, d, pl = self.company(), self.desc(), self.place()
        shapes = [
            f"{d}{co} expands to {pl}",
            f"{co} enters {pl} market",
            f"{d}{co} launches in {pl}",
            f"{co} opens new office in {pl}",
            f"{co} opens R&D centre in {pl}",
            f"{co} sets up regional headquarters in {pl}",
            f"{co} forays into {pl}",
            f"{co} expands into {pl} with local team",
        ]
        return Example(self.pick(shapes), ["expansion"], company=co)

    def launch(self) -> Example:
        r = self.rng
        co, d, pr = self.company(), self.desc(), r.choice(_PRODUCTS)
        shapes = [
            f"{d}{co} launches {pr}",
            f"{co} unveils {pr}",
            f"{co} rolls out {pr}",
            f"{co} introduces {pr}",
            f"{co} releases {pr}",
            f"{d}{co} debuts {pr}",
        ]
        return Example(self.pick(shapes), ["product_launch"], company=co)

    def partnership(self) -> Example:
        r = self.rng
        co, other, d = self.company(), self.company(), self.desc()
        shapes = [
            f"{d}{co} partners with {other} to {r.choice(_PURPOSES).format(place=self.place())}",
            f"{co} teams up with {d}{other}",
            f"{co} inks partnership with {other}",
            f"{co} signs MoU with {other}",
            f"{co} collaborates with {other} on payments",
            f"{co} ties up with {other} for last-mile delivery",
            f"{co} and {other} partner on data sharing",
        ]
        text = self.pick(shapes)
        # A partnership "to expand into X" also reports the market entry.
        types = (
            ["partnership", "expansion"]
            if ("expand into" in text or "enter new" in text)
            else ["partnership"]
        )
        return Example(text, types, company=co, counterparty=other)

    def multi(self) -> Example:
        r = self.rng
        co = self.company()
        amt, value, cur = self.amount()
        rnd_text, rnd = self.round_()
        if r.random() < 0.5:
            return Example(
                f"{co} raises {amt} {rnd_text} round, expands to {self.place()}",
                ["funding_round", "expansion"],
                company=co,
                round=rnd,
                amount=value,
                currency=cur,
            )
        other = self.company()
        return Example(
            f"{co} acquires {other}, launches {r.choice(_PRODUCTS)}",
            ["acquisition", "product_launch"],
            company=co,
            counterparty=other,
        )

    # --- negatives -----------------------------------------------------------------------------------
    def negative(self) -> Example:
        r = self.rng
        co, other, p, vc = self.company(), self.company(), self.person(), self.investor()
        amt, _, _ = self.amount()
        t, _ = self.title()
        n = r.choice([5, 7, 10, 12, 15, 20])
        shapes = [
            f"{co} in talks to raise {amt}",
            f"{co} reportedly in talks to acquire {other}",
            f"{co} plans to raise {amt} next year",
            f"{co} is considering an IPO",
            f"{co} said to be weighing a sale to {other}",
            f"{vc} launches {amt} fund for early-stage startups",
            f"{vc} closes {amt} third fund",
            f"{vc} raises {amt} for new fund",
            f"{co} has raised {amt} to date",
            f"{co} now valued at {amt} after secondary share sale",
            f"{co} reports {amt} in quarterly revenue",
            f"{co} posts {amt} annual loss",
            f"{n} startups to watch in 2026",
            f"How {co} built a profitable business without VC money",
            f"Why {p} thinks {r.choice(_PLACES)} is the next startup hub",
            f"Opinion: the {r.choice(_DESCRIPTORS)} bubble is about to burst",
            f"Interview: {p}, {t} of {co}, on building a remote team",
            f"Join us at the {co} Summit: early-bird tickets on sale now",
            f"{co} raises prices for premium users",
            f"{co} raises concerns over new data rules",
            f"{n} things founders get wrong about fundraising",
            f"{co} {t} {p} on the future of payments",
            f"{r.choice(_PLACES)} startup funding hits {amt} in first half",
            f"{co} could be acquired by {other}, sources say",
            f"{co} eyes IPO in 2027",
            f"{co} mulls layoffs as sales slow",
            f"What {co}'s rise means for {r.choice(_DESCRIPTORS)}s",
            f"{co} wins award for best workplace",
            f"Podcast: {p} on raising a seed round",
            f"{co} denies report it will cut jobs",
            f"{co} shares jump after strong earnings",
            f"Regulators probe {co} over data practices",
            f"{co} sued by former employees",
            # A hedge after the cue: an unconfirmed report, not an announcement.
            f"{co} raises {amt} from {vc}, sources say",
            f"{co} to acquire {other} for {amt}, according to sources",
            f"{co} hires {p} as {t}, reports say",
            f"{co} could cut {n}% of staff, reports say",
        ]
        return Example(self.pick(shapes), [])

    def unnamed(self) -> Example:
        """An event whose company the headline does not name ("Fintech startup raises $5M")."""
        r = self.rng
        local = r.choice([w for w in _LOCAL if not w.endswith(("'s", "’s"))])
        who = f"{local} {r.choice(_DESCRIPTORS)}"
        amt, value, cur = self.amount()
        rnd_text, rnd = self.round_()
        n = r.choice([40, 75, 120, 300])
        shapes = [
            (f"{who} raises {amt} {rnd_text} round", "funding_round"),
            (f"{who} lays off {n} employees", "layoffs"),
            (f"{who} expands to {self.place()}", "expansion"),
            (f"{who} launches {r.choice(_PRODUCTS)}", "product_launch"),
        ]
        text, type_ = self.pick(shapes)
        ex = Example(text, [type_])
        if type_ == "funding_round":
            ex.round, ex.amount, ex.currency = rnd, value, cur
        return ex

    # --- casing ----------------------------------------------------------------------------------------
    @staticmethod
    def title_case(text: str) -> str:
        small = {"a", "an", "the", "of", "in", "on", "at", "to", "for", "and", "by", "with", "as", "from"}
        words = text.split(" ")
        out = []
        for i, w in enumerate(words):
            if i > 0 and w in small:
                out.append(w)
            elif w[:1].islower():
                out.append(w[:1].upper() + w[1:])
            else:
                out.append(w)
        return " ".join(out)

    def example(self) -> Example:
        """One example: 58% single-type positives, 8% multi-type, 2% unnamed subject, 32% negatives; 15% Title Case, 8% CAPS."""
        r = self.rng
        roll = r.random()
        if roll < 0.32:
            ex = self.negative()
        elif roll < 0.40:
            ex = self.multi()
        elif roll < 0.42:
            ex = self.unnamed()
        else:
            maker = r.choice(
                [
                    self.funding,
                    self.funding,
                    self.funding,
                    self.acquisition,
                    self.ipo,
                    self.hire,
                    self.hire,
                    self.departure,
                    self.layoffs,
                    self.expansion,
                    self.launch,
                    self.partnership,
                ]
            )
            ex = maker()
        casing = r.random()
        if casing < 0.15:
            ex.text = self.title_case(ex.text)
        elif casing < 0.23:
            ex.text = ex.text.upper()
            for f in ("company", "counterparty", "person", "title"):
                v = getattr(ex, f)
                if v:
                    setattr(ex, f, v.upper())
        return ex

    def examples(self, n: int) -> list[Example]:
        """`n` examples in a fixed order for this seed."""
        return [self.example() for _ in range(n)]


def cats_for(ex: Example) -> dict[str, float]:
    """The textcat target: 1.0 for each type the example reports, 0.0 for the others."""
    return {t: 1.0 if t in ex.types else 0.0 for t in NEWS_EVENT_TYPES}


def main(argv: list[str] | None = None) -> int:
    """Print a sample of the generated data as JSON Lines."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    for ex in HeadlineGenerator(args.seed).examples(args.n):
        print(json.dumps(asdict(ex), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
