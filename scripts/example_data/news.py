"""The example news items: what the three demo feeds say, and what each item is meant to announce.

Written for buysignal's demo (invented companies, people and investors; example.com/.org links).
`generate.py` turns these into an RSS 2.0 feed, an Atom 1.0 feed and a JSON Feed 1.1 file, and
writes the ground truth (`expected_types.jsonl`) so a run on the demo can be sanity-checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FUNDING = "funding-news"  # RSS 2.0: startup and deal news
PEOPLE = "people-moves"  # Atom 1.0: executive moves
PRESS = "press-releases"  # JSON Feed 1.1: company press releases


@dataclass(frozen=True)
class NewsItem:
    """One feed entry and the trigger(s) it is meant to carry (empty types = not a trigger)."""

    feed: str
    days_ago: int  # before the demo's as-of date, 2026-11-25
    event: str  # same key = the same real-world event reported by two outlets (dedup)
    types: tuple[str, ...]
    company: str | None  # the subject company as written; None for items about no company
    title: str
    text: str
    truth: dict[str, Any] = field(default_factory=dict)


def _n(
    feed: str,
    days: int,
    event: str,
    types: str,
    company: str | None,
    headline: str,
    body: str,
    /,
    **truth: Any,
) -> NewsItem:
    """A NewsItem; `types` is comma-separated, `truth` holds the expected event fields (person, round...)."""
    kinds = tuple(t for t in types.split(",") if t)
    return NewsItem(feed, days, event, kinds, company, headline, body, truth)


# fmt: off
ITEMS: list[NewsItem] = [
    # ---------------------------------------------------------------- funding-news (RSS 2.0)
    _n(FUNDING, 2, "acme-series-b", "funding_round", "Acme Robotics",
       "Acme Robotics raises $25M Series B to scale warehouse picking robots",
       "Acme Robotics, the Pittsburgh-based maker of autonomous picking arms, has raised $25M in a Series B "
       "round led by Harbor Point Ventures with participation from Granite Bay Ventures and Saltmarsh "
       "Capital. The company raised an $8M Series A in 2024.",
       round="series_b", amount=25_000_000, currency="USD",
       investors=["Harbor Point Ventures", "Granite Bay Ventures", "Saltmarsh Capital"]),
    _n(FUNDING, 4, "pinecrest-seed", "funding_round", "Pinecrest Data",
       "Pinecrest Data lands US$5.3 million seed round for data-quality monitoring",
       "Pinecrest Data has closed a US$5.3 million seed round led by Lantern Rock Partners, with "
       "participation from Wildflower Angels. The Denver startup will use the money to grow its "
       "go-to-market team.",
       round="seed", amount=5_300_000, currency="USD",
       investors=["Lantern Rock Partners", "Wildflower Angels"]),
    _n(FUNDING, 5, "brightwave-series-a", "funding_round", "Brightwave Energy",
       "Brightwave Energy secures €10m Series A for grid-scale battery software",
       "Lyon-based Brightwave Energy has secured €10m in Series A funding led by Rhone Valley Partners with "
       "participation from Eastgate Capital and Tidewell Capital. The round follows a €2m seed in 2025.",
       round="series_a", amount=10_000_000, currency="EUR",
       investors=["Rhone Valley Partners", "Eastgate Capital", "Tidewell Capital"]),
    _n(FUNDING, 3, "polar-series-b", "funding_round", "Polar Signal",
       "Polar Signal raises $32M Series B for observability pipelines",
       "Observability startup Polar Signal has raised $32M in a Series B led by Quietwater Capital, with "
       "participation from Harbor Point Ventures and Kinfolk Ventures.",
       round="series_b", amount=32_000_000, currency="USD",
       investors=["Quietwater Capital", "Harbor Point Ventures", "Kinfolk Ventures"]),
    _n(FUNDING, 9, "thistle-seed", "funding_round", "Thistle & Oak",
       "Thistle & Oak bags £3.5m seed to take its plant-based skincare line national",
       "Edinburgh's Thistle & Oak has raised £3.5m in a seed round led by Meadowlark Partners. The brand "
       "sells through 300 independent pharmacies and plans to hire 20 people next year.",
       round="seed", amount=3_500_000, currency="GBP", investors=["Meadowlark Partners"]),
    _n(FUNDING, 12, "quillfeather-series-b", "funding_round", "Quillfeather Learning",
       "Edtech startup Quillfeather Learning raises Rs 50 crore in Series B led by Monsoon Ventures",
       "Bengaluru-based Quillfeather Learning has raised Rs 50 crore in a Series B round led by Monsoon "
       "Ventures, with participation from existing investors Kinfolk Ventures and Blackbirch Ventures. The "
       "company had raised Rs 12 crore in a Series A in 2025.",
       round="series_b", amount=500_000_000, currency="INR",
       investors=["Monsoon Ventures", "Kinfolk Ventures", "Blackbirch Ventures"]),
    _n(FUNDING, 15, "kestrel-seed", "funding_round", "Kestrel Pay",
       "Singapore's Kestrel Pay raises S$2 million seed round for cross-border B2B payments",
       "Kestrel Pay has raised S$2 million in seed funding led by Lion Gate Capital with participation "
       "from Sandpiper Ventures and angel investors.",
       round="seed", amount=2_000_000, currency="SGD", investors=["Lion Gate Capital", "Sandpiper Ventures"]),
    _n(FUNDING, 21, "harvest-debt", "funding_round", "Harvest Lending",
       "Harvest Lending secures $1.2bn debt facility to expand small-business loan book",
       "Harvest Lending has secured a $1.2bn debt facility led by Eastgate Capital. The Chicago lender "
       "says the financing will fund loans to 40,000 small businesses over three years.",
       round="debt", amount=1_200_000_000, currency="USD", investors=["Eastgate Capital"]),
    _n(FUNDING, 26, "sable-series-c", "funding_round", "Sable Logistics",
       "Sable Logistics closes $60M Series C as freight visibility demand grows",
       "Sable Logistics has closed a $60M Series C led by Bluefield Growth with participation from Granite "
       "Bay Ventures and Copper Kettle Ventures, bringing its total funding to $112M.",
       round="series_c", amount=60_000_000, currency="USD",
       investors=["Bluefield Growth", "Granite Bay Ventures", "Copper Kettle Ventures"]),
    _n(FUNDING, 33, "fernhill-series-b", "funding_round", "Fernhill Bio",
       "Fernhill Bio raises £22m Series B to take its gut-health therapy into trials",
       "Cambridge-based Fernhill Bio has raised £22m in a Series B round led by Meadowlark Partners, with "
       "participation from Foundry Lane Capital.",
       round="series_b", amount=22_000_000, currency="GBP",
       investors=["Meadowlark Partners", "Foundry Lane Capital"]),
    _n(FUNDING, 40, "cascade-series-d", "funding_round", "Cascade Biologics",
       "Cascade Biologics raises $140M Series D to advance antibody pipeline",
       "Cascade Biologics has raised $140M in a Series D financing led by Foundry Lane Capital with "
       "participation from Bluefield Growth and Tidewell Capital. The Seattle company will start two "
       "phase 2 trials next year.",
       round="series_d", amount=140_000_000, currency="USD",
       investors=["Foundry Lane Capital", "Bluefield Growth", "Tidewell Capital"]),
    _n(FUNDING, 55, "starling-series-a", "funding_round", "Starling Forge",
       "Starling Forge raises $18M Series A for AI-assisted metal fabrication",
       "Starling Forge, which builds software for job shops, has raised $18M in a Series A led by Granite "
       "Bay Ventures.",
       round="series_a", amount=18_000_000, currency="USD", investors=["Granite Bay Ventures"]),
    _n(FUNDING, 63, "glasswing-series-b", "funding_round", "Glasswing Security",
       "Glasswing Security nabs $40 million Series B for browser isolation",
       "Glasswing Security has raised $40 million in Series B funding led by Saltmarsh Capital with "
       "participation from Lantern Rock Partners and Harbor Point Ventures.",
       round="series_b", amount=40_000_000, currency="USD",
       investors=["Saltmarsh Capital", "Lantern Rock Partners", "Harbor Point Ventures"]),
    _n(FUNDING, 72, "marigold-pre-seed", "funding_round", "Marigold Systems",
       "Marigold Systems raises $1.5M pre-seed to automate supplier onboarding",
       "Marigold Systems has raised a $1.5M pre-seed round led by Wildflower Angels.",
       round="pre_seed", amount=1_500_000, currency="USD", investors=["Wildflower Angels"]),
    _n(FUNDING, 95, "foxglove-series-a", "funding_round", "Foxglove Health",
       "Foxglove Health raises $12M Series A for at-home physiotherapy",
       "Foxglove Health has raised $12M in a Series A round led by Kinfolk Ventures. The Boston startup "
       "raised a $3M seed round last year.",
       round="series_a", amount=12_000_000, currency="USD", investors=["Kinfolk Ventures"]),
    _n(FUNDING, 104, "emberly-seed", "funding_round", "Emberly",
       "Berlin's Emberly raises €2.4m seed for smart heat-pump controls",
       "Emberly has raised €2.4m in seed funding led by Eastgate Capital with participation from "
       "Blackbirch Ventures.",
       round="seed", amount=2_400_000, currency="EUR", investors=["Eastgate Capital", "Blackbirch Ventures"]),
    _n(FUNDING, 18, "riverstone-clearpath", "acquisition", "Riverstone Insurance",
       "Riverstone Insurance to acquire claims-automation startup Clearpath Claims for $85M",
       "Riverstone Insurance has agreed to acquire Clearpath Claims in a cash deal valued at $85M. "
       "Clearpath, which raised a $20M Series A in 2025, will keep its brand.",
       counterparty="Clearpath Claims"),
    _n(FUNDING, 85, "smilecraft-evergreen", "acquisition", "Smilecraft Partners",
       "Smilecraft Partners acquires Evergreen Dental Group, adding 14 clinics",
       "Dental services group Smilecraft Partners has acquired Evergreen Dental Group, adding 14 clinics in "
       "Ohio and Michigan. Terms were not disclosed.",
       counterparty="Evergreen Dental Group"),
    _n(FUNDING, 10, "halcyon-ipo", "ipo", "Halcyon Health",
       "Halcyon Health files for IPO as virtual clinic demand climbs",
       "Halcyon Health has filed a registration statement for a proposed initial public offering of its "
       "common stock. The company last raised a $75M Series C in 2025."),
    _n(FUNDING, 112, "zephyr-ipo", "ipo", "Zephyr Mobility",
       "Zephyr Mobility prices IPO at $18 a share, raising $210 million",
       "E-bike fleet operator Zephyr Mobility priced its initial public offering at $18 a share, raising "
       "$210 million. Its shares begin trading on Thursday."),
    _n(FUNDING, 6, "juniper-layoffs", "layoffs", "Juniper Freight",
       "Juniper Freight lays off 120 employees, about 15% of staff",
       "Juniper Freight is laying off 120 people, about 15% of its workforce, as freight volumes soften. "
       "The cuts come a year after its $45M Series B."),
    _n(FUNDING, 47, "driftwood-layoffs", "layoffs", "Driftwood Games",
       "Driftwood Games cuts 40 jobs and closes its Montreal studio",
       "Driftwood Games is cutting 40 jobs and closing its Montreal studio to focus on two live titles."),
    # non-triggers
    _n(FUNDING, 8, "vantage-talks", "", "Vantage Point Software",
       "Vantage Point Software in talks to raise at $800M valuation, sources say",
       "Vantage Point Software is in talks to raise new funding at a valuation of about $800M, according "
       "to people familiar with the matter. No deal has been signed."),
    _n(FUNDING, 11, "harbor-point-fund", "", "Harbor Point Ventures",
       "Harbor Point Ventures closes $250M third fund for early-stage B2B software",
       "Harbor Point Ventures has closed its third fund at $250M. The firm will write first checks of $2M "
       "to $8M."),
    _n(FUNDING, 2, "quietwater-fund", "", "Quietwater Capital",
       "Quietwater Capital closes €90m seed fund focused on climate software",
       "Quietwater Capital has held the final close of a €90m seed fund that will back climate software "
       "founders across Europe."),
    _n(FUNDING, 16, "nimbus-ipo-rumour", "", "Nimbus Ledger",
       "Nimbus Ledger weighing IPO as early as next year, people familiar say",
       "Accounting software maker Nimbus Ledger is weighing a listing as early as next year, people "
       "familiar with its plans said. The company declined to comment."),
    _n(FUNDING, 27, "copperline-total", "", "Copperline Networks",
       "Copperline Networks has now raised $140M. Here's how it spent it",
       "Over four rounds since 2019, Copperline Networks has raised $140M in total. We look at where the "
       "money went and what the company plans next."),
    _n(FUNDING, 38, "q3-report", "", None,
       "Q3 venture report: seed deals fell 12% while AI rounds grew",
       "Seed-stage deal counts fell 12% quarter over quarter, while rounds for AI infrastructure grew, "
       "according to our quarterly venture report."),
    _n(FUNDING, 50, "mosaic-earnings", "", "Mosaic Retail",
       "Mosaic Retail reports third-quarter earnings; revenue up 8% on online growth",
       "Mosaic Retail reported third-quarter revenue of £410m, up 8% from a year earlier, helped by online "
       "sales. The retailer kept its full-year outlook."),
    _n(FUNDING, 66, "opinion-series-b", "", None,
       "Opinion: The Series A crunch is over. The Series B crunch is just starting",
       "Founders who raised big Series A rounds in 2024 now face a tougher bar for their next round. Here "
       "is what investors want to see."),
    _n(FUNDING, 74, "lantern-interview", "", "Lantern Rock Partners",
       "Ask a VC: how Lantern Rock Partners evaluates seed-stage data startups",
       "We asked a partner at Lantern Rock Partners what makes a seed-stage data startup investable in "
       "2026."),
    _n(FUNDING, 99, "logistics-list", "", None,
       "The 12 hottest logistics startups to watch",
       "From Sable Logistics to Juniper Freight, these are the logistics startups our readers should keep "
       "an eye on this year."),
    # ---------------------------------------------------------------- people-moves (Atom 1.0)
    _n(PEOPLE, 3, "northwind-cmo", "executive_hire", "Northwind Analytics",
       "Northwind Analytics appoints Dana Whitfield as chief marketing officer",
       "Northwind Analytics has appointed Dana Whitfield as chief marketing officer. Whitfield joins from "
       "Bluebird, where she was VP Marketing for six years.",
       person="Dana Whitfield", title="chief marketing officer", role="cmo", champion=True),
    _n(PEOPLE, 5, "lattice-cro", "executive_hire", "Lattice Street",
       "Lattice Street names Omar Haddad chief revenue officer",
       "Sales-planning software company Lattice Street has named Omar Haddad chief revenue officer. Haddad "
       "was previously head of sales at Greyhawk Analytics.",
       person="Omar Haddad", title="chief revenue officer", role="cro"),
    _n(PEOPLE, 1, "polar-vpm", "executive_hire", "Polar Signal",
       "Polar Signal hires Jordan Ellis as VP Marketing after Series B",
       "Polar Signal has hired Jordan Ellis as VP Marketing, days after closing its Series B. Ellis will "
       "build out the company's demand generation team.",
       person="Jordan Ellis", title="VP Marketing", role="vp_marketing"),
    _n(PEOPLE, 9, "nimbus-cfo", "executive_hire", "Nimbus Ledger",
       "Nimbus Ledger hires Grace Okafor as CFO",
       "Nimbus Ledger has hired Grace Okafor as chief financial officer. Okafor was previously VP Finance "
       "at a payments company.",
       person="Grace Okafor", title="chief financial officer", role="cfo"),
    _n(PEOPLE, 14, "orbital-cto", "executive_hire", "Orbital Labs",
       "Orbital Labs taps Kenji Watanabe as CTO",
       "Satellite-imagery startup Orbital Labs has appointed Kenji Watanabe as chief technology officer.",
       person="Kenji Watanabe", title="chief technology officer", role="cto"),
    _n(PEOPLE, 19, "saffron-india", "executive_hire", "Saffron Labs",
       "Saffron Labs appoints Ananya Rao as country manager for India",
       "Saffron Labs has appointed Ananya Rao as country manager for India. Rao will lead sales and "
       "partnerships from Mumbai.",
       person="Ananya Rao", title="country manager for India", role="country_manager"),
    _n(PEOPLE, 23, "bramble-vpm", "executive_hire", "Bramble Commerce",
       "Bramble Commerce hires Lucas Meyer as VP Marketing",
       "Bramble Commerce has hired Lucas Meyer as VP Marketing. Meyer joins from Cloudberry Commerce, where "
       "he was head of growth.",
       person="Lucas Meyer", title="VP Marketing", role="vp_marketing", champion=True),
    _n(PEOPLE, 28, "kestrel-indonesia", "executive_hire,expansion", "Kestrel Pay",
       "Kestrel Pay names Putri Santoso country manager for Indonesia as it enters the market",
       "Kestrel Pay has named Putri Santoso country manager for Indonesia as the company launches there. "
       "Santoso was previously at a regional bank.",
       person="Putri Santoso", title="country manager for Indonesia", role="country_manager"),
    _n(PEOPLE, 35, "larkspur-hom", "executive_hire", "Larkspur Learning",
       "Larkspur Learning names Sofia Marchetti head of marketing",
       "Larkspur Learning has named Sofia Marchetti head of marketing. She previously ran marketing at a "
       "language-learning app.",
       person="Sofia Marchetti", title="head of marketing", role="head_of_marketing"),
    _n(PEOPLE, 44, "greyhawk-cto-out", "executive_departure", "Greyhawk Analytics",
       "Greyhawk Analytics CTO Ben Adeyemi steps down",
       "Greyhawk Analytics chief technology officer Ben Adeyemi is stepping down at the end of the month. "
       "The company has begun a search for his successor.",
       person="Ben Adeyemi", title="chief technology officer", role="cto"),
    _n(PEOPLE, 52, "acme-dach", "executive_hire", "Acme Robotics",
       "Acme Robotics appoints Klaus Berger as general manager for DACH",
       "Acme Robotics has appointed Klaus Berger as general manager for Germany, Austria and Switzerland. "
       "Berger will be based in Munich.",
       person="Klaus Berger", title="general manager for DACH", role="country_manager"),
    _n(PEOPLE, 58, "sundial-cmo-out", "executive_departure", "Sundial Health",
       "Sundial Health CMO Rachel Lindqvist departs",
       "Sundial Health chief marketing officer Rachel Lindqvist has left the company after four years. "
       "Marketing will report to the CEO while the company looks for a replacement.",
       person="Rachel Lindqvist", title="chief marketing officer", role="cmo", champion=True),
    _n(PEOPLE, 61, "meridian-cmo", "executive_hire", "Meridian HR",
       "Meridian HR appoints Tomás Ortega as CMO",
       "Meridian HR has appointed Tomás Ortega as chief marketing officer. Ortega joins from Lattice Street, "
       "where he was director of marketing.",
       person="Tomás Ortega", title="CMO", role="cmo", champion=True),
    _n(PEOPLE, 80, "cobalt-cro", "executive_hire", "Cobalt Ridge Security",
       "Cobalt Ridge Security hires Priya Nair as chief revenue officer",
       "Cobalt Ridge Security has hired Priya Nair as chief revenue officer to lead its enterprise sales "
       "push.",
       person="Priya Nair", title="chief revenue officer", role="cro"),
    _n(PEOPLE, 93, "tessellate-ceo", "executive_hire", "Tessellate AI",
       "Tessellate AI names Hannah Brooks chief executive",
       "Tessellate AI has named Hannah Brooks chief executive officer. Co-founder Arjun Mehta becomes "
       "executive chairman.",
       person="Hannah Brooks", title="chief executive officer", role="ceo"),
    _n(PEOPLE, 108, "wayfinder-cfo-out", "executive_departure", "Wayfinder Maps",
       "Wayfinder Maps CFO Marcus Bell leaves",
       "Wayfinder Maps chief financial officer Marcus Bell has left the company. A spokesperson said an "
       "interim CFO has been appointed.",
       person="Marcus Bell", title="chief financial officer", role="cfo"),
    # non-triggers
    _n(PEOPLE, 4, "cmo-questions", "", None,
       "Five questions every new CMO should ask in their first 90 days",
       "New chief marketing officers have little time to prove themselves. These five questions help them "
       "focus."),
    _n(PEOPLE, 6, "revops-summit", "", None,
       "RevOps Summit London announces 2027 speaker lineup",
       "RevOps Summit London returns in March 2027 with 40 speakers. Early-bird tickets are on sale until "
       "December 15."),
    _n(PEOPLE, 13, "leaders-to-watch", "", None,
       "Marketing leaders to watch in 2027: our annual list",
       "Our annual list of marketing leaders to watch features 25 people building brands at B2B companies."),
    _n(PEOPLE, 31, "cro-webinar", "", None,
       "Webinar: how revenue teams onboard a new CRO",
       "Join us on December 3 for a webinar on how revenue teams can help a new chief revenue officer "
       "ramp up."),
    _n(PEOPLE, 40, "equity-advice", "", None,
       "Career advice: how to negotiate equity when joining a Series B startup",
       "Executives weighing an offer from a growth-stage startup should ask about the cap table, the "
       "preference stack and the vesting schedule."),
    _n(PEOPLE, 68, "okafor-podcast", "", None,
       "Podcast: Grace Okafor on building finance teams that scale",
       "In this episode, finance leader Grace Okafor talks about hiring, forecasting and working with "
       "boards."),
    _n(PEOPLE, 100, "cmo-tenure", "", None,
       "Why CMO tenure keeps shrinking, and what boards can do about it",
       "The average chief marketing officer now stays about three years. Boards can help by agreeing on "
       "goals early."),
    # ---------------------------------------------------------------- press-releases (JSON Feed 1.1)
    _n(PRESS, 2, "acme-series-b", "funding_round", "Acme Robotics",
       "Acme Robotics Announces $25 Million Series B Financing Led by Harbor Point Ventures",
       "PITTSBURGH -- Acme Robotics, Inc., a leader in autonomous picking, today announced a $25 million "
       "Series B financing led by Harbor Point Ventures, with participation from Granite Bay Ventures and "
       "Saltmarsh Capital.",
       round="series_b", amount=25_000_000, currency="USD",
       investors=["Harbor Point Ventures", "Granite Bay Ventures", "Saltmarsh Capital"]),
    _n(PRESS, 3, "northwind-cmo", "executive_hire", "Northwind",
       "Northwind Appoints Dana Whitfield Chief Marketing Officer",
       "LONDON -- Northwind Analytics Ltd today announced the appointment of Dana Whitfield as Chief "
       "Marketing Officer, effective immediately.",
       person="Dana Whitfield", title="Chief Marketing Officer", role="cmo", champion=True),
    _n(PRESS, 3, "polar-series-b", "funding_round", "Polar Signal",
       "Polar Signal Secures $32 Million in Series B Funding to Expand Its Observability Platform",
       "SAN FRANCISCO -- Polar Signal today announced it has secured $32 million in Series B funding led by "
       "Quietwater Capital, with participation from Harbor Point Ventures and Kinfolk Ventures.",
       round="series_b", amount=32_000_000, currency="USD",
       investors=["Quietwater Capital", "Harbor Point Ventures", "Kinfolk Ventures"]),
    _n(PRESS, 12, "quillfeather-series-b", "funding_round", "Quillfeather Learning",
       "Quillfeather Learning Raises INR 50 Crore in Series B Funding Led by Monsoon Ventures",
       "BENGALURU -- Quillfeather Learning today announced it has raised INR 50 crore in Series B funding "
       "led by Monsoon Ventures. Existing investors Kinfolk Ventures and Blackbirch Ventures also took part.",
       round="series_b", amount=500_000_000, currency="INR",
       investors=["Monsoon Ventures", "Kinfolk Ventures", "Blackbirch Ventures"]),
    _n(PRESS, 18, "riverstone-clearpath", "acquisition", "Riverstone Insurance Group",
       "Riverstone Insurance Group Signs Definitive Agreement to Acquire Clearpath Claims",
       "HARTFORD -- Riverstone Insurance Group today announced a definitive agreement to acquire Clearpath "
       "Claims, a provider of claims-automation software. The transaction is expected to close in the "
       "first quarter.",
       counterparty="Clearpath Claims"),
    _n(PRESS, 10, "halcyon-ipo", "ipo", "Halcyon Health",
       "Halcyon Health Announces Public Filing of Registration Statement for Proposed Initial Public Offering",
       "NASHVILLE -- Halcyon Health today announced that it has publicly filed a registration statement "
       "relating to a proposed initial public offering of its common stock."),
    _n(PRESS, 1, "tessellate-forecast", "product_launch", "Tessellate AI",
       "Tessellate AI Launches Forecast Studio, an AI Copilot for Revenue Forecasting",
       "AUSTIN -- Tessellate AI today launched Forecast Studio, an AI copilot that helps sales leaders "
       "build and test revenue forecasts. It is available now to all customers."),
    _n(PRESS, 5, "cloudberry-nyc", "expansion", "Cloudberry Commerce",
       "Cloudberry Commerce Opens New York Office to Lead North American Expansion",
       "STOCKHOLM -- Cloudberry Commerce today opened an office in New York, its first in North America, "
       "and plans to hire 30 people there by the end of 2027."),
    _n(PRESS, 6, "fernhill-cascade", "partnership", "Fernhill Bio",
       "Fernhill Bio and Cascade Biologics Enter Research Collaboration",
       "CAMBRIDGE, England -- Fernhill Bio today announced a research collaboration with Cascade Biologics "
       "to study antibody combinations for inflammatory bowel disease.",
       counterparty="Cascade Biologics"),
    _n(PRESS, 8, "ironbark-london", "expansion", "Ironbark Systems",
       "Ironbark Systems Opens London Office, Its First Outside Australia",
       "SYDNEY -- Ironbark Systems today opened an office in London to serve customers in the UK and "
       "Europe, its first outside Australia."),
    _n(PRESS, 11, "verdant-launch", "product_launch", "Verdant Grid",
       "Verdant Grid Launches HomeBalance for Rooftop Solar Owners",
       "AUSTIN -- Verdant Grid, formerly SolarNest, today launched HomeBalance, an app that shifts home "
       "energy use to the cheapest hours."),
    _n(PRESS, 20, "kestrel-alderbrook", "partnership", "Kestrel Pay",
       "Kestrel Pay and Alderbrook Bank Partner to Offer Instant Cross-Border Payouts",
       "SINGAPORE -- Kestrel Pay today announced a partnership with Alderbrook Bank to offer instant payouts "
       "to suppliers in 12 Asian markets.",
       counterparty="Alderbrook Bank"),
    _n(PRESS, 24, "quantum-orbital", "partnership", "Quantum Harbor Computing",
       "Quantum Harbor Computing Partners with Orbital Labs on Satellite Image Processing",
       "BOSTON -- Quantum Harbor Computing today announced a partnership with Orbital Labs to speed up "
       "processing of satellite images.",
       counterparty="Orbital Labs"),
    _n(PRESS, 34, "papercrane-sign", "product_launch", "Papercrane",
       "Papercrane Unveils Papercrane Sign for Small Businesses",
       "LEEDS -- Papercrane today unveiled Papercrane Sign, an e-signature product for small businesses, "
       "priced at £9 a month."),
    _n(PRESS, 42, "solarnest-austin", "expansion", "SolarNest",
       "SolarNest Opens Austin Engineering Hub",
       "DENVER -- SolarNest today opened an engineering hub in Austin, Texas, and plans to hire 50 "
       "engineers there."),
    _n(PRESS, 45, "cobalt-keystone", "acquisition", "Cobalt Ridge Security",
       "Cobalt Ridge Security Acquires Identity Startup Keystone Identity",
       "RESTON, Va. -- Cobalt Ridge Security today announced it has acquired Keystone Identity, a maker of "
       "passwordless login software. Terms were not disclosed.",
       counterparty="Keystone Identity"),
    _n(PRESS, 57, "atlas-mexico", "expansion", "Atlas Peak Logistics",
       "Atlas Peak Logistics Expands Into Mexico With New Monterrey Distribution Center",
       "DALLAS -- Atlas Peak Logistics today expanded into Mexico with a new distribution center in "
       "Monterrey."),
    _n(PRESS, 70, "wayfinder-sable", "partnership", "Wayfinder Maps",
       "Wayfinder Maps and Sable Logistics Announce Strategic Partnership",
       "PORTLAND, Ore. -- Wayfinder Maps and Sable Logistics today announced a strategic partnership to "
       "bring live road data into Sable's freight visibility platform.",
       counterparty="Sable Logistics"),
    _n(PRESS, 88, "lumora-cardiac", "product_launch", "Lumora Health",
       "Lumora Health Launches Remote Cardiac Monitoring Service",
       "MINNEAPOLIS -- Lumora Health today launched a remote cardiac monitoring service for patients "
       "recovering from heart surgery."),
    _n(PRESS, 97, "bluebird-refill", "product_launch", "Bluebird",
       "Bluebird Introduces Refillable Home Cleaning Line",
       "CINCINNATI -- Bluebird today introduced a refillable line of home cleaning products, sold online "
       "and in 2,000 stores."),
    _n(PRESS, 110, "tundra-restructuring", "layoffs", "Tundra Foods",
       "Tundra Foods Announces Restructuring to Focus on Core Brands",
       "MINNEAPOLIS -- Tundra Foods today announced a restructuring that includes a reduction of about 8% "
       "of its workforce, or roughly 200 jobs."),
    # non-triggers
    _n(PRESS, 4, "acme-expo", "", "Acme Robotics",
       "Join Acme Robotics at Automate Expo 2026, Booth 2114",
       "PITTSBURGH -- Acme Robotics invites visitors to booth 2114 at Automate Expo 2026 to see live "
       "demonstrations of its picking arms."),
    _n(PRESS, 9, "tessellate-webinar", "", "Tessellate AI",
       "Tessellate AI to Host Webinar on Forecasting Accuracy",
       "AUSTIN -- Tessellate AI will host a free webinar on December 10 about improving forecast accuracy."),
    _n(PRESS, 15, "halcyon-survey", "", "Halcyon Health",
       "Halcyon Health Releases 2026 Patient Experience Survey",
       "NASHVILLE -- Halcyon Health today released its 2026 patient experience survey of 5,000 adults."),
    _n(PRESS, 22, "mosaic-call", "", "Mosaic Retail",
       "Mosaic Retail Announces Date of Third-Quarter Earnings Call",
       "LONDON -- Mosaic Retail will report third-quarter results on November 5 and host a call for "
       "analysts."),
    _n(PRESS, 36, "papercrane-award", "", "Papercrane",
       "Papercrane Named a Leader in Small Business E-Signature Report",
       "LEEDS -- Papercrane has been named a leader in an independent report on e-signature tools for "
       "small businesses."),
    _n(PRESS, 48, "brightwave-speaker", "", "Brightwave Energy",
       "Brightwave Energy CEO to Speak at European Grid Forum",
       "LYON -- Brightwave Energy's chief executive will speak about battery software at the European Grid "
       "Forum in Brussels."),
    _n(PRESS, 64, "sable-benchmark", "", "Sable Logistics",
       "Sable Logistics Publishes 2026 Freight Visibility Benchmark Report",
       "CHICAGO -- Sable Logistics today published its 2026 benchmark report on freight visibility, based "
       "on 1.2 million shipments."),
    _n(PRESS, 77, "kestrel-survey", "", "Kestrel Pay",
       "Kestrel Pay Survey: 64% of SMEs Plan to Sell Abroad in 2027",
       "SINGAPORE -- A Kestrel Pay survey of 800 small businesses found that 64% plan to sell abroad next "
       "year."),
    _n(PRESS, 102, "revops-tools", "", None,
       "Sponsored: 10 Tools Every RevOps Team Should Know in 2027",
       "From forecasting copilots to e-signature apps, these ten tools help revenue operations teams "
       "work faster."),
]
# fmt: on
