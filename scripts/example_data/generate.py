"""Write buysignal's bundled example data: the demo that `buysignal run` (no config) runs on.

Run it with `.venv/bin/python scripts/example_data/generate.py`. It is deterministic (fixed seed, no
clock, standard library only), so running it again rewrites the same bytes; commit what it writes.
Everything it writes is invented for the demo: companies, people, investors and links (example.com,
example.org and .example domains only). See pipelines/example/README.md for what each file holds and for
the effect planted in the opportunities for trigger discovery.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from news import FUNDING, ITEMS, PEOPLE, PRESS, NewsItem  # scripts/example_data/news.py, beside this file

SEED = 20261125
AS_OF = datetime(2026, 11, 25, tzinfo=UTC)
# The files are written into the package's example folder; this script is a development tool, not
# installed code.
HERE = Path(__file__).resolve().parents[2] / "pipelines" / "example"

# The planted effect (README.md): a closed opportunity whose close date falls within WINDOW_DAYS after a
# funding_round event of its account is won with FUNDED_WIN_RATE; every other closed one with BASE_WIN_RATE.
# Other trigger types deliberately change nothing, so discovery should rank funding_round alone.
WINDOW_DAYS = 90
FUNDED_WIN_RATE = 0.45
BASE_WIN_RATE = 0.12
HISTORY_SHARE = 0.40  # share of accounts with past TriggerEvents in history/events_history.jsonl

OWNERS = ["ana.ruiz", "ben.carter", "chloe.nguyen", "david.okoro", "emma.larsen", "farid.aziz"]


@dataclass
class Company:
    """A company of the demo world; `crm_name` None means it is not in the CRM (a new logo)."""

    news_name: str
    crm_name: str | None
    domain: str
    industry: str
    country: str
    alias: str = ""
    partner: bool = False
    account_id: str = ""
    account_type: str = ""
    owner: str = ""
    events: list[dict] = field(default_factory=list)


# news name, CRM name, domain, industry, country, alias (former name), partner
# fmt: off
NAMED_COMPANIES: list[tuple[str, str | None, str, str, str, str, bool]] = [
    ("Acme Robotics", "Acme Robotics, Inc.", "acmerobotics.example", "Industrial Automation", "United States", "", False),
    ("Acme Robotics Europe", "Acme Robotics Europe GmbH", "acmerobotics-europe.example", "Industrial Automation", "Germany", "", False),
    ("Northwind Analytics", "Northwind Analytics Ltd", "northwindanalytics.example", "Software", "United Kingdom", "", False),
    ("Northwind Logistics", "Northwind Logistics Inc", "northwindlogistics.example", "Logistics", "United States", "", False),
    ("Bluebird", "The Bluebird Company", "bluebird.example", "Consumer Goods", "United States", "", False),
    ("Bluebird Health Partners", "Bluebird Health Partners", "bluebirdhealth.example", "Healthcare", "United States", "", False),
    ("Verdant Grid", "Verdant Grid Inc", "verdantgrid.example", "Energy", "United States", "SolarNest", False),
    ("Lumora Health", "Lumora Health, Inc.", "lumorahealth.example", "Healthcare", "United States", "MedLight Systems", False),
    ("Quillfeather Learning", "Quillfeather Learning Pvt Ltd", "quillfeather.example", "Education", "India", "", False),
    ("Kestrel Pay", "Kestrel Payments Pte. Ltd.", "kestrelpay.example", "Financial Services", "Singapore", "", False),
    ("Brightwave Energy", "Brightwave Energy SAS", "brightwave-energy.example", "Energy", "France", "", False),
    ("Thistle & Oak", "Thistle and Oak Ltd", "thistleandoak.example", "Consumer Goods", "United Kingdom", "", False),
    ("Harvest Lending", "Harvest Lending Group LLC", "harvestlending.example", "Financial Services", "United States", "", False),
    ("Pinecrest Data", "Pinecrest Data Systems", "pinecrestdata.example", "Software", "United States", "", False),
    ("Polar Signal", "Polar Signal Inc.", "polarsignal.example", "Software", "United States", "", False),
    ("Sable Logistics", "Sable Logistics, LLC", "sablelogistics.example", "Logistics", "United States", "", False),
    ("Fernhill Bio", "Fernhill Biosciences Ltd", "fernhillbio.example", "Biotechnology", "United Kingdom", "", False),
    ("Cascade Biologics", "Cascade Biologics, Inc.", "cascadebiologics.example", "Biotechnology", "United States", "", False),
    ("Foxglove Health", "Foxglove Health Inc", "foxglovehealth.example", "Healthcare", "United States", "", False),
    ("Emberly", "Emberly GmbH", "emberly.example", "Energy", "Germany", "", False),
    ("Riverstone Insurance", "Riverstone Insurance Group", "riverstoneinsurance.example", "Insurance", "United States", "", False),
    ("Clearpath Claims", "Clearpath Claims Inc.", "clearpathclaims.example", "Insurance", "United States", "", False),
    ("Evergreen Dental Group", "Evergreen Dental Group", "evergreendental.example", "Healthcare", "United States", "", False),
    ("Halcyon Health", "Halcyon Health Holdings, Inc.", "halcyonhealth.example", "Healthcare", "United States", "", False),
    ("Halcyon Health Foundation", "Halcyon Health Foundation", "halcyonfoundation.example", "Non-Profit", "United States", "", False),
    ("Juniper Freight", "Juniper Freight Co.", "juniperfreight.example", "Logistics", "United States", "", False),
    ("Driftwood Games", "Driftwood Games Inc.", "driftwoodgames.example", "Media & Entertainment", "Canada", "", False),
    ("Vantage Point Software", "Vantage Point Software, Inc.", "vantagepoint.example", "Software", "United States", "", False),
    ("Nimbus Ledger", "Nimbus Ledger Inc", "nimbusledger.example", "Software", "United States", "", False),
    ("Copperline Networks", "Copperline Networks", "copperline.example", "Telecommunications", "United States", "", False),
    ("Mosaic Retail", "Mosaic Retail plc", "mosaicretail.example", "Retail", "United Kingdom", "", False),
    ("Lattice Street", "Lattice Street Software", "latticestreet.example", "Software", "United States", "", False),
    ("Orbital Labs", "Orbital Labs Inc.", "orbitallabs.example", "Aerospace", "United States", "", False),
    ("Orbital Labs Japan", "Orbital Labs Japan KK", "orbitallabs-japan.example", "Aerospace", "Japan", "", False),
    ("Saffron Labs", "Saffron Labs Ltd", "saffronlabs.example", "Software", "United Kingdom", "", False),
    ("Bramble Commerce", "Bramble Commerce Inc.", "bramblecommerce.example", "Software", "United States", "", False),
    ("Larkspur Learning", "Larkspur Learning", "larkspurlearning.example", "Education", "United States", "", False),
    ("Greyhawk Analytics", "Greyhawk Analytics LLC", "greyhawk.example", "Software", "United States", "", False),
    ("Sundial Health", "Sundial Health Inc.", "sundialhealth.example", "Healthcare", "United States", "", False),
    ("Meridian HR", "Meridian HR Software", "meridianhr.example", "Software", "United States", "", False),
    ("Meridian HR Consulting", "Meridian HR Consulting Ltd", "meridianconsulting.example", "Professional Services", "Ireland", "", False),
    ("Cobalt Ridge Security", "Cobalt Ridge Security Corp.", "cobaltridge.example", "Security", "United States", "", False),
    ("Tessellate AI", "Tessellate AI, Inc.", "tessellate.example", "Software", "United States", "", False),
    ("Wayfinder Maps", "Wayfinder Maps", "wayfindermaps.example", "Software", "United States", "", False),
    ("Cloudberry Commerce", "Cloudberry Commerce AB", "cloudberry.example", "Software", "Sweden", "", False),
    ("Ironbark Systems", "Ironbark Systems Pty Ltd", "ironbark.example", "Software", "Australia", "", False),
    ("Alderbrook Bank", "Alderbrook Bank", "alderbrookbank.example", "Financial Services", "Singapore", "", True),
    ("Quantum Harbor Computing", "Quantum Harbor Computing, Inc.", "quantumharbor.example", "Software", "United States", "", True),
    ("Papercrane", "Papercrane Software Ltd", "papercrane.example", "Software", "United Kingdom", "", False),
    ("Atlas Peak Logistics", "Atlas Peak Logistics", "atlaspeak.example", "Logistics", "United States", "", False),
    # in the news but not in the CRM: new logos
    ("Starling Forge", None, "starlingforge.example", "Manufacturing", "United States", "", False),
    ("Glasswing Security", None, "glasswing.example", "Security", "United States", "", False),
    ("Marigold Systems", None, "marigoldsystems.example", "Software", "United States", "", False),
    ("Zephyr Mobility", None, "zephyrmobility.example", "Transportation", "United States", "", False),
    ("Tundra Foods", None, "tundrafoods.example", "Food & Beverage", "United States", "", False),
    ("Smilecraft Partners", None, "smilecraft.example", "Healthcare", "United States", "", False),
    ("Keystone Identity", None, "keystoneidentity.example", "Security", "United States", "", False),
]
# fmt: on

# How a news item may name a CRM company other than by its usual news name.
NEWS_NAME_OF = {"Northwind": "Northwind Analytics", "Riverstone Insurance Group": "Riverstone Insurance",
                "SolarNest": "Verdant Grid"}  # fmt: skip

NAME_FIRST = ["Ash", "Birch", "Cedar", "Dune", "Elm", "Fen", "Glen", "Heath", "Iris", "Kiln", "Loch", "Moss",
              "Nettle", "Oak", "Pike", "Quarry", "Rook", "Slate", "Thorn", "Vale", "Wren", "Yarrow", "Amber",
              "Bracken", "Cinder", "Drift", "Ember", "Flint", "Gorse", "Hollow"]  # fmt: skip
NAME_SECOND = ["wick", "field", "stone", "mere", "ford", "gate", "brook", "crest", "haven", "worth", "vale",
               "mont", "by", "ton"]  # fmt: skip
SECTORS = [("Analytics", "Software"), ("Systems", "Software"), ("Labs", "Software"), ("Cloud", "Software"),
           ("Health", "Healthcare"), ("Logistics", "Logistics"), ("Freight", "Logistics"),
           ("Foods", "Food & Beverage"), ("Energy", "Energy"), ("Robotics", "Industrial Automation"),
           ("Payments", "Financial Services"), ("Security", "Security"), ("Media", "Media & Entertainment"),
           ("Learning", "Education"), ("Bio", "Biotechnology"), ("Networks", "Telecommunications"),
           ("Manufacturing", "Manufacturing"), ("Retail", "Retail"), ("Insurance", "Insurance")]  # fmt: skip
COUNTRIES = [("United States", 45, ["Inc.", "Inc", "LLC", "Corp.", ""]), ("United Kingdom", 12, ["Ltd", "Limited", "plc"]),
             ("Germany", 8, ["GmbH", "AG"]), ("France", 6, ["SAS", "SA"]), ("India", 7, ["Pvt Ltd", "Private Limited"]),
             ("Singapore", 4, ["Pte. Ltd."]), ("Australia", 5, ["Pty Ltd"]), ("Canada", 5, ["Inc.", "Ltd."]),
             ("Netherlands", 4, ["B.V."]), ("Sweden", 2, ["AB"]), ("Japan", 2, ["KK", "Co., Ltd."])]  # fmt: skip
CURRENCY_OF = {"Germany": "EUR", "France": "EUR", "Netherlands": "EUR", "Ireland": "EUR",
               "United Kingdom": "GBP", "India": "INR", "Singapore": "SGD", "Australia": "AUD"}  # fmt: skip
CITIES = ["Austin", "Toronto", "London", "Berlin", "Singapore", "Sydney", "Amsterdam", "Denver", "Dublin",
          "Bengaluru", "Paris", "Chicago", "Atlanta", "Stockholm", "Tokyo", "Mexico City", "Sao Paulo"]  # fmt: skip
VCS = ["Harbor Point Ventures", "Granite Bay Ventures", "Saltmarsh Capital", "Lantern Rock Partners",
       "Quietwater Capital", "Meadowlark Partners", "Bluefield Growth", "Kinfolk Ventures", "Eastgate Capital",
       "Tidewell Capital", "Copper Kettle Ventures", "Foundry Lane Capital", "Blackbirch Ventures",
       "Sandpiper Ventures"]  # fmt: skip
FIRST_NAMES = ["Adam", "Alicia", "Amir", "Anna", "Arjun", "Beatriz", "Bilal", "Carla", "Chen", "Chloe", "Daniel",
               "Deepa", "Diego", "Elif", "Emeka", "Erik", "Fatima", "Felix", "Gabriel", "Hana", "Helen", "Ivan",
               "Jack", "Jana", "Javier", "Jin", "Julia", "Kai", "Karim", "Laura", "Leon", "Lina", "Luis", "Maja",
               "Mark", "Maya", "Mohammed", "Nadia", "Nikhil", "Noah", "Nora", "Pablo", "Paula", "Peter", "Rosa",
               "Ruth", "Sara", "Sean", "Simone", "Sophie", "Stefan", "Tara", "Theo", "Tom", "Valentina", "Vikram",
               "Wei", "Zara", "Zoe", "Ines"]  # fmt: skip
LAST_NAMES = ["Abbott", "Acosta", "Ahmed", "Andersen", "Bauer", "Becker", "Brennan", "Castro", "Chandra", "Cohen",
              "Costa", "Dalton", "Das", "Delgado", "Dunn", "Eriksen", "Farouk", "Fischer", "Ford", "Garcia", "Gill",
              "Hale", "Hansen", "Hughes", "Iyer", "Jensen", "Kaur", "Keller", "Kim", "Kowalski", "Lambert", "Lee",
              "Lopez", "Mahler", "Malik", "Moreau", "Murphy", "Nakamura", "Novak", "Obi", "Olsen", "Park",
              "Pereira", "Quinn", "Reyes", "Rossi", "Schmidt", "Shah", "Silva", "Singh", "Stone", "Sullivan",
              "Torres", "Varga", "Wagner", "Walker", "Wong", "Young", "Zimmer", "Ibrahim"]  # fmt: skip
CONTACT_TITLES = ["VP Marketing", "Director of Marketing", "Marketing Manager", "Head of Demand Generation",
                  "Marketing Operations Manager", "Chief Marketing Officer", "VP Sales", "Sales Director",
                  "Head of Revenue Operations", "RevOps Manager", "Chief Revenue Officer", "CEO", "Founder & CEO",
                  "COO", "CFO", "Procurement Manager", "IT Director", "CTO", "Head of Growth",
                  "Product Marketing Manager", "Sales Operations Analyst", "Account Executive",
                  "Content Marketing Lead", "Office Manager"]  # fmt: skip
PRODUCTS = ["Platform", "Analytics Add-on", "Data Connectors", "Premium Support", "Enterprise Seats"]
OPEN_STAGES = ["Prospecting", "Qualification", "Needs Analysis", "Proposal/Price Quote", "Negotiation/Review"]

# CRM contacts who change jobs: first, last, title in the CRM, account (news name, or "#n" = n-th generic
# account), and the job-change row (new title, new company, previous company as written, date) or None.
# The same people appear in the executive-hire news items flagged champion=True in news.py.
# fmt: off
CHAMPIONS: list[tuple[str, str, str, str, tuple[str, str, str, str] | None]] = [
    ("Dana", "Whitfield", "VP Marketing", "Bluebird", ("Chief Marketing Officer", "Northwind Analytics", "Bluebird", "2026-11-20")),
    ("Lucas", "Meyer", "Head of Growth", "Cloudberry Commerce", ("VP Marketing", "Bramble Commerce", "Cloudberry Commerce AB", "2026-10-30")),
    ("Tomás", "Ortega", "Director of Marketing", "Lattice Street", None),
    ("Rachel", "Lindqvist", "Chief Marketing Officer", "Sundial Health", ("Chief Marketing Officer", "Foxglove Health", "Sundial Health", "2026-10-12")),
    ("Ingrid", "Halvorsen", "Director of Demand Generation", "Acme Robotics", ("Head of Demand Generation", "Polar Signal", "Acme Robotics", "2026-11-23")),
    ("Rahul", "Menon", "IT Director", "Quillfeather Learning", ("Chief Information Officer", "Starling Forge", "Quillfeather Learning", "2026-11-16")),
    ("Camille", "Laurent", "Marketing Manager", "Brightwave Energy", ("Head of Marketing", "Emberly", "Brightwave Energy", "2026-09-14")),
    ("Nathan", "Greene", "VP Sales", "Juniper Freight", ("VP Sales", "Sable Logistics", "Juniper Freight", "2026-11-21")),
    ("Mei Lin", "Tan", "Finance Director", "Kestrel Pay", ("Chief Financial Officer", "Tidepool Commerce", "Kestrel Payments", "2026-08-25")),
    ("Hiroshi", "Tanaka", "Procurement Manager", "Orbital Labs Japan", ("Head of Procurement", "Acme Robotics Europe GmbH", "Orbital Labs Japan KK", "2026-10-05")),
    ("Elena", "Petrova", "Senior Marketing Manager", "Papercrane", ("VP Marketing", "Papercrane", "Papercrane", "2026-11-02")),
    ("Aisha", "Bello", "RevOps Manager", "#0", ("Director of Revenue Operations", "Quayside Apps", "#0", "2026-11-10")),
    ("Sam", "Patel", "Engineering Manager", "#1", ("VP Engineering", "Glasswing Security", "#1", "2026-11-18")),
    ("Sam", "Patel", "Sales Director", "#2", None),  # same name at another account: an honest ambiguity
    ("Connor", "Walsh", "Head of Sales", "#3", ("Chief Revenue Officer", "#4", "#3", "2026-10-20")),
    ("Olivia", "Grant", "Demand Generation Manager", "#5", ("Head of Marketing", "#5", "#5", "2026-11-19")),
]
# People who are not CRM contacts: person, new title, new company, previous company, date.
OTHER_MOVES: list[tuple[str, str, str, str, str]] = [
    ("Omar Haddad", "Chief Revenue Officer", "Lattice Street", "Greyhawk Analytics", "2026-11-19"),
    ("Jordan Ellis", "VP Marketing", "Polar Signal", "Brightline Apps", "2026-11-23"),
    ("Kenji Watanabe", "Chief Technology Officer", "Orbital Labs", "Skyforge Imaging", "2026-11-09"),
    ("Grace Okafor", "Chief Financial Officer", "Nimbus Ledger", "Finchley Payments", "2026-11-15"),
    ("Putri Santoso", "Country Manager, Indonesia", "Kestrel Pay", "Bank Nusantara Digital", "2026-10-26"),
    ("Sofia Marchetti", "Head of Marketing", "Larkspur Learning", "Lingo Loop", "2026-10-20"),
    ("Marta Sokolova", "Senior Account Executive", "Quayside Apps", "Bright Harbor Media", "2026-11-12"),
    ("Lars Eklund", "Head of Partnerships", "#6", "Nordlys Software", "2026-09-28"),
    ("Priya Nair", "Chief Revenue Officer", "Cobalt Ridge Security", "Vantage Point Software", "2026-09-04"),
    ("Chiara Russo", "VP Customer Success", "Tidepool Commerce", "#7", "2026-08-17"),
    ("", "Head of Partnerships", "Cobalt Ridge Security", "Keystone Identity", "2026-11-05"),  # broken: no person
]
# fmt: on


def slug(text: str, limit: int = 64) -> str:
    """A URL slug: lowercase ASCII words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].rstrip("-")


def salesforce_id(prefix: str, rng: random.Random, seen: set[str]) -> str:
    """An 18-character Salesforce-style id: 15 case-sensitive characters plus the case checksum."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    while True:
        short = prefix + "Hs0000" + "".join(rng.choice(alphabet) for _ in range(6))
        if short not in seen:
            seen.add(short)
            break
    suffix = ""
    for chunk_start in (0, 5, 10):
        bits = sum(1 << i for i, ch in enumerate(short[chunk_start : chunk_start + 5]) if "A" <= ch <= "Z")
        suffix += "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[bits]
    return short + suffix


def money_text(amount: float, currency: str) -> str:
    """An amount as a news headline writes it ("$12M", "€8m", "Rs 40 crore", "S$3 million")."""
    if currency == "INR":
        return f"Rs {amount / 10_000_000:g} crore"
    millions = amount / 1_000_000
    if millions >= 1000:
        return f"${millions / 1000:g}bn" if currency == "USD" else f"{currency} {millions / 1000:g}bn"
    return {"USD": f"${millions:g}M", "EUR": f"€{millions:g}m", "GBP": f"£{millions:g}m",
            "SGD": f"S${millions:g} million", "AUD": f"A${millions:g}m"}[currency]  # fmt: skip


ROUND_WORDS = {"pre_seed": "pre-seed round", "seed": "seed round", "series_a": "Series A", "series_b": "Series B",
               "series_c": "Series C", "series_d": "Series D", "debt": "debt facility",
               "growth": "growth round"}  # fmt: skip
ROUND_SIZES = {"pre_seed": (0.5, 2), "seed": (1, 5), "series_a": (5, 20), "series_b": (15, 50),
               "series_c": (40, 120), "series_d": (80, 200), "debt": (10, 150), "growth": (50, 250)}  # fmt: skip


def build_companies(rng: random.Random) -> tuple[list[Company], list[Company]]:
    """The named companies of the news plus ~160 generated CRM accounts; returns (all, generic)."""
    companies = [Company(n, c, d, i, co, a, p) for n, c, d, i, co, a, p in NAMED_COMPANIES]
    names = sorted({f + s for f in NAME_FIRST for s in NAME_SECOND})
    rng.shuffle(names)
    generic: list[Company] = []
    weights = [w for _, w, _ in COUNTRIES]
    for word in names[:160]:
        sector, industry = rng.choice(SECTORS)
        country, _, forms = rng.choices(COUNTRIES, weights=weights)[0]
        form = rng.choice(forms)
        news_name = f"{word} {sector}"
        crm_name = f"{news_name} {form}".strip()
        if form in ("Inc.", "LLC", "Corp.") and rng.random() < 0.3:
            crm_name = f"{news_name}, {form}"
        generic.append(
            Company(news_name, crm_name, f"{word}{sector}".lower() + ".example", industry, country)
        )
    for c in generic[::14]:
        c.partner = True
    return companies + generic, generic


def resolve(ref: str, by_name: dict[str, Company], generic: list[Company]) -> Company | None:
    """A company by news name or by "#n" (n-th generic account); None for companies outside the demo world."""
    if ref.startswith("#"):
        return generic[int(ref[1:])]
    return by_name.get(NEWS_NAME_OF.get(ref, ref))


def company_ref(ref: str, generic: list[Company], crm_name: bool = False) -> str:
    """How a job-change row writes a company: "#n" becomes a generic account's (news or CRM) name."""
    if not ref.startswith("#"):
        return ref
    c = generic[int(ref[1:])]
    return (c.crm_name or c.news_name) if crm_name else c.news_name


# Background rounds the news items mention, so history and news agree (company, type, date, extra).
# fmt: off
FIXED_HISTORY: list[tuple[str, str, str, str, dict]] = [
    ("Acme Robotics", "Acme Robotics", "funding_round", "2024-05-14", {"round": "series_a", "amount": 8_000_000, "currency": "USD", "investors": ["Granite Bay Ventures"]}),
    ("Quillfeather Learning", "Quillfeather Learning", "funding_round", "2025-03-10", {"round": "series_a", "amount": 120_000_000, "currency": "INR", "investors": ["Kinfolk Ventures"]}),
    ("Halcyon Health", "Halcyon Health", "funding_round", "2025-06-02", {"round": "series_c", "amount": 75_000_000, "currency": "USD", "investors": ["Bluefield Growth"]}),
    ("Juniper Freight", "Juniper Freight", "funding_round", "2025-10-20", {"round": "series_b", "amount": 45_000_000, "currency": "USD", "investors": ["Tidewell Capital"]}),
    ("Foxglove Health", "Foxglove Health", "funding_round", "2025-04-08", {"round": "seed", "amount": 3_000_000, "currency": "USD", "investors": ["Wildflower Angels"]}),
    ("Brightwave Energy", "Brightwave Energy", "funding_round", "2025-02-17", {"round": "seed", "amount": 2_000_000, "currency": "EUR", "investors": ["Eastgate Capital"]}),
    ("Clearpath Claims", "Clearpath Claims", "funding_round", "2025-05-19", {"round": "series_a", "amount": 20_000_000, "currency": "USD", "investors": ["Saltmarsh Capital"]}),
    ("Sable Logistics", "Sable Logistics", "funding_round", "2024-02-06", {"round": "series_a", "amount": 17_000_000, "currency": "USD", "investors": ["Copper Kettle Ventures"]}),
    ("Sable Logistics", "Sable Logistics", "funding_round", "2025-01-15", {"round": "series_b", "amount": 35_000_000, "currency": "USD", "investors": ["Granite Bay Ventures"]}),
    ("Lumora Health", "MedLight Systems", "funding_round", "2024-03-12", {"round": "series_a", "amount": 15_000_000, "currency": "USD", "investors": ["Kinfolk Ventures"]}),
    ("Lumora Health", "MedLight Systems", "product_launch", "2024-09-03", {}),
    ("Verdant Grid", "SolarNest", "funding_round", "2024-07-22", {"round": "seed", "amount": 4_000_000, "currency": "USD", "investors": ["Quietwater Capital"]}),
    ("Polar Signal", "Polar Signal", "funding_round", "2025-08-11", {"round": "series_a", "amount": 10_000_000, "currency": "USD", "investors": ["Kinfolk Ventures"]}),
    ("Copperline Networks", "Copperline Networks", "funding_round", "2024-10-01", {"round": "series_c", "amount": 70_000_000, "currency": "USD", "investors": ["Bluefield Growth"]}),
    ("Tessellate AI", "Tessellate AI", "executive_hire", "2025-09-15", {"person": "Arjun Mehta", "title": "chief executive officer", "role": "ceo"}),
]
# fmt: on


def history_event(
    n: int, company: Company, name: str, kind: str, when: date, extra: dict, rng: random.Random
) -> dict:
    """One past TriggerEvent (CONTRACT.md shape) with a headline as evidence."""
    ev: dict = {"event_id": f"hist-{n:04d}", "document_id": f"hist-doc-{n:04d}", "type": kind,
                "company": name, "counterparty": None, "person": None, "title": None, "role": None,
                "round": None, "amount": None, "currency": None, "investors": [], "confidence": 0.9}  # fmt: skip
    if kind == "funding_round":
        if not extra:
            rnd = rng.choice(
                ["seed", "seed", "series_a", "series_a", "series_b", "series_c", "debt", "growth"]
            )
            currency = CURRENCY_OF.get(company.country, "USD")
            low, high = ROUND_SIZES[rnd]
            millions = round(rng.uniform(low, high), 1 if high < 10 else 0)
            amount = millions * 1_000_000 * (90 if currency == "INR" else 1)
            if currency == "INR":
                amount = round(amount / 10_000_000) * 10_000_000
            extra = {"round": rnd, "amount": int(amount), "currency": currency,
                     "investors": rng.sample(VCS, rng.randint(1, 3))}  # fmt: skip
        ev.update(extra)
        led = f" led by {ev['investors'][0]}" if ev["investors"] else ""
        evidence = f"{name} raises {money_text(ev['amount'], ev['currency'])} {ROUND_WORDS[ev['round']]}{led}"
    elif kind in ("executive_hire", "executive_departure"):
        if not extra:
            title, role = rng.choice([("chief marketing officer", "cmo"), ("VP Marketing", "vp_marketing"),
                                      ("chief revenue officer", "cro"), ("chief financial officer", "cfo"),
                                      ("chief technology officer", "cto"), ("VP Sales", "vp_sales"),
                                      ("head of marketing", "head_of_marketing")])  # fmt: skip
            extra = {
                "person": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                "title": title,
                "role": role,
            }
        ev.update(extra)
        if kind == "executive_hire":
            evidence = f"{name} appoints {ev['person']} as {ev['title']}"
        else:
            evidence = f"{name} {ev['title']} {ev['person']} steps down"
    elif kind == "expansion":
        evidence = f"{name} opens new office in {rng.choice(CITIES)}"
    elif kind == "product_launch":
        evidence = (
            f"{name} launches {rng.choice(['Insights', 'Flow', 'Pulse', 'Studio', 'Connect'])} "
            + rng.choice(
                [
                    "for mid-market teams",
                    "to cut onboarding time",
                    "with AI forecasting",
                    "for enterprise buyers",
                ]
            )
        )
    else:
        other = (
            f"{rng.choice(NAME_FIRST)}{rng.choice(NAME_SECOND)} {rng.choice(['Partners', 'Group', 'Works'])}"
        )
        ev["counterparty"] = other if kind in ("partnership", "acquisition") else None
        evidence = {"partnership": f"{name} partners with {other}",
                    "acquisition": f"{name} acquires {other}",
                    "layoffs": f"{name} lays off {rng.randint(2, 12) * 10} employees"}[kind]  # fmt: skip
    ev["evidence"] = evidence
    ev["published_at"] = f"{when.isoformat()}T{rng.randint(6, 20):02d}:{rng.choice([0, 15, 30, 45]):02d}:00Z"
    ev["url"] = f"https://news.example.com/archive/{when:%Y/%m}/{slug(evidence)}"
    ev["source"] = "news-archive"
    return ev


def build_history(rng: random.Random, crm: list[Company], by_name: dict[str, Company]) -> list[dict]:
    """Past TriggerEvents for about HISTORY_SHARE of the CRM accounts, 2024-01 .. 2026-07."""
    events: list[tuple[Company, str, str, date, dict]] = []
    for key, name, kind, day, extra in FIXED_HISTORY:
        events.append((by_name[key], name, kind, date.fromisoformat(day), extra))
    with_history = {id(by_name[k]) for k, *_ in FIXED_HISTORY}
    wanted = round(HISTORY_SHARE * len(crm)) - len(with_history)
    chosen = rng.sample([c for c in crm if id(c) not in with_history], wanted)
    kinds = ["funding_round", "executive_hire", "product_launch", "expansion", "partnership",
             "executive_departure", "acquisition", "layoffs"]  # fmt: skip
    start, span = date(2024, 1, 1), (date(2026, 7, 31) - date(2024, 1, 1)).days
    for c in chosen:
        for _ in range(1 + (rng.random() < 0.5) + (rng.random() < 0.2)):
            kind = rng.choices(kinds, weights=[35, 20, 12, 10, 10, 6, 4, 3])[0]
            events.append((c, c.news_name, kind, start + timedelta(days=rng.randint(0, span)), {}))
    events.sort(key=lambda e: (e[3], e[1], e[2]))
    out = []
    for n, (c, name, kind, when, extra) in enumerate(events, start=1):
        ev = history_event(n, c, name, kind, when, dict(extra), rng)
        c.events.append(ev)
        out.append(ev)
    return out


def in_window(close: date, starts: list[date]) -> bool:
    """Whether a close date falls within WINDOW_DAYS after any of the given event dates."""
    return any(s <= close <= s + timedelta(days=WINDOW_DAYS) for s in starts)


def build_opportunities(
    rng: random.Random, crm: list[Company], news_funding: dict[str, list[date]]
) -> list[dict]:
    """Opportunities 2024-01 .. 2026-11 with the planted funding effect (see module constants).

    Wins are dealt out exactly rather than drawn one by one, so the realised rates are the planted ones:
    closed deals are grouped by the trigger whose window they close in (funding first, then the first
    other type, else none), and each group gets round(rate * size) wins, funding at FUNDED_WIN_RATE and
    every other group at BASE_WIN_RATE. With a coin per deal, noise in the small groups could look like
    a second effect that isn't there.
    """
    rows: list[dict] = []
    first, last = date(2024, 1, 1), date(2026, 11, 20)
    for c in crm:
        funding = [
            date.fromisoformat(e["published_at"][:10]) for e in c.events if e["type"] == "funding_round"
        ]
        funding += news_funding.get(c.news_name, [])
        others = [(date.fromisoformat(e["published_at"][:10]), e["type"]) for e in c.events
                  if e["type"] != "funding_round"]  # fmt: skip
        closes: list[date] = []
        for _ in range(rng.choice([1, 2, 2, 3, 3, 4])):
            created = first + timedelta(days=rng.randint(0, (last - first).days))
            closes.append(created + timedelta(days=rng.randint(14, 150)))
        # Put some deals right after each past event, so every trigger type has enough closed deals in its
        # window for discovery to compare (two per event).
        for when in funding + [d for d, _ in others]:
            closes += [when + timedelta(days=rng.randint(5, WINDOW_DAYS - 2)) for _ in range(2)]
        for close in sorted(closes):
            created = max(first, close - timedelta(days=rng.randint(20, 120)))
            other_types = [t for d, t in others if in_window(close, [d])]
            stratum = (
                "funding_round" if in_window(close, funding) else (other_types[0] if other_types else "none")
            )
            kind = rng.choice(["New Business", "New Business", "Expansion", "Renewal"])
            rows.append({
                "AccountId": c.account_id, "Name": f"{c.news_name} - {rng.choice(PRODUCTS)} - {kind}",
                "StageName": rng.choice(OPEN_STAGES), "Amount": f"{rng.randint(10, 500) * 500:.2f}",
                "CreatedDate": f"{created.isoformat()}T{rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}:"
                               f"{rng.randint(0, 59):02d}.000Z",
                "CloseDate": close.isoformat(), "IsWon": "false",
                "IsClosed": "true" if close < AS_OF.date() else "false", "OwnerId": c.owner,
                "_stratum": stratum,
            })  # fmt: skip
    rows.sort(key=lambda r: (r["CreatedDate"], r["AccountId"]))
    strata: dict[str, list[dict]] = {}
    for r in rows:
        if r["IsClosed"] == "true":
            strata.setdefault(r["_stratum"], []).append(r)
    for name in sorted(strata):
        group = strata[name]
        rate = FUNDED_WIN_RATE if name == "funding_round" else BASE_WIN_RATE
        winners = rng.sample(range(len(group)), round(rate * len(group)))
        for i, r in enumerate(group):
            won = i in winners
            r["IsWon"] = "true" if won else "false"
            r["StageName"] = "Closed Won" if won else "Closed Lost"
    seen: set[str] = set()
    for r in rows:
        r["Id"] = salesforce_id("006", rng, seen)
    return rows


def account_type(c: Company, opps: list[dict], rng: random.Random) -> str:
    """Customer / Former Customer / Prospect from the account's won deals (Partner is fixed)."""
    if c.partner:
        return "Partner"
    won = sorted(r["CloseDate"] for r in opps if r["IsWon"] == "true")
    if not won:
        return "Prospect"
    if won[-1] < "2025-06-01" and rng.random() < 0.6:
        return "Former Customer"
    return "Customer"


def email_for(first: str, last: str, domain: str, style: int) -> str:
    """A work email in one of the usual patterns, ASCII-folded."""
    f, l_ = slug(first).replace("-", ""), slug(last).replace("-", "")
    return [f"{f}.{l_}@{domain}", f"{f[0]}{l_}@{domain}", f"{f}@{domain}"][style]


def write_csv(path: Path, header: list[str], rows: list[dict]) -> None:
    """A CSV export: header row, all values quoted where needed, CRLF line ends like Salesforce's."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header, extrasaction="ignore", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


def published(item: NewsItem, rng: random.Random) -> datetime:
    """When a news item was published: days_ago before the as-of date, at a working hour."""
    return (
        AS_OF
        - timedelta(days=item.days_ago)
        + timedelta(hours=rng.randint(6, 20), minutes=rng.randint(0, 59))
    )


def write_rss(path: Path, entries: list[tuple[NewsItem, str, str, datetime]]) -> None:
    """The funding-news feed as RSS 2.0 (every third description is HTML, as many feeds send it)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">',
             "<channel>", "  <title>The Funding Wire</title>", "  <link>https://news.example.com/</link>",
             "  <description>Startup funding, M&amp;A, IPO and layoff news</description>",
             "  <language>en-us</language>",
             f"  <lastBuildDate>{format_datetime(AS_OF - timedelta(hours=2))}</lastBuildDate>",
             '  <atom:link href="https://news.example.com/feeds/funding.xml" rel="self" type="application/rss+xml"/>']  # fmt: skip
    for n, (item, guid, link, when) in enumerate(entries):
        text = f"<p>{item.text}</p>" if n % 3 == 2 else item.text
        category = "Funding" if item.types == ("funding_round",) else "News"
        lines += ["  <item>", f"    <title>{escape(item.title)}</title>", f"    <link>{escape(link)}</link>",
                  f'    <guid isPermaLink="false">{escape(guid)}</guid>',
                  f"    <pubDate>{format_datetime(when)}</pubDate>", f"    <category>{category}</category>",
                  f"    <description>{escape(text)}</description>", "  </item>"]  # fmt: skip
    lines += ["</channel>", "</rss>", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def write_atom(path: Path, entries: list[tuple[NewsItem, str, str, datetime]]) -> None:
    """The people-moves feed as Atom 1.0."""
    updated = max(when for *_, when in entries).isoformat().replace("+00:00", "Z")
    lines = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
             "  <title>People Moves Weekly</title>", "  <subtitle>Who joined, who left: executive moves in B2B tech</subtitle>",
             '  <link rel="alternate" type="text/html" href="https://people.example.org/"/>',
             '  <link rel="self" type="application/atom+xml" href="https://people.example.org/feed.atom"/>',
             "  <id>tag:people.example.org,2026:feed</id>", f"  <updated>{updated}</updated>",
             "  <author><name>People Moves desk</name></author>"]  # fmt: skip
    for item, guid, link, when in entries:
        stamp = when.isoformat().replace("+00:00", "Z")
        lines += ["  <entry>", f"    <id>{escape(guid)}</id>", f'    <title type="text">{escape(item.title)}</title>',
                  f'    <link rel="alternate" type="text/html" href={quoteattr(link)}/>',
                  f"    <published>{stamp}</published>", f"    <updated>{stamp}</updated>",
                  f'    <summary type="text">{escape(item.text)}</summary>', "  </entry>"]  # fmt: skip
    lines += ["</feed>", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def write_json_feed(path: Path, entries: list[tuple[NewsItem, str, str, datetime]]) -> None:
    """The press-releases feed as JSON Feed 1.1."""
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "PR Newsline",
        "home_page_url": "https://press.example.org/",
        "feed_url": "https://press.example.org/feed.json",
        "description": "Company press releases: financings, launches, partnerships and appointments",
        "language": "en-US",
        "authors": [{"name": "PR Newsline"}],
        "items": [
            {
                "id": guid,
                "url": link,
                "title": item.title,
                "content_text": item.text,
                "date_published": when.isoformat().replace("+00:00", "Z"),
                "tags": ["press release"],
            }  # fmt: skip
            for item, guid, link, when in entries
        ],
    }
    path.write_text(json.dumps(feed, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


BROKEN_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
  <title>Robotics Daily</title>
  <link>https://robotics.example.org/</link>
  <description>News about robots and the companies that build them</description>
  <item>
    <title>Acme Robotics raises $25M Series B</title>
    <link>https://robotics.example.org/2026/11/23/acme-robotics-series-b</link>
    <guid isPermaLink="false">robotics-daily-7731</guid>
    <pubDate>Mon, 23 Nov 2026 09:12:00 +0000</pubDate>
    <description>Acme Robotics has raised $25M in a Series B led by Harbor Point Ven"""


def build_feeds(
    rng: random.Random, by_name: dict[str, Company], out: Path
) -> tuple[list[dict], dict[str, list[date]]]:
    """Write the four feed files; return the ground truth rows and the news funding dates per company."""
    feeds = out / "feeds"
    feeds.mkdir(parents=True, exist_ok=True)
    hosts = {FUNDING: "https://news.example.com", PEOPLE: "https://people.example.org",
             PRESS: "https://press.example.org/releases"}  # fmt: skip
    per_feed: dict[str, list[tuple[NewsItem, str, str, datetime]]] = {FUNDING: [], PEOPLE: [], PRESS: []}
    counters: Counter[str] = Counter()
    for item in ITEMS:
        counters[item.feed] += 1
        n = counters[item.feed]
        when = published(item, rng)
        guid = {FUNDING: f"funding-news-{n:03d}", PEOPLE: f"tag:people.example.org,2026:move-{n:03d}",
                PRESS: f"pr-2026-{n:03d}"}[item.feed]  # fmt: skip
        link = f"{hosts[item.feed]}/{when:%Y/%m/%d}/{slug(item.title)}"
        per_feed[item.feed].append((item, guid, link, when))
    truth: list[dict] = []
    news_funding: dict[str, list[date]] = {}
    for feed_name in (FUNDING, PEOPLE, PRESS):
        entries = sorted(per_feed[feed_name], key=lambda e: e[3], reverse=True)  # newest first, as feeds are
        per_feed[feed_name] = entries
        for item, guid, _link, when in sorted(per_feed[feed_name], key=lambda e: e[1]):
            company = resolve(item.company, by_name, []) if item.company else None
            row = {"guid": guid, "feed": feed_name, "types": list(item.types), "company": item.company,
                   "expected_account_id": company.account_id or None if company else None,
                   "event": item.event, "published_at": when.isoformat().replace("+00:00", "Z"),
                   "title": item.title}  # fmt: skip
            row.update({k: v for k, v in item.truth.items() if k != "champion"})
            truth.append(row)
            if "funding_round" in item.types and company:
                news_funding.setdefault(company.news_name, []).append(when.date())
    write_rss(feeds / "funding-news.xml", per_feed[FUNDING])
    write_atom(feeds / "people-moves.atom", per_feed[PEOPLE])
    write_json_feed(feeds / "press-releases.json", per_feed[PRESS])
    (feeds / "broken-feed.xml").write_text(BROKEN_FEED, encoding="utf-8")
    return truth, news_funding


def write_all(out: Path) -> list[str]:
    """Write every example file under `out`; return the summary lines (counts, realised rates)."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    companies, generic = build_companies(rng)
    by_name = {c.news_name: c for c in companies}
    crm = [c for c in companies if c.crm_name]
    rng.shuffle(crm)
    seen: set[str] = set()
    for c in crm:
        c.account_id = salesforce_id("001", rng, seen)
        c.owner = rng.choice(OWNERS)

    history = build_history(rng, crm, by_name)
    truth, news_funding = build_feeds(random.Random(SEED + 1), by_name, out)
    opps = build_opportunities(rng, crm, news_funding)
    opps_by_account: dict[str, list[dict]] = {}
    for r in opps:
        opps_by_account.setdefault(r["AccountId"], []).append(r)
    for c in crm:
        c.account_type = account_type(c, opps_by_account.get(c.account_id, []), rng)

    # accounts.csv
    def website(domain: str) -> str:
        return rng.choice([f"https://www.{domain}", f"www.{domain}", domain, f"http://{domain}/"])

    account_rows = [{"Id": c.account_id, "Name": c.crm_name, "Website": website(c.domain), "Industry": c.industry,
                     "Type": c.account_type, "BillingCountry": c.country, "OwnerId": c.owner, "Alias": c.alias}
                    for c in crm]  # fmt: skip
    # A row an admin half-filled by hand: no Id, so the CRM source must report it as a dead letter.
    account_rows.insert(117, {"Id": "", "Name": "Lakeshore Ceramics Ltd", "Website": "lakeshoreceramics.example",
                              "Industry": "Manufacturing", "Type": "Prospect", "BillingCountry": "Canada",
                              "OwnerId": "ben.carter", "Alias": ""})  # fmt: skip
    write_csv(out / "crm" / "accounts.csv",
              ["Id", "Name", "Website", "Industry", "Type", "BillingCountry", "OwnerId", "Alias"], account_rows)  # fmt: skip

    # contacts.csv: the champions first at their fixed accounts, then 1-3 generated contacts per account
    contact_seen: set[str] = set()
    used_names = {(f, l_) for f, l_, *_ in CHAMPIONS}
    contacts: list[dict] = []

    def add_contact(first: str, last: str, title: str, c: Company) -> None:
        contacts.append({"Id": salesforce_id("003", rng, contact_seen), "FirstName": first, "LastName": last,
                         "Email": email_for(first, last, c.domain, rng.choice([0, 0, 0, 1, 2])), "Title": title,
                         "AccountId": c.account_id, "Account Name": c.crm_name, "OwnerId": c.owner})  # fmt: skip

    for first, last, title, ref, _move in CHAMPIONS:
        target = resolve(ref, by_name, generic)
        assert target is not None and target.crm_name, ref
        add_contact(first, last, title, target)
    for c in crm:
        for _ in range(rng.choice([1, 2, 2, 2, 3])):
            while True:
                name = (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
                if name not in used_names:
                    used_names.add(name)
                    break
            add_contact(name[0], name[1], rng.choice(CONTACT_TITLES), c)
    rng.shuffle(contacts)
    write_csv(out / "crm" / "contacts.csv",
              ["Id", "FirstName", "LastName", "Email", "Title", "AccountId", "Account Name", "OwnerId"], contacts)  # fmt: skip

    write_csv(out / "crm" / "opportunities.csv",
              ["Id", "AccountId", "Name", "StageName", "Amount", "CreatedDate", "CloseDate", "IsWon", "IsClosed",
               "OwnerId"], opps)  # fmt: skip

    # history/events_history.jsonl
    (out / "history").mkdir(exist_ok=True)
    with (out / "history" / "events_history.jsonl").open("w", encoding="utf-8") as f:
        for ev in history:
            f.write(json.dumps(ev, ensure_ascii=False) + "\n")

    # jobchanges/job-changes.csv
    moves: list[dict] = []
    for first, last, _title, _ref, move in CHAMPIONS:
        if move:
            new_title, new_company, previous, when = move
            moves.append({"person": f"{first} {last}", "new_title": new_title,
                          "new_company": company_ref(new_company, generic, crm_name=True),
                          "previous_company": company_ref(previous, generic), "date": when})  # fmt: skip
    for person, new_title, new_company, previous, when in OTHER_MOVES:
        moves.append({"person": person, "new_title": new_title, "new_company": company_ref(new_company, generic),
                      "previous_company": company_ref(previous, generic), "date": when})  # fmt: skip
    moves.sort(key=lambda m: (m["date"], m["person"]), reverse=True)
    for m in moves:
        m["url"] = (
            f"https://people.example.org/moves/{m['date'].replace('-', '/')}/{slug(m['person'] or 'unknown')}"
        )
    write_csv(out / "jobchanges" / "job-changes.csv",
              ["person", "new_title", "new_company", "previous_company", "date", "url"], moves)  # fmt: skip

    with (out / "expected_types.jsonl").open("w", encoding="utf-8") as f:
        for row in truth:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")

    return report(crm, contacts, opps, history, truth, moves)


def report(crm: list[Company], contacts: list[dict], opps: list[dict], history: list[dict], truth: list[dict],
           moves: list[dict]) -> list[str]:  # fmt: skip
    """The counts and the realised planted effect, as lines (the README quotes these)."""
    closed = [r for r in opps if r["IsClosed"] == "true"]

    def rate(rows: list[dict]) -> str:
        won = sum(r["IsWon"] == "true" for r in rows)
        return f"{won}/{len(rows)} = {won / len(rows):.1%}" if rows else "n/a"

    lines = [
        f"accounts: {len(crm)} (+1 broken row); contacts: {len(contacts)}; opportunities: {len(opps)} "
        f"({len(closed)} closed); history events: {len(history)}; job changes: {len(moves)} rows (1 with no person)",
        f"history types: {dict(Counter(e['type'] for e in history).most_common())}",
        f"closed deals by the trigger whose {WINDOW_DAYS}-day window they close in, and their win rate:",
    ]
    for name in sorted({r["_stratum"] for r in closed}):
        lines.append(f"  {name:20s} {rate([r for r in closed if r['_stratum'] == name])}")
    lines.append(f"  {'(all closed)':20s} {rate(closed)}")
    triggers = [t for t in truth if t["types"]]
    lines.append(
        f"news items: {len(truth)} ({len(triggers)} triggers, {len(truth) - len(triggers)} non-triggers)"
    )
    for days in (7, 30, 90):
        recent = [
            t for t in truth if AS_OF - datetime.fromisoformat(t["published_at"]) <= timedelta(days=days)
        ]
        lines.append(
            f"  in the last {days} days: {len(recent)} ({sum(bool(t['types']) for t in recent)} triggers)"
        )
    lines.append(f"  by type: {dict(Counter(k for t in truth for k in t['types']).most_common())}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Rewrite the example files here, or with --check only say whether the committed ones are current."""
    parser = argparse.ArgumentParser(prog="python scripts/example_data/generate.py", description=__doc__)
    parser.add_argument("--check", action="store_true",
                        help="write to a temporary folder and exit 1 if any file here differs")  # fmt: skip
    args = parser.parse_args(argv)
    if not args.check:
        print("\n".join(write_all(HERE)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        write_all(Path(tmp))
        stale = [str(p.relative_to(tmp)) for p in sorted(Path(tmp).rglob("*")) if p.is_file()
                 and (not (HERE / p.relative_to(tmp)).is_file()
                      or (HERE / p.relative_to(tmp)).read_bytes() != p.read_bytes())]  # fmt: skip
    if stale:
        print(
            "example data out of date, rerun `python scripts/example_data/generate.py`: " + ", ".join(stale)
        )
        return 1
    print("example data is current")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
